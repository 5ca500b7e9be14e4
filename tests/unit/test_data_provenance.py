"""Provenance of the curated data (issue 17): every entry names its source and the day it was read,
and a "confirmed" claim carries the words it confirmed. Also the corrections made against the
providers' and vendors' own words on 2026-12-07."""

from __future__ import annotations

import copy
import datetime
import re
import sys
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from maildoctor.clients.catalog import ClientDataError, load_clients, parse_document
from maildoctor.clients.model import ClientField, ClientId, Confirmed
from maildoctor.discover.curated import CuratedDataError, find_retired, load_curated, parse_provider
from maildoctor.discover.ispdb import fill
from maildoctor.discover.providers import ProviderIndex
from maildoctor.i18n import get_translator
from maildoctor.model import Security

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PROVIDER = """\
id = "example-isp"
name = "Example ISP"
domains = ["example-isp.ne.jp"]
mx_patterns = []
password_kind = "normal"
password_note = "The mail password."
password_page = "https://example-isp.ne.jp/password"
source_url = "https://example-isp.ne.jp/mail"
checked = "2026-12-07"
confirmed = "stored-page"
notes = "No servers."
"""


def _client_document(client: ClientId = ClientId.THUNDERBIRD) -> dict[str, Any]:
    folder = resources.files("maildoctor").joinpath("data").joinpath("clients")
    return tomllib.loads(folder.joinpath(f"{client}.toml").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- every shipped entry


@pytest.mark.parametrize("entry", load_curated(), ids=lambda entry: entry.id)
def test_every_provider_entry_has_source_date_and_words_for_a_claim(entry: Any) -> None:
    assert entry.source_url and entry.source_url.startswith(("http://", "https://"))
    assert entry.checked and _DATE.fullmatch(entry.checked)
    assert entry.confirmed in {"stored-page", "recalled"}
    if entry.confirmed == "stored-page":
        assert entry.confirmed_words and entry.confirmed_words.strip()
    for retired in entry.retired:
        assert retired.source_url.startswith(("http://", "https://"))


@pytest.mark.parametrize("client", list(ClientId), ids=str)
def test_every_client_entry_has_source_date_and_words_for_a_claim(client: ClientId) -> None:
    profile = load_clients()[client]
    provenances = [profile.security_provenance] + [entry.provenance for entry in profile.fields.values()]
    for variant in profile.variants:  # an older version's menus carry their own sources
        provenances += [variant.provenance, *(entry.provenance for entry in variant.fields.values())]
    for provenance in provenances:
        assert provenance.source.startswith("https://")
        assert isinstance(provenance.seen, datetime.date)
        assert provenance.seen <= datetime.datetime.now(datetime.UTC).date()  # never in the future
        if provenance.confirmed is Confirmed.STORED_PAGE:
            assert provenance.words and provenance.words.strip()
        else:
            assert provenance.note


# --------------------------------------------------------------------------- the loaders refuse


def test_a_provider_claim_without_its_words_is_refused() -> None:
    with pytest.raises(CuratedDataError, match=r"example-isp.toml: confirmed_words: a stored-page claim"):
        parse_provider(_PROVIDER, "example-isp.toml")
    entry = parse_provider(_PROVIDER + 'confirmed_words = "メール設定"\n', "example-isp.toml")
    assert entry.confirmed_words == "メール設定"


def test_a_provider_entry_without_source_or_date_is_refused() -> None:
    without_source = _PROVIDER.replace('source_url = "https://example-isp.ne.jp/mail"\n', "")
    with pytest.raises(CuratedDataError, match="source_url"):
        parse_provider(without_source + 'confirmed_words = "x"\n', "example-isp.toml")
    without_date = _PROVIDER.replace('checked = "2026-12-07"\n', "")
    with pytest.raises(CuratedDataError, match="checked"):
        parse_provider(without_date + 'confirmed_words = "x"\n', "example-isp.toml")


def test_a_client_entry_without_a_date_is_refused() -> None:
    document = _client_document()
    del document["field"]["email_address"]["seen"]
    with pytest.raises(ClientDataError, match=r"field\.email_address: seen must be a TOML date"):
        parse_document(document, "thunderbird.toml")
    document = _client_document()
    document["field"]["email_address"]["seen"] = "2026-12-07"  # a string, not a TOML date
    with pytest.raises(ClientDataError, match=r"field\.email_address: seen must be a TOML date"):
        parse_document(document, "thunderbird.toml")


def test_a_client_claim_without_its_words_is_refused() -> None:
    document = _client_document()
    assert document["field"]["add_account"]["confirmed"] == "stored-page"
    broken = copy.deepcopy(document)
    del broken["field"]["add_account"]["confirmed_words"]
    with pytest.raises(ClientDataError, match=r"add_account: a stored-page claim needs confirmed_words"):
        parse_document(broken, "thunderbird.toml")
    blank = copy.deepcopy(document)
    blank["field"]["add_account"]["confirmed_words"] = " "
    with pytest.raises(ClientDataError, match="confirmed_words must be a non-empty string"):
        parse_document(blank, "thunderbird.toml")


def test_a_client_entry_without_a_source_is_refused() -> None:
    document = _client_document()
    del document["field"]["add_account"]["source"]
    with pytest.raises(ClientDataError, match=r"field\.add_account"):
        parse_document(document, "thunderbird.toml")


# --------------------------------------------------------------------------- the corrections


def _entries() -> dict[str, Any]:
    return {entry.id: entry for entry in load_curated()}


def test_softbank_logs_in_with_the_whole_address() -> None:
    softbank = _entries()["softbank"]
    assert {server.username_template for server in softbank.incoming + softbank.outgoing} == {
        "%EMAILADDRESS%"
    }


def test_sakura_sends_on_587_with_starttls_only() -> None:
    sakura = _entries()["sakura"]
    assert [(s.port, s.socket_type) for s in sakura.outgoing] == [(587, Security.STARTTLS)]


def test_docomo_password_page_is_the_page_docomo_has_now() -> None:
    docomo = _entries()["docomo"]
    assert docomo.password_page == "https://www.nttdocomo.co.jp/service/docomo_mail/security/index.html"
    assert docomo.confirmed_words and "IMAP専用ID" in docomo.confirmed_words


def test_docomo_notes_do_not_claim_the_imap_id_is_the_d_account_id() -> None:
    """docomo's own page names the IMAP ID but never says it equals the d ACCOUNT ID (issue 17)."""
    docomo = _entries()["docomo"]
    notes = docomo.notes or ""
    assert "IMAP ID" in notes and "d ACCOUNT" not in notes
    assert docomo.confirmed == "recalled"


def test_microsoft_sources_name_the_right_service() -> None:
    entries = _entries()
    assert "outlook-com" in (entries["outlook-com"].source_url or "")
    assert "outlook-com" not in (entries["microsoft365"].source_url or "")


def test_outlook_com_pop_mail_name_is_retired() -> None:
    setting = find_retired("POP-MAIL.outlook.com", 995, Security.SSL)
    assert setting is not None and setting.provider_id == "outlook-com"
    assert (setting.replacement_host, setting.replacement_port) == ("outlook.office365.com", 995)


def test_biglobe_settings_page_is_the_source() -> None:
    assert "faq_id=20845" in (_entries()["biglobe"].source_url or "")


def test_au_one_net_sends_through_msa_of_the_address_domain() -> None:
    index = ProviderIndex(load_curated())
    for address, host in (
        ("kddi1@ab.auone-net.jp", "msa.ab.auone-net.jp"),
        ("kddi1@d1.dion.ne.jp", "msa.d1.dion.ne.jp"),
    ):
        entry = index.lookup(address.split("@")[1])
        assert entry is not None and entry.id == "au-one-net"
        (server,) = entry.outgoing
        assert (fill(server.hostname_template, address), server.port) == (host, 465)


def test_nifty_second_mail_domains_are_known_without_guessed_servers() -> None:
    index = ProviderIndex(load_curated())
    for domain in ("sp1.nifty.com", "mb2.nifty.ne.jp", "mb3.infoweb.ne.jp"):
        entry = index.lookup(domain)
        assert entry is not None and entry.id == "nifty-subdomains"
        assert not entry.incoming and not entry.outgoing
    nifty = index.lookup("nifty.com")
    assert nifty is not None and nifty.id == "nifty"


def test_provider_notes_carry_the_gaps_in_japanese() -> None:
    ja = get_translator("ja").gettext
    entries = _entries()
    assert "2009年11月23日以前" in ja(entries["ocn"].notes or "")
    assert "新規申し込みは終了" in ja(entries["so-net"].notes or "")
    assert "So-net" in ja(entries["plala"].notes or "")


def test_thunderbird_and_gmail_labels_are_the_vendors_japanese() -> None:
    ja = get_translator("ja").gettext
    profiles = load_clients()
    add = profiles[ClientId.THUNDERBIRD].fields[ClientField.ADD_ACCOUNT].path
    assert add is not None
    assert [ja(step) for step in add.step_messages][1:] == ["新しいアカウント"]
    assert add.label.ja == "メール"
    password = profiles[ClientId.THUNDERBIRD].fields[ClientField.INCOMING_PASSWORD].path
    assert password is not None and password.label.ja == "保存されているパスワード..."
    assert password.note is not None and "パスワードを編集" in password.note.ja
    pop = profiles[ClientId.GMAIL_ANDROID].fields[ClientField.POP_LEAVE_ON_SERVER].path
    assert pop is not None and pop.default is not None and "削除しない" in pop.default.ja


def test_the_data_script_counts(capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.util

    script = Path(__file__).resolve().parents[2] / "bench" / "data_confirmed.py"
    spec = importlib.util.spec_from_file_location("data_confirmed", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    rows = module.count_rows()
    by_file = {row.file: row for row in rows}
    assert by_file["providers/au-one-net.toml"].confirmed == 1
    assert by_file["clients/thunderbird.toml"].confirmed >= 3
    assert all(row.confirmed + row.recalled == row.entries for row in rows)
