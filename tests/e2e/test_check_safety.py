"""Account safety on the real lab: passwords never leak in any encoding, and one failed login is
remembered so the next run does not try again (unless --force-login)."""

from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path

import pytest

from maildoctor.model import Secret, leak_forms
from maildoctor_lab.scenario import load_scenario, run_scenario

pytestmark = [pytest.mark.lab, pytest.mark.netns, pytest.mark.usefixtures("netns_ready")]

WORLD = """
[scenario]
description = "leak check"
expect = []

[account]
address = "leak@example.test"
username = "leak"
password = "{typed}"
incoming = "imap+starttls://mail.example.test:{{imap}}"
outgoing = "smtp+starttls://mail.example.test:{{submission}}"

[dovecot]
users = [{{ name = "leak", password = "{real}" }}]
[postfix]

[dns.zones."example.test"]
records = [
  "@ MX 10 mail",
  "mail A {{host}}",
  "@ TXT \\"v=spf1 mx -all\\"",
  "_dmarc TXT \\"v=DMARC1; p=quarantine; rua=mailto:dmarc@example.test\\"",
  "default._domainkey TXT \\"v=DKIM1; k=ed25519; p=S4wF7h5PjmC/Hjzmx1hdSAq2Gs/j/bgUyD96XR0fH/Q=\\"",
]
"""


def _world(tmp_path: Path, typed: str, real: str) -> Path:
    path = tmp_path / "leak.toml"
    path.write_text(WORLD.format(typed=typed, real=real))
    return path


def _written_files(root: Path) -> str:
    return "\n".join(path.read_text(errors="replace") for path in root.rglob("*") if path.is_file())


@pytest.mark.parametrize("login_succeeds", [True, False], ids=["right-password", "wrong-password"])
def test_the_password_never_appears_in_any_form(tmp_path: Path, login_succeeds: bool) -> None:
    password = "Pw-" + secrets.token_urlsafe(12) + "+/="
    real = password if login_succeeds else "other-" + secrets.token_hex(6)
    scenario = load_scenario(_world(tmp_path, password, real))
    cache = tmp_path / "cache"
    outputs = []
    for extra in (
        ["--json"],
        ["--transcript", "--lang", "en"],
        ["--transcript", "--lang", "ja", "--force-login"],
    ):
        completed = run_scenario(
            scenario,
            ["maildoctor", "check", "{check_arguments}", *extra],
            namespace=True,
            env={"XDG_CACHE_HOME": str(cache)},
        )
        outputs += [completed.stdout, completed.stderr]
        if extra == ["--json"]:
            report = json.loads(completed.stdout)
            assert report["verdict"] == ("ok" if login_succeeds else "problems")
    outputs.append(_written_files(cache))
    everything = "\n".join(outputs)
    assert "AUTHENTICATE PLAIN ********" in everything  # the login really happened, redacted
    for form in leak_forms(Secret(password), ("leak",)):
        assert form not in everything, "the password leaked in some encoding"


def test_a_failed_login_is_not_retried_until_forced(tmp_path: Path) -> None:
    scenario = load_scenario(Path(__file__).parents[1] / "scenarios" / "pop3-wrong-password.toml")
    cache = tmp_path / "cache"

    def run(*extra: str) -> tuple[dict[str, object], str]:
        completed = run_scenario(
            scenario,
            ["maildoctor", "check", "{check_arguments}", "--json", *extra],
            namespace=True,
            env={"XDG_CACHE_HOME": str(cache)},
        )
        transcript = run_scenario(
            scenario,
            ["maildoctor", "check", "{check_arguments}", "--transcript", "--lang", "en", *extra],
            namespace=True,
            env={"XDG_CACHE_HOME": str(cache)},
        ).stdout
        return json.loads(completed.stdout), transcript

    first, _ = run()
    top = first["findings"][0]  # type: ignore[index]
    assert (top["cause"], top["severity"]) == ("AUTH_FAILED", "error")
    assert "-ERR [AUTH] Authentication failed." in top["evidence"]
    again, transcript = run()
    top = again["findings"][0]  # type: ignore[index]
    assert (top["cause"], top["severity"]) == ("AUTH_FAILED", "warning")
    assert "--force-login" in top["evidence"][0]
    assert "AUTH PLAIN" not in transcript  # no second attempt reached the server
    remembered = (cache / "maildoctor" / "login-failures.json").read_text()
    assert "alice" not in remembered  # only a hash of server and user name
    assert "mail.example.test" not in remembered
    forced, transcript = run("--force-login")
    top = forced["findings"][0]  # type: ignore[index]
    assert (top["cause"], top["severity"]) == ("AUTH_FAILED", "error")
    assert "AUTH PLAIN ********" in transcript


COUNT_INBOX = (
    "import imaplib, ssl, sys; "
    "c = imaplib.IMAP4_SSL(sys.argv[1], int(sys.argv[2]), ssl_context=ssl._create_unverified_context()); "
    "c.login('alice', 'secret'); print(int(c.select('INBOX', readonly=True)[1][0]))"
)


def test_roundtrip_sends_finds_and_removes_the_test_message(tmp_path: Path) -> None:
    scenario = load_scenario(Path(__file__).parents[2] / "bench" / "worlds" / "healthy.toml")
    script = (
        f"cd {tmp_path} && printf 'secret\\n' | "
        "maildoctor check {check_arguments} --roundtrip --json > report.json; "
        f'{sys.executable} -c "{COUNT_INBOX}" {{host}} {{imaps}} > after.txt'
    )
    completed = run_scenario(
        scenario,
        ["sh", "-c", script],
        namespace=True,
        stdin="",
        env={"XDG_CACHE_HOME": str(tmp_path / "cache")},
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["verdict"] == "ok"
    assert report["roundtrip"]["sent"] is True
    assert report["roundtrip"]["arrived"] is True
    assert report["roundtrip"]["removed"] is True
    assert 0 < report["roundtrip"]["delay_ms"] < 15000
    assert any(check["id"] == "roundtrip" and check["status"] == "pass" for check in report["checks"])
    assert (tmp_path / "after.txt").read_text().strip() == "0"  # nothing left behind in INBOX
