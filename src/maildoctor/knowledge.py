"""The knowledge base: for each cause code, the fix as numbered steps and what not to do.

Findings carry a code and parameters, never text (architecture.md, house rule 3);
this module turns them into words at display time, in the reader's language.

The entries are data, one file per cause in src/maildoctor/data/knowledge/causes/ (the format
and the strict loader: knowledge_data.py). Every text is an English message id (babel.cfg
extracts it from the data files; the ja catalog translates it) and may hold `{param}`
placeholders. A text is shown only
when every placeholder in it has a value in the finding, so a step naming
`{right_port}` appears only when a working port is known. A step can name a
plainer text to show instead (`otherwise`), for when the exact one cannot be
filled in: "change the port from 465 to 587", else "change the port to 587",
else "check the port against the provider's guide".

Values are inserted as they are, except these, which are translated into what
mail programs show: `role` (incoming, outgoing, domain, input), any parameter
ending in `security` (ssl, starttls, none) and `field` (username, password,
host, address).

The title of a cause is its catalogue title (causes.py, from the same file).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from maildoctor.causes import CauseCode
from maildoctor.clients.guidance import Guidance, where_lines
from maildoctor.clients.model import lang_of
from maildoctor.i18n import N_, Translator
from maildoctor.knowledge_data import CauseEntry, LazyMapping, Setting, Step, knowledge_base
from maildoctor.model import Evidence, Finding, Layer, Security, ServerRole, Verdict

# --------------------------------------------------------------------------- the knowledge base

Entry = CauseEntry  # what the knowledge base knows about one cause (the name callers know)


@dataclass(frozen=True, slots=True)
class RenderedFinding:
    title: str
    fix: tuple[str, ...]
    do_not: str | None
    where: tuple[tuple[str, ...], ...] = ()  # per fix step, where its settings are in the mail program


def _entries() -> Mapping[CauseCode, CauseEntry]:
    return MappingProxyType({CauseCode(code): entry for code, entry in knowledge_base().causes.items()})


def _params() -> Mapping[CauseCode, tuple[str, ...]]:
    return MappingProxyType({code: entry.params for code, entry in KNOWLEDGE.items()})


# read from data/knowledge/ on first use (knowledge_data.py)
KNOWLEDGE: Final[Mapping[CauseCode, CauseEntry]] = LazyMapping(_entries)
PARAMS: Final[Mapping[CauseCode, tuple[str, ...]]] = LazyMapping(_params)

# --------------------------------------------------------------------------- translated values

_ROLE_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        ServerRole.INCOMING: N_("incoming server"),
        ServerRole.OUTGOING: N_("outgoing server"),
        ServerRole.DOMAIN: N_("domain"),
        ServerRole.INPUT: N_("typed settings"),
    }
)
# as mail programs show them; "SSL/TLS" and "STARTTLS" read the same in every language,
# so they are no message ids (gettext gives them back as they are)
_SECURITY_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {Security.SSL: "SSL/TLS", Security.STARTTLS: "STARTTLS", Security.NONE: N_("None")}
)
_FIELD_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "username": N_("user name"),
        "password": N_("password"),
        "host": N_("server name"),
        "address": N_("email address"),
    }
)

LAYER_NAMES: Final[Mapping[Layer, str]] = MappingProxyType(
    {
        Layer.INPUT: N_("Typed settings"),
        Layer.NETWORK: N_("Internet connection"),
        Layer.DNS: N_("Server names (DNS)"),
        Layer.TRANSPORT: N_("Connection to the server"),
        Layer.TLS: N_("Encryption"),
        Layer.AUTH: N_("Login"),
        Layer.SMTP: N_("Sending"),
        Layer.MAILBOX: N_("Mailbox"),
        Layer.SERVER: N_("Provider's server"),
        Layer.SENDING_DOMAIN: N_("Domain's sending settings"),
    }
)
VERDICT_HEADLINES: Final[Mapping[Verdict, str]] = MappingProxyType(
    {
        Verdict.OK: N_("No problems found"),
        Verdict.PROBLEMS: N_("Problems found"),
        Verdict.INCOMPLETE: N_("The diagnosis could not finish"),
    }
)


def layer_name(layer: Layer, translator: Translator) -> str:
    return translator.gettext(LAYER_NAMES[layer])


def verdict_headline(verdict: Verdict, translator: Translator) -> str:
    return translator.gettext(VERDICT_HEADLINES[verdict])


_OUTCOME_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "ok": N_("answered"),
        "nxdomain": N_("does not exist (NXDOMAIN)"),
        "nodata": N_("no such record"),
        "servfail": N_("DNS error (SERVFAIL)"),
        "refused": N_("refused"),
        "timeout": N_("no answer (timeout)"),
        "error": N_("error"),
        "open": N_("open"),
        "unreachable": N_("unreachable"),
    }
)


def render_evidence(item: str | Evidence, translator: Translator) -> str:
    """A server's words as they are; our own sentences in the reader's language."""
    if isinstance(item, str):
        return item
    values = {name: translate_value(name, value, translator) for name, value in item.values}
    return translator.gettext(item.message).format_map(values)


# the kinds of typing mistake (lint) as the reader sees them, for {problem} and {kinds}
_PROBLEM_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "fullwidth_at": N_("a full-width ＠"),
        "no_at": N_("no @"),
        "several_at": N_("more than one @"),
        "space": N_("a space"),
        "fullwidth_chars": N_("full-width characters"),
        "invisible": N_("an invisible character"),
        "invalid_local_part": N_("a character that cannot be used before the @"),
        "invalid_domain": N_("a domain that cannot exist"),
        "leading_space": N_("a space at the start"),
        "trailing_space": N_("a space at the end"),
        "inner_space": N_("a space inside"),
        "fullwidth": N_("full-width characters"),
        "non_ascii": N_("Japanese or other non-English characters"),
        "lookalike": N_("characters that look alike"),
        "caps_lock_like": N_("capital and small letters the wrong way round"),
        "scheme_in_host": N_("a web address part (like imaps://) in the server name"),
        "email_in_host": N_("an email address in the server name"),
        "double_dot": N_("two dots in a row"),
        "trailing_dot": N_("a dot at the end"),
    }
)
# the English stand-ins of a record to paste (domain/dkim.py, domain/mtasts.py)
_PLACEHOLDERS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "<the public key your provider gives you>": N_("<the public key your provider gives you>"),
        "<domain>": N_("<domain>"),
    }
)


def _record_in_words(value: str, translator: Translator) -> str:
    """A record with its placeholders in the reader's language; the record's syntax as it is."""
    for placeholder, message in _PLACEHOLDERS.items():
        value = value.replace(placeholder, translator.gettext(message))
    return value


def translate_value(name: str, value: str, translator: Translator) -> str:
    """A parameter value as the reader sees it: role, security and field values in words, others as is."""
    if name == "role":
        table: Mapping[str, str] = _ROLE_NAMES
    elif name.endswith("security"):
        table = _SECURITY_NAMES
    elif name == "field":
        table = _FIELD_NAMES
    elif name == "outcome" or name.endswith("_outcome"):
        table = _OUTCOME_NAMES
    elif name in ("problem", "kinds"):
        parts = value.split(",")
        if not all(part in _PROBLEM_NAMES for part in parts):
            return value  # not a lint kind (a domain problem's key, say): as it is
        shown = [translator.gettext(_PROBLEM_NAMES[part]) for part in parts]
        return ("、" if translator.language.value == "ja" else ", ").join(shown)
    elif name.endswith("record"):
        return _record_in_words(value, translator)
    else:
        return value
    message = table.get(value)
    return value if message is None else translator.gettext(message)


# --------------------------------------------------------------------------- rendering


def placeholders(text: str) -> frozenset[str]:
    """The {param} names in a text."""
    return frozenset(field for _, field, _, _ in string.Formatter().parse(text) if field is not None)


def texts_of(step: Step) -> tuple[str, ...]:
    """A step's text and the texts of its stand-ins, most exact first."""
    texts: list[str] = []
    current: Step | None = step
    while current is not None:
        texts.append(current.text)
        current = current.otherwise
    return tuple(texts)


# "from {a} to {b}" pairs: a text naming both with the same value ("from 993 to 993") says nothing,
# so its plainer stand-in is shown instead
_FROM_TO: Final = (
    ("port", "right_port"),
    ("typed_host", "right_host"),
    ("host", "suggested_host"),
    ("typed_username", "right_username"),
    ("typed_security", "right_security"),
)


def render_step(step: Step, values: Mapping[str, str], translator: Translator) -> str | None:
    """The first text of the step whose placeholders all have values, filled in; None when there is none."""
    for message in texts_of(step):
        translated = translator.gettext(message)
        names = placeholders(message) | placeholders(translated)
        if not names.issubset(values):
            continue
        if any({a, b} <= names and values[a] == values[b] for a, b in _FROM_TO):
            continue
        return translated.format_map(values)
    return None


def finding_values(finding: Finding, translator: Translator) -> dict[str, str]:
    """The finding's parameters, translated where the reader sees words, without empty ones.

    A finding without a `role` parameter takes it from its server when that is
    the incoming or the outgoing server.
    """
    return {
        name: translate_value(name, value, translator) for name, value in finding_raw_values(finding).items()
    }


def render_finding(
    finding: Finding, translator: Translator, guidance: Guidance | None = None
) -> RenderedFinding:
    """Title, numbered fix steps and the do-not line of a finding, in the translator's language.

    With `guidance`, each step that changes a setting also gets where that setting is:
    the menu path in the person's mail program, or in the three most common programs
    (`RenderedFinding.where`, one tuple per fix step).

    A cause code this version does not know (say, from a newer ledger) renders as
    its code with no steps, rather than failing the whole report.
    """
    try:
        code = CauseCode(finding.cause)
    except ValueError:
        return RenderedFinding(title=finding.cause, fix=(), do_not=None)
    entry = KNOWLEDGE[code]
    values = finding_values(finding, translator)
    rendered = [(step, render_step(step, values, translator)) for step in entry.fix]
    shown = [(step, text) for step, text in rendered if text is not None]
    fix = tuple(text for _, text in shown)
    where: tuple[tuple[str, ...], ...] = ()
    if guidance is not None:
        raw = finding_raw_values(finding)
        lang = lang_of(translator.language.value)
        where = tuple(where_lines(step.settings, raw, guidance, lang) for step, _ in shown)
    do_not = None if entry.do_not is None else render_step(entry.do_not, values, translator)
    return RenderedFinding(title=translator.gettext(entry.title), fix=fix, do_not=do_not, where=where)


def finding_raw_values(finding: Finding) -> dict[str, str]:
    """The finding's parameters as the engine set them (security as ssl/starttls/none), with its role."""
    raw = {name: value for name, value in finding.params if value}
    if "role" not in raw and finding.server in (ServerRole.INCOMING, ServerRole.OUTGOING):
        raw["role"] = finding.server.value
    return raw


__all__ = [
    "KNOWLEDGE",
    "LAYER_NAMES",
    "PARAMS",
    "VERDICT_HEADLINES",
    "Entry",
    "RenderedFinding",
    "Setting",
    "Step",
    "finding_raw_values",
    "finding_values",
    "layer_name",
    "placeholders",
    "render_evidence",
    "render_finding",
    "render_step",
    "texts_of",
    "translate_value",
    "verdict_headline",
]
