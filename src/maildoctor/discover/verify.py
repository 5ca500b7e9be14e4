"""Every candidate is checked by a probe without logging in: does the server answer as described?

A candidate is `verified` only when, in this run, its host resolved, the port answered with the
protocol's greeting, and the encryption worked as the candidate says (a TLS handshake for SSL/TLS,
a successful STARTTLS for STARTTLS). No password is ever sent here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Sequence
from pathlib import Path

from maildoctor.discover.candidates import DiscoveredSettings, ServerCandidate
from maildoctor.facts import GreetingKind, SessionFacts
from maildoctor.loginguard import LoginGuard
from maildoctor.model import Endpoint, Security, ServerRole
from maildoctor.net.resolver import DnsClient
from maildoctor.probes.base import SessionContext
from maildoctor.probes.sessions import run_session
from maildoctor.tlsfacts.assess import load_trust_stores

Key = tuple[str, str, int, str]


def _key(candidate: ServerCandidate) -> Key:
    return (str(candidate.protocol), candidate.host.lower(), candidate.port, str(candidate.security))


def answers_as_described(session: SessionFacts, security: Security) -> bool:
    if session.greeting_kind != GreetingKind.OK:
        return False
    if security == Security.NONE:
        return True
    return session.tls is not None and session.tls.error_kind is None


async def verify(
    settings: DiscoveredSettings,
    dns: DnsClient,
    *,
    ca_file: Path | None = None,
    timeout: float = 10.0,
) -> DiscoveredSettings:
    deadline = time.monotonic() + timeout
    stores = load_trust_stores(ca_file)
    guard = LoginGuard(cache_dir=None)  # never used: no login happens here
    unique: dict[Key, ServerCandidate] = {}
    for candidate in (*settings.incoming, *settings.outgoing):
        unique.setdefault(_key(candidate), candidate)

    async def probe(candidate: ServerCandidate) -> bool:
        resolution = await dns.resolve_host(candidate.host, lifetime=min(4.0, timeout / 2))
        if not resolution.addresses:
            return False
        endpoint = Endpoint(candidate.protocol, candidate.host, candidate.port, candidate.security)
        context = SessionContext(
            role=ServerRole.INCOMING,
            endpoint=endpoint,
            address=resolution.addresses[0],
            username=candidate.username,
            password=None,
            guard=guard,
            stores=stores,
            deadline=deadline,
            mail_address=settings.address,
            login_wanted=False,
            outgoing_auth=False,
            connect_timeout=min(4.0, timeout / 2),
            greeting_timeout=min(4.0, timeout / 2),
            send_probe=False,
        )
        session = await run_session(context)
        return answers_as_described(session, candidate.security)

    keys = list(unique)
    results = await asyncio.gather(*(probe(unique[key]) for key in keys))
    verified = {key for key, ok in zip(keys, results, strict=True) if ok}

    def mark(candidates: Sequence[ServerCandidate]) -> tuple[ServerCandidate, ...]:
        return tuple(dataclasses.replace(c, verified=_key(c) in verified) for c in candidates)

    return dataclasses.replace(settings, incoming=mark(settings.incoming), outgoing=mark(settings.outgoing))
