"""The lab's certificates: a lab CA, leaves for every case a diagnosis must tell apart, and an
interception CA named like a security product's.

Made with `cryptography` in-process (about 10 ms a certificate with EC keys), so every test
session has fresh keys and no openssl script is needed.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

LAB_CA_NAME = "Maildoctor Lab CA"
# The name a well-known antivirus gives the root it installs to scan TLS ("SSL Filter").
INTERCEPTION_CA_NAME = "ESET SSL Filter CA"

# Names every "good" lab server certificate carries.
DEFAULT_SERVER_NAMES = (
    "localhost",
    "mail.example.test",
    "imap.example.test",
    "pop.example.test",
    "smtp.example.test",
    "mail.guess.test",  # the settings world where only guessing finds the server
)
# What a shared rental server's certificate names instead of the customer's domain.
RENTAL_SERVER_NAME = "sv1234.rental-server.test"


@dataclass(frozen=True, slots=True)
class CertFiles:
    cert: Path
    key: Path

    @property
    def pem(self) -> bytes:
        return self.cert.read_bytes()


@dataclass(frozen=True, slots=True)
class _Authority:
    files: CertFiles
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _write(
    directory: Path, stem: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
) -> CertFiles:
    directory.mkdir(parents=True, exist_ok=True)
    files = CertFiles(directory / f"{stem}.pem", directory / f"{stem}.key")
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    # Test-only keys: the servers' unprivileged users must read them.
    files.cert.chmod(0o644)
    files.key.chmod(0o644)
    return files


def _name(common_name: str, organization: str | None = None) -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        parts.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    return x509.Name(parts)


def _make_authority(directory: Path, stem: str, common_name: str) -> _Authority:
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name, common_name)
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return _Authority(_write(directory, stem, cert, key), cert, key)


def _san(names: Sequence[str]) -> x509.SubjectAlternativeName:
    entries: list[x509.GeneralName] = []
    for name in names:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            entries.append(x509.DNSName(name))
    return x509.SubjectAlternativeName(entries)


class LabPKI:
    """A lab CA and an interception CA in one directory, issuing leaf certificates on demand."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._ca = _make_authority(directory, "lab-ca", LAB_CA_NAME)
        self._interception_ca = _make_authority(directory, "interception-ca", INTERCEPTION_CA_NAME)

    @property
    def ca(self) -> CertFiles:
        """The lab CA: what a test passes as --ca-file to stand for the public trust store."""
        return self._ca.files

    @property
    def interception_ca(self) -> CertFiles:
        return self._interception_ca.files

    def issue(
        self,
        stem: str,
        names: Sequence[str] = (*DEFAULT_SERVER_NAMES, "127.0.0.1"),
        *,
        issuer: str = "lab",
        valid_from: dt.datetime | None = None,
        valid_until: dt.datetime | None = None,
        rsa_key: bool = False,
    ) -> CertFiles:
        """A server certificate. issuer: "lab", "interception" or "self" (self-signed).

        The key is EC P-256, or RSA 2048 with `rsa_key` (a server with static-RSA key exchange
        needs an RSA key: the client encrypts the secret with it).

        The files hold the leaf only; the lab CA is the whole chain, as with a server that
        sends no intermediates.
        """
        now = _now()
        key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if rsa_key
            else ec.generate_private_key(ec.SECP256R1())
        )
        subject = _name(names[0])
        if issuer == "self":
            issuer_name, signing_key, issuer_public = subject, key, key.public_key()
        elif issuer in ("lab", "interception"):
            authority = self._ca if issuer == "lab" else self._interception_ca
            issuer_name, signing_key = authority.certificate.subject, authority.key
            issuer_public = authority.key.public_key()
        else:
            raise ValueError(f"unknown issuer {issuer!r}")
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(valid_from or now - dt.timedelta(days=1))
            .not_valid_after(valid_until or now + dt.timedelta(days=90))
            .add_extension(_san(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            # newer OpenSSL/Python (3.13's VERIFY_X509_STRICT) require these on leaves
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_public), critical=False)
        )
        return _write(self.directory, stem, builder.sign(signing_key, hashes.SHA256()), key)

    def standard_set(self) -> StandardCerts:
        """One certificate for each case a diagnosis must tell apart."""
        now = _now()
        return StandardCerts(
            good=self.issue("server"),
            wrong_name=self.issue("wrong-name", (RENTAL_SERVER_NAME, "127.0.0.1")),
            expired=self.issue(
                "expired",
                valid_from=now - dt.timedelta(days=400),
                valid_until=now - dt.timedelta(days=10),
            ),
            self_signed=self.issue("self-signed", issuer="self"),
            intercepted=self.issue("intercepted", issuer="interception"),
        )


@dataclass(frozen=True, slots=True)
class StandardCerts:
    good: CertFiles
    wrong_name: CertFiles
    expired: CertFiles
    self_signed: CertFiles
    intercepted: CertFiles

    def by_kind(self, kind: str) -> CertFiles:
        """kind: good, wrong_name, expired, self_signed or intercepted (as scenarios name them)."""
        files = getattr(self, kind.replace("-", "_"), None)
        if not isinstance(files, CertFiles):
            raise KeyError(f"unknown certificate kind {kind!r}")
        return files
