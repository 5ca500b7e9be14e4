"""`maildoctor check --oauth2` end to end through the real CLI: it asks the lab's loopback
authorization server for a device code and shows it; the test plays the person and approves (or
refuses) through the server's approval endpoint; the token issued logs in to the lab's oauth2 Dovecot
(IMAP) and Postfix (SMTP). The failure paths: refused consent, the code expiring, a token the mail
server refuses (expired, wrong scope) with its finding. And the canary: the token, in every form
(itself, base64, the XOAUTH2/OAUTHBEARER initial responses), appears in no output (plain, --json,
--transcript) and in no file written under HOME or the XDG directories during the run."""

from __future__ import annotations

import base64
import json
import os
import re
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from test_lab_oauth2_device import USER, _post

from maildoctor.protocol import oauth
from maildoctor_lab.certs import LabPKI, StandardCerts
from maildoctor_lab.dns import DnsServer, DnsZone, zone_from_records
from maildoctor_lab.dovecot import DovecotServer
from maildoctor_lab.oauth2_server import AuthServer, AuthServerOptions, start_auth_server
from maildoctor_lab.postfix import PostfixServer

pytestmark = pytest.mark.lab

# a public key of tests/domain_worlds/good.toml, in 255-character strings: the domain signs, so the run
# has nothing to report about the sending side
_DKIM_KEY = '" "'.join(
    (
        "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAhrosw3L0A0TsaTOk7r05RtshbyVP0AQdPOX2ZgBQHlBNHjP6sI7hNIK5"
        "SbDo9Bkh2yEOe+mNZhISffSZCX+JMHep6/kcGM/2FusEn49bjYQZVpofdj4UwKPWBJLcIGK16I4J7PkyEP",
        "IUCldcF9W37YBwKTvq7ps2a9anT0ynvnK9gF3s4J9yc6dhMc6wfDKCaGr82FE2WgDz1qhpLbSOXKvfPob5+EvE/rx0eBcWGoNa"
        "HqKfUY4Wu2SZfgfGJxqBMAqmQdz6Rum/Ck2z9Ow1X+fQedm6B0zj6XGToNvhKkrg7WNOTQxEZEqZc66rlVaE3ruik8fuLO6DbGSF/0",
        "25zQIDAQAB",
    )
)
ZONES: list[DnsZone] = [
    zone_from_records(
        "example.test",
        [
            "@ MX 10 mail",
            "mail A 127.0.0.1",
            '@ TXT "v=spf1 ip4:127.0.0.1 -all"',
            '_dmarc TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@example.test"',
            f'default._domainkey TXT "v=DKIM1; k=rsa; p={_DKIM_KEY}"',
        ],
    )
]
CLIENT_ID = "maildoctor-lab-client"
_CODE = re.compile(r"\b([0-9A-F]{4}-[0-9A-F]{4})\b")


@pytest.fixture
def auth_server(request: pytest.FixtureRequest, certs: StandardCerts) -> Iterator[AuthServer]:
    server = start_auth_server(certs.good, getattr(request, "param", AuthServerOptions()))
    yield server
    server.stop()


@dataclass
class Lab:
    auth: AuthServer
    dovecot: DovecotServer
    postfix: PostfixServer
    dns: DnsServer
    pki: LabPKI
    tmp_path: Path


@pytest.fixture
def lab(
    auth_server: AuthServer,
    oauth_dovecot: DovecotServer,
    oauth_postfix: PostfixServer,
    dns_server: DnsServer,
    pki: LabPKI,
    tmp_path: Path,
) -> Lab:
    return Lab(auth_server, oauth_dovecot, oauth_postfix, dns_server, pki, tmp_path)


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    home: Path
    shown_codes: list[str] = field(default_factory=list)


def run_check(
    lab: Lab,
    decision: str | None,
    *extra: str,
    scope: str = "mail",
    keyring_file: Path | None = None,
    client_id: str = CLIENT_ID,
) -> Run:
    """The real CLI in a process of its own, with HOME and XDG dirs in `tmp_path`; when the code appears
    on its standard error, the test approves (`decision`) at the server, as the person would."""
    auth, dovecot, postfix, pki = lab.auth, lab.dovecot, lab.postfix, lab.pki
    home = lab.tmp_path / "home"
    home.mkdir(exist_ok=True)
    argv = [
        sys.executable, "-m", "maildoctor", "check", f"{USER}@example.test",
        "--user", USER,
        "--incoming", f"imaps://mail.example.test:{dovecot.ports['imaps']}",
        "--outgoing", f"smtps://mail.example.test:{postfix.ports['smtps']}",
        "--oauth2", "--oauth2-client-id", client_id,
        "--oauth2-authority", f"https://mail.example.test:{auth.port}",
        "--oauth2-scope", scope,
        "--dns", lab.dns.nameserver, "--ca-file", str(pki.ca.cert), "--timeout", "15", "--lang", "en",
        *extra,
    ]  # fmt: skip
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "COLUMNS": "200",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }
    if keyring_file is not None:  # the test keyring, outside HOME as the OS keyring's store would be
        env["PYTHON_KEYRING_BACKEND"] = "memory_file.FileKeyring"
        env["MAILDOCTOR_TEST_KEYRING"] = str(keyring_file)
        env["PYTHONPATH"] = os.pathsep.join(
            (str(Path(__file__).parents[1] / "keyring_lab"), env.get("PYTHONPATH", ""))
        )
    process = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    assert process.stderr is not None and process.stdout is not None
    stdout_parts: list[str] = []
    reader = threading.Thread(target=lambda: stdout_parts.append(process.stdout.read()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    run = Run(0, "", "", home)
    lines: list[str] = []
    for line in process.stderr:
        lines.append(line)
        found = _CODE.search(line)
        if found and decision is not None and not run.shown_codes:
            run.shown_codes.append(found.group(1))
            context = ssl.create_default_context(cafile=str(pki.ca.cert))
            person = {"user_code": found.group(1), "user": USER, "decision": decision}
            _post(auth, context, "/approve", person)
        elif found and not run.shown_codes:
            run.shown_codes.append(found.group(1))
    run.code = process.wait(timeout=60)
    reader.join(10)
    run.stdout, run.stderr = "".join(stdout_parts), "".join(lines)
    return run


def _token_forms(token: str) -> set[str]:
    forms = {token, base64.b64encode(token.encode()).decode()}
    for mechanism in oauth.MECHANISMS:
        forms.add(oauth.initial_response(mechanism, USER, token).decode())
        forms.add(base64.b64decode(oauth.initial_response(mechanism, USER, token)).decode())
    return forms


def _issued_tokens(auth: AuthServer) -> list[str]:
    return list(auth.tokens)


def _assert_nowhere(run: Run, tokens: list[str]) -> None:
    assert tokens, "no token was issued: the canary would check nothing"
    files = [path for path in run.home.rglob("*") if path.is_file()]
    contents = [path.read_bytes().decode("utf-8", "replace") for path in files]
    for token in tokens:
        for form in _token_forms(token):
            assert form not in run.stdout and form not in run.stderr
            for path, text in zip(files, contents, strict=True):
                assert form not in text, path


def test_signed_in_the_logins_succeed_and_the_token_is_nowhere(
    lab: Lab,
) -> None:
    for extra in ((), ("--json",), ("--transcript",)):
        run = run_check(lab, "allow", *extra)
        assert run.shown_codes, run.stderr
        assert f"https://127.0.0.1:{lab.auth.port}/device" in run.stderr  # the lab server's address
        assert "Signed in" in run.stderr
        if extra == ("--json",):
            document = json.loads(run.stdout)
            logins = [c for c in document["checks"] if c["id"] == "login"]
            assert {c["server"] for c in logins} == {"incoming", "outgoing"}, document["checks"]
            assert all(c["status"] == "pass" for c in logins), logins
            assert document["findings"] == []
        if extra == ("--transcript",):
            assert "AUTHENTICATE OAUTHBEARER" in run.stdout and "AUTH OAUTHBEARER" in run.stdout
            assert "********" in run.stdout
        assert run.code == 0, (run.stderr, run.stdout)
        assert "AUTH_FAILED" not in run.stdout and "TOKEN" not in run.stdout
    _assert_nowhere(run, _issued_tokens(lab.auth))


def test_refused_consent_checks_nothing(
    lab: Lab,
) -> None:
    logins = lab.dovecot.log.read_text(errors="replace").count("Login:")
    run = run_check(lab, "deny", "--json")
    assert run.code == 3 and run.stdout == ""
    assert "access was not allowed" in run.stderr
    assert lab.auth.tokens == []
    assert lab.dovecot.log.read_text(errors="replace").count("Login:") == logins  # no login tried


@pytest.mark.parametrize("auth_server", [AuthServerOptions(code_lifetime=2.5)], indirect=True)
def test_the_code_expires(
    lab: Lab,
) -> None:
    run = run_check(lab, None)
    assert run.shown_codes and run.code == 3 and run.stdout == ""
    assert "code expired" in run.stderr
    polls = [answer for _, answer in lab.auth.polls]
    assert polls and set(polls) == {"authorization_pending"}  # polled at the server's pace, never too fast


@pytest.mark.parametrize(
    ("auth_server", "scope"),
    [(AuthServerOptions(token_lifetime=-30), "mail"), (AuthServerOptions(), "calendar")],
    indirect=["auth_server"],
)
def test_a_token_the_mail_server_refuses_gives_sign_in_refused(
    lab: Lab,
    scope: str,
) -> None:
    run = run_check(lab, "allow", "--json", scope=scope)
    assert run.code == 1, run.stderr
    document = json.loads(run.stdout)
    found = {(f["cause"], f["server"]) for f in document["findings"]}
    assert found == {("SIGN_IN_REFUSED", "incoming"), ("SIGN_IN_REFUSED", "outgoing")}, found
    incoming = next(f for f in document["findings"] if f["server"] == "incoming")
    assert "invalid token" in " ".join(incoming["evidence"])  # Dovecot's challenge: status invalid_token/401
    assert "sign in afresh" in " ".join(incoming["fix"])
    assert not any(f["cause"] == "AUTH_FAILED" for f in document["findings"])
    _assert_nowhere(run, _issued_tokens(lab.auth))


def test_keep_token_keeps_the_sign_in_in_the_keyring_only(lab: Lab) -> None:
    keyring_file = lab.tmp_path / "os-keyring.json"
    first = run_check(lab, "allow", "--keep-token", keyring_file=keyring_file)
    assert first.code == 0 and first.shown_codes, first.stderr
    assert "kept in the system's keyring" in first.stderr
    (token,) = _issued_tokens(lab.auth)
    assert token in keyring_file.read_text()  # kept there, and (the canary) nowhere under HOME
    _assert_nowhere(first, [token])
    second = run_check(lab, None, "--keep-token", "--json", keyring_file=keyring_file)
    assert second.code == 0, second.stderr
    assert not second.shown_codes and "keyring" in second.stderr  # no second sign-in
    assert len(_issued_tokens(lab.auth)) == 1
    _assert_nowhere(second, [token])
    without = run_check(lab, "allow", "--json", keyring_file=keyring_file)
    assert without.shown_codes  # without --keep-token the keyring is not read


@pytest.mark.parametrize("auth_server", [AuthServerOptions(token_lifetime=-30)], indirect=True)
def test_an_expired_kept_sign_in_is_not_used(lab: Lab) -> None:
    keyring_file = lab.tmp_path / "os-keyring.json"
    first = run_check(lab, "allow", "--keep-token", keyring_file=keyring_file)
    assert first.code == 1  # the token was born expired: the mail servers refuse it
    assert (
        "sign_in" not in keyring_file.read_text()
        and _issued_tokens(lab.auth)[0] not in keyring_file.read_text()
    )


def test_an_unknown_client_id_is_said_and_nothing_is_checked(lab: Lab) -> None:
    run = run_check(lab, "allow", "--json", client_id="someone-elses-client")
    assert run.code == 3 and run.stdout == "" and not run.shown_codes
    assert "invalid_client" in run.stderr and "client ID" in run.stderr
