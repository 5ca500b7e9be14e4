"""The check day on the task queue (procrastinate in the shared PostgreSQL book): Debian's PostgreSQL
started here, a real Dovecot and Postfix of the lab, three `maildoctor checkup --worker` processes —
the first killed (SIGKILL) while it holds jobs. Every account is recorded exactly once in the run, the
killed worker's jobs are run again by the others, and the servers' own logs show the per-server and
per-user limits held across the workers."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from checkup_cli import checkup_argv, checkup_env
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError
from test_ledger_postgresql import postgresql

from maildoctor.ledger.book import Book
from maildoctor.ledger.records import ACCOUNTS, COMPANIES
from maildoctor.ledger.store import make_engine, open_book, transaction
from maildoctor_lab.certs import LabPKI
from maildoctor_lab.dns import DnsServer, DnsZone, zone_from_records
from maildoctor_lab.dovecot import (
    PRECISE_LOG_TIMESTAMP,
    DovecotOptions,
    DovecotServer,
    MailUser,
    start_dovecot,
)
from maildoctor_lab.fleet import anvil_peaks, dovecot_sessions, enable_anvil_statistics, peak, peaks_per_user
from maildoctor_lab.postfix import PostfixServer, start_postfix

pytestmark = pytest.mark.lab

__all__ = ["postgresql"]  # the fixture, from the book's PostgreSQL tests
ZONES: list[DnsZone] = [zone_from_records("example.test", ["@ MX 10 mail", "mail A 127.0.0.1"])]
USERS = tuple(MailUser(f"q{number:02d}", f"pw-{number}") for number in range(12))
PER_SERVER, PER_USER = 3, 1


@pytest.fixture(scope="module")
def servers(lab_root: Path, pki: LabPKI) -> Iterator[tuple[DovecotServer, PostfixServer]]:
    certificate = pki.issue("queue", ("mail.example.test", "127.0.0.1"))
    options = DovecotOptions(
        users=USERS, max_userip_connections=PER_USER, log_timestamp=PRECISE_LOG_TIMESTAMP
    )
    dovecot = start_dovecot(lab_root / "queue-dovecot", certificate, options)
    postfix = start_postfix(lab_root / "queue-postfix", dovecot, certificate)
    enable_anvil_statistics(postfix)
    yield dovecot, postfix
    postfix.stop()
    dovecot.stop()


def make_book(url: str, dovecot: DovecotServer, postfix: PostfixServer) -> None:
    engine = open_book(url, create=True)
    with transaction(engine) as session:
        book = Book(session, actor="test")
        company = book.add(COMPANIES, None, {"code": "queued", "name": "キュー商事"})
        for user in USERS:
            book.add(
                ACCOUNTS,
                company,
                {
                    "address": f"{user.name}@example.test",
                    "incoming": f"imap+starttls://mail.example.test:{dovecot.ports['imap']}",
                    "outgoing": f"smtp+starttls://mail.example.test:{postfix.ports['submission']}",
                    "username": user.name,
                },
            )
    engine.dispose()


def maildoctor(
    url: str, dns: DnsServer, pki: LabPKI, env: dict[str, str], *args: str
) -> subprocess.Popen[str]:
    limits = ["--per-server", str(PER_SERVER), "--per-user", str(PER_USER)]
    return subprocess.Popen(
        checkup_argv(url, dns, pki, 15, *limits, "--lang", "en", *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def doing(url: str) -> int:
    engine = make_engine(url)
    query = text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'")
    try:
        with engine.connect() as connection:
            return int(connection.execute(query).scalar_one())
    except ProgrammingError:
        return 0  # the queue's tables are not there yet
    finally:
        engine.dispose()


def test_three_workers_one_killed_every_account_once_and_the_limits_hold(
    postgresql: str,
    servers: tuple[DovecotServer, PostfixServer],
    dns_server: DnsServer,
    pki: LabPKI,
    tmp_path: Path,
) -> None:
    from cryptography.fernet import Fernet

    from maildoctor.checkup.passwords import FILE_VARIABLE, KEY_VARIABLE, store_in_file
    from maildoctor.model import Secret

    dovecot, postfix = servers
    key = Fernet.generate_key().decode()
    secrets = {KEY_VARIABLE: key, FILE_VARIABLE: str(tmp_path / "passwords.fernet")}
    for user in USERS:
        store_in_file(f"{user.name}@example.test", Secret(user.password), secrets)
    env = checkup_env(tmp_path / "cache", **secrets)
    make_book(postgresql, dovecot, postfix)
    log_start = len(dovecot.log.read_text(errors="replace").splitlines())
    enqueuer = maildoctor(postgresql, dns_server, pki, env, "--company", "queued", "--queue", "--json")
    workers = [maildoctor(postgresql, dns_server, pki, env, "--worker")]
    try:
        deadline = time.monotonic() + 60
        while doing(postgresql) == 0:  # the first worker has taken jobs: kill it in the middle of them
            assert time.monotonic() < deadline, (
                workers[0].stderr.read() if workers[0].poll() is not None else ""
            )
            time.sleep(0.05)
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(10)
        workers += [maildoctor(postgresql, dns_server, pki, env, "--worker") for _ in range(2)]
        out, err = enqueuer.communicate(timeout=180)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(20)
            except subprocess.TimeoutExpired:
                worker.kill()
    assert enqueuer.returncode in (0, 1), err
    assert "Queued the check-up of queued: 12 jobs" in err
    engine = make_engine(postgresql)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT subject, count(*) FROM checkup_items WHERE kind = 'account' GROUP BY subject")
        ).all()
        events = dict(
            connection.execute(text("SELECT type, count(*) FROM procrastinate_events GROUP BY type")).all()
        )
        finished = connection.execute(
            text("SELECT count(*) FROM checkup_runs WHERE finished_at IS NOT NULL")
        ).scalar_one()
    engine.dispose()
    assert sorted(rows) == [(f"{user.name}@example.test", 1) for user in USERS]  # each exactly once
    # the killed worker's jobs were put back in the queue and started again by the others
    assert events.get("deferred_for_retry", 0) >= 1 and events["started"] > len(USERS)
    assert events["succeeded"] == len(USERS)
    assert finished == 1
    assert '"company": "queued"' in out

    time.sleep(1.5)  # anvil's last statistics
    lines = dovecot.log.read_text(errors="replace").splitlines()[log_start:]
    sessions = dovecot_sessions(lines)
    assert sessions and peak(sessions) <= PER_SERVER
    assert max(peaks_per_user(sessions).values()) <= PER_USER
    assert not [line for line in lines if "Maximum number of connections" in line]
    smtp = anvil_peaks(postfix.log.read_text(errors="replace").splitlines())
    assert smtp and max(smtp.values()) <= PER_SERVER
