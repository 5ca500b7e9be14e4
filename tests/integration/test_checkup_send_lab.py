"""`checkup --send` end to end on the lab: the report goes by mail through the book's account on the
real Postfix (read back from bob's mailbox on Dovecot) and to an Apprise json:// endpoint on
loopback; the sendings and the expiry alert are kept in the book; the next check day, with nothing
changed, sends nothing — and the 30-day alert is not sent a second time."""

from __future__ import annotations

import json
import sqlite3
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from checkup_cli import checkup_argv, checkup_env
from test_ledger_notify_lab import subjects

from maildoctor.ledger.book import Book
from maildoctor.ledger.location import sqlite_url
from maildoctor.ledger.records import ACCOUNTS, COMPANIES, DOMAINS
from maildoctor.ledger.store import open_book, transaction
from maildoctor_lab.certs import LabPKI
from maildoctor_lab.dns import DnsServer, DnsZone, zone_from_records
from maildoctor_lab.dovecot import DovecotServer
from maildoctor_lab.postfix import PostfixServer

pytestmark = pytest.mark.lab

ZONES: list[DnsZone] = [zone_from_records("example.test", ["@ MX 10 mail", "mail A 127.0.0.1"])]


class Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, str]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(min(int(self.headers.get("Content-Length", "0")), 1 << 20))
        type(self).received.append(json.loads(body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def hook() -> Iterator[tuple[int, type[Hook]]]:
    handler = type("Handler", (Hook,), {"received": []})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], handler
    server.shutdown()
    server.server_close()


def make_book(path: Path, dovecot: DovecotServer, postfix: PostfixServer) -> str:
    engine = open_book(sqlite_url(path), create=True)
    with transaction(engine) as session:
        book = Book(session, actor="test")
        company = book.add(COMPANIES, None, {"code": "acme", "name": "株式会社アクメ"})
        book.add(
            ACCOUNTS,
            company,
            {
                "address": "alice@example.test",
                "incoming": f"imap+starttls://mail.example.test:{dovecot.ports['imap']}",
                # the report goes out through this account (the sending uses the system's resolver:
                # the lab's address, whose certificate names it)
                "outgoing": f"smtp+starttls://{postfix.host}:{postfix.ports['submission']}",
                "username": "alice",
            },
        )
        renewal = (date.today() + timedelta(days=20)).isoformat()
        book.add(DOMAINS, company, {"name": "example.test", "renewal_on": renewal})
        book.add(DOMAINS, company, {"name": "forgotten.test"})
    engine.dispose()
    return sqlite_url(path)


def checkup(
    url: str, dns: DnsServer, pki: LabPKI, cache: Path, hook_port: int
) -> subprocess.CompletedProcess[str]:
    sending = ["--send", "--mail-from", "alice@example.test", "--mail-to", "bob@example.test"]
    return subprocess.run(
        checkup_argv(
            url, dns, pki, 6, "--lang", "en", *sending, "--notify", f"json://127.0.0.1:{hook_port}/hook"
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        # alice's password, for the one login that sends
        env=checkup_env(cache, MAILDOCTOR_NOTIFY_PASSWORD="secret"),
    )


def test_the_report_is_sent_once_kept_and_not_sent_when_nothing_changed(
    tmp_path: Path,
    dovecot: DovecotServer,
    postfix: PostfixServer,
    dns_server: DnsServer,
    pki: LabPKI,
    lab_ca_context: ssl.SSLContext,
    hook: tuple[int, type[Hook]],
) -> None:
    port, handler = hook
    url = make_book(tmp_path / "book.sqlite3", dovecot, postfix)
    first = checkup(url, dns_server, pki, tmp_path / "cache", port)
    assert first.returncode == 1, first.stderr  # problems found, and the report went out
    assert "Mail to smtp+starttls://alice@" in first.stderr and first.stderr.count(": sent") == 2
    assert "secret" not in first.stdout + first.stderr
    with sqlite3.connect(tmp_path / "book.sqlite3") as db:
        run_id = db.execute("SELECT max(id) FROM checkup_runs").fetchone()[0]
        subject = "Check day acme: "
        sendings = db.execute("SELECT run_id, channel, ok FROM checkup_sendings ORDER BY id").fetchall()
        alerts = db.execute("SELECT kind, what, threshold FROM checkup_alerts").fetchall()
    assert sendings == [(run_id, "mail", 1), (run_id, "apprise", 1)]
    assert alerts == [("domain", "example.test", 30)]
    assert len(handler.received) == 1 and handler.received[0]["title"].startswith(subject)
    assert "[alert: less than 30 days]" in handler.received[0]["message"]
    deadline = time.monotonic() + 15
    while not any(s.startswith(subject) for s in subjects(dovecot, lab_ca_context)):
        assert time.monotonic() < deadline, "the report did not arrive in bob's mailbox"
        time.sleep(0.2)
    arrived = sum(1 for s in subjects(dovecot, lab_ca_context) if s.startswith(subject))

    second = checkup(url, dns_server, pki, tmp_path / "cache", port)
    assert second.returncode == 1, second.stderr
    assert "Nothing changed since the last check day, so no report was sent." in second.stderr
    assert len(handler.received) == 1  # no second notification
    time.sleep(1)
    assert sum(1 for s in subjects(dovecot, lab_ca_context) if s.startswith(subject)) == arrived
    with sqlite3.connect(tmp_path / "book.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM checkup_sendings").fetchone()[0] == 2
        assert db.execute("SELECT count(*) FROM checkup_alerts").fetchone()[0] == 1
