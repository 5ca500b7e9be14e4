"""Rendering one step line in the person's own program, and naming the program."""

import pytest

from maildoctor.clients import (
    COMMON_CLIENTS,
    ClientField,
    ClientId,
    UnsupportedField,
    client_of_message_client,
    field_step,
    how_to_find,
    load_client,
    resolve_client,
    security_words,
    unsupported_reason,
)
from maildoctor.explain.catalog import Client
from maildoctor.model import Security


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("iphone", ClientId.IPHONE),
        ("iPad", ClientId.IPHONE),
        ("iOS", ClientId.IPHONE),
        ("ｉＰｈｏｎｅ", ClientId.IPHONE),
        ("outlook", ClientId.OUTLOOK_CLASSIC),
        ("Outlook Classic", ClientId.OUTLOOK_CLASSIC),
        ("new-outlook", ClientId.OUTLOOK_NEW),
        ("New Outlook", ClientId.OUTLOOK_NEW),
        ("windows_mail", ClientId.OUTLOOK_NEW),
        ("Thunderbird", ClientId.THUNDERBIRD),
        ("TB", ClientId.THUNDERBIRD),
        ("ＴＢ", ClientId.THUNDERBIRD),
        ("gmail", ClientId.GMAIL_ANDROID),
        ("gmail-ios", ClientId.GMAIL_IOS),
        ("mac", ClientId.MAC_MAIL),
        ("Apple Mail", ClientId.MAC_MAIL),
        ("android", ClientId.ANDROID_MAIL),
        ("Samsung Email", ClientId.ANDROID_MAIL),
    ],
)
def test_resolve_client_aliases(name, expected):
    assert resolve_client(name) is expected


@pytest.mark.parametrize("name", ["", "eudora", "outlook express", "gmai"])
def test_resolve_client_unknown(name):
    assert resolve_client(name) is None


def test_every_id_resolves_to_itself():
    for client in ClientId:
        assert resolve_client(client.value) is client


def test_every_explain_client_maps():
    mapped = {client: client_of_message_client(client.value) for client in Client}
    assert mapped[Client.OUTLOOK] is ClientId.OUTLOOK_CLASSIC
    assert mapped[Client.WINDOWS_MAIL] is ClientId.OUTLOOK_NEW
    assert mapped[Client.GMAIL] is ClientId.GMAIL_ANDROID
    assert mapped[Client.ANDROID] is ClientId.ANDROID_MAIL
    assert mapped[Client.IPHONE] is ClientId.IPHONE
    assert mapped[Client.THUNDERBIRD] is ClientId.THUNDERBIRD
    with pytest.raises(ValueError, match="unknown"):
        client_of_message_client("eudora")


def test_iphone_smtp_port_in_japanese():
    line = field_step(ClientId.IPHONE, ClientField.OUTGOING_PORT, "ja", value="587")
    assert line == (
        "設定 → アプリ → メール → メールアカウント → (アカウント名) → アカウント → "
        "SMTP → プライマリサーバ → サーバポート: 587"
    )


def test_iphone_account_name_filled():
    line = field_step(ClientId.IPHONE, ClientField.OUTGOING_PORT, "ja", value="465", account="会社")
    assert "→ 会社 → アカウント →" in line
    assert "(アカウント名)" not in line
    assert line.endswith("サーバポート: 465")


def test_outlook_classic_in_english():
    line = field_step(
        ClientId.OUTLOOK_CLASSIC, ClientField.OUTGOING_PORT, "en", value="587", account="taro@example.jp"
    )
    assert line == (
        "File → Account Settings → Account Settings → taro@example.jp → Change → More Settings → "
        "Advanced tab → Outgoing server (SMTP): 587"
    )


def test_outlook_classic_protocol_placeholder():
    pop = field_step(ClientId.OUTLOOK_CLASSIC, ClientField.INCOMING_PORT, "ja", value="995", protocol="pop")
    assert pop.endswith("受信サーバー (POP3): 995")
    unknown = field_step(ClientId.OUTLOOK_CLASSIC, ClientField.INCOMING_PORT, "en")
    assert unknown.endswith("Incoming server (IMAP/POP3)")


def test_thunderbird_security_in_japanese():
    line = field_step(
        ClientId.THUNDERBIRD, ClientField.OUTGOING_SECURITY, "ja", value="starttls", server="smtp.example.jp"
    )
    assert line == (
        "≡ (アプリケーションメニュー) → アカウント設定 → 送信 (SMTP) サーバー → smtp.example.jp → 編集 → "
        "接続の保護: STARTTLS"
    )
    generic = field_step(ClientId.THUNDERBIRD, ClientField.INCOMING_SECURITY, "ja", value="ssl")
    assert generic.endswith("セキュリティ設定 → 接続の保護: SSL/TLS")
    assert "(アカウント名)" in generic


def test_security_words_come_from_the_data():
    # iPhone only has a switch: STARTTLS is "off" and the note explains the upgrade
    assert security_words(ClientId.IPHONE, Security.SSL, "ja") == "オン"
    assert security_words(ClientId.IPHONE, Security.STARTTLS, "en") == "Off"
    note = load_client(ClientId.IPHONE).security[Security.STARTTLS].note
    assert note is not None and "STARTTLS" in note.ja
    assert security_words(ClientId.ANDROID_MAIL, Security.STARTTLS, "en") == "TLS"
    line = field_step(ClientId.IPHONE, ClientField.INCOMING_SECURITY, "en", value="ssl")
    assert line.endswith("Advanced → Incoming Settings → Use SSL: On")


def test_unsupported_security_value_raises_with_reason():
    with pytest.raises(UnsupportedField, match="暗号化"):
        security_words(ClientId.GMAIL_IOS, Security.NONE, "ja")


def test_unsupported_field():
    reason = unsupported_reason(ClientId.GMAIL_IOS, ClientField.PROTOCOL, "ja")
    assert reason is not None and "POP" in reason
    assert unsupported_reason(ClientId.IPHONE, ClientField.OUTGOING_PORT, "ja") is None
    with pytest.raises(UnsupportedField, match="IMAP"):
        field_step(ClientId.GMAIL_IOS, ClientField.PROTOCOL, "en")


def test_non_security_value_shown_verbatim():
    line = field_step(ClientId.THUNDERBIRD, ClientField.OUTGOING_HOST, "en", value="smtp.example.jp")
    assert line.endswith("Edit → Server Name: smtp.example.jp")
    assert "(server name)" in line


def test_how_to_find_common_clients():
    lines = how_to_find(ClientField.OUTGOING_PORT, "ja")
    assert len(lines) == len(COMMON_CLIENTS)
    for line, client in zip(lines, COMMON_CLIENTS, strict=True):
        profile = load_client(client)
        assert line.startswith(profile.name.ja)
        assert field_step(client, ClientField.OUTGOING_PORT, "ja") in line


def test_how_to_find_shows_reason_for_unsupported():
    lines = how_to_find(ClientField.EMAIL_ADDRESS, "en")
    gmail = lines[COMMON_CLIENTS.index(ClientId.GMAIL_ANDROID)]
    reason = unsupported_reason(ClientId.GMAIL_ANDROID, ClientField.EMAIL_ADDRESS, "en")
    assert reason is not None and gmail.endswith(reason)


@pytest.mark.parametrize("client", list(ClientId))
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_path_renders_without_placeholders(client, lang):
    for field in ClientField:
        if unsupported_reason(client, field, lang) is None:
            line = field_step(client, field, lang)
            assert "{" not in line and " → " in line
