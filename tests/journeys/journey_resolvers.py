"""The two broken networks every DNS journey is run on, both real endpoints on 127.0.0.1.

* lying: Debian's Unbound with ``local-zone: "." always_nxdomain`` — a captive portal, a
  filtering router or a broken home router: every name, gmail.com and the root included,
  "does not exist" (a real resolver's NXDOMAIN answers, RA set, over UDP and TCP).
* dead: a UDP and a TCP socket bound to one port that never read or answer — no DNS at all.

Unbound is started from our own small config (not the lab's, which refuses every name outside
its zones instead of lying about it); the lab's plumbing starts and stops the process.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import dns.exception
import dns.message
import dns.query
import dns.rcode

from maildoctor_lab.common import (
    LOOPBACK,
    ManagedProcess,
    free_udp_and_tcp_port,
    require_programs,
    start_process,
)

_LYING_CONFIG: Final = """\
server:
    verbosity: 0
    num-threads: 1
    interface: {host}@{port}
    port: {port}
    so-reuseport: no
    do-ip4: yes
    do-ip6: no
    do-udp: yes
    do-tcp: yes
    access-control: 127.0.0.0/8 allow
    chroot: ""
    username: ""
    directory: "{directory}"
    pidfile: "{directory}/unbound.pid"
    use-syslog: no
    logfile: "{directory}/unbound.log"
    module-config: "iterator"
    # the lie: every name, the root and the TLDs included, does not exist
    local-zone: "." always_nxdomain
remote-control:
    control-enable: no
"""


def _answers_nxdomain(port: int) -> bool:
    query = dns.message.make_query("gmail.com.", "MX")
    with contextlib.suppress(dns.exception.DNSException, OSError):
        answer = dns.query.udp(query, LOOPBACK, port=port, timeout=0.2)
        return answer.rcode() == dns.rcode.NXDOMAIN
    return False


@contextlib.contextmanager
def lying_resolver(directory: Path) -> Iterator[str]:
    """Unbound answering NXDOMAIN for every name; yields its --dns value (127.0.0.1:PORT).

    Raises LabUnavailableError when Unbound is not installed.
    """
    require_programs("unbound", "unbound-checkconf")
    directory.mkdir(parents=True, exist_ok=True)
    port = free_udp_and_tcp_port()
    config = directory / "unbound.conf"
    config.write_text(_LYING_CONFIG.format(host=LOOPBACK, port=port, directory=directory))
    subprocess.run(["unbound-checkconf", str(config)], check=True, capture_output=True, timeout=30)
    popen = start_process("unbound", ["unbound", "-d", "-c", str(config)], directory / "stdout.log")
    process = ManagedProcess("unbound", popen, logs=(directory / "unbound.log", directory / "stdout.log"))
    try:
        started = time.monotonic()
        while not _answers_nxdomain(port):
            if popen.poll() is not None or time.monotonic() - started > 10:
                raise RuntimeError(f"the lying Unbound did not start:\n{process.diagnostics()}")
            time.sleep(0.02)
        yield f"{LOOPBACK}:{port}"
    finally:
        process.stop()


@contextlib.contextmanager
def dead_resolver() -> Iterator[str]:
    """A port where UDP datagrams are never read and TCP connections never answered."""
    for _ in range(50):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind((LOOPBACK, 0))
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            tcp.bind((LOOPBACK, udp.getsockname()[1]))
        except OSError:
            udp.close()
            tcp.close()
            continue
        break
    else:
        raise OSError("no port free for both UDP and TCP")
    tcp.listen(64)
    try:
        yield f"{LOOPBACK}:{udp.getsockname()[1]}"
    finally:
        udp.close()
        tcp.close()
