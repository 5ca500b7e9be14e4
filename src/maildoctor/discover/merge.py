"""All sources at once, the most authoritative first: one list of candidates per direction.

Pure: the sources' results in, one DiscoveredSettings out. A server offered by several sources
appears once, where its most authoritative source put it; it needs the person's consent only when
every source that offered it does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from maildoctor.discover.candidates import DiscoveredSettings, ServerCandidate, Source

AUTHORITY = {source: rank for rank, source in enumerate(Source)}  # the enum lists them best first


def _unique(candidates: Sequence[ServerCandidate]) -> tuple[ServerCandidate, ...]:
    kept: dict[tuple[str, str, int, str], ServerCandidate] = {}
    for candidate in sorted(candidates, key=lambda c: AUTHORITY[c.source]):  # stable: source order kept
        key = (
            str(candidate.protocol),
            candidate.host.lower().rstrip("."),
            candidate.port,
            str(candidate.security),
        )
        first = kept.get(key)
        if first is None:
            kept[key] = candidate
        elif first.needs_consent and not candidate.needs_consent:
            kept[key] = dataclasses.replace(first, needs_consent=False)
    return tuple(kept.values())


def merge(address: str, results: Sequence[DiscoveredSettings]) -> DiscoveredSettings:
    ordered = sorted(
        results, key=lambda r: min((AUTHORITY[c.source] for c in (*r.incoming, *r.outgoing)), default=99)
    )
    provider = next((result.provider for result in ordered if result.provider is not None), None)
    incoming = _unique([c for result in ordered for c in result.incoming])
    outgoing = _unique([c for result in ordered for c in result.outgoing])
    return DiscoveredSettings(address, provider, incoming, outgoing)
