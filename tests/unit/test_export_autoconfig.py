"""The Thunderbird clientConfig file: parses back, every field right, shaped like the ISPDB files."""

# ruff: noqa: S314 -- parses our own output and a checked-in ISPDB sample

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from maildoctor.discover.candidates import (
    DiscoveredSettings,
    PasswordKind,
    ProviderInfo,
    ServerCandidate,
    Source,
)
from maildoctor.export import NoServerError
from maildoctor.export.autoconfig import authentication_methods, render_autoconfig, username_template
from maildoctor.model import Protocol, Security, ServerRole

ISPDB_REFERENCE = Path("/work/shared/data/ispdb/126.com.xml")

IMAP = ServerCandidate(Protocol.IMAP, "imap.example.jp", 993, Security.SSL, "taro@example.jp")
IMAP_OTHER = ServerCandidate(Protocol.IMAP, "mail.example.jp", 143, Security.STARTTLS, "taro@example.jp")
POP = ServerCandidate(Protocol.POP3, "pop.example.jp", 110, Security.NONE, "taro")
SMTP = ServerCandidate(Protocol.SMTP, "smtp.example.jp", 587, Security.STARTTLS, "taro@example.jp")


def settings(**changes: object) -> DiscoveredSettings:
    values: dict[str, object] = {
        "address": "taro@Example.JP",
        "provider": ProviderInfo("example", "Example <ISP> & Co"),
        "incoming": (IMAP, POP, IMAP_OTHER),
        "outgoing": (SMTP,),
    }
    values.update(changes)
    return DiscoveredSettings(**values)  # type: ignore[arg-type]


def fields(server: ET.Element) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for child in server:
        found.setdefault(child.tag, []).append(child.text or "")
    return found


def test_parses_back_with_every_field() -> None:
    text = render_autoconfig(settings())
    assert text.startswith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<clientConfig version="1.1">\n  <emailProvider'
    )
    root = ET.fromstring(text)
    assert root.tag == "clientConfig" and root.get("version") == "1.1"
    (provider,) = root
    assert provider.tag == "emailProvider" and provider.get("id") == "example.jp"
    assert provider.findtext("domain") == "example.jp"
    assert provider.findtext("displayName") == "Example <ISP> & Co"  # escaped on the way out

    incoming = provider.findall("incomingServer")
    # the best of each protocol, best first; the second IMAP candidate is left out
    assert [server.get("type") for server in incoming] == ["imap", "pop3"]
    assert fields(incoming[0]) == {
        "hostname": ["imap.example.jp"],
        "port": ["993"],
        "socketType": ["SSL"],
        "username": ["%EMAILADDRESS%"],
        "authentication": ["password-cleartext"],
    }
    assert fields(incoming[1]) == {
        "hostname": ["pop.example.jp"],
        "port": ["110"],
        "socketType": ["plain"],
        "username": ["%EMAILLOCALPART%"],
        "authentication": ["password-cleartext"],
    }
    (outgoing,) = provider.findall("outgoingServer")
    assert outgoing.get("type") == "smtp"
    assert fields(outgoing) == {
        "hostname": ["smtp.example.jp"],
        "port": ["587"],
        "socketType": ["STARTTLS"],
        "username": ["%EMAILADDRESS%"],
        "authentication": ["password-cleartext"],
    }


def structure(element: ET.Element) -> list[object]:
    """Tags and attribute names in document order, repeated siblings folded into one."""
    shape: list[object] = []
    for child in element:
        entry = (child.tag, sorted(child.attrib), structure(child))
        if not shape or shape[-1] != entry:
            shape.append(entry)
    return shape


@pytest.mark.skipif(not ISPDB_REFERENCE.is_file(), reason="the ISPDB sample is not available")
def test_same_shape_as_an_ispdb_file() -> None:
    reference = ET.parse(ISPDB_REFERENCE).getroot()
    ours = ET.fromstring(
        render_autoconfig(settings(incoming=(IMAP,), outgoing=(SMTP,), address="taro@example.jp"))
    )
    assert ours.tag == reference.tag and ours.attrib == reference.attrib
    assert structure(ours) == structure(reference)


def test_unknown_provider_and_literal_username() -> None:
    odd = ServerCandidate(Protocol.IMAP, "imap.example.jp", 993, Security.SSL, "u1234&<x>")
    provider = ET.fromstring(render_autoconfig(settings(provider=None, incoming=(odd,))))[0]
    assert provider.findtext("displayName") == "example.jp"
    assert provider.findtext("displayShortName") == "example.jp"
    assert provider.findtext("incomingServer/username") == "u1234&<x>"


def test_oauth2_and_named_methods() -> None:
    oauth = ServerCandidate(
        Protocol.IMAP,
        "imap.example.jp",
        993,
        Security.SSL,
        "taro@example.jp",
        password_kind=PasswordKind.OAUTH2,
        source=Source.PROVIDER,
        authentication=("password-cleartext", "OAuth2"),
    )
    assert authentication_methods(oauth) == ("OAuth2", "password-cleartext")
    only_oauth = ServerCandidate(
        Protocol.SMTP, "h", 465, Security.SSL, "u", password_kind=PasswordKind.OAUTH2
    )
    assert authentication_methods(only_oauth) == ("OAuth2",)
    encrypted = ServerCandidate(
        Protocol.SMTP, "h", 465, Security.SSL, "u", authentication=("password-encrypted",)
    )
    assert authentication_methods(encrypted) == ("password-encrypted",)
    root = ET.fromstring(render_autoconfig(settings(incoming=(oauth,))))
    assert [e.text for e in root.iter("authentication")][:2] == ["OAuth2", "password-cleartext"]


def test_username_templates() -> None:
    assert username_template("Taro@Example.jp", "taro@example.jp", "taro") == "%EMAILADDRESS%"
    assert username_template("taro", "taro@example.jp", "taro") == "%EMAILLOCALPART%"
    assert username_template("taro%example.jp", "taro@example.jp", "taro") == "taro%example.jp"


def test_missing_servers_are_refused() -> None:
    with pytest.raises(NoServerError) as caught:
        render_autoconfig(settings(outgoing=()))
    assert caught.value.role is ServerRole.OUTGOING
    with pytest.raises(NoServerError) as caught:
        render_autoconfig(settings(incoming=()))
    assert caught.value.role is ServerRole.INCOMING
    with pytest.raises(ValueError, match="domain"):
        render_autoconfig(settings(address="taro"))
