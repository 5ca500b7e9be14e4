"""Benchmark of the check day at scale: 1,000 accounts spread over 50 real mail servers (the lab's
Dovecot and Postfix, one pair per loopback address 127.0.0.11…), each account checked with its login
on IMAP (STARTTLS) and SMTP submission. Prints the wall time of `checkup_company`, and the peak
connections at once per server and per user as the servers' own logs count them, against the
limits (default 2 per server and user, 10 per server). Needs root (Postfix) and the lab's packages.

    python3 -m uv run python bench/checkup_bench.py [--servers 50] [--accounts 1000]
        [--per-user 2] [--per-server 10] [--json]

Not part of the test suite (tests/integration/test_checkup_limits_lab.py runs a small one).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import shutil
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from maildoctor.checkup.limits import ServerLimits
from maildoctor.checkup.runner import CheckupOptions, checkup_company
from maildoctor.ledger.book import Book
from maildoctor.ledger.location import sqlite_url
from maildoctor.ledger.records import ACCOUNTS, COMPANIES
from maildoctor.ledger.store import open_book, transaction
from maildoctor.model import Secret
from maildoctor.net.resolver import Nameserver
from maildoctor_lab.certs import LabPKI
from maildoctor_lab.common import make_lab_dir
from maildoctor_lab.dns import running_dns
from maildoctor_lab.fleet import Fleet, host_names, peak, peaks_per_user, refusals, start_fleet
from maildoctor_lab.netns import in_lab_netns, run_in_netns

TARGET_SECONDS = 60.0


def make_book(directory: Path, fleet: Fleet, accounts: int, spread: str) -> tuple[str, dict[str, Secret]]:
    """The accounts over the hosts — in blocks (a server's accounts one after another in the book, so
    the checks at once crowd the same servers and the limits bind) or in turn — and their passwords
    (as the keyring would give them)."""
    per_host = accounts // len(fleet.hosts)
    url = sqlite_url(directory / "bench.sqlite3")
    engine = open_book(url, create=True)
    passwords: dict[str, Secret] = {}
    with transaction(engine) as session:
        book = Book(session, actor="bench")
        company = book.add(COMPANIES, None, {"code": "bench", "name": "ベンチ商事"})
        for number in range(accounts):
            if spread == "block":
                host, user_number = fleet.hosts[number // per_host], number % per_host
            else:
                host, user_number = fleet.hosts[number % len(fleet.hosts)], number // len(fleet.hosts)
            user = host.users[user_number]
            address = f"{user.name}@{host.name.split('.', 1)[1]}"
            book.add(
                ACCOUNTS,
                company,
                {
                    "address": address,
                    "incoming": f"imap+starttls://{host.name}:{host.dovecot.ports['imap']}",
                    "outgoing": f"smtp+starttls://{host.name}:{host.postfix.ports['submission']}",
                    "username": user.name,
                },
            )
            passwords[address] = Secret(user.password)
    engine.dispose()
    return url, passwords


def measure(fleet: Fleet, limits_seen: ServerLimits) -> dict[str, Any]:
    """The servers' own counts: Dovecot's every IMAP/POP3 connection (exact intervals), per server and
    per logged-in user; Postfix's anvil peak per service (submission, smtps, smtp)."""
    imap_pop: dict[str, int] = {}
    per_user: Counter[tuple[str, str]] = Counter()
    smtp_services: dict[str, int] = {}
    smtp_sum: dict[str, int] = {}
    connections = 0
    for host in fleet.hosts:
        found = host.sessions()
        connections += len(found)
        imap_pop[host.name] = peak(found)
        for user, count in peaks_per_user(found).items():
            per_user[host.name, user] = count
        services = host.smtp_peaks()
        smtp_sum[host.name] = sum(services.values())
        for listener, count in services.items():
            port = int(listener.rpartition(":")[2])
            service = next((name for name, number in host.postfix.ports.items() if number == port), listener)
            smtp_services[service] = max(smtp_services.get(service, 0), count)
    gate_server = [n for (_, who), n in limits_seen.connection_peak.items() if not who]
    gate_user = [n for (_, who), n in limits_seen.connection_peak.items() if who]
    return {
        "dovecot_connections_in_logs": connections,
        "dovecot_peak_per_server": max(imap_pop.values(), default=0),
        "dovecot_peak_per_user": max(per_user.values(), default=0),
        "postfix_peak_per_service": smtp_services,
        "both_upper_bound_per_server": max((imap_pop[name] + smtp_sum[name] for name in imap_pop), default=0),
        "dovecot_refusals": sum(refusals(host) for host in fleet.hosts),
        "client_connections_peak_per_server": max(gate_server, default=0),
        "client_busiest": [key for key, n in limits_seen.connection_peak.most_common(3)],
        "client_connections_peak_per_user": max(gate_user, default=0),
        "client_checks_peak_per_server": max(
            (n for (_, who), n in limits_seen.peak.items() if not who), default=0
        ),
    }


def run(
    servers: int,
    accounts: int,
    per_user: int,
    per_server: int,
    spread: str,
    keep: bool,
    profile: str | None = None,
    at_once: int = CheckupOptions.accounts_at_once,
) -> dict[str, Any]:
    if accounts % servers:
        raise SystemExit("--accounts must be a multiple of --servers")
    lab = make_lab_dir("maildoctor-checkup-bench-")
    pki = LabPKI(lab / "tls")
    certificate = pki.issue("bench", (*host_names(servers), "127.0.0.1"))
    started = time.monotonic()
    fleet = start_fleet(lab, certificate, servers, accounts // servers, per_user_limit=per_user)
    start_up = time.monotonic() - started
    try:
        with running_dns(lab / "dns", [fleet.zone]) as dns:
            url, passwords = make_book(lab, fleet, accounts, spread)
            options = CheckupOptions(
                nameservers=(Nameserver.parse(dns.nameserver),),
                timeout=30,
                per_user=per_user,
                per_server=per_server,
                ca_file=pki.ca.cert,
                cache_dir=lab / "cache",
                registration=False,
                passwords=passwords.get,
                accounts_at_once=at_once,
            )
            limits = ServerLimits(per_user, per_server)
            engine = open_book(url)
            began = time.monotonic()
            work = checkup_company(engine, "bench", options, limits=limits)
            if profile is None:
                report = asyncio.run(work)
            else:
                with cProfile.Profile() as profiler:
                    report = asyncio.run(work)
                profiler.dump_stats(profile)
            wall = time.monotonic() - began
            engine.dispose()
        time.sleep(1)  # the servers write their last log lines
        figures = measure(fleet, limits)
    finally:
        fleet.stop()
        if not keep:
            shutil.rmtree(lab, ignore_errors=True)
    untested = len(report.changes.untested)
    return {
        "servers": servers,
        "spread": spread,
        "accounts_at_once": at_once,
        "accounts": accounts,
        "limits": {"per_user": per_user, "per_server": per_server},
        "start_up_s": round(start_up, 1),
        "wall_s": round(wall, 1),
        "target_s": TARGET_SECONDS,
        "checked": report.items - untested,
        "could_not_test": untested,
        "findings_new": len(report.changes.new),
        "causes": dict(Counter(f.cause for f in report.changes.new).most_common(5)),
        **figures,
        "logs_kept_in": str(lab) if keep else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=50)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--per-user", type=int, default=2)
    parser.add_argument("--per-server", type=int, default=10)
    parser.add_argument("--spread", choices=("block", "turn"), default="block")
    parser.add_argument("--keep", action="store_true", help="keep the lab folder (logs) for reading")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--at-once", type=int, default=CheckupOptions.accounts_at_once)
    parser.add_argument("--profile", metavar="FILE", help="write cProfile statistics of the check-up to FILE")
    args = parser.parse_args()
    if not in_lab_netns():  # the servers' addresses live in a namespace of their own
        done = run_in_netns([sys.executable, __file__, *sys.argv[1:]], [], timeout=1800)
        sys.stdout.write(done.stdout)
        sys.stderr.write(done.stderr)
        sys.exit(done.returncode)
    result = run(
        args.servers,
        args.accounts,
        args.per_user,
        args.per_server,
        args.spread,
        args.keep,
        args.profile,
        args.at_once,
    )
    if args.json:
        print(json.dumps(result, indent=2))
        return
    within = (
        result["dovecot_peak_per_server"] <= args.per_server
        and result["dovecot_peak_per_user"] <= args.per_user
        and max(result["postfix_peak_per_service"].values(), default=0) <= args.per_server
        and result["dovecot_refusals"] == 0
    )
    print(
        f"maildoctor check day benchmark: {result['accounts']} accounts on {result['servers']} servers "
        f"(spread: {result['spread']})"
    )
    print(f"  servers started in {result['start_up_s']} s (not measured)")
    print(f"  wall time {result['wall_s']} s (target ≤ {TARGET_SECONDS:.0f} s)")
    print(f"  checked {result['checked']}, could not test {result['could_not_test']}")
    print(f"  new findings: {result['causes']}")
    print(f"  connections in Dovecot's logs: {result['dovecot_connections_in_logs']}")
    print("  Dovecot (IMAP+POP3, every connection), peak at once:")
    print(f"    per server {result['dovecot_peak_per_server']} (limit {args.per_server})")
    print(f"    per server and user {result['dovecot_peak_per_user']} (limit {args.per_user})")
    smtp = result["postfix_peak_per_service"]
    print(f"  Postfix (anvil), peak at once per service: {smtp} (limit {args.per_server})")
    print(
        f"  both daemons of one server, upper bound (Dovecot peak + each Postfix service's peak): "
        f"{result['both_upper_bound_per_server']}"
    )
    print(f"  Dovecot's own refusals for too many connections of a user: {result['dovecot_refusals']}")
    print(
        f"  the client's own gate: {result['client_connections_peak_per_server']} connections per server, "
        f"{result['client_connections_peak_per_user']} per server and user; "
        f"{result['client_checks_peak_per_server']} checks per server"
    )
    print("  limits held" if within else "  LIMITS EXCEEDED")
    if not within:
        sys.exit(1)


if __name__ == "__main__":
    main()
