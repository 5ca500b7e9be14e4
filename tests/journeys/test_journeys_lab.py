"""Journeys that need a real server: what a new user sees against a healthy account.

A first run without a password (`--no-auth`, as the README shows it) against a healthy account
said "Problems found: the sending server requires login" — every healthy submission server refuses
to pass mail on for someone who has not logged in, and maildoctor had not logged in. Now nothing is
tried on the sending server without the login the person's program makes, and the headline says
what was and was not tried. With `--no-outgoing-auth` (the program really sends without a login)
the refusal is still the cause.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from maildoctor_lab.scenario import load_scenario, run_scenario

pytestmark = [pytest.mark.lab, pytest.mark.netns, pytest.mark.usefixtures("netns_ready")]

HEALTHY = load_scenario(Path(__file__).parents[2] / "bench" / "worlds" / "healthy.toml")
HEADLINES = {
    "ja": "確認した範囲では問題は見つかりませんでした（ログインは試していません）",
    "en": "No problems found in what was checked; the login was not tried",
}


def _check(tmp_path: Path, *extra: str) -> tuple[int, str, str]:
    completed = run_scenario(
        HEALTHY,
        ["maildoctor", "check", "{check_arguments}", "--no-auth", *extra],
        namespace=True,
        env={"XDG_CACHE_HOME": str(tmp_path / "cache"), "COLUMNS": "100"},
    )
    return completed.returncode, completed.stdout, completed.stderr


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_first_run_without_a_password_finds_nothing_wrong_in_a_healthy_account(
    tmp_path: Path, lang: str
) -> None:
    code, out, err = _check(tmp_path, "--lang", lang)
    assert code == 0, (out, err)
    assert out.splitlines()[0] == HEADLINES[lang]
    assert "SMTP_AUTH_REQUIRED" not in out
    code, out, _ = _check(tmp_path, "--json")
    report = json.loads(out)
    assert report["findings"] == []
    assert {check["id"] for check in report["checks"] if check["status"] == "skip"} == {"login"}
    assert "send" not in {check["id"] for check in report["checks"]}


def test_a_program_that_sends_without_a_login_is_still_told(tmp_path: Path) -> None:
    code, out, _ = _check(tmp_path, "--no-outgoing-auth", "--json")
    assert code == 1
    causes = [finding["cause"] for finding in json.loads(out)["findings"]]
    assert causes[0] == "SMTP_AUTH_REQUIRED"
