"""`maildoctor check ADDRESS` with no servers given: discovery fills them in, and the check runs on them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from maildoctor_lab.scenario import load_scenario, run_scenario

pytestmark = [pytest.mark.lab, pytest.mark.netns, pytest.mark.usefixtures("netns_ready")]

WORLDS = Path(__file__).parents[1] / "settings_worlds"


def check(world: str, tmp_path: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    scenario = load_scenario(WORLDS / world)
    completed = run_scenario(
        scenario,
        [
            "maildoctor",
            "check",
            scenario.account.address,
            "--dns",
            "{dns}",
            "--ca-file",
            "{ca_file}",
            "--password-stdin",
            "--json",
            *extra,
        ],
        namespace=True,
        env={"XDG_CACHE_HOME": str(tmp_path)},
    )
    assert scenario.account.password and scenario.account.password not in completed.stdout + completed.stderr
    return completed.returncode, json.loads(completed.stdout), completed.stderr


def test_the_servers_not_given_come_from_discovery_and_pass(tmp_path: Path) -> None:
    code, report, stderr = check("hosted-at-xserver.toml", tmp_path)
    assert code == 0, (stderr, report["findings"])
    assert report["verdict"] == "ok"
    assert report["settings"]["filled"] == ["incoming", "outgoing"]
    assert report["settings"]["typed"]["incoming"] is None
    recommended = report["settings"]["recommended"]
    assert recommended["incoming"]["url"] == "imaps://sv1234.xserver.jp:993"
    assert recommended["outgoing"]["host"] == "sv1234.xserver.jp"
    logins = {check["server"]: check["status"] for check in report["checks"] if check["id"] == "login"}
    assert logins == {"incoming": "pass", "outgoing": "pass"}


def test_the_typed_server_is_kept_and_the_missing_one_filled(tmp_path: Path) -> None:
    code, report, stderr = check(
        "hosted-at-xserver.toml", tmp_path, "--incoming", "pop3s://sv1234.xserver.jp:995"
    )
    assert code == 0, (stderr, report["findings"])
    assert report["settings"]["filled"] == ["outgoing"]
    assert report["settings"]["typed"]["incoming"]["url"] == "pop3s://sv1234.xserver.jp:995"
    servers = {(c["server"], c["id"]) for c in report["checks"] if c["status"] == "pass"}
    assert ("incoming", "login") in servers and ("outgoing", "login") in servers


def test_in_plain_words_the_person_is_told_which_settings_were_used(tmp_path: Path) -> None:
    scenario = load_scenario(WORLDS / "hosted-at-xserver.toml")
    completed = run_scenario(
        scenario,
        [
            "maildoctor",
            "check",
            scenario.account.address,
            "--dns",
            "{dns}",
            "--ca-file",
            "{ca_file}",
            "--password-stdin",
            "--lang",
            "en",
        ],
        namespace=True,
        env={"XDG_CACHE_HOME": str(tmp_path), "COLUMNS": "300"},
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert (
        "The incoming server was not given, so it was checked with the settings found: "
        "imaps://sv1234.xserver.jp:993" in " ".join(completed.stdout.split())
    )
