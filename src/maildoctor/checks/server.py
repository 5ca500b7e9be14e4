"""The examination of one mail server: name lookup, one conversation as far as it goes, and the
other mail ports of the same address. Observe through the seam; the steps it reached are its rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from maildoctor.checks.registry import Check
from maildoctor.facts import AlternativeProbe, ServerFacts
from maildoctor.loginguard import LoginGuard
from maildoctor.model import STANDARD_PORTS, CheckResult, Endpoint, Protocol, Secret, Security, ServerRole
from maildoctor.net.connect import PortAnswers
from maildoctor.net.seam import Network
from maildoctor.probes.base import SessionContext
from maildoctor.probes.roundtrip import RoundtripState
from maildoctor.probes.sessions import run_session
from maildoctor.probes.steps import server_steps
from maildoctor.protocol.oauth_device import BearerToken
from maildoctor.tlsfacts.assess import TrustStores

# Every port a mail provider may answer on, with what it carries there (model.STANDARD_PORTS).
MAIL_PORTS: tuple[tuple[int, Protocol, Security], ...] = tuple(
    (row.port, row.protocol, row.security) for row in STANDARD_PORTS
)


@dataclass(frozen=True)
class ServerExamination:
    """Everything the examination of one server needs besides the network."""

    role: ServerRole
    endpoint: Endpoint
    username: str
    password: Secret | None
    mail_address: str  # the account's own address
    guard: LoginGuard
    stores: TrustStores
    deadline: float  # on the network's clock
    login_wanted: bool = True
    outgoing_auth: bool = True
    consent_needed: bool = False
    roundtrip: RoundtripState | None = None
    # standard port -> the port it is really on (the demo's servers run on free ports)
    port_map: Mapping[int, int] = field(default_factory=dict)
    answers: PortAnswers = field(default_factory=PortAnswers)  # shared by both servers: often one
    progress: Callable[[ServerRole, str, bool], None] | None = None
    token: BearerToken | None = None  # check --oauth2: the login uses it (XOAUTH2/OAUTHBEARER)


async def _alternatives(
    network: Network,
    address: str,
    typed_port: int,
    port_map: Mapping[int, int],
    timeout: float,
    answers: PortAnswers,
) -> tuple[AlternativeProbe, ...]:
    plan = [
        (port_map.get(port, port), protocol, security, port)
        for port, protocol, security in MAIL_PORTS
        if port_map.get(port, port) != typed_port
    ]
    probes = await asyncio.gather(
        *(network.probe_port(address, port, timeout, answers) for port, _, _, _ in plan)
    )
    return tuple(
        AlternativeProbe(protocol, port, security, probe, standard)
        for (port, protocol, security, standard), probe in zip(plan, probes, strict=True)
    )


async def examine_server(job: ServerExamination, network: Network) -> ServerFacts:
    role, endpoint = job.role, job.endpoint
    remaining = max(0.1, job.deadline - network.clock())
    resolution = await network.resolver.resolve_host(endpoint.host, lifetime=min(5.0, remaining / 2))
    if job.progress is not None:
        job.progress(role, "dns", bool(resolution.addresses))
    base = ServerFacts(role, endpoint, job.username, resolution)
    if not resolution.addresses:
        return base
    address = resolution.addresses[0]
    connect_timeout = min(5.0, max(0.5, (job.deadline - network.clock()) / 3))
    context = SessionContext(
        role=role,
        endpoint=endpoint,
        address=address,
        username=job.username,
        password=job.password,
        guard=job.guard,
        stores=job.stores,
        deadline=job.deadline,
        mail_address=job.mail_address,
        login_wanted=job.login_wanted,
        outgoing_auth=job.outgoing_auth,
        connect_timeout=connect_timeout,
        roundtrip=job.roundtrip,
        progress=job.progress,
        consent_needed=job.consent_needed,
        # without a login the server would refuse to pass mail on: that says nothing here
        send_probe=not job.consent_needed,
        answers=job.answers,
        connect=network.connect,
        token=job.token,
    )
    session, alternatives = await asyncio.gather(
        run_session(context),
        _alternatives(network, address, endpoint.port, job.port_map, connect_timeout, job.answers),
    )
    return ServerFacts(role, endpoint, job.username, resolution, session, alternatives)


def server_rows(server: ServerFacts) -> tuple[CheckResult, ...]:
    """The checks table's rows for one server: each step its examination reached."""
    return tuple(CheckResult(step, server.role, status, ms) for step, status, ms in server_steps(server))


def server_check(job: ServerExamination) -> Check[ServerFacts]:
    async def observe(network: Network) -> ServerFacts:
        return await examine_server(job, network)

    return Check(f"{job.role}_server", job.role, observe, server_rows)
