"""interface.md's `settings --format json`: the `maildoctor.settings/1` document."""

from __future__ import annotations

from typing import Any, Final

from maildoctor.discover.candidates import DiscoveredSettings, ServerCandidate

SCHEMA: Final = "maildoctor.settings/1"


def candidate_to_json(candidate: ServerCandidate) -> dict[str, Any]:
    return {
        "protocol": candidate.protocol.value,
        "host": candidate.host,
        "port": candidate.port,
        "security": candidate.security.value,
        "username": candidate.username,
        "password_kind": candidate.password_kind.value,
        "source": candidate.source.value,
        "verified": candidate.verified,
    }


def settings_to_json(settings: DiscoveredSettings) -> dict[str, Any]:
    """The settings as interface.md's JSON; candidates keep their order (best first)."""
    provider = settings.provider
    return {
        "schema": SCHEMA,
        "address": settings.address,
        "provider": None if provider is None else {"id": provider.id, "name": provider.name},
        "incoming": [candidate_to_json(candidate) for candidate in settings.incoming],
        "outgoing": [candidate_to_json(candidate) for candidate in settings.outgoing],
    }
