"""Many mail servers at once for the check day's benchmark: N pairs of the lab's real Dovecot and
Postfix, each pair on its own loopback address (127.0.0.x) with its own users, a DNS zone naming
them, and the connections at once each server saw — counted from the servers' own logs. Runs in a
network namespace of run_in_netns (Postfix needs its address on an interface).

Dovecot names every connection with a session id that holds the moment it was accepted (to the
microsecond), and logs its end (with PRECISE_LOG_TIMESTAMP, to the microsecond too) — with the user
name once logged in: every IMAP and POP3 connection's interval, exactly. Postfix logs only whole
seconds, so its own connection counter is read instead: anvil's "max connection count" per service
(its listener, host:port: submission, smtps, smtp), reported every second. The counts are what the
servers say, not what the client believes it did.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import subprocess
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from maildoctor_lab.certs import CertFiles
from maildoctor_lab.dns import DnsZone, zone_from_records
from maildoctor_lab.dovecot import (
    PRECISE_LOG_TIMESTAMP,
    DovecotOptions,
    DovecotServer,
    MailUser,
    start_dovecot,
)
from maildoctor_lab.netns import in_lab_netns
from maildoctor_lab.postfix import PostfixOptions, PostfixServer, start_postfix

ZONE = "bench.test"
# "... imap-login: Info: Login: user=<u01x000>, method=PLAIN, ..., session=<V96GFxRiTp5/AAAB>"
_LOGIN = re.compile(
    r"^\S+ (?:imap|pop3)-login: Info: Login: user=<(?P<user>[^>]*)>.*session=<(?P<session>[^>]+)>"
)
# a login process's end (never logged in), or a mail process's: "imap(u01x000)<123><SESSION>: ..."
_LOGIN_END = re.compile(r"^(?P<at>\S+) (?:imap|pop3)-login: Info: Disconnected.*session=<(?P<session>[^>]+)>")
_SESSION_END = re.compile(r"^(?P<at>\S+) (?:imap|pop3)\([^)]*\)<\d+><(?P<session>[^>]+)>: Info: Disconnected")
# "Dec 08 00:03:44 mail01 postfix/anvil[270]: statistics: max connection count 3 for (submission:…) at …"
_ANVIL = re.compile(
    r"postfix/anvil\[\d+\]: statistics: max connection count (?P<count>\d+) for \((?P<service>.+):[^:()]+\)"
)


@dataclass(frozen=True, slots=True)
class Session:
    start: float  # seconds (any origin; compared only within one server's log)
    end: float
    user: str | None  # None: not known from the log (Postfix does not name it)


@dataclass
class MailHost:
    name: str  # mailNN.bench.test
    address: str  # 127.0.0.x
    users: tuple[MailUser, ...]
    dovecot: DovecotServer
    postfix: PostfixServer

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.postfix.stop()
        with contextlib.suppress(Exception):
            self.dovecot.stop()

    def sessions(self) -> list[Session]:
        """Every IMAP and POP3 connection this host's Dovecot log shows, from accepted to closed."""
        return dovecot_sessions(_lines(self.dovecot.log))

    def smtp_peaks(self) -> dict[str, int]:
        """Postfix's own count: the most connections at once per service (anvil's statistics)."""
        return anvil_peaks(_lines(self.postfix.log))


@dataclass
class Fleet:
    hosts: list[MailHost] = field(default_factory=list)

    @property
    def zone(self) -> DnsZone:
        return zone_from_records(ZONE, [f"{host.name.split('.')[0]} A {host.address}" for host in self.hosts])

    def stop(self) -> None:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(MailHost.stop, self.hosts))


def host_names(count: int) -> list[str]:
    return [f"mail{number:02d}.{ZONE}" for number in range(1, count + 1)]


def host_address(number: int) -> str:
    """127.0.0.11 for the first host: clear of 127.0.0.1 (the other lab servers) and .2 (its tests)."""
    return f"127.0.0.{10 + number}"


def start_fleet(
    directory: Path, certificate: CertFiles, count: int, users_per_host: int, *, per_user_limit: int = 10
) -> Fleet:
    """`count` Dovecot+Postfix pairs; host n has the users u<n>_<k>; started a few at a time.
    `per_user_limit`: Dovecot's own mail_max_userip_connections, a second referee for the per-user limit."""
    add_loopback_addresses([host_address(number) for number in range(1, count + 1)])
    fleet = Fleet()

    def one(number: int) -> MailHost:
        name = host_names(count)[number - 1]
        users = tuple(MailUser(f"u{number:02d}x{k:03d}", f"pw-{number}-{k}") for k in range(users_per_host))
        options = DovecotOptions(
            users=users,
            host=host_address(number),
            max_userip_connections=per_user_limit,
            log_timestamp=PRECISE_LOG_TIMESTAMP,
        )
        dovecot = start_dovecot(directory / f"dovecot-{number:02d}", certificate, options)
        try:
            postfix = start_postfix(
                directory / f"postfix-{number:02d}",
                dovecot,
                certificate,
                PostfixOptions(domain=ZONE, myhostname=name),
            )
        except BaseException:
            dovecot.stop()
            raise
        enable_anvil_statistics(postfix)
        return MailHost(name, dovecot.host, users, dovecot, postfix)

    with ThreadPoolExecutor(6) as pool:
        futures = [pool.submit(one, number) for number in range(1, count + 1)]
        for future in futures:
            try:
                fleet.hosts.append(future.result())
            except Exception:
                fleet.stop()
                for other in futures:
                    with contextlib.suppress(Exception):
                        other.result().stop()
                raise
    return fleet


def add_loopback_addresses(addresses: Sequence[str]) -> None:
    """Postfix listens only on an address an interface has: put each on `lo` — inside a namespace of
    run_in_netns only (it vanishes with it; the host's interfaces are never touched)."""
    if not in_lab_netns():
        raise RuntimeError("the fleet runs inside a namespace made by run_in_netns (the host is not changed)")
    env = {**os.environ, "PATH": f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin"}
    for address in addresses:
        subprocess.run(["ip", "addr", "add", f"{address}/32", "dev", "lo"], check=True, env=env, timeout=10)


def _lines(path: Path) -> list[str]:
    return path.read_text(errors="replace").splitlines() if path.exists() else []


def _dovecot_time(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def session_start(session: str, near: float) -> float:
    """When Dovecot accepted the connection: the session id's first 6 bytes are the lowest 48 bits of
    the microseconds since 1970 (then the client's port and address); `near` (a moment in seconds
    close to it) gives the bits above."""
    micro = int.from_bytes(base64.b64decode(session + "=" * (-len(session) % 4))[:6], "little")
    around = int(near * 1_000_000)
    full = (around & ~((1 << 48) - 1)) | micro
    if full > around + (1 << 47):
        full -= 1 << 48
    return full / 1_000_000


def dovecot_sessions(lines: Iterable[str]) -> list[Session]:
    users: dict[str, str] = {}
    found: list[Session] = []
    for line in lines:
        if (login := _LOGIN.match(line)) is not None:
            users[login["session"]] = login["user"]
        elif (end := _LOGIN_END.match(line) or _SESSION_END.match(line)) is not None:
            at = _dovecot_time(end["at"])
            if end["session"] in users and _LOGIN_END.match(line):
                continue  # the login process hands a logged-in connection on: its end comes later
            found.append(Session(session_start(end["session"], at), at, users.get(end["session"])))
    return found


def anvil_peaks(lines: Iterable[str]) -> dict[str, int]:
    peaks: dict[str, int] = {}
    for line in lines:
        if (match := _ANVIL.search(line)) is not None:
            peaks[match["service"]] = max(peaks.get(match["service"], 0), int(match["count"]))
    return peaks


def enable_anvil_statistics(postfix: PostfixServer) -> None:
    """anvil reports its peak counts every second (its default: every ten minutes)."""
    etc = str(postfix.directory / "etc")
    env = {**os.environ, "MAIL_CONFIG": etc}
    for command in (
        ["postconf", "-c", etc, "-e", "anvil_status_update_time=1s"],
        ["postfix", "-c", etc, "reload"],
    ):
        subprocess.run(command, check=True, env=env, timeout=30, capture_output=True)


def peak(sessions: Sequence[Session]) -> int:
    """The most sessions open at one moment (one ending as another starts is not an overlap)."""
    events = sorted([(s.start, 1) for s in sessions] + [(s.end, -1) for s in sessions])
    most = current = 0
    for _, step in events:
        current += step
        most = max(most, current)
    return most


def peaks_per_user(sessions: Sequence[Session]) -> Counter[str]:
    by_user: dict[str, list[Session]] = {}
    for session in sessions:
        if session.user is not None:
            by_user.setdefault(session.user, []).append(session)
    return Counter({user: peak(found) for user, found in by_user.items()})


def refusals(host: MailHost) -> int:
    """Dovecot's own refusals for too many connections of one user (its limit as a second referee)."""
    return sum(1 for line in _lines(host.dovecot.log) if "Maximum number of connections" in line)
