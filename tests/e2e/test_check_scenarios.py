"""`maildoctor check` against every scenario's broken world, on the real lab servers.

Each scenario runs in a network namespace of its own, on the standard ports, and must give its
expected cause first, with the expected evidence, and fix steps that name the right values —
in Japanese (the run) and in English (the same findings rendered again).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from maildoctor.i18n import get_translator
from maildoctor.knowledge import render_finding
from maildoctor.model import Finding, Layer, Secret, ServerRole, Severity, leak_forms
from maildoctor.rules.checks import CHECK_OF_LAYER
from maildoctor_lab.scenario import Scenario, load_scenarios, run_scenario

pytestmark = [pytest.mark.lab, pytest.mark.netns, pytest.mark.usefixtures("netns_ready")]

SCENARIOS = load_scenarios(Path(__file__).parents[1] / "scenarios")


def check_json(scenario: Scenario, cache: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    """The JSON report of `check` in the scenario's world; the typed password must not be in any output."""
    completed = run_scenario(
        scenario,
        ["maildoctor", "check", "{check_arguments}", "--json", "--lang", "ja", *extra],
        namespace=True,
        env={"XDG_CACHE_HOME": str(cache)},
    )
    password = scenario.account.password
    if password:
        usernames = (scenario.account.username or scenario.account.address,)
        for form in leak_forms(Secret(password), usernames):
            assert form not in completed.stdout, "the password leaked into the report"
            assert form not in completed.stderr, "the password leaked into the error output"
    try:
        report = json.loads(completed.stdout)
    except ValueError:
        pytest.fail(f"no JSON report (exit {completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    return completed.returncode, report, completed.stderr


def as_finding(entry: dict[str, Any]) -> Finding:
    return Finding(
        cause=entry["cause"],
        severity=Severity(entry["severity"]),
        layer=Layer(entry["layer"]),
        server=ServerRole(entry["server"]),
        params=tuple(entry["params"].items()),
        evidence=tuple(entry["evidence"]),
        consequence_of=entry["consequence_of"],
    )


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.name for scenario in SCENARIOS])
def test_scenario_gives_its_cause(scenario: Scenario, tmp_path: Path) -> None:
    code, report, stderr = check_json(scenario, tmp_path)
    assert report["schema"] == "maildoctor.report/1"
    assert code == 1, stderr
    assert report["verdict"] == "problems"
    causes = [finding["cause"] for finding in report["findings"]]
    assert causes[: len(scenario.expect)] == list(scenario.expect), report["findings"]
    top = report["findings"][0]
    assert top["consequence_of"] is None
    assert top["fix"], "the top cause has no fix steps"
    evidence = "\n".join(top["evidence"])
    for words in scenario.expect_evidence:
        assert words in evidence
    japanese_fix = "\n".join(top["fix"])
    english = render_finding(as_finding(top), get_translator("en"))
    english_fix = "\n".join(english.fix)
    for words in scenario.expect_fix:
        assert words in japanese_fix
        assert words in english_fix
    assert any(ord(char) > 0x3000 for char in top["title"]), "the Japanese run should have a Japanese title"
    assert english.title.isascii()
    assert_checks_agree(report)


def assert_checks_agree(report: dict[str, Any]) -> None:
    """No check passes where an error or a warning was found, and no sending-side cause comes twice."""
    for check in report["checks"]:
        at_check = [
            finding["cause"]
            for finding in report["findings"]
            if finding["server"] == check["server"]
            and CHECK_OF_LAYER.get(Layer(finding["layer"])) == check["id"]
            and finding["severity"] in ("error", "warning")
        ]
        assert not (at_check and check["status"] == "pass"), (check, at_check)
    domain_causes = [finding["cause"] for finding in report["findings"] if finding["server"] == "domain"]
    assert len(domain_causes) == len(set(domain_causes)), domain_causes
