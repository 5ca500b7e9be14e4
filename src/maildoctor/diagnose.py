"""The one orchestrator: plan the checks, run them concurrently under one deadline, apply the rules.

Probes gather facts; rules (pure) turn facts into findings; nothing here renders.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import time
from collections.abc import Mapping, Sequence

from maildoctor.check_request import CheckRequest  # in __all__: callers import it from here too
from maildoctor.checkplan import SettingsPlan, plan_settings, settings_knowledge
from maildoctor.discover.candidates import DiscoveredSettings
from maildoctor.discover.engine import DiscoveryRequest, discover
from maildoctor.domain.engine import DomainRequest, examine_domain
from maildoctor.domain.findings import domain_findings, one_per_cause
from maildoctor.facts import (
    AlternativeProbe,
    ConnectOutcome,
    DiagnosisFacts,
    DnsLookup,
    DnsOutcome,
    ServerFacts,
    SessionFacts,
)
from maildoctor.i18n import N_
from maildoctor.lint.findings import lint_account
from maildoctor.loginguard import LoginGuard, default_cache_dir
from maildoctor.model import (
    STANDARD_PORTS,
    CheckResult,
    CheckStatus,
    Endpoint,
    Finding,
    MailSettings,
    Protocol,
    Report,
    RoundtripResult,
    Security,
    ServerRole,
    Severity,
    Verdict,
)
from maildoctor.net.connect import PortAnswers, probe_port
from maildoctor.net.resolver import DnsClient
from maildoctor.probes.base import SessionContext
from maildoctor.probes.roundtrip import RoundtripState
from maildoctor.probes.sessions import run_session
from maildoctor.resolver_guard import trusted_findings, unless_offline
from maildoctor.rules.checks import agree_with_findings
from maildoctor.rules.engine import evaluate
from maildoctor.tlsfacts.assess import TrustStores, load_trust_stores

# Every port a mail provider may answer on, with what it carries there (model.STANDARD_PORTS).
MAIL_PORTS: tuple[tuple[int, Protocol, Security], ...] = tuple(
    (row.port, row.protocol, row.security) for row in STANDARD_PORTS
)


def _domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().rstrip(".").lower()


async def _alternatives(
    address: str, typed_port: int, port_map: Mapping[int, int], timeout: float, answers: PortAnswers
) -> tuple[AlternativeProbe, ...]:
    plan = [
        (port_map.get(port, port), protocol, security, port)
        for port, protocol, security in MAIL_PORTS
        if port_map.get(port, port) != typed_port
    ]
    probes = await asyncio.gather(*(probe_port(address, port, timeout, answers) for port, _, _, _ in plan))
    return tuple(
        AlternativeProbe(protocol, port, security, probe, standard)
        for (port, protocol, security, standard), probe in zip(plan, probes, strict=True)
    )


async def _examine(
    role: ServerRole,
    endpoint: Endpoint,
    request: CheckRequest,
    dns: DnsClient,
    guard: LoginGuard,
    stores: TrustStores,
    deadline: float,
    roundtrip: RoundtripState | None = None,
    plan: SettingsPlan | None = None,
    answers: PortAnswers | None = None,
) -> ServerFacts:
    username = plan.usernames.get(role, request.user) if plan is not None else request.user
    answers = answers or PortAnswers()
    consent_needed = plan is not None and role in plan.consent_needed
    remaining = max(0.1, deadline - time.monotonic())
    resolution = await dns.resolve_host(endpoint.host, lifetime=min(5.0, remaining / 2))
    if request.progress is not None:
        request.progress(role, "dns", bool(resolution.addresses))
    base = ServerFacts(role, endpoint, username, resolution)
    if not resolution.addresses:
        return base
    address = resolution.addresses[0]
    connect_timeout = min(5.0, max(0.5, (deadline - time.monotonic()) / 3))
    context = SessionContext(
        role=role,
        endpoint=endpoint,
        address=address,
        username=username,
        password=request.password,
        guard=guard,
        stores=stores,
        deadline=deadline,
        mail_address=request.address,
        login_wanted=request.login and (role == ServerRole.INCOMING or request.outgoing_auth),
        outgoing_auth=request.outgoing_auth,
        connect_timeout=connect_timeout,
        roundtrip=roundtrip,
        progress=request.progress,
        consent_needed=consent_needed,
        # without a login the server would refuse to pass mail on: that says nothing here
        send_probe=not consent_needed,
        answers=answers,
    )
    session, alternatives = await asyncio.gather(
        run_session(context),
        _alternatives(address, endpoint.port, request.port_map, connect_timeout, answers),
    )
    return ServerFacts(role, endpoint, username, resolution, session, alternatives)


def _checks(servers: Sequence[ServerFacts]) -> list[CheckResult]:
    checks: list[CheckResult] = []
    for server in servers:
        resolution = server.resolution
        if resolution is not None:
            ok = resolution.outcome == DnsOutcome.OK
            ms = max(resolution.ipv4.ms, resolution.ipv6.ms)
            checks.append(CheckResult("dns", server.role, CheckStatus.PASS if ok else CheckStatus.FAIL, ms))
        session: SessionFacts | None = server.session
        if session is None:
            continue
        if session.connect is not None:
            ok = session.connect.outcome == ConnectOutcome.OPEN
            checks.append(
                CheckResult(
                    "tcp", server.role, CheckStatus.PASS if ok else CheckStatus.FAIL, session.connect.ms
                )
            )
        if session.tls is not None:
            ok = session.tls.error_kind is None and session.tls.verify_error is None
            checks.append(CheckResult("tls", server.role, CheckStatus.PASS if ok else CheckStatus.FAIL, 0))
        if session.greeting_kind is not None:
            ok = session.greeting_kind == "ok"
            checks.append(
                CheckResult("greeting", server.role, CheckStatus.PASS if ok else CheckStatus.FAIL, 0)
            )
        if session.login is not None:
            status = {"success": CheckStatus.PASS, "skipped": CheckStatus.SKIP}.get(
                str(session.login.outcome), CheckStatus.FAIL
            )
            checks.append(CheckResult("login", server.role, status, session.login.ms))
        if session.mailbox is not None:
            checks.append(CheckResult("mailbox", server.role, CheckStatus.PASS, 0))
        if session.send is not None:
            refused = any(
                step is not None and (step.words.reply_code or 0) >= 400
                for step in (session.send.mail_from, session.send.rcpt_to)
            )
            checks.append(
                CheckResult("send", server.role, CheckStatus.FAIL if refused else CheckStatus.PASS, 0)
            )
    return checks


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


# The sending-domain causes `check` reports for the address's domain; the rest (MX and reverse DNS
# details, MTA-STS, blocklists) is `maildoctor domain`'s.
CHECK_DOMAIN_CAUSES = frozenset(
    {"SPF_FAIL", "DMARC_FAIL", "DKIM_MISSING", "DOMAIN_EXPIRING", "DOMAIN_NOT_RESOLVING"}
)


async def _domain_findings(request: CheckRequest, domain: str) -> tuple[Finding, ...]:
    """The sending side of the address's domain, as findings; nothing when it cannot be examined."""
    examination = DomainRequest(
        domain,
        request.nameservers,
        ca_file=request.ca_file,
        timeout=min(8.0, request.timeout / 2),
        port_override=request.web_ports,
        cache_dir=request.cache_dir or (default_cache_dir() if request.remember_failures else None),
    )
    try:
        facts = await examine_domain(examination)
    except (OSError, ValueError):
        return ()
    # each cause once: the report gives a cause one title, so two of a cause would read as a repeat
    return one_per_cause([item for item in domain_findings(facts) if item.cause in CHECK_DOMAIN_CAUSES])


_ROLES = (ServerRole.INCOMING, ServerRole.OUTGOING)


def _typed_hosts(request: CheckRequest) -> dict[ServerRole, str]:
    """The server names as the person typed them, for the lint."""
    typed = ((ServerRole.INCOMING, request.incoming), (ServerRole.OUTGOING, request.outgoing))
    return {role: endpoint.host for role, endpoint in typed if endpoint is not None}


async def _diagnose(request: CheckRequest) -> tuple[Report, DiagnosisFacts]:
    started = time.monotonic()
    deadline = started + request.timeout
    typed = request
    missing = request.incoming is None or request.outgoing is None
    discovered: DiscoveredSettings | None = None
    if request.discover and missing:
        # the servers not given come from discovery, so it runs first, on part of the time
        discovered = await _discover(request, fill=True, budget=request.timeout * 0.4)
    plan = plan_settings(request, discovered)
    request = plan.request
    if not request.remember_failures:
        guard = LoginGuard(cache_dir=None, force=request.force_login)
    elif request.cache_dir is not None:
        guard = LoginGuard(cache_dir=request.cache_dir, force=request.force_login)
    else:
        guard = LoginGuard(force=request.force_login)  # the user's cache directory
    stores = load_trust_stores(request.ca_file)
    dns = DnsClient(request.nameservers)
    host_values = _typed_hosts(typed)
    input_findings: tuple[Finding, ...] = lint_account(
        request.address, request.username, host_values, request.password
    )
    domain = _domain_of(request.address)
    state = _roundtrip_state(request)
    answers = PortAnswers()  # shared by both servers: they are often one
    tasks = [
        _examine(role, endpoint, request, dns, guard, stores, deadline, state, plan, answers)
        for role, endpoint in (
            (ServerRole.INCOMING, request.incoming),
            (ServerRole.OUTGOING, request.outgoing),
        )
        if endpoint is not None
    ]
    mx_task = dns.lookup(domain, "MX", lifetime=min(5.0, request.timeout / 3)) if domain else None
    # the address's domain, sending side (SPF, DMARC, DKIM, registration), beside the servers
    domain_task = _domain_findings(request, domain) if request.sending_domain and domain else None
    # with every server typed, discovery runs beside the check, only to compare
    compare_task = (
        _discover(request, fill=False, budget=min(8.0, request.timeout / 2))
        if request.discover and not missing
        else None
    )
    gathered = await asyncio.gather(
        *tasks,
        *([mx_task] if mx_task else []),
        *([compare_task] if compare_task else []),
        *([domain_task] if domain_task else []),
    )
    servers = tuple(item for item in gathered if isinstance(item, ServerFacts))
    mx = next((item for item in gathered if isinstance(item, DnsLookup)), None)
    if compare_task is not None:
        discovered = next((item for item in gathered if isinstance(item, DiscoveredSettings)), None)
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
    sending_side = next((item for item in gathered if isinstance(item, tuple)), ())
    if facts.resolver_alive is False:
        sending_side = ()  # nothing answered: what the domain's DNS says is unknown, not wrong
    findings = evaluate(facts, (*input_findings, *sending_side))
    checks = list(agree_with_findings(_checks(servers), findings))
    roundtrip = _roundtrip_result(request, servers)
    if roundtrip is not None:
        status = (
            CheckStatus.PASS
            if roundtrip.arrived
            else CheckStatus.FAIL
            if roundtrip.sent
            else CheckStatus.SKIP
        )
        checks.append(CheckResult("roundtrip", ServerRole.INCOMING, status, roundtrip.delay_ms or 0))
    verdict = _verdict(findings, checks, complete=bool(servers))
    report = Report(
        address=request.address,
        verdict=verdict,
        findings=findings,
        checks=tuple(checks),
        elapsed_ms=int((time.monotonic() - started) * 1000),
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


def _verdict(findings: Sequence[Finding], checks: Sequence[CheckResult], *, complete: bool) -> Verdict:
    """Problems when an error or a warning was found; else incomplete when something could not be
    checked (nothing to check, a skipped check, findings left out); else ok."""
    if any(item.severity in (Severity.ERROR, Severity.WARNING) for item in findings):
        return Verdict.PROBLEMS
    if not complete or any(check.status == CheckStatus.SKIP for check in checks):
        return Verdict.INCOMPLETE
    return Verdict.OK


async def _trusted(request: CheckRequest, report: Report, started: float) -> Report:
    findings = await trusted_findings(
        report.findings, request.nameservers, filled=report.filled, deadline=started + request.timeout
    )
    if findings == report.findings:
        return report
    # something was left out because the resolver could not be believed: never "ok"
    verdict = _verdict(findings, report.checks, complete=False)
    elapsed_ms = int((time.monotonic() - started) * 1000)
    return dataclasses.replace(report, findings=findings, verdict=verdict, elapsed_ms=elapsed_ms)


async def run_check(request: CheckRequest) -> tuple[Report, DiagnosisFacts]:
    """The diagnosis, beside a quick question to the resolver: when no DNS server answers at all, it
    ends at once with NETWORK_OFFLINE. Before a finding blames a name, a domain or an address, the
    resolver is tried on names that certainly exist (resolver_guard)."""
    started = time.monotonic()
    if not _all_by_name(request):
        report, facts = await _diagnose(request)
    else:
        done = await unless_offline(_diagnose(request), request.nameservers)
        if done is None:
            return _offline(request, started)
        report, facts = done
    return await _trusted(request, report, started), facts


__all__ = ["MAIL_PORTS", "CheckRequest", "run_check"]
