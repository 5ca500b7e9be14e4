"""What an SMTP reply means: reply codes, enhanced status codes and providers' rejection texts.

Two data files, read and checked once (a broken entry raises `SmtpDataError` naming it):

* `maildoctor/data/smtp_status.toml`: the basic reply codes (RFC 5321 section 4.2 and the
  extensions that added codes), the enhanced status code classes, subjects and details of
  RFC 3463 and the IANA "SMTP Enhanced Status Codes" registry, each with a plain meaning
  and the maildoctor causes it points to.
* the `[[rejection]]` entries of `maildoctor/data/replies.toml` (the reply classifier's file, so
  the reply knowledge is one file): the rejection texts of the providers our users meet (Gmail,
  Microsoft 365, Yahoo, iCloud, the Japanese carriers, common MTAs), each with distinctive
  `patterns`, the causes (most likely first) and what to do.

The plain texts (`name`, `meaning`, `action`) are English gettext message ids, extracted by
babel.cfg; whoever shows one translates it (`translator.gettext(entry.meaning)`).

Everything here is pure: no I/O besides the cached, packaged data.

    from maildoctor.explain.smtp import classify_reply, find_replies
    reply = find_replies("550-5.7.26 Unauthenticated email from example.jp is not accepted ...")[0]
    classify_reply(reply.code, reply.status, reply.text)  # (DMARC_FAIL, ...)
"""

from __future__ import annotations

import dataclasses
import functools
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Final, TypedDict, TypeVar

from maildoctor.causes import CauseCode
from maildoctor.datafile import DataFileError, cause_list, check_keys, choice, one_line, provider_ids

STATUS_FILE: Final = "smtp_status.toml"
# the providers' rejection texts are the [[rejection]] entries of the reply classifier's file
# (rules/replies.py reads its [[meaning]] and [[rule]] entries)
REJECTIONS_FILE: Final = "replies.toml"

_E = TypeVar("_E", bound=StrEnum)


class SmtpDataError(DataFileError):
    """An SMTP data file breaks its schema; the message names the file and the entry."""


class Confirmation(StrEnum):
    STORED_PAGE = "stored-page"  # the text was read in a stored copy of the cited page
    RECALLED = "recalled"  # from memory: confirm against the cited page


class StatusClass(StrEnum):
    SUCCESS = "2"
    TRANSIENT = "4"  # persistent transient failure: sending later may work
    PERMANENT = "5"  # permanent failure: something must change first


# The providers a rejection text belongs to are the provider ids of data/providers/*.toml, and two that
# are no provider file: the texts of common mail server software, and Yahoo Mail outside Japan (Yahoo!
# JAPAN is "yahoo-japan"; a data/providers/yahoo.toml would make "yahoo" an id like the others).
NOT_PROVIDER_FILES: Final = frozenset({"generic", "yahoo"})


@dataclass(frozen=True, slots=True)
class ClassEntry:
    code: StatusClass
    name: str  # a message id
    meaning: str  # a message id
    reference: str
    source: str
    confirmed: Confirmation


@dataclass(frozen=True, slots=True)
class SubjectEntry:
    code: int  # 0-7: the Y of X.Y.Z
    name: str  # a message id
    meaning: str  # a message id
    causes: tuple[CauseCode, ...]  # what the subject alone points to (may be empty)
    reference: str
    source: str
    confirmed: Confirmation


@dataclass(frozen=True, slots=True)
class DetailEntry:
    code: str  # "X.7.26": class-independent, as the registry writes it
    name_en: str  # the registry's summary, quoted (not translated)
    meaning: str  # a message id
    causes: tuple[CauseCode, ...]  # most likely first (may be empty)
    reference: str
    source: str
    confirmed: Confirmation
    note: str | None


@dataclass(frozen=True, slots=True)
class ReplyCodeEntry:
    code: str  # "550"
    name_en: str  # the RFC's text, quoted (not translated)
    meaning: str  # a message id
    causes: tuple[CauseCode, ...]
    reference: str
    source: str
    confirmed: Confirmation


@dataclass(frozen=True, slots=True)
class StatusTable:
    classes: Mapping[StatusClass, ClassEntry]
    subjects: Mapping[int, SubjectEntry]
    details: Mapping[str, DetailEntry]  # "X.7.26" -> entry
    replies: Mapping[str, ReplyCodeEntry]  # "550" -> entry


@dataclass(frozen=True, slots=True)
class Rejection:
    id: str
    provider: str  # a provider id (data/providers), or one of NOT_PROVIDER_FILES
    reply_code: str
    status: str | None  # "5.7.26", or a range "5.7.606-649"
    status_match: bool  # the status alone (with a `requires` fragment, if any) also matches
    patterns: tuple[str, ...]  # distinctive fragments of the provider's text
    requires: tuple[str, ...]  # one of these must also be in the text (a domain, a host name)
    causes: tuple[CauseCode, ...]  # most likely first
    meaning: str  # a message id
    action: str  # a message id
    source: str
    confirmed: Confirmation
    note: str | None

    def covers(self, status: str) -> bool:
        """Whether `status` (X.Y.Z) is this entry's status or inside its range."""
        if self.status is None:
            return False
        return _status_in(status, self.status)


@dataclass(frozen=True, slots=True)
class SmtpReply:
    code: str | None  # the basic reply code ("550"), None when only a status was found
    status: str | None  # the enhanced status code ("5.7.26")
    text: str  # the reply text, continuation lines joined, whitespace normalised
    # the text of each line of a multi-line reply (`550-…`), as written; for showing, not compared
    lines: tuple[str, ...] = dataclasses.field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class StatusInfo:
    status: str  # as asked, normalised ("5.7.999")
    status_class: ClassEntry
    subject: SubjectEntry
    detail: DetailEntry | None  # None when the registry does not know the detail

    @property
    def causes(self) -> tuple[CauseCode, ...]:
        """The detail's causes, else the subject's."""
        if self.detail is not None and self.detail.causes:
            return self.detail.causes
        return self.subject.causes

    @property
    def summary_en(self) -> str:
        if self.detail is not None:
            return f"{self.status_class.name}: {self.detail.name_en}"
        return f"{self.status_class.name}: {self.subject.name}"


class MatchBasis(StrEnum):
    PATTERN = "pattern"  # one of the entry's patterns is in the text
    STATUS = "status"  # the entry's provider-specific status is in the text


@dataclass(frozen=True, slots=True)
class RejectionMatch:
    entry: Rejection
    basis: MatchBasis
    pattern: str | None  # the pattern found (None for a status match)
    score: float  # 0..1, higher is surer


# --- reading the data -------------------------------------------------------------------------

_ID: Final = re.compile(r"[a-z0-9][a-z0-9-]*")
_REPLY: Final = re.compile(r"[2-5][0-9]{2}")
_DETAIL_KEY: Final = re.compile(r"X\.([0-9])\.(0|[1-9][0-9]{0,2})")
_STATUS: Final = re.compile(r"[245]\.[0-9]{1,3}\.[0-9]{1,3}")
_STATUS_OR_RANGE: Final = re.compile(r"([245]\.[0-9]{1,3}\.)([0-9]{1,3})(?:-([0-9]{1,3}))?")
_CODE_IN_PATTERN: Final = re.compile(r"(?<![\w.])[245][0-9]{2}[- ]|(?<![\w.])[245]\.[0-9]{1,3}\.[0-9]{1,3}")


def _text(where: str, table: Mapping[str, object], key: str) -> str:
    return one_line(where, table, key, SmtpDataError, exact=True)


def _optional_text(where: str, table: Mapping[str, object], key: str) -> str | None:
    return _text(where, table, key) if key in table else None


def _choice(where: str, table: Mapping[str, object], key: str, kind: type[_E]) -> _E:
    return choice(where, table, key, kind, SmtpDataError)


def _causes(where: str, table: Mapping[str, object], *, required: bool) -> tuple[CauseCode, ...]:
    return cause_list(where, table, SmtpDataError, required=required)


def _strings(where: str, table: Mapping[str, object], key: str, *, required: bool) -> tuple[str, ...]:
    value = table.get(key, [])
    if (
        not isinstance(value, list)
        or (required and not value)
        or not all(isinstance(item, str) and item.strip() and "\n" not in item for item in value)
    ):
        kind = "a non-empty list" if required else "a list"
        raise SmtpDataError(f"{where}: {key} must be {kind} of one-line, non-empty strings")
    if len(set(value)) != len(value):
        raise SmtpDataError(f"{where}: {key} lists a string twice")
    return tuple(value)


def _keys(
    where: str, table: Mapping[str, object], required: frozenset[str], optional: frozenset[str]
) -> None:
    check_keys(where, table, required, optional, SmtpDataError)


def _tables(file: str, document: Mapping[str, object], key: str) -> list[Mapping[str, object]]:
    tables = document.get(key, [])
    if not isinstance(tables, list) or not tables:
        raise SmtpDataError(f"{file}: {key} must be a non-empty array of tables")
    for position, table in enumerate(tables, start=1):
        if not isinstance(table, dict):
            raise SmtpDataError(f"{file}: {key} #{position} is not a table")
    return tables


def _load_toml(file: str, data: bytes | str) -> dict[str, object]:
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        return tomllib.loads(text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise SmtpDataError(f"{file}: not valid TOML: {error}") from None


_DESCRIBED: Final = frozenset({"meaning", "reference", "source", "confirmed"})


def _where(kind: str, table: Mapping[str, object], position: int) -> str:
    code = table.get("code")
    return f"{kind} {code}" if isinstance(code, str) and code else f"{kind} #{position}"


class _Described(TypedDict):
    meaning: str
    reference: str
    source: str
    confirmed: Confirmation


def _described(where: str, table: Mapping[str, object]) -> _Described:
    """The fields every registry entry has: its plain meaning (a message id) and its provenance."""
    return {
        "meaning": _text(where, table, "meaning"),
        "reference": _text(where, table, "reference"),
        "source": _text(where, table, "source"),
        "confirmed": _choice(where, table, "confirmed", Confirmation),
    }


def parse_status_table(data: bytes | str) -> StatusTable:
    """Parse and check `smtp_status.toml`; codes must be unique and well-formed."""
    document = _load_toml(STATUS_FILE, data)
    extra = sorted(set(document) - {"class", "subject", "detail", "reply"})
    if extra:
        raise SmtpDataError(f"{STATUS_FILE}: unknown top-level keys {', '.join(extra)}")

    classes: dict[StatusClass, ClassEntry] = {}
    for position, table in enumerate(_tables(STATUS_FILE, document, "class"), start=1):
        where = _where("class", table, position)
        _keys(where, table, _DESCRIBED | {"code", "name"}, frozenset())
        status_class = _choice(where, table, "code", StatusClass)
        if status_class in classes:
            raise SmtpDataError(f"{where}: listed twice")
        classes[status_class] = ClassEntry(
            code=status_class,
            name=_text(where, table, "name"),
            **_described(where, table),
        )
    if set(classes) != set(StatusClass):
        raise SmtpDataError(f"{STATUS_FILE}: classes 2, 4 and 5 must all be described")

    subjects: dict[int, SubjectEntry] = {}
    for position, table in enumerate(_tables(STATUS_FILE, document, "subject"), start=1):
        where = _where("subject", table, position)
        _keys(where, table, _DESCRIBED | {"code", "name", "causes"}, frozenset())
        raw = _text(where, table, "code")
        if not re.fullmatch(r"[0-7]", raw):
            raise SmtpDataError(f"{where}: code must be a digit 0-7")
        number = int(raw)
        if number in subjects:
            raise SmtpDataError(f"{where}: listed twice")
        subjects[number] = SubjectEntry(
            code=number,
            name=_text(where, table, "name"),
            causes=_causes(where, table, required=False),
            **_described(where, table),
        )
    if set(subjects) != set(range(8)):
        raise SmtpDataError(f"{STATUS_FILE}: subjects 0-7 must all be described")

    details: dict[str, DetailEntry] = {}
    for position, table in enumerate(_tables(STATUS_FILE, document, "detail"), start=1):
        where = _where("detail", table, position)
        _keys(where, table, _DESCRIBED | {"code", "name_en", "causes"}, frozenset({"note"}))
        code = _text(where, table, "code")
        match = _DETAIL_KEY.fullmatch(code)
        if match is None:
            raise SmtpDataError(f"{where}: code must look like X.7.26")
        if int(match.group(1)) not in subjects:
            raise SmtpDataError(f"{where}: subject {match.group(1)} is not described")
        if code in details:
            raise SmtpDataError(f"{where}: listed twice")
        details[code] = DetailEntry(
            code=code,
            name_en=_text(where, table, "name_en"),
            causes=_causes(where, table, required=False),
            note=_optional_text(where, table, "note"),
            **_described(where, table),
        )

    replies: dict[str, ReplyCodeEntry] = {}
    for position, table in enumerate(_tables(STATUS_FILE, document, "reply"), start=1):
        where = _where("reply", table, position)
        _keys(where, table, _DESCRIBED | {"code", "name_en", "causes"}, frozenset())
        code = _text(where, table, "code")
        if not _REPLY.fullmatch(code):
            raise SmtpDataError(f"{where}: code must be three digits, 200-599")
        if code in replies:
            raise SmtpDataError(f"{where}: listed twice")
        replies[code] = ReplyCodeEntry(
            code=code,
            name_en=_text(where, table, "name_en"),
            causes=_causes(where, table, required=False),
            **_described(where, table),
        )
    return StatusTable(classes=classes, subjects=subjects, details=details, replies=replies)


_REJECTION_REQUIRED: Final = frozenset(
    {
        "id",
        "provider",
        "reply_code",
        "causes",
        "meaning",
        "action",
        "source",
        "confirmed",
    }
)
_REJECTION_OPTIONAL: Final = frozenset({"status", "status_match", "patterns", "requires", "note"})


def _provider(where: str, table: Mapping[str, object]) -> str:
    provider = _text(where, table, "provider")
    if provider not in provider_ids() | NOT_PROVIDER_FILES:
        raise SmtpDataError(f"{where}: unknown provider {provider!r} (not a data/providers id)")
    return provider


def parse_rejection(table: Mapping[str, object], position: int) -> Rejection:
    """One `[[rejection]]` table; `position` (1-based) names it when it has no usable id."""
    raw_id = table.get("id")
    where = f"rejection {raw_id}" if isinstance(raw_id, str) and raw_id else f"rejection #{position}"
    _keys(where, table, _REJECTION_REQUIRED, _REJECTION_OPTIONAL)
    entry_id = _text(where, table, "id")
    if not _ID.fullmatch(entry_id):
        raise SmtpDataError(f"{where}: id must be lower-case letters, digits and '-'")
    reply_code = _text(where, table, "reply_code")
    if not _REPLY.fullmatch(reply_code):
        raise SmtpDataError(f"{where}: reply_code must be three digits, 200-599")
    status = _optional_text(where, table, "status")
    if status is not None:
        match = _STATUS_OR_RANGE.fullmatch(status)
        if match is None or (match.group(3) is not None and int(match.group(3)) <= int(match.group(2))):
            raise SmtpDataError(f"{where}: status {status!r} must look like 5.7.26 or 5.7.606-649")
    status_match = table.get("status_match", False)
    if not isinstance(status_match, bool):
        raise SmtpDataError(f"{where}: status_match must be true or false")
    if status_match and status is None:
        raise SmtpDataError(f"{where}: status_match needs a status")
    patterns = _strings(where, table, "patterns", required=False)
    if not patterns and not status_match:
        raise SmtpDataError(f"{where}: needs at least one pattern (or status_match)")
    for pattern in patterns:
        if len(_compact(pattern)) < 4:
            raise SmtpDataError(f"{where}: pattern {pattern!r} is too short to be distinctive")
        if _CODE_IN_PATTERN.search(pattern):
            raise SmtpDataError(f"{where}: pattern {pattern!r} holds a reply or status code; use status")
    return Rejection(
        id=entry_id,
        provider=_provider(where, table),
        reply_code=reply_code,
        status=status,
        status_match=status_match,
        patterns=patterns,
        requires=_strings(where, table, "requires", required=False),
        causes=_causes(where, table, required=True),
        meaning=_text(where, table, "meaning"),
        action=_text(where, table, "action"),
        source=_text(where, table, "source"),
        confirmed=_choice(where, table, "confirmed", Confirmation),
        note=_optional_text(where, table, "note"),
    )


def parse_rejections(data: bytes | str) -> tuple[Rejection, ...]:
    """Parse and check the `[[rejection]]` entries of `replies.toml`; ids must be unique. The file's
    `meaning` and `rule` entries are the reply classifier's (rules/replies.py checks them)."""
    document = _load_toml(REJECTIONS_FILE, data)
    extra = sorted(set(document) - {"rejection", "meaning", "rule"})
    if extra:
        raise SmtpDataError(f"{REJECTIONS_FILE}: unknown top-level keys {', '.join(extra)}")
    entries: list[Rejection] = []
    seen: set[str] = set()
    for position, table in enumerate(_tables(REJECTIONS_FILE, document, "rejection"), start=1):
        entry = parse_rejection(table, position)
        if entry.id in seen:
            raise SmtpDataError(f"rejection {entry.id}: id used twice")
        seen.add(entry.id)
        entries.append(entry)
    return tuple(entries)


def _data(name: str) -> bytes:
    return resources.files("maildoctor").joinpath("data").joinpath(name).read_bytes()


@functools.cache
def load_status_table() -> StatusTable:
    """The shipped status table, read and checked once, then cached."""
    return parse_status_table(_data(STATUS_FILE))


@functools.cache
def load_rejections() -> tuple[Rejection, ...]:
    """The shipped provider rejection texts, read and checked once, then cached."""
    return parse_rejections(_data(REJECTIONS_FILE))


# --- finding replies in pasted text -------------------------------------------------------------

_MAX_TEXT: Final = 50_000  # characters of pasted text looked at
_QUOTES: Final = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"'})
# A reply code: not glued to a word, a dot (IP addresses, versions) or a colon (times);
# followed by "-" (a continuation line), white space or the end, never by ".digit".
_CODE: Final = re.compile(r"(?<![\w.:/@-])(?P<code>[245][0-9]{2})(?:(?P<dash>-)|(?=[\s(#]|$))")
_AFTER_CODE: Final = re.compile(
    r"[ \t]*(?:\r?\n[ \t]*)?[(#]{0,2}[ \t]*(?P<status>[245]\.[0-9]{1,3}\.[0-9]{1,3})(?!\w|\.[0-9])\)?"
)
_STATUS_ALONE: Final = re.compile(
    r"(?<![\w.])[(#]{0,2}(?P<status>[245]\.[0-9]{1,3}\.[0-9]{1,3})(?!\w|\.[0-9])\)?"
)
# What may stand before a reply code that comes without a status: the start of a line,
# or a separator / verb such as "said:", "reason:", "smtp;", "(", "[", "=".
_CODE_LEAD: Final = re.compile(
    r"(?:^|[:;(\[\"'=>]|[0-9]{2}:[0-9]{2}:[0-9]{2}"
    r"|\bsaid|\breason|\berror|\bcode|\breply|\bresponse|\bstat|\bdeferred)[ \t]*$",
    re.IGNORECASE,
)
_MAX_REPLY_TEXT: Final = 1_000


def normalise(text: str) -> str:
    """NFKC (full-width digits and signs become ASCII), typographic quotes made plain."""
    return unicodedata.normalize("NFKC", text[:_MAX_TEXT]).translate(_QUOTES)


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int  # where the codes begin
    end: int  # where the reply's own text begins
    code: str | None
    status: str | None
    continued: bool  # "550-": more lines of the same reply follow


def _hits(text: str) -> list[_Hit]:
    hits: list[_Hit] = []
    taken: list[tuple[int, int]] = []
    for match in _CODE.finditer(text):
        code = match.group("code")
        after = _AFTER_CODE.match(text, match.end())
        status = after.group("status") if after is not None else None
        if status is None:
            line_start = text.rfind("\n", 0, match.start()) + 1
            if not _CODE_LEAD.search(text[line_start : match.start()]):
                continue
        end = after.end() if after is not None else match.end()
        hits.append(_Hit(match.start(), end, code, status, match.group("dash") is not None))
        taken.append((match.start(), end))
    for match in _STATUS_ALONE.finditer(text):
        if any(start <= match.start() < end for start, end in taken):
            continue
        hits.append(_Hit(match.start(), match.end(), None, match.group("status"), continued=False))
    hits.sort(key=lambda hit: hit.start)
    return hits


def _line_end(text: str, position: int) -> int:
    """The end of the line at `position`, taking in folded lines (they start with white space)."""
    end = text.find("\n", position)
    while end != -1 and end + 1 < len(text) and text[end + 1] in " \t":
        next_end = text.find("\n", end + 1)
        line = text[end + 1 : len(text) if next_end == -1 else next_end]
        if not line.strip():
            break
        if next_end == -1:
            return len(text)
        end = next_end
    return len(text) if end == -1 else end


def _clean(fragment: str) -> str:
    return " ".join(fragment.split()).strip(" -:;,")


def find_replies(text: str) -> tuple[SmtpReply, ...]:
    """The SMTP replies in pasted text, in order of appearance.

    Tolerates full-width digits, `550-5.7.26` continuation lines (joined into one reply,
    also when a mail program re-wrapped them into the middle of lines), `#5.1.1` and
    `(#5.1.1)`, `smtp; 550 5.1.1 <x@y>: ...` and folded header lines. A status found on
    its own (`Status: 5.1.1`) is reported only when no reply with a code carries it.
    """
    norm = normalise(text)
    hits = _hits(norm)
    replies: list[SmtpReply] = []
    index = 0
    while index < len(hits):
        hit = hits[index]
        parts: list[str] = []
        current = hit
        # A continuation ("550-") runs to the next hit; its reply goes on while the next hit
        # repeats the same code (and status) -- the last line is the one without "-".
        while True:
            following = hits[index + 1] if index + 1 < len(hits) else None
            same = following is not None and following.code == current.code and current.code is not None
            if current.continued and following is not None and same:
                parts.append(norm[current.end : following.start])
                index += 1
                current = following
                continue
            stop = _line_end(norm, current.end)
            if following is not None and following.start < stop:
                stop = following.start
            parts.append(norm[current.end : stop])
            break
        reply_text = _clean(" ".join(parts))[:_MAX_REPLY_TEXT]
        if hit.code is None and not reply_text:
            line_start = norm.rfind("\n", 0, hit.start) + 1
            reply_text = _clean(norm[line_start : hit.start])[:_MAX_REPLY_TEXT]
        lines = tuple(line for line in (_clean(part) for part in parts) if line) if len(parts) > 1 else ()
        replies.append(
            SmtpReply(code=hit.code, status=hit.status or current.status, text=reply_text, lines=lines)
        )
        index += 1
    with_code = {reply.status for reply in replies if reply.code is not None and reply.status is not None}
    unique: list[SmtpReply] = []
    for reply in replies:
        if reply.code is None and reply.status in with_code:
            continue
        if reply not in unique:
            unique.append(reply)
    return tuple(unique)


# --- meanings ---------------------------------------------------------------------------------


def _status_parts(status: str) -> tuple[str, int, int] | None:
    match = re.fullmatch(r"([245])\.([0-9]{1,3})\.([0-9]{1,3})", normalise(status).strip().lstrip("#("))
    if match is None:
        return None
    return match.group(1), int(match.group(2)), int(match.group(3))


def status_meaning(status: str, table: StatusTable | None = None) -> StatusInfo | None:
    """Class, subject and detail of an enhanced status code ("5.7.26").

    An unknown detail falls back to class and subject (5.7.999: "security or policy");
    None when `status` is not an enhanced status code or its subject is not defined.
    """
    parts = _status_parts(status)
    if parts is None:
        return None
    known = load_status_table() if table is None else table
    status_class, subject, detail = parts
    subject_entry = known.subjects.get(subject)
    if subject_entry is None:
        return None
    return StatusInfo(
        status=f"{status_class}.{subject}.{detail}",
        status_class=known.classes[StatusClass(status_class)],
        subject=subject_entry,
        detail=known.details.get(f"X.{subject}.{detail}"),
    )


def reply_meaning(code: str, table: StatusTable | None = None) -> ReplyCodeEntry | None:
    """The basic reply code's entry ("550"), or None when it is not a known code."""
    known = load_status_table() if table is None else table
    return known.replies.get(normalise(code).strip())


# --- provider rejection texts -------------------------------------------------------------------

# Continuation prefixes and code pairs that a wrapped reply carries in the middle of its text:
# dropped before looking for patterns, so a pattern can span the original line breaks.
_INLINE_CODES: Final = re.compile(
    r"(?<![\w.])[245][0-9]{2}-(?:[245]\.[0-9]{1,3}\.[0-9]{1,3})?(?=\s|$)"
    r"|(?<![\w.])[245][0-9]{2} [245]\.[0-9]{1,3}\.[0-9]{1,3}(?=\s|$)"
)


def _compact(text: str) -> str:
    """Lower case, codes of wrapped lines dropped, white space collapsed."""
    return " ".join(_INLINE_CODES.sub(" ", normalise(text)).casefold().split())


def _status_in(status: str, spec: str) -> bool:
    match = _STATUS_OR_RANGE.fullmatch(spec)
    parts = _status_parts(status)
    if match is None or parts is None:
        return False
    prefix, low, high = match.group(1), int(match.group(2)), match.group(3)
    if f"{parts[0]}.{parts[1]}." != prefix:
        return False
    return low <= parts[2] <= (int(high) if high is not None else low)


def _rank(
    entries: Iterable[Rejection], text: str, statuses: set[str], codes: set[str]
) -> tuple[RejectionMatch, ...]:
    compact = _compact(text)
    found: list[tuple[float, int, RejectionMatch]] = []
    for order, entry in enumerate(entries):
        if entry.requires and not any(_compact(fragment) in compact for fragment in entry.requires):
            continue
        status_hit = any(entry.covers(status) for status in statuses)
        bonus = 0.1 if entry.requires else 0.0
        bonus += 0.15 if status_hit else 0.0
        bonus += 0.05 if entry.reply_code in codes else 0.0
        best: RejectionMatch | None = None
        for pattern in entry.patterns:
            wanted = _compact(pattern)
            if wanted and wanted in compact:
                score = min(1.0, 0.6 + min(len(wanted), 60) / 600 + bonus)
                if best is None or score > best.score:
                    best = RejectionMatch(entry, MatchBasis.PATTERN, pattern, round(score, 3))
        if best is None and entry.status_match and status_hit:
            best = RejectionMatch(entry, MatchBasis.STATUS, None, round(min(1.0, 0.4 + bonus), 3))
        if best is not None:
            found.append((best.score, order, best))
    found.sort(key=lambda item: (-item[0], item[1]))
    return tuple(match for _, _, match in found)


def match_rejection(
    text: str, entries: Iterable[Rejection] | None = None, *, status: str | None = None
) -> tuple[RejectionMatch, ...]:
    """The provider entries whose pattern (or provider-specific status) appears in `text`, best first.

    Matching is case-insensitive, after NFKC and white-space normalisation, with the codes of
    wrapped reply lines dropped. An entry with `requires` matches only when one of those
    fragments (a domain such as docomo.ne.jp) is in the text too, and then ranks higher;
    an entry whose status is in the text (or is `status`) ranks higher still.
    """
    replies = find_replies(text)
    statuses = {reply.status for reply in replies if reply.status is not None}
    codes = {reply.code for reply in replies if reply.code is not None}
    parts = _status_parts(status) if status is not None else None
    if parts is not None:
        statuses.add(f"{parts[0]}.{parts[1]}.{parts[2]}")
    return _rank(load_rejections() if entries is None else entries, text, statuses, codes)


def classify_reply(
    reply_code: str | None,
    status: str | None,
    text: str,
    *,
    table: StatusTable | None = None,
    entries: Iterable[Rejection] | None = None,
) -> tuple[CauseCode, ...]:
    """The causes an SMTP reply points to, most likely first; empty when nothing is known.

    In order: the causes of the provider entries that match (best first), then those of the
    enhanced status detail, then of its class-subject, then of the basic reply code. A code or
    status left out (None) is taken from the first reply found in `text`. Success replies
    (2xx, 2.X.X) point to no cause.
    """
    known = load_status_table() if table is None else table
    if reply_code is None or status is None:
        first = next(iter(find_replies(text)), None)
        if first is not None:
            reply_code = reply_code if reply_code is not None else first.code
            status = status if status is not None else first.status
    if reply_code is not None:
        reply_code = normalise(reply_code).strip()
    info = status_meaning(status, known) if status is not None else None
    if (info is not None and info.status_class.code is StatusClass.SUCCESS) or (
        reply_code is not None and reply_code[:1] in {"2", "3"}
    ):
        return ()
    causes: dict[CauseCode, None] = {}
    for match in match_rejection(text, entries, status=status):
        for cause in match.entry.causes:
            causes.setdefault(cause, None)
    if info is not None:
        if info.detail is not None:
            for cause in info.detail.causes:
                causes.setdefault(cause, None)
        for cause in info.subject.causes:
            causes.setdefault(cause, None)
    reply = known.replies.get(reply_code) if reply_code is not None else None
    if reply is not None:
        for cause in reply.causes:
            causes.setdefault(cause, None)
    return tuple(causes)


__all__ = [
    "NOT_PROVIDER_FILES",
    "REJECTIONS_FILE",
    "STATUS_FILE",
    "ClassEntry",
    "Confirmation",
    "DetailEntry",
    "MatchBasis",
    "Rejection",
    "RejectionMatch",
    "ReplyCodeEntry",
    "SmtpDataError",
    "SmtpReply",
    "StatusClass",
    "StatusInfo",
    "StatusTable",
    "SubjectEntry",
    "classify_reply",
    "find_replies",
    "load_rejections",
    "load_status_table",
    "match_rejection",
    "normalise",
    "parse_rejection",
    "parse_rejections",
    "parse_status_table",
    "reply_meaning",
    "status_meaning",
]
