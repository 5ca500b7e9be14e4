"""DMARC: the record at ``_dmarc.<domain>``, the organizational domain, alignment, and what receivers do.

Follows RFC 7489 (DMARC) and its revision DMARCbis (published as RFC 9989: the tags ``np``, ``t``
and ``psd``, and the removal of ``pct``, ``rf`` and ``ri``), with the tag-list syntax of RFC 6376
section 3.2, which DMARC borrows. The organizational domain comes from the Public Suffix List
(RFC 7489 section 3.2; the `publicsuffixlist` package ships the list, nothing is downloaded), as
receivers that follow RFC 7489 find it. RFC 9989 replaces the list by a DNS tree walk (its
section 4.10); that walk is here too, as pure functions over the answers (`tree_walk_names`,
`tree_walk_policy_domain`, `tree_walk_organizational_domain`). For an ordinary domain both give
the same record; they differ only where a domain between the author's and its organizational
domain publishes one, or a public suffix operator publishes ``psd=y``.

The record parser is hand-written on purpose: the Python libraries that parse DMARC either only
raise on the first fault or look things up in DNS as they parse, while a diagnosis needs every
fault of the record as typed data (a code, the record as it is, a record as it should be) and
must stay pure. Lookups happen through a `TxtLookup` the caller passes in (see `discover_dmarc`),
so this module never touches the network itself.

Strictness follows the RFCs: a record that does not start with ``v=DMARC1``, a tag without
``=``, a tag given twice (RFC 6376: the whole tag-list is then invalid), a value outside a
known tag's grammar and a report URI that is not a URI are errors (`parse_dmarc_record` raises
a `DmarcError` subclass); unknown tags are ignored (RFC 7489 section 6.3), and the tags DMARCbis
removed are kept but not held against the record when their values are odd, since DMARCbis
receivers ignore them.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from publicsuffixlist import PublicSuffixList

from maildoctor.domain.suffixes import public_suffix_list
from maildoctor.domainname import normalize_domain
from maildoctor.facts import DnsLookup, DnsOutcome
from maildoctor.i18n import N_
from maildoctor.model import Severity

__all__ = [
    "RECEIVER_TEXTS",
    "Alignment",
    "AlignmentResult",
    "DmarcCheck",
    "DmarcDiscovery",
    "DmarcError",
    "DmarcProblem",
    "DmarcProblemCode",
    "DmarcRecord",
    "DmarcReportUriError",
    "DmarcSyntaxError",
    "DmarcTagError",
    "DmarcTagValueError",
    "NotDmarcRecordError",
    "Policy",
    "ReceiverTreatment",
    "ReportUri",
    "TxtLookup",
    "check_alignment",
    "check_dmarc_record",
    "decode_txt",
    "discover_dmarc",
    "domains_aligned",
    "is_public_suffix",
    "organizational_domain",
    "parse_dmarc_record",
    "parse_report_uri",
    "receiver_treatment",
    "suggest_dmarc_record",
    "tree_walk_names",
    "tree_walk_organizational_domain",
    "tree_walk_policy_domain",
]

# A TXT lookup: name -> the DnsLookup (answers in DNS presentation form, as DnsClient gives them).
TxtLookup = Callable[[str], Awaitable[DnsLookup]]

DEFAULT_REPORT_LOCAL_PART: Final = "dmarc-reports"


class Policy(StrEnum):
    NONE = "none"
    QUARANTINE = "quarantine"
    REJECT = "reject"


class Alignment(StrEnum):
    RELAXED = "r"
    STRICT = "s"


class DmarcProblemCode(StrEnum):
    # the record is broken: receivers ignore it (errors)
    NOT_DMARC_RECORD = "not_dmarc_record"  # does not start with v=DMARC1
    SPF_RECORD_AT_DMARC = "spf_record_at_dmarc"  # an SPF record was put at _dmarc
    SYNTAX = "syntax"  # not a tag-list: a tag without "=", a bad tag name or character
    DUPLICATE_TAG = "duplicate_tag"
    INVALID_TAG_VALUE = "invalid_tag_value"
    INVALID_REPORT_URI = "invalid_report_uri"
    MULTIPLE_RECORDS = "multiple_records"  # receivers then act as if there were none
    # the record works but something should change (warnings)
    NO_RECORD = "no_record"
    MISSING_POLICY = "missing_policy"  # no p=: read as p=none
    NO_REPORT_ADDRESS = "no_report_address"  # no rua=: nobody sees what fails
    SUBDOMAIN_POLICY_WEAKER = "subdomain_policy_weaker"  # sp=none under p=quarantine/reject
    PARTIAL_POLICY = "partial_policy"  # pct below 100
    UNKNOWN_TAG = "unknown_tag"
    NON_MAILTO_REPORT_URI = "non_mailto_report_uri"  # receivers need only support mailto:
    EXTERNAL_REPORT_UNVERIFIED = "external_report_unverified"  # RFC 7489 7.1 record missing
    DNS_ERROR = "dns_error"  # the lookup failed: nothing can be said
    # for information
    POLICY_NONE = "policy_none"  # monitoring only
    TESTING_MODE = "testing_mode"  # t=y (DMARCbis)
    REMOVED_TAG = "removed_tag"  # pct, rf, ri: removed by DMARCbis
    POLICY_NOT_SECOND = "policy_not_second"  # p= is not right after v= (RFC 7489's grammar order)
    INHERITED = "inherited"  # the record of the organizational domain applies


_ERROR_CODES: Final = frozenset(
    {
        DmarcProblemCode.NOT_DMARC_RECORD,
        DmarcProblemCode.SPF_RECORD_AT_DMARC,
        DmarcProblemCode.SYNTAX,
        DmarcProblemCode.DUPLICATE_TAG,
        DmarcProblemCode.INVALID_TAG_VALUE,
        DmarcProblemCode.INVALID_REPORT_URI,
        DmarcProblemCode.MULTIPLE_RECORDS,
    }
)
_INFO_CODES: Final = frozenset(
    {
        DmarcProblemCode.POLICY_NONE,
        DmarcProblemCode.TESTING_MODE,
        DmarcProblemCode.REMOVED_TAG,
        DmarcProblemCode.POLICY_NOT_SECOND,
        DmarcProblemCode.INHERITED,
    }
)


def _severity(code: DmarcProblemCode) -> Severity:
    if code in _ERROR_CODES:
        return Severity.ERROR
    if code in _INFO_CODES:
        return Severity.INFO
    return Severity.WARNING


@dataclass(frozen=True, slots=True)
class DmarcProblem:
    """One fault or remark: what the lead turns into a finding (DMARC_FAIL for errors)."""

    code: DmarcProblemCode
    severity: Severity
    record: str | None  # the record as published (None when there is none)
    suggestion: str | None = None  # a record as it should be, when one follows
    tag: str | None = None  # the tag at fault
    value: str | None = None  # its value as written
    detail: str = ""  # plain English for logs and tests; reports render `code`


class DmarcError(ValueError):
    """A DMARC record that receivers cannot use; `problems` holds every error found, first first."""

    def __init__(self, problems: Sequence[DmarcProblem]) -> None:
        first = problems[0]
        super().__init__(f"{first.code.value}: {first.detail}")
        self.code = first.code
        self.problems = tuple(problems)


class DmarcSyntaxError(DmarcError):
    """Not a tag-list, or not a DMARC record at all."""


class NotDmarcRecordError(DmarcSyntaxError):
    """The text does not start with v=DMARC1 (an SPF record at _dmarc, for example)."""


class DmarcTagError(DmarcError):
    """A tag given twice."""


class DmarcTagValueError(DmarcError):
    """A known tag with a value outside its grammar."""


class DmarcReportUriError(DmarcTagValueError):
    """A rua= or ruf= entry that is not a usable URI."""


_ERROR_CLASSES: Final[Mapping[DmarcProblemCode, type[DmarcError]]] = {
    DmarcProblemCode.NOT_DMARC_RECORD: NotDmarcRecordError,
    DmarcProblemCode.SPF_RECORD_AT_DMARC: NotDmarcRecordError,
    DmarcProblemCode.SYNTAX: DmarcSyntaxError,
    DmarcProblemCode.DUPLICATE_TAG: DmarcTagError,
    DmarcProblemCode.INVALID_TAG_VALUE: DmarcTagValueError,
    DmarcProblemCode.INVALID_REPORT_URI: DmarcReportUriError,
    DmarcProblemCode.MULTIPLE_RECORDS: DmarcError,
}


@dataclass(frozen=True, slots=True)
class ReportUri:
    """One entry of rua= or ruf=: ``mailto:dmarc@example.jp!10m``."""

    uri: str  # the URI without the size limit
    scheme: str  # lower case
    address: str  # the mail address of a mailto: URI (percent-decoding left alone); else the URI
    size_limit: int | None = None  # in bytes
    text: str = ""  # the entry as written

    @property
    def domain(self) -> str | None:
        """The domain the reports go to (of the address, or of the URL's host)."""
        if self.scheme == "mailto":
            return normalize_domain(self.address.rpartition("@")[2]) or None
        match = re.match(r"^[a-z][a-z0-9+.-]*://([^/?#:@]*@)?([^/?#:]+)", self.uri, re.IGNORECASE)
        return normalize_domain(match.group(2)) if match else None


@dataclass(frozen=True, slots=True)
class DmarcRecord:
    text: str
    policy: Policy  # p=; Policy.NONE when the tag is missing (DMARCbis; RFC 7489 acts so too)
    policy_explicit: bool
    subdomain_policy: Policy | None = None  # sp= as written
    nonexistent_policy: Policy | None = None  # np= as written (DMARCbis)
    adkim: Alignment = Alignment.RELAXED
    aspf: Alignment = Alignment.RELAXED
    pct: int | None = None  # RFC 7489; removed by DMARCbis
    rua: tuple[ReportUri, ...] = ()
    ruf: tuple[ReportUri, ...] = ()
    fo: tuple[str, ...] = ("0",)
    rf: tuple[str, ...] = ()
    ri: int | None = None
    testing: bool = False  # t=y (DMARCbis)
    psd: str = "u"  # y, n or u (DMARCbis)
    tags: tuple[tuple[str, str], ...] = ()  # every tag as written: (lower-case name, value)
    unknown_tags: tuple[str, ...] = ()

    @property
    def effective_subdomain_policy(self) -> Policy:
        return self.subdomain_policy or self.policy

    @property
    def effective_nonexistent_policy(self) -> Policy:
        """np, else sp, else p (DMARCbis section 4.7)."""
        return self.nonexistent_policy or self.subdomain_policy or self.policy

    def tag(self, name: str) -> str | None:
        return next((value for key, value in self.tags if key == name), None)


# ------------------------------------------------------------------------------------------ TXT


def decode_txt(answer: str) -> str:
    """The text of a TXT record from its DNS presentation form (``"v=DMARC1; " "p=none"``).

    The character-strings are joined without a separator (RFC 7489 section 6.6.3, RFC 6376
    section 3.6.2.2); ``\\"``, ``\\\\`` and ``\\DDD`` escapes are undone. Text that is not
    in presentation form (no quotes) is returned as it is.
    """
    text = answer.strip()
    if not text.startswith('"'):
        return text
    out = bytearray()
    index = 0
    inside = False
    while index < len(text):
        char = text[index]
        if char == '"':
            inside = not inside
        elif char == "\\" and index + 1 < len(text):
            following = text[index + 1 : index + 4]
            if following.isdigit() and len(following) == 3:
                out.append(int(following) & 0xFF)
                index += 3
            else:
                out += text[index + 1].encode()
                index += 1
        elif inside:
            out += char.encode()
        index += 1
    return out.decode("utf-8", errors="replace")


# ------------------------------------------------------------------------------------- domains


def _psl(name: str) -> PublicSuffixList:
    return public_suffix_list(name)


def is_public_suffix(domain: str) -> bool:
    name = normalize_domain(domain)
    return bool(name) and _psl(name).is_public(name)


def organizational_domain(domain: str) -> str:
    """The organizational domain by the Public Suffix List (RFC 7489 section 3.2).

    ``mail.example.co.jp`` -> ``example.co.jp``; a public suffix itself (``co.jp``) is its own.
    The whole list is used, its private section too (``foo.blogspot.com`` is an organization).
    """
    name = normalize_domain(domain)
    if not name:
        return name
    private = _psl(name).privatesuffix(name)
    return private if isinstance(private, str) else name


def domains_aligned(from_domain: str, other: str, mode: Alignment = Alignment.RELAXED) -> bool:
    """Identifier alignment (RFC 7489 section 3.1): strict = the same name, relaxed = the same
    organizational domain."""
    left, right = normalize_domain(from_domain), normalize_domain(other)
    if not left or not right:
        return False
    if mode is Alignment.STRICT:
        return left == right
    return organizational_domain(left) == organizational_domain(right)


@dataclass(frozen=True, slots=True)
class AlignmentResult:
    from_domain: str
    spf_domain: str | None
    dkim_domains: tuple[str, ...]
    spf_aligned: bool
    dkim_aligned: tuple[str, ...]  # the DKIM domains that align

    @property
    def passes(self) -> bool:
        """DMARC passes when an aligned identifier passed (the caller gives only passing ones)."""
        return self.spf_aligned or bool(self.dkim_aligned)


def check_alignment(
    from_domain: str,
    record: DmarcRecord | None,
    *,
    spf_domain: str | None = None,
    dkim_domains: Iterable[str] = (),
) -> AlignmentResult:
    """Which passing identifiers align with the From domain under the record's adkim/aspf.

    spf_domain: the domain SPF passed for (the MAIL FROM's, or HELO's when it was empty);
    dkim_domains: the d= of every DKIM signature that verified. Without a record, relaxed.
    """
    aspf = record.aspf if record is not None else Alignment.RELAXED
    adkim = record.adkim if record is not None else Alignment.RELAXED
    dkim = tuple(dkim_domains)
    return AlignmentResult(
        from_domain,
        spf_domain,
        dkim,
        spf_domain is not None and domains_aligned(from_domain, spf_domain, aspf),
        tuple(domain for domain in dkim if domains_aligned(from_domain, domain, adkim)),
    )


# ------------------------------------------------------------------------------------- parsing

_TAG_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_WSP = " \t\r\n"
_POLICIES: Final = {policy.value: policy for policy in Policy}
_SIZE = re.compile(r"^(?P<uri>.*)!(?P<number>[0-9]+)(?P<unit>[kmgtKMGT]?)$", re.DOTALL)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_UNITS: Final = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_KNOWN_TAGS: Final = frozenset({"v", "p", "sp", "np", "adkim", "aspf", "pct", "rua", "ruf", "fo", "rf", "ri"})
_KNOWN_TAGS_BIS: Final = _KNOWN_TAGS | {"t", "psd"}
_REMOVED_TAGS: Final = ("pct", "rf", "ri")
# the order a suggested record writes its tags in
_CANONICAL_ORDER: Final = ("v", "p", "sp", "np", "adkim", "aspf", "t", "psd", "pct", "fo", "rua", "ruf")


def _is_hostname(name: str) -> bool:
    labels = name.lower().rstrip(".").split(".")
    return len(labels) >= 2 and all(_HOST_LABEL.match(label) for label in labels)


def parse_report_uri(text: str) -> ReportUri:
    """One rua=/ruf= entry (RFC 7489 section 6.4: a URI with an optional ``!size``).

    Raises DmarcReportUriError for what is not a URI, a mailto: without an address at a host
    name, or an http(s) URL without a host. Other schemes parse (receivers may ignore them).
    """
    entry = text.strip(_WSP)

    def fail(why: str) -> DmarcReportUriError:
        problem = DmarcProblem(
            DmarcProblemCode.INVALID_REPORT_URI,
            Severity.ERROR,
            None,
            detail=f"{entry!r}: {why}",
            value=entry,
        )
        return DmarcReportUriError([problem])

    uri, size_limit = entry, None
    sized = _SIZE.match(entry)
    if sized:
        uri = sized.group("uri")
        size_limit = int(sized.group("number")) * _UNITS[sized.group("unit").lower()]
    if not uri or not _SCHEME.match(uri):
        raise fail("not a URI (a scheme such as mailto: must come first)")
    if any(ord(char) <= 0x20 or ord(char) >= 0x7F or char in "!," for char in uri):
        raise fail("spaces, commas, '!' and non-ASCII characters must be percent-encoded")
    scheme, _, rest = uri.partition(":")
    scheme = scheme.lower()
    if scheme == "mailto":
        address = rest.split("?", 1)[0]
        local, at, host = address.rpartition("@")
        if not at or not local or not _is_hostname(host):
            raise fail("a mailto: URI needs an address such as dmarc@example.jp")
        return ReportUri(uri, scheme, address, size_limit, entry)
    if scheme in ("http", "https"):
        match = re.match(r"^//([^/?#@]*@)?([^/?#:]+)", rest)
        if not match or not _is_hostname(match.group(2)):
            raise fail("an http(s) URL needs a host name")
    elif rest.count("#") > 1:
        raise fail("more than one '#'")
    return ReportUri(uri, scheme, uri, size_limit, entry)


@dataclass
class _Scan:
    """What one pass over a record found: the usable tags and every problem, in order."""

    text: str
    problems: list[DmarcProblem] = field(default_factory=list)
    tags: list[tuple[str, str]] = field(default_factory=list)  # every tag, as written
    values: dict[str, object] = field(default_factory=dict)  # the tags that parsed, first wins
    unknown: list[str] = field(default_factory=list)
    is_dmarc: bool = False

    def add(
        self, code: DmarcProblemCode, detail: str, tag: str | None = None, value: str | None = None
    ) -> None:
        self.problems.append(DmarcProblem(code, _severity(code), self.text, None, tag, value, detail))

    @property
    def errors(self) -> list[DmarcProblem]:
        return [problem for problem in self.problems if problem.severity is Severity.ERROR]


def _split_tag_list(scan: _Scan) -> list[tuple[str, str]]:
    """RFC 6376 section 3.2's tag-list, whitespace allowed around names, "=" and ";"."""
    pairs: list[tuple[str, str]] = []
    for segment in scan.text.split(";"):
        part = segment.strip(_WSP)
        if not part:
            continue  # a trailing ";" (allowed) or ";;" (harmless)
        name, equals, value = part.partition("=")
        name, value = name.strip(_WSP), value.strip(_WSP)
        if not equals:
            scan.add(DmarcProblemCode.SYNTAX, f"{part!r} has no '='", tag=part)
            continue
        if not _TAG_NAME.match(name):
            scan.add(DmarcProblemCode.SYNTAX, f"{name!r} is not a tag name", tag=name, value=value)
            continue
        if any((ord(char) < 0x20 and char not in _WSP) or ord(char) >= 0x7F for char in value):
            scan.add(
                DmarcProblemCode.SYNTAX,
                f"{name}={value!r} has control or non-ASCII characters",
                tag=name.lower(),
                value=value,
            )
            continue
        pairs.append((name.lower(), value))
    return pairs


def _scan(text: str) -> _Scan:
    scan = _Scan(text)
    stripped = text.strip(_WSP)
    if re.match(r"^v\s*=\s*spf1(\s|$)", stripped, re.IGNORECASE):
        scan.add(DmarcProblemCode.SPF_RECORD_AT_DMARC, "an SPF record, not a DMARC record")
        return scan
    first, _, _ = stripped.partition(";")
    name, equals, version = first.partition("=")
    # the tag name "v" is case-insensitive, the value DMARC1 is not (RFC 7489 section 6.4)
    if not equals or name.strip(_WSP).lower() != "v" or version.strip(_WSP) != "DMARC1":
        scan.add(DmarcProblemCode.NOT_DMARC_RECORD, "the record must start with v=DMARC1")
        return scan
    scan.is_dmarc = True
    pairs = _split_tag_list(scan)
    scan.tags = pairs
    seen: set[str] = set()
    for position, (name, value) in enumerate(pairs):
        if name in seen:
            scan.add(DmarcProblemCode.DUPLICATE_TAG, f"{name}= is given more than once", name, value)
            continue
        seen.add(name)
        if position == 0:
            continue  # v=DMARC1, checked above
        if name not in _KNOWN_TAGS_BIS:
            scan.unknown.append(name)
            scan.add(
                DmarcProblemCode.UNKNOWN_TAG, f"{name}= is not a DMARC tag; receivers ignore it", name, value
            )
            continue
        if name == "v":
            continue  # a second v= is reported as a duplicate above
        _parse_tag(scan, name, value)
    if "p" in seen and pairs[1][0] != "p" and not scan.errors:
        scan.add(DmarcProblemCode.POLICY_NOT_SECOND, "p= should come right after v=DMARC1", "p")
    return scan


def _parse_tag(scan: _Scan, name: str, value: str) -> None:
    lowered = value.lower()

    def invalid(expected: str) -> None:
        scan.add(DmarcProblemCode.INVALID_TAG_VALUE, f"{name}={value!r}: {expected}", name, value)

    def removed_odd(expected: str) -> None:
        scan.add(
            DmarcProblemCode.REMOVED_TAG,
            f"{name}={value!r} is not {expected}; DMARCbis removed {name}= and receivers ignore it",
            name,
            value,
        )

    if name in ("p", "sp", "np"):
        if lowered not in _POLICIES:
            invalid("must be none, quarantine or reject")
            return
        scan.values[name] = _POLICIES[lowered]
    elif name in ("adkim", "aspf"):
        if lowered not in ("r", "s"):
            invalid("must be r (relaxed) or s (strict)")
            return
        scan.values[name] = Alignment(lowered)
    elif name == "fo":
        options = [option.strip(_WSP) for option in lowered.split(":")]
        if not options or any(option not in ("0", "1", "d", "s") for option in options):
            invalid("must be 0, 1, d or s, separated by ':'")
            return
        scan.values[name] = tuple(options)
    elif name in ("t", "psd"):
        allowed = ("y", "n") if name == "t" else ("y", "n", "u")
        if lowered not in allowed:
            invalid(f"must be {' or '.join(allowed)}")
            return
        scan.values[name] = lowered
    elif name in ("rua", "ruf"):
        uris: list[ReportUri] = []
        for entry in value.split(","):
            try:
                uris.append(parse_report_uri(entry))
            except DmarcReportUriError as exc:
                scan.add(DmarcProblemCode.INVALID_REPORT_URI, exc.problems[0].detail, name, value)
                return
        scan.values[name] = tuple(uris)
        for uri in uris:
            if uri.scheme != "mailto":
                scan.add(
                    DmarcProblemCode.NON_MAILTO_REPORT_URI,
                    f"{uri.text}: receivers need only support mailto: addresses",
                    name,
                    value,
                )
    elif name == "pct":
        if not (value.isascii() and value.isdigit() and int(value) <= 100):
            removed_odd("a number from 0 to 100")
            return
        scan.values[name] = int(value)
        scan.add(DmarcProblemCode.REMOVED_TAG, "DMARCbis removed pct=; use t=y for a trial", name, value)
    elif name == "ri":
        if not (value.isascii() and value.isdigit() and int(value) < 2**32):
            removed_odd("a number of seconds")
            return
        scan.values[name] = int(value)
        scan.add(
            DmarcProblemCode.REMOVED_TAG, "DMARCbis removed ri=; receivers send daily reports", name, value
        )
    elif name == "rf":
        formats = tuple(part.strip(_WSP) for part in lowered.split(":"))
        if any(not re.match(r"^[a-z0-9][a-z0-9-]*$", part) for part in formats):
            removed_odd("a list of report formats")
            return
        scan.values[name] = formats
        scan.add(DmarcProblemCode.REMOVED_TAG, "DMARCbis removed rf=", name, value)


def _record_from_scan(scan: _Scan) -> DmarcRecord:
    values = scan.values

    def policy(name: str) -> Policy | None:
        found = values.get(name)
        return found if isinstance(found, Policy) else None

    def alignment(name: str) -> Alignment:
        found = values.get(name)
        return found if isinstance(found, Alignment) else Alignment.RELAXED

    def uris(name: str) -> tuple[ReportUri, ...]:
        found = values.get(name, ())
        return tuple(uri for uri in found if isinstance(uri, ReportUri)) if isinstance(found, tuple) else ()

    def strings(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
        found = values.get(name)
        return tuple(str(item) for item in found) if isinstance(found, tuple) else default

    def number(name: str) -> int | None:
        found = values.get(name)
        return found if isinstance(found, int) else None

    p = policy("p")
    return DmarcRecord(
        text=scan.text,
        policy=p or Policy.NONE,
        policy_explicit=p is not None,
        subdomain_policy=policy("sp"),
        nonexistent_policy=policy("np"),
        adkim=alignment("adkim"),
        aspf=alignment("aspf"),
        pct=number("pct"),
        rua=uris("rua"),
        ruf=uris("ruf"),
        fo=strings("fo", ("0",)),
        rf=strings("rf", ()),
        ri=number("ri"),
        testing=values.get("t") == "y",
        psd=str(values.get("psd", "u")),
        tags=tuple(scan.tags),
        unknown_tags=tuple(scan.unknown),
    )


def parse_dmarc_record(text: str) -> DmarcRecord:
    """Parse one DMARC record strictly; raise a DmarcError subclass for a record receivers
    cannot use (see the module). Warnings do not raise: `check_dmarc_record` lists them."""
    scan = _scan(text)
    errors = scan.errors
    if errors:
        raise _ERROR_CLASSES[errors[0].code](errors)
    return _record_from_scan(scan)


# --------------------------------------------------------------------------------- suggestions


def _default_rua(domain: str) -> str:
    return f"mailto:{DEFAULT_REPORT_LOCAL_PART}@{normalize_domain(domain) or 'example.jp'}"


def suggest_dmarc_record(domain: str, text: str | None = None, *, report_uri: str | None = None) -> str:
    """A record as it should be: the published one with its faults left out, or a first record.

    No record: ``v=DMARC1; p=none; rua=mailto:dmarc-reports@<domain>`` (start by watching the
    reports, then tighten). A record: its valid tags in the usual order, p= added when missing,
    a rua= added when there is none, unknown, broken and removed tags dropped (pct=100 is
    dropped too; a lower pct becomes t=y). report_uri replaces the made-up report address.
    """
    rua = report_uri or _default_rua(domain)
    if text is None:
        return f"v=DMARC1; p=none; rua={rua}"
    scan = _scan(text)
    if not scan.is_dmarc:
        return f"v=DMARC1; p=none; rua={rua}"
    values = scan.values
    parts: dict[str, str] = {"v": "DMARC1"}
    parts["p"] = str(values.get("p", Policy.NONE))
    for name in ("sp", "np", "adkim", "aspf", "t", "psd", "fo"):
        found = values.get(name)
        if isinstance(found, tuple):
            parts[name] = ":".join(str(item) for item in found)
        elif found is not None:
            parts[name] = str(found)  # a Policy, an Alignment or a letter
    pct = values.get("pct")
    if isinstance(pct, int) and pct < 100 and "t" not in parts:
        parts["t"] = "y"
    for name in ("rua", "ruf"):
        found = values.get(name)
        if isinstance(found, tuple) and found:
            parts[name] = ",".join(uri.text for uri in found if isinstance(uri, ReportUri))
    parts.setdefault("rua", rua)
    return "; ".join(f"{name}={parts[name]}" for name in _CANONICAL_ORDER if name in parts)


# -------------------------------------------------------------------------------------- checks


@dataclass(frozen=True, slots=True)
class DmarcCheck:
    """One record judged: the parsed record (None when broken) and every problem with it."""

    text: str
    record: DmarcRecord | None
    problems: tuple[DmarcProblem, ...]
    suggestion: str | None  # a better record, when anything should change

    @property
    def broken(self) -> bool:
        return self.record is None

    @property
    def codes(self) -> tuple[DmarcProblemCode, ...]:
        return tuple(dict.fromkeys(problem.code for problem in self.problems))


def _advice(scan: _Scan, record: DmarcRecord) -> None:
    """The remarks on a record that parses."""
    if not record.policy_explicit:
        scan.add(DmarcProblemCode.MISSING_POLICY, "no p= tag: receivers read it as p=none", "p")
    if record.policy is Policy.NONE:
        scan.add(DmarcProblemCode.POLICY_NONE, "p=none: receivers only report, they do not act", "p")
    if not record.rua:
        scan.add(DmarcProblemCode.NO_REPORT_ADDRESS, "no rua=: nobody receives the aggregate reports", "rua")
    if record.policy is not Policy.NONE and record.subdomain_policy is Policy.NONE:
        scan.add(
            DmarcProblemCode.SUBDOMAIN_POLICY_WEAKER,
            f"sp=none leaves sub-domains open while p={record.policy.value}",
            "sp",
            "none",
        )
    if record.pct is not None and record.pct < 100 and record.policy is not Policy.NONE:
        scan.add(
            DmarcProblemCode.PARTIAL_POLICY,
            f"pct={record.pct}: the policy applies to part of the failing mail only",
            "pct",
            str(record.pct),
        )
    if record.testing:
        scan.add(DmarcProblemCode.TESTING_MODE, "t=y: receivers apply the policy one step milder", "t", "y")


def check_dmarc_record(text: str, domain: str = "") -> DmarcCheck:
    """Judge one record: every problem (errors and advice), and a suggestion when any is not
    information only. domain: where the record is published, for the suggested report address."""
    scan = _scan(text)
    record = None if scan.errors else _record_from_scan(scan)
    if record is not None:
        _advice(scan, record)
    needs_change = any(problem.severity is not Severity.INFO for problem in scan.problems)
    suggestion = suggest_dmarc_record(domain, text) if needs_change else None
    problems = tuple(
        DmarcProblem(p.code, p.severity, p.record, suggestion, p.tag, p.value, p.detail)
        for p in scan.problems
    )
    return DmarcCheck(text, record, problems, suggestion)


# ------------------------------------------------------------------------------- DNS tree walk


def tree_walk_names(domain: str) -> tuple[str, ...]:
    """The domains whose ``_dmarc`` the DMARCbis tree walk asks, in order (section 4.10).

    The domain itself; then, for a name of 8 or more labels, the name shortened to its last 7;
    then one label fewer at a time, down to the top-level domain.
    """
    name = normalize_domain(domain)
    if not name:
        return ()
    labels = name.split(".")
    names = [name]
    start = len(labels) - 7 if len(labels) > 7 else 1
    names += [".".join(labels[index:]) for index in range(start, len(labels))]
    return tuple(dict.fromkeys(names))


def tree_walk_policy_domain(domain: str, records: Mapping[str, DmarcRecord | None]) -> str | None:
    """The domain whose record applies, by the tree walk: the first on the walk with a record."""
    return next((name for name in tree_walk_names(domain) if records.get(name) is not None), None)


def tree_walk_organizational_domain(domain: str, records: Mapping[str, DmarcRecord | None]) -> str:
    """The organizational domain by the DMARCbis tree walk (section 4.10.2), from the records
    found at the walk's names (`records[name]`, None or missing for none):

    a record with psd=n marks its domain; a record with psd=y (other than at the starting
    domain) marks the domain one label below it; otherwise the domain with the fewest labels
    that has a record; without any record the domain itself.
    """
    names = tree_walk_names(domain)
    if not names:
        return ""
    with_record: list[str] = []
    for index, name in enumerate(names):
        record = records.get(name)
        if record is None:
            continue
        if record.psd == "n":
            return name
        if record.psd == "y" and index > 0:
            below = names[0].split(".")
            return ".".join(below[len(below) - len(name.split(".")) - 1 :])
        with_record.append(name)
    if with_record:
        return min(with_record, key=lambda found: len(found.split(".")))
    return names[0]


# ----------------------------------------------------------------------------------- discovery


class ReceiverTreatment(StrEnum):
    """What a large receiver (Gmail, Yahoo) does with mail from the domain that fails DMARC."""

    NO_POLICY = "no_policy"  # no usable record
    BROKEN_RECORD = "broken_record"
    MONITOR = "monitor"  # p=none
    TRIAL = "trial"  # t=y, or pct below 100
    QUARANTINE = "quarantine"
    REJECT = "reject"
    UNKNOWN = "unknown"  # the lookup failed


# What receivers do, for the report (translated where shown). Gmail's and Yahoo's sender rules
# of February 2024: every sender authenticates with SPF or DKIM; bulk senders (about 5,000
# messages a day to Gmail) also need a DMARC record, of which p=none is enough, and their From
# domain must align with SPF or DKIM.
RECEIVER_TEXTS: Final[Mapping[ReceiverTreatment, str]] = {
    ReceiverTreatment.NO_POLICY: N_(
        "The domain has no DMARC record. Gmail and Yahoo require one from senders of bulk mail "
        "and may refuse their messages or put them in the spam folder; other mail is judged by "
        "SPF and DKIM alone."
    ),
    ReceiverTreatment.BROKEN_RECORD: N_(
        "Receivers ignore a DMARC record they cannot read, so the domain counts as having none."
    ),
    ReceiverTreatment.MONITOR: N_(
        "The policy is p=none: receivers such as Gmail only send reports about mail that fails "
        "DMARC and do not refuse it because of the policy. This meets Gmail's and Yahoo's "
        "requirement for bulk senders."
    ),
    ReceiverTreatment.TRIAL: N_(
        "The policy is in a trial setting: receivers apply it to part of the failing mail only, "
        "or one step milder."
    ),
    ReceiverTreatment.QUARANTINE: N_(
        "Mail that fails DMARC (neither SPF nor DKIM passes for the From address's domain) goes "
        "to the spam folder at receivers such as Gmail."
    ),
    ReceiverTreatment.REJECT: N_(
        "Mail that fails DMARC (neither SPF nor DKIM passes for the From address's domain) is "
        "refused; Gmail answers with 550 5.7.26."
    ),
    ReceiverTreatment.UNKNOWN: N_(
        "The DMARC record could not be looked up, so nothing can be said about it."
    ),
}


@dataclass(frozen=True, slots=True)
class DmarcDiscovery:
    """The DMARC policy that applies to mail from `domain`, found the RFC 7489 way: the
    domain's own ``_dmarc`` record, else its organizational domain's."""

    domain: str
    organizational_domain: str
    lookups: tuple[DnsLookup, ...]  # every TXT lookup made, in order
    location: str | None  # the domain whose _dmarc record applies
    check: DmarcCheck | None  # the record found there, judged
    policy: Policy | None  # what applies to `domain`: p at the domain, sp (or p) when inherited
    problems: tuple[DmarcProblem, ...]
    suggestion: str | None

    @property
    def record(self) -> DmarcRecord | None:
        return self.check.record if self.check is not None else None

    @property
    def record_text(self) -> str | None:
        return self.check.text if self.check is not None else None

    @property
    def treatment(self) -> ReceiverTreatment:
        return receiver_treatment(self)

    def as_json(self) -> dict[str, str | None]:
        """The ``dmarc`` object of ``domain --json`` (policy null when no record applies)."""
        return {
            "record": self.record_text,
            "policy": self.policy.value if self.policy is not None else None,
            "organizational_domain": self.organizational_domain,
        }


def receiver_treatment(discovery: DmarcDiscovery) -> ReceiverTreatment:
    if any(problem.code is DmarcProblemCode.DNS_ERROR for problem in discovery.problems):
        return ReceiverTreatment.UNKNOWN
    if discovery.check is not None and discovery.check.record is None:
        return ReceiverTreatment.BROKEN_RECORD
    record = discovery.record
    if record is None or discovery.policy is None:
        return ReceiverTreatment.NO_POLICY
    if discovery.policy is Policy.NONE:
        return ReceiverTreatment.MONITOR
    if record.testing or (record.pct is not None and record.pct < 100):
        return ReceiverTreatment.TRIAL
    return ReceiverTreatment.QUARANTINE if discovery.policy is Policy.QUARANTINE else ReceiverTreatment.REJECT


_TEMPORARY: Final = frozenset({DnsOutcome.SERVFAIL, DnsOutcome.TIMEOUT, DnsOutcome.REFUSED, DnsOutcome.ERROR})


def _dmarc_texts(lookup: DnsLookup) -> tuple[list[str], list[str]]:
    """(DMARC records, SPF records) among a name's TXT answers; others are not for DMARC."""
    texts = [decode_txt(answer) for answer in lookup.answers] if lookup.outcome is DnsOutcome.OK else []
    dmarc = [text for text in texts if re.match(r"^\s*v\s*=\s*DMARC1\s*(;|$)", text, re.IGNORECASE)]
    spf = [text for text in texts if re.match(r"^\s*v\s*=\s*spf1(\s|$)", text, re.IGNORECASE)]
    return dmarc, spf


async def _verify_external(
    location: str, record: DmarcRecord, lookup_txt: TxtLookup, lookups: list[DnsLookup]
) -> list[DmarcProblem]:
    """RFC 7489 section 7.1: a report address in another organization must agree to get the
    reports with a TXT record ``<location>._report._dmarc.<its domain>`` starting v=DMARC1."""
    problems: list[DmarcProblem] = []
    own = organizational_domain(location)
    destinations = [
        domain
        for domain in dict.fromkeys(uri.domain for uri in (*record.rua, *record.ruf))
        if domain is not None and organizational_domain(domain) != own
    ]
    for destination in destinations:
        name = f"{location}._report._dmarc.{destination}"
        lookup = await lookup_txt(name)
        lookups.append(lookup)
        if lookup.outcome in _TEMPORARY:
            continue
        texts = [decode_txt(answer) for answer in lookup.answers]
        if not any(text.strip().upper().startswith("V=DMARC1") for text in texts):
            problems.append(
                DmarcProblem(
                    DmarcProblemCode.EXTERNAL_REPORT_UNVERIFIED,
                    Severity.WARNING,
                    record.text,
                    f'{name}. TXT "v=DMARC1"',
                    "rua",
                    destination,
                    f"reports to {destination} need a TXT record v=DMARC1 at {name}; receivers skip them",
                )
            )
    return problems


async def discover_dmarc(
    domain: str, lookup_txt: TxtLookup, *, verify_report_destinations: bool = True
) -> DmarcDiscovery:
    """Find and judge the DMARC record that applies to mail from `domain` (RFC 7489 6.6.3):

    ``_dmarc.<domain>``; when it has no DMARC record, ``_dmarc.<organizational domain>``. More
    than one DMARC record at a name means none applies. A lookup that fails (SERVFAIL,
    timeout) is reported as DNS_ERROR, not as a missing record. Never raises for DNS;
    ValueError for a name that is no domain (empty, one label).
    """
    name = normalize_domain(domain)
    if not name or "." not in name.strip("."):
        raise ValueError(f"not a mail domain: {domain!r}")
    org = organizational_domain(name)
    lookups: list[DnsLookup] = []
    problems: list[DmarcProblem] = []
    targets = [name] if org == name else [name, org]
    for index, target in enumerate(targets):
        lookup = await lookup_txt(f"_dmarc.{target}")
        lookups.append(lookup)
        if lookup.outcome in _TEMPORARY:
            problems.append(
                DmarcProblem(
                    DmarcProblemCode.DNS_ERROR,
                    Severity.WARNING,
                    None,
                    detail=f"_dmarc.{target}: {lookup.outcome.value} {lookup.detail}".strip(),
                )
            )
            return DmarcDiscovery(name, org, tuple(lookups), None, None, None, tuple(problems), None)
        dmarc, spf = _dmarc_texts(lookup)
        if len(dmarc) > 1:
            suggestion = suggest_dmarc_record(target, dmarc[0])
            problems.append(
                DmarcProblem(
                    DmarcProblemCode.MULTIPLE_RECORDS,
                    Severity.ERROR,
                    " | ".join(dmarc),
                    suggestion,
                    detail=f"_dmarc.{target} has {len(dmarc)} DMARC records; receivers use none of them",
                )
            )
            return DmarcDiscovery(name, org, tuple(lookups), target, None, None, tuple(problems), suggestion)
        if not dmarc and spf and index == 0:
            check = check_dmarc_record(spf[0], target)
            return DmarcDiscovery(
                name, org, tuple(lookups), target, check, None, check.problems, check.suggestion
            )
        if not dmarc:
            continue
        check = check_dmarc_record(dmarc[0], target)
        problems += check.problems
        record = check.record
        policy = None
        if record is not None:
            policy = record.policy if index == 0 else record.effective_subdomain_policy
            if index > 0:
                problems.append(
                    DmarcProblem(
                        DmarcProblemCode.INHERITED,
                        Severity.INFO,
                        check.text,
                        detail=f"{name} has no record of its own; the one of {target} applies",
                    )
                )
            if verify_report_destinations:
                problems += await _verify_external(target, record, lookup_txt, lookups)
        return DmarcDiscovery(
            name, org, tuple(lookups), target, check, policy, tuple(problems), check.suggestion
        )
    suggestion = suggest_dmarc_record(org)
    problems.append(
        DmarcProblem(
            DmarcProblemCode.NO_RECORD,
            Severity.WARNING,
            None,
            suggestion,
            detail=f"no DMARC record at _dmarc.{name}" + (f" or _dmarc.{org}" if org != name else ""),
        )
    )
    return DmarcDiscovery(name, org, tuple(lookups), None, None, None, tuple(problems), suggestion)
