"""The journeys: one line each — what a new user types or pastes, in which language, and what must come first.

`argv` is what follows `maildoctor`. "{lying}" and "{dead}" in it become the --dns value of
the lying and the dead resolver (journey_resolvers.py); file names are relative to the
journeys' own directory of files (conftest.py writes them: FILES below). Every journey is
run as it is for the terminal, and once more with --json when it expects something of the
causes (`first`, `never`) or runs against a resolver.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import journey_texts as t
from journey_properties import DOMAIN_VERDICTS

from maildoctor.explain.bounce_reason import REASON_CAUSES

# --------------------------------------------------------------------------- families of causes

RESOLVER_LIES: Final = frozenset({"DNS_RESOLVER_BROKEN"})
NO_DNS: Final = frozenset({"NETWORK_OFFLINE", "DNS_RESOLVER_BROKEN"})
TYPED_WRONG: Final = frozenset({"CREDENTIAL_TYPO_RISK", "ADDRESS_INVALID"})
CONNECTION: Final = frozenset(
    {
        "SERVER_UNREACHABLE",
        "PORT_CLOSED",
        "PORT_BLOCKED",
        "PORT_SECURITY_MISMATCH",
        "NETWORK_OFFLINE",
        "SERVER_OUTAGE",
        "TLS_INTERCEPTED",
        "HOST_NOT_FOUND",
        "DNS_RESOLVER_BROKEN",
        "SMTP_PORT25_BLOCKED",
        "STARTTLS_UNAVAILABLE",
        "TOO_MANY_CONNECTIONS",
    }
)
LOGIN: Final = frozenset(
    {
        "AUTH_FAILED",
        "APP_PASSWORD_REQUIRED",
        "MODERN_AUTH_REQUIRED",
        "USERNAME_FORM",
        "ACCOUNT_LOCKED",
        "CREDENTIAL_TYPO_RISK",
        "AUTH_MECHANISM_MISMATCH",
        "PLAINTEXT_LOGIN_REFUSED",
    }
)
CERTIFICATE: Final = frozenset(
    {"TLS_CERT_NAME_MISMATCH", "TLS_CERT_EXPIRED", "TLS_CERT_UNTRUSTED", "TLS_INTERCEPTED"}
)
ENCRYPTION: Final = frozenset(
    {"PORT_SECURITY_MISMATCH", "TLS_VERSION_OUTDATED", "STARTTLS_UNAVAILABLE", "TLS_INTERCEPTED"}
)

EXPLAINED: Final = frozenset({0, 1})  # explain: 0 explained, 1 not in the knowledge
USAGE: Final = frozenset({2})
NOT_OK: Final = frozenset({1, 3})  # problems found, or the diagnosis could not run
OK: Final = frozenset({0})


@dataclass(frozen=True)
class Journey:
    id: str
    argv: tuple[str, ...]
    lang: str = "ja"
    stdin: bytes | None = None
    status: frozenset[int] = frozenset({0, 1, 2, 3})
    first: frozenset[str] = frozenset()  # the first cause must be one of these
    never: frozenset[str] = frozenset()  # causes that must not be given at all
    program: str | None = None  # the mail program the input itself names (None: none)
    mentions: tuple[str, ...] = ()
    not_mentions: tuple[str, ...] = ()
    help: bool = False
    files: tuple[str, ...] = field(default=())  # files whose text is part of the person's input

    @property
    def resolver(self) -> str | None:
        for name in ("lying", "dead"):
            if any(f"{{{name}}}" in arg for arg in self.argv):
                return name
        return None

    @property
    def json_argv(self) -> tuple[str, ...] | None:
        """The --json twin, when the causes are to be read (settings has no findings to read)."""
        if not (self.first or self.never or self.resolver) or not self.argv:
            return None
        command = self.argv[0]
        if command in ("check", "domain", "explain"):
            return (*self.argv, "--json")
        return None


# --------------------------------------------------------------------------- one-line constructors


def explain(
    id: str,
    text: str,
    first: frozenset[str] = frozenset(),
    *,
    lang: str = "ja",
    program: str | None = None,
    never: frozenset[str] = frozenset(),
) -> Journey:
    """A pasted message or reply, given as the argument (how most people paste it)."""
    return Journey(id, ("explain", text), lang, status=EXPLAINED, first=first, program=program, never=never)


def piped(
    id: str,
    text: str | bytes,
    first: frozenset[str] = frozenset(),
    *,
    lang: str = "ja",
    program: str | None = None,
) -> Journey:
    """`explain -` with the text on standard input (a paste into `maildoctor explain - <<EOF`)."""
    data = text.encode() if isinstance(text, str) else text
    return Journey(id, ("explain", "-"), lang, stdin=data, status=EXPLAINED, first=first, program=program)


def check(
    id: str,
    address: str,
    *options: str,
    first: frozenset[str] = RESOLVER_LIES,
    lang: str = "ja",
    status: frozenset[int] = NOT_OK,
    resolver: str = "lying",
) -> Journey:
    """`check` on a network whose resolver lies (or is dead), without logging in."""
    auth = () if "--password-stdin" in options else ("--no-auth",)
    stdin = b"pass word\n" if "--password-stdin" in options else None
    argv = ("check", address, *options, *auth, "--dns", f"{{{resolver}}}")
    hidden = ("pass word",) if stdin else ()  # the password never appears in what is printed
    return Journey(
        id, argv, lang, stdin=stdin, status=status, first=first, never=DOMAIN_VERDICTS, not_mentions=hidden
    )


def usage(id: str, *argv: str, lang: str = "ja", mentions: tuple[str, ...] = ()) -> Journey:
    """A command line that is wrong: exit 2 with a message in the person's language."""
    return Journey(id, argv, lang, status=USAGE, mentions=mentions)


def help_screen(id: str, *argv: str, lang: str = "ja") -> Journey:
    return Journey(id, (*argv, "--help"), lang, status=OK, help=True)


# --------------------------------------------------------------------------- data-driven journeys


def _rejection_journeys() -> Iterator[Journey]:
    """Every provider rejection of replies.toml ([[rejection]]), pasted inside a mail program's wrapper.

    The reply's meaning must lead (issue 12, item 4): the first cause is one of the reply's.
    """
    path = Path(__file__).resolve().parents[2] / "src" / "maildoctor" / "data" / "replies.toml"
    wrappers = (
        ("outlook", "ja", t.outlook_reply_ja),
        ("thunderbird", "en", t.thunderbird_send_en),
        ("thunderbird", "ja", t.thunderbird_send_ja),
        ("outlook-new", "ja", t.outlook_new_ja),
        ("thunderbird", "en", t.thunderbird_said_en),
    )
    entries = tomllib.loads(path.read_text(encoding="utf-8"))["rejection"]
    # every third entry keeps the suite fast; the ones item 4 names are always in
    chosen = [
        entry
        for index, entry in enumerate(entries)
        if index % 3 == 0 or entry["causes"][0] in ("MODERN_AUTH_REQUIRED", "IP_BLOCKLISTED")
    ]
    for index, entry in enumerate(chosen):
        status = str(entry.get("status", "")).split("-")[0]
        words = entry["patterns"][0] + (f" ({entry['requires'][0]})" if entry.get("requires") else "")
        reply = " ".join(part for part in (entry.get("reply_code", ""), status, words) if part)
        program, lang, wrap = wrappers[index % len(wrappers)]
        yield explain(
            f"reply-{entry['id']}-{lang}", wrap(reply), frozenset(entry["causes"]), lang=lang, program=program
        )


SHARED: Final = next(
    (
        parent / "shared" / "data"
        for parent in Path(__file__).resolve().parents
        if (parent / "shared" / "data").is_dir()
    ),
    None,
)
# one returned mail per reason that people meet most: unknown user, full mailbox, unknown domain,
# blocked sender, DMARC, a spam complaint
BOUNCES: Final = (
    "lhost-postfix-14.eml",
    "lhost-gmail-06.eml",
    "lhost-postfix-06.eml",
    "lhost-exim-01.eml",
    "lhost-dragonfly-01.eml",
    "arf-01.eml",
)


def _bounce_causes(name: str) -> frozenset[str]:
    assert SHARED is not None
    expected = json.loads((SHARED / "bounces" / "expected.json").read_text())[name]
    causes = {REASON_CAUSES.get(str(item["reason"])) for item in expected["recipients"]}
    return frozenset(str(cause) for cause in causes if cause is not None)


def _bounce_journeys() -> Iterator[Journey]:
    """Real returned mails (Sisimai's corpus): as a file, and on standard input (`explain -`)."""
    if SHARED is None:
        return
    for name in BOUNCES:
        first = _bounce_causes(name)
        yield Journey(f"bounce-{name}", ("explain", name), status=EXPLAINED, first=first, files=(name,))
        yield Journey(
            f"bounce-stdin-{name}",
            ("explain", "-"),
            stdin=(SHARED / "bounces" / "emails" / name).read_bytes(),
            status=EXPLAINED,
            first=first,
        )


def _thunderbird_strings() -> Iterator[Journey]:
    """Thunderbird's own English strings (shared/data/client-errors), %S filled, as they are."""
    if SHARED is None:
        return
    strings = json.loads((SHARED / "client-errors" / "tb_error_strings_en.json").read_text())
    every = [
        (key, text) for group in strings.values() if isinstance(group, dict) for key, text in group.items()
    ]
    for index, (key, text) in enumerate(every[::4]):  # a quarter of them keeps the suite fast
        filled = text.replace("%S", "imap.example.co.jp" if index % 2 else "taro@example.co.jp")
        yield explain(f"tb-{key}", filled, lang="en" if index % 3 else "ja", program="thunderbird")


# --------------------------------------------------------------------------- the table

E = "en"
JOURNEYS: Final[tuple[Journey, ...]] = (
    # ---- Outlook classic, Japanese and English, with the task wrapper (item 1: long text, no "/")
    explain("outlook-0E-ja", t.OUTLOOK_0E_JA, CONNECTION, program="outlook"),
    explain("outlook-0F-ja", t.OUTLOOK_0F_JA, CONNECTION | ENCRYPTION, program="outlook"),
    explain("outlook-0F-send-ja", t.OUTLOOK_0F_SEND_JA, CONNECTION | ENCRYPTION, program="outlook"),
    explain("outlook-0D-ja", t.OUTLOOK_0D_JA, CONNECTION, program="outlook"),
    explain("outlook-13-ja", t.OUTLOOK_13_JA, CONNECTION, program="outlook"),
    explain("outlook-1A-ja", t.OUTLOOK_1A_JA, ENCRYPTION, program="outlook"),
    explain("outlook-19-ja", t.OUTLOOK_19_JA, CONNECTION, program="outlook"),
    explain("outlook-78-sender-ja", t.OUTLOOK_78_JA, frozenset({"SENDER_REJECTED"}), program="outlook"),
    explain("outlook-78-auth-ja", t.OUTLOOK_78_AUTH_JA, frozenset({"SMTP_AUTH_REQUIRED"}), program="outlook"),
    explain("outlook-79-relay-ja", t.OUTLOOK_79_JA, frozenset({"SMTP_AUTH_REQUIRED"}), program="outlook"),
    explain(
        "outlook-90-busy-ja",
        t.OUTLOOK_90_JA,
        frozenset({"SERVER_OUTAGE", "TOO_MANY_CONNECTIONS"}),
        program="outlook",
    ),
    explain("outlook-92-ja", t.OUTLOOK_92_JA, LOGIN, program="outlook"),
    explain("outlook-92-bare-ja", t.OUTLOOK_92_BARE_JA, LOGIN, program="outlook"),
    explain("outlook-2109-ja", t.OUTLOOK_2109_JA, CONNECTION, program="outlook"),
    explain("outlook-210B-ja", t.OUTLOOK_210B_JA, CONNECTION | ENCRYPTION, program="outlook"),
    explain("outlook-210A-ja", t.OUTLOOK_210A_JA, CONNECTION | ENCRYPTION, program="outlook"),
    explain("outlook-code-only", "0x800ccc0e", CONNECTION, program="outlook"),
    explain("outlook-code-fullwidth", "０ｘ８００ＣＣＣ０Ｆ", CONNECTION | ENCRYPTION, program="outlook"),
    explain("outlook-0E-en", t.OUTLOOK_0E_EN, CONNECTION, lang=E, program="outlook"),
    explain("outlook-0F-en", t.OUTLOOK_0F_EN, CONNECTION | ENCRYPTION, lang=E, program="outlook"),
    explain("outlook-92-en", t.OUTLOOK_92_EN, LOGIN, lang=E, program="outlook"),
    explain(
        "outlook-90-en",
        t.OUTLOOK_90_EN,
        frozenset({"TOO_MANY_CONNECTIONS", "SERVER_OUTAGE"}),
        lang=E,
        program="outlook",
    ),
    explain("outlook-78-en", t.OUTLOOK_78_EN, frozenset({"SMTP_AUTH_REQUIRED"}), lang=E, program="outlook"),
    explain("outlook-2109-en", t.OUTLOOK_2109_EN, CONNECTION, lang=E, program="outlook"),
    explain("outlook-0F-ja-under-en", t.OUTLOOK_0F_JA, CONNECTION | ENCRYPTION, lang=E, program="outlook"),
    # ---- server replies inside the wrappers: the reply leads (item 4)
    explain(
        "spamhaus-outlook-ja",
        t.outlook_reply_ja(t.SPAMHAUS_REPLY),
        frozenset({"IP_BLOCKLISTED"}),
        program="outlook",
    ),
    explain(
        "spamhaus-thunderbird-en",
        t.thunderbird_send_en(t.SPAMHAUS_REPLY),
        frozenset({"IP_BLOCKLISTED"}),
        lang=E,
        program="thunderbird",
    ),
    explain("spamhaus-ms-ja", t.outlook_new_ja(t.SPAMHAUS_MS_REPLY), frozenset({"IP_BLOCKLISTED"})),
    explain("spamhaus-bare", t.SPAMHAUS_REPLY, frozenset({"IP_BLOCKLISTED"})),
    explain(
        "ms-banned-ip-ja",
        t.outlook_reply_ja(t.MS_BANNED_IP_REPLY),
        frozenset({"IP_BLOCKLISTED"}),
        program="outlook",
    ),
    explain(
        "basic-auth-outlook-ja",
        t.outlook_reply_ja(t.BASIC_AUTH_REPLY),
        frozenset({"MODERN_AUTH_REQUIRED"}),
        program="outlook",
        never=frozenset({"APP_PASSWORD_REQUIRED"}),
    ),
    explain(
        "basic-auth-thunderbird-en",
        t.thunderbird_said_en(t.BASIC_AUTH_REPLY),
        frozenset({"MODERN_AUTH_REQUIRED"}),
        lang=E,
        program="thunderbird",
    ),
    explain(
        "basic-auth-bare",
        t.BASIC_AUTH_REPLY,
        frozenset({"MODERN_AUTH_REQUIRED"}),
        never=frozenset({"APP_PASSWORD_REQUIRED"}),
    ),
    explain(
        "tenant-auth-ja",
        t.thunderbird_send_ja(t.TENANT_AUTH_REPLY),
        frozenset({"MODERN_AUTH_REQUIRED"}),
        program="thunderbird",
    ),
    explain(
        "client-submission-ja",
        t.outlook_new_ja(t.CLIENT_SUBMISSION_REPLY),
        frozenset({"MODERN_AUTH_REQUIRED"}),
    ),
    explain(
        "imap-basic-disabled", "サーバーの応答: " + t.IMAP_BASIC_DISABLED, frozenset({"MODERN_AUTH_REQUIRED"})
    ),
    explain(
        "gmail-534-thunderbird-ja",
        t.thunderbird_send_ja(t.GMAIL_APP_PASSWORD_REPLY),
        frozenset({"APP_PASSWORD_REQUIRED"}),
        program="thunderbird",
    ),
    explain("gmail-534-bare-en", t.GMAIL_APP_PASSWORD_REPLY, frozenset({"APP_PASSWORD_REQUIRED"}), lang=E),
    explain("gmail-535-ja", t.outlook_reply_ja(t.GMAIL_BAD_CREDENTIALS_REPLY), LOGIN, program="outlook"),
    explain(
        "gmail-dmarc-ja",
        t.outlook_reply_ja(t.GMAIL_DMARC_REPLY),
        frozenset({"DMARC_FAIL"}),
        program="outlook",
    ),
    explain("imap-authfailed", t.IMAP_AUTHFAILED, LOGIN),
    explain("imap-gmail-invalid-en", t.IMAP_GMAIL_INVALID, LOGIN, lang=E),
    explain("pop-auth-failed", t.POP_AUTH_FAILED, LOGIN),
    explain(
        "relay-denied-tb-en",
        t.thunderbird_send_en(t.RELAY_DENIED),
        frozenset({"SMTP_AUTH_REQUIRED"}),
        lang=E,
        program="thunderbird",
    ),
    explain(
        "user-unknown-ja",
        t.outlook_reply_ja(t.USER_UNKNOWN),
        frozenset({"RECIPIENT_REJECTED"}),
        program="outlook",
    ),
    explain(
        "mailbox-full-ja",
        t.thunderbird_send_ja(t.MAILBOX_FULL_REPLY),
        frozenset({"RECIPIENT_MAILBOX_FULL", "MAILBOX_FULL"}),
        program="thunderbird",
    ),
    explain(
        "daily-limit-en",
        t.thunderbird_send_en(t.DAILY_LIMIT_REPLY),
        frozenset({"SENDING_LIMIT_EXCEEDED"}),
        lang=E,
        program="thunderbird",
    ),
    explain(
        "starttls-first-ja",
        t.outlook_reply_ja(t.STARTTLS_FIRST_REPLY),
        frozenset({"PLAINTEXT_LOGIN_REFUSED", "PORT_SECURITY_MISMATCH", "STARTTLS_UNAVAILABLE"}),
        program="outlook",
    ),
    # ---- Thunderbird, Japanese forms and English dialogs
    explain("tb-auth-ja", t.TB_AUTH_JA, LOGIN, program="thunderbird"),
    explain(
        "tb-unknown-server-ja",
        t.TB_UNKNOWN_SERVER_JA,
        frozenset({"HOST_NOT_FOUND", "CREDENTIAL_TYPO_RISK"}),
        program="thunderbird",
    ),
    explain("tb-timeout-ja", t.TB_TIMEOUT_JA, CONNECTION | ENCRYPTION, program="thunderbird"),
    explain("tb-refused-ja", t.TB_REFUSED_JA, CONNECTION, program="thunderbird"),
    explain("tb-login-failed-ja", t.TB_LOGIN_FAILED_JA, LOGIN, program="thunderbird"),
    explain("tb-pop-password-ja", t.TB_POP_PASSWORD_JA, LOGIN, program="thunderbird"),
    explain("tb-login-failed-en", t.TB_LOGIN_FAILED_EN, LOGIN, lang=E, program="thunderbird"),
    explain("tb-timeout-en", t.TB_TIMEOUT_EN, CONNECTION | ENCRYPTION, lang=E, program="thunderbird"),
    explain("tb-cert-en", t.TB_CERT_EN, CERTIFICATE, lang=E, program="thunderbird"),
    # ---- iPhone / iPad Mail
    explain("iphone-password-ja", t.IPHONE_PASSWORD_JA, LOGIN, program="iphone"),
    explain("iphone-imap-password-ja", t.IPHONE_IMAP_PASSWORD_JA, LOGIN, program="iphone"),
    explain("iphone-identity-ja", t.IPHONE_IDENTITY_JA, CERTIFICATE, program="iphone"),
    explain("iphone-send-ja", t.IPHONE_SEND_JA, CONNECTION | LOGIN | ENCRYPTION, program="iphone"),
    explain("iphone-not-responding-ja", t.IPHONE_NOT_RESPONDING_JA, CONNECTION, program="iphone"),
    explain(
        "iphone-rejected-ja",
        t.IPHONE_REJECTED_JA,
        frozenset({"SMTP_AUTH_REQUIRED", "RECIPIENT_REJECTED"}),
        program="iphone",
    ),
    explain("iphone-password-en", t.IPHONE_PASSWORD_EN, LOGIN, lang=E, program="iphone"),
    explain("iphone-identity-en", t.IPHONE_IDENTITY_EN, CERTIFICATE, lang=E, program="iphone"),
    explain("iphone-send-en", t.IPHONE_SEND_EN, CONNECTION | LOGIN | ENCRYPTION, lang=E, program="iphone"),
    # ---- Android: Gmail app, Samsung Email; generic words name no program (item 4)
    explain("gmail-app-ja", t.GMAIL_APP_JA, LOGIN),
    explain("gmail-app-signin-ja", t.GMAIL_APP_SIGNIN_JA, LOGIN),
    explain("gmail-app-en", t.GMAIL_APP_EN, LOGIN, lang=E),
    explain("generic-cant-connect-ja", t.GENERIC_CANT_CONNECT_JA, CONNECTION),
    explain("samsung-secure-ja", t.SAMSUNG_SECURE_JA, ENCRYPTION | CERTIFICATE),
    explain("samsung-auth-ja", t.SAMSUNG_AUTH_JA),
    explain("android-login-en", t.ANDROID_LOGIN_EN, LOGIN, lang=E, program="android"),
    explain(
        "android-security-en", t.ANDROID_SECURITY_EN, ENCRYPTION | CERTIFICATE, lang=E, program="android"
    ),
    # ---- Windows Mail, the new Outlook, the carriers' apps (unknown words must still end calmly)
    explain("windows-mail-ja", t.WINDOWS_MAIL_JA, program="windows-mail"),
    explain("windows-mail-en", t.WINDOWS_MAIL_EN, lang=E, program="windows-mail"),
    explain("outlook-new-sync-ja", t.OUTLOOK_NEW_SYNC_JA, program="outlook-new"),
    explain("docomo-app-ja", t.DOCOMO_APP_JA, program="docomo"),
    explain("au-app-ja", t.AU_APP_JA, program="au"),
    explain("softbank-app-ja", t.SOFTBANK_APP_JA, program="softbank"),
    explain("rakuten-app-ja", t.RAKUTEN_APP_JA, program="rakuten"),
    explain("gibberish-ja", "あいうえお　かきくけこ"),
    explain("gibberish-en", "lorem ipsum dolor sit amet", lang=E),
    explain("escape-in-paste", "\x1b[2J\x1b[31m0x800CCC0E\x1b[0m \x1b]0;owned\x07", program="outlook"),
    explain("c1-in-paste", "サーバーに接続できません\x9b31m\x85\x07", CONNECTION),
    # ---- standard input (item 1: `explain -` reads it)
    piped("stdin-outlook-0F-ja", t.OUTLOOK_0F_JA, CONNECTION | ENCRYPTION, program="outlook"),
    piped(
        "stdin-spamhaus-en",
        t.thunderbird_send_en(t.SPAMHAUS_REPLY),
        frozenset({"IP_BLOCKLISTED"}),
        lang=E,
        program="thunderbird",
    ),
    piped("stdin-iphone-ja", t.IPHONE_PASSWORD_JA, LOGIN, program="iphone"),
    piped("stdin-basic-auth", t.BASIC_AUTH_REPLY + "\n", frozenset({"MODERN_AUTH_REQUIRED"})),
    Journey(
        "stdin-shift-jis",
        ("explain", "-"),
        stdin=t.OUTLOOK_0E_JA.encode("shift_jis"),
        status=frozenset({0, 1, 2}),
        program="outlook",
    ),
    Journey("stdin-empty", ("explain", "-"), stdin=b"", status=frozenset({1, 2})),
    Journey("stdin-no-argument", ("explain",), stdin=t.OUTLOOK_0E_JA.encode(), status=frozenset({0, 1, 2})),
    # ---- files for explain
    Journey(
        "file-missing",
        ("explain", "missing.eml"),
        status=frozenset({2, 3}),
        mentions=("missing.eml",),
        not_mentions=("知識にありません",),
    ),
    Journey(
        "file-missing-en",
        ("explain", "returned-mail.eml"),
        E,
        status=frozenset({2, 3}),
        mentions=("returned-mail.eml",),
        not_mentions=("not in maildoctor's knowledge",),
    ),
    Journey(
        "file-missing-path",
        ("explain", "./受信トレイ/エラー.eml"),
        status=frozenset({2, 3}),
        mentions=("エラー.eml",),
        not_mentions=("知識にありません",),
    ),
    Journey("file-empty", ("explain", "empty.eml"), status=frozenset({1, 2, 3}), files=("empty.eml",)),
    Journey("file-huge", ("explain", "huge.eml"), status=frozenset({0, 1, 2, 3}), files=("huge.eml",)),
    Journey("file-binary", ("explain", "binary.eml"), status=frozenset({0, 1, 2, 3}), files=("binary.eml",)),
    Journey("file-directory", ("explain", "folder.eml"), status=frozenset({1, 2, 3})),
    Journey(
        "file-not-bounce",
        ("explain", "not-bounce.eml"),
        status=frozenset({0, 1, 2, 3}),
        files=("not-bounce.eml",),
    ),
    # ---- check on a lying resolver: the resolver is the finding, no domain verdict (item 2)
    check("lying-gmail-ja", "taro@gmail.com"),
    check("lying-gmail-en", "taro@gmail.com", lang=E),
    check("lying-outlook-jp", "taro@outlook.jp"),
    check("lying-docomo", "taro@docomo.ne.jp", "--password-stdin"),
    check(
        "lying-company",
        "taro@example.co.jp",
        "--incoming",
        "imaps://imap.example.co.jp:993",
        "--outgoing",
        "smtp+starttls://smtp.example.co.jp:587",
        "--user",
        "taro",
    ),
    check("lying-upper-case", "TARO@EXAMPLE.CO.JP"),
    check("lying-idn", "taro@例え.jp"),
    check("lying-client", "taro@gmail.com", "--client", "iphone"),
    check("dead-gmail-ja", "taro@gmail.com", first=NO_DNS, resolver="dead"),
    check(
        "dead-company-en",
        "taro@example.co.jp",
        "--incoming",
        "pop3s://pop.example.co.jp:995",
        first=NO_DNS,
        lang=E,
        resolver="dead",
    ),
    # ---- addresses with typing mistakes: the mistake leads, nothing about the "domain" (items 2, 5, 6)
    check("addr-fullwidth-at", "taro＠example.co.jp", first=TYPED_WRONG, status=frozenset({1, 2})),
    check(
        "addr-fullwidth-all",
        "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ",
        first=TYPED_WRONG,
        status=frozenset({1, 2}),
    ),
    check("addr-fullwidth-dot", "taro@example．co．jp", first=TYPED_WRONG, status=frozenset({1, 2})),
    check("addr-leading-space", " taro@example.co.jp", first=TYPED_WRONG, status=frozenset({1, 2})),
    check("addr-trailing-space", "taro@example.co.jp ", first=TYPED_WRONG, status=frozenset({1, 2})),
    check("addr-ideographic-space", "taro@example.co.jp　", first=TYPED_WRONG, status=frozenset({1, 2})),
    check("addr-inner-space", "taro@exa mple.co.jp", first=TYPED_WRONG, status=frozenset({1, 2})),
    check(
        "addr-trailing-dot",
        "taro@example.co.jp.",
        first=TYPED_WRONG | RESOLVER_LIES,
        status=frozenset({1, 2}),
    ),
    check("addr-double-at", "taro@@example.co.jp", first=TYPED_WRONG, status=frozenset({1, 2})),
    check("addr-two-ats", "taro@example.co.jp@example.co.jp", first=TYPED_WRONG, status=frozenset({1, 2})),
    check("addr-no-tld", "taro@example", first=TYPED_WRONG, status=frozenset({1, 2})),
    check("addr-no-domain", "taro@", first=TYPED_WRONG, status=frozenset({1, 2})),
    check("addr-no-at", "taro.example.co.jp", first=TYPED_WRONG, status=frozenset({1, 2})),
    check("addr-comma", "taro@example,co,jp", first=TYPED_WRONG, status=frozenset({1, 2})),
    check("addr-zero-width", "taro@exam\u200bple.co.jp", first=TYPED_WRONG, status=frozenset({1, 2})),
    check("addr-bom", "\ufefftaro@example.co.jp", first=TYPED_WRONG, status=frozenset({1, 2})),
    check("addr-lookalike-1", "taro@gmai1.com", first=TYPED_WRONG | RESOLVER_LIES),
    check("addr-lookalike-0", "taro@yah0o.co.jp", first=TYPED_WRONG | RESOLVER_LIES),
    check("addr-kana-local", "たろう@example.co.jp", first=TYPED_WRONG, status=frozenset({1, 2})),
    check("addr-mailto", "mailto:taro@example.co.jp", first=TYPED_WRONG, status=frozenset({1, 2})),
    check("addr-angle", "山田太郎 <taro@example.co.jp>", first=TYPED_WRONG, status=frozenset({1, 2})),
    check(
        "addr-escape-csi", "\x1b[31mtaro@example.co.jp\x1b[0m", first=TYPED_WRONG, status=frozenset({1, 2})
    ),
    check(
        "addr-escape-osc", "taro@example.co.jp\x1b]0;owned\x07", first=TYPED_WRONG, status=frozenset({1, 2})
    ),
    check("addr-escape-en", "\x1b[2Jtaro@example.co.jp", first=TYPED_WRONG, status=frozenset({1, 2}), lang=E),
    check("addr-fullwidth-en", "taro＠example.co.jp", first=TYPED_WRONG, status=frozenset({1, 2}), lang=E),
    # ---- server names with typing mistakes (items 5, 10)
    check(
        "host-fullwidth",
        "taro@example.co.jp",
        "--incoming",
        "imaps://ｉｍａｐ.example.co.jp:993",
        first=TYPED_WRONG,
        status=frozenset({1, 2}),
    ),
    check(
        "host-lookalike",
        "taro@example.co.jp",
        "--incoming",
        "imaps://imap.examp1e.co.jp:993",
        first=TYPED_WRONG | RESOLVER_LIES,
    ),
    check("host-trailing-dot", "taro@example.co.jp", "--outgoing", "smtp+starttls://smtp.example.co.jp.:587"),
    check(
        "host-zero-width",
        "taro@example.co.jp",
        "--incoming",
        "imaps://imap.exa\u200bmple.co.jp:993",
        first=TYPED_WRONG,
        status=frozenset({1, 2}),
    ),
    check("host-upper", "taro@example.co.jp", "--incoming", "IMAPS://IMAP.EXAMPLE.CO.JP:993"),
    check("host-idn", "taro@例え.jp", "--incoming", "imaps://mail.例え.jp:993"),
    check(
        "host-escape",
        "taro@example.co.jp",
        "--incoming",
        "imaps://imap\x1b[8m.example.co.jp:993",
        first=TYPED_WRONG,
        status=frozenset({1, 2}),
    ),
    usage(
        "host-fullwidth-port",
        "check",
        "taro@example.co.jp",
        "--incoming",
        "imaps://imap.example.co.jp:９９３",
        "--no-auth",
        "--dns",
        "{lying}",
    ),
    usage("url-no-scheme", "check", "taro@example.co.jp", "--incoming", "imap.example.co.jp", "--no-auth"),
    usage(
        "url-https", "check", "taro@example.co.jp", "--incoming", "https://imap.example.co.jp/", "--no-auth"
    ),
    usage(
        "url-smtps-as-incoming",
        "check",
        "taro@example.co.jp",
        "--incoming",
        "smtps://smtp.example.co.jp:465",
        "--no-auth",
        "--dns",
        "{lying}",
    ),
    usage(
        "url-imaps-as-outgoing",
        "check",
        "taro@example.co.jp",
        "--outgoing",
        "imaps://imap.example.co.jp:993",
        "--no-auth",
        "--dns",
        "{lying}",
    ),
    usage(
        "url-userinfo",
        "check",
        "taro@example.co.jp",
        "--incoming",
        "imaps://taro:secret@imap.example.co.jp",
        "--no-auth",
    ),
    usage(
        "url-port-range",
        "check",
        "taro@example.co.jp",
        "--incoming",
        "imaps://imap.example.co.jp:99999",
        "--no-auth",
    ),
    usage(
        "url-space",
        "check",
        "taro@example.co.jp",
        "--incoming",
        "imaps:// imap.example.co.jp:993",
        "--no-auth",
    ),
    usage(
        "url-https-en",
        "check",
        "taro@example.co.jp",
        "--incoming",
        "https://imap.example.co.jp/",
        "--no-auth",
        lang=E,
    ),
    # ---- options and commands (items 8, 10)
    usage("typo-command", "chek", "taro@example.co.jp"),
    usage("typo-command-en", "chek", "taro@example.co.jp", lang=E),
    usage("unknown-option", "check", "taro@example.co.jp", "--imcoming", "imaps://imap.example.co.jp"),
    usage("missing-address", "check"),
    usage("missing-address-en", "check", lang=E),
    usage("missing-explain", "explain"),
    usage("missing-domain", "domain"),
    usage("missing-settings", "settings"),
    usage("timeout-zero", "check", "taro@example.co.jp", "--timeout", "0", "--no-auth", "--dns", "{lying}"),
    usage(
        "timeout-negative", "check", "taro@example.co.jp", "--timeout", "-1", "--no-auth", "--dns", "{lying}"
    ),
    usage("timeout-words", "check", "taro@example.co.jp", "--timeout", "十秒", "--no-auth"),
    usage("timeout-missing-value", "check", "taro@example.co.jp", "--timeout"),
    usage("lang-unknown", "check", "taro@example.co.jp", "--lang", "fr"),
    usage("format-unknown", "settings", "taro@example.co.jp", "--format", "pdf", "--dns", "{lying}"),
    usage("client-unknown", "explain", "0x800CCC0E", "--client", "nokia"),
    usage("dns-garbage", "check", "taro@example.co.jp", "--no-auth", "--dns", "ルーター"),
    Journey("no-arguments", (), status=frozenset({0, 2})),
    Journey("version", ("--version",), status=OK),
    help_screen("help-top"),
    help_screen("help-top-en", lang=E),
    help_screen("help-check", "check"),
    help_screen("help-check-en", "check", lang=E),
    help_screen("help-explain", "explain"),
    help_screen("help-settings", "settings"),
    help_screen("help-domain", "domain"),
    help_screen("help-domain-en", "domain", lang=E),
    # the accounts book (issue 14): its help, and a first run before `ledger init`
    help_screen("help-ledger", "ledger"),
    help_screen("help-ledger-retire", "ledger", "retire"),
    Journey(
        "ledger-no-book-yet", ("ledger", "account", "list"), status=frozenset({3}), mentions=("ledger init",)
    ),
    Journey(
        "ledger-no-book-yet-en", ("ledger", "history"), "en", status=frozenset({3}), mentions=("ledger init",)
    ),
    # the check day (issue 14): its help, and a first run with no book, then with an empty book
    help_screen("help-checkup", "checkup"),
    help_screen("help-checkup-en", "checkup", lang=E),
    Journey("checkup-no-book-yet", ("checkup",), status=frozenset({3}), mentions=("ledger init",)),
    Journey(
        "checkup-no-book-yet-en", ("checkup", "--all"), "en", status=frozenset({3}), mentions=("ledger init",)
    ),
    Journey(
        "checkup-empty-book",
        ("checkup", "--db", "empty-book.sqlite3"),
        status=frozenset({2}),
        mentions=("ledger company add",),
    ),
    Journey(
        "checkup-empty-book-en",
        ("checkup", "--all", "--db", "empty-book.sqlite3"),
        "en",
        status=frozenset({2}),
        mentions=("ledger company add",),
    ),
    # ---- domain and settings on a lying or dead resolver (items 2, 10)
    Journey(
        "domain-lying-gmail",
        ("domain", "gmail.com", "--dns", "{lying}"),
        status=NOT_OK,
        first=RESOLVER_LIES,
        never=DOMAIN_VERDICTS,
    ),
    Journey(
        "domain-lying-company-en",
        ("domain", "example.co.jp", "--dns", "{lying}"),
        E,
        status=NOT_OK,
        first=RESOLVER_LIES,
        never=DOMAIN_VERDICTS,
    ),
    Journey(
        "domain-lying-sender-ip",
        ("domain", "example.co.jp", "--sender-ip", "203.0.113.25", "--dns", "{lying}"),
        status=NOT_OK,
        first=RESOLVER_LIES,
        never=DOMAIN_VERDICTS,
    ),
    Journey(
        "domain-dead",
        ("domain", "gmail.com", "--dns", "{dead}"),
        status=NOT_OK,
        first=NO_DNS,
        never=DOMAIN_VERDICTS,
    ),
    Journey(
        "domain-url",
        ("domain", "https://www.example.com/", "--dns", "{lying}"),
        status=frozenset({1, 2, 3}),
        never=DOMAIN_VERDICTS,
        not_mentions=("https://www.example.com/ の送信側",),
    ),
    Journey(
        "domain-address",
        ("domain", "taro@example.co.jp", "--dns", "{lying}"),
        status=frozenset({1, 2, 3}),
        never=DOMAIN_VERDICTS,
    ),
    Journey(
        "domain-fullwidth",
        ("domain", "ｅｘａｍｐｌｅ．ｃｏ．ｊｐ", "--dns", "{lying}"),
        status=frozenset({1, 2, 3}),
        never=DOMAIN_VERDICTS,
    ),
    Journey(
        "domain-escape",
        ("domain", "exa\x1b[31mmple.co.jp", "--dns", "{lying}"),
        status=frozenset({1, 2, 3}),
        never=DOMAIN_VERDICTS,
    ),
    Journey("settings-lying-gmail", ("settings", "taro@gmail.com", "--dns", "{lying}"), status=NOT_OK),
    Journey("settings-lying-unknown", ("settings", "taro@example.co.jp", "--dns", "{lying}"), status=NOT_OK),
    Journey(
        "settings-lying-unknown-en", ("settings", "taro@example.co.jp", "--dns", "{lying}"), E, status=NOT_OK
    ),
    Journey("settings-dead-unknown", ("settings", "taro@example.co.jp", "--dns", "{dead}"), status=NOT_OK),
    # no DNS at all: our own data on a known provider is still shown (untried), and the run counts as not done
    Journey(
        "settings-dead-gmail",
        ("settings", "taro@gmail.com", "--dns", "{dead}"),
        status=frozenset({3}),
        mentions=("imap.gmail.com", "smtp.gmail.com"),
    ),
    # no DNS at all and a known domain mistyped: the corrected address is still suggested
    Journey(
        "settings-dead-misspelt-en",
        ("settings", "taro@gmial.com", "--dns", "{dead}"),
        E,
        status=frozenset({3}),
        mentions=("maildoctor settings taro@gmail.com",),
    ),
    Journey(
        "settings-dead-gmail-en",
        ("settings", "taro@gmail.com", "--dns", "{dead}"),
        E,
        status=frozenset({3}),
        mentions=("imap.gmail.com", "published settings"),
    ),
    Journey(
        "settings-escape",
        ("settings", "\x1b[31mtaro@example.co.jp", "--dns", "{lying}"),
        status=frozenset({1, 2, 3}),
    ),
    Journey(
        "settings-fullwidth", ("settings", "taro＠gmail.com", "--dns", "{lying}"), status=frozenset({1, 2, 3})
    ),
    Journey(
        "settings-memo",
        (
            "settings",
            "taro@example.co.jp",
            "--memo",
            "--incoming",
            "pop3://pop.example.co.jp",
            "--error",
            t.OUTLOOK_0F_JA,
            "--dns",
            "{lying}",
        ),
        status=NOT_OK,
    ),
    *_rejection_journeys(),
    *_bounce_journeys(),
    *_thunderbird_strings(),
)

FILES_FROM_CORPUS: Final = {"not-bounce.eml": "not-bounces/is-not-bounce-01.eml"}


def journey_ids() -> list[str]:
    ids = [journey.id for journey in JOURNEYS]
    duplicates = {name for name in ids if ids.count(name) > 1}
    assert not duplicates, f"journey ids given twice: {duplicates}"
    return ids
