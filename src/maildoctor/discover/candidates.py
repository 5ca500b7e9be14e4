"""The settings discovery proposes: candidates with where each came from (pure data)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from maildoctor.i18n import get_translator
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
    # the host name the server's certificate is made out to, when it is not `host` (a shared
    # rental server's "sv1234.example.net"): the name to use instead
    certificate_host: str | None = None
    # discovery reached this candidate through a redirect to another domain: no password goes
    # there without the person's consent
    needs_consent: bool = False


@dataclass(frozen=True, slots=True)
class ProviderInfo:
    id: str
    name: str
    # where a person gets or changes the password the mail program needs (curated entries only)
    password_page: str | None = None
    # the provider's public page the settings were taken from, and the day they were read (YYYY-MM-DD)
    source_url: str | None = None
    checked: str | None = None
    # in plain words: which password, and anything else a person needs (e.g. that the user name
    # is a member ID, not the address). Like `name`, English message ids: the catalogs translate them.
    password_note: str | None = None
    notes: str | None = None
    curated: bool = False  # from data/providers: its name is a message id (ISPDB names are shown as given)

    def display_name(self, language: str) -> str:
        """The provider's name in `language` ("ja" or "en"): curated names are in the catalogs."""
        return get_translator(language).gettext(self.name) if self.curated else self.name

    def in_language(self, language: str) -> tuple[str, ...]:
        """The password note and the other notes in `language` ("ja" or "en"), where there are any."""
        gettext = get_translator(language).gettext
        return tuple(gettext(text) for text in (self.password_note, self.notes) if text)


@dataclass(frozen=True, slots=True)
class DiscoveredSettings:
    address: str
    provider: ProviderInfo | None
    incoming: tuple[ServerCandidate, ...]  # best first
    outgoing: tuple[ServerCandidate, ...]  # best first


def unique_servers(candidates: Iterable[ServerCandidate]) -> tuple[ServerCandidate, ...]:
    """The candidates in their order, each server (protocol, host, port, security) once: the first
    that names it is kept."""
    seen: set[tuple[Protocol, str, int, Security]] = set()
    kept: list[ServerCandidate] = []
    for candidate in candidates:
        key = (candidate.protocol, candidate.host, candidate.port, candidate.security)
        if key not in seen:
            seen.add(key)
            kept.append(candidate)
    return tuple(kept)
