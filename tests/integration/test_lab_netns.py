"""Firewalls in a network namespace: dropped ports time out, rejected ones are refused at once.

Each test runs a small Python script inside a fresh namespace (listeners and the probe both in
there) and reads its findings as JSON from stdout. The host's loopback and firewall never change.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from maildoctor_lab.common import LOOPBACK, free_ports
from maildoctor_lab.netns import (
    NETNS_ID_VARIABLE,
    TABLE_NAME,
    FirewallRule,
    apply_firewall,
    in_lab_netns,
    netns_unavailable_reason,
    nft_ruleset,
    run_in_netns,
)

pytestmark = [pytest.mark.lab, pytest.mark.netns]

CONNECT_TIMEOUT = 1.0

# Listens on every (host, port, protocol) of argv[1]["listen"], then probes argv[1]["probe"] all at once.
PROBE = textwrap.dedent(
    """
    import concurrent.futures, json, os, socket, sys, threading, time

    spec = json.loads(sys.argv[1])
    timeout = spec["timeout"]
    family = lambda host: socket.AF_INET6 if ":" in host else socket.AF_INET
    kept = []

    def udp_echo(sock):
        while True:
            data, peer = sock.recvfrom(512)
            sock.sendto(data, peer)

    for host, port, protocol in spec["listen"]:
        kind = socket.SOCK_STREAM if protocol == "tcp" else socket.SOCK_DGRAM
        sock = socket.socket(family(host), kind)
        sock.bind((host, port))
        if protocol == "tcp":
            sock.listen(16)
        else:
            threading.Thread(target=udp_echo, args=(sock,), daemon=True).start()
        kept.append(sock)

    def probe(target):
        host, port, protocol = target
        started = time.monotonic()
        try:
            if protocol == "tcp":
                socket.create_connection((host, port), timeout=timeout).close()
                result = "connected"
            else:
                with socket.socket(family(host), socket.SOCK_DGRAM) as sock:
                    sock.settimeout(timeout)
                    sock.connect((host, port))
                    sock.send(b"ping")
                    result = "echoed" if sock.recv(512) == b"ping" else "garbled"
        except TimeoutError:
            result = "timeout"
        except ConnectionRefusedError:
            result = "refused"
        except OSError as error:
            result = f"error: {error!r}"
        return {"host": host, "port": port, "protocol": protocol, "result": result,
                "seconds": time.monotonic() - started}

    with concurrent.futures.ThreadPoolExecutor(len(spec["probe"])) as pool:
        results = list(pool.map(probe, spec["probe"]))
    print(json.dumps({"results": results, "netns": os.readlink("/proc/self/ns/net")}))
    """
)


@pytest.fixture(autouse=True, scope="module")
def _namespaces_available() -> None:
    reason = netns_unavailable_reason()
    if reason is None:
        return
    if os.environ.get("MAILDOCTOR_LAB_REQUIRED") == "1":
        pytest.fail(f"lab required but network namespaces are unavailable: {reason}")
    pytest.skip(f"network namespaces unavailable: {reason}")


def probe_in_netns(
    rules: Sequence[FirewallRule],
    listen: Sequence[tuple[str, int, str]],
    probe: Sequence[tuple[str, int, str]],
) -> dict[str, Any]:
    spec = {"listen": listen, "probe": probe, "timeout": CONNECT_TIMEOUT}
    done = run_in_netns([sys.executable, "-c", PROBE, json.dumps(spec)], rules, timeout=60)
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def by_target(report: dict[str, Any]) -> dict[tuple[str, int, str], dict[str, Any]]:
    return {(item["host"], item["port"], item["protocol"]): item for item in report["results"]}


def host_nft_tables() -> str:
    done = subprocess.run(["nft", "list", "tables"], capture_output=True, text=True, timeout=30, check=False)
    return done.stdout


def netns_holders(netns: str) -> list[str]:
    """PIDs on this machine whose network namespace is netns (e.g. "net:[4026532301]")."""
    holders = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if str((entry / "ns" / "net").readlink()) == netns:
                    holders.append(entry.name)
            except OSError:
                continue
    return holders


def processes_with(marker: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(entry.name)
            except OSError:
                continue
    return found


@pytest.fixture
def host_listener() -> Iterator[socket.socket]:
    """A listener on the host's loopback; the namespace uses the same port number."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((LOOPBACK, 0))
    sock.listen(16)
    yield sock
    sock.close()


def test_drop_times_out_reject_refuses_open_connects(host_listener: socket.socket) -> None:
    dropped = host_listener.getsockname()[1]  # the same number is busy on the host, free in the namespace
    rejected, open_port = free_ports(2)
    rules = [FirewallRule(dropped, "drop"), FirewallRule(rejected, "reject")]
    listen = [(LOOPBACK, port, "tcp") for port in (dropped, rejected, open_port)]
    tables_before = host_nft_tables()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        running = pool.submit(probe_in_netns, rules, listen, listen)
        time.sleep(0.5)  # the namespace is up and its probe for the dropped port is waiting
        assert not running.done()
        socket.create_connection((LOOPBACK, dropped), timeout=CONNECT_TIMEOUT).close()  # host unaffected
        report = running.result()

    results = by_target(report)
    drop, reject, opened = (results[(LOOPBACK, port, "tcp")] for port in (dropped, rejected, open_port))
    print(
        f"\ndrop: {drop['result']} after {drop['seconds']:.3f} s; reject: {reject['result']} after "
        f"{reject['seconds'] * 1000:.2f} ms; open: {opened['result']} after {opened['seconds'] * 1000:.2f} ms"
    )
    assert drop["result"] == "timeout"
    assert CONNECT_TIMEOUT * 0.95 <= drop["seconds"] < CONNECT_TIMEOUT + 0.5
    assert reject["result"] == "refused"
    assert reject["seconds"] < 0.1
    assert opened["result"] == "connected"

    socket.create_connection((LOOPBACK, dropped), timeout=CONNECT_TIMEOUT).close()
    assert host_nft_tables() == tables_before
    assert TABLE_NAME not in tables_before
    assert netns_holders(report["netns"]) == []  # the namespace went away with its processes
    assert report["netns"] != str(Path("/proc/self/ns/net").readlink())


def test_rules_for_one_address_ipv6_and_udp() -> None:
    tcp_port, udp_rejected, udp_dropped, udp_open = free_ports(4)
    rules = [
        FirewallRule(tcp_port, "drop", host="127.0.0.2"),
        FirewallRule(tcp_port, "reject", host="::1"),
        FirewallRule(udp_rejected, "reject", protocol="udp"),
        FirewallRule(udp_dropped, "drop", protocol="udp"),
    ]
    listen = [
        ("0.0.0.0", tcp_port, "tcp"),  # noqa: S104 - all of 127/8, inside the namespace
        ("::1", tcp_port, "tcp"),
        *((LOOPBACK, port, "udp") for port in (udp_rejected, udp_dropped, udp_open)),
    ]
    probe = [
        (LOOPBACK, tcp_port, "tcp"),
        ("127.0.0.2", tcp_port, "tcp"),
        ("::1", tcp_port, "tcp"),
        *((LOOPBACK, port, "udp") for port in (udp_rejected, udp_dropped, udp_open)),
    ]
    results = {
        target: item["result"] for target, item in by_target(probe_in_netns(rules, listen, probe)).items()
    }
    assert results == {
        (LOOPBACK, tcp_port, "tcp"): "connected",
        ("127.0.0.2", tcp_port, "tcp"): "timeout",
        ("::1", tcp_port, "tcp"): "refused",
        (LOOPBACK, udp_rejected, "udp"): "refused",
        (LOOPBACK, udp_dropped, "udp"): "timeout",
        (LOOPBACK, udp_open, "udp"): "echoed",
    }


def test_status_input_and_environment_pass_through() -> None:
    script = "import os, sys; print(sys.stdin.read().strip(), os.environ['LAB_WORD']); sys.exit(3)"
    done = run_in_netns(
        [sys.executable, "-c", script], [], timeout=30, input="hello\n", env={"LAB_WORD": "world"}
    )
    assert done.returncode == 3
    assert done.stdout == "hello world\n"
    assert done.stderr == ""


def test_a_missing_command_is_status_127() -> None:
    done = run_in_netns(["/nonexistent/maildoctor-lab-command"], [], timeout=30)
    assert done.returncode == 127
    assert "maildoctor-lab-command" in done.stderr


def test_apply_firewall_inside_replaces_the_rules() -> None:
    """Code started in the namespace can start its servers first and block their ports afterwards."""
    script = textwrap.dedent(
        """
        import subprocess
        from maildoctor_lab.netns import FirewallRule, apply_firewall, in_lab_netns
        assert in_lab_netns()
        apply_firewall([FirewallRule(2525, "reject"), FirewallRule(2526, "drop")])
        apply_firewall([FirewallRule(2527, "drop")])  # replaces, does not add
        print(subprocess.run(["nft", "list", "ruleset"], capture_output=True, text=True, check=True).stdout)
        """
    )
    done = run_in_netns([sys.executable, "-c", script], [FirewallRule(2524, "drop")], timeout=30)
    assert done.returncode == 0, done.stderr
    assert "tcp dport 2527 tcp flags syn / syn,ack drop" in done.stdout
    assert "2524" not in done.stdout
    assert "2525" not in done.stdout
    assert done.stdout.count("table inet") == 1


def test_apply_firewall_refuses_the_host() -> None:
    tables_before = host_nft_tables()
    assert not in_lab_netns()
    os.environ[NETNS_ID_VARIABLE] = "4026531840"  # a stale or forged marker does not help
    try:
        with pytest.raises(RuntimeError, match="inside a namespace"):
            apply_firewall([FirewallRule(25, "drop")])
    finally:
        del os.environ[NETNS_ID_VARIABLE]
    assert host_nft_tables() == tables_before


def test_every_rule_kind_loads_into_nft() -> None:
    rules = [
        FirewallRule(1, "drop"),
        FirewallRule(2, "reject"),
        FirewallRule(3, "drop", host="127.0.0.2"),
        FirewallRule(4, "reject", host="::1"),
        FirewallRule(5, "drop", host="127.0.0.0/8", protocol="udp"),
        FirewallRule(6, "reject", host="::1/128", protocol="udp"),
    ]
    done = run_in_netns(["nft", "list", "ruleset"], rules, timeout=30)
    assert done.returncode == 0, done.stderr
    listed = [line.strip() for line in done.stdout.splitlines() if "dport" in line]
    expected = [line.strip() for line in nft_ruleset(rules).splitlines() if "dport" in line]
    # nft prints the UDP reject in its short form
    assert listed == [line.replace(" with icmpx type port-unreachable", "") for line in expected]


def test_leftover_processes_die_with_the_namespace() -> None:
    marker = f"maildoctor-lab-{uuid.uuid4().hex}"
    script = textwrap.dedent(
        f"""
        import os, subprocess, sys
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "{marker}"],
                         start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(os.readlink("/proc/self/ns/net"))
        """
    )
    started = time.monotonic()
    done = run_in_netns([sys.executable, "-c", script], [], timeout=30)
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 10
    assert processes_with(marker) == []
    assert netns_holders(done.stdout.strip()) == []


def test_timeout_kills_the_whole_namespace() -> None:
    marker = f"maildoctor-lab-{uuid.uuid4().hex}"
    script = f"import time; time.sleep(60)  # {marker}"
    with pytest.raises(subprocess.TimeoutExpired):
        run_in_netns([sys.executable, "-c", script], [], timeout=1.5)
    deadline = time.monotonic() + 5
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_with(marker) == []
