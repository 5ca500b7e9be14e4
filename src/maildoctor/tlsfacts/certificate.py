"""One certificate as plain facts, and the RFC 6125 host name check.

Pure: `cryptography` parses, nothing here touches the network or the clock.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import NameOID

from maildoctor.domainname import normalize_domain

__all__ = ["CertificateInfo", "host_matches"]


def _first(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    for attribute in name.get_attributes_for_oid(oid):
        value = attribute.value
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return None


def _key_facts(certificate: x509.Certificate) -> tuple[str, int | None, str | None]:
    """(type, size in bits, curve name) of the certificate's public key."""
    try:
        key = certificate.public_key()
    except (ValueError, UnsupportedAlgorithm):
        return "unknown", None, None
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size, None
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "EC", key.curve.key_size, key.curve.name
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256, None
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", 456, None
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size, None
    return "unknown", None, None


def _signature_hash(certificate: x509.Certificate) -> str | None:
    """ "sha256", "sha1", ...; None for algorithms without a separate hash (Ed25519) or unknown ones."""
    try:
        algorithm = certificate.signature_hash_algorithm
    except UnsupportedAlgorithm:
        return None
    return algorithm.name if algorithm is not None else None


def _is_self_signed(certificate: x509.Certificate) -> bool:
    """Issuer equals subject and its own key verifies the signature."""
    if certificate.issuer != certificate.subject:
        return False
    try:
        certificate.verify_directly_issued_by(certificate)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _alt_names(certificate: x509.Certificate) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(DNS names, IP addresses) of the subjectAltName extension; empty when absent or unreadable."""
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        return (), ()
    dns = tuple(str(name) for name in san.get_values_for_type(x509.DNSName))
    ips = tuple(str(address) for address in san.get_values_for_type(x509.IPAddress))
    return dns, ips


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except (x509.ExtensionNotFound, ValueError):
        return False
    return constraints.ca


def _rfc4514(name: x509.Name) -> str:
    try:
        return name.rfc4514_string()
    except ValueError:  # an attribute cryptography cannot render
        return ""


@dataclass(frozen=True, slots=True)
class CertificateInfo:
    """What a person (or a rule) needs to know about one certificate."""

    subject: str  # RFC 4514
    subject_cn: str | None
    subject_o: str | None
    dns_names: tuple[str, ...]  # as written in the certificate (A-labels, maybe wildcards)
    ip_addresses: tuple[str, ...]
    issuer: str  # RFC 4514
    issuer_cn: str | None
    issuer_o: str | None
    issuer_ou: str | None
    not_before: datetime  # aware, UTC
    not_after: datetime  # aware, UTC
    self_signed: bool
    is_ca: bool
    sha256: str  # fingerprint of the DER, lower-case hex without separators
    serial: str  # hex
    key_type: str  # RSA | EC | Ed25519 | Ed448 | DSA | unknown
    key_size: int | None  # bits
    key_curve: str | None  # EC only: secp256r1, ...
    signature_hash: str | None  # sha256, sha1, ...; None for Ed25519/Ed448
    der: bytes

    @classmethod
    def from_certificate(cls, certificate: x509.Certificate) -> CertificateInfo:
        der = certificate.public_bytes(serialization.Encoding.DER)
        dns, ips = _alt_names(certificate)
        key_type, key_size, key_curve = _key_facts(certificate)
        return cls(
            subject=_rfc4514(certificate.subject),
            subject_cn=_first(certificate.subject, NameOID.COMMON_NAME),
            subject_o=_first(certificate.subject, NameOID.ORGANIZATION_NAME),
            dns_names=dns,
            ip_addresses=ips,
            issuer=_rfc4514(certificate.issuer),
            issuer_cn=_first(certificate.issuer, NameOID.COMMON_NAME),
            issuer_o=_first(certificate.issuer, NameOID.ORGANIZATION_NAME),
            issuer_ou=_first(certificate.issuer, NameOID.ORGANIZATIONAL_UNIT_NAME),
            not_before=certificate.not_valid_before_utc,
            not_after=certificate.not_valid_after_utc,
            self_signed=_is_self_signed(certificate),
            is_ca=_is_ca(certificate),
            sha256=hashlib.sha256(der).hexdigest(),
            serial=format(certificate.serial_number, "x"),
            key_type=key_type,
            key_size=key_size,
            key_curve=key_curve,
            signature_hash=_signature_hash(certificate),
            der=der,
        )

    @classmethod
    def from_der(cls, der: bytes) -> CertificateInfo:
        """Raises ValueError when der is not a certificate cryptography can read."""
        return cls.from_certificate(x509.load_der_x509_certificate(der))

    @property
    def reference_names(self) -> tuple[str, ...]:
        """The DNS names a host is checked against: the SANs, or the CN only when there are no SANs."""
        if self.dns_names or self.ip_addresses:
            return self.dns_names
        return (self.subject_cn,) if self.subject_cn else ()

    @property
    def issuer_display(self) -> str:
        """The issuer as a person reads it: "CN (O)", or whichever of the two exists, or RFC 4514."""
        if self.issuer_cn and self.issuer_o and self.issuer_o != self.issuer_cn:
            return f"{self.issuer_cn} ({self.issuer_o})"
        return self.issuer_cn or self.issuer_o or self.issuer

    def matches_host(self, host: str) -> bool:
        return host_matches(self.reference_names, self.ip_addresses, host)

    def valid_at(self, when: datetime) -> bool:
        return self.not_before <= when <= self.not_after

    def __repr__(self) -> str:  # the DER would drown everything else
        fingerprint = self.sha256[:16]
        return f"CertificateInfo(subject={self.subject!r}, issuer={self.issuer!r}, sha256={fingerprint}…)"


# ---- RFC 6125 host name matching -----------------------------------------------------------------


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().removeprefix("[").removesuffix("]"))
    except ValueError:
        return None


def _name_matches(pattern: str, host: str) -> bool:
    """pattern: one presented DNS name (maybe `*.example.jp`); host: already normalized."""
    presented = normalize_domain(pattern)
    if not presented:
        return False
    if "*" not in presented:
        return presented == host
    first, _, rest = presented.partition(".")
    # Only a whole left-most label may be "*" (no f*.example.jp, no *.*.jp, no www.*.jp), and it
    # must leave at least two labels (no *.jp): RFC 6125 6.4.3 as browsers apply it.
    if first != "*" or "*" in rest or rest.count(".") < 1:
        return False
    host_first, _, host_rest = host.partition(".")
    return bool(host_first) and host_rest == rest


def host_matches(names: Iterable[str], ips: Iterable[str], host: str) -> bool:
    """Does a certificate presenting DNS `names` and IP `ips` name `host` (RFC 6125)?

    An IP literal is compared with the IP SANs only; a DNS name with the DNS names only.
    Case-insensitive; an IDN host is compared in its A-label form; a wildcard covers exactly one
    whole left-most label. The caller passes the CN as a name only when the certificate has no
    SANs (CertificateInfo.reference_names does).
    """
    address = _ip(host)
    if address is not None:
        return any(_ip(ip) == address for ip in ips)
    normalized = normalize_domain(host)
    if not normalized or "*" in normalized:
        return False
    return any(_name_matches(name, normalized) for name in names)
