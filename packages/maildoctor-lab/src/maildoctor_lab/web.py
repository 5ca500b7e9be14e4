"""`maildoctor web` started for a test or a benchmark: on a free loopback port, until the block
ends; the line it printed (the URL) and the URL itself, once it answers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from maildoctor_lab.common import free_ports


@dataclass(frozen=True)
class WebServer:
    url: str  # http://127.0.0.1:PORT, no trailing slash
    announcement: str  # the first line the command printed


@contextmanager
def running_web(
    *options: str, env: Mapping[str, str] | None = None, timeout: float = 30.0
) -> Iterator[WebServer]:
    """`maildoctor web --port P OPTIONS…` in a process of its own; stopped when the block ends."""
    port = free_ports(1)[0]
    process = subprocess.Popen(
        [sys.executable, "-m", "maildoctor", "web", "--port", str(port), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )
    try:
        assert process.stdout is not None
        announcement = process.stdout.readline()
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(url + "/static/style.css", timeout=2).close()  # noqa: S310 -- loopback
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.05)
        yield WebServer(url, announcement)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


__all__ = ["WebServer", "running_web"]
