"""tlsfacts: certificate facts, RFC 6125 names and the chain assessment, on the lab's certificates.

LabPKI is pure crypto (no servers), so every case is made fresh in tmp_path. Chains with an
intermediate, which LabPKI does not issue, are built here with cryptography.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import hashlib
import ipaddress
from collections.abc import Sequence
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from maildoctor.tlsfacts import (
    CertificateInfo,
    TrustStores,
    VerifyError,
    assess_chain,
    find_interception_product,
    host_matches,
    load_certificates,
    load_trust_stores,
)
from maildoctor_lab.certs import (
    INTERCEPTION_CA_NAME,
    LAB_CA_NAME,
    RENTAL_SERVER_NAME,
    CertFiles,
    LabPKI,
    StandardCerts,
)

NOW = dt.datetime.now(dt.UTC)
HOST = "mail.example.test"


# ---- helpers ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> LabPKI:
    return LabPKI(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def standard(lab: LabPKI) -> StandardCerts:
    return lab.standard_set()


def der(files: CertFiles) -> bytes:
    return x509.load_pem_x509_certificate(files.pem).public_bytes(serialization.Encoding.DER)


def cert(files: CertFiles) -> x509.Certificate:
    return x509.load_pem_x509_certificate(files.pem)


def private_key(files: CertFiles) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(files.key.read_bytes(), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def lab_stores(lab: LabPKI, system: Sequence[x509.Certificate] = ()) -> TrustStores:
    """The lab CA stands for the public roots (as --ca-file does in the lab)."""
    return TrustStores(public=(), system=tuple(system), extra=(cert(lab.ca),))


def build(
    subject: str,
    issuer: x509.Certificate | None,
    issuer_key: ec.EllipticCurvePrivateKey | None,
    *,
    ca: bool,
    names: Sequence[str] = (),
    days: tuple[int, int] = (-1, 90),
    organization: str | None = None,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A certificate signed by issuer (self-signed when None)."""
    key = ec.generate_private_key(ec.SECP256R1())
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, subject)]
    if organization:
        attributes.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    name = x509.Name(attributes)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW + dt.timedelta(days=days[0]))
        .not_valid_after(NOW + dt.timedelta(days=days[1]))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False
        )
    return builder.sign(issuer_key or key, hashes.SHA256()), key


def to_der(*certificates: x509.Certificate) -> list[bytes]:
    return [c.public_bytes(serialization.Encoding.DER) for c in certificates]


# ---- CertificateInfo ---------------------------------------------------------------------------------


def test_certificate_info_of_the_good_leaf(standard: StandardCerts) -> None:
    raw = der(standard.good)
    info = CertificateInfo.from_der(raw)
    assert info.subject_cn == "localhost"
    assert info.subject == "CN=localhost"
    assert info.dns_names == (
        "localhost",
        "mail.example.test",
        "imap.example.test",
        "pop.example.test",
        "smtp.example.test",
        "mail.guess.test",
    )
    assert info.ip_addresses == ("127.0.0.1",)
    assert (info.issuer_cn, info.issuer_o) == (LAB_CA_NAME, LAB_CA_NAME)
    assert info.issuer == f"CN={LAB_CA_NAME},O={LAB_CA_NAME}"
    assert info.issuer_display == LAB_CA_NAME
    assert info.not_before.tzinfo == dt.UTC and info.not_after.tzinfo == dt.UTC
    assert info.not_before < NOW < info.not_after
    assert not info.self_signed and not info.is_ca
    assert info.sha256 == hashlib.sha256(raw).hexdigest()
    assert (info.key_type, info.key_size, info.key_curve) == ("EC", 256, "secp256r1")
    assert info.signature_hash == "sha256"
    assert info.der == raw
    assert "sha256=" in repr(info) and raw.hex() not in repr(info)


def test_certificate_info_of_cas_and_self_signed(lab: LabPKI, standard: StandardCerts) -> None:
    ca = CertificateInfo.from_der(der(lab.ca))
    assert ca.is_ca and ca.self_signed
    selfie = CertificateInfo.from_der(der(standard.self_signed))
    assert selfie.self_signed and not selfie.is_ca
    assert selfie.issuer == selfie.subject


def test_same_names_but_another_key_is_not_self_signed() -> None:
    """issuer == subject is not enough: the certificate's own key must verify the signature."""
    other_key = ec.generate_private_key(ec.SECP256R1())
    forged, _ = build("forged.example.test", None, None, ca=False)
    name = forged.subject
    reissued = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(ec.generate_private_key(ec.SECP256R1()).public_key())
        .serial_number(1)
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=1))
        .sign(other_key, hashes.SHA256())
    )
    info = CertificateInfo.from_certificate(reissued)
    assert info.issuer == info.subject and not info.self_signed


def test_rsa_key_facts() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "old.example.test")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(255)
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=1))
        .sign(key, hashes.SHA384())
    )
    info = CertificateInfo.from_certificate(certificate)
    assert (info.key_type, info.key_size, info.signature_hash, info.serial) == ("RSA", 2048, "sha384", "ff")
    # no SANs: the CN is the name
    assert info.reference_names == ("old.example.test",)
    assert info.matches_host("OLD.example.test.")


def test_from_der_refuses_garbage() -> None:
    with pytest.raises(ValueError):
        CertificateInfo.from_der(b"\x30\x03\x02\x01\x00")


# ---- host names (RFC 6125) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "host", "expected"),
    [
        (["mail.example.jp"], "mail.example.jp", True),
        (["mail.example.jp"], "MAIL.Example.JP", True),
        (["MAIL.EXAMPLE.JP"], "mail.example.jp", True),
        (["mail.example.jp"], "mail.example.jp.", True),  # absolute form
        (["mail.example.jp"], "smtp.example.jp", False),
        (["*.example.jp"], "mail.example.jp", True),
        (["*.example.jp"], "MAIL.EXAMPLE.JP", True),
        (["*.example.jp"], "example.jp", False),  # the wildcard needs a label
        (["*.example.jp"], "a.mail.example.jp", False),  # one label deep only
        (["*.jp"], "example.jp", False),  # no wildcard over a top-level domain
        (["m*.example.jp"], "mail.example.jp", False),  # no partial wildcards
        (["*l.example.jp"], "mail.example.jp", False),
        (["mail.*.jp"], "mail.example.jp", False),  # left-most label only
        (["*.*.jp"], "mail.example.jp", False),
        (["*"], "localhost", False),
        (["*.example.jp"], "*.example.jp", False),  # a host is never a pattern
        (["xn--zckzah.example.jp"], "テスト.example.jp", True),  # IDN compared as A-labels
        (["*.example.jp"], "テスト.example.jp", True),
        (["xn--zckzah.example.jp"], "xn--zckzah.example.jp", True),
        (["sv1234.rental-server.test"], "mail.example.test", False),
        (["a.example.jp", "*.example.jp"], "b.example.jp", True),
        ([], "mail.example.jp", False),
        (["mail.example.jp"], "", False),
        (["mail.example.jp"], "mail..example.jp", False),
        (["127.0.0.1"], "127.0.0.1", False),  # an IP literal only against IP SANs
    ],
)
def test_host_matches_dns_names(names: list[str], host: str, expected: bool) -> None:
    assert host_matches(names, [], host) is expected


@pytest.mark.parametrize(
    ("ips", "host", "expected"),
    [
        (["127.0.0.1"], "127.0.0.1", True),
        (["127.0.0.1"], "127.0.0.2", False),
        (["::1"], "::1", True),
        (["::1"], "0:0:0:0:0:0:0:1", True),
        (["::1"], "[::1]", True),
        (["2001:db8::1"], "2001:DB8::1", True),
        (["192.0.2.1"], "::ffff:192.0.2.1", False),
        ([], "127.0.0.1", False),
    ],
)
def test_host_matches_ip_addresses(ips: list[str], host: str, expected: bool) -> None:
    assert host_matches(["localhost", "*.example.jp"], ips, host) is expected


def test_ip_host_does_not_match_a_dns_name_of_the_same_text() -> None:
    assert not host_matches(["192.0.2.1"], [], "192.0.2.1")
    assert host_matches([], ["192.0.2.1"], "192.0.2.1")


def test_cn_is_not_used_when_sans_exist() -> None:
    certificate, _ = build("mail.example.jp", None, None, ca=False, names=["other.example.jp"])
    info = CertificateInfo.from_certificate(certificate)
    assert info.reference_names == ("other.example.jp",)
    assert not info.matches_host("mail.example.jp")
    assert info.matches_host("other.example.jp")


# ---- the assessment ----------------------------------------------------------------------------------


def test_good_certificate(lab: LabPKI, standard: StandardCerts) -> None:
    result = assess_chain([der(standard.good)], HOST, lab_stores(lab), NOW)
    assert result.verify_error is VerifyError.OK and result.ok
    assert result.name_matches and result.trusted_public and not result.trusted_system_only
    assert not (result.expired or result.not_yet_valid or result.chain_expired or result.self_signed)
    assert result.leaf_only
    assert result.interception_product is None and result.suggested_host is None
    assert [info.subject_cn for info in result.path] == ["localhost", LAB_CA_NAME]
    assert result.leaf.sha256 == result.chain[0].sha256


def test_good_certificate_by_ip_address(lab: LabPKI, standard: StandardCerts) -> None:
    assert assess_chain([der(standard.good)], "127.0.0.1", lab_stores(lab), NOW).ok
    other = assess_chain([der(standard.good)], "127.0.0.2", lab_stores(lab), NOW)
    assert other.verify_error is VerifyError.NAME_MISMATCH


def test_wrong_name_on_a_rental_server(lab: LabPKI, standard: StandardCerts) -> None:
    result = assess_chain([der(standard.wrong_name)], HOST, lab_stores(lab), NOW)
    assert result.verify_error is VerifyError.NAME_MISMATCH
    assert not result.name_matches and result.trusted_public
    assert result.suggested_host == RENTAL_SERVER_NAME == "sv1234.rental-server.test"


def test_suggested_host_skips_wildcards(lab: LabPKI) -> None:
    files = lab.issue("wildcard", ["*.rental-server.test", "www.rental-server.test"])
    result = assess_chain([der(files)], HOST, lab_stores(lab), NOW)
    assert result.suggested_host == "www.rental-server.test"
    only_wildcard = lab.issue("only-wildcard", ["*.rental-server.test"])
    assert assess_chain([der(only_wildcard)], HOST, lab_stores(lab), NOW).suggested_host is None
    assert assess_chain([der(only_wildcard)], "sv9.rental-server.test", lab_stores(lab), NOW).ok


def test_expired(lab: LabPKI, standard: StandardCerts) -> None:
    result = assess_chain([der(standard.expired)], HOST, lab_stores(lab), NOW)
    assert result.expired and not result.not_yet_valid
    assert result.verify_error is VerifyError.EXPIRED
    # trust is judged inside the leaf's dates: the lab CA did issue it
    assert result.trusted_public and result.name_matches
    assert result.leaf.not_after < NOW


def test_not_yet_valid(lab: LabPKI) -> None:
    files = lab.issue(
        "future", valid_from=NOW + dt.timedelta(days=3), valid_until=NOW + dt.timedelta(days=90)
    )
    result = assess_chain([der(files)], HOST, lab_stores(lab), NOW)
    assert result.not_yet_valid and not result.expired
    assert result.verify_error is VerifyError.NOT_YET_VALID
    assert result.trusted_public


def test_self_signed(lab: LabPKI, standard: StandardCerts) -> None:
    result = assess_chain([der(standard.self_signed)], HOST, lab_stores(lab), NOW)
    assert result.self_signed and not result.trusted_public and not result.trusted_system_only
    assert result.verify_error is VerifyError.SELF_SIGNED
    assert result.name_matches  # each fact on its own
    assert result.path == ()


def test_self_signed_given_as_ca_file_is_trusted(standard: StandardCerts) -> None:
    """--ca-file with the server's own certificate (pinning a self-signed server)."""
    stores = TrustStores(extra=(cert(standard.self_signed),))
    result = assess_chain([der(standard.self_signed)], HOST, stores, NOW)
    assert result.ok and result.self_signed and result.trusted_public


def test_intercepted_by_security_software(lab: LabPKI, standard: StandardCerts) -> None:
    result = assess_chain([der(standard.intercepted)], HOST, lab_stores(lab), NOW)
    assert result.interception_product == "ESET"
    assert result.interception_issuer == INTERCEPTION_CA_NAME
    assert not result.trusted_public and not result.trusted_system_only
    assert result.verify_error is VerifyError.UNKNOWN_ISSUER
    assert result.name_matches and not result.self_signed


def test_interception_root_installed_in_the_system_store(lab: LabPKI, standard: StandardCerts) -> None:
    stores = lab_stores(lab, system=[cert(lab.interception_ca)])
    result = assess_chain([der(standard.intercepted)], HOST, stores, NOW)
    assert result.trusted_system_only and not result.trusted_public
    assert result.verify_error is VerifyError.UNKNOWN_ISSUER  # judged against the public stores
    assert [info.subject_cn for info in result.path] == ["localhost", INTERCEPTION_CA_NAME]
    # the genuine certificate is trusted publicly, so never "system only"
    good = assess_chain([der(standard.good)], HOST, stores, NOW)
    assert good.trusted_public and not good.trusted_system_only


def test_unnamed_interception_is_seen_by_its_system_only_root() -> None:
    root, root_key = build("Corporate Inspection Root", None, None, ca=True, days=(-10, 3650))
    leaf, _ = build("mail.example.test", root, root_key, ca=False, names=[HOST])
    stores = TrustStores(public=(), system=(root,))
    result = assess_chain(to_der(leaf), HOST, stores, NOW)
    assert result.trusted_system_only and result.interception_product is None


@pytest.fixture(scope="module")
def chain(lab: LabPKI) -> tuple[x509.Certificate, x509.Certificate, x509.Certificate]:
    """(root, intermediate, leaf): the lab CA, an issuing CA under it, a leaf from that."""
    root = cert(lab.ca)
    intermediate, intermediate_key = build(
        "Lab Issuing CA 1", root, private_key(lab.ca), ca=True, days=(-10, 365)
    )
    leaf, _ = build("mail.example.test", intermediate, intermediate_key, ca=False, names=[HOST])
    return root, intermediate, leaf


class TestIntermediates:
    def test_leaf_and_intermediate(self, lab: LabPKI, chain: tuple[x509.Certificate, ...]) -> None:
        _, intermediate, leaf = chain
        result = assess_chain(to_der(leaf, intermediate), HOST, lab_stores(lab), NOW)
        assert result.ok and not result.leaf_only
        assert [info.subject_cn for info in result.path] == [HOST, "Lab Issuing CA 1", LAB_CA_NAME]

    def test_missing_intermediate(self, lab: LabPKI, chain: tuple[x509.Certificate, ...]) -> None:
        _, _, leaf = chain
        result = assess_chain(to_der(leaf), HOST, lab_stores(lab), NOW)
        assert result.leaf_only and not result.trusted_public
        assert result.verify_error is VerifyError.UNKNOWN_ISSUER

    def test_extra_and_unrelated_certificates(self, lab: LabPKI, chain: tuple[x509.Certificate, ...]) -> None:
        root, intermediate, leaf = chain
        sent = to_der(leaf, cert(lab.interception_ca), intermediate, root)
        result = assess_chain([*sent, b"not a certificate"], HOST, lab_stores(lab), NOW)
        assert result.ok
        assert len(result.chain) == 4  # the unreadable one left out
        assert [info.subject_cn for info in result.path] == [HOST, "Lab Issuing CA 1", LAB_CA_NAME]

    def test_expired_intermediate(self, lab: LabPKI) -> None:
        root = cert(lab.ca)
        old, old_key = build("Lab Old CA", root, private_key(lab.ca), ca=True, days=(-400, -5))
        leaf, _ = build(HOST, old, old_key, ca=False, names=[HOST], days=(-100, 60))
        result = assess_chain(to_der(leaf, old), HOST, lab_stores(lab), NOW)
        assert result.trusted_public and result.chain_expired and not result.expired
        assert result.verify_error is VerifyError.EXPIRED

    def test_a_leaf_cannot_issue(self, lab: LabPKI, standard: StandardCerts) -> None:
        fake_issuer = cert(standard.good)
        leaf, _ = build(HOST, fake_issuer, private_key(standard.good), ca=False, names=[HOST])
        result = assess_chain(to_der(leaf, fake_issuer), HOST, lab_stores(lab), NOW)
        assert not result.trusted_public


def test_order_of_verify_errors(lab: LabPKI) -> None:
    """OpenSSL's order: trust, then the name, then the dates."""
    expired_elsewhere = lab.issue(
        "expired-rental",
        (RENTAL_SERVER_NAME,),
        valid_from=NOW - dt.timedelta(days=100),
        valid_until=NOW - dt.timedelta(days=1),
    )
    result = assess_chain([der(expired_elsewhere)], HOST, lab_stores(lab), NOW)
    assert result.expired and not result.name_matches
    assert result.verify_error is VerifyError.NAME_MISMATCH
    untrusted = assess_chain([der(expired_elsewhere)], HOST, TrustStores(), NOW)
    assert untrusted.verify_error is VerifyError.UNKNOWN_ISSUER
    assert untrusted.expired and not untrusted.name_matches


def test_refuses_empty_chains_and_naive_times(lab: LabPKI, standard: StandardCerts) -> None:
    with pytest.raises(ValueError, match="no certificate"):
        assess_chain([], HOST, lab_stores(lab), NOW)
    with pytest.raises(ValueError, match="timezone"):
        assess_chain([der(standard.good)], HOST, lab_stores(lab), dt.datetime(2030, 1, 1))


# ---- interception table -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issuer", "product"),
    [
        ("ESET SSL Filter CA", "ESET"),
        ("Kaspersky Anti-Virus Personal Root Certificate", "Kaspersky"),
        ("avast! Web/Mail Shield Root", "Avast"),
        ("AVG Web/Mail Shield Root", "AVG"),
        ("Bitdefender Personal CA.Net-Defender", "Bitdefender"),
        ("Norton Security Root", "Norton"),
        ("McAfee Web Gateway", "McAfee"),
        ("Trend Micro InterScan", "Trend Micro"),
        ("Sophos SSL CA_C1234", "Sophos"),
        ("FortiGate CA", "Fortinet FortiGate"),
        ("Zscaler Root CA", "Zscaler"),
        ("caadmin.netskope.com", "Netskope"),
        ("Palo Alto Networks Decryption CA", "Palo Alto Networks"),
        ("Blue Coat SG900 Series", "Blue Coat / Symantec ProxySG"),
        ("Cisco Umbrella Root CA", "Cisco Umbrella"),
        ("Check Point Software Technologies", "Check Point"),
        ("WatchGuard HTTPS Proxy Authority", "WatchGuard"),
        ("Barracuda Web Security Gateway", "Barracuda"),
        ("F-Secure Browsing Protection", "F-Secure"),
        ("G DATA Mail Scanner Root", "G DATA"),
        ("Dr.Web SpIDer Gate", "Dr.Web"),
        ("Emsisoft Web Protection", "Emsisoft"),
        ("mitmproxy", "mitmproxy"),
        ("Charles Proxy CA (1 Jan 2024, host)", "Charles Proxy"),
        ("DO_NOT_TRUST_FiddlerRoot", "Fiddler"),
        # public CAs and ordinary names: nothing
        ("DigiCert Global G2 TLS RSA SHA256 2020 CA1", None),
        ("R11", None),
        ("Let's Encrypt", None),
        ("Symantec Class 3 Secure Server CA - G4", None),
        ("GlobalSign RSA OV SSL CA 2018", None),
        ("Cybertrust Japan SureServer CA G4", None),
        ("Reset Networks Root", None),
        ("Big Data Services CA", None),
    ],
)
def test_interception_products(standard: StandardCerts, issuer: str, product: str | None) -> None:
    base = CertificateInfo.from_der(der(standard.good))
    info = dataclasses.replace(base, issuer_cn=issuer, issuer_o=None, issuer_ou=None)
    found = find_interception_product([info])
    assert (found[0] if found else None) == product
    if found:
        assert found[1] == issuer


def test_interception_found_in_an_upper_chain_certificate(lab: LabPKI) -> None:
    root, root_key = build("Zscaler Root CA", None, None, ca=True, organization="Zscaler Inc.")
    middle, middle_key = build("Intermediate CA", root, root_key, ca=True)
    leaf, _ = build(HOST, middle, middle_key, ca=False, names=[HOST])
    result = assess_chain(to_der(leaf, middle), HOST, lab_stores(lab), NOW)
    assert result.interception_product == "Zscaler"


# ---- trust stores -------------------------------------------------------------------------------------


def test_load_trust_stores(lab: LabPKI, standard: StandardCerts, tmp_path: Path) -> None:
    stores = load_trust_stores(lab.ca.cert, system_bundle=None)
    assert len(stores.public) > 100  # certifi's copy of Mozilla's roots
    assert stores.system == ()
    assert stores.extra == (cert(lab.ca),)
    # the lab CA is not a public root: without --ca-file the lab's server is not trusted
    public_only = dataclasses.replace(stores, extra=())
    assert not assess_chain([der(standard.good)], HOST, public_only, NOW).trusted_public
    assert assess_chain([der(standard.good)], HOST, stores, NOW).ok

    der_file = tmp_path / "ca.der"
    der_file.write_bytes(der(lab.ca))
    assert load_trust_stores(der_file, system_bundle=None).extra == (cert(lab.ca),)
    with_system = load_trust_stores(None, system_bundle=lab.interception_ca.cert)
    assert with_system.system == (cert(lab.interception_ca),) and with_system.extra == ()
    empty = tmp_path / "empty.pem"
    empty.write_text("nothing here\n")
    with pytest.raises(ValueError, match="no certificate"):
        load_trust_stores(empty, system_bundle=None)
    with pytest.raises(OSError):
        load_trust_stores(tmp_path / "missing.pem", system_bundle=None)


def test_load_certificates_skips_junk(lab: LabPKI) -> None:
    bundle = (
        lab.ca.pem
        + b"\n-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"
        + lab.interception_ca.pem
    )
    assert load_certificates(bundle) == (cert(lab.ca), cert(lab.interception_ca))
    assert load_certificates(b"\x00junk") == ()


def test_system_bundle_of_this_machine() -> None:
    """Debian's bundle, when present, holds public roots as well: they verify publicly too."""
    stores = load_trust_stores(None)
    if stores.system:
        assert len(stores.system) > 100


# ---- purity ---------------------------------------------------------------------------------------------


def test_tlsfacts_does_no_io_imports() -> None:
    package = Path(__file__).resolve().parents[2] / "src" / "maildoctor" / "tlsfacts"
    forbidden = ("socket", "ssl", "asyncio", "sqlite3", "maildoctor.net", "maildoctor_lab")
    files = sorted(package.glob("*.py"))
    assert files
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules: list[str] = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            for module in modules:
                assert not any(module == bad or module.startswith(f"{bad}.") for bad in forbidden), (
                    f"{path.name} imports {module}"
                )


def test_ip_addresses_are_normalised_text(lab: LabPKI) -> None:
    files = lab.issue("v6", ["v6.example.test", "::1", "2001:db8::1"])
    info = CertificateInfo.from_der(der(files))
    assert info.ip_addresses == ("::1", "2001:db8::1")
    assert all(ipaddress.ip_address(ip) for ip in info.ip_addresses)
    assert info.matches_host("[::1]") and not info.matches_host("127.0.0.1")


def test_policy_still_decides_when_the_dates_allow(lab: LabPKI) -> None:
    """A CA whose keyUsage forbids signing certificates: the signatures fit, the verifier says no."""
    root = cert(lab.ca)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "No-Signing CA")])
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    middle = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(hours=1))
        .not_valid_after(NOW + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(private_key(lab.ca), hashes.SHA256())
    )
    leaf, _ = build(HOST, middle, key, ca=False, names=[HOST])
    result = assess_chain(to_der(leaf, middle), HOST, lab_stores(lab), NOW)
    assert not result.trusted_public and result.verify_error is VerifyError.UNKNOWN_ISSUER
