"""MTA-STS and TLS-RPT: does the domain ask senders to insist on TLS to its MX, and where do
they report TLS failures?

Follows RFC 8461 (MTA-STS): the ``_mta-sts`` TXT record (section 3.1), the policy file at
``https://mta-sts.<domain>/.well-known/mta-sts.txt`` (section 3.2) fetched as section 3.3 says
(a certificate valid for ``mta-sts.<domain>``, status 200 and ``text/plain`` only, no redirect
followed, at most 64 KiB, a deadline), and MX matching with ``*.`` wildcards of one label
(section 4.1). And RFC 8460 (SMTP TLS Reporting): the ``_smtp._tls`` TXT record (section 3).

Where RFC 8461 says to ignore rather than refuse, so does this module: unknown fields in the
record or the policy are ignored (reported as information), and of a field given twice the
first wins (a warning). Everything else outside the grammars is an error, and a sender then
acts as if the domain had no MTA-STS at all (`StsOutcome`).

The parsers are hand-written: the grammars are a page of ABNF each, and no maintained library
parses them without also fetching through its own HTTP and DNS stack, while here the fetch
must go through maildoctor's own bounded HTTP client (`maildoctor.net.http`) and DnsClient so
that every step is a fact of the report and the lab can stand in for the Internet.
"""

from __future__ import annotations

import datetime as dt
import re
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final, Generic, NamedTuple, TypeVar

from maildoctor.domain.dmarc import decode_txt
from maildoctor.domainname import normalize_domain
from maildoctor.facts import DnsLookup, DnsOutcome
from maildoctor.model import Severity
from maildoctor.net.http import HttpFailure, HttpFetchError, dns_resolver, http_get
from maildoctor.net.resolver import DnsClient

__all__ = [
    "MAX_AGE_LIMIT",
    "MAX_POLICY_BYTES",
    "FetchFailure",
    "MtaStsCheck",
    "MxCoverage",
    "PolicyFetch",
    "StsError",
    "StsMode",
    "StsOutcome",
    "StsPolicy",
    "StsPolicyError",
    "StsProblem",
    "StsProblemCode",
    "StsRecord",
    "StsRecordError",
    "TlsRptCheck",
    "TlsRptError",
    "TlsRptRecord",
    "check_mta_sts",
    "check_sts_policy",
    "check_sts_record",
    "check_tlsrpt",
    "check_tlsrpt_record",
    "fetch_sts_policy",
    "mx_pattern_matches",
    "parse_sts_policy",
    "parse_sts_record",
    "parse_tlsrpt_record",
    "policy_url",
    "suggest_sts_policy",
]

MAX_POLICY_BYTES: Final = 64 * 1024  # RFC 8461 section 3.3: "e.g., 64k"
MAX_AGE_LIMIT: Final = 31557600  # RFC 8461 section 3.2: about a year
SHORT_MAX_AGE: Final = 86400  # below a day a policy protects little between fetches
SUGGESTED_MAX_AGE: Final = 604800  # a week
DEFAULT_TIMEOUT: Final = 10.0

_WSP = " \t"
_EXT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
_EXT_VALUE = re.compile(r"^[\x21-\x3a\x3c\x3e-\x7e]+$")
_STS_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_FIELD_DELIM = re.compile(r"[ \t]*;[ \t]*")

_R = TypeVar("_R")
_R_co = TypeVar("_R_co", covariant=True)


class StsMode(StrEnum):
    ENFORCE = "enforce"
    TESTING = "testing"
    NONE = "none"


class StsProblemCode(StrEnum):
    # the _mta-sts record (errors: senders then ignore MTA-STS)
    SPF_RECORD_AT_STS = "spf_record_at_sts"
    RECORD_VERSION = "record_version"  # does not start with v=STSv1
    RECORD_SYNTAX = "record_syntax"
    RECORD_MISSING_ID = "record_missing_id"
    RECORD_BAD_ID = "record_bad_id"  # id= is not 1 to 32 letters and digits
    MULTIPLE_RECORDS = "multiple_records"
    # fetching the policy (errors)
    POLICY_HOST_NOT_FOUND = "policy_host_not_found"  # mta-sts.<domain> has no address
    POLICY_UNREACHABLE = "policy_unreachable"  # refused, unreachable, timeout
    POLICY_CERTIFICATE = "policy_certificate"  # not valid for mta-sts.<domain>
    POLICY_TLS = "policy_tls"
    POLICY_HTTP_STATUS = "policy_http_status"  # not 200
    POLICY_REDIRECT = "policy_redirect"  # 3xx: never followed
    POLICY_CONTENT_TYPE = "policy_content_type"  # not text/plain
    POLICY_TOO_LARGE = "policy_too_large"  # over 64 KiB
    POLICY_PROTOCOL = "policy_protocol"  # not HTTP/1.x as it should be
    # the policy (errors)
    POLICY_SYNTAX = "policy_syntax"
    POLICY_VERSION = "policy_version"
    POLICY_MODE = "policy_mode"  # missing or not enforce/testing/none
    POLICY_MAX_AGE = "policy_max_age"  # missing, not digits, or over 31557600
    POLICY_MX_MISSING = "policy_mx_missing"  # enforce/testing without mx:
    POLICY_MX_INVALID = "policy_mx_invalid"
    # judgement
    MX_NOT_COVERED = "mx_not_covered"  # an MX host no pattern matches (error under enforce)
    DNS_ERROR = "dns_error"  # the record's lookup failed (warning)
    DUPLICATE_FIELD = "duplicate_field"  # the first wins (warning)
    MAX_AGE_SHORT = "max_age_short"  # under a day (warning)
    BLANK_LINE = "blank_line"  # a blank line inside the policy (warning)
    UNKNOWN_FIELD = "unknown_field"  # ignored (info)
    TESTING_MODE = "testing_mode"  # info
    MODE_NONE = "mode_none"  # the domain is withdrawing its policy (info)
    NO_RECORD = "no_record"  # no MTA-STS (info)
    # TLS-RPT
    TLSRPT_SPF_RECORD = "tlsrpt_spf_record"
    TLSRPT_VERSION = "tlsrpt_version"
    TLSRPT_SYNTAX = "tlsrpt_syntax"
    TLSRPT_MISSING_RUA = "tlsrpt_missing_rua"
    TLSRPT_INVALID_URI = "tlsrpt_invalid_uri"
    TLSRPT_DUPLICATE_FIELD = "tlsrpt_duplicate_field"
    TLSRPT_MULTIPLE_RECORDS = "tlsrpt_multiple_records"
    TLSRPT_NO_RECORD = "tlsrpt_no_record"  # info; a warning when MTA-STS is on (see check_tlsrpt)


_WARNING_CODES: Final = frozenset(
    {
        StsProblemCode.DNS_ERROR,
        StsProblemCode.DUPLICATE_FIELD,
        StsProblemCode.MAX_AGE_SHORT,
        StsProblemCode.BLANK_LINE,
    }
)
_INFO_CODES: Final = frozenset(
    {
        StsProblemCode.UNKNOWN_FIELD,
        StsProblemCode.TESTING_MODE,
        StsProblemCode.MODE_NONE,
        StsProblemCode.NO_RECORD,
        StsProblemCode.TLSRPT_NO_RECORD,
    }
)


def _severity(code: StsProblemCode) -> Severity:
    if code in _WARNING_CODES:
        return Severity.WARNING
    if code in _INFO_CODES:
        return Severity.INFO
    return Severity.ERROR


@dataclass(frozen=True, slots=True)
class StsProblem:
    """One fault or remark, for the lead to turn into a finding."""

    code: StsProblemCode
    severity: Severity
    record: str | None  # the TXT record or the policy text as published
    suggestion: str | None = None  # the record or policy as it should be
    field: str | None = None
    detail: str = ""  # plain English for logs and tests; reports render `code`


class _ProblemsError(ValueError):
    """Carries every error found, the first as the message and `code`: the common base keeps
    the TLS-RPT error apart from StsError (callers catch them apart) without a second copy."""

    def __init__(self, problems: Sequence[StsProblem]) -> None:
        super().__init__(f"{problems[0].code.value}: {problems[0].detail}")
        self.code = problems[0].code
        self.problems = tuple(problems)


class StsError(_ProblemsError):
    """A record or policy a sender must ignore; `problems` holds every error found."""


class StsRecordError(StsError):
    """The _mta-sts TXT record is not valid."""


class StsPolicyError(StsError):
    """The policy file is not valid."""


class TlsRptError(_ProblemsError):
    """The _smtp._tls TXT record is not valid."""


def _add(
    problems: list[StsProblem], code: StsProblemCode, text: str, detail: str, field: str | None = None
) -> None:
    problems.append(StsProblem(code, _severity(code), text, None, field, detail))


def _errors(problems: Sequence[StsProblem]) -> list[StsProblem]:
    return [problem for problem in problems if problem.severity is Severity.ERROR]


def _with_suggestion(problems: Sequence[StsProblem], suggestion: str) -> tuple[StsProblem, ...]:
    """Every problem but the informational ones points at the record or policy as it should be."""
    return tuple(
        replace(problem, suggestion=suggestion if problem.severity is not Severity.INFO else None)
        for problem in problems
    )


# ----------------------------------------------------------------------------------- the record


@dataclass(frozen=True, slots=True)
class StsRecord:
    text: str
    id: str
    extensions: tuple[tuple[str, str], ...] = ()


def _tag_fields(
    text: str, version: str, problems: list[StsProblem], syntax: StsProblemCode
) -> list[tuple[str, str]] | None:
    """The fields after the version of an RFC 8461/8460 TXT record: ``v=X; a=b; c=d;``."""
    parts = _FIELD_DELIM.split(text)
    if parts[0] != version:
        return None
    if parts[-1] == "" and len(parts) > 1:
        parts = parts[:-1]  # one trailing delimiter is allowed
    fields: list[tuple[str, str]] = []
    for part in parts[1:]:
        name, equals, value = part.partition("=")
        if not equals or not _EXT_NAME.match(name):
            _add(problems, syntax, text, f"{part!r} is not a name=value field")
            continue
        fields.append((name, value))
    return fields


class _TxtCodes(NamedTuple):
    """The codes one TXT record gives to what `_scan_txt` finds wrong with it."""

    spf: StsProblemCode  # an SPF record where this one belongs
    version: StsProblemCode  # it does not start with the version
    syntax: StsProblemCode  # a field that is not name=value
    duplicate: StsProblemCode  # a field given twice; a warning when the first valid one counts


_FieldFault = Callable[[str | None], tuple[StsProblemCode, str] | None]


@dataclass(frozen=True, slots=True)
class _TxtRules(Generic[_R_co]):
    """What sets the ``_mta-sts`` record (RFC 8461 section 3.1) and the ``_smtp._tls`` record
    (RFC 8460 section 3) apart. Both are ``v=<version>; name=value; ...`` with one field a
    sender needs and extension fields it ignores, so one scanner (`_scan_txt`) reads both."""

    kind: str  # "an MTA-STS", for the messages
    version: str  # the first field, exactly
    field: str  # the one field the record needs
    field_fault: _FieldFault  # what is wrong with its value (None: the field is not given)
    codes: _TxtCodes
    build: Callable[[str, str, tuple[tuple[str, str], ...]], _R_co]  # text, the field, extensions


def _scan_txt(text: str, rules: _TxtRules[_R]) -> tuple[_R | None, list[StsProblem]]:
    """The record (None when senders must ignore it) and every problem found.

    Of a field given twice the first counts. Where the duplicate is only a warning (RFC 8461:
    all but the first valid id are ignored) a field whose value is refused counts as not given,
    so a later one is read; where it is an error (RFC 8460 has one rua= holding a list, so a
    second is ambiguous) the second is refused whatever the first was.
    """
    problems: list[StsProblem] = []
    if re.match(r"^\s*v\s*=\s*spf1(\s|$)", text, re.IGNORECASE):
        _add(problems, rules.codes.spf, text, f"an SPF record, not {rules.kind} record")
        return None, problems
    fields = _tag_fields(text, rules.version, problems, rules.codes.syntax)
    if fields is None:
        _add(problems, rules.codes.version, text, f"the record must start with {rules.version};", "v")
        return None, problems
    lenient = _severity(rules.codes.duplicate) is not Severity.ERROR
    given: set[str] = set()
    value_of_field: str | None = None
    field_checked = False
    extensions: list[tuple[str, str]] = []
    for name, value in fields:
        if name in given or name == "v":
            detail = f"{name}= is given twice" + ("; the first counts" if lenient else "")
            _add(problems, rules.codes.duplicate, text, detail, name)
            continue
        if not lenient:
            given.add(name)
        if name == rules.field:
            field_checked = True
            fault = rules.field_fault(value)
            if fault is not None:
                _add(problems, fault[0], text, fault[1], name)
                continue
            value_of_field = value
        elif not _EXT_VALUE.match(value):
            _add(problems, rules.codes.syntax, text, f"{name}={value!r}: not a field value", name)
            continue
        else:
            extensions.append((name, value))
            _add(
                problems,
                StsProblemCode.UNKNOWN_FIELD,
                text,
                f"{name}= is not {rules.kind} field; ignored",
                name,
            )
        given.add(name)
    if not field_checked:
        missing = rules.field_fault(None)
        if missing is not None:
            _add(problems, missing[0], text, missing[1], rules.field)
    if _errors(problems) or value_of_field is None:
        return None, problems
    return rules.build(text, value_of_field, tuple(extensions)), problems


def _parsed(scanned: tuple[_R | None, list[StsProblem]], error: type[_ProblemsError]) -> _R:
    """What was scanned, or `error` with every error found when senders must ignore it."""
    value, problems = scanned
    if value is None:
        raise error(_errors(problems))
    return value


def _sts_id_fault(value: str | None) -> tuple[StsProblemCode, str] | None:
    if value is None:
        return StsProblemCode.RECORD_MISSING_ID, "the record needs an id= field"
    if not _STS_ID.match(value):
        return StsProblemCode.RECORD_BAD_ID, f"id={value!r}: 1 to 32 letters and digits"
    return None


_STS_CODES: Final = _TxtCodes(
    spf=StsProblemCode.SPF_RECORD_AT_STS,
    version=StsProblemCode.RECORD_VERSION,
    syntax=StsProblemCode.RECORD_SYNTAX,
    duplicate=StsProblemCode.DUPLICATE_FIELD,  # a warning: the first valid id counts
)
_STS_RULES: Final = _TxtRules("an MTA-STS", "v=STSv1", "id", _sts_id_fault, _STS_CODES, StsRecord)


def parse_sts_record(text: str) -> StsRecord:
    """Parse an ``_mta-sts`` TXT record (RFC 8461 section 3.1); StsRecordError when invalid."""
    return _parsed(_scan_txt(text, _STS_RULES), StsRecordError)


def _new_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")


def _record_suggestion(domain: str, record_id: str | None = None) -> str:
    return f'_mta-sts.{domain or "<domain>"} TXT "v=STSv1; id={record_id or _new_id()}"'


def check_sts_record(text: str, domain: str = "") -> tuple[StsRecord | None, tuple[StsProblem, ...]]:
    """The record parsed (None when invalid) and every problem, with a suggested record."""
    record, problems = _scan_txt(text, _STS_RULES)
    return record, _with_suggestion(
        problems, _record_suggestion(domain, record.id if record is not None else None)
    )


# ----------------------------------------------------------------------------------- the policy


def mx_pattern_matches(pattern: str, host: str) -> bool:
    """RFC 8461 section 4.1: an exact name, or ``*.`` standing for exactly one left-most label."""
    pattern = pattern.lower().rstrip(".")
    host = host.lower().rstrip(".")
    if pattern.startswith("*."):
        first, dot, rest = host.partition(".")
        return bool(first) and bool(dot) and rest == pattern[2:]
    return host == pattern


@dataclass(frozen=True, slots=True)
class StsPolicy:
    text: str
    version: str
    mode: StsMode
    max_age: int
    mx: tuple[str, ...]
    extensions: tuple[tuple[str, str], ...] = ()

    def match(self, host: str) -> str | None:
        """The first mx pattern that covers `host`, or None."""
        return next((pattern for pattern in self.mx if mx_pattern_matches(pattern, host)), None)


def _valid_mx_pattern(value: str) -> bool:
    name = value[2:] if value.startswith("*.") else value
    labels = name.split(".")
    return len(labels) >= 2 and all(_LABEL.match(label) for label in labels)


def _scan_policy(text: str) -> tuple[StsPolicy | None, list[StsProblem]]:
    problems: list[StsProblem] = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the optional final line end
    values: dict[str, str] = {}
    mx: list[str] = []
    extensions: list[tuple[str, str]] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.removesuffix("\r")
        if not line.strip(_WSP):
            _add(problems, StsProblemCode.BLANK_LINE, text, f"line {number} is blank")
            continue
        name, colon, value = line.partition(":")
        value = value.strip(_WSP)
        if not colon or not _EXT_NAME.match(name):
            _add(
                problems,
                StsProblemCode.POLICY_SYNTAX,
                text,
                f"line {number} is not 'name: value': {line[:60]!r}",
            )
            continue
        if not value or any((ord(char) < 0x21 and char not in _WSP) or ord(char) == 0x7F for char in value):
            _add(
                problems,
                StsProblemCode.POLICY_SYNTAX,
                text,
                f"line {number}: {name} has no usable value",
                name,
            )
            continue
        if name == "mx":
            if _valid_mx_pattern(value):
                mx.append(value)
            else:
                _add(problems, StsProblemCode.POLICY_MX_INVALID, text, f"line {number}: mx {value!r}", "mx")
            continue
        if name in values:
            _add(
                problems,
                StsProblemCode.DUPLICATE_FIELD,
                text,
                f"{name} is given twice; the first counts",
                name,
            )
            continue
        values[name] = value
        if name not in ("version", "mode", "max_age"):
            extensions.append((name, value))
            _add(problems, StsProblemCode.UNKNOWN_FIELD, text, f"{name} is not a policy field; ignored", name)
    version = values.get("version")
    if version is None:
        _add(problems, StsProblemCode.POLICY_VERSION, text, "no version: STSv1 line", "version")
    elif version != "STSv1":
        _add(problems, StsProblemCode.POLICY_VERSION, text, f"version {version!r} is not STSv1", "version")
    modes = {mode.value: mode for mode in StsMode}
    mode = modes.get(values.get("mode", ""))
    if mode is None:
        given = values.get("mode")
        _add(
            problems,
            StsProblemCode.POLICY_MODE,
            text,
            "no mode line" if given is None else f"mode {given!r} is not enforce, testing or none",
            "mode",
        )
    max_age_text = values.get("max_age")
    max_age = None
    if max_age_text is None:
        _add(problems, StsProblemCode.POLICY_MAX_AGE, text, "no max_age line", "max_age")
    elif not (max_age_text.isascii() and max_age_text.isdigit() and len(max_age_text) <= 10):
        _add(
            problems,
            StsProblemCode.POLICY_MAX_AGE,
            text,
            f"max_age {max_age_text!r} is not seconds",
            "max_age",
        )
    elif int(max_age_text) > MAX_AGE_LIMIT:
        _add(
            problems,
            StsProblemCode.POLICY_MAX_AGE,
            text,
            f"max_age {max_age_text} > {MAX_AGE_LIMIT}",
            "max_age",
        )
    else:
        max_age = int(max_age_text)
    if (
        mode in (StsMode.ENFORCE, StsMode.TESTING)
        and not mx
        and not any(problem.code is StsProblemCode.POLICY_MX_INVALID for problem in problems)
    ):
        _add(problems, StsProblemCode.POLICY_MX_MISSING, text, f"mode {mode.value} needs mx lines", "mx")
    if _errors(problems) or mode is None or max_age is None or version is None:
        return None, problems
    return StsPolicy(text, version, mode, max_age, tuple(mx), tuple(extensions)), problems


def parse_sts_policy(text: str) -> StsPolicy:
    """Parse a policy file (RFC 8461 section 3.2); StsPolicyError when a sender must ignore it."""
    return _parsed(_scan_policy(text), StsPolicyError)


def suggest_sts_policy(
    mx_hosts: Sequence[str], policy: StsPolicy | None = None, mode: StsMode | None = None
) -> str:
    """A policy as it should be: the mode kept (testing for a new one), every MX host covered
    (the present patterns kept), max_age kept or a week."""
    patterns = list(policy.mx) if policy is not None else []
    for host in mx_hosts:
        name = host.lower().rstrip(".")
        if name and not any(mx_pattern_matches(pattern, name) for pattern in patterns):
            patterns.append(name)
    chosen = mode or (
        policy.mode if policy is not None and policy.mode is not StsMode.NONE else StsMode.TESTING
    )
    max_age = policy.max_age if policy is not None and policy.max_age >= SHORT_MAX_AGE else SUGGESTED_MAX_AGE
    lines = ["version: STSv1", f"mode: {chosen.value}", *(f"mx: {pattern}" for pattern in patterns)]
    return "\r\n".join([*lines, f"max_age: {max_age}", ""])


def check_sts_policy(
    text: str, mx_hosts: Sequence[str] = ()
) -> tuple[StsPolicy | None, tuple[StsProblem, ...]]:
    """The policy parsed (None when invalid) and every problem, the MX hosts checked against it."""
    policy, problems = _scan_policy(text)
    if policy is not None:
        if policy.mode is StsMode.TESTING:
            _add(
                problems,
                StsProblemCode.TESTING_MODE,
                text,
                "mode testing: failures are only reported",
                "mode",
            )
        elif policy.mode is StsMode.NONE:
            _add(problems, StsProblemCode.MODE_NONE, text, "mode none: the policy is being withdrawn", "mode")
        if policy.max_age < SHORT_MAX_AGE:
            _add(
                problems,
                StsProblemCode.MAX_AGE_SHORT,
                text,
                f"max_age {policy.max_age} is under a day",
                "max_age",
            )
        if policy.mode is not StsMode.NONE:
            for host in mx_hosts:
                if host and policy.match(host) is None:
                    code = StsProblemCode.MX_NOT_COVERED
                    severity = Severity.ERROR if policy.mode is StsMode.ENFORCE else Severity.WARNING
                    problems.append(
                        StsProblem(code, severity, text, None, "mx", f"MX {host} matches no mx line")
                    )
    return policy, _with_suggestion(problems, suggest_sts_policy(mx_hosts, policy))


# --------------------------------------------------------------------------------------- fetching


class FetchFailure(StrEnum):
    HOST_NOT_FOUND = "host-not-found"
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    CERTIFICATE = "certificate"
    TLS = "tls"
    HTTP_STATUS = "http-status"
    REDIRECT = "redirect"
    CONTENT_TYPE = "content-type"
    TOO_LARGE = "too-large"
    PROTOCOL = "protocol"


_FAILURES: Final[Mapping[HttpFailure, FetchFailure]] = {
    HttpFailure.BAD_URL: FetchFailure.PROTOCOL,
    HttpFailure.DNS: FetchFailure.HOST_NOT_FOUND,
    HttpFailure.REFUSED: FetchFailure.UNREACHABLE,
    HttpFailure.TIMEOUT: FetchFailure.TIMEOUT,
    HttpFailure.UNREACHABLE: FetchFailure.UNREACHABLE,
    HttpFailure.CONNECT: FetchFailure.UNREACHABLE,
    HttpFailure.CERTIFICATE: FetchFailure.CERTIFICATE,
    HttpFailure.TLS: FetchFailure.TLS,
    HttpFailure.PROTOCOL: FetchFailure.PROTOCOL,
    HttpFailure.TOO_LARGE: FetchFailure.TOO_LARGE,
    HttpFailure.TOO_MANY_REDIRECTS: FetchFailure.REDIRECT,
    HttpFailure.BAD_REDIRECT: FetchFailure.REDIRECT,
}
_FAILURE_CODES: Final[Mapping[FetchFailure, StsProblemCode]] = {
    FetchFailure.HOST_NOT_FOUND: StsProblemCode.POLICY_HOST_NOT_FOUND,
    FetchFailure.UNREACHABLE: StsProblemCode.POLICY_UNREACHABLE,
    FetchFailure.TIMEOUT: StsProblemCode.POLICY_UNREACHABLE,
    FetchFailure.CERTIFICATE: StsProblemCode.POLICY_CERTIFICATE,
    FetchFailure.TLS: StsProblemCode.POLICY_TLS,
    FetchFailure.HTTP_STATUS: StsProblemCode.POLICY_HTTP_STATUS,
    FetchFailure.REDIRECT: StsProblemCode.POLICY_REDIRECT,
    FetchFailure.CONTENT_TYPE: StsProblemCode.POLICY_CONTENT_TYPE,
    FetchFailure.TOO_LARGE: StsProblemCode.POLICY_TOO_LARGE,
    FetchFailure.PROTOCOL: StsProblemCode.POLICY_PROTOCOL,
}


@dataclass(frozen=True, slots=True)
class PolicyFetch:
    url: str
    failure: FetchFailure | None = None
    detail: str = ""
    status: int | None = None
    content_type: str | None = None
    body: str | None = None  # the policy text, when the fetch succeeded

    @property
    def ok(self) -> bool:
        return self.failure is None and self.body is not None


def policy_url(domain: str) -> str:
    return f"https://mta-sts.{normalize_domain(domain)}/.well-known/mta-sts.txt"


async def fetch_sts_policy(
    domain: str,
    *,
    dns: DnsClient,
    ssl_context: ssl.SSLContext | None = None,
    port_override: Mapping[str, int] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    lifetime: float = 5.0,
) -> PolicyFetch:
    """GET the policy as RFC 8461 section 3.3 says; never raises for what the network does.

    ssl_context: None is the system's trust store (the lab CA in tests); port_override points
    https at another port (the lab's nginx).
    """
    url = policy_url(domain)
    try:
        result = await http_get(
            url,
            resolver=dns_resolver(dns, lifetime),
            ssl_context=ssl_context,
            port_override=port_override,
            timeout=timeout,
            max_body=MAX_POLICY_BYTES,
            max_redirects=0,
        )
    except HttpFetchError as exc:
        return PolicyFetch(url, _FAILURES[exc.failure], exc.detail or exc.failure.value)
    content_type = result.header("content-type")
    if result.status != 200:
        return PolicyFetch(
            url, FetchFailure.HTTP_STATUS, f"HTTP {result.status}", result.status, content_type
        )
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type != "text/plain":
        detail = f"Content-Type: {content_type or '(none)'}"
        return PolicyFetch(url, FetchFailure.CONTENT_TYPE, detail, result.status, content_type)
    try:
        body = result.body.decode("utf-8")
    except UnicodeDecodeError:
        return PolicyFetch(url, FetchFailure.PROTOCOL, "the policy is not UTF-8", result.status, content_type)
    return PolicyFetch(url, None, "", result.status, content_type, body)


# ---------------------------------------------------------------------------------- the whole check


class StsOutcome(StrEnum):
    """What a sending MTA concludes (RFC 8461 sections 3 and 5)."""

    NO_RECORD = "no-record"  # no _mta-sts record: no MTA-STS
    RECORD_INVALID = "record-invalid"  # no valid record (or several): no MTA-STS
    DNS_ERROR = "dns-error"  # the record could not be looked up
    POLICY_UNAVAILABLE = "policy-unavailable"  # the HTTPS fetch failed
    POLICY_INVALID = "policy-invalid"  # fetched, but not a valid policy
    VALID = "valid"  # a valid policy; see its mode

    @property
    def has_policy(self) -> bool:
        return self is StsOutcome.VALID


@dataclass(frozen=True, slots=True)
class MxCoverage:
    host: str
    pattern: str | None  # the mx line that covers it, None when none does


@dataclass(frozen=True, slots=True)
class MtaStsCheck:
    domain: str
    outcome: StsOutcome
    lookup: DnsLookup
    records: tuple[str, ...]  # the TXT strings at _mta-sts
    record: StsRecord | None
    fetch: PolicyFetch | None
    policy: StsPolicy | None
    mx_hosts: tuple[str, ...]
    coverage: tuple[MxCoverage, ...]
    problems: tuple[StsProblem, ...]

    @property
    def mode(self) -> StsMode | None:
        return self.policy.mode if self.policy is not None and self.outcome is StsOutcome.VALID else None

    @property
    def enforced(self) -> bool:
        """Senders must use verified TLS to the MX hosts (a valid policy in enforce mode)."""
        return self.mode is StsMode.ENFORCE


_TEMPORARY: Final = frozenset({DnsOutcome.SERVFAIL, DnsOutcome.TIMEOUT, DnsOutcome.REFUSED, DnsOutcome.ERROR})


async def _mx_hosts(dns: DnsClient, domain: str, lifetime: float) -> tuple[str, ...]:
    lookup = await dns.lookup(domain, "MX", lifetime)
    if lookup.outcome is not DnsOutcome.OK:
        return ()
    hosts = (answer.split()[-1].rstrip(".").lower() for answer in lookup.answers if answer.split())
    return tuple(dict.fromkeys(host for host in hosts if host))


async def check_mta_sts(
    domain: str,
    *,
    dns: DnsClient,
    ssl_context: ssl.SSLContext | None = None,
    port_override: Mapping[str, int] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    lifetime: float = 5.0,
    mx_hosts: Sequence[str] | None = None,
) -> MtaStsCheck:
    """The domain's MTA-STS as a sender sees it: record, policy fetch, policy, MX coverage.

    mx_hosts: the domain's MX host names when the caller has them (else they are looked up).
    Never raises for DNS or HTTP: the outcome and the problems say what happened.
    """
    name = normalize_domain(domain)
    lookup = await dns.lookup(f"_mta-sts.{name}", "TXT", lifetime)
    texts = tuple(decode_txt(answer) for answer in lookup.answers) if lookup.outcome is DnsOutcome.OK else ()

    def done(
        outcome: StsOutcome,
        problems: Sequence[StsProblem],
        record: StsRecord | None = None,
        fetch: PolicyFetch | None = None,
        policy: StsPolicy | None = None,
        hosts: tuple[str, ...] = (),
        coverage: tuple[MxCoverage, ...] = (),
    ) -> MtaStsCheck:
        return MtaStsCheck(
            name, outcome, lookup, texts, record, fetch, policy, hosts, coverage, tuple(problems)
        )

    if lookup.outcome in _TEMPORARY:
        detail = f"_mta-sts.{name}: {lookup.outcome.value} {lookup.detail}".strip()
        return done(
            StsOutcome.DNS_ERROR,
            [StsProblem(StsProblemCode.DNS_ERROR, Severity.WARNING, None, detail=detail)],
        )
    if not texts:
        detail = f"no TXT record at _mta-sts.{name}"
        return done(
            StsOutcome.NO_RECORD, [StsProblem(StsProblemCode.NO_RECORD, Severity.INFO, None, detail=detail)]
        )
    # RFC 8461 section 3.1: records not starting with v=STSv1 are discarded; exactly one must remain
    candidates = [text for text in texts if re.match(r"^v=STSv1[ \t]*;", text)]
    if len(candidates) > 1:
        problem = StsProblem(
            StsProblemCode.MULTIPLE_RECORDS,
            Severity.ERROR,
            " | ".join(candidates),
            _record_suggestion(name),
            detail=f"{len(candidates)} MTA-STS records: senders use none",
        )
        return done(StsOutcome.RECORD_INVALID, [problem])
    record, record_problems = check_sts_record(candidates[0] if candidates else texts[0], name)
    problems = list(record_problems)
    if record is None:
        return done(StsOutcome.RECORD_INVALID, problems)

    fetch = await fetch_sts_policy(
        name,
        dns=dns,
        ssl_context=ssl_context,
        port_override=port_override,
        timeout=timeout,
        lifetime=lifetime,
    )
    hosts = tuple(mx_hosts) if mx_hosts is not None else await _mx_hosts(dns, name, lifetime)
    hosts = tuple(host.lower().rstrip(".") for host in hosts if host.strip("."))
    if not fetch.ok or fetch.body is None:
        failure = fetch.failure or FetchFailure.PROTOCOL
        problems.append(
            StsProblem(
                _FAILURE_CODES[failure],
                Severity.ERROR,
                record.text,
                suggest_sts_policy(hosts),
                detail=f"{fetch.url}: {fetch.detail}",
            )
        )
        return done(StsOutcome.POLICY_UNAVAILABLE, problems, record, fetch, hosts=hosts)
    policy, policy_problems = check_sts_policy(fetch.body, hosts)
    problems += policy_problems
    if policy is None:
        return done(StsOutcome.POLICY_INVALID, problems, record, fetch, hosts=hosts)
    coverage = tuple(MxCoverage(host, policy.match(host)) for host in hosts)
    return done(StsOutcome.VALID, problems, record, fetch, policy, hosts, coverage)


# ----------------------------------------------------------------------------------------- TLS-RPT


@dataclass(frozen=True, slots=True)
class TlsRptRecord:
    text: str
    rua: tuple[str, ...]  # mailto: and https: URIs
    extensions: tuple[tuple[str, str], ...] = ()


def _valid_report_uri(uri: str) -> bool:
    """RFC 8460 section 3: a mailto: address or an https: URL."""
    if any(ord(char) <= 0x20 or ord(char) >= 0x7F or char in ",;" for char in uri):
        return False
    scheme, colon, rest = uri.partition(":")
    if not colon:
        return False
    if scheme.lower() == "mailto":
        local, at, host = rest.split("?", 1)[0].rpartition("@")
        return bool(at and local) and _valid_mx_pattern(host)
    if scheme.lower() == "https":
        match = re.match(r"^//([^/?#@]*@)?([^/?#:]+)(:[0-9]+)?([/?#]|$)", rest)
        return bool(match) and _valid_mx_pattern(match.group(2) if match else "")
    return False


def _rua_uris(value: str) -> tuple[str, ...]:
    return tuple(uri.strip(_WSP) for uri in value.split(","))


def _rua_fault(value: str | None) -> tuple[StsProblemCode, str] | None:
    if value is None:
        return StsProblemCode.TLSRPT_MISSING_RUA, "the record needs rua="
    bad = [uri for uri in _rua_uris(value) if not _valid_report_uri(uri)]
    return (
        (StsProblemCode.TLSRPT_INVALID_URI, f"rua {bad[0]!r}: a mailto: address or an https: URL")
        if bad
        else None
    )


def _tlsrpt_record(text: str, rua: str, extensions: tuple[tuple[str, str], ...]) -> TlsRptRecord:
    return TlsRptRecord(text, _rua_uris(rua), extensions)


# a duplicate is an error: RFC 8460 gives one rua= with a comma-separated list, two are ambiguous
_TLSRPT_CODES: Final = _TxtCodes(
    StsProblemCode.TLSRPT_SPF_RECORD,
    StsProblemCode.TLSRPT_VERSION,
    StsProblemCode.TLSRPT_SYNTAX,
    StsProblemCode.TLSRPT_DUPLICATE_FIELD,
)
_TLSRPT_RULES = _TxtRules("a TLS-RPT", "v=TLSRPTv1", "rua", _rua_fault, _TLSRPT_CODES, _tlsrpt_record)


def parse_tlsrpt_record(text: str) -> TlsRptRecord:
    """Parse an ``_smtp._tls`` TXT record (RFC 8460 section 3); TlsRptError when invalid."""
    return _parsed(_scan_txt(text, _TLSRPT_RULES), TlsRptError)


def _tlsrpt_suggestion(domain: str, record: TlsRptRecord | None = None) -> str:
    rua = ",".join(record.rua) if record is not None else f"mailto:tls-reports@{domain or '<domain>'}"
    return f'_smtp._tls.{domain or "<domain>"} TXT "v=TLSRPTv1; rua={rua}"'


def check_tlsrpt_record(text: str, domain: str = "") -> tuple[TlsRptRecord | None, tuple[StsProblem, ...]]:
    record, problems = _scan_txt(text, _TLSRPT_RULES)
    return record, _with_suggestion(problems, _tlsrpt_suggestion(domain, record))


@dataclass(frozen=True, slots=True)
class TlsRptCheck:
    domain: str
    lookup: DnsLookup
    records: tuple[str, ...]
    record: TlsRptRecord | None
    problems: tuple[StsProblem, ...]


async def check_tlsrpt(
    domain: str, *, dns: DnsClient, lifetime: float = 5.0, mta_sts_enabled: bool = False
) -> TlsRptCheck:
    """The ``_smtp._tls`` record (RFC 8460 section 3): records not starting with v=TLSRPTv1 are
    discarded and exactly one must remain. mta_sts_enabled: a missing record is then a warning
    (failures of the enforced TLS would go unreported), else information."""
    name = normalize_domain(domain)
    lookup = await dns.lookup(f"_smtp._tls.{name}", "TXT", lifetime)
    texts = tuple(decode_txt(answer) for answer in lookup.answers) if lookup.outcome is DnsOutcome.OK else ()
    if lookup.outcome in _TEMPORARY:
        detail = f"_smtp._tls.{name}: {lookup.outcome.value} {lookup.detail}".strip()
        return TlsRptCheck(
            name,
            lookup,
            texts,
            None,
            (StsProblem(StsProblemCode.DNS_ERROR, Severity.WARNING, None, detail=detail),),
        )
    candidates = [text for text in texts if re.match(r"^v=TLSRPTv1[ \t]*;", text)]
    if not texts:
        problem = StsProblem(
            StsProblemCode.TLSRPT_NO_RECORD,
            Severity.WARNING if mta_sts_enabled else Severity.INFO,
            None,
            _tlsrpt_suggestion(name),
            detail=f"no TXT record at _smtp._tls.{name}",
        )
        return TlsRptCheck(name, lookup, texts, None, (problem,))
    if len(candidates) > 1:
        problem = StsProblem(
            StsProblemCode.TLSRPT_MULTIPLE_RECORDS,
            Severity.ERROR,
            " | ".join(candidates),
            _tlsrpt_suggestion(name),
            detail=f"{len(candidates)} TLS-RPT records: senders use none",
        )
        return TlsRptCheck(name, lookup, texts, None, (problem,))
    record, problems = check_tlsrpt_record(candidates[0] if candidates else texts[0], name)
    return TlsRptCheck(name, lookup, texts, record, problems)
