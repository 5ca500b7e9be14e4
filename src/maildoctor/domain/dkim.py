"""DKIM keys in DNS: ``<selector>._domainkey.<domain>``, parsed and judged, at the selectors of
the common providers and at any the person names.

Follows RFC 6376 section 3.6.1 (the key record: v, h, k, n, p, s, t) with its tag-list syntax
(section 3.2), RFC 8301 (RSA keys under 1024 bits are not valid, 2048 is what signers should
use; SHA-1 must not be used) and RFC 8463 (Ed25519 keys: ``k=ed25519``, ``p=`` the raw 32-byte
key). The key data is decoded with `cryptography` (SubjectPublicKeyInfo, and the bare PKCS#1
RSAPublicKey some publish), which gives the RSA key length.

The record parser is hand-written: it is twenty lines of tag-list over a grammar that has
not changed since 2011, and the libraries that have one (dkimpy) raise on the first fault,
where a diagnosis wants each fault typed, with the record as it is and what to publish
instead. Signatures of messages are not verified here.

Which selectors a domain uses cannot be asked of DNS, so `find_dkim_keys` tries the names the
person gives first, then the selectors of the provider its MX points at, then the selectors
of common providers and signing software (`PROVIDER_SELECTORS`, `COMMON_SELECTORS`). Finding
none is therefore "none at the usual names", never proof that the domain signs nothing.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import fnmatch
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key

from maildoctor.discover.curated import load_curated
from maildoctor.domain.dmarc import TxtLookup, decode_txt
from maildoctor.domainname import normalize_domain
from maildoctor.facts import DnsLookup, DnsOutcome
from maildoctor.model import Severity
from maildoctor.provider_tables import SelectorSource, table_signers

__all__ = [
    "COMMON_SELECTORS",
    "DkimKey",
    "DkimKeyCheck",
    "DkimKeyError",
    "DkimKeyType",
    "DkimProblem",
    "DkimProblemCode",
    "DkimSurvey",
    "SelectorResult",
    "SelectorSource",
    "candidate_selectors",
    "check_dkim_key",
    "find_dkim_keys",
    "key_name",
    "parse_dkim_key",
    "provider_selectors",
    "selectors_for_mx",
]

MIN_RSA_BITS: Final = 1024  # RFC 8301 section 3.2: shorter keys are not valid
GOOD_RSA_BITS: Final = 2048  # RFC 8301: what signers SHOULD use
ED25519_KEY_BYTES: Final = 32
KEY_PLACEHOLDER: Final = "<the public key your provider gives you>"


class DkimKeyType(StrEnum):
    RSA = "rsa"
    ED25519 = "ed25519"


class DkimProblemCode(StrEnum):
    # the key cannot verify anything (errors)
    SYNTAX = "syntax"  # not a tag-list
    BAD_VERSION = "bad_version"  # v= other than DKIM1, or not the first tag
    DUPLICATE_TAG = "duplicate_tag"  # RFC 6376: the whole record is then invalid
    MISSING_KEY = "missing_key"  # no p= at all
    UNKNOWN_KEY_TYPE = "unknown_key_type"  # k= other than rsa or ed25519
    BAD_KEY_DATA = "bad_key_data"  # p= is not base64 of a key of type k=
    KEY_TOO_SHORT = "key_too_short"  # RSA under 1024 bits
    SHA1_ONLY = "sha1_only"  # h= allows SHA-1 only
    NOT_FOR_EMAIL = "not_for_email"  # s= without email or *
    MULTIPLE_RECORDS = "multiple_records"  # more than one TXT record at the selector
    # the key works, but (warnings)
    REVOKED = "revoked"  # p= empty
    KEY_WEAK = "key_weak"  # RSA of 1024 up to 2047 bits
    TESTING = "testing"  # t=y: receivers treat signed mail as unsigned
    NO_KEY_FOUND = "no_key_found"  # none at the selectors tried: DKIM_MISSING
    NAMED_SELECTOR_MISSING = "named_selector_missing"  # a selector the person gave has no key
    DNS_ERROR = "dns_error"
    # for information
    STRICT_IDENTITY = "strict_identity"  # t=s: the i= domain must equal d=


_ERROR_CODES: Final = frozenset(
    {
        DkimProblemCode.SYNTAX,
        DkimProblemCode.BAD_VERSION,
        DkimProblemCode.DUPLICATE_TAG,
        DkimProblemCode.MISSING_KEY,
        DkimProblemCode.UNKNOWN_KEY_TYPE,
        DkimProblemCode.BAD_KEY_DATA,
        DkimProblemCode.KEY_TOO_SHORT,
        DkimProblemCode.SHA1_ONLY,
        DkimProblemCode.NOT_FOR_EMAIL,
        DkimProblemCode.MULTIPLE_RECORDS,
    }
)


def _severity(code: DkimProblemCode) -> Severity:
    if code in _ERROR_CODES:
        return Severity.ERROR
    if code is DkimProblemCode.STRICT_IDENTITY:
        return Severity.INFO
    return Severity.WARNING


@dataclass(frozen=True, slots=True)
class DkimProblem:
    """One fault: what the lead turns into a finding (DKIM_MISSING)."""

    code: DkimProblemCode
    severity: Severity
    record: str | None  # the key record as published (None when there is none)
    suggestion: str | None = None  # what to publish instead, as "<name> TXT <value>"
    selector: str | None = None
    tag: str | None = None
    detail: str = ""  # plain English for logs and tests; reports render `code`


class DkimKeyError(ValueError):
    """A key record that cannot verify any signature; `problems` holds every error found."""

    def __init__(self, problems: Sequence[DkimProblem]) -> None:
        super().__init__(f"{problems[0].code.value}: {problems[0].detail}")
        self.code = problems[0].code
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class DkimKey:
    text: str
    key_type: DkimKeyType
    key_data: str  # p= without whitespace ("" when revoked)
    key_bits: int | None  # RSA modulus length; 256 for Ed25519; None when revoked
    key_format: str | None  # "spki", "pkcs1" (a bare RSAPublicKey) or "raw" (Ed25519); None when revoked
    version: str | None = None  # "DKIM1" when given
    hashes: tuple[str, ...] | None = None  # h= (None: any)
    services: tuple[str, ...] = ("*",)  # s=
    flags: tuple[str, ...] = ()  # t=
    notes: str | None = None  # n=
    unknown_tags: tuple[str, ...] = ()

    @property
    def revoked(self) -> bool:
        return not self.key_data

    @property
    def testing(self) -> bool:
        return "y" in self.flags

    @property
    def strict(self) -> bool:
        return "s" in self.flags


# ------------------------------------------------------------------------------------- parsing

_TAG_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_WSP = " \t\r\n"


def _problem(code: DkimProblemCode, text: str, detail: str, tag: str | None = None) -> DkimProblem:
    return DkimProblem(code, _severity(code), text, tag=tag, detail=detail)


def _tag_list(text: str, problems: list[DkimProblem]) -> list[tuple[str, str]]:
    """RFC 6376 section 3.2; tag names are case-sensitive there."""
    pairs: list[tuple[str, str]] = []
    for segment in text.split(";"):
        part = segment.strip(_WSP)
        if not part:
            continue
        name, equals, value = part.partition("=")
        name = name.strip(_WSP)
        if not equals or not _TAG_NAME.match(name):
            problems.append(_problem(DkimProblemCode.SYNTAX, text, f"{part!r} is not a tag=value pair"))
            continue
        pairs.append((name, value.strip(_WSP)))
    return pairs


def _decode_key(
    text: str, key_type: DkimKeyType, data: str, problems: list[DkimProblem]
) -> tuple[int | None, str | None]:
    """(key bits, key format) of p=, or problems."""
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        problems.append(_problem(DkimProblemCode.BAD_KEY_DATA, text, "p= is not base64", "p"))
        return None, None
    if key_type is DkimKeyType.ED25519:
        if len(raw) != ED25519_KEY_BYTES:
            problems.append(
                _problem(
                    DkimProblemCode.BAD_KEY_DATA,
                    text,
                    f"an Ed25519 key is {ED25519_KEY_BYTES} bytes (RFC 8463), p= holds {len(raw)}",
                    "p",
                )
            )
            return None, None
        try:
            ed25519.Ed25519PublicKey.from_public_bytes(raw)
        except ValueError as exc:
            problems.append(_problem(DkimProblemCode.BAD_KEY_DATA, text, f"p=: {exc}", "p"))
            return None, None
        return 256, "raw"
    try:
        key = load_der_public_key(raw)
    except (ValueError, TypeError) as exc:
        detail = str(exc).split("Details:")[-1].strip() or "not a DER public key"
        problems.append(_problem(DkimProblemCode.BAD_KEY_DATA, text, f"p= is not an RSA key: {detail}", "p"))
        return None, None
    if not isinstance(key, rsa.RSAPublicKey):
        problems.append(
            _problem(
                DkimProblemCode.BAD_KEY_DATA, text, f"p= holds a {type(key).__name__}, not an RSA key", "p"
            )
        )
        return None, None
    # a SubjectPublicKeyInfo is a SEQUENCE holding a SEQUENCE, a bare RSAPublicKey one holding an INTEGER
    return key.key_size, "pkcs1" if _first_inner_tag(raw) == 0x02 else "spki"


def _first_inner_tag(der: bytes) -> int | None:
    """The tag of the first element inside the outer DER SEQUENCE."""
    if len(der) < 2:
        return None
    offset = 2 + (der[1] & 0x7F if der[1] & 0x80 else 0)
    return der[offset] if offset < len(der) else None


def _scan(text: str) -> tuple[DkimKey | None, list[DkimProblem]]:
    problems: list[DkimProblem] = []
    pairs = _tag_list(text, problems)
    values: dict[str, str] = {}
    for index, (name, value) in enumerate(pairs):
        if name in values:
            problems.append(_problem(DkimProblemCode.DUPLICATE_TAG, text, f"{name}= is given twice", name))
            continue
        # the values of k=, h=, s= and t= are ABNF quoted strings: case-insensitive
        values[name] = value.lower() if name in ("k", "h", "s", "t") else value
        if name == "v" and (index != 0 or value != "DKIM1"):
            problems.append(
                _problem(
                    DkimProblemCode.BAD_VERSION,
                    text,
                    "v= must be the first tag and read DKIM1"
                    + ("" if value == "DKIM1" else f", not {value!r}"),
                    "v",
                )
            )
    key_type_text = values.get("k", "rsa")
    known_types = {kind.value: kind for kind in DkimKeyType}
    key_type = known_types.get(key_type_text)
    if key_type is None:
        problems.append(
            _problem(
                DkimProblemCode.UNKNOWN_KEY_TYPE,
                text,
                f"k={key_type_text!r}: the key types are rsa and ed25519",
                "k",
            )
        )
    data = re.sub(r"\s+", "", values["p"]) if "p" in values else None
    if data is None:
        problems.append(
            _problem(DkimProblemCode.MISSING_KEY, text, "no p= tag: the record holds no key", "p")
        )
    bits, key_format = None, None
    if data and key_type is not None:
        bits, key_format = _decode_key(text, key_type, data, problems)
    hashes = None
    if "h" in values:
        hashes = tuple(part.strip(_WSP) for part in values["h"].split(":"))
        if "sha256" not in hashes:
            problems.append(
                _problem(
                    DkimProblemCode.SHA1_ONLY,
                    text,
                    f"h={values['h']}: only SHA-256 signatures are valid (RFC 8301)",
                    "h",
                )
            )
    services = tuple(part.strip(_WSP) for part in values.get("s", "*").split(":"))
    if not {"*", "email"} & set(services):
        problems.append(
            _problem(
                DkimProblemCode.NOT_FOR_EMAIL,
                text,
                f"s={values['s']}: the key is not for email (s=email or s=* is)",
                "s",
            )
        )
    flags = tuple(part.strip(_WSP) for part in values["t"].split(":")) if "t" in values else ()
    if any(problem.severity is Severity.ERROR for problem in problems) or key_type is None or data is None:
        return None, problems
    key = DkimKey(
        text=text,
        key_type=key_type,
        key_data=data,
        key_bits=bits,
        key_format=key_format,
        version=values.get("v"),
        hashes=hashes,
        services=services,
        flags=flags,
        notes=values.get("n"),
        unknown_tags=tuple(name for name in values if name not in {"v", "h", "k", "n", "p", "s", "t"}),
    )
    return key, problems


def parse_dkim_key(text: str) -> DkimKey:
    """Parse a DKIM key record; DkimKeyError for one that cannot verify any signature.

    A revoked key (``p=`` empty), a short key and testing mode parse: `check_dkim_key` judges them.
    """
    key, problems = _scan(text)
    if key is None:
        raise DkimKeyError([problem for problem in problems if problem.severity is Severity.ERROR])
    return key


def key_name(selector: str, domain: str) -> str:
    return f"{selector}._domainkey.{normalize_domain(domain)}"


def _suggestion(selector: str | None, domain: str, key_type: DkimKeyType = DkimKeyType.RSA) -> str:
    name = key_name(selector or "<selector>", domain) if domain else f"{selector or '<selector>'}._domainkey"
    return f'{name} TXT "v=DKIM1; k={key_type.value}; p={KEY_PLACEHOLDER}"'


@dataclass(frozen=True, slots=True)
class DkimKeyCheck:
    selector: str | None
    text: str
    key: DkimKey | None  # None when the record cannot verify anything
    problems: tuple[DkimProblem, ...]

    @property
    def usable(self) -> bool:
        """The key can verify signatures (not broken, revoked or too short)."""
        return (
            self.key is not None
            and not self.key.revoked
            and not any(problem.severity is Severity.ERROR for problem in self.problems)
        )


def check_dkim_key(text: str, selector: str | None = None, domain: str = "") -> DkimKeyCheck:
    """Judge one key record: its errors, then whether it is revoked, short, or in testing mode."""
    key, problems = _scan(text)
    if key is not None:
        if key.revoked:
            problems.append(_problem(DkimProblemCode.REVOKED, text, "p= is empty: the key is revoked", "p"))
        elif key.key_type is DkimKeyType.RSA and key.key_bits is not None:
            if key.key_bits < MIN_RSA_BITS:
                problems.append(
                    _problem(
                        DkimProblemCode.KEY_TOO_SHORT,
                        text,
                        f"a {key.key_bits}-bit RSA key: receivers ignore keys under {MIN_RSA_BITS} bits",
                        "p",
                    )
                )
            elif key.key_bits < GOOD_RSA_BITS:
                problems.append(
                    _problem(
                        DkimProblemCode.KEY_WEAK,
                        text,
                        f"a {key.key_bits}-bit RSA key: {GOOD_RSA_BITS} bits is what is recommended",
                        "p",
                    )
                )
        if key.testing:
            problems.append(
                _problem(DkimProblemCode.TESTING, text, "t=y: receivers treat signed mail as unsigned", "t")
            )
        if key.strict:
            problems.append(
                _problem(DkimProblemCode.STRICT_IDENTITY, text, "t=s: i= must be exactly the d= domain", "t")
            )
    key_type = key.key_type if key is not None else DkimKeyType.RSA
    suggestion = _suggestion(selector, domain, key_type)
    with_context = tuple(
        DkimProblem(
            p.code,
            p.severity,
            p.record,
            suggestion if p.severity is not Severity.INFO else None,
            selector,
            p.tag,
            p.detail,
        )
        for p in problems
    )
    return DkimKeyCheck(selector, text, key, with_context)


# ---------------------------------------------------------------------------------- selectors


@functools.cache
def provider_selectors() -> tuple[SelectorSource, ...]:
    """The signers: the provider files' `[dkim_selectors]` (file name order), then dkim_selectors.toml."""
    from_files = tuple(entry.dkim_selectors for entry in load_curated() if entry.dkim_selectors is not None)
    return from_files + table_signers()


# Where providers publish their DKIM keys: data (data/providers/<id>.toml's [dkim_selectors] and
# data/dkim_selectors.toml, read by maildoctor/provider_tables.py), in the order they are tried.
# (PROVIDER_SELECTORS: read on first use, see __getattr__ at the end)

# The defaults of signing software and names widely seen in the wild: opendkim-genkey's
# "default", Rspamd's "dkim", and the short names of many hosts' control panels.
COMMON_SELECTORS: Final[tuple[str, ...]] = (
    "default",
    "dkim",
    "mail",
    "selector1",
    "selector2",
    "google",
    "k1",
    "k2",
    "s1",
    "s2",
    "key1",
    "key2",
    "dkim1",
    "smtp",
    "email",
    "mx",
)

_SELECTOR = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9_-]{1,63}(?<!-))*$")


def selectors_for_mx(mx_hosts: Iterable[str]) -> tuple[str, ...]:
    """The selectors of the providers the MX hosts belong to (Google -> google, ...)."""
    hosts = [host.lower().rstrip(".") for host in mx_hosts]
    found: list[str] = []
    for source in provider_selectors():
        if any(fnmatch.fnmatchcase(host, pattern) for host in hosts for pattern in source.mx_patterns):
            found += source.selectors
    return tuple(dict.fromkeys(found))


def candidate_selectors(named: Iterable[str] = (), mx_hosts: Iterable[str] = ()) -> tuple[str, ...]:
    """The selectors to try, in order: those named, the MX's provider's, every provider's, the
    common defaults. A named selector that is no DNS label sequence raises ValueError."""
    given = [selector.strip().rstrip(".") for selector in named]
    for selector in given:
        if not _SELECTOR.match(selector):
            raise ValueError(f"not a DKIM selector: {selector!r}")
    providers = [selector for source in provider_selectors() for selector in source.selectors]
    return tuple(dict.fromkeys([*given, *selectors_for_mx(mx_hosts), *providers, *COMMON_SELECTORS]))


# ------------------------------------------------------------------------------------- lookups


@dataclass(frozen=True, slots=True)
class SelectorResult:
    selector: str
    name: str
    lookup: DnsLookup
    check: DkimKeyCheck | None  # the DKIM record there, judged (None when there is none)
    named: bool = False  # the person gave this selector


@dataclass(frozen=True, slots=True)
class DkimSurvey:
    domain: str
    results: tuple[SelectorResult, ...]  # every selector tried, in the order tried
    problems: tuple[DkimProblem, ...]

    @property
    def found(self) -> tuple[SelectorResult, ...]:
        """The selectors with a DKIM record, usable or not."""
        return tuple(result for result in self.results if result.check is not None)

    @property
    def usable(self) -> tuple[SelectorResult, ...]:
        return tuple(result for result in self.found if result.check is not None and result.check.usable)


_TEMPORARY: Final = frozenset({DnsOutcome.SERVFAIL, DnsOutcome.TIMEOUT, DnsOutcome.REFUSED, DnsOutcome.ERROR})


def _looks_like_key(text: str) -> bool:
    """A record meant as a DKIM key: v=DKIM1 first, or a p= / k= tag (v= is optional)."""
    return bool(re.match(r"^\s*v\s*=", text)) or bool(re.search(r"(^|;)\s*[pk]\s*=", text))


async def find_dkim_keys(
    domain: str,
    lookup_txt: TxtLookup,
    *,
    named: Sequence[str] = (),
    mx_hosts: Sequence[str] = (),
    selectors: Sequence[str] | None = None,
    concurrency: int = 8,
) -> DkimSurvey:
    """Look for DKIM keys at the selectors (`candidate_selectors(named, mx_hosts)` unless given).

    Never raises for DNS: a failed lookup is a DNS_ERROR problem. NO_KEY_FOUND when no
    selector tried has a usable key (the DKIM_MISSING cause), with a suggestion naming the
    selector of the domain's provider when its MX tells (else the first named, else "default").
    """
    name = normalize_domain(domain)
    order = tuple(selectors) if selectors is not None else candidate_selectors(named, mx_hosts)
    named_set = {selector.strip().rstrip(".").lower() for selector in named}
    gate = asyncio.Semaphore(max(1, concurrency))

    async def ask(selector: str) -> SelectorResult:
        async with gate:
            lookup = await lookup_txt(key_name(selector, name))
        is_named = selector.lower() in named_set
        texts = [decode_txt(answer) for answer in lookup.answers] if lookup.outcome is DnsOutcome.OK else []
        keys = [text for text in texts if _looks_like_key(text)]
        if not keys:
            return SelectorResult(selector, lookup.name, lookup, None, is_named)
        check = check_dkim_key(keys[0], selector, name)
        if len(keys) > 1:
            problem = DkimProblem(
                DkimProblemCode.MULTIPLE_RECORDS,
                Severity.ERROR,
                " | ".join(keys),
                _suggestion(selector, name),
                selector,
                detail=f"{len(keys)} key records at one selector: receivers may take either",
            )
            check = DkimKeyCheck(selector, keys[0], check.key, (problem, *check.problems))
        return SelectorResult(selector, lookup.name, lookup, check, is_named)

    results = tuple(await asyncio.gather(*(ask(selector) for selector in order)))
    problems: list[DkimProblem] = []
    for result in results:
        if result.check is not None:
            problems += result.check.problems
        elif result.lookup.outcome in _TEMPORARY:
            problems.append(
                DkimProblem(
                    DkimProblemCode.DNS_ERROR,
                    Severity.WARNING,
                    None,
                    selector=result.selector,
                    detail=f"{result.name}: {result.lookup.outcome.value} {result.lookup.detail}".strip(),
                )
            )
        elif result.named:
            problems.append(
                DkimProblem(
                    DkimProblemCode.NAMED_SELECTOR_MISSING,
                    Severity.WARNING,
                    None,
                    _suggestion(result.selector, name),
                    result.selector,
                    detail=f"no DKIM key at {result.name}",
                )
            )
    if not any(result.check is not None and result.check.usable for result in results):
        hinted = [*named, *selectors_for_mx(mx_hosts), "default"]
        problems.append(
            DkimProblem(
                DkimProblemCode.NO_KEY_FOUND,
                Severity.WARNING,
                None,
                _suggestion(hinted[0], name),
                hinted[0],
                detail=f"no usable DKIM key at the {len(results)} selectors tried",
            )
        )
    return DkimSurvey(name, results, tuple(problems))


def __getattr__(name: str) -> tuple[SelectorSource, ...]:
    # PROVIDER_SELECTORS is read on first use, not at import: the provider data is parsed only by a
    # run that asks (the demo keeps nothing in the user's cache, and start-up stays short)
    if name == "PROVIDER_SELECTORS":
        return provider_selectors()
    raise AttributeError(name)
