"""`maildoctor settings` on the real lab: every source, its order, and verification by probes."""

from __future__ import annotations

import json
import plistlib
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from maildoctor.lab.scenario import Scenario, load_scenario, run_scenario

pytestmark = [pytest.mark.lab, pytest.mark.netns, pytest.mark.usefixtures("netns_ready")]

WORLDS = Path(__file__).parents[1] / "settings_worlds"


def settings(scenario: Scenario, *extra: str) -> tuple[int, str, str]:
    completed = run_scenario(
        scenario,
        [
            "maildoctor",
            "settings",
            scenario.account.address,
            "--dns",
            "{dns}",
            "--ca-file",
            "{ca_file}",
            *extra,
        ],
        namespace=True,
        stdin="",
    )
    return completed.returncode, completed.stdout, completed.stderr


def brief(entries: list[dict[str, Any]]) -> list[tuple[object, ...]]:
    return [
        (e["protocol"], e["host"], e["port"], e["security"], e["username"], e["source"], e["verified"])
        for e in entries
    ]


def test_autoconfig_and_srv_merged_and_verified() -> None:
    scenario = load_scenario(WORLDS / "autoconfig-and-srv.toml")
    code, stdout, stderr = settings(scenario, "--format", "json")
    assert code == 0, stderr
    report = json.loads(stdout)
    assert report["schema"] == "maildoctor.settings/1"
    assert report["provider"] == {"id": "example.test", "name": "Example Test Mail"}
    assert brief(report["incoming"]) == [
        ("imap", "mail.example.test", 993, "ssl", "alice", "autoconfig", True),
        ("pop3", "mail.example.test", 995, "ssl", "alice@example.test", "srv", True),
    ]
    assert brief(report["outgoing"]) == [
        ("smtp", "mail.example.test", 465, "ssl", "alice", "autoconfig", True),
        ("smtp", "mail.example.test", 587, "starttls", "alice@example.test", "srv", True),
    ]


def test_the_other_formats_hand_over_the_best_candidates() -> None:
    scenario = load_scenario(WORLDS / "autoconfig-and-srv.toml")
    code, stdout, stderr = settings(scenario, "--format", "autoconfig")
    assert code == 0, stderr
    provider = ET.fromstring(stdout.encode()).find("emailProvider")  # noqa: S314 -- our own output
    assert provider is not None
    incoming = provider.find("incomingServer")
    assert incoming is not None
    assert (incoming.findtext("hostname"), incoming.findtext("port"), incoming.findtext("socketType")) == (
        "mail.example.test",
        "993",
        "SSL",
    )
    completed = run_scenario(
        scenario,
        [
            "sh",
            "-c",
            "maildoctor settings alice@example.test --dns {dns} --ca-file {ca_file} --format mobileconfig"
            " | base64 -w0",
        ],
        namespace=True,
        stdin="",
    )
    import base64

    profile = plistlib.loads(base64.b64decode(completed.stdout.strip()))
    payload = profile["PayloadContent"][0]
    assert payload["PayloadType"] == "com.apple.mail.managed"
    assert payload["IncomingMailServerHostName"] == "mail.example.test"
    assert payload["IncomingMailServerPortNumber"] == 993
    assert "IncomingPassword" not in payload


def test_a_domain_hosted_at_google_is_found_by_its_mx_and_not_verified_offline() -> None:
    scenario = load_scenario(WORLDS / "hosted-at-google.toml")
    code, stdout, stderr = settings(scenario, "--format", "json", "--timeout", "8")
    assert code == 0, stderr
    report = json.loads(stdout)
    assert report["provider"] is not None
    assert report["incoming"][0]["host"] == "imap.gmail.com"
    assert {entry["source"] for entry in report["incoming"]} == {"mx"}
    # the lab's DNS does not know Google's hosts: nothing could be confirmed, and nothing left the machine
    assert not any(entry["verified"] for entry in report["incoming"] + report["outgoing"])


def test_guessing_keeps_only_what_answers() -> None:
    scenario = load_scenario(WORLDS / "guess-only.toml")
    code, stdout, stderr = settings(scenario, "--format", "json", "--timeout", "10")
    assert code == 0, stderr
    report = json.loads(stdout)
    assert report["provider"] is None
    # mail.guess.test answers on the standard ports; imap./pop./smtp. and the bare name do not exist
    assert brief(report["incoming"]) == [
        ("imap", "mail.guess.test", 993, "ssl", "hanako@guess.test", "guess", True),
        ("imap", "mail.guess.test", 143, "starttls", "hanako@guess.test", "guess", True),
        ("pop3", "mail.guess.test", 995, "ssl", "hanako@guess.test", "guess", True),
        ("pop3", "mail.guess.test", 110, "starttls", "hanako@guess.test", "guess", True),
    ]
    assert brief(report["outgoing"]) == [
        ("smtp", "mail.guess.test", 465, "ssl", "hanako@guess.test", "guess", True),
        ("smtp", "mail.guess.test", 587, "starttls", "hanako@guess.test", "guess", True),
    ]
