"""Benchmark of `check` on the lab: wall time of a full diagnosis with login, and the same with the
submission port silently dropped; with the sequential round trips the engine waited on next to the
fewest the protocols need. Needs root (real servers in a network namespace of their own).

    python3 -m uv run python bench/check_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from maildoctor_lab.scenario import load_scenario, run_scenario

HERE = Path(__file__).parent


def measure(world: str, runs: int) -> list[dict[str, object]]:
    scenario = load_scenario(HERE / "worlds" / f"{world}.toml")
    # one world, several diagnoses in it: the servers' start-up is not what is measured
    script = "; ".join(
        [f"{sys.executable} {HERE / 'check_once.py'} {{check_arguments}} < /tmp/.md-bench-password"] * runs
    )
    completed = run_scenario(
        scenario,
        ["sh", "-c", f"echo secret > /tmp/.md-bench-password; {script}"],
        namespace=True,
        timeout=300,
    )
    if completed.returncode != 0:
        raise SystemExit(f"{world}: exit {completed.returncode}\n{completed.stderr[-3000:]}")
    return [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"maildoctor check benchmark, {args.runs} runs per world (median; min-max)")
    for world in ("healthy", "submission-dropped"):
        results = measure(world, args.runs)
        times = [int(str(result["elapsed_ms"])) for result in results]
        causes = results[0]["causes"]
        print(
            f"\n{world}: {statistics.median(times):.0f} ms ({min(times)}-{max(times)} ms), causes: {causes}"
        )
        for server in results[0]["servers"]:  # type: ignore[attr-defined]
            print(
                f"  {server['role']:9} session {server['ms']} ms, "
                f"sequential round trips waited on: {server['round_trips']} "
                f"(fewest possible: {server['minimum']})"
            )


if __name__ == "__main__":
    main()
