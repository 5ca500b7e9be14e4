"""The one reply classifier: (step, protocol, codes, words, provider) -> what a refusal means and its causes.

Pure: the knowledge is the packaged data file `maildoctor/data/replies.toml` (its header says the
schema), read and checked once; an unknown key, kind, cause code, provider id or a regex that does not
compile raises `ReplyDataError` naming the entry. Three callers share it:

* `check`: the login step (`rules/auth.py`: `explain_auth_failure`) and the sending step
  (`rules/smtp.py`: `explain_smtp_rejection`), where the step is known;
* `explain` of a pasted reply (`explain/reply.py`, `explain/mailbox_reply.py`): `classify_reply` with
  the step unknown (`step=None`) reads only the rows whose words or codes say the step themselves;
* the bounce reader (`explain/bounce_phrases.py`: `reply_verdict`): the rows that read words
  (`words_only`; it reads the codes itself, structurally), the step from the returned mail's "in
  reply to RCPT TO" words (`sending` when it does not say), e.g. `classify_reply(Step.RCPT, "smtp",
  reply_code=550, enhanced="5.1.1", text=diagnostic, provider="gmail", words_only=True)`; it reports
  the row's `reason` (Sisimai's vocabulary) and the recipient's side (`remote_causes`).

Every row keeps the server words it rests on (`source`) and real replies (`examples`);
tests/unit/test_rules_replies.py reads each example through both paths and wants one cause.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Final, Generic, TypeVar

from maildoctor.causes import CauseCode
from maildoctor.datafile import DataFileError, cause_list, check_keys, one_line, provider_ids
from maildoctor.model import Protocol

REPLIES_FILE: Final = "replies.toml"


class ReplyDataError(DataFileError):
    """replies.toml breaks its schema; the message names the entry."""


class AuthFailureKind(StrEnum):
    WRONG_CREDENTIALS = "wrong_credentials"
    # the account password is not accepted this way (app password, web sign-in)
    APP_PASSWORD_REQUIRED = "app_password_required"  # noqa: S105 -- a kind's name, not a password
    # no password of any kind is accepted: the program must sign in with OAuth2 (or the tenant turned
    # SMTP AUTH off)
    MODERN_AUTH_REQUIRED = "modern_auth_required"
    # an app password is asked for, but some accounts cannot make one (Google: only with 2-Step
    # Verification, not with Advanced Protection or where the organisation blocks them): then only the
    # provider's own sign-in is left
    APP_PASSWORD_OR_SIGN_IN = "app_password_or_sign_in"  # noqa: S105 -- a kind's name, not a password
    ACCOUNT_LOCKED = "account_locked"
    TOO_MANY_CONNECTIONS = "too_many_connections"
    PLAINTEXT_REFUSED = "plaintext_refused"
    TEMPORARY = "temporary"
    UNKNOWN = "unknown"


class SmtpRejectionKind(StrEnum):
    AUTH_REQUIRED = "auth_required"
    ENCRYPTION_REQUIRED = "encryption_required"  # STARTTLS first, then AUTH
    SENDER_REJECTED = "sender_rejected"
    RECIPIENT_REJECTED = "recipient_rejected"
    MAILBOX_FULL = "mailbox_full"
    TEMPORARY = "temporary"
    # what a receiving server says about the sending server, the message or the recipient's domain:
    # mostly read in returned mail (the bounce reader), where the recipient's server wrote it
    BLOCKED = "blocked"  # the sending server's address is refused (blocklist, reputation, policy)
    REVERSE_DNS = "reverse_dns"  # the sending server's address has no (matching) host name
    SENDER_AUTHENTICATION = "sender_authentication"  # SPF / DKIM / DMARC did not pass
    MESSAGE_REFUSED = "message_refused"  # the content: spam, a virus, a policy, a malformed header
    MESSAGE_TOO_LARGE = "message_too_large"
    RATE_LIMITED = "rate_limited"
    DOMAIN_UNKNOWN = "domain_unknown"  # the recipient's domain does not exist or takes no mail
    SERVER_PROBLEM = "server_problem"  # the receiving server's own fault or a network failure
    TLS_UNAVAILABLE = "tls_unavailable"  # the sending server wanted TLS; the receiving one has none
    OTHER = "other"


class Step(StrEnum):
    """The step of the conversation a reply answered."""

    LOGIN = "login"  # IMAP LOGIN/AUTHENTICATE, POP3 USER/PASS/AUTH, SMTP AUTH (and a refusing greeting)
    MAIL = "mail"  # SMTP MAIL FROM
    RCPT = "rcpt"  # SMTP RCPT TO
    # in the data: a row for both MAIL FROM and RCPT TO; asked of `classify_reply`: a reply to a
    # sending step not known which (a returned mail that does not say), read with every sending row
    SENDING = "sending"


Kind = AuthFailureKind | SmtpRejectionKind
KindT = TypeVar("KindT", AuthFailureKind, SmtpRejectionKind)


@dataclass(frozen=True, slots=True)
class Classification(Generic[KindT]):
    """The verdict, the row that gave it (None: no row matched) and what matched:
    the server's words (`Application-specific password required`) or its code (`[LIMIT]`, `535 5.7.8`)."""

    kind: KindT
    rule: str | None
    evidence: str


@dataclass(frozen=True, slots=True)
class Meaning:
    """One kind of refusal at one step: what it means (an English message id) and its causes."""

    step: Step  # LOGIN or SENDING
    kind: Kind
    text: str
    causes: tuple[CauseCode, ...]  # most likely first, when the reply came from the user's own server
    # most likely first, when it came from the recipient's server (a bounce): a full mailbox there is
    # the recipient's; the same as `causes` unless the data says otherwise
    remote_causes: tuple[CauseCode, ...] = ()


@dataclass(frozen=True, slots=True)
class ReplyRule:
    """One row: every condition given must hold. `enhanced` entries ending in "." are prefixes."""

    rule: str
    step: Step
    kind: Kind
    source: str
    examples: tuple[str, ...]
    protocols: frozenset[Protocol] = frozenset()  # empty: any
    codes: frozenset[str] = frozenset()  # IMAP [CODE] / POP3 [CODE]
    reply_codes: frozenset[int] = frozenset()
    reply_class: int | None = None  # 4: any 4yz
    enhanced: tuple[str, ...] = ()
    words: re.Pattern[str] | None = None
    providers: frozenset[str] = frozenset()  # empty: any provider
    pasted: bool = True  # read for a pasted reply, whose step is not known
    # the reason in Sisimai's vocabulary (the bounce reader's), when the kind alone does not say it
    reason: str | None = None

    def at(self, step: Step) -> bool:
        """Whether the row is about replies to `step` (a SENDING row answers MAIL and RCPT; asked
        for SENDING, a step not known which, every sending row answers)."""
        if step == Step.SENDING:
            return self.step != Step.LOGIN
        return self.step == step or (self.step == Step.SENDING and step in (Step.MAIL, Step.RCPT))


@dataclass(frozen=True, slots=True)
class ReplyTable:
    meanings: Mapping[tuple[Step, str], Meaning]  # (LOGIN or SENDING, kind) -> meaning
    rules: tuple[ReplyRule, ...]  # in file order

    def meaning(self, step: Step, kind: Kind) -> Meaning | None:
        group = Step.LOGIN if step == Step.LOGIN else Step.SENDING
        return self.meanings.get((group, str(kind)))


@dataclass(frozen=True, slots=True)
class ReplyVerdict:
    """What a reply means: the row that matched, the words it matched on, and the meaning."""

    step: Step  # LOGIN or SENDING (the meaning's step)
    kind: Kind
    rule: str
    evidence: str
    meaning: Meaning
    reason: str | None = None  # the row's reason in Sisimai's vocabulary, when it names one

    @property
    def causes(self) -> tuple[CauseCode, ...]:
        """The causes when the user's own server sent the reply (check, a mail program's error)."""
        return self.meaning.causes

    @property
    def remote_causes(self) -> tuple[CauseCode, ...]:
        """The causes when the recipient's server sent it (a returned mail)."""
        return self.meaning.remote_causes or self.meaning.causes


# --------------------------------------------------------------------------- reading the data

_ID: Final = re.compile(r"[a-z0-9][a-z0-9.-]*")
_CODE: Final = re.compile(r"[A-Z][A-Z0-9/-]*")
_REASON: Final = re.compile(r"[a-z]+")
_ENHANCED: Final = re.compile(r"[245]\.[0-9]{1,3}\.(?:[0-9]{1,3})?")
_MEANING_KEYS: Final = frozenset({"step", "kind", "text", "causes"})
_MEANING_OPTIONAL: Final = frozenset({"remote_causes"})
_RULE_REQUIRED: Final = frozenset({"id", "step", "kind", "source", "examples"})
_RULE_OPTIONAL: Final = frozenset(
    {
        "protocols",
        "response_codes",
        "reply_codes",
        "reply_class",
        "enhanced",
        "words",
        "providers",
        "pasted",
        "reason",
    }
)


def _kind(where: str, step: Step, value: str) -> Kind:
    kinds: type[AuthFailureKind] | type[SmtpRejectionKind] = (
        AuthFailureKind if step == Step.LOGIN else SmtpRejectionKind
    )
    try:
        kind = kinds(value)
    except ValueError:
        raise ReplyDataError(f"{where}: unknown kind {value!r} for step {step}") from None
    if kind in (AuthFailureKind.UNKNOWN, SmtpRejectionKind.OTHER):
        raise ReplyDataError(f"{where}: {value!r} is what no row matching means, not a row's kind")
    return kind


def _step(where: str, table: Mapping[str, object], allowed: Sequence[Step]) -> Step:
    value = one_line(where, table, "step", ReplyDataError)
    if value not in allowed:
        raise ReplyDataError(f"{where}: step must be one of {', '.join(allowed)}, not {value!r}")
    return Step(value)


def _list(where: str, table: Mapping[str, object], key: str, item: type) -> list[object]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(entry, item) for entry in value):
        raise ReplyDataError(f"{where}: {key} must be a list of {item.__name__}")
    if any(isinstance(entry, bool) for entry in value) or len(set(value)) != len(value):
        raise ReplyDataError(f"{where}: {key} lists a value twice or a wrong value")
    return list(value)


def _strings(where: str, table: Mapping[str, object], key: str, pattern: re.Pattern[str]) -> tuple[str, ...]:
    values = [str(value) for value in _list(where, table, key, str)]
    for value in values:
        if not pattern.fullmatch(value):
            raise ReplyDataError(f"{where}: {key} has a malformed value {value!r}")
    return tuple(values)


def _words(where: str, table: Mapping[str, object]) -> re.Pattern[str] | None:
    if "words" not in table:
        return None
    pattern = table["words"]
    if not isinstance(pattern, str) or not pattern.strip():
        raise ReplyDataError(f"{where}: words must be a non-empty regex")
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as error:
        raise ReplyDataError(f"{where}: words is not a valid regex: {error}") from None


def _parse_meaning(table: Mapping[str, object], position: int) -> Meaning:
    where = f"meaning #{position}"
    check_keys(where, table, _MEANING_KEYS, _MEANING_OPTIONAL, ReplyDataError)
    step = _step(where, table, (Step.LOGIN, Step.SENDING))
    kind = _kind(where, step, one_line(where, table, "kind", ReplyDataError))
    where = f"meaning {step}/{kind}"
    text = one_line(where, table, "text", ReplyDataError, exact=True)
    remote: tuple[CauseCode, ...] = ()
    if "remote_causes" in table:
        remote = cause_list(where, {"causes": table["remote_causes"]}, ReplyDataError, required=True)
    return Meaning(step, kind, text, cause_list(where, table, ReplyDataError, required=True), remote)


def _parse_rule(table: Mapping[str, object], position: int, providers: frozenset[str]) -> ReplyRule:
    raw_id = table.get("id")
    where = f"rule {raw_id}" if isinstance(raw_id, str) and raw_id else f"rule #{position}"
    check_keys(where, table, _RULE_REQUIRED, _RULE_OPTIONAL, ReplyDataError)
    rule = one_line(where, table, "id", ReplyDataError, exact=True)
    if not _ID.fullmatch(rule):
        raise ReplyDataError(f"{where}: id must be lower-case letters, digits, '.' and '-'")
    step = _step(where, table, (Step.LOGIN, Step.MAIL, Step.RCPT, Step.SENDING))
    kind = _kind(where, Step.LOGIN if step == Step.LOGIN else Step.SENDING, str(table.get("kind")))
    try:
        protocols = frozenset(Protocol(str(value)) for value in _list(where, table, "protocols", str))
    except ValueError:
        raise ReplyDataError(f"{where}: protocols must be imap, pop3 or smtp") from None
    reply_codes = frozenset(int(str(value)) for value in _list(where, table, "reply_codes", int))
    if any(not 200 <= code <= 599 for code in reply_codes):
        raise ReplyDataError(f"{where}: reply_codes must be 200-599")
    reply_class = table.get("reply_class")
    if reply_class is not None and reply_class not in (4, 5):
        raise ReplyDataError(f"{where}: reply_class must be 4 or 5")
    chosen = frozenset(str(value) for value in _list(where, table, "providers", str))
    if chosen - providers:
        raise ReplyDataError(f"{where}: unknown provider ids {', '.join(sorted(chosen - providers))}")
    pasted = table.get("pasted", True)
    if not isinstance(pasted, bool):
        raise ReplyDataError(f"{where}: pasted must be true or false")
    reason = table.get("reason")
    if reason is not None and not (isinstance(reason, str) and _REASON.fullmatch(reason)):
        raise ReplyDataError(f"{where}: reason must be a lower-case word (Sisimai's vocabulary)")
    examples = tuple(str(value) for value in _list(where, table, "examples", str))
    if not examples or not all(example.strip() for example in examples):
        raise ReplyDataError(f"{where}: examples must list at least one real reply")
    parsed = ReplyRule(
        rule=rule,
        step=step,
        kind=kind,
        source=one_line(where, table, "source", ReplyDataError, exact=True),
        examples=examples,
        protocols=protocols,
        codes=frozenset(_strings(where, table, "response_codes", _CODE)),
        reply_codes=reply_codes,
        reply_class=reply_class if isinstance(reply_class, int) else None,
        enhanced=_strings(where, table, "enhanced", _ENHANCED),
        words=_words(where, table),
        providers=chosen,
        pasted=pasted,
        reason=reason,
    )
    if not (parsed.codes or parsed.reply_codes or parsed.reply_class or parsed.enhanced or parsed.words):
        raise ReplyDataError(f"{where}: a row needs a condition (codes, reply codes, class, enhanced, words)")
    return parsed


def _tables(document: Mapping[str, object], key: str) -> list[Mapping[str, object]]:
    tables = document.get(key)
    if not isinstance(tables, list) or not tables or not all(isinstance(table, dict) for table in tables):
        raise ReplyDataError(f"{REPLIES_FILE}: {key} must be a non-empty array of tables")
    return tables


def parse_replies(data: bytes | str, providers: frozenset[str]) -> ReplyTable:
    """Parse and check replies.toml; `providers` are the known provider ids."""
    try:
        document = tomllib.loads(data.decode("utf-8") if isinstance(data, bytes) else data)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ReplyDataError(f"{REPLIES_FILE}: not valid TOML: {error}") from None
    # the providers' rejection texts ([[rejection]]) share the file; explain/smtp.py reads and checks them
    extra = sorted(set(document) - {"meaning", "rule", "rejection"})
    if extra:
        raise ReplyDataError(f"{REPLIES_FILE}: unknown top-level keys {', '.join(extra)}")
    meanings: dict[tuple[Step, str], Meaning] = {}
    for position, table in enumerate(_tables(document, "meaning"), start=1):
        meaning = _parse_meaning(table, position)
        key = (meaning.step, str(meaning.kind))
        if key in meanings:
            raise ReplyDataError(f"meaning {meaning.step}/{meaning.kind}: listed twice")
        meanings[key] = meaning
    wanted = {(Step.LOGIN, str(kind)) for kind in AuthFailureKind if kind != AuthFailureKind.UNKNOWN} | {
        (Step.SENDING, str(kind)) for kind in SmtpRejectionKind if kind != SmtpRejectionKind.OTHER
    }
    missing = sorted(f"{step}/{kind}" for step, kind in wanted - set(meanings))
    if missing:
        raise ReplyDataError(f"{REPLIES_FILE}: no meaning for {', '.join(missing)}")
    rules: list[ReplyRule] = []
    for position, table in enumerate(_tables(document, "rule"), start=1):
        rule = _parse_rule(table, position, providers)
        if any(known.rule == rule.rule for known in rules):
            raise ReplyDataError(f"rule {rule.rule}: id used twice")
        rules.append(rule)
    return ReplyTable(meanings=meanings, rules=tuple(rules))


@functools.cache
def load_replies() -> ReplyTable:
    """The shipped reply table, read and checked once, then cached."""
    data = resources.files("maildoctor").joinpath("data").joinpath(REPLIES_FILE).read_bytes()
    return parse_replies(data, provider_ids())


# --------------------------------------------------------------------------- matching

_LEADING_ENHANCED: Final = re.compile(r"^[245]\.[0-9]{1,3}\.[0-9]{1,3}(?:[ \t]+|$)")


def _normalise(text: str) -> str:
    """One line of text: the enhanced code repeated on each SMTP line dropped, runs of space made one."""
    lines = (_LEADING_ENHANCED.sub("", line.strip()) for line in text.splitlines())
    return " ".join(" ".join(lines).split())


def _enhanced_matches(wanted: tuple[str, ...], enhanced: str | None) -> bool:
    if enhanced is None:
        return False
    return any(enhanced == item or (item.endswith(".") and enhanced.startswith(item)) for item in wanted)


def _reply_matches(row: ReplyRule, reply_code: int | None, enhanced: str | None) -> bool:
    """Whether the row's SMTP conditions (reply codes, reply class, enhanced codes) all hold."""
    if row.reply_codes and reply_code not in row.reply_codes:
        return False
    if row.reply_class is not None and (reply_code is None or reply_code // 100 != row.reply_class):
        return False
    return not row.enhanced or _enhanced_matches(row.enhanced, enhanced)


def _smtp_code(reply_code: int | None, enhanced: str | None) -> str:
    return " ".join(str(part) for part in (reply_code, enhanced) if part is not None)


@dataclass(frozen=True, slots=True)
class _Query:
    protocol: Protocol
    code: str | None
    reply_code: int | None
    enhanced: str | None
    words: str
    provider: str | None


def _match(row: ReplyRule, query: _Query) -> str | None:
    """The evidence when every condition of the row holds, else None."""
    if row.protocols and query.protocol not in row.protocols:
        return None
    if row.codes and query.code not in row.codes:
        return None
    if row.providers and query.provider is not None and query.provider not in row.providers:
        return None
    if not _reply_matches(row, query.reply_code, query.enhanced):
        return None
    if row.words is not None:
        found = row.words.search(query.words)
        return found.group(0) if found else None
    return f"[{query.code}]" if row.codes else _smtp_code(query.reply_code, query.enhanced)


def _first(rows: Sequence[ReplyRule], query: _Query) -> tuple[ReplyRule, str] | None:
    for row in rows:
        evidence = _match(row, query)
        if evidence is not None:
            return row, evidence
    return None


def _pasted(table: ReplyTable, query: _Query) -> tuple[ReplyRule, str] | None:
    """The row for a reply whose step is not known: the login rows first, then the sending ones; in each,
    the first row that matches decides, and a row that needs the step (`pasted = false`) decides
    "not known" rather than let a later, vaguer row speak (552 5.2.2 ... Recipient address rejected:
    Mailbox is full is about a full mailbox, not an unknown recipient)."""
    for group in (Step.LOGIN, Step.SENDING):
        rows = [row for row in table.rules if (row.step == Step.LOGIN) == (group == Step.LOGIN)]
        found = _first(rows, query)
        if found is not None:
            return found if found[0].pasted else None
    return None


def _query(
    protocol: Protocol | str,
    code: str | None,
    reply_code: int | None,
    enhanced: str | None,
    text: str,
    provider: str | None,
) -> _Query:
    code = code.strip().strip("[]").upper() or None if code else None
    return _Query(Protocol(protocol), code, reply_code, enhanced, _normalise(text), provider)


def classify_reply(
    step: Step | str | None,
    protocol: Protocol | str,
    *,
    response_code: str | None = None,
    reply_code: int | None = None,
    enhanced: str | None = None,
    text: str = "",
    provider: str | None = None,
    table: ReplyTable | None = None,
    words_only: bool = False,
) -> ReplyVerdict | None:
    """What a refusal means, or None when no row knows it.

    `step`: the step it answered (`login`, `mail`, `rcpt`); `sending` when it answered a sending step
    but which one is not known (a returned mail that does not say): every sending row is read; None
    when it is not known at all (a pasted reply): then only the rows whose own words or codes say the
    step are read (`pasted`), login rows first. `words_only`: read only the rows that match words (the
    bounce reader reads the codes itself, structurally, before the words).
    An IMAP or POP3 refusal is a login refusal whatever `step` says: those protocols send nothing else
    that maildoctor reads. `response_code` is the IMAP/POP3 bracketed code (brackets and case do not
    matter), `reply_code`/`enhanced` the SMTP reply code and RFC 3463 code, `text` the server's words,
    `provider` a provider id of data/providers (None: not known).
    """
    known = load_replies() if table is None else table
    query = _query(protocol, response_code, reply_code, enhanced, text, provider)
    if query.protocol != Protocol.SMTP:
        step = Step.LOGIN
    if words_only:
        known = ReplyTable(known.meanings, tuple(row for row in known.rules if row.words is not None))
    if step is None:
        found = _pasted(known, query)
    else:
        found = _first([row for row in known.rules if row.at(Step(step))], query)
    if found is None:
        return None
    row, evidence = found
    meaning = known.meaning(row.step, row.kind)
    if meaning is None:  # parse_replies makes sure every kind has one
        raise ReplyDataError(f"rule {row.rule}: no meaning for {row.kind}")
    return ReplyVerdict(meaning.step, row.kind, row.rule, evidence, meaning, row.reason)


# --------------------------------------------------------------------------- check's two steps


def explain_auth_failure(
    protocol: Protocol | str,
    code: str | None,
    reply_code: int | None,
    enhanced: str | None,
    text: str,
    *,
    provider: str | None = None,
) -> Classification[AuthFailureKind]:
    """The kind of a refused login, with the row and the words that decided it.

    `code` is the IMAP/POP3 bracketed response code (`AUTHENTICATIONFAILED`, `IN-USE`; brackets and
    case do not matter), `reply_code`/`enhanced` the SMTP reply code and RFC 3463 code, `text` the
    server's words.
    """
    verdict = classify_reply(
        Step.LOGIN,
        protocol,
        response_code=code,
        reply_code=reply_code,
        enhanced=enhanced,
        text=text,
        provider=provider,
    )
    if verdict is None or not isinstance(verdict.kind, AuthFailureKind):
        return Classification(AuthFailureKind.UNKNOWN, None, "")
    return Classification(verdict.kind, verdict.rule, verdict.evidence)


def classify_auth_failure(
    protocol: Protocol | str,
    code: str | None,
    reply_code: int | None,
    enhanced: str | None,
    text: str,
) -> AuthFailureKind:
    """Why a login was refused; `explain_auth_failure` says on which words."""
    return explain_auth_failure(protocol, code, reply_code, enhanced, text).kind


def explain_smtp_rejection(
    stage: str, code: int | None, enhanced: str | None, text: str, *, provider: str | None = None
) -> Classification[SmtpRejectionKind]:
    """The kind of a refused MAIL FROM (`stage="mail"`) or RCPT TO (`"rcpt"`), with the row and words."""
    if stage not in (Step.MAIL, Step.RCPT):
        raise ValueError(f"stage must be 'mail' or 'rcpt', not {stage!r}")
    verdict = classify_reply(
        stage, Protocol.SMTP, reply_code=code, enhanced=enhanced, text=text, provider=provider
    )
    if verdict is None or not isinstance(verdict.kind, SmtpRejectionKind):
        return Classification(SmtpRejectionKind.OTHER, None, "")
    return Classification(verdict.kind, verdict.rule, verdict.evidence)


def classify_smtp_rejection(
    stage: str, code: int | None, enhanced: str | None, text: str
) -> SmtpRejectionKind:
    """Why MAIL FROM or RCPT TO was refused; `explain_smtp_rejection` says on which words."""
    return explain_smtp_rejection(stage, code, enhanced, text).kind


def login_rules() -> tuple[ReplyRule, ...]:
    """The rows for refused logins, in order."""
    return tuple(row for row in load_replies().rules if row.step == Step.LOGIN)


def sending_rules() -> tuple[ReplyRule, ...]:
    """The rows for refused MAIL FROM / RCPT TO, in order."""
    return tuple(row for row in load_replies().rules if row.step != Step.LOGIN)


def meaning_of(step: Step, kind: Kind) -> Meaning | None:
    """The meaning of a kind at a step (LOGIN, or MAIL/RCPT/SENDING), from the shipped table."""
    return load_replies().meaning(step, kind)


def __getattr__(name: str) -> tuple[ReplyRule, ...]:
    # the row tables by their old names, read from the data only when asked for
    if name == "AUTH_FAILURE_RULES":
        return login_rules()
    if name == "SMTP_REJECTION_RULES":
        return sending_rules()
    raise AttributeError(name)


__all__ = [
    "REPLIES_FILE",
    "AuthFailureKind",
    "Classification",
    "Meaning",
    "ReplyDataError",
    "ReplyRule",
    "ReplyTable",
    "ReplyVerdict",
    "SmtpRejectionKind",
    "Step",
    "classify_auth_failure",
    "classify_reply",
    "classify_smtp_rejection",
    "explain_auth_failure",
    "explain_smtp_rejection",
    "load_replies",
    "login_rules",
    "meaning_of",
    "parse_replies",
    "provider_ids",
    "sending_rules",
]
