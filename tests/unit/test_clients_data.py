"""The packaged client data: complete, sourced, and rejected when broken."""

import copy
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from babel.messages.mofile import read_mo

from maildoctor.clients.catalog import ClientDataError, load_clients, parse_client, parse_document
from maildoctor.clients.model import LANGS, ClientField, ClientId, Confirmed, Text
from maildoctor.i18n import DOMAIN, LOCALE_DIR
from maildoctor.model import Security


def shipped_text(client: ClientId) -> str:
    folder = resources.files("maildoctor").joinpath("data").joinpath("clients")
    return folder.joinpath(f"{client}.toml").read_text(encoding="utf-8")


def shipped_document(client: ClientId = ClientId.IPHONE) -> dict[str, Any]:
    return copy.deepcopy(tomllib.loads(shipped_text(client)))


def test_every_client_has_a_packaged_file():
    folder = resources.files("maildoctor").joinpath("data").joinpath("clients")
    names = {item.name for item in folder.iterdir() if item.name.endswith(".toml")}
    assert names == {f"{client}.toml" for client in ClientId}
    assert folder.joinpath("README.md").is_file()


def test_loader_reads_every_client():
    clients = load_clients()
    assert set(clients) == set(ClientId)
    assert all(profile.id is client for client, profile in clients.items())


@pytest.mark.parametrize("client", list(ClientId))
@pytest.mark.parametrize("field", list(ClientField))
@pytest.mark.parametrize("lang", LANGS)
def test_matrix_has_no_gaps(client, field, lang):
    entry = load_clients()[client].fields[field]
    assert (entry.path is None) != (entry.unsupported is None), "a path or a reason, not both"
    if entry.path is not None:
        steps = entry.path.steps(lang)
        assert steps and all(step.strip() for step in steps)
        assert entry.path.label.get(lang).strip()
    else:
        assert entry.unsupported is not None
        assert entry.unsupported.get(lang).strip()


@pytest.mark.parametrize("client", list(ClientId))
def test_every_entry_has_a_source(client):
    profile = load_clients()[client]
    for entry in [*profile.fields.values()]:
        assert entry.provenance.source.startswith("https://"), entry.field
        if entry.provenance.confirmed is Confirmed.RECALLED:
            assert entry.provenance.note, entry.field
    assert profile.security_provenance.source.startswith("https://")


@pytest.mark.parametrize("client", list(ClientId))
def test_security_choices_complete(client):
    security = load_clients()[client].security
    assert set(security) == set(Security)
    for value, choice in security.items():
        assert choice.value is value
        for lang in LANGS:
            text = choice.words if choice.words is not None else choice.unsupported
            assert text is not None and text.get(lang).strip()


@pytest.mark.parametrize("client", list(ClientId))
def test_pop_leave_on_server_states_the_default(client):
    entry = load_clients()[client].fields[ClientField.POP_LEAVE_ON_SERVER]
    if entry.path is not None:
        assert entry.path.default is not None
        assert all(entry.path.default.get(lang).strip() for lang in LANGS)


def test_checked_date_and_versions_present():
    for profile in load_clients().values():
        assert profile.versions
        assert profile.checked.year >= 2026


def test_shipped_text_round_trips():
    assert parse_client(shipped_text(ClientId.THUNDERBIRD), "thunderbird.toml").id is ClientId.THUNDERBIRD


def test_rejects_unknown_key_naming_the_entry():
    document = shipped_document()
    document["field"]["outgoing_port"]["colour"] = "red"
    with pytest.raises(ClientDataError, match=r"iphone\.toml: field\.outgoing_port: unknown keys colour"):
        parse_document(document, "iphone.toml")


def test_rejects_missing_label_naming_the_entry():
    document = shipped_document()
    del document["field"]["incoming_host"]["label"]
    with pytest.raises(ClientDataError, match=r"field\.incoming_host: missing key label"):
        parse_document(document, "iphone.toml")


def test_rejects_missing_steps():
    document = shipped_document()
    del document["field"]["incoming_host"]["steps"]
    with pytest.raises(ClientDataError, match=r"field\.incoming_host: missing key steps"):
        parse_document(document, "iphone.toml")


def test_rejects_missing_reason():
    document = shipped_document(ClientId.GMAIL_IOS)
    del document["field"]["protocol"]["reason"]
    with pytest.raises(ClientDataError, match=r"gmail-ios\.toml: field\.protocol: missing key reason"):
        parse_document(document, "gmail-ios.toml")


def test_rejects_unknown_field_naming_it():
    document = shipped_document()
    document["field"]["signature"] = copy.deepcopy(document["field"]["email_address"])
    with pytest.raises(ClientDataError, match=r"field\.signature: unknown field 'signature'"):
        parse_document(document, "iphone.toml")


def test_rejects_a_gap_in_the_matrix():
    document = shipped_document()
    del document["field"]["remove_account"]
    with pytest.raises(ClientDataError, match=r"iphone\.toml: missing fields remove_account"):
        parse_document(document, "iphone.toml")


def test_rejects_missing_security_choice():
    document = shipped_document()
    del document["security"]["starttls"]
    with pytest.raises(ClientDataError, match=r"security\.starttls: missing"):
        parse_document(document, "iphone.toml")


def test_rejects_recalled_without_note_and_bad_source():
    document = shipped_document()
    del document["field"]["add_account"]["confirmed_note"]
    with pytest.raises(ClientDataError, match=r"field\.add_account: a recalled entry needs a confirmed_note"):
        parse_document(document, "iphone.toml")
    document = shipped_document()
    document["field"]["add_account"]["source"] = "support.apple.com"
    with pytest.raises(ClientDataError, match=r"field\.add_account: source must be one https:// URL"):
        parse_document(document, "iphone.toml")


def test_rejects_unknown_placeholder_and_wrong_file_name():
    document = shipped_document()
    document["field"]["add_account"]["steps"] = ["Settings", "{acount}"]
    with pytest.raises(ClientDataError, match=r"field\.add_account: unknown placeholder \{acount\}"):
        parse_document(document, "iphone.toml")
    with pytest.raises(ClientDataError, match=r"does not match the file name"):
        parse_document(shipped_document(), "thunderbird.toml")


def test_rejects_pop_setting_without_default():
    document = shipped_document()
    del document["field"]["pop_leave_on_server"]["default"]
    with pytest.raises(ClientDataError, match=r"pop_leave_on_server: missing key default"):
        parse_document(document, "iphone.toml")


def test_rejects_broken_toml():
    with pytest.raises(ClientDataError, match=r"iphone\.toml: not valid TOML"):
        parse_client("[client\nid=", "iphone.toml")


def test_rejects_a_left_over_language_pair_and_a_broken_qualifier():
    document = shipped_document()
    document["field"]["incoming_host"]["label_ja"] = "ホスト名"
    with pytest.raises(ClientDataError, match=r"field\.incoming_host: unknown keys label_ja"):
        parse_document(document, "iphone.toml")
    for broken in ("|Port", "Thunderbird|", "a|b|Port"):
        document = shipped_document()
        document["field"]["incoming_host"]["label"] = broken
        with pytest.raises(ClientDataError, match=r"label must be 'text' or 'qualifier\|text'"):
            parse_document(document, "iphone.toml")


@pytest.mark.parametrize("client", list(ClientId))
def test_every_shown_text_has_its_japanese_in_the_catalog(client):
    """The data is English message ids; each one is in the ja catalog, and a qualifier never shows."""
    with (Path(LOCALE_DIR) / "ja" / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as file:
        catalog = read_mo(file)
    profile = load_clients()[client]
    texts = [profile.name, *(choice.words or choice.unsupported for choice in profile.security.values())]
    texts += [choice.note for choice in profile.security.values() if choice.note is not None]
    for entry in profile.fields.values():
        if entry.path is not None:
            texts += [Text(step) for step in entry.path.step_messages] + [entry.path.label]
            texts += [text for text in (entry.path.note, entry.path.default) if text is not None]
        texts += [text for text in (entry.unsupported,) if text is not None]
    for text in texts:
        assert text is not None
        message = catalog.get(text.message)
        assert message is not None and message.string, text.message
        assert "|" not in text.ja and "|" not in text.en, text


def test_aliases_and_explain_clients_come_from_the_data():
    from maildoctor.clients.render import client_of_message_client, resolve_client
    from maildoctor.explain.catalog import Client

    for client, profile in load_clients().items():
        assert resolve_client(client.value) is client
        assert all(resolve_client(alias) is client for alias in profile.aliases)
    assert {client_of_message_client(name) for name in Client} <= set(ClientId)  # each one is named
    assert (
        resolve_client("ＴＢ") is ClientId.THUNDERBIRD
        and resolve_client("new outlook") is ClientId.OUTLOOK_NEW
    )


def test_rejects_an_alias_that_is_not_a_list():
    document = shipped_document()
    document["client"]["aliases"] = "iphone"
    with pytest.raises(ClientDataError, match=r"client: aliases must be a list of strings"):
        parse_document(document, "iphone.toml")
