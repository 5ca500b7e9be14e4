"""DKIM key records: dkimpy's test records (../shared/data/dkim, zlib-style licence), keys
made here, the selector lists and the search over selectors (no network)."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Mapping
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from maildoctor.domain.dkim import (
    COMMON_SELECTORS,
    KEY_PLACEHOLDER,
    PROVIDER_SELECTORS,
    DkimKeyError,
    DkimKeyType,
    DkimProblemCode,
    candidate_selectors,
    check_dkim_key,
    find_dkim_keys,
    key_name,
    parse_dkim_key,
    selectors_for_mx,
)
from maildoctor.domain.dmarc import TxtLookup
from maildoctor.facts import DnsLookup, DnsOutcome
from maildoctor.model import Severity

C = DkimProblemCode
REPO = Path(__file__).resolve().parents[2]
DKIMPY = REPO.parent / "shared" / "data" / "dkim" / "dkim" / "tests" / "data"

# dkimpy's key records: (usable, key type, bits, the problem codes)
DKIMPY_RECORDS: dict[str, tuple[bool, str | None, int | None, set[DkimProblemCode]]] = {
    "test.txt": (True, "rsa", 1024, {C.KEY_WEAK}),
    "test2.txt": (True, "rsa", 1024, {C.KEY_WEAK}),  # no k=: rsa
    "ed25519test.dns": (True, "ed25519", 256, set()),  # no v=: optional
    "eximtest.dns": (True, "ed25519", 256, set()),
    "badk.txt": (False, None, None, {C.UNKNOWN_KEY_TYPE}),  # k=ed25519-sha256 is no key type
    "badversion.txt": (False, None, None, {C.BAD_VERSION}),  # "v=DKIM1: g=*" (a colon)
    "test_bad.txt": (False, None, None, {C.BAD_KEY_DATA}),  # the DER is cut short
    "test_tlsrpt.txt": (False, None, None, {C.NOT_FOR_EMAIL}),  # s=tlsrpt (RFC 8460 section 3)
}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def spki(key: rsa.RSAPublicKey | ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey) -> str:
    return b64(key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))


def rsa_key(bits: int) -> rsa.RSAPublicKey:
    if bits >= 1024:
        return rsa.generate_private_key(65537, bits).public_key()
    # cryptography no longer generates short keys; a modulus of that length is enough here
    return rsa.RSAPublicNumbers(65537, (1 << (bits - 1)) | 0x10001).public_key()


# ----------------------------------------------------------------------------- dkimpy's records


@pytest.mark.skipif(not DKIMPY.is_dir(), reason=f"{DKIMPY} is not here")
@pytest.mark.parametrize("name", sorted(DKIMPY_RECORDS))
def test_dkimpy_records(name: str) -> None:
    usable, kind, bits, codes = DKIMPY_RECORDS[name]
    text = (DKIMPY / name).read_text().strip()
    check = check_dkim_key(text, "test", "example.com")
    assert check.usable is usable
    assert {problem.code for problem in check.problems} == codes
    if usable:
        key = parse_dkim_key(text)
        assert (key.key_type.value, key.key_bits) == (kind, bits)
    else:
        with pytest.raises(DkimKeyError):
            parse_dkim_key(text)


@pytest.mark.skipif(not DKIMPY.is_dir(), reason=f"{DKIMPY} is not here")
def test_dkimpy_private_keys_give_their_public_keys() -> None:
    """The records' p= are the public halves of dkimpy's test.private."""
    private = serialization.load_pem_private_key((DKIMPY / "test.private").read_bytes(), password=None)
    assert isinstance(private, rsa.RSAPrivateKey)
    key = parse_dkim_key((DKIMPY / "test.txt").read_text().strip())
    assert key.key_data == spki(private.public_key()) and key.key_format == "spki"


def test_every_dkimpy_record_is_judged() -> None:
    if DKIMPY.is_dir():
        shipped = {path.name for path in DKIMPY.iterdir() if path.suffix in (".txt", ".dns")}
        assert shipped == set(DKIMPY_RECORDS)


# ------------------------------------------------------------------------------------ key lengths


@pytest.mark.parametrize(
    ("bits", "codes", "usable"),
    [(512, {C.KEY_TOO_SHORT}, False), (1024, {C.KEY_WEAK}, True), (2048, set(), True), (4096, set(), True)],
)
def test_rsa_key_lengths(bits: int, codes: set[DkimProblemCode], usable: bool) -> None:
    text = f"v=DKIM1; k=rsa; p={spki(rsa_key(bits))}"
    check = check_dkim_key(text, "s1", "example.jp")
    assert check.key is not None and check.key.key_bits == bits
    assert {problem.code for problem in check.problems} == codes and check.usable is usable


def test_bare_pkcs1_rsa_key() -> None:
    key = rsa_key(2048)
    pkcs1 = b64(key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1))
    parsed = parse_dkim_key(f"k=rsa; p={pkcs1}")
    assert parsed.key_bits == 2048 and parsed.key_format == "pkcs1"


def test_key_split_over_strings_with_spaces() -> None:
    data = spki(rsa_key(2048))
    text = f"v=DKIM1; k=RSA; p={data[:200]} {data[200:]}"  # FWS inside p=, k= in capitals
    key = parse_dkim_key(text)
    assert key.key_data == data and key.key_type is DkimKeyType.RSA


def test_ed25519() -> None:
    raw = (
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    key = parse_dkim_key(f"v=DKIM1; k=ed25519; p={b64(raw)}")
    assert key.key_type is DkimKeyType.ED25519 and key.key_bits == 256 and key.key_format == "raw"
    with pytest.raises(DkimKeyError) as caught:  # the SubjectPublicKeyInfo form is not RFC 8463's
        parse_dkim_key(f"v=DKIM1; k=ed25519; p={spki(ed25519.Ed25519PrivateKey.generate().public_key())}")
    assert caught.value.code is C.BAD_KEY_DATA


def test_an_ec_key_is_not_an_rsa_key() -> None:
    with pytest.raises(DkimKeyError) as caught:
        parse_dkim_key(f"v=DKIM1; p={spki(ec.generate_private_key(ec.SECP256R1()).public_key())}")
    assert caught.value.code is C.BAD_KEY_DATA


# ------------------------------------------------------------------------------------- the tags


KEY = spki(rsa_key(2048))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("v=DKIM1; k=rsa", C.MISSING_KEY),
        ("v=DKIM1; p=###", C.BAD_KEY_DATA),
        (f"k=rsa; v=DKIM1; p={KEY}", C.BAD_VERSION),
        (f"v=DKIM2; p={KEY}", C.BAD_VERSION),
        (f"v=DKIM1; p={KEY}; p={KEY}", C.DUPLICATE_TAG),
        (f"v=DKIM1; junk; p={KEY}", C.SYNTAX),
        (f"v=DKIM1; h=sha1; p={KEY}", C.SHA1_ONLY),
        (f"v=DKIM1; s=tlsrpt; p={KEY}", C.NOT_FOR_EMAIL),
        (f"v=DKIM1; k=dsa; p={KEY}", C.UNKNOWN_KEY_TYPE),
    ],
)
def test_broken_records(text: str, code: DkimProblemCode) -> None:
    with pytest.raises(DkimKeyError) as caught:
        parse_dkim_key(text)
    assert caught.value.code is code
    check = check_dkim_key(text, "mail", "example.jp")
    assert not check.usable and check.problems[0].code is code
    assert check.problems[0].suggestion == (
        f'mail._domainkey.example.jp TXT "v=DKIM1; k=rsa; p={KEY_PLACEHOLDER}"'
    )


def test_revoked_key() -> None:
    check = check_dkim_key("v=DKIM1; k=rsa; p=", "old", "example.jp")
    assert check.key is not None and check.key.revoked and not check.usable
    assert [problem.code for problem in check.problems] == [C.REVOKED]
    assert check.problems[0].severity is Severity.WARNING


def test_flags_and_lists() -> None:
    check = check_dkim_key(f"v=DKIM1; h=sha1:sha256; s=email:tlsrpt; t=y:s; n=note; g=*; p={KEY}")
    assert check.usable and check.key is not None
    assert check.key.hashes == ("sha1", "sha256") and check.key.services == ("email", "tlsrpt")
    assert check.key.testing and check.key.strict and check.key.notes == "note"
    assert check.key.unknown_tags == ("g",)
    assert [(problem.code, problem.severity) for problem in check.problems] == [
        (C.TESTING, Severity.WARNING),
        (C.STRICT_IDENTITY, Severity.INFO),
    ]
    assert check.problems[1].suggestion is None


# ----------------------------------------------------------------------------------- selectors


def test_selector_data() -> None:
    for source in PROVIDER_SELECTORS:
        assert source.selectors and source.confirmed in ("stored-page", "recalled")
        if source.confirmed == "stored-page":
            assert source.source.startswith("https://")
    providers = {source.provider: source.selectors for source in PROVIDER_SELECTORS}
    assert providers["Google Workspace"] == ("google",)
    assert providers["Microsoft 365"] == ("selector1", "selector2")
    assert providers["Xserver"] == ("default",)
    assert {"default", "dkim", "mail", "k1", "s1", "s2"} <= set(COMMON_SELECTORS)


@pytest.mark.parametrize(
    ("mx", "selectors"),
    [
        (["aspmx.l.google.com.", "alt1.aspmx.l.google.com"], ("google",)),
        (["example-jp.mail.protection.outlook.com"], ("selector1", "selector2")),
        (["sv1234.xserver.jp"], ("default",)),
        (["mx.example.jp"], ()),
    ],
)
def test_selectors_for_mx(mx: list[str], selectors: tuple[str, ...]) -> None:
    assert selectors_for_mx(mx) == selectors


def test_candidate_order() -> None:
    order = candidate_selectors(["sakura2024", "google"], ["sv1.xserver.jp"])
    assert order[:3] == ("sakura2024", "google", "default")
    assert len(order) == len(set(order))
    assert set(COMMON_SELECTORS) <= set(order)
    with pytest.raises(ValueError, match="not a DKIM selector"):
        candidate_selectors(["bad selector"])


def test_key_name() -> None:
    assert key_name("google", "Example.JP.") == "google._domainkey.example.jp"


# -------------------------------------------------------------------------------------- search


def fake_dns(answers: Mapping[str, list[str] | DnsOutcome]) -> TxtLookup:
    async def lookup(name: str) -> DnsLookup:
        found = answers.get(name, DnsOutcome.NXDOMAIN)
        if isinstance(found, DnsOutcome):
            return DnsLookup(name, "TXT", found)
        quoted = tuple(" ".join(f'"{text[i : i + 255]}"' for i in range(0, len(text), 255)) for text in found)
        return DnsLookup(name, "TXT", DnsOutcome.OK, quoted)

    return lookup


def test_keys_found_at_provider_selectors() -> None:
    lookup = fake_dns(
        {
            "google._domainkey.example.jp": [f"v=DKIM1; k=rsa; p={KEY}"],  # split over 255-byte strings
            "default._domainkey.example.jp": ["v=DKIM1; k=rsa; p="],
            "mail._domainkey.example.jp": ["google-site-verification=abc"],  # not a key record
        }
    )
    survey = asyncio.run(find_dkim_keys("example.jp", lookup, mx_hosts=["aspmx.l.google.com"]))
    assert [result.selector for result in survey.found] == ["google", "default"]
    assert [result.selector for result in survey.usable] == ["google"]
    assert survey.results[0].selector == "google" and survey.results[0].check is not None
    assert [problem.code for problem in survey.problems] == [C.REVOKED]


def test_no_key_found_names_the_providers_selector() -> None:
    survey = asyncio.run(
        find_dkim_keys("example.jp", fake_dns({}), mx_hosts=["x.mail.protection.outlook.com"])
    )
    assert not survey.found and len(survey.results) == len(candidate_selectors())
    problem = survey.problems[-1]
    assert problem.code is C.NO_KEY_FOUND and problem.severity is Severity.WARNING
    assert problem.selector == "selector1"
    assert problem.suggestion == f'selector1._domainkey.example.jp TXT "v=DKIM1; k=rsa; p={KEY_PLACEHOLDER}"'


def test_named_selector_missing_and_dns_errors() -> None:
    lookup = fake_dns(
        {"s2024._domainkey.example.jp": DnsOutcome.NXDOMAIN, "k1._domainkey.example.jp": DnsOutcome.SERVFAIL}
    )
    survey = asyncio.run(find_dkim_keys("example.jp", lookup, named=["s2024"], selectors=["s2024", "k1"]))
    assert [problem.code for problem in survey.problems] == [
        C.NAMED_SELECTOR_MISSING,
        C.DNS_ERROR,
        C.NO_KEY_FOUND,
    ]
    assert survey.problems[-1].selector == "s2024"


def test_two_records_at_one_selector() -> None:
    lookup = fake_dns({"dkim._domainkey.example.jp": [f"v=DKIM1; p={KEY}", f"v=DKIM1; p={KEY}"]})
    survey = asyncio.run(find_dkim_keys("example.jp", lookup, selectors=["dkim"]))
    assert survey.problems[0].code is C.MULTIPLE_RECORDS
