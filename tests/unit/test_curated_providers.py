"""maildoctor's curated provider data: shipped files, loader, %MXHOST%, MX matching, retired settings."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from maildoctor.discover.candidates import PasswordKind, ProviderInfo
from maildoctor.discover.curated import (
    CONFIRMED,
    CuratedDataError,
    RetiredSetting,
    find_retired,
    load_curated,
)
from maildoctor.discover.ispdb import ProviderEntry, fill, to_candidates
from maildoctor.discover.providers import ProviderIndex
from maildoctor.i18n import get_translator
from maildoctor.model import Protocol, Security

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "src" / "maildoctor" / "data" / "providers"


@pytest.fixture(scope="module")
def combined() -> ProviderIndex:
    return ProviderIndex.load()


def curated_by_id() -> dict[str, ProviderEntry]:
    return {entry.id: entry for entry in load_curated()}


# ----------------------------------------------------------------- the shipped files


def test_every_shipped_file_loads() -> None:
    files = [path.stem for path in sorted(SHIPPED.glob("*.toml"), key=lambda path: path.name)]
    entries = load_curated()
    assert [entry.id for entry in entries] == files
    assert len(files) >= 25
    assert load_curated() is entries  # cached
    assert load_curated(SHIPPED) == entries  # the same files read from a folder give the same entries
    assert all(entry.curated for entry in entries)


@pytest.mark.parametrize("entry", load_curated(), ids=lambda entry: entry.id)
def test_every_entry_says_where_its_facts_come_from(entry: ProviderEntry) -> None:
    assert entry.source_url and entry.source_url.startswith(("https://", "http://"))
    assert entry.password_page and entry.password_page.startswith(("https://", "http://"))
    assert entry.checked and datetime.date.fromisoformat(entry.checked) <= datetime.date(2027, 12, 31)
    assert entry.confirmed in CONFIRMED
    assert isinstance(entry.password_kind, PasswordKind)
    ja = get_translator("ja").gettext
    assert entry.password_note and "\n" not in entry.password_note
    assert ja(entry.password_note) != entry.password_note  # the catalog has the Japanese
    assert ja(entry.display_name) != entry.display_name or entry.display_name.isascii()
    if not entry.incoming and not entry.outgoing:
        assert entry.notes and ja(entry.notes) != entry.notes  # says why no servers are listed
    assert entry.domains or entry.mx_patterns


def test_the_schema_is_documented() -> None:
    readme = (SHIPPED / "README.md").read_text(encoding="utf-8")
    for key in (
        "id", "name", "domains", "mx_patterns", "password_kind", "password_note",
        "password_page", "source_url", "checked", "confirmed", "confirmed_note",
        "evidence", "overrides_ispdb", "notes", "[[incoming]]", "[[outgoing]]", "[[retired]]",
        "[dkim_selectors]", "[dns_provider]", "selectors", "ns_pattern", "maintainer_note",
        "protocol", "host", "port", "security", "username", "authentication", "replacement", "since",
        "%MXHOST%", "stored-page", "recalled", "app-specific", "mail-specific", "oauth2",
    ):  # fmt: skip
        assert f"`{key}`" in readme or f'`"{key}"`' in readme, key


# ----------------------------------------------------------------- the providers required


@pytest.mark.parametrize(
    ("domain", "provider_id"),
    [
        ("docomo.ne.jp", "docomo"),
        ("au.com", "au"),
        ("ezweb.ne.jp", "au"),
        ("i.softbank.jp", "softbank"),
        ("softbank.ne.jp", "softbank-mms"),
        ("ymobile.ne.jp", "ymobile"),
        ("yahoo.ne.jp", "yahoo-japan"),
        ("rakumail.jp", "rakuten-mobile"),
        ("yahoo.co.jp", "yahoo-japan"),
        ("ymail.ne.jp", "yahoo-japan"),
        ("ocn.ne.jp", "ocn"),
        ("circus.ocn.ne.jp", "ocn"),
        ("biglobe.ne.jp", "biglobe"),
        ("kfa.biglobe.ne.jp", "biglobe"),
        ("so-net.ne.jp", "so-net"),
        ("aa2.so-net.ne.jp", "so-net"),
        ("nifty.com", "nifty"),
        ("plala.or.jp", "plala"),
        ("ebony.plala.or.jp", "plala"),
        ("eonet.ne.jp", "eo"),
        ("hera.eonet.ne.jp", "eo"),
        ("jcom.zaq.ne.jp", "jcom"),
        ("zaq.ne.jp", "jcom-other"),
        ("kyoto.zaq.ne.jp", "jcom-other"),
        ("jcom.home.ne.jp", "jcom-other"),
        ("gmail.com", "gmail"),
        ("googlemail.com", "gmail"),
        ("outlook.com", "outlook-com"),
        ("hotmail.com", "outlook-com"),
        ("live.com", "outlook-com"),
        ("msn.com", "outlook-com"),
        ("outlook.jp", "outlook-com"),
        ("hotmail.co.jp", "outlook-com"),
        ("live.jp", "outlook-com"),
        ("icloud.com", "icloud"),
        ("me.com", "icloud"),
        ("mac.com", "icloud"),
        ("contoso.onmicrosoft.com", "microsoft365"),
    ],
)
def test_required_provider_by_domain(combined: ProviderIndex, domain: str, provider_id: str) -> None:
    entry = combined.lookup(domain)
    assert entry is not None and entry.curated and entry.id == provider_id


@pytest.mark.parametrize(
    ("mx_host", "provider_id"),
    [
        ("sv12345.xserver.jp", "xserver"),
        ("www123.sakura.ne.jp", "sakura"),
        ("example.sakura.ne.jp.", "sakura"),
        ("mx01.lolipop.jp", "lolipop"),
        ("mail17.conoha.ne.jp", "conoha-wing"),
        ("dmail.kagoya.net", "kagoya"),
        ("mx01.onamae.ne.jp", "onamae"),
        ("aspmx.l.google.com", "google-workspace"),
        ("ALT3.ASPMX.L.GOOGLE.COM.", "google-workspace"),
        ("aspmx2.googlemail.com", "google-workspace"),
        ("smtp.google.com", "google-workspace"),
        ("example-co-jp.mail.protection.outlook.com", "microsoft365"),
        ("example-co-jp.l-v1.mx.microsoft", "microsoft365"),
    ],
)
def test_required_provider_by_mx(combined: ProviderIndex, mx_host: str, provider_id: str) -> None:
    match = combined.match_by_mx([mx_host])
    assert match is not None
    entry, matched = match
    assert entry.curated and entry.id == provider_id
    assert matched == mx_host.lower().rstrip(".")
    assert combined.lookup_by_mx([mx_host]) is entry


# ----------------------------------------------------------------- matching by MX


def test_match_by_mx_tries_the_hosts_in_order(combined: ProviderIndex) -> None:
    match = combined.match_by_mx(["mx.example.invalid", "", "a..b", "SV12345.Xserver.JP."])
    assert match is not None and match[0].id == "xserver" and match[1] == "sv12345.xserver.jp"
    # the first host that matches anything wins, by pattern or by Thunderbird's rule
    match = combined.match_by_mx(["mx5.mail.yahoo.co.jp", "sv1.xserver.jp"])
    assert match is not None and match[0].id == "yahoo-japan" and match[1] == "mx5.mail.yahoo.co.jp"
    assert combined.match_by_mx(["mx.example.invalid"]) is None
    assert combined.match_by_mx([]) is None
    assert combined.lookup_by_mx(["mx.example.invalid"]) is None


def test_curated_patterns_come_before_thunderbirds_rule(combined: ProviderIndex) -> None:
    ispdb = ProviderIndex.load_ispdb()
    for mx_host, curated_id, ispdb_id in [
        ("aspmx.l.google.com", "google-workspace", "googlemail.com"),
        ("contoso-com.mail.protection.outlook.com", "microsoft365", "office365.com"),
    ]:
        ispdb_entry = ispdb.lookup_by_mx([mx_host])
        assert ispdb_entry is not None and ispdb_entry.id == ispdb_id
        entry = combined.lookup_by_mx([mx_host])
        assert entry is not None and entry.id == curated_id


def test_xserver_pattern_does_not_take_other_xserver_hosts(combined: ProviderIndex) -> None:
    # only the sv host names are mail servers; "*.xserver.jp" would be too broad for %MXHOST%
    match = combined.match_by_mx(["mx.xserver.jp"])
    assert match is None or match[0].id != "xserver"


def test_wildcard_domains() -> None:
    def entry(entry_id: str, *domains: str) -> ProviderEntry:
        return ProviderEntry(entry_id, entry_id, domains, (), ())

    index = ProviderIndex(
        [entry("exact", "special.isp.ne.jp"), entry("wide", "*.isp.ne.jp"), entry("narrow", "*.b.isp.ne.jp")]
    )
    assert index.lookup("isp.ne.jp") is None  # "*.isp.ne.jp" is the sub-domains only
    assert [index.lookup(d).id for d in ("a.isp.ne.jp", "x.a.isp.ne.jp")] == ["wide", "wide"]  # type: ignore[union-attr]
    found = index.lookup("x.b.isp.ne.jp")
    assert found is not None and found.id == "narrow"  # the longer wildcard wins
    found = index.lookup("SPECIAL.isp.ne.jp.")
    assert found is not None and found.id == "exact"  # a domain named exactly wins
    assert index.lookup("isp.ne.jp.example") is None
    assert "special.isp.ne.jp" in index.domains and "*.isp.ne.jp" not in index.domains


# ----------------------------------------------------------------- %MXHOST% and the candidates


def test_mxhost_is_filled_from_the_matched_mx_host(combined: ProviderIndex) -> None:
    match = combined.match_by_mx(["SV12345.xserver.jp."])
    assert match is not None
    entry, mx_host = match
    settings = to_candidates(entry, "info@example.co.jp", mx_host=mx_host)
    hosts = {
        (c.protocol, c.host, c.port, c.security, c.username) for c in settings.incoming + settings.outgoing
    }
    assert hosts == {
        (Protocol.IMAP, "sv12345.xserver.jp", 993, Security.SSL, "info@example.co.jp"),
        (Protocol.POP3, "sv12345.xserver.jp", 995, Security.SSL, "info@example.co.jp"),
        (Protocol.SMTP, "sv12345.xserver.jp", 465, Security.SSL, "info@example.co.jp"),
        (Protocol.SMTP, "sv12345.xserver.jp", 587, Security.STARTTLS, "info@example.co.jp"),
    }
    assert settings.incoming[0].protocol is Protocol.IMAP  # the provider's order
    assert settings.provider is not None and settings.provider.id == "xserver"
    # the same entry found without an MX host: the %MXHOST% servers cannot be named, so they are left out
    bare = to_candidates(entry, "info@example.co.jp")
    assert bare.incoming == () and bare.outgoing == ()
    assert bare.provider is not None and bare.provider.password_page == entry.password_page


def test_fill_mxhost() -> None:
    address = "info@example.co.jp"
    assert fill("%MXHOST%", address, "MX1.Example.NE.JP.") == "mx1.example.ne.jp"
    assert fill("imap.%MXHOST%", address, "mx.example.jp") == "imap.mx.example.jp"
    assert fill("%MXHOST%", address) == "%MXHOST%"  # no MX host: left as it is
    assert fill("%MXHOST%", address, " ") == "%MXHOST%"
    assert fill("%EMAILLOCALPART%@%MXHOST%", address, "%EMAILDOMAIN%") == "info@%emaildomain%"  # one pass


def test_candidates_carry_the_curated_password_kind_and_pages() -> None:
    entries = curated_by_id()
    docomo = to_candidates(entries["docomo"], "hanako@docomo.ne.jp")
    assert [c.host for c in docomo.incoming + docomo.outgoing] == ["imap.spmode.ne.jp", "smtp.spmode.ne.jp"]
    assert all(c.password_kind is PasswordKind.MAIL_SPECIFIC for c in docomo.incoming + docomo.outgoing)
    assert docomo.incoming[0].username == ""  # the d ACCOUNT ID, not derivable from the address
    assert docomo.provider is not None
    assert docomo.provider.password_page == entries["docomo"].password_page
    assert docomo.provider.source_url == entries["docomo"].source_url
    assert docomo.provider.checked == entries["docomo"].checked

    gmail = to_candidates(entries["gmail"], "taro@gmail.com")
    assert {c.password_kind for c in gmail.incoming + gmail.outgoing} == {PasswordKind.APP_SPECIFIC}
    icloud = to_candidates(entries["icloud"], "taro@icloud.com")
    assert [c.username for c in icloud.incoming + icloud.outgoing] == ["taro", "taro@icloud.com"]
    m365 = to_candidates(entries["microsoft365"], "taro@example.co.jp")
    assert all(
        c.password_kind is PasswordKind.OAUTH2 and c.authentication == ("OAuth2",) for c in m365.outgoing
    )
    onamae = to_candidates(entries["onamae"], "info@example.co.jp")
    assert [c.host for c in onamae.incoming + onamae.outgoing] == ["pop.example.co.jp", "smtp.example.co.jp"]


def test_ispdb_entries_keep_their_derived_password_kind() -> None:
    ispdb = ProviderIndex.load_ispdb()
    entry = ispdb.lookup("gmail.com")
    assert entry is not None and entry.password_kind is None and not entry.curated
    settings = to_candidates(entry, "taro@gmail.com")
    assert {c.password_kind for c in settings.incoming} == {PasswordKind.NORMAL}  # OAuth2 and a password
    assert settings.provider is not None and settings.provider.password_page is None


def test_provider_entry_keeps_its_old_constructor() -> None:
    entry = ProviderEntry("x.jp", "X", ("x.jp",), (), ())
    assert (
        entry.password_kind is None and entry.retired == () and entry.mx_patterns == () and not entry.curated
    )
    assert hash(entry) == hash(ProviderEntry("x.jp", "X", ("x.jp",), (), ()))


# ----------------------------------------------------------------- retired settings


def test_find_retired_positive() -> None:
    found = find_retired("smtp.live.com", 587, Security.STARTTLS)
    assert found is not None
    assert (found.provider_id, found.replacement_host, found.replacement_port) == (
        "outlook-com",
        "smtp-mail.outlook.com",
        587,
    )
    assert found.replacement_security is Security.STARTTLS
    assert found.provider_name == curated_by_id()["outlook-com"].display_name
    found = find_retired("POP3.Live.COM.", 995, Security.SSL)  # any case, trailing dot
    assert found is not None and found.replacement_host == "outlook.office365.com"
    assert find_retired("smtp.live.com") is not None  # the host was retired as a whole


@pytest.mark.parametrize(
    ("host", "port", "security"),
    [
        ("smtp-mail.outlook.com", 587, Security.STARTTLS),  # the replacement is not retired
        ("outlook.office365.com", 993, Security.SSL),
        ("imap.gmail.com", 993, Security.SSL),
        ("smtp.live.com.example.jp", 587, Security.STARTTLS),
        ("live.com", 587, Security.STARTTLS),
        ("", None, None),
    ],
)
def test_find_retired_negative(host: str, port: int | None, security: Security | None) -> None:
    assert find_retired(host, port, security) is None


def test_no_retired_setting_is_a_current_server() -> None:
    for entry in load_curated():
        for server in entry.incoming + entry.outgoing:
            host = server.hostname_template
            if "%" not in host:
                assert find_retired(host, server.port, server.socket_type) is None, (entry.id, host)


def test_retired_port_and_security_count_only_where_named() -> None:
    setting = RetiredSetting(
        host="pop.old.example.jp",
        replacement_host="pop.example.jp",
        source_url="https://example.jp/",
        port=110,
        security=Security.NONE,
    )
    entry = ProviderEntry("old", "Old", ("old.example.jp",), (), (), retired=(setting,))
    assert find_retired("pop.old.example.jp", 110, Security.NONE, [entry]) is setting
    assert find_retired("pop.old.example.jp", 995, Security.SSL, [entry]) is None
    assert find_retired("pop.old.example.jp", 110, Security.STARTTLS, [entry]) is None
    assert find_retired("pop.old.example.jp", None, None, [entry]) is None  # named port, unknown port
    whole = RetiredSetting(
        host="mail.old.example.jp", replacement_host="mail.example.jp", source_url="https://x.jp/"
    )
    entry = ProviderEntry("old", "Old", ("old.example.jp",), (), (), retired=(whole,))
    assert find_retired("MAIL.old.example.jp", 25, Security.NONE, [entry]) is whole
    assert find_retired("mail.old.example.jp", None, None, [entry]) is whole


# ----------------------------------------------------------------- the loader's checks

VALID = """\
id = "example-isp"
name = "Example ISP"
domains = ["example-isp.ne.jp", "*.example-isp.ne.jp"]
mx_patterns = ["mx*.example-isp.ne.jp"]
password_kind = "mail-specific"
password_note = "The mail password."
password_page = "https://example-isp.ne.jp/password"
source_url = "https://example-isp.ne.jp/mail"
checked = "2026-11-25"
confirmed = "recalled"

[[incoming]]
protocol = "imap"
host = "imap.example-isp.ne.jp"
port = 993
security = "ssl"
username = "%EMAILADDRESS%"

[[outgoing]]
protocol = "smtp"
host = "smtp.example-isp.ne.jp"
port = 465
security = "ssl"
username = "%EMAILADDRESS%"

[[retired]]
host = "pop.example-isp.ne.jp"
port = 110
security = "none"
since = "2024-04"
replacement = { host = "imap.example-isp.ne.jp", port = 993, security = "ssl" }
source_url = "https://example-isp.ne.jp/news"
"""


def write(folder: Path, text: str, name: str = "example-isp.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_a_valid_file_loads_from_a_folder(tmp_path: Path) -> None:
    folder = write(tmp_path, VALID)
    (folder / "README.md").write_text("not a provider", encoding="utf-8")
    (entry,) = load_curated(folder)
    assert entry.id == "example-isp" and entry.password_kind is PasswordKind.MAIL_SPECIFIC
    assert entry.incoming[0].authentication == ("password-cleartext",)
    (retired,) = entry.retired
    assert (retired.port, retired.security, retired.since, retired.provider_id) == (
        110,
        Security.NONE,
        "2024-04",
        "example-isp",
    )
    index = ProviderIndex(load_curated(folder))
    match = index.match_by_mx(["MX2.example-isp.ne.jp"])
    assert match is not None and match[0] == entry
    assert index.lookup("sub.example-isp.ne.jp") == entry


def replace(old: str, new: str) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (VALID + 'colour = "blue"\n', "unknown key 'colour'"),
        (replace("port = 993", "port = 993\ntimeout = 5"), "incoming[0]: unknown key 'timeout'"),
        (replace("port = 993", "port = 0"), "incoming[0].port"),
        (replace("port = 993", "port = 70000"), "incoming[0].port"),
        (replace("port = 993", 'port = "993"'), "incoming[0].port"),
        (replace("port = 993", "port = true"), "incoming[0].port"),
        (replace('security = "ssl"', 'security = "tls"'), "incoming[0].security"),
        (replace('protocol = "imap"', 'protocol = "pop"'), "incoming[0].protocol"),
        (replace('protocol = "smtp"', 'protocol = "imap"'), "outgoing[0].protocol"),
        (replace('password_kind = "mail-specific"', 'password_kind = "app"'), "password_kind"),
        (replace('confirmed = "recalled"', 'confirmed = "yes"'), "confirmed"),
        (replace('checked = "2026-11-25"', 'checked = "2026-13-01"'), "checked"),
        (replace('checked = "2026-11-25"', 'checked = "25-11-2026"'), "checked"),
        (replace('checked = "2026-11-25"', "checked = 2026-11-25"), "checked"),
        (
            replace('source_url = "https://example-isp.ne.jp/mail"', 'source_url = "ftp://x.jp/"'),
            "source_url",
        ),
        (replace('"*.example-isp.ne.jp"', '"*.ne.jp"'), "domains[1]"),
        (replace('"example-isp.ne.jp", ', '"Example-ISP.ne.jp", '), "domains[0]"),
        (replace('["mx*.example-isp.ne.jp"]', '["*.jp"]'), "mx_patterns[0]"),
        (replace('["mx*.example-isp.ne.jp"]', '["*"]'), "mx_patterns[0]"),
        (replace('["mx*.example-isp.ne.jp"]', '["mx.example-isp.ne.jp."]'), "mx_patterns[0]"),
        (replace('host = "imap.example-isp.ne.jp"', 'host = "imap example"'), "incoming[0].host"),
        (replace('host = "imap.example-isp.ne.jp"', 'host = "%USER%.example.jp"'), "unknown placeholder"),
        (replace('username = "%EMAILADDRESS%"', 'username = "%LOGIN%"'), "unknown placeholder"),
        (
            replace('["mx*.example-isp.ne.jp"]', "[]").replace(
                'host = "imap.example-isp.ne.jp"', 'host = "%MXHOST%"'
            ),
            "MX pattern",
        ),
        (replace('id = "example-isp"', 'id = "other-isp"'), "file name"),
        (replace('id = "example-isp"', 'id = "Example ISP"'), "id"),
        (
            replace('password_page = "https://example-isp.ne.jp/password"\n', ""),
            "missing key 'password_page'",
        ),
        (replace('password_note = "The mail password."', 'password_note = "two\\nlines"'), "one line"),
        (VALID.split("[[incoming]]")[0], "notes"),
        (
            replace(
                'host = "pop.example-isp.ne.jp"\nport = 110\nsecurity = "none"',
                'host = "smtp.example-isp.ne.jp"',
            ),
            "current servers",
        ),
        (replace('since = "2024-04"', 'since = "last year"'), "since"),
        (replace('replacement = { host = "imap.example-isp.ne.jp",', "replacement = {"), "replacement"),
        (
            VALID.replace(
                "[[outgoing]]",
                "[[incoming]]\nprotocol = 'imap'\nhost = 'imap.example-isp.ne.jp'\n"
                "port = 993\nsecurity = 'ssl'\nusername = ''\n\n[[outgoing]]",
            ),
            "the same server twice",
        ),
        ('id = "example-isp"\nname = [', "not valid UTF-8 TOML"),
    ],
)
def test_a_bad_file_is_refused_with_its_name(tmp_path: Path, text: str, message: str) -> None:
    folder = write(tmp_path, text)
    with pytest.raises(CuratedDataError, match=r"example-isp\.toml") as caught:
        load_curated(folder)
    assert message in str(caught.value)


def test_two_files_may_not_claim_the_same_domain_or_pattern(tmp_path: Path) -> None:
    write(tmp_path, VALID)
    other = VALID.replace('id = "example-isp"', 'id = "copy-isp"').replace('"*.example-isp.ne.jp"', '"b.jp"')
    write(tmp_path, other.replace('["mx*.example-isp.ne.jp"]', "[]"), "copy-isp.toml")
    with pytest.raises(
        CuratedDataError, match=r"example-isp.toml: domain 'example-isp.ne.jp' is already in copy"
    ):
        load_curated(tmp_path)
    (tmp_path / "copy-isp.toml").write_text(
        other.replace('["example-isp.ne.jp", "b.jp"]', '["c.jp"]'), encoding="utf-8"
    )
    with pytest.raises(CuratedDataError, match=r"MX pattern 'mx\*\.example-isp\.ne\.jp' is already in copy"):
        load_curated(tmp_path)


def test_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CuratedDataError, match="not a folder"):
        load_curated(tmp_path / "nowhere")


def test_invalid_bytes_are_refused(tmp_path: Path) -> None:
    (tmp_path / "example-isp.toml").write_bytes(b"\xff\xfe id = 1")
    with pytest.raises(CuratedDataError, match=r"example-isp\.toml: not valid UTF-8 TOML"):
        load_curated(tmp_path)


def test_only_curated_names_and_notes_go_through_the_catalog() -> None:
    nifty = next(entry for entry in load_curated() if entry.id == "nifty")
    info = to_candidates(nifty, "taro@nifty.com").provider
    assert info is not None and info.curated
    assert info.display_name("ja") == "@nifty（ニフティ）" and info.display_name("en") == "@nifty"
    japanese, english = info.in_language("ja"), info.in_language("en")
    assert japanese and len(japanese) == len(english) and not set(japanese) & set(english)
    # an ISPDB entry with the same name is shown as ISPDB writes it
    assert ProviderInfo("nifty.com", "@nifty").display_name("ja") == "@nifty"
