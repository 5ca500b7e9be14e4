"""The judgement of a certificate chain a server (or something in between) presented.

Pure: the chain comes in as DER bytes, the trust stores as parsed certificates and the time as a
parameter, so every case is a unit test. `load_trust_stores` reads files (certifi's bundle, the
system bundle, --ca-file) and is kept apart from the assessment itself.

Each question is answered on its own, so a report can name every problem at once:

- the name: RFC 6125 against the typed host (certificate.host_matches);
- the dates: the leaf's notBefore/notAfter against `now`;
- the trust: cryptography's path builder (x509.verification) with the public stores (Mozilla's,
  via certifi, plus --ca-file), then with the system store alone. Trust is checked at a time inside
  the leaf's validity and without a host name, so an expired or misnamed certificate from a trusted
  CA still counts as trusted, and only the path is being tested. When no such moment exists (the
  root was made or renewed after the leaf expired), the signatures alone decide (_verified_path);
- the interception: the issuer names a security product or proxy that re-signs TLS.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

import certifi
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    Policy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from maildoctor.tlsfacts.certificate import CertificateInfo

__all__ = [
    "INTERCEPTION_PRODUCTS",
    "SYSTEM_BUNDLE",
    "CertificateAssessment",
    "InterceptionSignature",
    "TrustStores",
    "VerifyError",
    "assess_chain",
    "find_interception_product",
    "load_certificates",
    "load_trust_stores",
]

# Debian's (and Ubuntu's) bundle: Mozilla's roots plus whatever was installed locally
# (/usr/local/share/ca-certificates), which is where a security product or a company puts its root.
SYSTEM_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


# ---- trust stores ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrustStores:
    """Roots by origin. `extra` (--ca-file) counts as publicly trusted."""

    public: tuple[x509.Certificate, ...] = ()
    system: tuple[x509.Certificate, ...] = ()
    extra: tuple[x509.Certificate, ...] = ()

    @property
    def publicly_trusted(self) -> tuple[x509.Certificate, ...]:
        return self.public + self.extra


_PEM_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)


@functools.lru_cache(maxsize=8)
def load_certificates(data: bytes) -> tuple[x509.Certificate, ...]:
    """Every certificate in a PEM bundle (unreadable entries skipped), or the one DER certificate.
    Kept for the same bytes: a check day reads the same trust stores for each of its accounts (the
    bench's 1,000 checks spent 14 ms each parsing Mozilla's roots again)."""
    if b"-----BEGIN" not in data:
        try:
            return (x509.load_der_x509_certificate(data),)
        except ValueError:
            return ()
    found: list[x509.Certificate] = []
    with warnings.catch_warnings():
        # a few long-lived roots have a non-positive serial number: still roots
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        for block in _PEM_BLOCK.findall(data):
            try:
                found.append(x509.load_pem_x509_certificate(block))
            except ValueError:
                continue  # one odd root must not cost the whole store
    return tuple(found)


def load_trust_stores(
    extra_ca_file: Path | None = None,
    *,
    system_bundle: Path | None = SYSTEM_BUNDLE,
    public_bundle: Path | None = None,
) -> TrustStores:
    """public: certifi's copy of Mozilla's roots (or public_bundle); system: system_bundle when it
    exists; extra: the certificates of extra_ca_file (PEM or DER).

    Raises OSError when extra_ca_file cannot be read, ValueError when it holds no certificate.
    """
    public = load_certificates((public_bundle or Path(certifi.where())).read_bytes())
    system: tuple[x509.Certificate, ...] = ()
    if system_bundle is not None and system_bundle.is_file():
        system = load_certificates(system_bundle.read_bytes())
    extra: tuple[x509.Certificate, ...] = ()
    if extra_ca_file is not None:
        extra = load_certificates(extra_ca_file.read_bytes())
        if not extra:
            raise ValueError(f"{extra_ca_file} holds no certificate (PEM or DER expected)")
    return TrustStores(public=public, system=system, extra=extra)


# ---- interception products ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InterceptionSignature:
    product: str
    pattern: re.Pattern[str]


def _signature(product: str, pattern: str) -> InterceptionSignature:
    return InterceptionSignature(product, re.compile(pattern, re.IGNORECASE))


# Security software and proxies that re-sign TLS with a root of their own, found by the issuer's
# O, OU or CN. First match wins. Vendors that also run (or ran) a public CA are matched only by the
# names of their interception roots, never by the bare company name.
INTERCEPTION_PRODUCTS: tuple[InterceptionSignature, ...] = (
    # ESET Internet Security / NOD32 "SSL/TLS protocol filtering": "ESET SSL Filter CA"
    _signature("ESET", r"\bESET\b"),
    # Kaspersky "Encrypted connections scan": "Kaspersky Anti-Virus Personal Root Certificate"
    _signature("Kaspersky", r"\bKaspersky\b"),
    # Avast "Web/Mail Shield" HTTPS and mail scanning: "avast! Web/Mail Shield Root"
    _signature("Avast", r"\bavast\b"),
    # AVG (same engine as Avast): "AVG Web/Mail Shield Root"
    _signature("AVG", r"\bAVG\b"),
    # either of the two when the vendor name is missing: "Web/Mail Shield Root"
    _signature("Avast / AVG", r"Web/Mail Shield"),
    # Bitdefender "Encrypted web scan": "Bitdefender Personal CA.Net-Defender"
    _signature("Bitdefender", r"\bBitdefender\b|\bPersonal CA\.Net-Defender\b"),
    # Norton (Symantec's consumer line; "Symantec" alone was a public CA brand, so not matched)
    _signature("Norton", r"\bNorton\b"),
    # McAfee Web Gateway / McAfee (now Skyhigh) SSL scanner: "McAfee Web Gateway"
    _signature("McAfee", r"\bMcAfee\b|\bSkyhigh\b"),
    # Trend Micro InterScan / Deep Discovery / Virus Buster (ウイルスバスター) scanning
    _signature("Trend Micro", r"\bTrend ?Micro\b"),
    # Sophos UTM / XG "HTTPS scanning": "Sophos SSL CA", "Sophos HTTPS scanning"
    _signature("Sophos", r"\bSophos\b"),
    # Fortinet FortiGate deep inspection: "FortiGate CA", O=Fortinet
    _signature("Fortinet FortiGate", r"\bForti(?:Gate|net)\b"),
    # Zscaler Internet Access: "Zscaler Root CA", "Zscaler Intermediate Root CA"
    _signature("Zscaler", r"\bZscaler\b"),
    # Netskope cloud proxy: O=Netskope, "caadmin.netskope.com"
    _signature("Netskope", r"\bNetskope\b"),
    # Palo Alto Networks firewalls' SSL Forward Proxy (O=Palo Alto Networks)
    _signature("Palo Alto Networks", r"\bPalo ?Alto\b"),
    # Blue Coat / Symantec ProxySG: "Blue Coat SG...", "ProxySG"
    _signature("Blue Coat / Symantec ProxySG", r"\bBlue ?Coat\b|\bProxySG\b"),
    # Symantec Web Security Service (the cloud ProxySG), matched by its own name only
    _signature("Symantec Web Security Service", r"\bSymantec Web Security\b"),
    # Cisco Umbrella (OpenDNS) SSL decryption: "Cisco Umbrella Root CA"
    _signature("Cisco Umbrella", r"\bCisco Umbrella\b|\bOpenDNS\b"),
    # Check Point HTTPS inspection: O=Check Point Software Technologies
    _signature("Check Point", r"\bCheck ?Point\b"),
    # WatchGuard Firebox content inspection: "WatchGuard ... Proxy Authority"
    _signature("WatchGuard", r"\bWatchGuard\b"),
    # Barracuda Web Security Gateway / CloudGen firewall SSL inspection
    _signature("Barracuda", r"\bBarracuda\b"),
    # F-Secure (WithSecure) browsing protection
    _signature("F-Secure", r"\bF-Secure\b|\bWithSecure\b"),
    # G DATA "HTTPS scanning" / mail scanning
    _signature("G DATA", r"\bG ?DATA\b"),
    # Dr.Web SpIDer Gate / SpIDer Mail: O=Doctor Web
    _signature("Dr.Web", r"\bDr\.? ?Web\b|\bDoctor Web\b"),
    # Emsisoft Anti-Malware web protection
    _signature("Emsisoft", r"\bEmsisoft\b"),
    # mitmproxy, a debugging proxy: O=mitmproxy, CN=mitmproxy
    _signature("mitmproxy", r"\bmitmproxy\b"),
    # Charles Web Debugging Proxy: "Charles Proxy CA"
    _signature("Charles Proxy", r"\bCharles Proxy\b"),
    # Telerik Fiddler: "DO_NOT_TRUST_FiddlerRoot"
    _signature("Fiddler", r"Fiddler"),
)


def find_interception_product(
    certificates: Iterable[CertificateInfo],
    table: Sequence[InterceptionSignature] = INTERCEPTION_PRODUCTS,
) -> tuple[str, str] | None:
    """(product, the issuer name that matched) for the first issuer that names one, else None."""
    for info in certificates:
        for value in (info.issuer_o, info.issuer_ou, info.issuer_cn):
            if not value:
                continue
            for signature in table:
                if signature.pattern.search(value):
                    return signature.product, value
    return None


# ---- the assessment -------------------------------------------------------------------------------


class VerifyError(StrEnum):
    """What a strict client would complain about first (OpenSSL's order: trust, name, dates).

    Judged against the public stores (+ --ca-file): a chain that only the system store trusts is
    `unknown_issuer` here, with `trusted_system_only` set.
    """

    OK = "ok"
    SELF_SIGNED = "self_signed"
    UNKNOWN_ISSUER = "unknown_issuer"
    NAME_MISMATCH = "name_mismatch"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"


@dataclass(frozen=True, slots=True)
class CertificateAssessment:
    host: str
    checked_at: datetime
    leaf: CertificateInfo
    chain: tuple[CertificateInfo, ...]  # as sent, leaf first (unreadable extras left out)
    path: tuple[CertificateInfo, ...]  # leaf to root as verified (public first, else system); () if none
    name_matches: bool
    expired: bool  # the leaf's notAfter is past
    not_yet_valid: bool  # the leaf's notBefore is still to come
    chain_expired: bool  # an intermediate or the root on the verified path is out of its dates
    trusted_public: bool  # a path to a public (or --ca-file) root
    trusted_system_only: bool  # a path only to a root of the system store: installed locally
    self_signed: bool  # the leaf signed itself
    leaf_only: bool  # the server sent no intermediate
    interception_product: str | None
    interception_issuer: str | None  # the issuer name that named the product
    suggested_host: str | None  # the certificate's own name, when the typed host does not match
    verify_error: VerifyError

    @property
    def ok(self) -> bool:
        return self.verify_error is VerifyError.OK


def _require_ca(_policy: Policy, _certificate: x509.Certificate, constraints: x509.BasicConstraints) -> None:
    if not constraints.ca:
        raise ValueError("basicConstraints.cA is not asserted")


def _may_sign_certificates(
    _policy: Policy, _certificate: x509.Certificate, usage: x509.KeyUsage | None
) -> None:
    if usage is not None and not usage.key_cert_sign:
        raise ValueError("keyUsage lacks keyCertSign")


# As lenient as the mail programs' verifiers: the issuers must be CAs that may sign certificates;
# nothing else about the extensions (EKU, AKI/SKI, SAN on the leaf) decides trust here.
_CA_POLICY = (
    ExtensionPolicy.permit_all()
    .require_present(x509.BasicConstraints, Criticality.AGNOSTIC, _require_ca)
    .may_be_present(x509.KeyUsage, Criticality.AGNOSTIC, _may_sign_certificates)
)
_EE_POLICY = ExtensionPolicy.permit_all()


@functools.lru_cache(maxsize=16)
def _store(roots: tuple[x509.Certificate, ...]) -> Store:
    return Store(list(roots))


def _clamp(when: datetime, low: datetime, high: datetime) -> datetime:
    return min(max(when, low), high)


_MAX_DEPTH = 8


def _is_issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _may_issue(certificate: x509.Certificate) -> bool:
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except (x509.ExtensionNotFound, ValueError):
        return False


def _signature_path(
    leaf: x509.Certificate, others: Sequence[x509.Certificate], roots: tuple[x509.Certificate, ...]
) -> list[x509.Certificate] | None:
    """A path from leaf to one of roots by names and signatures alone, dates ignored."""
    if leaf in roots:
        return [leaf]

    def extend(path: list[x509.Certificate]) -> list[x509.Certificate] | None:
        current = path[-1]
        for root in roots:
            if root.subject == current.issuer and _is_issued_by(current, root):
                return [*path, root]
        if len(path) >= _MAX_DEPTH:
            return None
        for candidate in others:
            if (
                candidate not in path
                and candidate.subject == current.issuer
                and _may_issue(candidate)
                and _is_issued_by(current, candidate)
                and (found := extend([*path, candidate])) is not None
            ):
                return found
        return None

    return extend([leaf])


def _verify_at(
    leaf: x509.Certificate, others: Sequence[x509.Certificate], store: Store, when: datetime
) -> list[x509.Certificate] | None:
    verifier = (
        PolicyBuilder()
        .store(store)
        .time(when)
        .extension_policies(ca_policy=_CA_POLICY, ee_policy=_EE_POLICY)
        .build_client_verifier()  # no subject: the name is judged separately
    )
    try:
        return verifier.verify(leaf, list(others)).chain
    except VerificationError:
        return None


def _verified_path(
    leaf: x509.Certificate,
    others: Sequence[x509.Certificate],
    roots: tuple[x509.Certificate, ...],
    now: datetime,
) -> list[x509.Certificate] | None:
    """The path to one of roots, judged at a moment when the certificates were valid.

    First at `now` moved inside the leaf's dates. If that fails, a path by names and signatures
    is looked for: when its certificates share a moment of validity, the verifier judges the chain
    at that moment (and has the last word); when they share none (a root newer than its leaf's
    expiry, as with a renewed root), the signatures alone decide and the dates are reported apart.
    """
    if not roots:
        return None
    store = _store(roots)
    first = _clamp(now, leaf.not_valid_before_utc, leaf.not_valid_after_utc)
    if (chain := _verify_at(leaf, others, store, first)) is not None:
        return chain
    path = _signature_path(leaf, others, roots)
    if path is None:
        return None
    low = max(cert.not_valid_before_utc for cert in path)
    high = min(cert.not_valid_after_utc for cert in path)
    if low > high:
        return path
    when = _clamp(now, low, high)
    return None if when == first else _verify_at(leaf, others, store, when)


def _suggested_host(leaf: CertificateInfo, host: str) -> str | None:
    for name in leaf.reference_names:
        if "*" not in name and name.lower().rstrip(".") != host.lower().rstrip("."):
            return name
    return None


def _parse(der: bytes) -> x509.Certificate | None:
    try:
        return x509.load_der_x509_certificate(der)
    except ValueError:
        return None


def assess_chain(
    chain_der: Sequence[bytes], host: str, stores: TrustStores, now: datetime
) -> CertificateAssessment:
    """Judge the chain a server sent for `host` at `now` (aware).

    chain_der: leaf first, as sent (a leaf alone, extra or unrelated intermediates and a sent root
    are all fine). Raises ValueError for an empty chain, an unreadable leaf or a naive `now`.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not chain_der:
        raise ValueError("no certificate to assess")
    leaf_certificate = x509.load_der_x509_certificate(chain_der[0])
    others = [parsed for der in chain_der[1:] if (parsed := _parse(der)) is not None]
    leaf = CertificateInfo.from_certificate(leaf_certificate)
    chain = (leaf, *(CertificateInfo.from_certificate(cert) for cert in others))

    public_path = _verified_path(leaf_certificate, others, stores.publicly_trusted, now)
    system_path = None
    if public_path is None:
        system_path = _verified_path(leaf_certificate, others, stores.system, now)
    path = tuple(CertificateInfo.from_certificate(cert) for cert in (public_path or system_path or ()))

    name_matches = leaf.matches_host(host)
    expired = now > leaf.not_after
    not_yet_valid = now < leaf.not_before
    chain_expired = any(not info.valid_at(now) for info in path[1:])
    trusted_public = public_path is not None
    interception = find_interception_product((*chain, *path))

    if not trusted_public:
        verify_error = VerifyError.SELF_SIGNED if leaf.self_signed else VerifyError.UNKNOWN_ISSUER
    elif not name_matches:
        verify_error = VerifyError.NAME_MISMATCH
    elif expired or chain_expired:
        verify_error = VerifyError.EXPIRED
    elif not_yet_valid:
        verify_error = VerifyError.NOT_YET_VALID
    else:
        verify_error = VerifyError.OK

    return CertificateAssessment(
        host=host,
        checked_at=now,
        leaf=leaf,
        chain=chain,
        path=path,
        name_matches=name_matches,
        expired=expired,
        not_yet_valid=not_yet_valid,
        chain_expired=chain_expired,
        trusted_public=trusted_public,
        trusted_system_only=system_path is not None,
        self_signed=leaf.self_signed,
        leaf_only=len(chain_der) == 1,
        interception_product=interception[0] if interception else None,
        interception_issuer=interception[1] if interception else None,
        suggested_host=None if name_matches else _suggested_host(leaf, host),
        verify_error=verify_error,
    )
