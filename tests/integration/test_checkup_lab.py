"""The check day on the lab's real Dovecot, Postfix and Unbound: a small company's book checked,
kept, and reported; two check-ups at once on one book; a check-up killed halfway loses nothing."""

from __future__ import annotations

import asyncio
import signal
import socket
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from checkup_cli import checkup_argv, checkup_env
from cryptography.fernet import Fernet

from maildoctor.checkup.limits import ServerLimits
from maildoctor.checkup.passwords import FILE_VARIABLE, KEY_VARIABLE, store_in_file
from maildoctor.checkup.runner import CheckupOptions, checkup_company
from maildoctor.ledger.book import Book
from maildoctor.ledger.location import sqlite_url
from maildoctor.ledger.records import ACCOUNTS, COMPANIES, DEVICES, DOMAINS
from maildoctor.ledger.store import open_book, transaction
from maildoctor.model import Secret
from maildoctor.net.resolver import Nameserver
from maildoctor_lab.certs import LabPKI
from maildoctor_lab.dns import DnsServer, DnsZone, running_dns, zone_from_records
from maildoctor_lab.dovecot import DovecotServer
from maildoctor_lab.postfix import PostfixServer

pytestmark = pytest.mark.lab

ZONES: list[DnsZone] = [
    zone_from_records(
        "example.test",
        [
            "@ MX 10 mail",
            "mail A 127.0.0.1",
            '@ TXT "v=spf1 ip4:127.0.0.1 -all"',
            '_dmarc TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@example.test"',
        ],
    )
]
PASSWORDS = {"alice@example.test": "secret", "bob@example.test": "wrong-password"}


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts and never says a word: a check of it waits until its time is up."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


def make_book(path: Path, dovecot: DovecotServer, postfix: PostfixServer, silent: int | None = None) -> str:
    engine = open_book(sqlite_url(path), create=True)
    imap = f"imap+starttls://mail.example.test:{dovecot.ports['imap']}"
    smtp = f"smtp+starttls://mail.example.test:{postfix.ports['submission']}"
    with transaction(engine) as session:
        book = Book(session, actor="test")
        company = book.add(COMPANIES, None, {"code": "acme", "name": "株式会社アクメ"})
        for user in ("alice", "bob", "carol"):
            book.add(
                ACCOUNTS,
                company,
                {"address": f"{user}@example.test", "incoming": imap, "outgoing": smtp, "username": user},
            )
        if silent is not None:
            book.add(
                ACCOUNTS,
                company,
                {"address": "slow@example.test", "incoming": f"imap+starttls://mail.example.test:{silent}"},
            )
        for name, protocol, leave in (("事務所PC", "pop3", "no"), ("alice-iphone", "imap", None)):
            typed = {"name": name, "account": "alice@example.test", "kind": "outlook", "protocol": protocol}
            if leave is not None:
                typed["leave_on_server"] = leave
            book.add(DEVICES, company, typed)
        renewal = (date.today() + timedelta(days=20)).isoformat()
        book.add(DOMAINS, company, {"name": "example.test", "renewal_on": renewal})
        book.add(DOMAINS, company, {"name": "forgotten.test"})
    engine.dispose()
    return sqlite_url(path)


def options(dns_server: DnsServer, pki: LabPKI, cache: Path) -> CheckupOptions:
    return CheckupOptions(
        nameservers=(Nameserver.parse(dns_server.nameserver),),
        timeout=6,
        ca_file=pki.ca.cert,
        cache_dir=cache,
        registration=False,
        passwords=lambda address: Secret(PASSWORDS[address]) if address in PASSWORDS else None,
    )


def bob_logins(dovecot: DovecotServer) -> int:
    log = dovecot.log.read_text(errors="replace")
    return sum(1 for line in log.splitlines() if "user=<bob>" in line and "auth" in line.lower())


def test_a_small_check_day_on_the_lab(
    tmp_path: Path, dovecot: DovecotServer, postfix: PostfixServer, dns_server: DnsServer, pki: LabPKI
) -> None:
    url = make_book(tmp_path / "book.sqlite3", dovecot, postfix)
    engine = open_book(url)
    chosen = options(dns_server, pki, tmp_path / "cache")
    before = bob_logins(dovecot)
    limits = ServerLimits(per_user=1, per_server=2)
    first = asyncio.run(checkup_company(engine, "acme", chosen, limits=limits))
    assert limits.peak[("mail.example.test", "")] == 2  # three accounts on one server: 2 at once
    assert all(count == 1 for (_, user), count in limits.peak.items() if user)
    new = {(f.cause, f.subject) for f in first.changes.new}
    assert ("AUTH_FAILED", "bob@example.test") in new
    assert not any(subject == "alice@example.test" and cause == "AUTH_FAILED" for cause, subject in new)
    assert ("POP_DELETE_RISK", "alice@example.test") in new
    assert ("DOMAIN_RENEWAL_UNKNOWN", "forgotten.test") in new
    assert ("DOMAIN_RENEWAL_UNKNOWN", "example.test") not in new
    assert first.without_login == ("carol@example.test",)
    # not logged in is not "the mail program does not log in": carol's programs do
    assert not [f for f in first.changes.new if f.subject == "carol@example.test"]
    expiry = [e for e in first.trends.expiries if e.kind == "domain"]
    assert [(e.what, e.days_left, e.alert) for e in expiry] == [("example.test", 20, 30)]
    assert "carol@example.test" in first.text("en")
    assert "パスワード" in first.text("ja")
    assert bob_logins(dovecot) - before == 1  # one login for the wrong password, no retry

    # the next check day: the wrong password is remembered, so bob is not tried again
    second = asyncio.run(checkup_company(engine, "acme", chosen))
    assert bob_logins(dovecot) - before == 1
    assert second.previous_day is not None
    assert not second.changes.gone  # nothing flapped away after one run
    # the remembered failure keeps the finding (no login, no "fixed")
    assert "AUTH_FAILED|bob@example.test|mail.example.test" in {f.id for f in second.changes.still}
    assert not [e for e in second.trends.alerts if e.kind == "domain"]  # the 30-day alert was said once
    engine.dispose()


def _checkup(
    url: str, dns_server: DnsServer, pki: LabPKI, cache: Path, secrets: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        checkup_argv(url, dns_server, pki, 4, "--company", "acme", "--json"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=checkup_env(cache, **(secrets or {})),
    )


def _items(path: Path) -> list[tuple[int, str, str, str]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT run_id, kind, subject, outcome FROM checkup_items ORDER BY id").fetchall()


def test_two_check_ups_at_once_on_one_book(
    tmp_path: Path, dovecot: DovecotServer, postfix: PostfixServer, dns_server: DnsServer, pki: LabPKI
) -> None:
    path = tmp_path / "book.sqlite3"
    url = make_book(path, dovecot, postfix)
    # headless: alice's password in the encrypted file, its key in the environment
    secrets = {KEY_VARIABLE: Fernet.generate_key().decode(), FILE_VARIABLE: str(tmp_path / "pw.fernet")}
    store_in_file("alice@example.test", Secret("secret"), secrets)
    assert b"secret" not in (tmp_path / "pw.fernet").read_bytes()
    runs = [_checkup(url, dns_server, pki, tmp_path / f"cache{n}", secrets) for n in (1, 2)]
    for process in runs:
        out, err = process.communicate(timeout=120)
        assert process.returncode in (0, 1), err
        assert '"maildoctor.checkup/1"' in out
    with sqlite3.connect(path) as db:
        finished = db.execute("SELECT id FROM checkup_runs WHERE finished_at IS NOT NULL").fetchall()
    assert len(finished) == 2
    per_run: dict[int, set[tuple[str, str]]] = {}
    for run_id, kind, subject, _outcome in _items(path):
        per_run.setdefault(run_id, set()).add((kind, subject))
    expected = {("book", "acme"), ("domain", "example.test"), ("domain", "forgotten.test")} | {
        ("account", f"{user}@example.test") for user in ("alice", "bob", "carol")
    }
    assert list(per_run.values()) == [expected, expected]
    with sqlite3.connect(path) as db:
        logins = db.execute("SELECT subject, login FROM checkup_items WHERE kind = 'account'").fetchall()
        causes = {
            row[0]
            for row in db.execute("SELECT cause FROM checkup_findings WHERE subject = 'alice@example.test'")
        }
    assert sorted(set(logins)) == [
        ("alice@example.test", "login"),
        ("bob@example.test", "no_password"),
        ("carol@example.test", "no_password"),
    ]
    assert "AUTH_FAILED" not in causes  # the file's password logged in


def test_a_check_up_killed_halfway_loses_nothing(
    tmp_path: Path,
    dovecot: DovecotServer,
    postfix: PostfixServer,
    dns_server: DnsServer,
    pki: LabPKI,
    silent_server: int,
) -> None:
    path = tmp_path / "book.sqlite3"
    url = make_book(path, dovecot, postfix, silent=silent_server)
    process = _checkup(url, dns_server, pki, tmp_path / "cache")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(_items(path)) < 4:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    recorded = _items(path)
    assert 4 <= len(recorded) < 7, "killed before the slow account was done"
    assert ("account", "slow@example.test") not in {(kind, subject) for _, kind, subject, _ in recorded}

    again = _checkup(url, dns_server, pki, tmp_path / "cache")
    _out, err = again.communicate(timeout=120)
    assert again.returncode in (0, 1), err
    after = _items(path)
    assert after[: len(recorded)] == recorded  # nothing lost, nothing done twice
    assert {run_id for run_id, *_ in after} == {recorded[0][0]}  # the same run, completed
    assert len(after) == 7
    slow = [outcome for _, kind, subject, outcome in after if subject == "slow@example.test"]
    assert len(slow) == 1  # a server that never greets: examined once, in the completed run
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM checkup_runs WHERE finished_at IS NOT NULL").fetchone() == (
            1,
        )


def test_a_lying_resolver_makes_nothing_failed(
    tmp_path: Path, lab_root: Path, dovecot: DovecotServer, postfix: PostfixServer, pki: LabPKI
) -> None:
    """A DNS server that says no name exists: every account and domain "could not be tested", none
    "failed" (test_checkup.py: such a run changes no state)."""
    url = make_book(tmp_path / "book.sqlite3", dovecot, postfix)
    engine = open_book(url)
    with running_dns(lab_root / "checkup-lying", [], lie="nxdomain") as liar:
        report = asyncio.run(checkup_company(engine, "acme", options(liar, pki, tmp_path / "cache")))
    untested = {
        (item.subject, item.reason.value if item.reason else None) for item in report.changes.untested
    }
    assert untested == {
        ("alice@example.test", "resolver_broken"),
        ("bob@example.test", "resolver_broken"),
        ("carol@example.test", "resolver_broken"),
        ("example.test", "resolver_broken"),
        ("forgotten.test", "resolver_broken"),
    }
    assert {f.cause for f in report.changes.new} <= {
        "POP_DELETE_RISK",
        "DOMAIN_RENEWAL_UNKNOWN",
    }  # the book's
    assert "not a failure" in report.text("en")
    engine.dispose()
