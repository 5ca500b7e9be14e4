"""`maildoctor demo`: built-in example servers (pymap, aiosmtpd, a tiny DNS) on loopback, offline,
without Debian's servers and without root, and the real diagnosis of each broken set-up.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from maildoctor.demo import cases as demo_cases
from maildoctor.demo import command
from maildoctor.demo.cases import CASES, DemoRun, run_demo
from maildoctor.i18n import get_translator
from maildoctor_lab.netns import run_in_netns

# case -> the cause the diagnosis must put first (None: no problem at all)
EXPECTED: dict[str, str | None] = {
    "ssl-on-starttls-port": "PORT_SECURITY_MISMATCH",
    "wrong-password": "AUTH_FAILED",
    "certificate-for-another-name": "TLS_CERT_NAME_MISMATCH",
    "sending-without-login": "SMTP_AUTH_REQUIRED",
    "mailbox-almost-full": "MAILBOX_FULL",
    "healthy": None,
}
# what the servers said, seen in the evidence of the top finding: it came from them
EVIDENCE = {
    "ssl-on-starttls-port": "* OK [CAPABILITY IMAP4rev1",
    "wrong-password": "NO [AUTHENTICATIONFAILED]",
    "certificate-for-another-name": "sv1234.rental-server.test",
    "sending-without-login": "554 5.7.1",
    "mailbox-almost-full": "STORAGE",
}
LOCALE_AND_COLOUR_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "FORCE_COLOR", "NO_COLOR")
DEMO_TIMEOUT = 60  # seconds; the demo itself takes about one


def demo_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "maildoctor", "demo", *args]


def demo_env(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_AND_COLOUR_VARIABLES}
    env["XDG_CACHE_HOME"] = str(cache)  # the user's cache: the demo must leave it alone
    env["COLUMNS"] = "100"
    return env


def check_cases(stdout: str, language: str) -> list[dict[str, Any]]:
    cases = json.loads(stdout)
    assert [case["case"] for case in cases] == list(EXPECTED)
    for case in cases:
        report = case["report"]
        assert report["schema"] == "maildoctor.report/1"
        expected = EXPECTED[case["case"]]
        assert case["expected"] == expected
        assert case["as_expected"] is True, case
        if expected is None:
            assert report["verdict"] == "ok", report
            assert report["findings"] == []
            assert all(check["status"] == "pass" for check in report["checks"]), report["checks"]
        else:
            top = report["findings"][0]
            assert top["cause"] == expected, report["findings"]
            assert top["consequence_of"] is None
            assert EVIDENCE[case["case"]] in "\n".join(top["evidence"]), top["evidence"]
            assert top["fix"]
        japanese = any(ord(char) > 0x3000 for char in case["title"])
        assert japanese == (language == "ja"), case["title"]
    return cases


@pytest.mark.parametrize("language", ["en", "ja"])
def test_demo_json(language: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    completed = subprocess.run(
        demo_argv("--json", "--lang", language),
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=demo_env(cache),
        timeout=DEMO_TIMEOUT,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""  # no server chatter, no warnings
    check_cases(completed.stdout, language)
    assert list(cache.iterdir()) == [], "the demo wrote to the user's cache"


def test_demo_shows_each_report(tmp_path: Path) -> None:
    completed = subprocess.run(
        demo_argv("--lang", "ja"),
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=demo_env(tmp_path),
        timeout=DEMO_TIMEOUT,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    out = completed.stdout
    for number in range(1, len(EXPECTED) + 1):
        assert f"見本 {number}/{len(EXPECTED)}:" in out
    for cause in EXPECTED.values():
        if cause is not None:
            assert cause in out
    assert "問題は見つかりませんでした" in out  # the healthy account
    assert "6 件の見本すべてで、期待どおりの診断になりました。" in out
    assert "見本サーバーは止めました。" in out


def test_demo_twice_in_a_row(tmp_path: Path) -> None:
    """Nothing is left behind that changes a second run (remembered login failures, ports)."""
    env = demo_env(tmp_path)
    for _ in range(2):
        completed = subprocess.run(
            demo_argv("--json", "--lang", "en"),
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env,
            timeout=DEMO_TIMEOUT,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr
        check_cases(completed.stdout, "en")


@pytest.mark.netns
@pytest.mark.usefixtures("netns_ready")
def test_demo_needs_no_network_but_loopback(tmp_path: Path) -> None:
    """In a network namespace of its own there is only `lo`: no DNS, no route, no internet."""
    completed = run_in_netns(
        demo_argv("--json", "--lang", "en"), [], timeout=DEMO_TIMEOUT, env=demo_env(tmp_path)
    )
    assert completed.returncode == 0, completed.stderr
    check_cases(completed.stdout, "en")


def _nobody_argv(argv: list[str]) -> list[str]:
    """argv run as `nobody` with setpriv (skips when there is no setpriv or no nobody)."""
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv is not installed (util-linux)")
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("there is no user nobody")
    return [
        "setpriv",
        f"--reuid={nobody.pw_uid}",
        f"--regid={nobody.pw_gid}",
        "--clear-groups",
        "--inh-caps=-all",
        *argv,
    ]


def test_demo_runs_without_root(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        argv = demo_argv("--json", "--lang", "en")  # this very run is unprivileged
    else:
        argv = _nobody_argv(demo_argv("--json", "--lang", "en"))
        probe = subprocess.run(
            _nobody_argv([sys.executable, "-c", "import maildoctor.demo.cases"]),
            capture_output=True,
            text=True,
            timeout=DEMO_TIMEOUT,
            check=False,
        )
        if probe.returncode != 0:
            reason = (probe.stderr.strip().splitlines() or ["?"])[-1]
            pytest.skip(f"nobody cannot run this Python and its packages here: {reason}")
    env = demo_env(Path("/nonexistent"))
    env["TMPDIR"] = "/tmp"
    env["HOME"] = "/nonexistent"
    completed = subprocess.run(
        argv, capture_output=True, text=True, encoding="utf-8", env=env, timeout=DEMO_TIMEOUT, check=False
    )
    assert completed.returncode == 0, completed.stderr
    check_cases(completed.stdout, "en")


def test_an_example_without_its_cause_fails_the_demo(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 3 and the example named, when a diagnosis is not the expected one (here: expected wrongly)."""
    healthy = next(case for case in CASES if case.key == "healthy")
    wrong = dataclasses.replace(healthy, expected="AUTH_FAILED")

    async def run_wrong() -> DemoRun:
        return await run_demo([wrong])

    monkeypatch.setattr(demo_cases, "run_demo", run_wrong)  # command.py imports it when the demo runs
    assert command.run_demo_command(get_translator("en"), as_json=True) == 3
    captured = capsys.readouterr()
    assert json.loads(captured.out)[0]["as_expected"] is False
    assert "Example 1 (An account that works) did not give the diagnosis it should." in captured.err

    run = asyncio.run(run_wrong())
    buffer = io.StringIO()
    command.render_demo(Console(file=buffer, width=100), run, get_translator("en"))
    shown = buffer.getvalue()
    assert "Expected AUTH_FAILED, but the diagnosis gave no problem." in shown
    assert "did not give the diagnosis it should" in shown
