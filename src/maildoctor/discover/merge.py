"""All sources at once, the most authoritative first: one list of candidates per direction.

Pure: the sources' results in, one DiscoveredSettings out. A server offered by several sources
appears once, where its most authoritative source put it.
"""

from __future__ import annotations

from collections.abc import Sequence

from maildoctor.discover.candidates import DiscoveredSettings, ServerCandidate, Source

AUTHORITY = {source: rank for rank, source in enumerate(Source)}  # the enum lists them best first


def _unique(candidates: Sequence[ServerCandidate]) -> tuple[ServerCandidate, ...]:
    seen: set[tuple[str, str, int, str]] = set()
    kept: list[ServerCandidate] = []
    for candidate in sorted(candidates, key=lambda c: AUTHORITY[c.source]):  # stable: source order kept
        key = (
            str(candidate.protocol),
            candidate.host.lower().rstrip("."),
            candidate.port,
            str(candidate.security),
        )
        if key not in seen:
            seen.add(key)
            kept.append(candidate)
    return tuple(kept)


def merge(address: str, results: Sequence[DiscoveredSettings]) -> DiscoveredSettings:
    ordered = sorted(
        results, key=lambda r: min((AUTHORITY[c.source] for c in (*r.incoming, *r.outgoing)), default=99)
    )
    provider = next((result.provider for result in ordered if result.provider is not None), None)
    incoming = _unique([c for result in ordered for c in result.incoming])
    outgoing = _unique([c for result in ordered for c in result.outgoing])
    return DiscoveredSettings(address, provider, incoming, outgoing)
