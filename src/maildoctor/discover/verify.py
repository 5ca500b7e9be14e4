"""Every candidate is checked by a probe without logging in: does the server answer as described?

A candidate is `verified` only when, in this run, its host resolved, the port answered with the
protocol's greeting, and the encryption worked as the candidate says (a TLS handshake for SSL/TLS,
a successful STARTTLS for STARTTLS) with a certificate made out to the candidate's host name. No
password is ever sent here.

A certificate made out to another name (a shared rental server's "sv1234.example.net" where the
candidate says "mail.your-domain.jp") turns into a suggestion: the candidate keeps its place,
unverified, with `certificate_host` set, and a candidate with the certificate's name is put
before it and probed in turn.
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
from maildoctor.net.connect import PortAnswers
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
    return session.tls is not None and session.tls.error_kind is None and session.tls.name_matches


def certificate_suggestion(session: SessionFacts, host: str) -> str | None:
    """The name the server's certificate is made out to, when TLS worked but not for `host`."""
    tls = session.tls
    if tls is None or tls.error_kind is not None or tls.name_matches or not tls.suggested_host:
        return None
    suggested = tls.suggested_host.lower().rstrip(".")
    if suggested == host.lower().rstrip(".") or not _is_public_name(suggested):
        return None
    return suggested


def _is_public_name(name: str) -> bool:
    """A name a mail program could be given: not "localhost", not an address, not a single label."""
    labels = name.split(".")
    return len(labels) > 1 and name != "localhost" and not labels[-1].isdigit() and ":" not in name


def with_suggestions(
    candidates: Sequence[ServerCandidate], suggestions: dict[Key, str]
) -> tuple[ServerCandidate, ...]:
    """Each candidate whose certificate names another host, preceded by a candidate with that name."""
    result: list[ServerCandidate] = []
    for candidate in candidates:
        suggested = suggestions.get(_key(candidate))
        if suggested is not None:
            renamed = dataclasses.replace(candidate, host=suggested, verified=False, certificate_host=None)
            if _key(renamed) not in {_key(c) for c in (*result, *candidates)}:
                result.append(renamed)
            candidate = dataclasses.replace(candidate, certificate_host=suggested)
        result.append(candidate)
    return tuple(result)


async def verify(
    settings: DiscoveredSettings,
    dns: DnsClient,
    *,
    ca_file: Path | None = None,
    timeout: float = 10.0,
    connect_timeout: float = 4.0,
) -> tuple[DiscoveredSettings, int]:
    """The settings with `verified` set (and certificate-name suggestions), and how many servers were probed.

    All probes run at once; a port that drops packets costs one `connect_timeout`, not one per candidate,
    and less when another port of the same server answered meanwhile (`net.patience`).
    """
    deadline = time.monotonic() + timeout
    stores = load_trust_stores(ca_file)
    guard = LoginGuard(cache_dir=None)  # never used: no login happens here
    answers = PortAnswers()
    unique: dict[Key, ServerCandidate] = {}
    for candidate in (*settings.incoming, *settings.outgoing):
        unique.setdefault(_key(candidate), candidate)

    async def probe(candidate: ServerCandidate) -> SessionFacts | None:
        resolution = await dns.resolve_host(candidate.host, lifetime=min(4.0, timeout / 2))
        if not resolution.addresses:
            return None
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
            connect_timeout=min(connect_timeout, timeout / 2),
            greeting_timeout=min(4.0, timeout / 2),
            send_probe=False,
            answers=answers,
        )
        return await run_session(context)

    async def probe_all(keys: Sequence[Key]) -> dict[Key, SessionFacts | None]:
        sessions = await asyncio.gather(*(probe(unique[key]) for key in keys))
        return dict(zip(keys, sessions, strict=True))

    sessions = await probe_all(list(unique))
    suggestions = {
        key: suggested
        for key, session in sessions.items()
        if session is not None and (suggested := certificate_suggestion(session, key[1])) is not None
    }
    if suggestions:
        incoming = with_suggestions(settings.incoming, suggestions)
        outgoing = with_suggestions(settings.outgoing, suggestions)
        renamed = [c for c in (*incoming, *outgoing) if _key(c) not in unique]
        for candidate in renamed:
            unique.setdefault(_key(candidate), candidate)
        sessions |= await probe_all([_key(c) for c in renamed if _key(c) not in sessions])
        settings = dataclasses.replace(settings, incoming=incoming, outgoing=outgoing)
    verified = {
        key
        for key, session in sessions.items()
        if session is not None and answers_as_described(session, unique[key].security)
    }

    def mark(candidates: Sequence[ServerCandidate]) -> tuple[ServerCandidate, ...]:
        return tuple(dataclasses.replace(c, verified=_key(c) in verified) for c in candidates)

    marked = dataclasses.replace(settings, incoming=mark(settings.incoming), outgoing=mark(settings.outgoing))
    return marked, len(sessions)
