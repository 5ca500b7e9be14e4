"""Benchmark of `check` when the DNS cannot be used: wall time from process start to exit of
`maildoctor check taro@gmail.com --no-auth --json`, with a resolver that never answers (the machine is
offline: target ≤ 3 s with default settings) and with lying resolvers (every name NXDOMAIN, every name
one address). Real processes and the lab's servers on 127.0.0.1 only; needs Unbound.

    python3 -m uv run python bench/resolver_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from maildoctor_lab.dns import running_dns, silent_resolver

ADDRESS = "taro@gmail.com"


@contextlib.contextmanager
def resolvers(lab: Path) -> Iterator[dict[str, str | None]]:
    with (
        silent_resolver() as silent,
        running_dns(lab / "nxdomain", [], lie="nxdomain") as denying,
        running_dns(lab / "portal", [], lie="one-address") as portal,
    ):
        yield {"offline": silent, "nxdomain": denying.nameserver, "one-address": portal.nameserver}


def run_once(dns: str | None, home: Path) -> tuple[float, int, list[str]]:
    """Wall seconds, the report's own elapsed_ms and its causes; without `dns`, only the start-up
    (Python and the imports `check` needs), for comparison."""
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / "cache")}
    command = (
        ["-m", "maildoctor", "check", ADDRESS, "--no-auth", "--json", "--dns", dns]
        if dns is not None
        else ["-c", "import maildoctor.cli.app, maildoctor.cli.check_command, maildoctor.diagnose"]
    )
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, *command],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    elapsed = time.monotonic() - started
    if dns is None:
        return elapsed, 0, []
    report = json.loads(completed.stdout)
    return elapsed, int(report["elapsed_ms"]), [item["cause"] for item in report["findings"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"maildoctor check {ADDRESS} with an unusable DNS, {args.runs} runs each (median; min-max)")
    with (
        tempfile.TemporaryDirectory(prefix="md-resolver-bench-") as directory,
        resolvers(Path(directory)) as by_kind,
    ):
        for kind, dns in {"start-up": None, **by_kind}.items():
            results = [run_once(dns, Path(directory)) for _ in range(args.runs)]
            times = [elapsed for elapsed, _, _ in results]
            inside = statistics.median(ms for _, ms, _ in results)
            print(
                f"{kind:12} {statistics.median(times):5.2f} s ({min(times):.2f}-{max(times):.2f} s)"
                + (f", diagnosis {inside:.0f} ms, causes: {results[0][2]}" if dns is not None else "")
            )


if __name__ == "__main__":
    main()
