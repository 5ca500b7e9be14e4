"""The Apple configuration profile: a plist with the Mail payload, stable UUIDs, no password unless asked."""

import plistlib
import uuid
from typing import Any

import pytest

from maildoctor.discover.candidates import DiscoveredSettings, PasswordKind, ProviderInfo, ServerCandidate
from maildoctor.export import NoServerError
from maildoctor.export.mobileconfig import (
    NOTE_APP_PASSWORD,
    NOTE_NO_ENCRYPTION,
    NOTE_NO_PASSWORD,
    NOTE_OAUTH2,
    NOTE_PASSWORD_INSIDE,
    NOTE_STARTTLS,
    render_mobileconfig,
)
from maildoctor.i18n import get_translator
from maildoctor.model import Protocol, Secret, Security, leak_forms

EN = get_translator("en")
JA = get_translator("ja")
IMAP = ServerCandidate(Protocol.IMAP, "imap.example.jp", 993, Security.SSL, "taro@example.jp")
POP = ServerCandidate(Protocol.POP3, "pop.example.jp", 995, Security.SSL, "taro")
SMTP = ServerCandidate(Protocol.SMTP, "smtp.example.jp", 587, Security.STARTTLS, "taro@example.jp")
SMTPS = ServerCandidate(Protocol.SMTP, "smtp.example.jp", 465, Security.SSL, "taro@example.jp")

SETTINGS = DiscoveredSettings("taro@example.jp", ProviderInfo("example", "Example ISP"), (IMAP,), (SMTP,))

MAIL_KEYS: dict[str, type] = {
    "PayloadType": str,
    "PayloadVersion": int,
    "PayloadIdentifier": str,
    "PayloadUUID": str,
    "PayloadDisplayName": str,
    "PayloadDescription": str,
    "EmailAccountDescription": str,
    "EmailAccountType": str,
    "EmailAddress": str,
    "IncomingMailServerHostName": str,
    "IncomingMailServerPortNumber": int,
    "IncomingMailServerUseSSL": bool,
    "IncomingMailServerUsername": str,
    "IncomingMailServerAuthentication": str,
    "OutgoingMailServerHostName": str,
    "OutgoingMailServerPortNumber": int,
    "OutgoingMailServerUseSSL": bool,
    "OutgoingMailServerUsername": str,
    "OutgoingMailServerAuthentication": str,
    "OutgoingPasswordSameAsIncomingPassword": bool,
}
PROFILE_KEYS: dict[str, type] = {
    "PayloadType": str,
    "PayloadVersion": int,
    "PayloadIdentifier": str,
    "PayloadUUID": str,
    "PayloadDisplayName": str,
    "PayloadDescription": str,
    "PayloadContent": list,
}


def load(content: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    profile = plistlib.loads(content)
    (mail,) = profile["PayloadContent"]
    return profile, mail


def test_round_trip_with_every_key_typed_right() -> None:
    result = render_mobileconfig(SETTINGS, EN)
    assert result.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist')
    profile, mail = load(result.content)
    for keys, payload in ((PROFILE_KEYS, profile), (MAIL_KEYS, mail)):
        for key, kind in keys.items():
            assert type(payload[key]) is kind, key
    assert profile["PayloadType"] == "Configuration" and profile["PayloadVersion"] == 1
    assert mail["PayloadType"] == "com.apple.mail.managed" and mail["PayloadVersion"] == 1
    assert mail["EmailAccountType"] == "EmailTypeIMAP"
    assert mail["EmailAddress"] == "taro@example.jp"
    assert mail["EmailAccountDescription"] == "Example ISP"
    assert (mail["IncomingMailServerHostName"], mail["IncomingMailServerPortNumber"]) == (
        "imap.example.jp",
        993,
    )
    assert mail["IncomingMailServerUseSSL"] is True
    assert mail["IncomingMailServerUsername"] == "taro@example.jp"
    assert (mail["OutgoingMailServerHostName"], mail["OutgoingMailServerPortNumber"]) == (
        "smtp.example.jp",
        587,
    )
    assert mail["OutgoingMailServerUseSSL"] is False  # STARTTLS: see the note
    assert (
        mail["IncomingMailServerAuthentication"]
        == mail["OutgoingMailServerAuthentication"]
        == "EmailAuthPassword"
    )
    assert mail["OutgoingPasswordSameAsIncomingPassword"] is True
    assert mail["PayloadIdentifier"].startswith(profile["PayloadIdentifier"] + ".")
    assert uuid.UUID(profile["PayloadUUID"]) != uuid.UUID(mail["PayloadUUID"])
    assert result.notes == (NOTE_STARTTLS, NOTE_NO_PASSWORD)


def test_pop_account_type() -> None:
    settings = DiscoveredSettings("taro@example.jp", None, (POP,), (SMTPS,))
    result = render_mobileconfig(settings, EN)
    _profile, mail = load(result.content)
    assert mail["EmailAccountType"] == "EmailTypePOP"
    assert mail["EmailAccountDescription"] == "example.jp"
    assert mail["OutgoingMailServerUseSSL"] is True
    assert result.notes == (NOTE_NO_PASSWORD,)


def test_the_same_address_gives_the_same_profile() -> None:
    first = render_mobileconfig(SETTINGS, EN)
    again = render_mobileconfig(SETTINGS, EN)
    assert first == again
    other_case = DiscoveredSettings("Taro@Example.JP", SETTINGS.provider, (IMAP,), (SMTP,))
    assert (
        load(first.content)[0]["PayloadUUID"]
        == load(render_mobileconfig(other_case, EN).content)[0]["PayloadUUID"]
    )
    other = DiscoveredSettings("hanako@example.jp", SETTINGS.provider, (IMAP,), (SMTP,))
    assert (
        load(first.content)[0]["PayloadUUID"]
        != load(render_mobileconfig(other, EN).content)[0]["PayloadUUID"]
    )


def test_no_password_unless_asked() -> None:
    password = Secret("s3cret+pass/word")
    without = render_mobileconfig(SETTINGS, EN)
    _profile, mail = load(without.content)
    assert "IncomingPassword" not in mail and "OutgoingPassword" not in mail
    for form in leak_forms(password, ("taro@example.jp",)):
        assert form.encode() not in without.content

    with_password = render_mobileconfig(SETTINGS, EN, include_password=password)
    _profile, mail = load(with_password.content)
    assert mail["IncomingPassword"] == mail["OutgoingPassword"] == "s3cret+pass/word"
    assert NOTE_PASSWORD_INSIDE in with_password.notes and NOTE_NO_PASSWORD not in with_password.notes


def test_notes_for_what_the_profile_cannot_say() -> None:
    plain = ServerCandidate(Protocol.IMAP, "mail.example.jp", 143, Security.NONE, "taro")
    app = ServerCandidate(
        Protocol.SMTP,
        "smtp.example.jp",
        587,
        Security.STARTTLS,
        "taro",
        password_kind=PasswordKind.APP_SPECIFIC,
    )
    notes = render_mobileconfig(DiscoveredSettings("taro@example.jp", None, (plain,), (app,)), EN).notes
    assert notes == (NOTE_STARTTLS, NOTE_NO_ENCRYPTION, NOTE_APP_PASSWORD, NOTE_NO_PASSWORD)
    oauth = ServerCandidate(
        Protocol.IMAP, "imap.example.jp", 993, Security.SSL, "taro", password_kind=PasswordKind.OAUTH2
    )
    assert (
        NOTE_OAUTH2
        in render_mobileconfig(DiscoveredSettings("t@example.jp", None, (oauth,), (SMTPS,)), EN).notes
    )
    for note in notes:
        assert JA.gettext(note) != note  # every note has a Japanese translation


def test_japanese_names_and_server_text_kept_verbatim() -> None:
    odd = ServerCandidate(Protocol.IMAP, "imap.example.jp", 993, Security.SSL, "<taro>&[bold]")
    settings = DiscoveredSettings("taro@example.jp", None, (odd,), (SMTP,))
    profile, mail = load(render_mobileconfig(settings, JA).content)
    assert profile["PayloadDisplayName"] == "taro@example.jp のメール設定"
    assert mail["IncomingMailServerUsername"] == "<taro>&[bold]"


def test_both_servers_are_needed() -> None:
    with pytest.raises(NoServerError):
        render_mobileconfig(DiscoveredSettings("taro@example.jp", None, (IMAP,), ()), EN)
    with pytest.raises(NoServerError):
        render_mobileconfig(DiscoveredSettings("taro@example.jp", None, (), (SMTP,)), EN)
