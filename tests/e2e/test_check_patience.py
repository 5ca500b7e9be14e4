"""A silently dropped port is not waited for long when another port of the same server answered.

The waiting itself is measured by bench/speed_bench.py; here: the cause stays right, and the
evidence says which port answered and how long the dropped one was given.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from maildoctor_lab.scenario import load_scenario, run_scenario

pytestmark = [pytest.mark.lab, pytest.mark.netns, pytest.mark.usefixtures("netns_ready")]

SCENARIOS = Path(__file__).parents[1] / "scenarios"


def _check(name: str, cache: Path, language: str) -> dict[str, Any]:
    completed = run_scenario(
        load_scenario(SCENARIOS / f"{name}.toml"),
        ["maildoctor", "check", "{check_arguments}", "--json", "--lang", language, "--timeout", "20"],
        namespace=True,
        env={"XDG_CACHE_HOME": str(cache)},
    )
    assert completed.returncode == 1, completed.stderr
    report: dict[str, Any] = json.loads(completed.stdout)
    return report


def _outgoing_connect_ms(report: dict[str, Any]) -> int:
    return next(
        check["ms"] for check in report["checks"] if check["server"] == "outgoing" and check["id"] == "tcp"
    )


def test_a_dropped_port_beside_an_answering_one_is_blocked_and_says_why(tmp_path: Path) -> None:
    report = _check("submission-port-dropped", tmp_path, "ja")
    top = report["findings"][0]
    assert top["cause"] == "PORT_BLOCKED"
    evidence = "\n".join(top["evidence"])
    said = re.search(
        r"同じサーバーのポート (\d+) は (\d+) ミリ秒で応答しました。ポート 587 は ([\d.]+) 秒", evidence
    )
    assert said is not None, evidence
    assert said.group(1) in {"993", "143", "995", "110", "465"}
    # the full connect timeout of a 20 s run is 5 s; the answer of another port cut it short
    assert float(said.group(3)) < 5.0
    assert _outgoing_connect_ms(report) < 5000
    english = _check("submission-port-dropped", tmp_path, "en")["findings"][0]
    assert re.search(
        r"Port \d+ of the same server answered in \d+ ms; port 587 gave no answer",
        "\n".join(english["evidence"]),
    )


def test_no_port_answering_still_waits_the_full_timeout(tmp_path: Path) -> None:
    report = _check("server-unreachable", tmp_path, "en")
    top = report["findings"][0]
    assert top["cause"] == "SERVER_UNREACHABLE"
    assert "same server answered" not in "\n".join(top["evidence"])
