"""The "before you call support" memo: what a support desk asks for, in one place (pure: no I/O).

The memo holds the address, the provider, the device or mail program, the
settings as typed in the mail program, the error text as shown, the settings
discovery found and the diagnosis so far. It never holds the password: a line
says it was left out on purpose, and when a password is at hand (`redact`) any
copy of it pasted into a free text is masked.

build_memo() does the words (translated, control characters made visible);
render_memo_text() lays them out for a terminal, the sheet lays them out as HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from maildoctor.discover.candidates import DiscoveredSettings, ServerCandidate
from maildoctor.display import safe as visible  # the one way untrusted text is shown
from maildoctor.export.oauth2 import oauth2_note
from maildoctor.export.table import PROTOCOL_NAMES, SECURITY_SHORT, SERVER_TITLES, SOURCES, VERIFIED
from maildoctor.i18n import N_, Translator
from maildoctor.knowledge import render_evidence, render_finding
from maildoctor.model import (
    Endpoint,
    Finding,
    MailSettings,
    Protocol,
    Secret,
    Security,
    ServerRole,
    default_port,
    leak_forms,
)

MEMO_TITLE: Final = N_("Memo for calling support")
LABEL_ADDRESS: Final = N_("Email address")
LABEL_PROVIDER: Final = N_("Provider")
LABEL_CLIENT: Final = N_("Device / mail program")
LABEL_TYPED: Final = N_("Settings as typed in the mail program")
LABEL_ERROR: Final = N_("Error message as shown")
LABEL_FOUND: Final = N_("Settings maildoctor found")
LABEL_DIAGNOSIS: Final = N_("The diagnosis so far")
LABEL_TYPED_POINTS: Final = N_("What looks wrong in the typed settings")
PLAIN_PORT_25: Final = N_(
    "{server}: port 25 without encryption. Port 25 is for mail servers passing mail on; most Internet "
    "providers block it for sending from a mail program. The usual setting is port 587 with STARTTLS, "
    "or port 465 with SSL/TLS."
)
PLAIN_PORT: Final = N_(
    "{server}: port {port} without encryption. The password would travel unprotected, and many providers "
    "refuse such logins. The usual setting is port {ssl_port} with SSL/TLS."
)
LABEL_USERNAME: Final = N_("User name")
NOT_GIVEN: Final = N_("(not given)")
NOT_FOUND: Final = N_("(not found)")
UNKNOWN_PROVIDER: Final = N_("(unknown)")
NO_FINDINGS: Final = N_("(nothing yet)")
ENDPOINT_LINE: Final = N_("{protocol}  {host}  port {port}  {security}")
FOUND_LINE: Final = N_("{server}  user name {username}  ({source}, {verified})")
LABELLED: Final = N_("{label}: {value}")
TRUNCATED: Final = N_("(… {count} more characters left out)")
PASSWORD_LEFT_OUT: Final = N_(
    "The password is deliberately not in this memo. Never tell it to anyone on the phone or by email, "
    "support staff included."
)
SMTP_RELAY_PORT: Final = 25  # where servers pass mail on, not where mail programs send
PASSWORD_MASK: Final = Secret.MASK  # what a password pasted into a free text becomes

# The error text is kept as shown; beyond this many characters it is cut (a whole log pasted in).
MAX_ERROR_CHARS: Final = 2000
# Well-known --client names written as their makers write them; any other name is shown as given.
CLIENT_NAMES: Final = {
    "iphone": "iPhone",
    "ipad": "iPad",
    "android": "Android",
    "outlook": "Outlook",
    "thunderbird": "Thunderbird",
    "gmail": "Gmail",
    "applemail": "Apple Mail",
    "mac": "Mac",
    "becky": "Becky! Internet Mail",
}


@dataclass(frozen=True, slots=True)
class MemoItem:
    """One entry of the memo: a label and its value lines, already translated and made safe to show."""

    label: str
    lines: tuple[str, ...]
    verbatim: bool = False  # text the person copied (the error message): shown as is, in a box


@dataclass(frozen=True, slots=True)
class Memo:
    title: str
    items: tuple[MemoItem, ...]
    password_note: str  # the line saying the password was left out on purpose


def client_name(client: str) -> str:
    return CLIENT_NAMES.get(client.strip().lower(), client.strip())


class _Cleaner:
    """Masks every form of the password in a text, then makes control characters visible."""

    def __init__(self, redact: Secret | None, usernames: tuple[str, ...]) -> None:
        forms = leak_forms(redact, usernames) if redact is not None else frozenset()
        self._forms = sorted(forms, key=len, reverse=True)  # the longest first: one may contain another

    def __call__(self, text: str, *, multiline: bool = False) -> str:
        for form in self._forms:
            text = text.replace(form, PASSWORD_MASK)
        shown = visible(text, multiline=multiline)
        for form in self._forms:  # a password with a control character in it, now escaped
            shown = shown.replace(visible(form), PASSWORD_MASK)
        return shown


def build_memo(
    address: str,
    translator: Translator,
    *,
    typed: MailSettings | None = None,
    client: str | None = None,
    error_text: str | None = None,
    settings: DiscoveredSettings | None = None,
    findings: Sequence[Finding] = (),
    redact: Secret | None = None,
) -> Memo:
    """The memo's entries in the translator's language.

    `typed` is what the mail program has (any part may be missing); `settings` what
    discovery found (the best candidate of each side is shown); `findings` the
    diagnosis so far, most likely first. `redact` is the password when one is at
    hand: it is never shown, and any copy of it in the texts given is masked.
    """
    _ = translator.gettext
    typed = typed or MailSettings(incoming=None, outgoing=None, username=None)
    clean = _Cleaner(redact, tuple(name for name in (address, typed.username) if name))
    not_given = _(NOT_GIVEN)

    provider = settings.provider.name if settings is not None and settings.provider is not None else None
    items = [
        MemoItem(_(LABEL_ADDRESS), (clean(address),)),
        MemoItem(_(LABEL_PROVIDER), (clean(provider) if provider else _(UNKNOWN_PROVIDER),)),
        MemoItem(_(LABEL_CLIENT), (clean(client_name(client)) if client and client.strip() else not_given,)),
        MemoItem(
            _(LABEL_TYPED),
            (
                _role_line(
                    ServerRole.INCOMING, _endpoint_text(typed.incoming, translator, clean), translator
                ),
                _role_line(
                    ServerRole.OUTGOING, _endpoint_text(typed.outgoing, translator, clean), translator
                ),
                _(LABELLED).format(
                    label=_(LABEL_USERNAME), value=clean(typed.username) if typed.username else not_given
                ),
            ),
        ),
        *_typed_points_item(typed, findings, translator, clean),
        MemoItem(
            _(LABEL_ERROR),
            (_error_text(error_text, translator, clean),),
            verbatim=bool(error_text and error_text.strip()),
        ),
        MemoItem(
            _(LABEL_FOUND),
            (
                *(
                    _role_line(role, _found_text(candidates, translator, clean), translator)
                    for role, candidates in (
                        (ServerRole.INCOMING, settings.incoming if settings else ()),
                        (ServerRole.OUTGOING, settings.outgoing if settings else ()),
                    )
                ),
                *_sign_in_notes(settings, translator),
            ),
        ),
        MemoItem(_(LABEL_DIAGNOSIS), _diagnosis_lines(findings, translator, clean)),
    ]
    return Memo(title=_(MEMO_TITLE), items=tuple(items), password_note=_(PASSWORD_LEFT_OUT))


def _role_line(role: ServerRole, value: str, translator: Translator) -> str:
    _ = translator.gettext
    return _(LABELLED).format(label=_(SERVER_TITLES[role]), value=value)


def _endpoint_text(endpoint: Endpoint | None, translator: Translator, clean: _Cleaner) -> str:
    _ = translator.gettext
    if endpoint is None:
        return _(NOT_GIVEN)
    return _(ENDPOINT_LINE).format(
        protocol=PROTOCOL_NAMES[endpoint.protocol],
        host=clean(endpoint.host),
        port=endpoint.port,
        security=_(SECURITY_SHORT[endpoint.security]),
    )


def _found_text(candidates: Sequence[ServerCandidate], translator: Translator, clean: _Cleaner) -> str:
    _ = translator.gettext
    if not candidates:
        return _(NOT_FOUND)
    best = candidates[0]
    server = _(ENDPOINT_LINE).format(
        protocol=PROTOCOL_NAMES[best.protocol],
        host=clean(best.host),
        port=best.port,
        security=_(SECURITY_SHORT[best.security]),
    )
    return _(FOUND_LINE).format(
        server=server,
        username=clean(best.username),
        source=_(SOURCES[best.source]),
        verified=_(VERIFIED[best.verified]),
    )


def _typed_points_item(
    typed: MailSettings, findings: Sequence[Finding], translator: Translator, clean: _Cleaner
) -> list[MemoItem]:
    """What is plainly wrong in the typed servers and not said by a finding: no encryption at all."""
    _ = translator.gettext
    points: list[str] = []
    for role, endpoint in ((ServerRole.INCOMING, typed.incoming), (ServerRole.OUTGOING, typed.outgoing)):
        if endpoint is None or endpoint.security is not Security.NONE:
            continue
        if any(item.cause == "PORT_SECURITY_MISMATCH" and item.server == role for item in findings):
            continue  # the diagnosis says what is wrong with this port and encryption already
        server = _(SERVER_TITLES[role])
        if endpoint.protocol is Protocol.SMTP and endpoint.port == SMTP_RELAY_PORT:
            points.append(_(PLAIN_PORT_25).format(server=server))
        else:
            ssl_port = default_port(endpoint.protocol, Security.SSL)
            points.append(_(PLAIN_PORT).format(server=server, port=endpoint.port, ssl_port=ssl_port))
    return [MemoItem(_(LABEL_TYPED_POINTS), tuple(clean(point) for point in points))] if points else []


def _sign_in_notes(settings: DiscoveredSettings | None, translator: Translator) -> list[str]:
    """What works for an account that takes only the provider's sign-in page (each note once)."""
    if settings is None:
        return []
    best = [candidates[0] for candidates in (settings.incoming, settings.outgoing) if candidates]
    notes = dict.fromkeys(note for item in best if (note := oauth2_note(item)) is not None)
    return [translator.gettext(note) for note in notes]


def _error_text(error_text: str | None, translator: Translator, clean: _Cleaner) -> str:
    _ = translator.gettext
    if not error_text or not error_text.strip():
        return _(NOT_GIVEN)
    shown = clean(error_text, multiline=True).strip("\n")
    if len(shown) > MAX_ERROR_CHARS:
        left_out = len(shown) - MAX_ERROR_CHARS
        shown = shown[:MAX_ERROR_CHARS] + "\n" + _(TRUNCATED).format(count=left_out)
    return shown


def _diagnosis_lines(findings: Sequence[Finding], translator: Translator, clean: _Cleaner) -> tuple[str, ...]:
    if not findings:
        return (translator.gettext(NO_FINDINGS),)
    # one point once: findings of the same title (an old server name on both sides) under one title
    grouped: dict[str, dict[str, None]] = {}
    for finding in findings:
        evidence = grouped.setdefault(clean(render_finding(finding, translator).title), {})
        evidence.update(dict.fromkeys(clean(render_evidence(item, translator)) for item in finding.evidence))
    lines: list[str] = []
    for title, evidence in grouped.items():
        lines.append("- " + title)
        lines.extend("    " + line for line in evidence)
    return tuple(lines)


def render_memo_text(memo: Memo, translator: Translator) -> str:
    """The memo as plain text for a terminal or a text file (no markup, no colour)."""
    _ = translator.gettext
    out = [memo.title, "=" * 40]
    for item in memo.items:
        if len(item.lines) == 1 and not item.verbatim and "\n" not in item.lines[0]:
            out.append(_(LABELLED).format(label=item.label, value=item.lines[0]))
            continue
        out.append(_(LABELLED).format(label=item.label, value="").rstrip())
        prefix = "  | " if item.verbatim else "  "
        for line in item.lines:
            out.extend(prefix + part for part in line.split("\n"))
    out.extend(("", memo.password_note))
    return "\n".join(out) + "\n"
