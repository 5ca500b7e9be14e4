"""DKIM selectors and DNS providers as data: provider files' tables and two row files, read strictly."""

from __future__ import annotations

import pytest

from maildoctor.datafile import provider_ids
from maildoctor.discover.curated import CuratedDataError, load_curated, parse_provider
from maildoctor.domain.dkim import PROVIDER_SELECTORS, candidate_selectors, selectors_for_mx
from maildoctor.domain.dnsproviders import DNS_PROVIDERS, provider_of
from maildoctor.i18n import get_translator
from maildoctor.provider_tables import (
    ProviderTableError,
    parse_dns_hosts,
    parse_signers,
    table_dns_hosts,
    table_signers,
)

# a provider file with both tables: adding a provider (and its DKIM selectors and name servers)
# is this one file
PROVIDER = """\
id = "example-isp"
name = "Example ISP"
domains = ["example-isp.ne.jp"]
mx_patterns = ["mx*.example-isp.ne.jp"]
password_kind = "normal"
password_note = "The mail password."
password_page = "https://example-isp.ne.jp/password"
source_url = "https://example-isp.ne.jp/mail"
checked = "2026-11-25"
confirmed = "recalled"

[dkim_selectors]
name = "Example ISP"
selectors = ["ex1", "ex2"]
confirmed = "recalled"

[dns_provider]
name = "Example DNS"
ns_pattern = 'ns\\d+\\.example-isp\\.ne\\.jp'
recalled = true

[[incoming]]
protocol = "imap"
host = "imap.example-isp.ne.jp"
port = 993
security = "ssl"
username = "%EMAILADDRESS%"
"""

SIGNER = """\
[[signer]]
name = "Example signer"
selectors = ["s9"]
confirmed = "recalled"
"""

DNS_ROW = """\
[[dns_provider]]
id = "example-dns"
name = "Example DNS"
ns_pattern = 'ns\\d+\\.example-dns\\.test'
"""


def test_a_provider_file_carries_its_dkim_selectors_and_dns_provider() -> None:
    entry = parse_provider(PROVIDER, "example-isp.toml")
    signer, host = entry.dkim_selectors, entry.dns_provider
    assert signer is not None and host is not None
    assert signer.provider_id == "example-isp" and signer.selectors == ("ex1", "ex2")
    assert signer.mx_patterns == ("mx*.example-isp.ne.jp",)  # the file's own, unless the table names some
    assert host.key == "example-isp" and host.matches("NS1.example-isp.ne.jp.")
    assert not host.matches("ns1.example-isp.ne.jp.evil.test")


def test_the_shipped_tables_join_provider_files_first_with_their_ids() -> None:
    from_files = [entry for entry in load_curated() if entry.dkim_selectors is not None]
    assert [source.provider_id for source in PROVIDER_SELECTORS[: len(from_files)]] == [
        entry.id for entry in from_files
    ]
    assert PROVIDER_SELECTORS[len(from_files) :] == table_signers()
    keys = [provider.key for provider in DNS_PROVIDERS]
    assert len(keys) == len(set(keys))
    assert {"onamae", "xserver", "microsoft365"} <= provider_ids() & set(keys)  # one id everywhere
    assert not provider_ids() & {host.key for host in table_dns_hosts()}
    assert all(source.provider_id in provider_ids() for source in PROVIDER_SELECTORS if source.provider_id)
    # behaviour as before the move: the MX's provider's selectors first, Microsoft's DNS by its id
    assert selectors_for_mx(["example-jp.mail.protection.outlook.com"]) == ("selector1", "selector2")
    order = candidate_selectors()
    assert order.index("google") < order.index("selector1") < order.index("selector2") < order.index("sig1")
    provider = provider_of("ns1.bdm.microsoftonline.com")
    assert provider is not None and provider.key == "microsoft365"


def test_every_name_has_its_japanese_in_the_catalog() -> None:
    ja = get_translator("ja").gettext
    names = [provider.name for provider in DNS_PROVIDERS] + [source.provider for source in PROVIDER_SELECTORS]
    assert all(ja(name) for name in names)
    assert next(p for p in DNS_PROVIDERS if p.key == "sakura").name_ja == "さくらインターネット"
    assert (
        next(s for s in PROVIDER_SELECTORS if s.provider == "Plesk servers").provider_ja == "Plesk のサーバー"
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            PROVIDER.replace('selectors = ["ex1", "ex2"]', 'selectors = ["ex1"]\ncolour = "red"'),
            "unknown keys colour",
        ),
        (PROVIDER.replace('selectors = ["ex1", "ex2"]', "selectors = []"), "selectors must not be empty"),
        (PROVIDER.replace('selectors = ["ex1", "ex2"]', 'selectors = ["a b"]'), "selectors must be a list"),
        (
            PROVIDER.replace('confirmed = "recalled"\n\n[dns', 'confirmed = "stored-page"\n\n[dns'),
            "names its page",
        ),
        (PROVIDER.replace("recalled = true", 'recalled = "yes"'), "recalled must be true or false"),
        (PROVIDER.replace("ns_pattern = 'ns", "ns_pattern = '(ns"), "not a regular expression"),
        (
            PROVIDER.replace('name = "Example DNS"\n', 'name = "Example DNS"\nid = "other"\n'),
            "unknown keys id",
        ),
    ],
)
def test_a_broken_provider_table_is_refused_with_the_file_name(text: str, problem: str) -> None:
    with pytest.raises(CuratedDataError, match=f"example-isp.toml: .*{problem}"):
        parse_provider(text, "example-isp.toml")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (SIGNER + 'note = "x"\n', "signer #1: unknown keys note"),
        (SIGNER + 'provider = "no-such-provider"\n', "has no file in data/providers"),
        (SIGNER.replace('name = "Example signer"\n', ""), "missing keys name"),
        ("signers = []\n", "unknown top-level keys signers"),
    ],
)
def test_a_broken_signer_row_is_refused(text: str, problem: str) -> None:
    with pytest.raises(ProviderTableError, match=problem):
        parse_signers(text)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (DNS_ROW + "colour = 1\n", "dns_provider #1: unknown keys colour"),
        (DNS_ROW.replace('id = "example-dns"', 'id = "xserver"'), "xserver has a provider file"),
        (DNS_ROW + DNS_ROW, "example-dns is named twice"),
        (DNS_ROW.replace('id = "example-dns"', 'id = "Example"'), "id must be lower-case"),
    ],
)
def test_a_broken_dns_row_is_refused(text: str, problem: str) -> None:
    with pytest.raises(ProviderTableError, match=problem):
        parse_dns_hosts(text)


def test_good_rows_parse() -> None:
    (signer,) = parse_signers(SIGNER + 'provider = "icloud"\n')
    assert signer.provider_id == "icloud" and signer.mx_patterns == ()
    (host,) = parse_dns_hosts(DNS_ROW)
    assert host.key == "example-dns" and host.matches("ns12.example-dns.test") and not host.recalled
