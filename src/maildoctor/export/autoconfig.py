"""A Thunderbird autoconfig file (clientConfig 1.1, the format of Mozilla's ISPDB).

The file can be served at https://autoconfig.<domain>/mail/config-v1.1.xml or
dropped into Thunderbird's isp/ folder. Element names and their order follow
the ISPDB files; the login name is written as the %EMAILADDRESS% or
%EMAILLOCALPART% template when it is one of those, so the file serves every
address of the domain.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Final

from maildoctor.discover.candidates import DiscoveredSettings, PasswordKind, ServerCandidate
from maildoctor.export.common import best, split_address
from maildoctor.model import Protocol, Security, ServerRole

CLIENT_CONFIG_VERSION: Final = "1.1"
SOCKET_TYPES: Final = {Security.SSL: "SSL", Security.STARTTLS: "STARTTLS", Security.NONE: "plain"}
PASSWORD_CLEARTEXT: Final = "password-cleartext"  # noqa: S105 -- an ISPDB method name
OAUTH2: Final = "OAuth2"
EMAIL_ADDRESS: Final = "%EMAILADDRESS%"
EMAIL_LOCAL_PART: Final = "%EMAILLOCALPART%"
_XML_DECLARATION: Final = '<?xml version="1.0" encoding="UTF-8"?>\n'


def render_autoconfig(settings: DiscoveredSettings) -> str:
    """The clientConfig XML for the address's domain, pretty-printed, with an XML declaration.

    Incoming: the best candidate of each protocol (IMAP and/or POP3), best first,
    which is the order Thunderbird prefers them in. Outgoing: the best candidate.
    Raises NoServerError when either side has no candidate, ValueError when the
    address has no domain.
    """
    local_part, domain = split_address(settings.address)
    if not domain:
        raise ValueError("the address has no domain")
    outgoing = best(settings, ServerRole.OUTGOING)
    best(settings, ServerRole.INCOMING)  # raises when there is none

    root = ET.Element("clientConfig", version=CLIENT_CONFIG_VERSION)
    provider = ET.SubElement(root, "emailProvider", id=domain)
    ET.SubElement(provider, "domain").text = domain
    name = settings.provider.name if settings.provider is not None else domain
    ET.SubElement(provider, "displayName").text = name
    ET.SubElement(provider, "displayShortName").text = name
    for candidate in _best_per_protocol(settings.incoming):
        _server(provider, "incomingServer", candidate, settings.address, local_part)
    _server(provider, "outgoingServer", outgoing, settings.address, local_part)

    ET.indent(root, space="  ")
    return _XML_DECLARATION + ET.tostring(root, encoding="unicode") + "\n"


def username_template(username: str, address: str, local_part: str) -> str:
    """%EMAILADDRESS% / %EMAILLOCALPART% when the login name is one of those, else the name itself."""
    if username.lower() == address.lower():
        return EMAIL_ADDRESS
    if username == local_part:
        return EMAIL_LOCAL_PART
    return username


def authentication_methods(candidate: ServerCandidate) -> tuple[str, ...]:
    """The <authentication> values: what the source named, else from the password kind."""
    methods = tuple(dict.fromkeys(candidate.authentication))
    if candidate.password_kind is PasswordKind.OAUTH2:
        return (OAUTH2, *(method for method in methods if method != OAUTH2))
    return methods or (PASSWORD_CLEARTEXT,)


def _best_per_protocol(candidates: Iterable[ServerCandidate]) -> list[ServerCandidate]:
    chosen: dict[Protocol, ServerCandidate] = {}
    for candidate in candidates:
        chosen.setdefault(candidate.protocol, candidate)
    return list(chosen.values())


def _server(parent: ET.Element, tag: str, candidate: ServerCandidate, address: str, local_part: str) -> None:
    server = ET.SubElement(parent, tag, type=candidate.protocol.value)
    ET.SubElement(server, "hostname").text = candidate.host
    ET.SubElement(server, "port").text = str(candidate.port)
    ET.SubElement(server, "socketType").text = SOCKET_TYPES[candidate.security]
    ET.SubElement(server, "username").text = username_template(candidate.username, address, local_part)
    for method in authentication_methods(candidate):
        ET.SubElement(server, "authentication").text = method
