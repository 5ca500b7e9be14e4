"""Firewalls in a network namespace: a silently dropped port next to a refused one.

A diagnosis must tell a port whose packets vanish (connect times out: PORT_BLOCKED) from one that
answers with a reset (connection refused: PORT_CLOSED). Loopback on the host cannot show that without
touching the host's firewall, so the lab runs the servers *and* the probe in a fresh namespace:

    run_in_netns([sys.executable, "-m", "some.module"], [FirewallRule(10587, "drop")], timeout=30)

starts `unshare --net --pid --fork --mount-proc --kill-child` with this module as the bootstrap
(`python -m maildoctor_lab.netns --rules JSON -- CMD...`). The bootstrap brings `lo` up (all of
127.0.0.0/8 and ::1 are on it then), loads the rules with `nft -f -` into an input chain, and runs
CMD, which may replace the rules later with apply_firewall (after starting its servers, say).

The namespaces are anonymous: the network one disappears with its last process, and because the
bootstrap is PID 1 of its own PID namespace, every process CMD left behind is killed when CMD ends
(and when the caller times out, `--kill-child` takes the whole tree down). Nothing on the host
changes.

Needs root (or unprivileged user namespaces, tried with --map-root-user) and the Debian packages
util-linux (unshare), iproute2 (ip) and nftables (nft).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import ipaddress
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from maildoctor_lab.common import LabUnavailableError, require_programs

Action = Literal["drop", "reject"]
Protocol = Literal["tcp", "udp"]

TABLE_NAME = "maildoctor_lab"
# Exit status of the bootstrap when the namespace could not be set up (not the command's own).
BOOTSTRAP_FAILED = 121
_BOOTSTRAP_MARK = "maildoctor_lab.netns bootstrap failed:"
_SBIN_DIRS = ("/usr/sbin", "/sbin", "/usr/bin", "/bin")
# Set by the bootstrap for the command it runs: the inode of the namespace it made.
NETNS_ID_VARIABLE = "MAILDOCTOR_LAB_NETNS_ID"


@dataclass(frozen=True, slots=True)
class FirewallRule:
    """One port the namespace's firewall drops (no answer at all) or rejects (TCP reset / ICMP).

    host limits the rule to one destination address or network (an IP literal, "127.0.0.2",
    "::1", "127.0.0.0/8"); None means every destination.
    """

    port: int
    action: Action
    host: str | None = None
    protocol: Protocol = "tcp"

    def __post_init__(self) -> None:
        if isinstance(self.port, bool) or not isinstance(self.port, int) or not 1 <= self.port <= 65535:
            raise ValueError(f"port must be an integer in 1..65535, not {self.port!r}")
        if self.action not in ("drop", "reject"):
            raise ValueError(f"action must be 'drop' or 'reject', not {self.action!r}")
        if self.protocol not in ("tcp", "udp"):
            raise ValueError(f"protocol must be 'tcp' or 'udp', not {self.protocol!r}")
        if self.host is not None:
            _network(self.host)

    def nft_statement(self) -> str:
        """The rule as one nft statement for an inet-family chain."""
        parts: list[str] = []
        if self.host is not None:
            network = _network(self.host)
            family = "ip" if network.version == 4 else "ip6"
            target = (
                str(network.network_address) if network.prefixlen == network.max_prefixlen else str(network)
            )
            parts.append(f"{family} daddr {target}")
        parts.append(f"{self.protocol} dport {self.port}")
        if self.protocol == "tcp":
            # Connection attempts only (SYN without ACK): never a reply that happens to be sent to a
            # client socket with this port number.
            parts.append("tcp flags syn / syn,ack")
        if self.action == "drop":
            parts.append("drop")
        elif self.protocol == "tcp":
            parts.append("reject with tcp reset")
        else:
            # inet family: ICMP or ICMPv6 port unreachable, whichever fits the packet.
            parts.append("reject with icmpx type port-unreachable")
        return " ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FirewallRule:
        unknown = set(data) - {"port", "action", "host", "protocol"}
        if unknown:
            raise ValueError(f"unknown firewall rule fields: {sorted(unknown)}")
        return cls(
            port=data["port"],
            action=data["action"],
            host=data.get("host"),
            protocol=data.get("protocol", "tcp"),
        )


def _network(host: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(host, strict=False)
    except ValueError:
        raise ValueError(f"host must be an IP address or network, not {host!r}") from None


def nft_ruleset(rules: Sequence[FirewallRule]) -> str:
    """The nft script (for `nft -f -`) that applies the rules to what arrives in the namespace.

    Only a table of our own is defined: the script never flushes or touches other tables, so it is
    harmless even if it were loaded outside a namespace by mistake.

    The rules sit on the input hook, as a firewall on the way would: the client's packet leaves
    normally and then vanishes (drop: the connect or the UDP answer times out) or is answered with
    a TCP reset or ICMP port unreachable (reject: refused at once). On the output hook the kernel
    would tell the sender instead (EPERM on a UDP send), which no real network does. A UDP rule
    also matches an answer sent to a client socket that uses the blocked number as its own port;
    Linux never gives a client a port some socket is bound to, so keep the blocked port bound.
    """
    lines = [
        f"table inet {TABLE_NAME} {{",
        "\tchain input {",
        "\t\ttype filter hook input priority filter; policy accept;",
        *(f"\t\t{rule.nft_statement()}" for rule in rules),
        "\t}",
        "}",
    ]
    return "\n".join(lines) + "\n"


def rules_to_json(rules: Sequence[FirewallRule]) -> str:
    return json.dumps([rule.to_json() for rule in rules], separators=(",", ":"))


def rules_from_json(text: str) -> list[FirewallRule]:
    data = json.loads(text)
    if not isinstance(data, list):
        raise TypeError("the rules must be a JSON list of objects")
    return [FirewallRule.from_json(cast("Mapping[str, Any]", item)) for item in data]


def _unshare_argv() -> list[str]:
    argv = ["unshare", "--net", "--pid", "--fork", "--mount-proc", "--kill-child"]
    if os.geteuid() != 0:
        # Unprivileged user namespaces: root inside may configure its own network namespace.
        argv.append("--map-root-user")
    return argv


def netns_argv(argv: Sequence[str], rules: Sequence[FirewallRule]) -> list[str]:
    """The command line that runs argv in a fresh namespace with the rules applied."""
    if not argv:
        raise ValueError("no command to run in the namespace")
    return [
        *_unshare_argv(),
        "--",
        sys.executable,
        "-m",
        "maildoctor_lab.netns",
        "--rules",
        rules_to_json(rules),
        "--",
        *argv,
    ]


def run_in_netns(
    argv: Sequence[str],
    rules: Sequence[FirewallRule],
    timeout: float,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | str | None = None,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run argv in a fresh network (and PID) namespace behind the rules; capture its output as text.

    env: variables added to (or overriding) this process's environment for the command.
    The exit status is the command's own; the namespace and every process in it are gone when this
    returns. Raises subprocess.TimeoutExpired after timeout seconds (the whole tree is killed), and
    LabUnavailableError when the namespace could not be set up (nft refused the rules, say).
    """
    require_programs("unshare")
    completed = subprocess.run(
        netns_argv(argv, rules),
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_with_sbin({**os.environ, **(env or {})}),
        cwd=cwd,
        check=False,
    )
    if completed.returncode == BOOTSTRAP_FAILED and _BOOTSTRAP_MARK in completed.stderr:
        raise LabUnavailableError(completed.stderr.strip())
    if completed.returncode != 0 and completed.stderr.startswith("unshare: "):
        first = completed.stderr.splitlines()[0]
        raise LabUnavailableError(f"cannot create a network namespace: {first}")
    return completed


def in_lab_netns() -> bool:
    """Is this process inside a namespace that run_in_netns made (not on the host)?"""
    marker = os.environ.get(NETNS_ID_VARIABLE)
    return marker is not None and marker == _netns_id()


def apply_firewall(rules: Sequence[FirewallRule]) -> None:
    """Replace the lab's firewall rules in the current namespace, which must be one of ours.

    For code run by run_in_netns that starts its servers first and blocks their ports afterwards.
    Refuses to run anywhere else: the host's firewall is never touched.
    """
    if not in_lab_netns():
        raise RuntimeError("apply_firewall only runs inside a namespace made by run_in_netns")
    problem = _load_rules(rules)
    if problem is not None:
        raise LabUnavailableError(problem)


def _with_sbin(env: Mapping[str, str]) -> dict[str, str]:
    """ip and nft live in /usr/sbin, which a non-login PATH may lack."""
    result = dict(env)
    path = result.get("PATH", "")
    parts = path.split(os.pathsep) if path else []
    result["PATH"] = os.pathsep.join([*parts, *(d for d in _SBIN_DIRS if d not in parts)])
    return result


@functools.cache
def netns_unavailable_reason() -> str | None:
    """Why run_in_netns cannot work here, or None when it can (checked once by really doing it)."""
    missing = [name for name in ("unshare", "ip", "nft") if _which(name) is None]
    if missing:
        return f"not installed: {', '.join(missing)} (apt-get install util-linux iproute2 nftables)"
    try:
        completed = run_in_netns(
            [sys.executable, "-c", "pass"],
            [FirewallRule(9, "drop"), FirewallRule(9, "reject", protocol="udp")],
            timeout=20,
        )
    except LabUnavailableError as error:
        return str(error)
    except (OSError, subprocess.SubprocessError) as error:
        return f"cannot run unshare: {error}"
    if completed.returncode != 0:
        detail = completed.stderr.strip() or f"exit status {completed.returncode}"
        return f"a command in a network namespace failed: {detail}"
    return None


def netns_available() -> bool:
    """Can this machine run code in a network namespace of its own, with nft rules? (cached)"""
    return netns_unavailable_reason() is None


def require_netns() -> None:
    reason = netns_unavailable_reason()
    if reason is not None:
        raise LabUnavailableError(reason)


# ---- the bootstrap, run inside the namespace -------------------------------------------------


def _which(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path=os.pathsep.join(_SBIN_DIRS))


def _fail(message: str) -> int:
    print(f"{_BOOTSTRAP_MARK} {message}", file=sys.stderr, flush=True)
    return BOOTSTRAP_FAILED


def _netns_id() -> str | None:
    try:
        return str(Path("/proc/self/ns/net").stat().st_ino)
    except OSError:
        return None


def _run_tool(command: Sequence[str], stdin: str | None = None) -> str | None:
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError) as error:
        return f"{' '.join(command)}: {error}"
    if done.returncode != 0:
        return f"{' '.join(command)} exited with {done.returncode}: {done.stderr.strip()}"
    return None


def _load_rules(rules: Sequence[FirewallRule]) -> str | None:
    """Load the rules with nft, replacing our table if it is there; return what went wrong."""
    nft = _which("nft")
    if nft is None:
        return "nft is not installed (apt-get install nftables)"
    # "table ... {}" then "delete table": creates it if missing, so the delete always succeeds;
    # nft applies the whole script atomically.
    script = f"table inet {TABLE_NAME} {{}}\ndelete table inet {TABLE_NAME}\n{nft_ruleset(rules)}"
    return _run_tool([nft, "-f", "-"], script)


def _setup(rules: Sequence[FirewallRule]) -> str | None:
    """Bring lo up and load the rules; return what went wrong, if anything."""
    ip = _which("ip")
    if ip is None:
        return "ip is not installed (apt-get install iproute2)"
    return _run_tool([ip, "link", "set", "lo", "up"]) or _load_rules(rules)


def _run_as_init(argv: Sequence[str]) -> int:
    """Run argv as the only child of PID 1: pass signals on, reap orphans, return its status.

    When PID 1 exits, the kernel kills whatever is left in the PID namespace.
    """
    try:
        child = os.posix_spawnp(argv[0], list(argv), os.environ)
    except OSError as error:
        print(f"{argv[0]}: {error}", file=sys.stderr, flush=True)
        return 127

    def forward(signum: int, frame: object) -> None:
        del frame
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signum)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, forward)
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:  # pragma: no cover - the child is always ours to wait for
            return 127
        if pid == child:
            code = os.waitstatus_to_exitcode(status)
            return code if code >= 0 else 128 - code


def main(args: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m maildoctor_lab.netns",
        description="Inside a fresh network namespace: bring lo up, load firewall rules, run a command.",
    )
    parser.add_argument("--rules", default="[]", help='JSON list, e.g. [{"port": 10587, "action": "drop"}]')
    parser.add_argument("--print-ruleset", action="store_true", help="print the nft script and exit")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- CMD ARGS...")
    options = parser.parse_args(args)
    try:
        rules = rules_from_json(options.rules)
    except (ValueError, KeyError, TypeError) as error:
        return _fail(f"bad --rules: {error}")
    if options.print_ruleset:
        print(nft_ruleset(rules), end="")
        return 0
    command = list(options.command)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        return _fail("no command given after --")
    problem = _setup(rules)
    if problem is not None:
        return _fail(problem)
    netns_id = _netns_id()
    if netns_id is not None:
        os.environ[NETNS_ID_VARIABLE] = netns_id
    sys.stdout.flush()
    if os.getpid() == 1:
        return _run_as_init(command)
    try:  # not PID 1 (run without a PID namespace): become the command
        os.execvp(command[0], command)  # noqa: S606 - argv given by our caller, no shell
    except OSError as error:
        print(f"{command[0]}: {error}", file=sys.stderr, flush=True)
        return 127


if __name__ == "__main__":
    sys.exit(main())
