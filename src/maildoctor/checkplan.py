"""Between discovery and the check: fill the servers the person did not give, and say what is right.

Pure apart from reading the shipped provider data: the request as typed and the discovered
settings in, the request to run and the `SettingsKnowledge` the rules compare with out.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from maildoctor.check_request import CheckRequest
from maildoctor.discover.candidates import DiscoveredSettings, ServerCandidate
from maildoctor.discover.curated import find_retired
from maildoctor.discover.providers import ProviderIndex
from maildoctor.facts import DiagnosisFacts, ExpectedServer, RetiredMatch, ServerFacts, SettingsKnowledge
from maildoctor.model import Endpoint, Finding, MailSettings, Protocol, ServerRole
from maildoctor.rules.rank import rank
from maildoctor.rules.settings import settings_findings


@dataclass(frozen=True)
class SettingsPlan:
    request: CheckRequest  # with the servers not given filled in from discovery
    filled: frozenset[ServerRole] = frozenset()
    # the login name per filled server, from discovery (the typed ones keep the request's)
    usernames: Mapping[ServerRole, str] = field(default_factory=dict)
    # filled servers a password may not go to yet (found through another domain)
    consent_needed: frozenset[ServerRole] = frozenset()
    recommended: MailSettings | None = None
    expected: tuple[ExpectedServer, ...] = ()


def pick(candidates: Sequence[ServerCandidate], protocol: Protocol | None = None) -> ServerCandidate | None:
    """The candidate to use: a confirmed one that needs no consent, of the typed protocol if any."""
    pool = [c for c in candidates if protocol is None or c.protocol == protocol] or list(candidates)
    ranked = sorted(pool, key=lambda c: (c.needs_consent, not c.verified))  # stable: best-first kept
    return ranked[0] if ranked else None


def _endpoint(candidate: ServerCandidate) -> Endpoint:
    return Endpoint(
        candidate.protocol, candidate.host.lower().rstrip("."), candidate.port, candidate.security
    )


def expected_servers(discovered: DiscoveredSettings) -> tuple[ExpectedServer, ...]:
    return tuple(
        ExpectedServer(
            role,
            _endpoint(candidate),
            candidate.username,
            candidate.source.value,
            candidate.verified,
            candidate.needs_consent,
        )
        for role, candidates in (
            (ServerRole.INCOMING, discovered.incoming),
            (ServerRole.OUTGOING, discovered.outgoing),
        )
        for candidate in candidates
    )


def plan_settings(request: CheckRequest, discovered: DiscoveredSettings | None) -> SettingsPlan:
    if discovered is None:
        return SettingsPlan(request)
    incoming = pick(discovered.incoming, request.incoming.protocol if request.incoming else None)
    outgoing = pick(discovered.outgoing)
    filled: set[ServerRole] = set()
    usernames: dict[ServerRole, str] = {}
    consent: set[ServerRole] = set()
    changes: dict[str, Endpoint] = {}
    for role, typed, chosen, name in (
        (ServerRole.INCOMING, request.incoming, incoming, "incoming"),
        (ServerRole.OUTGOING, request.outgoing, outgoing, "outgoing"),
    ):
        if typed is not None or chosen is None:
            continue
        changes[name] = _endpoint(chosen)
        filled.add(role)
        if request.username is None and chosen.username:
            usernames[role] = chosen.username
        if chosen.needs_consent:
            consent.add(role)
    best_user = next((c.username for c in (incoming, outgoing) if c is not None and c.username), None)
    recommended = (
        MailSettings(
            _endpoint(incoming) if incoming else None,
            _endpoint(outgoing) if outgoing else None,
            best_user,
        )
        if incoming or outgoing
        else None
    )
    return SettingsPlan(
        dataclasses.replace(
            request,
            incoming=changes.get("incoming", request.incoming),
            outgoing=changes.get("outgoing", request.outgoing),
        ),
        frozenset(filled),
        usernames,
        frozenset(consent),
        recommended,
        expected_servers(discovered),
    )


def retired_matches(incoming: Endpoint | None, outgoing: Endpoint | None) -> tuple[RetiredMatch, ...]:
    """The typed servers the provider data lists as switched off, with their replacements."""
    matches: list[RetiredMatch] = []
    for role, endpoint in ((ServerRole.INCOMING, incoming), (ServerRole.OUTGOING, outgoing)):
        if endpoint is None:
            continue
        setting = find_retired(endpoint.host, endpoint.port, endpoint.security)
        if setting is None or (setting.protocol is not None and setting.protocol != endpoint.protocol):
            continue
        matches.append(
            RetiredMatch(
                role,
                setting.provider_name or setting.provider_id,
                endpoint.host,
                endpoint.port,
                setting.replacement_host,
                setting.replacement_port,
                setting.replacement_security,
                setting.since,
            )
        )
    return tuple(matches)


@functools.cache
def provider_hosts() -> tuple[str, ...]:
    """Every fixed server name in the provider data (for "did you mean ...?")."""
    names: dict[str, None] = {}
    for entry in ProviderIndex.load().entries:
        for server in (*entry.incoming, *entry.outgoing):
            if "%" not in server.hostname_template:
                names.setdefault(server.hostname_template.lower(), None)
    return tuple(names)


def settings_knowledge(
    typed: CheckRequest, plan: SettingsPlan, discovered: DiscoveredSettings | None
) -> SettingsKnowledge:
    own = tuple(dict.fromkeys(item.endpoint.host for item in plan.expected))
    return SettingsKnowledge(
        expected=plan.expected,
        provider=discovered.provider.name if discovered and discovered.provider else None,
        filled=plan.filled,
        username_typed=typed.username is not None,
        retired=retired_matches(typed.incoming, typed.outgoing),
        known_hosts=own + provider_hosts(),
        password_page=discovered.provider.password_page if discovered and discovered.provider else None,
    )


def compare_typed(typed: MailSettings, address: str, discovered: DiscoveredSettings) -> tuple[Finding, ...]:
    """Without any probe: what in the typed settings differs from the right ones (for the memo)."""
    servers = tuple(
        ServerFacts(role, endpoint, typed.username or address)
        for role, endpoint in ((ServerRole.INCOMING, typed.incoming), (ServerRole.OUTGOING, typed.outgoing))
        if endpoint is not None
    )
    knowledge = SettingsKnowledge(
        expected=expected_servers(discovered),
        provider=discovered.provider.name if discovered.provider else None,
        username_typed=typed.username is not None,
        retired=retired_matches(typed.incoming, typed.outgoing),
    )
    domain = address.rpartition("@")[2].lower()
    return rank(settings_findings(DiagnosisFacts(address, domain, servers, settings=knowledge)))
