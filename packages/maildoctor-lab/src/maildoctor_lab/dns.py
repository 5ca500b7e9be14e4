"""Debian's Unbound on loopback: the lab's DNS, with zones the tests write and names that fail.

Why Unbound: a mail program asks a *resolver*, so what it meets are a resolver's answers and
a resolver's failures. One real Unbound gives both from its own config (each behaviour below
was checked against Debian 12's Unbound 1.17.1 by tests/integration/test_lab_dns.py):

* the zones' data from real zone files (``auth-zone``): MX, SRV, TXT, CNAME chains, A/AAAA,
  NXDOMAIN and NODATA with the zone's SOA. The zones are loaded ``for-upstream`` (Unbound
  uses them as if it had asked their authoritative servers) and not ``for-downstream``:
  answered downstream, Unbound behaves like an authoritative server and stops at a CNAME
  that leaves the zone, where every resolver follows it (``mail.customer.test CNAME
  mail.provider.test``). So the client sees what its provider's resolver would give:
  RA set, no AA, chains followed across zones, TTLs counting down in the cache;
* SERVFAIL for a chosen name, at once: an ``auth-zone`` for the name whose only source is a
  primary that never answers, so it is never loaded. A zone that is expired or was never
  transferred answers SERVFAIL, as with a real secondary; it covers the name and every name
  below it, also inside a served zone;
* silence for a chosen name, so the client's lifetime runs out: a ``stub-zone`` to a UDP+TCP
  socket the server object holds and never reads ("the domain's servers do not answer"). A
  stub is closer than the enclosing zone, so this also works inside a served zone. Unbound
  would give up after about 10 s and then answer SERVFAIL at once for a while (the failure
  is cached and the server marked down); its retransmit timeouts are raised so that it
  never gives up while tests run (see the template).

An authoritative-only server (NSD, Knot) cannot be made to answer SERVFAIL or stay silent for
one name, and its answers are not what a resolver gives, so it would need Unbound in front of
it anyway; Unbound alone does all of it.

Nothing leaves loopback: names outside the lab are refused, upstream queries leave from
127.0.0.1 only, the root is a stub to the silent socket, and there is no DNSSEC (no
validator, no trust anchor).

Timings (development machine, Unbound 1.17.1, medians of 10, seen from Python): from
starting Unbound to its first answer 25 ms (start_dns in all, with unbound-checkconf, 40 ms);
replace_zones (zone files, unbound-checkconf, SIGHUP, until the new config answers) 22 ms;
the same reload asked with ``unbound-control reload`` 31 ms; a restart (stop 6 ms, start
40 ms) 46 ms. So zones are replaced by SIGHUP, Unbound's own reload: same process, same
port, caches emptied.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Literal

import dns.exception
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.zone

from maildoctor.probes.resolver_trial import CERTAIN_QUESTIONS
from maildoctor_lab.common import (
    LOOPBACK,
    ManagedProcess,
    free_udp_and_tcp_port,
    render_template,
    require_programs,
    start_process,
)

_MARKER_NAME = "ready.maildoctor-lab.invalid."
_READY_TIMEOUT = 10.0


def _absolute(name: str) -> str:
    """The canonical absolute form of a domain name: lower case, trailing dot."""
    try:
        return dns.name.from_text(name).canonicalize().to_text()
    except dns.exception.DNSException as exc:
        raise ValueError(f"not a domain name: {name!r} ({exc})") from exc


@dataclass(frozen=True, slots=True)
class DnsZone:
    """A zone as a zone file: `name` (made absolute: "example.test.") and the file's text.

    The text is what Unbound reads; relative names are relative to `name` unless the text
    sets its own $ORIGIN. It must have a SOA record at the apex (zone_from_records adds one).
    """

    name: str
    text: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", _absolute(self.name))


def zone_from_records(name: str, records: Sequence[str], ttl: int = 60) -> DnsZone:
    """A zone file from record lines in zone-file syntax, relative to the zone.

    ``zone_from_records("example.test", ["@ MX 10 mail", "mail A 127.0.0.1",
    '_imaps._tcp SRV 0 1 993 mail', '@ TXT "v=spf1 -all"'])``. A SOA and an NS record are
    added at the apex unless the lines have them; every line is checked with dnspython
    first, so a typo fails here with the line's error rather than in Unbound's log.
    """
    origin = _absolute(name)
    body = "\n".join(records) + "\n"
    try:
        parsed = dns.zone.from_text(
            f"$ORIGIN {origin}\n$TTL {ttl}\n{body}", origin=origin, relativize=True, check_origin=False
        )
    except dns.exception.DNSException as exc:
        raise ValueError(f"bad records for zone {origin}: {exc}") from exc
    apex = parsed.get_node("@")
    lines = [f"$ORIGIN {origin}", f"$TTL {ttl}"]
    if apex is None or apex.get_rdataset(parsed.rdclass, dns.rdatatype.SOA) is None:
        lines.append(f"@ IN SOA localhost. hostmaster.{origin} 1 3600 600 86400 {ttl}")
    if apex is None or apex.get_rdataset(parsed.rdclass, dns.rdatatype.NS) is None:
        # no address record for it, so the zone holds only the names the test asked for
        lines.append("@ IN NS localhost.")
    return DnsZone(origin, "\n".join(lines) + "\n" + body)


def _bind_udp_and_tcp(host: str) -> tuple[socket.socket, socket.socket]:
    """A UDP and a TCP socket bound to one port on `host` (IPv4 or IPv6)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for _ in range(50):
        udp = socket.socket(family, socket.SOCK_DGRAM)
        udp.bind((host, 0))
        tcp = socket.socket(family, socket.SOCK_STREAM)
        try:
            tcp.bind((host, udp.getsockname()[1]))
        except OSError:
            udp.close()
            tcp.close()
            continue
        return udp, tcp
    raise OSError(f"no port on {host} free for both UDP and TCP")


def _free_port(host: str) -> int:
    if ":" not in host:
        return free_udp_and_tcp_port(host)
    udp, tcp = _bind_udp_and_tcp(host)
    port: int = udp.getsockname()[1]
    udp.close()
    tcp.close()
    return port


class _SilentSocket:
    """A UDP and a TCP socket on one 127.0.0.1 port that never answer (TCP: never accepted)."""

    def __init__(self) -> None:
        self._udp, self._tcp = _bind_udp_and_tcp(LOOPBACK)
        self._tcp.listen(64)
        self.port: int = self._udp.getsockname()[1]

    @property
    def address(self) -> str:
        return f"{LOOPBACK}@{self.port}"

    def close(self) -> None:
        self._udp.close()
        self._tcp.close()


# A lying resolver: "nxdomain" says no name exists (a filtering router, security software, a
# broken home router); "one-address" answers every name with PORTAL_ADDRESS (a captive portal of a
# hotel or café Wi-Fi), on loopback, where nothing listens.
Lie = Literal["nxdomain", "one-address"]
PORTAL_ADDRESS = "127.1.2.3"
# what the healthy lab answers about the names that certainly exist (never connected to)
_CERTAIN_DATA = {"A": "192.0.2.1", "NS": "a.root-servers.net."}


@dataclass(frozen=True, slots=True)
class _Layout:
    zones: tuple[DnsZone, ...]
    servfail: tuple[str, ...]
    timeout: tuple[str, ...]
    lie: Lie | None = None


def _layout(
    zones: Sequence[DnsZone], servfail: Sequence[str], timeout: Sequence[str], lie: Lie | None = None
) -> _Layout:
    if lie is not None and (zones or servfail or timeout):
        raise ValueError("a lying lab resolver serves no zones: it answers every name the same way")
    layout = _Layout(
        tuple(zones),
        tuple(dict.fromkeys(_absolute(name) for name in servfail)),
        tuple(dict.fromkeys(_absolute(name) for name in timeout)),
        lie,
    )
    seen: dict[str, str] = {}
    for kind, names in (
        ("zone", [zone.name for zone in layout.zones]),
        ("servfail", layout.servfail),
        ("timeout", layout.timeout),
    ):
        for name in names:
            if name in seen:
                raise ValueError(f"{name} is given twice (as {seen[name]} and as {kind})")
            seen[name] = kind
    if "." in seen:
        raise ValueError("the root cannot be a lab zone, servfail or timeout name")
    return layout


def _root_zone(lie: Lie | None) -> str:
    if lie == "nxdomain":
        return '    local-zone: "." always_nxdomain'
    if lie == "one-address":
        return f'    local-zone: "." redirect\n    local-data: ". 60 IN A {PORTAL_ADDRESS}"'
    return '    local-zone: "." refuse'


def _certain_data(layout: _Layout) -> str:
    """local-data for each question about a certain name that no lab zone or failing name covers."""
    if layout.lie is not None:
        return ""
    taken = [*(zone.name for zone in layout.zones), *layout.servfail, *layout.timeout]
    lines = []
    for name, rdtype in CERTAIN_QUESTIONS:
        absolute = _absolute(name)
        if any(absolute == zone or absolute.endswith("." + zone) for zone in taken):
            continue  # the world's own zone answers it
        lines.append(f'    local-data: "{absolute} 300 IN {rdtype} {_CERTAIN_DATA[rdtype]}"')
    return "\n".join(lines)


def _quoted(name: str) -> str:
    if '"' in name or "\\" in name:
        raise ValueError(f"unsupported characters in name {name!r}")
    return f'"{name}"'


@dataclass
class DnsServer:
    """A running Unbound; replace_zones() gives it another world without a restart."""

    directory: Path
    host: str
    port: int
    process: ManagedProcess
    startup_seconds: float
    """From starting Unbound to its first answer."""
    _silent: _SilentSocket
    _layout: _Layout
    _token: str
    _generation: int = 0
    last_reload_seconds: float | None = field(default=None, init=False)
    """How long the last replace_zones() took until the new zones answered."""

    @property
    def nameserver(self) -> str:
        """host:port, as maildoctor's --dns option takes it ([::1]:port for IPv6)."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @property
    def config(self) -> Path:
        return self.directory / "unbound.conf"

    @property
    def log(self) -> Path:
        return self.directory / "unbound.log"

    @property
    def zones(self) -> tuple[DnsZone, ...]:
        return self._layout.zones

    def diagnostics(self) -> str:
        """The tail of Unbound's log (with every reply: log-replies) and of its output."""
        return self.process.diagnostics()

    def replace_zones(
        self, zones: Sequence[DnsZone], *, servfail: Sequence[str] = (), timeout: Sequence[str] = ()
    ) -> None:
        """Serve these zones and failing names instead; returns when they answer.

        The new config is checked first (unbound-checkconf also parses the zone files), so a
        bad zone raises ValueError and the running server keeps the old world. Then Unbound
        reloads (SIGHUP, the same reload as `unbound-control reload`): same process, same
        port, caches emptied.
        """
        started = time.monotonic()
        layout = _layout(zones, servfail, timeout, self._layout.lie)
        self._generation += 1  # numbers are never reused, even after a failed reload
        generation = self._generation
        marker = f"{self._token}-{generation}"
        _write_config(self.directory, self.host, self.port, self._silent, layout, generation, marker)
        self.process.process.send_signal(signal.SIGHUP)
        try:
            _wait_for_marker(self.host, self.port, marker, self.process)
        except (RuntimeError, TimeoutError) as exc:
            raise RuntimeError(f"unbound did not reload: {exc}\n{self.diagnostics()}") from exc
        self._layout = layout
        _remove_old_zone_dirs(self.directory, generation)
        self.last_reload_seconds = time.monotonic() - started

    def stop(self) -> None:
        try:
            self.process.stop()
        finally:
            self._silent.close()

    def __enter__(self) -> DnsServer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


def _zone_dir(directory: Path, generation: int) -> Path:
    return directory / f"zones-{generation}"


def _remove_old_zone_dirs(directory: Path, generation: int) -> None:
    for old in directory.glob("zones-*"):
        if old != _zone_dir(directory, generation):
            shutil.rmtree(old, ignore_errors=True)


def _write_config(
    directory: Path,
    host: str,
    port: int,
    silent: _SilentSocket,
    layout: _Layout,
    generation: int,
    marker: str,
) -> None:
    """Write the zone files and unbound.conf for `generation`; ValueError if Unbound rejects them.

    `marker` is the readiness probe's answer: this instance and generation, nothing else.
    """
    zone_dir = _zone_dir(directory, generation)
    zone_dir.mkdir()
    local_zones: list[str] = []
    sections: list[str] = []
    for index, zone in enumerate(layout.zones):
        path = zone_dir / f"{index:03d}-{zone.name.rstrip('.') or 'root'}.zone"
        path.write_text(zone.text)
        local_zones.append(f"    local-zone: {_quoted(zone.name)} transparent")
        sections.append(
            f"auth-zone:\n    name: {_quoted(zone.name)}\n    zonefile: {_quoted(str(path))}\n"
            "    for-downstream: no\n    for-upstream: yes\n    fallback-enabled: no\n"
        )
    for name in layout.servfail:
        # never loaded, its primary silent: a zone that has expired, which answers SERVFAIL
        local_zones.append(f"    local-zone: {_quoted(name)} transparent")
        sections.append(
            f"auth-zone:\n    name: {_quoted(name)}\n    primary: {silent.address}\n"
            "    for-downstream: no\n    for-upstream: yes\n    fallback-enabled: no\n"
        )
    for name in layout.timeout:
        # the name's servers: the silent socket (a stub is closer than an enclosing zone)
        local_zones.append(f"    local-zone: {_quoted(name)} transparent")
        sections.append(f"stub-zone:\n    name: {_quoted(name)}\n    stub-addr: {silent.address}\n")
    # Unbound's own source ports: a block below Linux's ephemeral range (where the kernel and
    # free_ports() pick), one per listening port so that servers side by side rarely share one.
    first_source_port = 20000 + 256 * (port % 48)
    template = resources.files("maildoctor_lab").joinpath("templates/unbound.conf.tmpl").read_text()
    config = render_template(
        template,
        {
            "INTERFACE": f"{host}@{port}",
            "PORT": port,
            "DO_IP6": "yes" if ":" in host else "no",
            "DIR": directory,
            "SILENT": silent.address,
            "PORT_PERMIT": f"{first_source_port}-{first_source_port + 255}",
            "MARKER": marker,
            "ROOT_ZONE": _root_zone(layout.lie),
            "CERTAIN": _certain_data(layout),
            "LOCAL_ZONES": "\n".join(local_zones),
            "ZONES": "\n".join(sections),
        },
    )
    candidate = directory / f"unbound-{generation}.conf"
    candidate.write_text(config)
    check = subprocess.run(
        ["unbound-checkconf", str(candidate)], capture_output=True, text=True, timeout=30, check=False
    )
    if check.returncode != 0:
        candidate.unlink()
        shutil.rmtree(zone_dir, ignore_errors=True)
        raise ValueError(f"Unbound rejects the lab's DNS config:\n{check.stdout}{check.stderr}")
    candidate.replace(directory / "unbound.conf")


def _wait_for_marker(host: str, port: int, marker: str, process: ManagedProcess) -> float:
    """Wait until this Unbound answers with this config (another process on the port, or the
    config before a reload, answers with another marker); return the seconds it took."""
    started = time.monotonic()
    query = dns.message.make_query(_MARKER_NAME, dns.rdatatype.TXT)
    while True:
        if process.process.poll() is not None:
            raise RuntimeError(f"unbound exited with status {process.process.returncode}")
        with contextlib.suppress(dns.exception.DNSException, OSError):
            answer = dns.query.udp(query, host, port=port, timeout=0.02)
            if answer.rcode() == dns.rcode.NOERROR and any(
                rdata.to_text() == f'"{marker}"' for rrset in answer.answer for rdata in rrset
            ):
                return time.monotonic() - started
        if time.monotonic() - started > _READY_TIMEOUT:
            raise TimeoutError(f"unbound on {host}:{port} did not answer with config {marker}")
        time.sleep(0.002)


def start_dns(
    lab_dir: Path,
    zones: Sequence[DnsZone],
    *,
    servfail: Sequence[str] = (),
    timeout: Sequence[str] = (),
    host: str = LOOPBACK,
    port: int | None = None,
    lie: Lie | None = None,
) -> DnsServer:
    """Start Unbound serving `zones`, and wait until it answers.

    servfail: names (and everything below them) answered with SERVFAIL. timeout: names whose
    queries are never answered. host/port: where it listens, UDP and TCP (default 127.0.0.1
    and a free port; 127.0.0.53 and 53 inside a network namespace, for example).
    lie: a lying resolver instead ("nxdomain" or "one-address", see Lie), with no zones.
    Files go to a new directory under `lab_dir` (created if missing).
    Raises LabUnavailableError when Unbound is not installed, ValueError for a bad zone.
    """
    require_programs("unbound", "unbound-checkconf")
    layout = _layout(zones, servfail, timeout, lie)
    lab_dir.mkdir(parents=True, exist_ok=True)
    last_output = ""
    for _ in range(3):  # a free port can be taken between choosing and binding it
        directory = Path(tempfile.mkdtemp(prefix="unbound-", dir=lab_dir))
        directory.chmod(0o755)
        chosen = port if port is not None else _free_port(host)
        silent = _SilentSocket()
        token = secrets.token_hex(6)
        try:
            _write_config(directory, host, chosen, silent, layout, 0, f"{token}-0")
        except BaseException:
            silent.close()
            raise
        output = directory / "stdout.log"
        started = time.monotonic()
        popen = start_process("unbound", ["unbound", "-d", "-c", str(directory / "unbound.conf")], output)
        managed = ManagedProcess("unbound", popen, logs=(directory / "unbound.log", output))
        try:
            _wait_for_marker(host, chosen, f"{token}-0", managed)
        except (RuntimeError, TimeoutError) as exc:
            managed.stop()
            silent.close()
            last_output = managed.diagnostics()
            if port is None and "already in use" in last_output:
                continue
            raise RuntimeError(f"unbound did not start: {exc}\n{last_output}") from exc
        startup = time.monotonic() - started
        return DnsServer(directory, host, chosen, managed, startup, silent, layout, token)
    raise RuntimeError(f"unbound could not bind a free port:\n{last_output}")


@contextlib.contextmanager
def running_dns(
    lab_dir: Path,
    zones: Sequence[DnsZone],
    *,
    servfail: Sequence[str] = (),
    timeout: Sequence[str] = (),
    host: str = LOOPBACK,
    port: int | None = None,
    lie: Lie | None = None,
) -> Iterator[DnsServer]:
    """start_dns() as a context manager: the server stops when the block ends."""
    with start_dns(
        lab_dir, zones, servfail=servfail, timeout=timeout, host=host, port=port, lie=lie
    ) as server:
        yield server


@contextlib.contextmanager
def silent_resolver() -> Iterator[str]:
    """A DNS server that never answers (UDP and TCP on one 127.0.0.1 port), as --dns takes it: a
    machine without a working connection."""
    silent = _SilentSocket()
    try:
        yield f"{LOOPBACK}:{silent.port}"
    finally:
        silent.close()


__all__ = [
    "PORTAL_ADDRESS",
    "DnsServer",
    "DnsZone",
    "Lie",
    "running_dns",
    "silent_resolver",
    "start_dns",
    "zone_from_records",
]
