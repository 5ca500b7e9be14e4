"""Wiring only: plan the settings, register the checks, hand them to the runner (checks.registry),
apply the rules to what they observed, and let checks.verdict decide pass/fail once.

Probes gather facts; rules (pure) turn facts into findings; nothing here renders.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from maildoctor.check_request import CheckRequest
from maildoctor.checkplan import SettingsPlan, plan_settings, settings_knowledge
from maildoctor.checks.registry import Check, run_checks
from maildoctor.checks.server import ServerExamination, server_check
from maildoctor.checks.verdict import settle
from maildoctor.checks.verdict import verdict as decide_verdict
from maildoctor.discover.candidates import DiscoveredSettings
from maildoctor.discover.engine import DiscoveryRequest, discover
from maildoctor.domain.engine import DomainFacts, DomainRequest, examine_domain
from maildoctor.domain.findings import domain_findings, one_per_cause
from maildoctor.facts import DiagnosisFacts, DnsLookup, DnsOutcome, ServerFacts
from maildoctor.i18n import N_
from maildoctor.knowledge_data import causes_marked
from maildoctor.lint.findings import lint_account
from maildoctor.loginguard import LoginGuard, default_cache_dir
from maildoctor.model import (
    CheckResult,
    CheckStatus,
    Finding,
    MailSettings,
    Protocol,
    Report,
    RoundtripResult,
    ServerRole,
    Verdict,
    leak_forms,
)
from maildoctor.net.connect import PortAnswers
from maildoctor.net.seam import Connector, Network
from maildoctor.probes.base import token_forms
from maildoctor.probes.roundtrip import RoundtripState
from maildoctor.probes.steps import roundtrip_status
from maildoctor.resolver_guard import trusted_findings, unless_offline
from maildoctor.rules.engine import evaluate
from maildoctor.tlsfacts.assess import load_trust_stores


def _domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().rstrip(".").lower()


def _roundtrip_state(request: CheckRequest) -> RoundtripState | None:
    """A test message needs a login on both sides and IMAP to find and remove it again."""
    if not (request.roundtrip and request.login and request.outgoing_auth and request.password):
        return None
    if request.incoming is None or request.outgoing is None or request.incoming.protocol != Protocol.IMAP:
        return None
    return RoundtripState()


def _roundtrip_result(request: CheckRequest, servers: Sequence[ServerFacts]) -> RoundtripResult | None:
    if not request.roundtrip:
        return None
    for server in servers:
        facts = server.session.roundtrip if server.session else None
        if facts is not None:
            return RoundtripResult(facts.sent, facts.arrived, facts.delay_ms, facts.removed, facts.detail)
    reason = (
        N_("it needs IMAP for receiving, an outgoing server and the password")
        if _roundtrip_state(request) is None
        else N_("the diagnosis ended before it")
    )
    return RoundtripResult(sent=False, arrived=False, delay_ms=None, removed=False, detail=reason)


def _resolver_alive(lookups: Sequence[DnsLookup]) -> bool | None:
    if not lookups:
        return None
    answered = {
        DnsOutcome.OK,
        DnsOutcome.NXDOMAIN,
        DnsOutcome.NODATA,
        DnsOutcome.SERVFAIL,
        DnsOutcome.REFUSED,
    }
    return any(lookup.outcome in answered for lookup in lookups)


async def _discover(request: CheckRequest, *, fill: bool, budget: float) -> DiscoveredSettings | None:
    """Discovery for the check; None when it could not run (it never stops the diagnosis)."""
    discovery = DiscoveryRequest(
        request.address.strip(),
        request.nameservers,
        request.ca_file,
        timeout=budget,
        verify=fill,
        port_override=request.web_ports,
        guess=fill,
    )
    try:
        settings, _facts = await discover(discovery)
    except (OSError, ValueError):
        return None
    return settings


async def _sending_domain(request: CheckRequest, domain: str) -> DomainFacts | None:
    """The sending side of the address's domain; None when it cannot be examined."""
    examination = DomainRequest(
        domain,
        request.nameservers,
        ca_file=request.ca_file,
        timeout=min(8.0, request.timeout / 2),
        port_override=request.web_ports,
        cache_dir=request.cache_dir or (default_cache_dir() if request.remember_failures else None),
    )
    try:
        return await examine_domain(examination)
    except (OSError, ValueError):
        return None


def _sending_findings(facts: DomainFacts | None) -> tuple[Finding, ...]:
    if facts is None:
        return ()
    # only the causes marked `check_sending_side` (data/knowledge/causes/); the rest (MX and reverse
    # DNS details, MTA-STS, blocklists) is `maildoctor domain`'s. Each cause once: the report gives a
    # cause one title, so two of a cause would read as a repeat.
    reported = causes_marked("check_sending_side")
    return one_per_cause([item for item in domain_findings(facts) if item.cause in reported])


_ROLES = (ServerRole.INCOMING, ServerRole.OUTGOING)


def _typed_hosts(request: CheckRequest) -> dict[ServerRole, str]:
    """The server names as the person typed them, for the lint."""
    typed = ((ServerRole.INCOMING, request.incoming), (ServerRole.OUTGOING, request.outgoing))
    return {role: endpoint.host for role, endpoint in typed if endpoint is not None}


def _guard(request: CheckRequest) -> LoginGuard:
    if not request.remember_failures:
        return LoginGuard(cache_dir=None, force=request.force_login)
    if request.cache_dir is not None:
        return LoginGuard(cache_dir=request.cache_dir, force=request.force_login)
    return LoginGuard(force=request.force_login)  # the user's cache directory


@dataclass(frozen=True)
class _Checks:
    """The checks registered for one run (wiring: which checks, with what)."""

    servers: tuple[Check[ServerFacts], ...]
    mx: Check[DnsLookup] | None
    compare: Check[DiscoveredSettings | None] | None
    sending: Check[DomainFacts | None] | None

    @property
    def all(self) -> tuple[Check[Any], ...]:
        return (*self.servers, *(c for c in (self.mx, self.compare, self.sending) if c is not None))


def _register(
    request: CheckRequest,
    plan: SettingsPlan,
    domain: str,
    deadline: float,
    *,
    compare: bool,
    guard: LoginGuard | None = None,
) -> _Checks:
    stores = load_trust_stores(request.ca_file)
    guard = guard or _guard(request)
    state = _roundtrip_state(request)
    answers = PortAnswers()  # shared by both servers: they are often one
    servers = tuple(
        server_check(
            ServerExamination(
                role=role,
                endpoint=endpoint,
                username=plan.usernames.get(role, request.user),
                password=request.password,
                mail_address=request.address,
                guard=guard,
                stores=stores,
                deadline=deadline,
                login_wanted=request.login and (role == ServerRole.INCOMING or request.outgoing_auth),
                outgoing_auth=request.outgoing_auth,
                consent_needed=role in plan.consent_needed,
                roundtrip=state,
                port_map=request.port_map,
                answers=answers,
                progress=request.progress,
                token=request.token,
            )
        )
        for role, endpoint in (
            (ServerRole.INCOMING, request.incoming),
            (ServerRole.OUTGOING, request.outgoing),
        )
        if endpoint is not None
    )

    async def mx(network: Network) -> DnsLookup:
        return await network.resolver.lookup(domain, "MX", lifetime=min(5.0, request.timeout / 3))

    async def settings(_network: Network) -> DiscoveredSettings | None:
        # with every server typed, discovery runs beside the check, only to compare
        return await _discover(request, fill=False, budget=min(8.0, request.timeout / 2))

    async def sending(_network: Network) -> DomainFacts | None:
        # the address's domain, sending side (SPF, DMARC, DKIM, registration), beside the servers
        return await _sending_domain(request, domain)

    return _Checks(
        servers,
        Check("mx", ServerRole.DOMAIN, mx) if domain else None,
        Check("settings", ServerRole.INPUT, settings) if compare else None,
        Check("sending_domain", ServerRole.DOMAIN, sending) if request.sending_domain and domain else None,
    )


def _secrets(request: CheckRequest) -> tuple[str, ...]:
    forms = set(leak_forms(request.password, (request.user,))) if request.password else set()
    if request.token is not None:
        forms |= token_forms(request.token, request.user)
    return tuple(sorted(forms, key=len, reverse=True))


async def _diagnose(
    request: CheckRequest, network: Network, guard: LoginGuard | None = None
) -> tuple[Report, DiagnosisFacts]:
    started = network.clock()
    deadline = started + request.timeout
    typed = request
    missing = request.incoming is None or request.outgoing is None
    discovered: DiscoveredSettings | None = None
    if request.discover and missing:
        # the servers not given come from discovery, so it runs first, on part of the time
        discovered = await _discover(request, fill=True, budget=request.timeout * 0.4)
    plan = plan_settings(request, discovered)
    request = plan.request
    domain = _domain_of(request.address)
    input_findings: tuple[Finding, ...] = lint_account(
        request.address, request.username, _typed_hosts(typed), request.password
    )
    checks = _register(request, plan, domain, deadline, compare=request.discover and not missing, guard=guard)
    run = await run_checks(checks.all, network, deadline, _secrets(request))
    servers = tuple(facts for facts in map(run.get, checks.servers) if facts is not None)
    mx = run.get(checks.mx) if checks.mx else None
    if checks.compare is not None:
        discovered = run.get(checks.compare)
        plan = plan_settings(request, discovered)
    lookups: list[DnsLookup] = [mx] if mx else []
    for server in servers:
        if server.resolution is not None:
            lookups += [server.resolution.ipv4, server.resolution.ipv6]
    facts = DiagnosisFacts(
        address=request.address,
        domain=domain,
        servers=servers,
        domain_mx=mx,
        resolver_alive=_resolver_alive(lookups),
        settings=settings_knowledge(typed, plan, discovered),
        client=request.client,
    )
    sending_side = _sending_findings(run.get(checks.sending)) if checks.sending else ()
    if facts.resolver_alive is False:
        sending_side = ()  # nothing answered: what the domain's DNS says is unknown, not wrong
    findings = evaluate(facts, (*input_findings, *sending_side))
    rows = list(run.rows(checks.all))
    roundtrip = _roundtrip_result(request, servers)
    if roundtrip is not None:
        status = roundtrip_status(sent=roundtrip.sent, arrived=roundtrip.arrived)
        rows.append(CheckResult("roundtrip", ServerRole.INCOMING, status, roundtrip.delay_ms or 0))
    reported, verdict = settle(rows, findings, complete=bool(servers))
    report = Report(
        address=request.address,
        verdict=verdict,
        findings=findings,
        checks=reported,
        elapsed_ms=int((network.clock() - started) * 1000),
        typed_settings=MailSettings(typed.incoming, typed.outgoing, typed.username, typed.outgoing_auth),
        recommended_settings=plan.recommended,
        roundtrip=roundtrip,
        filled=tuple(role for role in ServerRole if role in plan.filled),
    )
    return report, facts


def _all_by_name(request: CheckRequest) -> bool:
    """Every server to examine is found through DNS (none was typed as an address, which would still
    be examined without it)."""
    typed = (request.incoming, request.outgoing)
    return not any(endpoint is not None and _is_ip_literal(endpoint.host) for endpoint in typed)


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _offline(request: CheckRequest, started: float) -> tuple[Report, DiagnosisFacts]:
    """No DNS server answered at all: the typed values are still judged, nothing else can be."""
    facts = DiagnosisFacts(
        address=request.address,
        domain=_domain_of(request.address),
        resolver_alive=False,
        client=request.client,
    )
    hosts = _typed_hosts(request)
    elapsed_ms = int((time.monotonic() - started) * 1000)
    findings = evaluate(facts, lint_account(request.address, request.username, hosts, request.password))
    report = Report(
        address=request.address,
        verdict=Verdict.PROBLEMS,
        findings=findings,
        # the first step of each server, name lookup, is what failed
        checks=tuple(CheckResult("dns", role, CheckStatus.FAIL, elapsed_ms) for role in _ROLES),
        elapsed_ms=elapsed_ms,
        typed_settings=MailSettings(
            request.incoming, request.outgoing, request.username, request.outgoing_auth
        ),
        recommended_settings=None,
    )
    return report, facts


async def _trusted(request: CheckRequest, report: Report, started: float, network: Network) -> Report:
    findings = await trusted_findings(
        report.findings,
        request.nameservers,
        filled=report.filled,
        deadline=started + request.timeout,
        resolver=network.resolver,
    )
    if findings == report.findings:
        return report
    # something was left out because the resolver could not be believed: never "ok"
    verdict = decide_verdict(findings, report.checks, complete=False)
    elapsed_ms = int((network.clock() - started) * 1000)
    return dataclasses.replace(report, findings=findings, verdict=verdict, elapsed_ms=elapsed_ms)


async def run_check(
    request: CheckRequest,
    network: Network | None = None,
    *,
    connect: Connector | None = None,
    guard: LoginGuard | None = None,
) -> tuple[Report, DiagnosisFacts]:
    """The diagnosis, beside a quick question to the resolver: when no DNS server answers at all, it
    ends at once with NETWORK_OFFLINE. Before a finding blames a name, a domain or an address, the
    resolver is tried on names that certainly exist (resolver_guard).

    `network` is the seam the checks observe through; without one, the real network asking
    `request.nameservers`. (With one given, the quick question is not asked: the caller's network
    decides what answers.) `connect`: the real network's connections opened through it instead (the
    check day's per-server limits). `guard`: the one-login guard to consult instead of this process's
    own (the check day's, kept in the shared book)."""
    if network is None:
        network = Network.system(request.nameservers)
        if connect is not None:
            network = dataclasses.replace(network, connect=connect)
        offline_question = _all_by_name(request)
    else:
        offline_question = False
    started = network.clock()
    if not offline_question:
        report, facts = await _diagnose(request, network, guard)
    else:
        done = await unless_offline(_diagnose(request, network, guard), request.nameservers)
        if done is None:
            return _offline(request, started)
        report, facts = done
    return await _trusted(request, report, started, network), facts


__all__ = ["run_check"]
