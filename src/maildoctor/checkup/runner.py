"""The check-up of one company: read the book, examine every account and domain concurrently within
the servers' limits, record each result in the book as it comes, then build the report.

Logins: the password only from the keyring (passwords.py); at most one login per server and user
per run, and none after a remembered failure: `check`'s LoginGuard, given to run_check as the book's
(logins.py), so it holds across the processes and machines that share the book.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from maildoctor.check_request import CheckRequest
from maildoctor.checkup import runs
from maildoctor.checkup.bookrisks import BookAccount, BookDevice, BookDomain, book_item
from maildoctor.checkup.classify import account_item, domain_item, untested_item
from maildoctor.checkup.limits import PER_SERVER, PER_USER, ServerLimits
from maildoctor.checkup.logins import BookLoginGuard, LoginKey, book_guard
from maildoctor.checkup.model import ItemKind, LoginMode, RecordedItem, Untested
from maildoctor.checkup.passwords import find_password
from maildoctor.checkup.report import CheckupReport
from maildoctor.diagnose import run_check
from maildoctor.domain.engine import DomainRequest, examine_domain
from maildoctor.domain.findings import domain_findings
from maildoctor.facts import DnsOutcome
from maildoctor.ledger.retirement import ENTITY as RETIREMENTS
from maildoctor.ledger.schema import Account, Change, Company, Device, Domain, Person
from maildoctor.ledger.store import transaction
from maildoctor.model import Endpoint, Secret, ServerUrlError, parse_server_url
from maildoctor.net.resolver import Nameserver
from maildoctor.net.seam import Network
from maildoctor.resolver_guard import resolver_verdict

PasswordSource = Callable[[str], Secret | None]


@dataclass(frozen=True)
class CheckupOptions:
    nameservers: Sequence[Nameserver] = ()
    timeout: float = 20.0
    per_user: int = PER_USER
    per_server: int = PER_SERVER
    domains_at_once: int = 10
    # accounts examined at once over all servers: a check is mostly CPU on this one event loop (TLS,
    # parsing), so more only starve it — with all at once, each check's quick "is any DNS server
    # there?" went unanswered in time and read as offline; bench/checkup_bench.py (1,000 accounts,
    # 50 servers, 2 cores): 16 at once 49.4 s, 40 at once 63.6 s
    accounts_at_once: int = 16
    cache_dir: Path | None = None  # remembered login failures; None: the user's cache
    ca_file: Path | None = None
    port_map: Mapping[int, int] = field(default_factory=dict)
    web_ports: Mapping[str, int] | None = None
    registration: bool = True  # ask RDAP for domain expiry (never for .jp: the book's date is the source)
    passwords: PasswordSource = find_password
    network: Network | None = None


@dataclass(frozen=True)
class AccountWork:
    address: str
    incoming: str | None
    outgoing: str | None
    username: str | None


@dataclass(frozen=True)
class Plan:
    company_id: int
    code: str
    accounts: tuple[AccountWork, ...]
    domains: tuple[BookDomain, ...]
    book: RecordedItem


def _host(url: str | None) -> str | None:
    try:
        return parse_server_url(url).host if url else None
    except ServerUrlError:
        return None


def plan_of(engine: Engine, code: str, per_user: int) -> Plan:
    with transaction(engine) as session:
        company = session.scalars(select(Company).where(Company.code == code)).one()
        owned = company.id
        retired = set(
            session.scalars(
                select(Change.entity_key).where(Change.company_id == owned, Change.entity == RETIREMENTS)
            )
        )
        people = {p.id: p.name for p in session.scalars(select(Person).where(Person.company_id == owned))}
        accounts = session.scalars(
            select(Account).where(Account.company_id == owned).order_by(Account.id)
        ).all()
        devices = session.scalars(select(Device).where(Device.company_id == owned).order_by(Device.id)).all()
        domains = session.scalars(select(Domain).where(Domain.company_id == owned).order_by(Domain.id)).all()
        book_accounts = []
        for account in accounts:
            listed = tuple(
                BookDevice(
                    device.name,
                    device.protocol,
                    device.leave_on_server,
                    device.leave_days,
                    people.get(device.person_id) if device.person_id else None,
                    device.person_id is not None and people.get(device.person_id) in retired,
                )
                for device in devices
                if device.account_id == account.id
            )
            book_accounts.append(BookAccount(account.address, _host(account.incoming) or "incoming", listed))
        book_domains = tuple(BookDomain(d.name, d.expires_on, d.renewal_on) for d in domains)
        return Plan(
            company_id=owned,
            code=company.code,
            accounts=tuple(AccountWork(a.address, a.incoming, a.outgoing, a.username) for a in accounts),
            domains=book_domains,
            book=book_item(company.code, book_accounts, book_domains, per_user),
        )


async def _check_account(
    work: AccountWork,
    options: CheckupOptions,
    limits: ServerLimits,
    gate: asyncio.Semaphore,
    guard: BookLoginGuard | None = None,
) -> RecordedItem:
    """One account: its servers' slots first, then a place among the checks running at once (so a
    check waiting for a busy server never keeps another server's check from running). `guard`: the
    one-login guard of the run, kept in the book (None: this process's own, as `check`'s)."""
    try:
        incoming: Endpoint | None = parse_server_url(work.incoming) if work.incoming else None
        outgoing: Endpoint | None = parse_server_url(work.outgoing) if work.outgoing else None
    except ServerUrlError:
        return untested_item(ItemKind.ACCOUNT, work.address, Untested.BAD_SETTINGS)
    password = await asyncio.to_thread(options.passwords, work.address)
    login = LoginMode.LOGGED_IN if password is not None else LoginMode.NO_PASSWORD
    request = CheckRequest(
        address=work.address,
        incoming=incoming,
        outgoing=outgoing,
        username=work.username,
        password=password,
        login=password is not None,
        outgoing_auth=True,  # the mail programs log in to send; without a password it is only not tried
        nameservers=options.nameservers,
        ca_file=options.ca_file,
        timeout=options.timeout,
        port_map=options.port_map,
        cache_dir=options.cache_dir,
        discover=incoming is None or outgoing is None,
        web_ports=options.web_ports,
        sending_domain=False,  # the domains are examined once each, not once per account
    )
    hosts = [endpoint.host for endpoint in (incoming, outgoing) if endpoint is not None]
    async with limits.slot(hosts, work.username or work.address), gate:
        try:
            if guard is not None and password is not None:  # the book asked ahead, off the event loop
                await guard.prepare(
                    [LoginKey.of(e.protocol, e.host, request.user) for e in (incoming, outgoing) if e]
                )
            connect = None if options.network else limits.connector(work.username or work.address)
            report, facts = await run_check(request, options.network, connect=connect, guard=guard)
        except (OSError, ValueError, SQLAlchemyError):  # the book unreachable: no login, not tested
            return untested_item(ItemKind.ACCOUNT, work.address, Untested.CRASHED, login)
        finally:
            if guard is not None:
                await guard.flush()
    return account_item(work.address, report, facts, login)


@dataclass
class ResolverTrust:
    """Asked once per run, only when a domain's result would blame DNS: does this resolver lie?"""

    nameservers: Sequence[Nameserver]
    _verdict: asyncio.Task[bool] | None = None

    async def broken(self) -> bool:
        if self._verdict is None:
            self._verdict = asyncio.ensure_future(self._ask())
        return await self._verdict

    async def _ask(self) -> bool:
        return await resolver_verdict(self.nameservers) is not None


async def check_account_item(
    work: AccountWork, options: CheckupOptions, limits: ServerLimits, guard: BookLoginGuard | None = None
) -> RecordedItem:
    """One account checked alone (a queued job): within the limits, no other gate."""
    return await _check_account(work, options, limits, asyncio.Semaphore(1), guard)


def resolver_trust(options: CheckupOptions) -> ResolverTrust:
    return ResolverTrust(options.nameservers)


async def check_domain_item(
    domain: BookDomain, options: CheckupOptions, trust: ResolverTrust
) -> RecordedItem:
    """One domain checked alone (a queued job)."""
    return await _check_domain(domain, options, asyncio.Semaphore(1), trust)


async def _check_domain(
    domain: BookDomain, options: CheckupOptions, gate: asyncio.Semaphore, trust: ResolverTrust
) -> RecordedItem:
    ask_rdap = options.registration and not domain.name.lower().rstrip(".").endswith(".jp")
    request = DomainRequest(
        domain.name,
        options.nameservers,
        registration=ask_rdap,
        ca_file=options.ca_file,
        timeout=options.timeout,
        port_override=options.web_ports,
        cache_dir=options.cache_dir,
    )
    async with gate:
        try:
            facts = await examine_domain(request)
        except (OSError, ValueError):
            return untested_item(ItemKind.DOMAIN, domain.name, Untested.CRASHED)
    findings = domain_findings(facts)
    untested: Untested | None = None
    if facts.mx.lookup.outcome in (DnsOutcome.TIMEOUT, DnsOutcome.ERROR):
        untested = Untested.TIMEOUT
    elif (findings or facts.mx.lookup.outcome is not DnsOutcome.OK) and await trust.broken():
        untested = Untested.RESOLVER_BROKEN
    rdap = facts.registration.rdap.record if facts.registration else None
    return domain_item(
        domain.name,
        findings,
        untested=untested,
        typed_expiry=domain.renewal_on or domain.expires_on,
        rdap_expiry=rdap.expires if rdap else None,
    )


Progress = Callable[[RecordedItem], None]


async def checkup_company(
    engine: Engine,
    code: str,
    options: CheckupOptions,
    progress: Progress | None = None,
    limits: ServerLimits | None = None,
) -> CheckupReport:
    """Check one company (taking over its unfinished run, if its process died) and report.

    `limits`: shared by the companies of one `checkup --all` (their servers are often the same),
    and where a caller reads the peak connections per server afterwards."""
    plan = await asyncio.to_thread(plan_of, engine, code, options.per_user)
    run_id, done = await asyncio.to_thread(runs.start, engine, plan.company_id)
    limits = limits or ServerLimits(options.per_user, options.per_server)
    gate = asyncio.Semaphore(options.domains_at_once)
    accounts_gate = asyncio.Semaphore(options.accounts_at_once)
    trust = ResolverTrust(options.nameservers)

    async def keep(item: Awaitable[RecordedItem]) -> None:
        recorded = await item
        await asyncio.to_thread(runs.record, engine, run_id, recorded)
        if progress is not None:
            progress(recorded)

    async def ready(item: RecordedItem) -> RecordedItem:
        return item

    work: list[Awaitable[None]] = []
    if (ItemKind.BOOK, plan.code.lower()) not in done:
        work.append(keep(ready(plan.book)))
    work += [
        keep(
            _check_account(
                account, options, limits, accounts_gate, book_guard(engine, run_id, options.cache_dir)
            )
        )
        for account in plan.accounts
        if (ItemKind.ACCOUNT, account.address.lower()) not in done
    ]
    work += [
        keep(_check_domain(domain, options, gate, trust))
        for domain in plan.domains
        if (ItemKind.DOMAIN, domain.name.lower()) not in done
    ]
    await asyncio.gather(*work)
    await asyncio.to_thread(runs.finish, engine, run_id)
    recorded = await asyncio.to_thread(runs.recorded_runs, engine, plan.company_id, run_id)
    return CheckupReport.of(recorded)
