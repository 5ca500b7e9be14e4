"""Shared plumbing for the lab's servers: directories, ports, processes."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

LOOPBACK = "127.0.0.1"


class LabUnavailableError(RuntimeError):
    """A lab server cannot run on this machine (a package is missing, or we are not root)."""


def require_programs(*names: str) -> None:
    missing = [name for name in names if shutil.which(name) is None]
    if missing:
        raise LabUnavailableError(f"not installed: {', '.join(missing)} (run the README's test command)")


def require_root(what: str) -> None:
    if os.geteuid() != 0:
        raise LabUnavailableError(f"{what} needs root")


def make_lab_dir(prefix: str = "maildoctor-lab-") -> Path:
    """A fresh directory that the servers' own users (dovecot, postfix, nobody) can traverse.

    Not pytest's tmp_path: its per-user root is mode 0700, which locks those users out.
    """
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    path.chmod(0o755)
    return path


def free_ports(count: int, host: str = LOOPBACK) -> list[int]:
    """Ports that were free a moment ago; callers retry on a lost race (EADDRINUSE)."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((host, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def free_udp_and_tcp_port(host: str = LOOPBACK) -> int:
    """A port number free for both UDP and TCP (a DNS server listens on both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind((host, 0))
            port: int = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind((host, port))
                except OSError:
                    continue
                return port
    raise OSError("no port free for both UDP and TCP")


def wait_for_port(
    host: str, port: int, timeout: float = 10.0, process: subprocess.Popen[bytes] | None = None
) -> float:
    """Wait until something accepts TCP connections on host:port; return the seconds it took."""
    started = time.monotonic()
    while True:
        try:
            socket.create_connection((host, port), timeout=0.2).close()
            return time.monotonic() - started
        except OSError:
            if process is not None and process.poll() is not None:
                raise RuntimeError(
                    f"server exited with status {process.returncode} before {host}:{port} opened"
                ) from None
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"nothing listens on {host}:{port} after {timeout} s") from None
            time.sleep(0.01)


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"({path} not written)"


@dataclass
class ManagedProcess:
    """A server process started by the lab, with the logs to show when something goes wrong."""

    name: str
    process: subprocess.Popen[bytes]
    logs: Sequence[Path] = ()
    stop_command: Sequence[str] | None = None
    stop_env: Mapping[str, str] | None = None
    stopped: bool = field(default=False, init=False)

    def diagnostics(self) -> str:
        return "\n".join(f"--- {log} ---\n{tail(log)}" for log in self.logs)

    def stop(self, timeout: float = 10.0) -> None:
        if self.stopped:
            return
        self.stopped = True
        if self.stop_command is not None:
            subprocess.run(self.stop_command, env=self.stop_env, capture_output=True, timeout=30, check=False)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_process(
    name: str,
    argv: Sequence[str],
    log_path: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.Popen[bytes]:
    with log_path.open("wb") as log:
        return subprocess.Popen(
            list(argv),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(env) if env is not None else None,
            cwd=cwd,
        )


def render_template(text: str, values: Mapping[str, str | int | Path]) -> str:
    """Fill @NAME@ placeholders.

    Plain replacement on purpose: Dovecot configs use % and Postfix configs use $, so neither
    string.Template nor %-formatting can be used on them. An unfilled placeholder is an error.
    """
    for key, value in values.items():
        text = text.replace(f"@{key}@", str(value))
    if "@" in text:
        import re

        leftover = set(re.findall(r"@([A-Z][A-Z0-9_]*)@", text))
        if leftover:
            raise KeyError(f"template placeholders not filled: {sorted(leftover)}")
    return text


@contextlib.contextmanager
def lab_dir(prefix: str = "maildoctor-lab-", keep: bool = False) -> Iterator[Path]:
    path = make_lab_dir(prefix)
    try:
        yield path
    finally:
        if not keep:
            shutil.rmtree(path, ignore_errors=True)


def make_world_readable(root: Path) -> None:
    """Test-only keys and configs must be readable by the servers' unprivileged users."""
    for dirpath, dirnames, filenames in os.walk(root):
        Path(dirpath).chmod(0o755)
        for name in filenames:
            (Path(dirpath) / name).chmod(0o644)
        del dirnames
