"""`maildoctor settings` on the real lab: every source, its order, and verification by probes."""

from __future__ import annotations

import json
import plistlib
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from maildoctor_lab.scenario import Scenario, load_scenario, run_scenario

pytestmark = [pytest.mark.lab, pytest.mark.netns, pytest.mark.usefixtures("netns_ready")]

WORLDS = Path(__file__).parents[1] / "settings_worlds"


def settings(scenario: Scenario, *extra: str, columns: int = 80) -> tuple[int, str, str]:
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
        env={"COLUMNS": str(columns)},
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


def test_a_certificate_made_out_to_the_rental_server_name_turns_into_that_name() -> None:
    scenario = load_scenario(WORLDS / "rental-certificate.toml")
    code, stdout, stderr = settings(scenario, "--format", "json", "--timeout", "10")
    assert code == 0, stderr
    report = json.loads(stdout)
    for side, port in (("incoming", 993), ("outgoing", 465)):
        suggested, typed = report[side][:2]
        assert (suggested["host"], suggested["port"], suggested["verified"]) == (
            "sv1234.rental-server.test",
            port,
            True,
        )
        assert (typed["host"], typed["verified"], typed["certificate_host"]) == (
            "mail.shop.test",
            False,
            "sv1234.rental-server.test",
        )
    code, stdout, stderr = settings(scenario, "--lang", "en", columns=400)
    assert code == 0, stderr
    assert "made out to sv1234.rental-server.test" in " ".join(stdout.split())


def test_settings_found_through_a_redirect_to_another_domain_need_consent() -> None:
    scenario = load_scenario(WORLDS / "redirect-consent.toml")
    code, stdout, stderr = settings(scenario, "--format", "json", "--timeout", "10")
    assert code == 0, stderr
    report = json.loads(stdout)
    first = report["incoming"][0]
    assert (first["host"], first["source"], first.get("needs_consent")) == (
        "mail.example.test",
        "autoconfig",
        True,
    )
    assert all(entry.get("needs_consent") for entry in report["outgoing"] if entry["source"] == "autoconfig")
    code, stdout, stderr = settings(scenario, "--lang", "en", columns=400)
    assert "make sure this is really your provider" in " ".join(stdout.split())


def test_the_sheet_and_the_memo_from_the_real_lab(tmp_path: Path) -> None:
    import os

    from maildoctor.export.sheet import PdfUnavailableError, ensure_pdf_support

    scenario = load_scenario(WORLDS / "autoconfig-and-srv.toml")
    code, stdout, stderr = settings(scenario, "--lang", "ja", "--format", "sheet")
    assert code == 0, stderr
    assert stdout.startswith('<!DOCTYPE html>\n<html lang="ja">')
    for words in ("alice@example.test", "Example Test Mail", "mail.example.test", "確認済み"):
        assert words in stdout, words
    assert "ほかの候補" in stdout  # the SRV candidates, as alternatives

    code, stdout, stderr = settings(
        scenario,
        "--lang",
        "en",
        "--memo",
        "--client",
        "thunderbird",
        "--incoming",
        "imaps://mail.example.test:143",
        "--user",
        "alice@example.test",
        "--error",
        "Connection to server mail.example.test timed out.",
    )
    assert code == 0, stderr
    for line in (
        "Device / mail program: Thunderbird",
        "  Incoming mail server: IMAP  mail.example.test  port 143  SSL/TLS",
        "  | Connection to server mail.example.test timed out.",
        "  Incoming mail server: IMAP  mail.example.test  port 993  SSL/TLS  user name alice"
        "  (the domain's autoconfig file, confirmed in this run)",
    ):
        assert line in stdout.splitlines(), line

    try:
        ensure_pdf_support()
    except PdfUnavailableError as exc:
        if os.environ.get("MAILDOCTOR_LAB_REQUIRED") == "1":
            pytest.fail(f"WeasyPrint is required but cannot load: {exc.reason}")
        pytest.skip(f"WeasyPrint cannot load: {exc.reason}")
    pdf = tmp_path / "sheet.pdf"
    code, stdout, stderr = settings(scenario, "--format", "sheet", "--memo", "--output", str(pdf))
    assert code == 0, stderr
    assert stdout == ""
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_autodiscover_alone_gives_the_settings() -> None:
    scenario = load_scenario(WORLDS / "autodiscover.toml")
    code, stdout, stderr = settings(scenario, "--format", "json", "--timeout", "10")
    assert code == 0, stderr
    report = json.loads(stdout)
    assert brief(report["incoming"]) == [
        ("imap", "mail.example.test", 993, "ssl", "alice@contoso.test", "autodiscover", True),
        ("pop3", "mail.example.test", 995, "ssl", "alice@contoso.test", "autodiscover", True),
    ]
    assert brief(report["outgoing"]) == [
        ("smtp", "mail.example.test", 587, "starttls", "alice@contoso.test", "autodiscover", True),
    ]
    assert not any(entry.get("needs_consent") for entry in report["incoming"] + report["outgoing"])


def test_a_domain_hosted_at_a_rental_server_gets_the_mx_host_as_its_server() -> None:
    scenario = load_scenario(WORLDS / "hosted-at-xserver.toml")
    code, stdout, stderr = settings(scenario, "--format", "json", "--timeout", "10")
    assert code == 0, stderr
    report = json.loads(stdout)
    assert report["provider"]["id"] == "xserver"
    assert report["incoming"][0]["host"] == "sv1234.xserver.jp"
    assert report["incoming"][0]["source"] == "mx"
    assert report["incoming"][0]["verified"] is True
    assert report["outgoing"][0]["host"] == "sv1234.xserver.jp"
    assert report["provider"]["password_page"].startswith("https://")


@pytest.mark.parametrize(
    ("address", "english", "japanese"),
    [
        ("hanako@nomx.test", "has no mail servers (no MX record)", "メールサーバーがありません"),
        ("hanako@absent.test", "does not exist on the internet", "インターネット上にありません"),
        ("hanako@mxonly.test", "has mail servers (mx.mxonly.test)", "メールサーバー（mx.mxonly.test）"),
    ],
)
def test_nothing_found_says_why_and_what_next(address: str, english: str, japanese: str) -> None:
    scenario = load_scenario(WORLDS / "nothing-known.toml")
    for lang, reason in (("en", english), ("ja", japanese)):
        completed = run_scenario(
            scenario,
            ["maildoctor", "settings", address, "--dns", "{dns}", "--lang", lang],
            namespace=True,
            stdin="",
        )
        assert completed.returncode == 1, completed.stderr
        assert completed.stdout == ""
        assert reason in completed.stderr
        assert f"  maildoctor settings {address} --memo\n" in completed.stderr
