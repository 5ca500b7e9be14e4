"""The settings discovery proposes: candidates with where each came from (pure data)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from maildoctor.model import Protocol, Security


class PasswordKind(StrEnum):
    """What password the service wants from a mail program (interface.md `password_kind`)."""

    NORMAL = "normal"
    APP_SPECIFIC = "app-specific"
    MAIL_SPECIFIC = "mail-specific"  # e.g. a carrier's separate "IMAP password"
    OAUTH2 = "oauth2"


class Source(StrEnum):
    """Where a candidate came from, most authoritative first."""

    PROVIDER = "provider"
    AUTOCONFIG = "autoconfig"
    SRV = "srv"
    AUTODISCOVER = "autodiscover"
    MX = "mx"
    GUESS = "guess"


class UsernameForm(StrEnum):
    """How the login name is built from the address (ISPDB's %EMAIL...% templates)."""

    ADDRESS = "address"  # %EMAILADDRESS%
    LOCAL_PART = "local-part"  # %EMAILLOCALPART%
    OTHER = "other"  # a template we keep as is (e.g. %EMAILLOCALPART%@%EMAILDOMAIN% variants)


@dataclass(frozen=True, slots=True)
class ServerCandidate:
    protocol: Protocol
    host: str
    port: int
    security: Security
    username: str  # for this address, template already filled in
    password_kind: PasswordKind = PasswordKind.NORMAL
    source: Source = Source.GUESS
    verified: bool = False  # a probe in this run confirmed the server answers as described
    # the authentication methods the source names (ISPDB: password-cleartext, OAuth2, ...)
    authentication: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProviderInfo:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class DiscoveredSettings:
    address: str
    provider: ProviderInfo | None
    incoming: tuple[ServerCandidate, ...]  # best first
    outgoing: tuple[ServerCandidate, ...]  # best first
