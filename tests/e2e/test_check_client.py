"""`check --client` in a broken world: the fix comes as the named program's menu path."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_check_scenarios import check_json

from maildoctor_lab.scenario import load_scenario, run_scenario

pytestmark = [pytest.mark.lab, pytest.mark.netns, pytest.mark.usefixtures("netns_ready")]

SCENARIOS = Path(__file__).parents[1] / "scenarios"


@pytest.mark.parametrize(
    ("client", "words"),
    [
        ("iphone", "プライマリサーバ"),
        ("outlook", "「送信サーバー」タブ"),
        ("thunderbird", "送信 (SMTP) サーバー"),
    ],
)
def test_fix_steps_name_the_programs_fields(client: str, words: str, tmp_path: Path) -> None:
    scenario = load_scenario(SCENARIOS / "smtp-without-auth.toml")
    code, report, stderr = check_json(scenario, tmp_path, "--client", client)
    assert code == 1, stderr
    assert report["client"] != ""
    top = report["findings"][0]
    assert top["cause"] == "SMTP_AUTH_REQUIRED"
    assert len(top["where"]) == len(top["fix"])
    lines = [line for step in top["where"] for line in step]
    assert any(words in line for line in lines), lines
    # the placeholders are filled: the account's address, or its server where the program lists servers
    assert all("{" not in line for line in lines)
    assert any(scenario.account.address in line or "mail.example.test" in line for line in lines)


def test_without_client_the_three_common_programs_are_shown(tmp_path: Path) -> None:
    scenario = load_scenario(SCENARIOS / "smtp-without-auth.toml")
    completed = run_scenario(
        scenario,
        ["maildoctor", "check", "{check_arguments}", "--lang", "en"],
        namespace=True,
        env={"XDG_CACHE_HOME": str(tmp_path), "COLUMNS": "100"},
    )
    assert completed.returncode == 1, completed.stderr
    for program in ("iPhone", "Outlook", "Gmail"):
        assert program in completed.stdout
    assert "--client" in completed.stdout
