"""Benchmark of `settings` on the lab: the time to settings for a domain no source knows (so every
usual host name and port is guessed and probed), with the submission port silently dropped, next
to the number of probes. Needs root (real servers in a network namespace of their own).

    python3 -m uv run python bench/settings_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from maildoctor.discover.engine import GUESS_CONNECT_TIMEOUT
from maildoctor_lab.scenario import load_scenario, run_scenario

HERE = Path(__file__).parent


def measure(world: str, runs: int) -> list[dict[str, object]]:
    scenario = load_scenario(HERE / "worlds" / f"{world}.toml")
    once = f"{sys.executable} {HERE / 'settings_once.py'} {scenario.account.address} {{dns}} {{ca_file}}"
    completed = run_scenario(scenario, ["sh", "-c", "; ".join([once] * runs)], namespace=True, timeout=300)
    if completed.returncode != 0:
        raise SystemExit(f"{world}: exit {completed.returncode}\n{completed.stderr[-3000:]}")
    return [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"maildoctor settings benchmark, {args.runs} runs (median; min-max)")
    results = measure("guess-dropped", args.runs)
    times = [int(str(result["elapsed_ms"])) for result in results]
    print(
        f"\nguessing, submission port dropped: {statistics.median(times):.0f} ms "
        f"({min(times)}-{max(times)} ms); probes: {results[0]['probes']}; "
        f"connect timeout for a guess: {GUESS_CONNECT_TIMEOUT} s"
    )
    for line in results[0]["found"]:  # type: ignore[attr-defined]
        print(f"  found: {line}")


if __name__ == "__main__":
    main()
