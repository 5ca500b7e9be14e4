"""interface.md's `settings --format json`: the `maildoctor.settings/1` document."""

from __future__ import annotations

from typing import Any, Final

from maildoctor.discover.candidates import DiscoveredSettings, ProviderInfo, ServerCandidate

SCHEMA: Final = "maildoctor.settings/1"


def candidate_to_json(candidate: ServerCandidate) -> dict[str, Any]:
    """interface.md's fields; two more only when they say something (the document may grow)."""
    entry: dict[str, Any] = {
        "protocol": candidate.protocol.value,
        "host": candidate.host,
        "port": candidate.port,
        "security": candidate.security.value,
        "username": candidate.username,
        "password_kind": candidate.password_kind.value,
        "source": candidate.source.value,
        "verified": candidate.verified,
    }
    if candidate.needs_consent:  # a password goes to this host only with the person's consent
        entry["needs_consent"] = True
    if candidate.certificate_host:  # the name the server's certificate is made out to instead
        entry["certificate_host"] = candidate.certificate_host
    return entry


def provider_to_json(provider: ProviderInfo) -> dict[str, Any]:
    """id and name as interface.md has them; the curated entries' extra facts only where known."""
    extra = {
        "password_page": provider.password_page,
        "source_url": provider.source_url,
        "checked": provider.checked,
    }
    return {"id": provider.id, "name": provider.name, **{k: v for k, v in extra.items() if v is not None}}


def settings_to_json(settings: DiscoveredSettings) -> dict[str, Any]:
    """The settings as interface.md's JSON; candidates keep their order (best first)."""
    provider = settings.provider
    return {
        "schema": SCHEMA,
        "address": settings.address,
        "provider": None if provider is None else provider_to_json(provider),
        "incoming": [candidate_to_json(candidate) for candidate in settings.incoming],
        "outgoing": [candidate_to_json(candidate) for candidate in settings.outgoing],
    }
