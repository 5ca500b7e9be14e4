"""SPF records as data (RFC 7208): record selection, the term parser and macro expansion — pure.

Everything here works on text that is already at hand; no DNS, no event loop. The evaluator
(`maildoctor.domain.spf`) asks for DNS data and calls into this module for every decision about
the record's text.

The parser follows the ABNF of RFC 7208 section 12 to the letter, because check_host() must
return "permerror" for *any* syntax error anywhere in a record (section 4.6), before a single
mechanism is evaluated:

* terms are separated by spaces only (not tabs, CR or LF: those make the term invalid);
* a term is a modifier when a name (``ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )``) is followed
  at once by ``=``; otherwise it is a directive (qualifier and mechanism);
* ``redirect`` and ``exp`` appear at most once each, with a non-empty domain-spec;
* a domain-spec ends in a macro or in ``"." toplabel [ "." ]``, where a toplabel is not all
  digits and neither starts nor ends with ``-`` (``a:museum``, ``a:1.2.3.4`` and
  ``a:example.-com`` are errors, ``a:foo:bar/baz.example.com`` is not);
* a dual CIDR length is read from the end of the a/mx argument (``a:foo.example/24//64``), with
  no leading zeros and within 0-32 / 0-128;
* macros are checked when the record is parsed: letters ``s l o d i p v h`` in domain-specs,
  also ``c r t`` in explanation text, a non-zero digit transformer, ``%%``, ``%_`` and ``%-``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final
from urllib.parse import quote

__all__ = [
    "DOMAIN_MACRO_LETTERS",
    "EXPLAIN_MACRO_LETTERS",
    "MacroContext",
    "MacroExpand",
    "MacroString",
    "Mechanism",
    "MechanismKind",
    "Modifier",
    "Qualifier",
    "SpfRecord",
    "SpfResult",
    "SpfSyntaxError",
    "SyntaxIssue",
    "expand_domain",
    "expand_macro_string",
    "is_spf_record",
    "join_txt",
    "parse_explain_string",
    "parse_macro_string",
    "parse_record",
    "query_name",
    "reverse_pointer_name",
    "valid_domain",
]

VERSION: Final = "v=spf1"
DOMAIN_MACRO_LETTERS: Final = frozenset("slodipvh")
EXPLAIN_MACRO_LETTERS: Final = DOMAIN_MACRO_LETTERS | frozenset("crt")
MACRO_DELIMITERS: Final = frozenset(".-+,/_=")
MAX_DOMAIN_LENGTH: Final = 253


class SpfResult(StrEnum):
    """The results of check_host() (RFC 7208 section 2.6)."""

    PASS = "pass"  # noqa: S105 -- an SPF result, not a password
    FAIL = "fail"
    SOFTFAIL = "softfail"
    NEUTRAL = "neutral"
    NONE = "none"
    PERMERROR = "permerror"
    TEMPERROR = "temperror"


class Qualifier(StrEnum):
    PASS = "+"  # noqa: S105 -- a qualifier, not a password
    FAIL = "-"
    SOFTFAIL = "~"
    NEUTRAL = "?"

    @property
    def result(self) -> SpfResult:
        return _QUALIFIER_RESULTS[self]


_QUALIFIER_RESULTS: Final = {
    Qualifier.PASS: SpfResult.PASS,
    Qualifier.FAIL: SpfResult.FAIL,
    Qualifier.SOFTFAIL: SpfResult.SOFTFAIL,
    Qualifier.NEUTRAL: SpfResult.NEUTRAL,
}


class MechanismKind(StrEnum):
    ALL = "all"
    INCLUDE = "include"
    A = "a"
    MX = "mx"
    PTR = "ptr"
    IP4 = "ip4"
    IP6 = "ip6"
    EXISTS = "exists"

    @property
    def needs_dns(self) -> bool:
        """The terms that count against the limit of 10 DNS-querying terms (section 4.6.4)."""
        return self in _DNS_KINDS


_DNS_KINDS: Final = frozenset(
    {MechanismKind.INCLUDE, MechanismKind.A, MechanismKind.MX, MechanismKind.PTR, MechanismKind.EXISTS}
)


class SyntaxIssue(StrEnum):
    """Why a record is not valid SPF; each makes check_host() return permerror."""

    NON_ASCII = "non-ascii"  # a character outside 7-bit ASCII (section 3.1)
    UNKNOWN_MECHANISM = "unknown-mechanism"  # a term that is neither a known mechanism nor a modifier
    MISSING_ARGUMENT = "missing-argument"  # include/exists/ip4/ip6 without ":…", or "a:" empty
    UNEXPECTED_ARGUMENT = "unexpected-argument"  # all:x, all/8, include:x/24, ptr/0, exists:x/24
    BAD_DOMAIN_SPEC = "bad-domain-spec"  # a domain-spec whose end is no valid top label
    BAD_CHARACTER = "bad-character"  # a control character (CR, LF, NUL, tab) inside a term
    BAD_MACRO = "bad-macro"  # %x, %{a}, %{d0}, %{r} outside explanations, an unclosed %{
    BAD_CIDR = "bad-cidr"  # /33, //129, /032, a/24/64
    BAD_IP4 = "bad-ip4"  # ip4:1.2.3, ip4:1.2.3.4:8080, ip4:01.2.3.4
    BAD_IP6 = "bad-ip6"
    BAD_MODIFIER = "bad-modifier"  # =all, 1up=foo, a modifier value with characters outside the ABNF
    DUPLICATE_MODIFIER = "duplicate-modifier"  # redirect= or exp= given twice
    EMPTY_MODIFIER = "empty-modifier"  # redirect= or exp= with nothing after it


class SpfSyntaxError(ValueError):
    """A record that check_host() must answer with permerror: the offending term and why."""

    def __init__(self, issue: SyntaxIssue, term: str, detail: str = "") -> None:
        super().__init__(f"{issue.value}: {term!r}" + (f" ({detail})" if detail else ""))
        self.issue = issue
        self.term = term
        self.detail = detail


# ----------------------------------------------------------------------------- macros


@dataclass(frozen=True, slots=True)
class MacroExpand:
    """``%{<letter><digits><r><delimiters>}``; an upper-case letter asks for URL escaping."""

    letter: str  # lower case
    url_escape: bool
    digits: int | None
    reverse: bool
    delimiters: str  # "" means the default "."
    text: str


@dataclass(frozen=True, slots=True)
class MacroString:
    """A macro-string as parsed: literal text and macros, in order."""

    text: str
    parts: tuple[str | MacroExpand, ...]
    ends_with_macro: bool  # the last token is a macro-expand (including %%, %_ and %-)

    @property
    def letters(self) -> frozenset[str]:
        return frozenset(part.letter for part in self.parts if isinstance(part, MacroExpand))

    @property
    def has_macros(self) -> bool:
        return any(isinstance(part, MacroExpand) for part in self.parts)


_MACRO_BODY = re.compile(r"([A-Za-z])(\d*)([rR]?)([.\-+,/_=]*)\}")
_ESCAPES: Final = {"%": "%", "_": " ", "-": "%20"}


def _macro_string(text: str, letters: frozenset[str], allow_space: bool, term: str) -> MacroString:
    parts: list[str | MacroExpand] = []
    literal: list[str] = []
    ends_with_macro = False
    index = 0
    while index < len(text):
        char = text[index]
        if char == "%":
            following = text[index + 1 : index + 2]
            if following in _ESCAPES:
                literal.append(_ESCAPES[following])
                index += 2
                ends_with_macro = True
                continue
            if following != "{":
                raise SpfSyntaxError(SyntaxIssue.BAD_MACRO, term, f"'%' followed by {following!r}")
            match = _MACRO_BODY.match(text, index + 2)
            if match is None:
                raise SpfSyntaxError(SyntaxIssue.BAD_MACRO, term, "malformed %{...}")
            letter, digits, reverse, delimiters = match.groups()
            if letter.lower() not in letters:
                raise SpfSyntaxError(SyntaxIssue.BAD_MACRO, term, f"macro letter {letter!r} not allowed here")
            if digits and int(digits) == 0:
                raise SpfSyntaxError(SyntaxIssue.BAD_MACRO, term, "a digit transformer must not be zero")
            if literal:
                parts.append("".join(literal))
                literal = []
            parts.append(
                MacroExpand(
                    letter=letter.lower(),
                    url_escape=letter.isupper(),
                    digits=int(digits) if digits else None,
                    reverse=bool(reverse),
                    delimiters=delimiters,
                    text="%{" + match.group(0),
                )
            )
            index = match.end()
            ends_with_macro = True
            continue
        code = ord(char)
        if not (0x21 <= code <= 0x7E or (allow_space and code == 0x20)):
            raise SpfSyntaxError(
                SyntaxIssue.NON_ASCII if code > 0x7F else SyntaxIssue.BAD_CHARACTER,
                term,
                f"character {char!r} is not allowed",
            )
        literal.append(char)
        ends_with_macro = False
        index += 1
    if literal:
        parts.append("".join(literal))
    return MacroString(text, tuple(parts), ends_with_macro)


def parse_macro_string(text: str, *, term: str | None = None) -> MacroString:
    """A macro-string as in a domain-spec or an unknown modifier's value (letters slodipvh)."""
    return _macro_string(text, DOMAIN_MACRO_LETTERS, False, text if term is None else term)


def parse_explain_string(text: str) -> MacroString:
    """The text of an explanation TXT record: macro-strings and spaces, letters slodipvh and crt."""
    return _macro_string(text, EXPLAIN_MACRO_LETTERS, True, text)


_TOPLABEL = re.compile(r"(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9\-]*[A-Za-z0-9])\Z")


def _domain_spec(text: str, term: str) -> MacroString:
    if not text:
        raise SpfSyntaxError(SyntaxIssue.MISSING_ARGUMENT, term, "empty domain-spec")
    spec = parse_macro_string(text, term=term)
    if spec.ends_with_macro:
        return spec
    tail = spec.parts[-1] if spec.parts else ""
    assert isinstance(tail, str)
    tail = tail.removesuffix(".")
    if "." not in tail or not _TOPLABEL.match(tail.rpartition(".")[2]):
        raise SpfSyntaxError(SyntaxIssue.BAD_DOMAIN_SPEC, term, "a domain-spec must end in a valid top label")
    return spec


@dataclass(frozen=True, slots=True)
class MacroContext:
    """What the macros of RFC 7208 section 7.2 expand to, apart from ``d`` and ``p``."""

    sender: str  # <sender>: local-part@domain, "postmaster" filled in
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address  # IPv4-mapped addresses already made IPv4
    helo: str
    receiver: str = "unknown"
    timestamp: int = 0

    @property
    def local_part(self) -> str:
        return self.sender.rpartition("@")[0]

    @property
    def sender_domain(self) -> str:
        return self.sender.rpartition("@")[2]


def _letter_value(letter: str, context: MacroContext, domain: str, validated_name: str | None) -> str:
    ip = context.ip
    if letter == "s":
        return context.sender
    if letter == "l":
        return context.local_part
    if letter == "o":
        return context.sender_domain
    if letter == "d":
        return domain
    if letter == "i":
        if ip.version == 4:
            return str(ip)
        # dot-separated nibbles; upper case as the openspf test suite expects (DNS ignores case)
        return ".".join(ip.exploded.replace(":", "").upper())
    if letter == "p":
        return validated_name or "unknown"
    if letter == "v":
        return "in-addr" if ip.version == 4 else "ip6"
    if letter == "h":
        return context.helo
    if letter == "c":
        return str(ip)
    if letter == "r":
        return context.receiver
    if letter == "t":
        return str(context.timestamp)
    raise ValueError(f"unknown macro letter {letter!r}")  # the parser lets none through


def _transform(value: str, macro: MacroExpand) -> str:
    delimiters = macro.delimiters or "."
    parts = re.split("[" + re.escape(delimiters) + "]", value)
    if macro.reverse:
        parts.reverse()
    if macro.digits is not None:
        parts = parts[-macro.digits :]
    result = ".".join(parts)
    return quote(result, safe="") if macro.url_escape else result


def expand_macro_string(
    spec: MacroString, context: MacroContext, domain: str, validated_name: str | None = None
) -> str:
    """The macro-string with every macro expanded (RFC 7208 section 7.3 and 7.4).

    `domain` is the current <domain> (``%{d}``); `validated_name` the ``%{p}`` value, looked up
    by the caller beforehand since it needs DNS (None: "unknown").
    """
    out: list[str] = []
    for part in spec.parts:
        if isinstance(part, str):
            out.append(part)
        else:
            out.append(_transform(_letter_value(part.letter, context, domain, validated_name), part))
    return "".join(out)


def query_name(expanded: str) -> str:
    """An expanded domain-spec as a name to query: without the trailing dot, and cut from the
    left, label by label, to 253 characters (section 7.3)."""
    name = expanded.removesuffix(".")
    while len(name) > MAX_DOMAIN_LENGTH and "." in name:
        name = name.partition(".")[2]
    return name


def expand_domain(
    spec: MacroString, context: MacroContext, domain: str, validated_name: str | None = None
) -> str:
    """A domain-spec expanded to the <target-name> it names."""
    return query_name(expand_macro_string(spec, context, domain, validated_name))


def valid_domain(name: str, *, multi_label: bool = True) -> bool:
    """A name DNS can be asked about: labels of 1-63 octets, at most 253 in all (section 4.3).

    With `multi_label`, a single label ("localhost") or a domain literal ("[192.0.2.1]") is not
    a domain either, as check_host() requires of its <domain>.
    """
    name = name.removesuffix(".")
    if not name or len(name) > MAX_DOMAIN_LENGTH or name.startswith("["):
        return False
    labels = name.split(".")
    if multi_label and len(labels) < 2:
        return False
    return all(0 < len(label) <= 63 for label in labels)


def reverse_pointer_name(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """The in-addr.arpa / ip6.arpa name of an address, as the ptr mechanism and %{p} query it."""
    return ip.reverse_pointer


# ----------------------------------------------------------------------------- terms and records


@dataclass(frozen=True, slots=True)
class Mechanism:
    qualifier: Qualifier
    kind: MechanismKind
    text: str  # the term as written
    domain_spec: MacroString | None = None
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None  # ip4 and ip6
    cidr4: int = 32  # a and mx
    cidr6: int = 128

    @property
    def needs_dns(self) -> bool:
        return self.kind.needs_dns


@dataclass(frozen=True, slots=True)
class Modifier:
    name: str  # lower case
    value: MacroString
    text: str


@dataclass(frozen=True, slots=True)
class SpfRecord:
    text: str
    terms: tuple[Mechanism | Modifier, ...]

    @property
    def mechanisms(self) -> tuple[Mechanism, ...]:
        return tuple(term for term in self.terms if isinstance(term, Mechanism))

    def _modifier(self, name: str) -> Modifier | None:
        return next((t for t in self.terms if isinstance(t, Modifier) and t.name == name), None)

    @property
    def redirect(self) -> Modifier | None:
        return self._modifier("redirect")

    @property
    def explanation(self) -> Modifier | None:
        return self._modifier("exp")

    @property
    def all(self) -> Mechanism | None:
        """The first ``all``: it always matches, so nothing after it and no redirect= is used."""
        return next((m for m in self.mechanisms if m.kind is MechanismKind.ALL), None)

    @property
    def effective_mechanisms(self) -> tuple[Mechanism, ...]:
        """The mechanisms an evaluation can reach: up to and including the first ``all``."""
        out: list[Mechanism] = []
        for mechanism in self.mechanisms:
            out.append(mechanism)
            if mechanism.kind is MechanismKind.ALL:
                break
        return tuple(out)


def join_txt(strings: Sequence[bytes]) -> bytes:
    """A TXT record's character-strings joined with nothing between them (section 3.3)."""
    return b"".join(strings)


def is_spf_record(text: bytes) -> bool:
    """Starts with exactly ``v=spf1`` (any case), then a space or the end (section 4.5)."""
    return text[:6].lower() == VERSION.encode() and (len(text) == 6 or text[6:7] == b" ")


_MODIFIER = re.compile(r"([A-Za-z][A-Za-z0-9_.\-]*)=(.*)\Z", re.DOTALL)
_MECHANISM = re.compile(r"([+\-~?]?)([A-Za-z][A-Za-z0-9]*)(.*)\Z", re.DOTALL)
_DUAL_CIDR = re.compile(r"(?:/(\d+))?(?://(\d+))?\Z")
_SPEC_AND_CIDR = re.compile(r"(.*?)((?:/\d+)?(?://\d+)?)\Z", re.DOTALL)
_QNUM = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)"
_IP4_NETWORK = re.compile(rf"{_QNUM}\.{_QNUM}\.{_QNUM}\.{_QNUM}\Z")
_IP6_CHARS = re.compile(r"[0-9A-Fa-f:.]+\Z")


def _cidr(digits: str | None, maximum: int, term: str) -> int | None:
    if digits is None:
        return None
    if (len(digits) > 1 and digits.startswith("0")) or int(digits) > maximum:
        raise SpfSyntaxError(SyntaxIssue.BAD_CIDR, term, f"prefix length /{digits}")
    return int(digits)


def _dual_cidr(text: str, term: str) -> tuple[int, int]:
    match = _DUAL_CIDR.match(text)
    if match is None:
        raise SpfSyntaxError(SyntaxIssue.BAD_CIDR, term, f"{text!r} is no dual CIDR length")
    cidr4 = _cidr(match.group(1), 32, term)
    cidr6 = _cidr(match.group(2), 128, term)
    return (32 if cidr4 is None else cidr4), (128 if cidr6 is None else cidr6)


def _ip_network(kind: MechanismKind, text: str, term: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    issue = SyntaxIssue.BAD_IP4 if kind is MechanismKind.IP4 else SyntaxIssue.BAD_IP6
    address, slash, length = text.partition("/")
    maximum = 32 if kind is MechanismKind.IP4 else 128
    if slash and not length.isdigit():
        raise SpfSyntaxError(SyntaxIssue.BAD_CIDR, term, f"prefix length /{length}")
    cidr = _cidr(length, maximum, term) if slash else None
    prefix = maximum if cidr is None else cidr
    pattern = _IP4_NETWORK if kind is MechanismKind.IP4 else _IP6_CHARS  # IPv6: no scope ids ("%eth0")
    try:
        if not pattern.match(address):
            raise SpfSyntaxError(issue, term, f"{address!r} is no {kind.value} address")
        if kind is MechanismKind.IP4:
            return ipaddress.IPv4Network((address, prefix), strict=False)
        return ipaddress.IPv6Network((address, prefix), strict=False)
    except ValueError:
        raise SpfSyntaxError(issue, term, f"{address!r} is no {kind.value} address") from None


def _parse_mechanism(term: str) -> Mechanism:
    match = _MECHANISM.match(term)
    if match is None:
        raise SpfSyntaxError(SyntaxIssue.UNKNOWN_MECHANISM, term)
    qualifier_text, name, rest = match.groups()
    try:
        kind = MechanismKind(name.lower())
    except ValueError:
        raise SpfSyntaxError(SyntaxIssue.UNKNOWN_MECHANISM, term) from None
    qualifier = Qualifier(qualifier_text or "+")
    if kind is MechanismKind.ALL:
        if rest:
            raise SpfSyntaxError(SyntaxIssue.UNEXPECTED_ARGUMENT, term)
        return Mechanism(qualifier, kind, term)
    if kind in (MechanismKind.INCLUDE, MechanismKind.EXISTS):
        if not rest.startswith(":"):
            raise SpfSyntaxError(
                SyntaxIssue.MISSING_ARGUMENT if not rest else SyntaxIssue.UNEXPECTED_ARGUMENT, term
            )
        spec_text = rest[1:]
        if re.search(r"/\d+\Z", spec_text):
            raise SpfSyntaxError(SyntaxIssue.UNEXPECTED_ARGUMENT, term, "no CIDR length allowed")
        return Mechanism(qualifier, kind, term, domain_spec=_domain_spec(spec_text, term))
    if kind is MechanismKind.PTR:
        if not rest:
            return Mechanism(qualifier, kind, term)
        if not rest.startswith(":"):
            raise SpfSyntaxError(SyntaxIssue.UNEXPECTED_ARGUMENT, term)
        return Mechanism(qualifier, kind, term, domain_spec=_domain_spec(rest[1:], term))
    if kind in (MechanismKind.IP4, MechanismKind.IP6):
        if not rest.startswith(":") or len(rest) == 1:
            raise SpfSyntaxError(SyntaxIssue.MISSING_ARGUMENT, term)
        return Mechanism(qualifier, kind, term, network=_ip_network(kind, rest[1:], term))
    # a and mx: [ ":" domain-spec ] [ dual-cidr-length ]
    if not rest:
        return Mechanism(qualifier, kind, term)
    if rest.startswith("/"):
        cidr4, cidr6 = _dual_cidr(rest, term)
        return Mechanism(qualifier, kind, term, cidr4=cidr4, cidr6=cidr6)
    if not rest.startswith(":"):
        raise SpfSyntaxError(SyntaxIssue.UNKNOWN_MECHANISM, term)
    split = _SPEC_AND_CIDR.match(rest[1:])
    assert split is not None  # the pattern matches every string
    spec_text, cidr_text = split.groups()
    cidr4, cidr6 = _dual_cidr(cidr_text, term)
    return Mechanism(qualifier, kind, term, _domain_spec(spec_text, term), cidr4=cidr4, cidr6=cidr6)


def _parse_modifier(term: str, name: str, value: str) -> Modifier:
    lowered = name.lower()
    if lowered in ("redirect", "exp"):
        if not value:
            raise SpfSyntaxError(SyntaxIssue.EMPTY_MODIFIER, term)
        return Modifier(lowered, _domain_spec(value, term), term)
    return Modifier(lowered, parse_macro_string(value, term=term), term)


def parse_record(text: str) -> SpfRecord:
    """Parse a whole record (``v=spf1 …``); SpfSyntaxError names the first term in error."""
    if not is_spf_record(text.encode("utf-8", "surrogateescape")):
        raise SpfSyntaxError(SyntaxIssue.UNKNOWN_MECHANISM, text[:10], "not a v=spf1 record")
    bad = next((char for char in text if ord(char) > 0x7F), None)
    if bad is not None:
        term = next(t for t in text.split(" ") if bad in t)
        raise SpfSyntaxError(SyntaxIssue.NON_ASCII, term, f"character {bad!r} outside 7-bit ASCII")
    terms: list[Mechanism | Modifier] = []
    seen: set[str] = set()
    for term in text[len(VERSION) :].split(" "):
        if not term:
            continue
        modifier = _MODIFIER.match(term)
        if modifier is not None:
            parsed = _parse_modifier(term, *modifier.groups())
            if parsed.name in ("redirect", "exp"):
                if parsed.name in seen:
                    raise SpfSyntaxError(SyntaxIssue.DUPLICATE_MODIFIER, term)
                seen.add(parsed.name)
            terms.append(parsed)
        elif "=" in term.split(":", 1)[0].split("/", 1)[0]:
            raise SpfSyntaxError(SyntaxIssue.BAD_MODIFIER, term)
        else:
            terms.append(_parse_mechanism(term))
    return SpfRecord(text, tuple(terms))
