"""The waiting figures of issue 12 (item 3), through the real command line, process start included:

* healthy: `maildoctor check` of a healthy account (incoming + outgoing + login + the domain's
  sending side), the whole process from start to exit;
* submission-dropped: the same account with the submission port (587) silently dropped while the
  other ports of the same server answer, with `--timeout 20`.

Each world is built once (real Dovecot, Postfix and a DNS server in a network namespace of their
own; needs root); the command runs there several times and the wall times and the CPU time of the
process (user + system) are printed: median, min-max. Python's byte code is written by a first run
that is not counted (an installed package has it).

With `--compare DIR` (the root of another checkout, e.g. `git archive 65ee1c5 | tar -x -C DIR`,
with its compiled catalogs copied in), that checkout's source runs too, alternately with this
one, in the same worlds: on a machine shared with other work, the two see the same load.

    python3 -m uv run python bench/speed_bench.py [--runs N] [--compare DIR]

Figures of 2026-12-07 (9 runs per world, this branch and 65ee1c5 alternately; a 2-core machine
shared with other work, load average 3-6 during the runs, so the wall times carry that load):

    healthy             wall median 1.267 s (65ee1c5: 1.721 s); CPU 0.586 s (65ee1c5: 0.870 s)
    submission-dropped  wall median 2.375 s (65ee1c5: 6.335 s); CPU 0.652 s (65ee1c5: 0.956 s)

bench/check_bench.py (in-process, no process start): healthy 196 ms, submission-dropped 1595 ms
(5188 ms before: the dropped port is given 1.5 s once port 993 of the same server answered).

Start-up figures of 2026-12-07, later (issue 12 item 3's last target, <= 0.35 s; wt-speed against
15aaf41, 11 runs per world alternately, Python 3.11.7, load average 6-8: compare the CPU times):

    healthy             wall median 1.006 s (15aaf41: 1.172 s); CPU 0.466 s (15aaf41: 0.551 s),
                        CPU min 0.445 s (15aaf41: 0.504 s)
    submission-dropped  wall median 2.411 s (15aaf41: 2.478 s); CPU 0.575 s (15aaf41: 0.618 s)

Again at load average ~1 (11 runs per world, alternately):

    healthy             wall median 0.574 s (15aaf41: 0.656 s); CPU 0.495 s (15aaf41: 0.574 s),
                        wall min 0.509 s (15aaf41: 0.577 s)
    submission-dropped  wall median 2.094 s (15aaf41: 2.186 s); CPU 0.635 s (15aaf41: 0.716 s)

What changed: the garbage collector's thresholds are raised before the imports (cli/startup.py:
135 young, 12 middle and 1 full pass found ~750 objects and cost 60-80 ms); the https trust store
reads the system store at its first handshake (~30 ms; a healthy check makes none); the Public
Suffix List is searched for the one top-level label (~5 ms).
Python 3.13.0 (same lock): 0.502 s CPU (15aaf41: 0.544 s).

Start-up figures of 2026-12-08 (issue 12 item 3's last target, <= 0.35 s; wt-speed against cd523cd,
15 runs per world alternately, Python 3.11.7, load average 4-6 during the runs):

    healthy             wall median 0.398 s (cd523cd: 0.613 s), wall min 0.339 s (0.467 s);
                        CPU 0.348 s (cd523cd: 0.549 s), CPU min 0.296 s (0.429 s)
    submission-dropped  wall median 2.020 s (cd523cd: 2.259 s); CPU 0.419 s (cd523cd: 0.558 s)

(An earlier run of the same, load 2.6 rising to 5.6: healthy wall median 0.445 s against 0.619 s,
CPU 0.340 s against 0.518 s.)

What changed (cli/codecache.py): what every start compiles the same way is kept in the user's cache
folder between runs, keyed by its exact source and the Python version: the methods dataclasses
write and exec() (~1,050 compilations for ~230 classes, -0.06 to -0.10 s CPU) and the regular
expressions (~450, what re hands to _sre.compile, -0.05 s); the console script turns it on before
the command line's imports (maildoctor.cli.entry), as `python -m maildoctor` does. A first run (an
empty cache folder) compiles and writes the file: +0.006 s CPU (0.467 s against 0.461 s).
ElementTree is imported when XML is parsed, not at start (a healthy check parses none: the
provider data comes parsed from the cache): -0.01 s CPU.
Python 3.12.1 and 3.13.0 (same lock, same worlds, alternately with 3.11): 0.652 s and 0.608 s CPU
against 3.11's 0.554 s, so 3.11 stays.

Where the ~0.33 s CPU of a healthy check goes now (this branch, process_time, load ~9 so the parts
are inflated alike): interpreter start and Python code before the check 0.22 s, of it reading and
unmarshalling the byte code of ~480 modules (8.5 MB of .pyc) 0.05 s, dataclasses' own Python work
(fields, slots, the signature made into a docstring for ~130 classes without one) 0.03 s, ~120 enum
classes 0.012 s, the rest the modules' own top-level code; the check itself 0.08-0.09 s (71 DNS
queries, 30 of them DKIM selectors and 13 asked twice by different parts; 4 TLS handshakes and the
certificate judged against certifi's 117 roots, the system's 144 read too; the rules' modules
imported when the findings are judged). Waiting (the servers' answers, the handshakes on the
servers' side) adds ~0.05-0.08 s to the wall time (0.574 s wall against 0.495 s CPU at load ~1,
above). (Earlier notes counted 213
queries: cProfile counts every resumption of a coroutine as a call; a run asks 71.)
Nearly every imported module is used by a healthy check; the idle ones (traced: rules.replies,
domain.blocklists, protocol.pop3, probes.roundtrip, report, clients.catalog, discover.verify and
.guess, email_validator.rfc_constants, importlib.metadata for dns._features) are a few ms together
now that their classes and patterns come from the cache. What remains to 0.35 s wall: the median
is 0.40 s at load 4-6 (the fastest run 0.34 s): ~0.30-0.35 s CPU plus ~0.05 s of waiting. Fewer
modules on the check's path (each ~0.1 ms to read, more to run), the network probes started before
the domain's modules are imported (the waits would overlap the imports), or a question asked once
per run instead of up to four times would each take a part of the last ~0.05 s; the system trust
store read only when certifi's roots do not verify a chain (~3 ms) needs TrustStores to change.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from maildoctor_lab.scenario import load_scenario, run_scenario

HERE = Path(__file__).resolve().parent
WORLDS = {
    "healthy": [],
    "submission-dropped": ["--timeout", "20"],
}


def _one_run(
    argv: list[str], source: str, cache: str
) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    if source:
        environment["PYTHONPATH"] = str(Path(source) / "src")
    # a cache folder per checkout: alternating in one folder, each would evict the other's parsed data
    # (datacache.py keys it by the code's files) and every run would parse it again
    environment["XDG_CACHE_HOME"] = cache
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    completed = subprocess.run(
        argv, input="secret\n", capture_output=True, text=True, env=environment, check=False
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, completed


def _inner(runs: int, extra: list[str], sources: list[str], check_arguments: list[str]) -> None:
    """Inside the world: each source's command line `runs` times (after one warm-up), alternately."""
    argv = [sys.executable, "-m", "maildoctor", "check", *check_arguments, *extra]
    results: dict[str, dict[str, object]] = {
        source: {"seconds": [], "cpu": [], "exit": None, "output": ""} for source in sources
    }
    caches = {source: tempfile.mkdtemp(prefix="speed-bench-cache-") for source in sources}
    for index in range(runs + 1):
        for source in sources:
            wall, cpu, completed = _one_run(argv, source, caches[source])
            result = results[source]
            if index:  # the first run writes the byte code
                result["seconds"].append(wall)  # type: ignore[attr-defined]
                result["cpu"].append(cpu)  # type: ignore[attr-defined]
            result["exit"] = completed.returncode
            result["output"] = completed.stdout
    for cache in caches.values():
        shutil.rmtree(cache, ignore_errors=True)
    print(json.dumps(results))


def measure(world: str, runs: int, compare: str) -> dict[str, dict[str, object]]:
    scenario = load_scenario(HERE / "worlds" / f"{world}.toml")
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--inner",
        "--runs",
        str(runs),
        "--extra=" + " ".join(WORLDS[world]),
        "--compare=" + compare,
        "--",
        "{check_arguments}",
    ]
    completed = run_scenario(scenario, command, stdin="", namespace=True, timeout=1200)
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise SystemExit(f"{world}: exit {completed.returncode}\n{completed.stderr[-3000:]}")
    results: dict[str, dict[str, object]] = json.loads(lines[-1])
    return results


def _evidence_lines(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if "port" in line.lower() or "ポート" in line]


def _figures(label: str, result: dict[str, object]) -> str:
    times = [float(value) for value in result["seconds"]]  # type: ignore[attr-defined]
    cpu = [float(value) for value in result["cpu"]]  # type: ignore[attr-defined]
    return (
        f"  {label:8} wall median {statistics.median(times):.3f} s "
        f"(min {min(times):.3f}, max {max(times):.3f}); "
        f"CPU median {statistics.median(cpu):.3f} s (min {min(cpu):.3f}); exit {result['exit']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--compare", default="", help="the root of another checkout to run alternately")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--extra", default="", help=argparse.SUPPRESS)
    parser.add_argument("check_arguments", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    compare = str(Path(args.compare).resolve()) if args.compare else ""
    if args.inner:
        _inner(
            args.runs,
            args.extra.split(),
            ["", *([args.compare] if args.compare else [])],
            args.check_arguments,
        )
        return
    print(f"maildoctor check through the command line, process start included; {args.runs} runs per world")
    for world in WORLDS:
        results = measure(world, args.runs, compare)
        print(f"\n{world} ({' '.join(WORLDS[world]) or 'default options'}):")
        print(_figures("this", results[""]))
        if compare:
            print(_figures("compare", results[compare]))
        if world != "healthy":
            for line in _evidence_lines(str(results[""]["output"]))[:4]:
                print(f"    | {line}")


if __name__ == "__main__":
    main()
