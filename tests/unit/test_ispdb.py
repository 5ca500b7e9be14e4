"""Thunderbird's ISPDB: the shipped copy, the parser, the index, and conformance on every domain.

The expectations are read from the XML here with a separate, minimal parse (not
with maildoctor's parser), from the shared reference copy when it is present.
Conformance is checked twice: on the ISPDB-only index for every <domain>, and on
the shipped index (curated entries first) for every <domain> except the ones a
curated entry takes over on purpose, which are listed and counted here.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from maildoctor.discover.candidates import PasswordKind, Source, UsernameForm
from maildoctor.discover.curated import load_curated
from maildoctor.discover.domains import mx_lookup_domains, registered_domain
from maildoctor.discover.ispdb import (
    MAX_CONFIG_BYTES,
    ClientConfigError,
    ProviderEntry,
    fill,
    parse_client_config,
    to_candidates,
)
from maildoctor.discover.providers import ProviderIndex, ispdb_overrides
from maildoctor.model import Protocol, Security

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "src" / "maildoctor" / "data" / "ispdb"
SHARED = REPO.parent / "shared" / "data" / "ispdb"
REFERENCE = SHARED if SHARED.is_dir() else SHIPPED

EXPECTED_FILES = 163
EXPECTED_DOMAINS = 963  # <domain> elements; cty-net.ne.jp is listed twice in its file, so 962 distinct

# The ISPDB domains maildoctor's curated entries take over on purpose (each entry says why in
# `overrides_ispdb`). A change here is a decision: add the domain and the reason together.
OVERRIDDEN = {
    "gmail.com": "gmail",
    "googlemail.com": "gmail",
    "outlook.com": "outlook-com",
    "hotmail.com": "outlook-com",
    "live.com": "outlook-com",
    "msn.com": "outlook-com",
    "outlook.jp": "outlook-com",
    "hotmail.co.jp": "outlook-com",
    "live.jp": "outlook-com",
    "icloud.com": "icloud",
    "me.com": "icloud",
    "mac.com": "icloud",
    "yahoo.co.jp": "yahoo-japan",
    "ocn.ne.jp": "ocn",
    "biglobe.ne.jp": "biglobe",
    "i.softbank.jp": "softbank",
    "nifty.com": "nifty",
}

# ----------------------------------------------------------------- the expectations, parsed separately

SOCKET = {"SSL": "ssl", "STARTTLS": "starttls", "plain": "none"}
HANDLED = {"incomingServer": ("imap", "pop3"), "outgoingServer": ("smtp",)}

Row = tuple[str, str, int, str, str, tuple[str, ...]]


def expected_rows(provider: ET.Element, tag: str, address: str) -> list[Row]:
    local, domain = address.split("@")

    def filled(text: str) -> str:
        return (
            text.replace("%EMAILADDRESS%", address)
            .replace("%EMAILLOCALPART%", local)
            .replace("%EMAILDOMAIN%", domain)
        )

    rows: list[Row] = []
    for server in provider.iter(tag):
        if server.get("type") not in HANDLED[tag]:
            continue
        username = server.findtext("username")
        rows.append(
            (
                str(server.get("type")),
                filled(str(server.findtext("hostname"))),
                int(str(server.findtext("port"))),
                SOCKET[str(server.findtext("socketType"))],
                "" if username is None else filled(username),
                tuple(str(a.text) for a in server.findall("authentication")),
            )
        )
    return rows


def reference_cases() -> list[tuple[str, str]]:
    return [
        (path.name, str(domain.text))
        for path in sorted(REFERENCE.glob("*.xml"))
        for domain in ET.parse(path).getroot().iter("domain")  # noqa: S314 - our own test data
    ]


CASES = reference_cases()


@pytest.fixture(scope="module")
def index() -> ProviderIndex:
    """The ISPDB alone: what Thunderbird would answer."""
    return ProviderIndex.load_ispdb()


@pytest.fixture(scope="module")
def combined() -> ProviderIndex:
    """What maildoctor ships: curated entries first, then the ISPDB."""
    return ProviderIndex.load()


# ----------------------------------------------------------------- the data


def test_counts_of_the_reference_data() -> None:
    assert len(list(REFERENCE.glob("*.xml"))) == EXPECTED_FILES
    assert len(CASES) == EXPECTED_DOMAINS
    print(f"ISPDB: {EXPECTED_FILES} files, {len(CASES)} <domain> entries, {len(set(CASES))} distinct")


def test_shipped_copy_equals_the_shared_copy() -> None:
    if not SHARED.is_dir():
        pytest.skip("the shared reference copy is not here")
    shared = sorted(path.name for path in SHARED.iterdir())
    shipped = sorted(path.name for path in SHIPPED.iterdir() if path.name != "README.md")
    assert shipped == shared
    for name in shared:
        assert (SHIPPED / name).read_bytes() == (SHARED / name).read_bytes(), name
    assert "MPL" in (SHIPPED / "README.md").read_text(encoding="utf-8")
    assert "thunderbird/autoconfig" in (SHIPPED / "README.md").read_text(encoding="utf-8")


def test_index_loads_every_shipped_file(index: ProviderIndex, combined: ProviderIndex) -> None:
    assert len(index) == EXPECTED_FILES
    assert len(index.domains) == len({domain for _, domain in CASES})
    assert ProviderIndex.load_ispdb() is index  # cached
    assert ProviderIndex.load() is combined  # cached
    curated = load_curated()
    assert combined.entries == (*curated, *index.entries)  # curated first
    assert not any(entry.curated for entry in index.entries)


# ----------------------------------------------------------------- conformance, one case per <domain>


def assert_conforms(entry: ProviderEntry, file_name: str, domain: str) -> None:
    provider = ET.parse(REFERENCE / file_name).getroot().find("emailProvider")  # noqa: S314
    assert provider is not None
    address = f"taro@{domain}"
    settings = to_candidates(entry, address)

    assert settings.address == address
    assert settings.provider is not None
    assert settings.provider.id == provider.get("id")
    assert settings.provider.name == provider.findtext("displayName")
    for tag, candidates in (("incomingServer", settings.incoming), ("outgoingServer", settings.outgoing)):
        got = [
            (c.protocol.value, c.host, c.port, c.security.value, c.username, c.authentication)
            for c in candidates
        ]
        assert got == expected_rows(provider, tag, address)
        assert all(c.source is Source.PROVIDER and not c.verified for c in candidates)


@pytest.mark.parametrize(("file_name", "domain"), CASES, ids=[f"{f}:{d}" for f, d in CASES])
def test_conformance(index: ProviderIndex, file_name: str, domain: str) -> None:
    """The ISPDB-only index gives every <domain> exactly the file's settings."""
    entry = index.lookup(domain)
    assert entry is not None
    assert_conforms(entry, file_name, domain)


@pytest.mark.parametrize(("file_name", "domain"), CASES, ids=[f"{f}:{d}" for f, d in CASES])
def test_conformance_of_the_shipped_index(combined: ProviderIndex, file_name: str, domain: str) -> None:
    """The shipped index too, except for the domains a curated entry takes over on purpose."""
    entry = combined.lookup(domain)
    assert entry is not None
    if domain in OVERRIDDEN:
        assert entry.curated and entry.id == OVERRIDDEN[domain] and entry.overrides_ispdb
        return
    assert not entry.curated, f"{domain} is taken by the curated entry {entry.id}; list it in OVERRIDDEN"
    assert_conforms(entry, file_name, domain)


def test_conformance_counts(combined: ProviderIndex, index: ProviderIndex) -> None:
    taken = [
        domain for _, domain in CASES if (entry := combined.lookup(domain)) is not None and entry.curated
    ]
    equal = len(CASES) - len(taken)
    print(
        f"ISPDB conformance: ISPDB-only index {len(CASES)} equal; shipped index {equal} equal, "
        f"{len(taken)} overridden by curated entries: {', '.join(sorted(taken))}"
    )
    assert len(taken) == len(OVERRIDDEN) == 17
    assert equal == EXPECTED_DOMAINS - 17
    assert set(taken) == set(OVERRIDDEN)
    # the same set, found from the data alone, and every take-over is declared (and no declaration is stale)
    overrides = ispdb_overrides(load_curated(), index.entries)
    assert {domain: entry.id for domain, entry in overrides.items()} == OVERRIDDEN
    for entry in load_curated():
        takes_over = any(owner is entry for owner in overrides.values())
        assert bool(entry.overrides_ispdb) == takes_over, entry.id


# ----------------------------------------------------------------- lookups


@pytest.mark.parametrize("spelling", ["gmail.com", "GMail.COM", "gmail.com.", " gmail.com "])
def test_lookup_is_case_insensitive_and_ignores_the_trailing_dot(index: ProviderIndex, spelling: str) -> None:
    entry = index.lookup(spelling)
    assert entry is not None and entry.id == "googlemail.com"


def test_lookup_normalises_idna(index: ProviderIndex) -> None:
    # a Unicode spelling of a known domain: full-width letters fold to ASCII under UTS #46
    entry = index.lookup("ｇｍａｉｌ.com")
    assert entry is not None and entry.id == "googlemail.com"
    assert index.lookup("例え.テスト") is None
    assert index.lookup("") is None
    assert index.lookup("a..b") is None


def test_unknown_domain(index: ProviderIndex) -> None:
    assert index.lookup("example.invalid") is None
    assert index.lookup_by_mx(["mx.example.invalid"]) is None
    assert index.lookup_by_mx([]) is None


@pytest.mark.parametrize(
    ("mx_hosts", "provider_id"),
    [
        (["aspmx.l.google.com."], "googlemail.com"),  # base domain google.com
        (["alt1.aspmx.l.google.com", "aspmx.l.google.com"], "googlemail.com"),
        (["contoso-com.mail.protection.outlook.com"], "office365.com"),  # host without its first label
        (["mx1.emailsrvr.com"], "emailsrvr.com"),
        (["in1-smtp.messagingengine.com"], "MessagingEngine"),
        (["mx.example.invalid", "mx5.mail.yahoo.co.jp"], "yahoo.co.jp"),  # second MX; base under co.jp
        (["MX.BIGLOBE.NE.JP"], "biglobe.ne.jp"),
    ],
)
def test_lookup_by_mx(index: ProviderIndex, mx_hosts: list[str], provider_id: str) -> None:
    entry = index.lookup_by_mx(mx_hosts)
    assert entry is not None and entry.id == provider_id


def test_mx_lookup_domains() -> None:
    assert mx_lookup_domains("aspmx.l.google.com") == ("l.google.com", "google.com")
    assert mx_lookup_domains("mx.example.com.") == ("example.com",)
    assert mx_lookup_domains("example.co.jp") == ("example.co.jp",)
    assert mx_lookup_domains("mx.a.example.co.uk") == ("a.example.co.uk", "example.co.uk")
    assert mx_lookup_domains("") == ()
    assert registered_domain("mail.ocn.ne.jp") == "ocn.ne.jp"
    assert registered_domain("mx.zoho.com.au") == "zoho.com.au"
    assert registered_domain("smtp.example.org") == "example.org"


# ----------------------------------------------------------------- the parser


CONFIG = b"""<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.jp">
    <domain>example.jp</domain>
    <displayName>Example</displayName>
    <incomingServer type="pop3">
      <hostname>pop.%EMAILDOMAIN%</hostname><port>995</port><socketType>SSL</socketType>
      <username>%EMAILLOCALPART%</username><authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="ews"><url>https://example.jp/ews</url></incomingServer>
    <incomingServer type="imap">
      <hostname>imap.example.jp</hostname><port>143</port><socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username><authentication>OAuth2</authentication>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>broken.example.jp</hostname><port>99999</port><socketType>SSL</socketType>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.example.jp</hostname><port>25</port><socketType>plain</socketType>
      <authentication>none</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
"""


def test_parse_client_config_keeps_order_and_skips_what_it_cannot_use() -> None:
    entry = parse_client_config(CONFIG)
    assert entry.id == "example.jp" and entry.display_name == "Example" and entry.domains == ("example.jp",)
    assert [(s.protocol, s.hostname_template, s.port, s.socket_type) for s in entry.incoming] == [
        (Protocol.POP3, "pop.%EMAILDOMAIN%", 995, Security.SSL),
        (Protocol.IMAP, "imap.example.jp", 143, Security.STARTTLS),
    ]
    assert [s.username_form for s in entry.incoming] == [UsernameForm.LOCAL_PART, UsernameForm.ADDRESS]
    (smtp,) = entry.outgoing
    assert (smtp.socket_type, smtp.username_template, smtp.authentication) == (Security.NONE, "", ("none",))

    settings = to_candidates(entry, "Taro.Yamada@Example.JP")
    pop, imap = settings.incoming
    assert pop.host == "pop.example.jp" and pop.username == "Taro.Yamada"
    assert pop.password_kind is PasswordKind.NORMAL
    assert imap.password_kind is PasswordKind.OAUTH2
    assert settings.outgoing[0].username == ""


def test_fill_placeholders() -> None:
    address = "hanako@mail.example.ne.jp"
    assert fill("%EMAILADDRESS%", address) == address
    assert fill("%EMAILLOCALPART%", address) == "hanako"
    assert fill("%EMAILDOMAIN%", address) == "mail.example.ne.jp"
    assert fill("%EMAILLOCALPART%.%EMAILDOMAIN%", address) == "hanako.mail.example.ne.jp"
    assert fill("mail.%EMAILDOMAIN%", address) == "mail.mail.example.ne.jp"
    # only the upper-case forms with both percent signs are placeholders; no second pass
    assert fill("%emaildomain% %EMAILADDRESS %REALNAME%", address) == "%emaildomain% %EMAILADDRESS %REALNAME%"
    assert fill("%EMAILLOCALPART%", "%EMAILDOMAIN%@x.jp") == "%EMAILDOMAIN%"
    with pytest.raises(ValueError, match="not an email address"):
        fill("%EMAILADDRESS%", "no-at-sign")


@pytest.mark.parametrize(
    "prefix",
    [
        b'<?xml version="1.0"?>\n<!DOCTYPE clientConfig [<!ENTITY x "boom">]>\n',
        b"<!doctype clientConfig>\n",
        b'<!ENTITY x "y">\n',
    ],
)
def test_doctype_and_entities_are_refused(prefix: bytes) -> None:
    body = CONFIG.split(b"\n", 1)[1]
    with pytest.raises(ClientConfigError, match="DOCTYPE"):
        parse_client_config(prefix + body)


def test_doctype_in_utf16_is_refused_too() -> None:
    document = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY x "y">]><clientConfig/>'
    with pytest.raises(ClientConfigError):
        parse_client_config(document.encode("utf-16"))


def test_size_bound() -> None:
    padding = b"<!--" + b"x" * (MAX_CONFIG_BYTES - len(CONFIG) - 7) + b"-->"
    at_limit = CONFIG + padding
    assert len(at_limit) == MAX_CONFIG_BYTES
    assert parse_client_config(at_limit).id == "example.jp"
    with pytest.raises(ClientConfigError, match="more than"):
        parse_client_config(at_limit + b" ")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"<clientConfig><emailProvider id='x'>", "well-formed"),
        (b"<html><body>404</body></html>", "root element"),
        (b"<clientConfig/>", "emailProvider"),
        (
            b"<clientConfig><emailProvider id='x'><domain>x.jp</domain></emailProvider></clientConfig>",
            "usable",
        ),
        (b"\xff\xfe\x00garbage", "UTF-8"),
    ],
)
def test_unusable_documents(document: bytes, message: str) -> None:
    with pytest.raises(ClientConfigError, match=message):
        parse_client_config(document)


def test_latin1_autoconfig_with_declared_encoding() -> None:
    document = CONFIG.replace(b"UTF-8", b"ISO-8859-1").replace(b"Example<", "Exämple<".encode("latin-1"))
    assert parse_client_config(document).display_name == "Exämple"


def test_entry_is_plain_data() -> None:
    entry = parse_client_config(CONFIG)
    assert isinstance(entry, ProviderEntry)
    assert hash(entry) == hash(parse_client_config(CONFIG))
