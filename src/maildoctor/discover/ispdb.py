"""Thunderbird's `clientConfig` format (ISPDB and a domain's own autoconfig file), read into data.

Pure: bytes in, values out. The same format is what Thunderbird's ISPDB ships
(`ispdb/*.xml`, a copy is in `maildoctor/data/ispdb/`) and what a domain serves
itself at `https://autoconfig.<domain>/mail/config-v1.1.xml`, so one parser serves both.

Only the parts discovery needs are kept: the provider's id, name and domains,
and its IMAP/POP3 (incoming) and SMTP (outgoing) servers in file order, which
is the provider's order of preference. Servers of other types (`ews`, `owa`,
`graph`, `exchange`) have no counterpart in maildoctor and are left out.

ISPDB does not say where a provider wants an app password instead of the
account password; `to_candidates` can only tell OAuth2 from a normal password.
maildoctor's own curated entries (`maildoctor.discover.curated`) are the same
`ProviderEntry` with the optional metadata filled in: the password the provider
wants and where to get it, the page the settings come from, the MX host names
that mean "hosted here", and the settings the provider has switched off. They
may also use one more placeholder, %MXHOST%, for rental servers whose mail
server is the MX host itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from maildoctor.discover.candidates import (
    DiscoveredSettings,
    PasswordKind,
    ProviderInfo,
    ServerCandidate,
    Source,
    UsernameForm,
)
from maildoctor.discover.untrusted_xml import parse_untrusted_xml
from maildoctor.model import Protocol, Security
from maildoctor.provider_tables import DnsProvider, SelectorSource

if TYPE_CHECKING:  # parsed by untrusted_xml, which imports ElementTree when it parses
    import xml.etree.ElementTree as ET

MAX_CONFIG_BYTES: Final = 1024 * 1024  # a clientConfig is a few KiB; anything above 1 MiB is refused

# socketType as clientConfig writes it -> how maildoctor names it
_SOCKET_TYPES: Final = {"ssl": Security.SSL, "starttls": Security.STARTTLS, "plain": Security.NONE}
_INCOMING_TYPES: Final = {"imap": Protocol.IMAP, "pop3": Protocol.POP3}
_OUTGOING_TYPES: Final = {"smtp": Protocol.SMTP}
_OAUTH2: Final = "oauth2"

_PLACEHOLDER: Final = re.compile(r"%(EMAILADDRESS|EMAILLOCALPART|EMAILDOMAIN|MXHOST)%")
MXHOST: Final = "%MXHOST%"
# A document type declaration is where entities (and with them entity expansion) come from.


class ClientConfigError(ValueError):
    """A clientConfig document that cannot be used (too big, a DTD, not XML, no servers...)."""


@dataclass(frozen=True, slots=True)
class ServerTemplate:
    """One `<incomingServer>`/`<outgoingServer>` with its %EMAIL...% templates not yet filled in."""

    protocol: Protocol
    hostname_template: str
    port: int
    socket_type: Security
    username_template: str  # "" when the file names no username (e.g. SMTP without authentication)
    authentication: tuple[str, ...]  # as the file writes them: password-cleartext, OAuth2, ...

    @property
    def username_form(self) -> UsernameForm:
        if self.username_template == "%EMAILADDRESS%":
            return UsernameForm.ADDRESS
        if self.username_template == "%EMAILLOCALPART%":
            return UsernameForm.LOCAL_PART
        return UsernameForm.OTHER


@dataclass(frozen=True, slots=True)
class RetiredSetting:
    """A server setting the provider has switched off, and what replaced it.

    `port`, `security` and `protocol` are None where the provider retired the
    host as a whole; a setting matches only on the parts it names.
    """

    host: str  # lower case, no trailing dot
    replacement_host: str
    source_url: str
    port: int | None = None
    security: Security | None = None
    protocol: Protocol | None = None
    replacement_port: int | None = None
    replacement_security: Security | None = None
    since: str | None = None  # "YYYY", "YYYY-MM" or "YYYY-MM-DD" when known
    note: str | None = None  # a message id (English), translated where shown
    provider_id: str = ""  # the entry the setting belongs to
    provider_name: str = ""

    def matches(self, host: str, port: int | None = None, security: Security | None = None) -> bool:
        """Whether a mail program's (host, port, security) is this retired setting.

        The host is compared without case and without a trailing dot; the port
        and the security only where this setting names them (a setting that
        names a port does not match a caller that does not know its port).
        """
        if host.strip().rstrip(".").lower() != self.host:
            return False
        if self.port is not None and port != self.port:
            return False
        return self.security is None or security == self.security


@dataclass(frozen=True, slots=True)
class ProviderEntry:
    id: str
    display_name: str
    domains: tuple[str, ...]  # curated entries may also name "*.example.ne.jp": any sub-domain
    incoming: tuple[ServerTemplate, ...]  # file order = the provider's preference
    outgoing: tuple[ServerTemplate, ...]
    # --- metadata only curated entries carry (None / empty for ISPDB and autoconfig)
    password_kind: PasswordKind | None = None  # None: derived from the authentication methods
    password_note: str | None = None  # which password it is, in plain words (a message id)
    password_page: str | None = None  # where a person gets or changes that password
    source_url: str | None = None  # the provider's page the settings come from
    checked: str | None = None  # YYYY-MM-DD the facts were read
    mx_patterns: tuple[str, ...] = ()  # MX host names (fnmatch style) meaning "hosted here"
    retired: tuple[RetiredSetting, ...] = ()
    confirmed: str | None = None  # "stored-page" or "recalled"
    overrides_ispdb: str | None = None  # why the entry takes ISPDB domains over
    notes: str | None = None  # anything else a person needs (e.g. what the user name is; a message id)
    evidence: tuple[str, ...] = ()  # stored copies of pages the facts were checked against
    confirmed_words: str | None = None  # for a stored-page claim: the words read on source_url
    curated: bool = False
    dkim_selectors: SelectorSource | None = None  # the DKIM selectors it signs with (domain/dkim.py)
    dns_provider: DnsProvider | None = None  # the provider as a DNS host (domain/dnsproviders.py)


# --------------------------------------------------------------------------- parsing


def _text(element: ET.Element, tag: str) -> str | None:
    child = element.find(tag)
    if child is None or child.text is None:
        return None
    return child.text.strip() or None


def _server(element: ET.Element, types: dict[str, Protocol]) -> ServerTemplate | None:
    """One server element, or None for a type maildoctor does not handle or an unusable entry."""
    protocol = types.get((element.get("type") or "").strip().lower())
    if protocol is None:
        return None
    hostname = _text(element, "hostname")
    port_text = _text(element, "port")
    socket_type = _SOCKET_TYPES.get((_text(element, "socketType") or "").lower())
    if hostname is None or port_text is None or socket_type is None:
        return None
    if not port_text.isascii() or not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        return None
    authentication = tuple(
        text for child in element.findall("authentication") if child.text and (text := child.text.strip())
    )
    return ServerTemplate(
        protocol=protocol,
        hostname_template=hostname,
        port=int(port_text),
        socket_type=socket_type,
        username_template=_text(element, "username") or "",
        authentication=authentication,
    )


def parse_client_config(data: bytes) -> ProviderEntry:
    """Read a clientConfig document (an ISPDB file or a domain's autoconfig reply).

    Refuses documents above MAX_CONFIG_BYTES, any DOCTYPE or ENTITY declaration,
    XML that does not parse, a root other than <clientConfig>, and a provider
    without a single usable IMAP, POP3 or SMTP server. Servers that cannot be
    used (another type, no hostname, a port out of range, an unknown
    socketType) are skipped, as Thunderbird skips them.
    """
    root = parse_untrusted_xml(data, limit=MAX_CONFIG_BYTES, what="document", error=ClientConfigError)
    if root.tag != "clientConfig":
        raise ClientConfigError(f"root element is <{root.tag}>, not <clientConfig>")
    provider = root.find("emailProvider")
    if provider is None:
        raise ClientConfigError("no <emailProvider>")
    provider_id = (provider.get("id") or "").strip()
    domains = tuple(
        text for child in provider.findall("domain") if child.text and (text := child.text.strip())
    )
    incoming: list[ServerTemplate] = []
    outgoing: list[ServerTemplate] = []
    for child in provider:
        if child.tag == "incomingServer" and (server := _server(child, _INCOMING_TYPES)) is not None:
            incoming.append(server)
        elif child.tag == "outgoingServer" and (server := _server(child, _OUTGOING_TYPES)) is not None:
            outgoing.append(server)
    if not incoming and not outgoing:
        raise ClientConfigError("no usable IMAP, POP3 or SMTP server")
    display_name = (
        _text(provider, "displayName")
        or _text(provider, "displayShortName")
        or provider_id
        or (domains[0] if domains else "")
    )
    return ProviderEntry(
        id=provider_id or (domains[0] if domains else display_name),
        display_name=display_name,
        domains=domains,
        incoming=tuple(incoming),
        outgoing=tuple(outgoing),
    )


# --------------------------------------------------------------------------- filling in


def _split_address(address: str) -> tuple[str, str]:
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise ValueError(f"not an email address: {address!r}")
    return local, domain


def fill(template: str, address: str, mx_host: str | None = None) -> str:
    """`template` with %EMAILADDRESS%, %EMAILLOCALPART% and %EMAILDOMAIN% filled in for `address`.

    %MXHOST% (curated entries only) becomes `mx_host`, lower case without a
    trailing dot; without an `mx_host` it is left as it is. The placeholders are
    matched as ISPDB writes them (upper case, both percent signs); anything else
    is left as it is. One pass: a value that happens to contain a placeholder is
    not expanded again.
    """
    local, domain = _split_address(address)
    values = {"EMAILADDRESS": address, "EMAILLOCALPART": local, "EMAILDOMAIN": domain}
    if mx_host is not None and (host := mx_host.strip().rstrip(".").lower()):
        values["MXHOST"] = host
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), template)


def password_kind(authentication: tuple[str, ...]) -> PasswordKind:
    """OAuth2 when that is the only method named; a normal password otherwise.

    ISPDB has no way to say that a provider wants an app password, so
    APP_SPECIFIC and MAIL_SPECIFIC never come from here.
    """
    if authentication and all(method.lower() == _OAUTH2 for method in authentication):
        return PasswordKind.OAUTH2
    return PasswordKind.NORMAL


def _candidate(
    entry: ProviderEntry, server: ServerTemplate, address: str, mx_host: str | None
) -> ServerCandidate | None:
    host = fill(server.hostname_template, address, mx_host)
    if MXHOST in host:
        return None  # a server named after the MX host, and no MX host to name it by
    return ServerCandidate(
        protocol=server.protocol,
        host=host.lower(),
        port=server.port,
        security=server.socket_type,
        username=fill(server.username_template, address, mx_host),
        password_kind=entry.password_kind or password_kind(server.authentication),
        source=Source.PROVIDER,
        verified=False,
        authentication=server.authentication,
    )


def _candidates(
    entry: ProviderEntry, servers: tuple[ServerTemplate, ...], address: str, mx_host: str | None
) -> tuple[ServerCandidate, ...]:
    made = (_candidate(entry, server, address, mx_host) for server in servers)
    return tuple(candidate for candidate in made if candidate is not None)


def to_candidates(entry: ProviderEntry, address: str, mx_host: str | None = None) -> DiscoveredSettings:
    """The provider's servers for `address`, in the provider's order, not yet probed.

    `mx_host` is the MX host the entry was found by (`ProviderIndex.match_by_mx`);
    it fills %MXHOST%. Servers named %MXHOST% are left out when it is not given.
    The entry's own `password_kind`, where it has one, applies to every server;
    otherwise each server's is derived from its authentication methods.
    """
    _split_address(address)
    return DiscoveredSettings(
        address=address,
        provider=ProviderInfo(
            id=entry.id,
            name=entry.display_name,
            password_page=entry.password_page,
            source_url=entry.source_url,
            checked=entry.checked,
            password_note=entry.password_note,
            notes=entry.notes,
            curated=entry.curated,
        ),
        incoming=_candidates(entry, entry.incoming, address, mx_host),
        outgoing=_candidates(entry, entry.outgoing, address, mx_host),
    )
