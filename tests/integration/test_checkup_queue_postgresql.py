"""The check day on the task queue (procrastinate in the shared PostgreSQL book): Debian's PostgreSQL
started here, a real Dovecot and Postfix of the lab, three `maildoctor checkup --worker` processes —
the first killed (SIGKILL) while it holds jobs. Every account is recorded exactly once in the run, the
killed worker's jobs are run again by the others, and the servers' own logs show the per-server and
per-user limits held across the workers."""

from __future__ import annotations

import re
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from checkup_cli import checkup_argv, checkup_env
from sqlalchemy import text
from sqlalchemy.engine import Engine
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


# ------------------------------------------------------------------ the one-login guard in the book

IMAP_LOGIN = re.compile(r"imap-login: Info: Login: user=<(?P<user>[^>]*)>")


def imap_logins(dovecot: DovecotServer, since: int) -> Counter[str]:
    """The IMAP logins per user name, as Dovecot itself logged them after line `since`."""
    lines = dovecot.log.read_text(errors="replace").splitlines()[since:]
    return Counter(match["user"] for line in lines if (match := IMAP_LOGIN.search(line)))


def book_of(
    url: str,
    code: str,
    accounts: Sequence[tuple[str, MailUser]],
    servers: tuple[DovecotServer, PostfixServer],
) -> None:
    dovecot, postfix = servers
    engine = open_book(url, create=True)
    with transaction(engine) as session:
        book = Book(session, actor="test")
        company = book.add(COMPANIES, None, {"code": code, "name": "ログイン商事"})
        for address, user in accounts:
            book.add(
                ACCOUNTS,
                company,
                {
                    "address": address,
                    "incoming": f"imap+starttls://mail.example.test:{dovecot.ports['imap']}",
                    "outgoing": f"smtp+starttls://mail.example.test:{postfix.ports['submission']}",
                    "username": user.name,
                },
            )
    engine.dispose()


def secrets_for(accounts: Sequence[tuple[str, MailUser]], folder: Path) -> dict[str, str]:
    from cryptography.fernet import Fernet

    from maildoctor.checkup.passwords import FILE_VARIABLE, KEY_VARIABLE, store_in_file
    from maildoctor.model import Secret

    secrets = {KEY_VARIABLE: Fernet.generate_key().decode(), FILE_VARIABLE: str(folder / "passwords.fernet")}
    for address, user in accounts:
        store_in_file(address, Secret(user.password), secrets)
    return secrets


def stop_all(workers: Sequence[subprocess.Popen[str]]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()


COMPANY_LOGINS = """SELECT l.username, l.protocol FROM checkup_logins l JOIN checkup_runs r ON r.id = l.run_id
    JOIN companies c ON c.id = r.company_id WHERE c.code = :code"""
COMPANY_ITEMS = """SELECT i.subject, i.login FROM checkup_items i JOIN checkup_runs r ON r.id = i.run_id
    JOIN companies c ON c.id = r.company_id WHERE c.code = :code AND i.kind = 'account'"""


def rows(url: str, query: str, code: str) -> list[tuple[str, str | None]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return [(a, b) for a, b in connection.execute(text(query), {"code": code}).all()]
    finally:
        engine.dispose()


def test_a_worker_killed_after_its_login_is_not_followed_by_a_second_login(
    postgresql: str,
    servers: tuple[DovecotServer, PostfixServer],
    dns_server: DnsServer,
    pki: LabPKI,
    tmp_path: Path,
) -> None:
    dovecot = servers[0]
    accounts = [(f"claim-{user.name}@example.test", user) for user in USERS[:4]]
    names = {user.name for _, user in accounts}
    book_of(postgresql, "claimed", accounts, servers)
    env = checkup_env(tmp_path / "cache", **secrets_for(accounts, tmp_path))
    since = len(dovecot.log.read_text(errors="replace").splitlines())
    enqueuer = maildoctor(postgresql, dns_server, pki, env, "--company", "claimed", "--queue", "--json")
    workers = [maildoctor(postgresql, dns_server, pki, env, "--worker")]
    try:
        deadline = time.monotonic() + 60
        # kill the worker the moment Dovecot logs its first login: claimed, logged in, not yet recorded
        while not (logged := set(imap_logins(dovecot, since)) & names):
            assert time.monotonic() < deadline and workers[0].poll() is None
            time.sleep(0.005)
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(10)
        claimed = rows(postgresql, COMPANY_LOGINS, "claimed")
        recorded_then = {subject for subject, _ in rows(postgresql, COMPANY_ITEMS, "claimed")}
        workers += [maildoctor(postgresql, dns_server, pki, env, "--worker") for _ in range(2)]
        out, err = enqueuer.communicate(timeout=180)
    finally:
        stop_all([enqueuer, *workers])
    assert enqueuer.returncode in (0, 1), err
    assert {(name, "imap") for name in logged} <= set(claimed)  # each login was claimed before it was made
    in_flight = {f"claim-{name}@example.test" for name in logged} - recorded_then
    assert in_flight  # killed in the middle of a check, after its login
    items = dict(rows(postgresql, COMPANY_ITEMS, "claimed"))
    assert sorted(items) == sorted(address for address, _ in accounts)  # every account recorded once
    for address in in_flight:  # the job ran again, did not log in again, and says so
        assert items[address] == "not_repeated", items
    assert '"login_not_repeated": [' in out and sorted(in_flight)[0] in out
    logins = imap_logins(dovecot, since)
    for address, user in accounts:  # one login each, the killed worker's included: never a second
        if address in in_flight or items[address] == "login":
            assert logins[user.name] == 1, logins
        else:
            assert logins[user.name] <= 1, logins  # claimed by the killed worker, maybe not yet made


def test_two_workers_on_one_login_make_one_attempt(
    postgresql: str,
    servers: tuple[DovecotServer, PostfixServer],
    dns_server: DnsServer,
    pki: LabPKI,
    tmp_path: Path,
) -> None:
    dovecot = servers[0]
    shared = USERS[6]
    accounts = [(f"shared{number}@example.test", shared) for number in (1, 2)]  # one login, two accounts
    book_of(postgresql, "shared", accounts, servers)
    env = checkup_env(tmp_path / "cache", **secrets_for(accounts, tmp_path))
    since = len(dovecot.log.read_text(errors="replace").splitlines())
    workers = [maildoctor(postgresql, dns_server, pki, env, "--worker") for _ in range(2)]
    enqueuer = maildoctor(postgresql, dns_server, pki, env, "--company", "shared", "--queue", "--json")
    try:
        _, err = enqueuer.communicate(timeout=180)
    finally:
        stop_all([enqueuer, *workers])
    assert enqueuer.returncode in (0, 1), err
    assert imap_logins(dovecot, since)[shared.name] == 1
    assert sorted(login for _, login in rows(postgresql, COMPANY_ITEMS, "shared")) == [
        "login",
        "not_repeated",
    ]
    assert sorted(rows(postgresql, COMPANY_LOGINS, "shared")) == [
        (shared.name, "imap"),
        (shared.name, "smtp"),
    ]


def test_the_claim_is_atomic_on_postgresql(postgresql: str, tmp_path: Path) -> None:
    from maildoctor.checkup.logins import BookLoginGuard
    from maildoctor.ledger.schema import CheckupRun

    engine = open_book(postgresql, create=True)
    with transaction(engine) as session:
        company = Book(session, actor="test").add(COMPANIES, None, {"code": "racing", "name": "競争商事"})
        run = CheckupRun(company_id=company.id, owner="test")
        session.add(run)
        session.flush()
        run_id = run.id
    engine.dispose()
    engines = [make_engine(postgresql) for _ in range(8)]
    start = threading.Barrier(len(engines))
    answers: list[tuple[bool, str | None]] = []

    def worker(engine: Engine, number: int) -> None:
        guard = BookLoginGuard(cache_dir=tmp_path / str(number), engine=engine, run_id=run_id)
        start.wait()
        answers.append(guard.may_try("imap", "mail.example.test", "racer"))

    threads = [threading.Thread(target=worker, args=(e, n)) for n, e in enumerate(engines)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for each in engines:
        each.dispose()
    assert sorted(answers, key=str) == [(False, "already_tried")] * 7 + [(True, None)]
