"""settings --format json: interface.md's maildoctor.settings/1, candidates in the given order."""

import json

from maildoctor.discover.candidates import (
    DiscoveredSettings,
    PasswordKind,
    ProviderInfo,
    ServerCandidate,
    Source,
)
from maildoctor.export.settings_json import SCHEMA, settings_to_json
from maildoctor.model import Protocol, Security

IMAP = ServerCandidate(
    Protocol.IMAP,
    "imap.example.jp",
    993,
    Security.SSL,
    "taro@example.jp",
    source=Source.PROVIDER,
    verified=True,
)
POP = ServerCandidate(
    Protocol.POP3,
    "pop.example.jp",
    110,
    Security.STARTTLS,
    "taro",
    password_kind=PasswordKind.MAIL_SPECIFIC,
    source=Source.GUESS,
)
SMTP = ServerCandidate(
    Protocol.SMTP,
    "smtp.example.jp",
    587,
    Security.STARTTLS,
    "taro@example.jp",
    password_kind=PasswordKind.APP_SPECIFIC,
    source=Source.AUTOCONFIG,
    authentication=("password-cleartext",),
)


def test_the_document_of_interface_md() -> None:
    settings = DiscoveredSettings(
        "taro@example.jp", ProviderInfo("example", "Example ISP"), (IMAP, POP), (SMTP,)
    )
    assert settings_to_json(settings) == {
        "schema": "maildoctor.settings/1",
        "address": "taro@example.jp",
        "provider": {"id": "example", "name": "Example ISP"},
        "incoming": [
            {
                "protocol": "imap",
                "host": "imap.example.jp",
                "port": 993,
                "security": "ssl",
                "username": "taro@example.jp",
                "password_kind": "normal",
                "source": "provider",
                "verified": True,
            },
            {
                "protocol": "pop3",
                "host": "pop.example.jp",
                "port": 110,
                "security": "starttls",
                "username": "taro",
                "password_kind": "mail-specific",
                "source": "guess",
                "verified": False,
            },
        ],
        "outgoing": [
            {
                "protocol": "smtp",
                "host": "smtp.example.jp",
                "port": 587,
                "security": "starttls",
                "username": "taro@example.jp",
                "password_kind": "app-specific",
                "source": "autoconfig",
                "verified": False,
            }
        ],
    }
    assert SCHEMA == "maildoctor.settings/1"


def test_order_is_kept_and_provider_may_be_null() -> None:
    settings = DiscoveredSettings("taro@example.jp", None, (POP, IMAP), ())
    document = settings_to_json(settings)
    assert document["provider"] is None
    assert [entry["host"] for entry in document["incoming"]] == ["pop.example.jp", "imap.example.jp"]
    assert document["outgoing"] == []


def test_values_are_plain_json_types() -> None:
    settings = DiscoveredSettings("taro@example.jp", None, (IMAP,), (SMTP,))
    text = json.dumps(settings_to_json(settings))
    assert json.loads(text) == settings_to_json(settings)
    for entry in settings_to_json(settings)["incoming"]:
        assert type(entry["protocol"]) is str and type(entry["security"]) is str  # not the StrEnum
        assert type(entry["port"]) is int and type(entry["verified"]) is bool


def test_consent_and_certificate_name_appear_only_when_they_say_something() -> None:
    import dataclasses

    odd = dataclasses.replace(IMAP, needs_consent=True, certificate_host="sv1234.rental.example")
    entry = settings_to_json(DiscoveredSettings("taro@example.jp", None, (odd, IMAP), ()))["incoming"]
    assert entry[0]["needs_consent"] is True
    assert entry[0]["certificate_host"] == "sv1234.rental.example"
    assert "needs_consent" not in entry[1] and "certificate_host" not in entry[1]


def test_provider_facts_of_curated_entries_are_added() -> None:
    provider = ProviderInfo("x", "X", password_page="https://x.example/pw", checked="2026-11-25")
    document = settings_to_json(DiscoveredSettings("taro@example.jp", provider, (IMAP,), ()))
    assert document["provider"] == {
        "id": "x",
        "name": "X",
        "password_page": "https://x.example/pw",
        "checked": "2026-11-25",
    }
