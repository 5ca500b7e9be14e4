"""The one-login guard kept in the book (checkup/logins.py) on a real SQLite book: a login claimed once
per run, server, protocol and user name — a second claim (another worker, or the job run again after
its worker was killed) is refused, even when racing; a failure recorded by one worker is honoured by
the others and by later runs for the remembered-failure window, unless the person insists; the account
item and the report say a login was not tried again. The migration 0004 up and down."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine

from maildoctor.checkup.classify import account_item
from maildoctor.checkup.logins import BookLoginGuard, LoginKey, claim, failed_recently, settle
from maildoctor.checkup.model import ItemKind, LoginMode, Outcome, RecordedItem, RecordedRun
from maildoctor.checkup.report import CheckupReport
from maildoctor.facts import DiagnosisFacts, LoginFacts, LoginOutcome, LoginSkip, ServerFacts, SessionFacts
from maildoctor.ledger.book import Book
from maildoctor.ledger.location import sqlite_url
from maildoctor.ledger.records import COMPANIES
from maildoctor.ledger.schema import CheckupLogin, CheckupRun, now
from maildoctor.ledger.store import downgrade, make_engine, open_book, transaction, upgrade
from maildoctor.loginguard import REMEMBER_SECONDS
from maildoctor.model import MailSettings, Report, ServerRole, Verdict, parse_server_url

KEY = LoginKey.of("IMAP", "Mail.Example.JP.", "taro")


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Engine]:
    engine = open_book(sqlite_url(tmp_path / "book.sqlite3"), create=True)
    with transaction(engine) as session:
        Book(session, actor="test").add(COMPANIES, None, {"code": "acme", "name": "アクメ商事"})
    yield engine
    engine.dispose()


def new_run(engine: Engine) -> int:
    with transaction(engine) as session:
        run = CheckupRun(company_id=1, owner="test")
        session.add(run)
        session.flush()
        return run.id


def guard(engine: Engine, run_id: int, tmp_path: Path, *, force: bool = False) -> BookLoginGuard:
    """A worker's guard: its own cache directory (another machine), the one book."""
    return BookLoginGuard(cache_dir=tmp_path, force=force, engine=engine, run_id=run_id)


def test_a_login_is_claimed_once_per_run_server_protocol_and_user(book: Engine) -> None:
    first, second = new_run(book), new_run(book)
    assert claim(book, first, KEY)
    assert not claim(book, first, KEY)  # the same run: never a second attempt
    assert not claim(book, first, LoginKey.of("imap", "mail.example.jp", "taro"))  # the same, as typed
    assert claim(book, second, KEY)  # the next run logs in again
    assert claim(book, first, LoginKey.of("smtp", "mail.example.jp", "taro"))
    assert claim(book, first, LoginKey.of("imap", "mail.example.jp", "hanako"))
    with transaction(book) as session:
        assert (
            session.scalars(select(CheckupLogin.host).where(CheckupLogin.run_id == first)).all()
            == ["mail.example.jp"] * 3
        )


def test_racing_workers_make_one_attempt(book: Engine, tmp_path: Path) -> None:
    run_id = new_run(book)
    url = book.url.render_as_string(hide_password=False)
    engines = [make_engine(url) for _ in range(8)]  # one connection pool per worker
    start = threading.Barrier(len(engines))
    answers: list[tuple[bool, str | None]] = []

    def worker(engine: Engine, number: int) -> None:
        start.wait()
        answers.append(
            guard(engine, run_id, tmp_path / str(number)).may_try("imap", "mail.example.jp", "taro")
        )

    threads = [threading.Thread(target=worker, args=(e, n)) for n, e in enumerate(engines)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for engine in engines:
        engine.dispose()
    assert sorted(answers, key=str) == [(False, "already_tried")] * 7 + [(True, None)]


def test_the_job_run_again_does_not_log_in_again(book: Engine, tmp_path: Path) -> None:
    run_id = new_run(book)
    killed = guard(book, run_id, tmp_path / "a")
    assert killed.may_try("imap", "mail.example.jp", "taro") == (True, None)
    # its worker is killed before it records the outcome; the job runs again on another worker
    again = guard(book, run_id, tmp_path / "b")
    assert again.may_try("imap", "mail.example.jp", "taro") == (False, "already_tried")
    assert again.may_try("smtp", "mail.example.jp", "taro") == (True, None)  # not yet tried: allowed


def test_a_failure_is_honoured_across_workers_and_runs_until_the_window_ends(
    book: Engine, tmp_path: Path
) -> None:
    first = guard(book, new_run(book), tmp_path / "a")
    assert first.may_try("imap", "mail.example.jp", "taro") == (True, None)
    first.record("imap", "mail.example.jp", "taro", failed=True)
    assert not failed_recently(book, KEY)  # written after the check, off the event loop
    asyncio.run(first.flush())
    later = new_run(book)
    assert guard(book, later, tmp_path / "b").may_try("imap", "mail.example.jp", "taro") == (
        False,
        "remembered_failure",
    )
    assert failed_recently(book, KEY)
    assert not failed_recently(book, KEY, now() + timedelta(seconds=REMEMBER_SECONDS + 60))
    # the person insists: one attempt, still only one
    insisting = guard(book, later, tmp_path / "c", force=True)
    assert insisting.may_try("imap", "mail.example.jp", "taro") == (True, None)
    assert guard(book, later, tmp_path / "d", force=True).may_try("imap", "mail.example.jp", "taro") == (
        False,
        "already_tried",
    )
    insisting.record("imap", "mail.example.jp", "taro", failed=False)
    asyncio.run(insisting.flush())
    assert not failed_recently(book, KEY)  # a later success forgets the failure, as `check` does


def test_the_logins_a_check_will_make_are_claimed_ahead(book: Engine, tmp_path: Path) -> None:
    run_id = new_run(book)
    ahead = guard(book, run_id, tmp_path / "a")
    asyncio.run(ahead.prepare([KEY, LoginKey.of("smtp", "mail.example.jp", "taro")]))
    with transaction(book) as session:
        assert len(session.scalars(select(CheckupLogin.id).where(CheckupLogin.run_id == run_id)).all()) == 2
    assert ahead.may_try("imap", "mail.example.jp", "taro") == (True, None)
    assert ahead.may_try("imap", "mail.example.jp", "taro") == (False, "already_tried")
    other = guard(book, run_id, tmp_path / "b")
    asyncio.run(other.prepare([KEY]))
    assert other.may_try("imap", "mail.example.jp", "taro") == (False, "already_tried")
    assert other.may_try("pop3", "mail.example.jp", "taro") == (True, None)  # not foreseen: asked now


def test_an_unsettled_claim_is_not_a_failure(book: Engine) -> None:
    run_id = new_run(book)
    assert claim(book, run_id, KEY)
    assert not failed_recently(book, KEY)
    settle(book, run_id, KEY, failed=True)
    assert failed_recently(book, KEY)


def test_the_book_never_keeps_a_password(book: Engine) -> None:
    columns = {column["name"] for column in inspect(book).get_columns("checkup_logins")}
    assert columns == {"id", "run_id", "host", "protocol", "username", "claimed_at", "outcome", "finished_at"}


def test_migration_0004_up_and_down(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "m.sqlite3"))
    upgrade(engine, "0003")
    assert "checkup_logins" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert "checkup_logins" in inspect(engine).get_table_names()
    downgrade(engine, "0003")
    names = set(inspect(engine).get_table_names())
    assert "checkup_logins" not in names and "checkup_sendings" in names
    upgrade(engine)
    assert "checkup_logins" in inspect(engine).get_table_names()
    engine.dispose()


def facts_with(login: LoginFacts) -> tuple[Report, DiagnosisFacts]:
    endpoint = parse_server_url("imaps://mail.example.jp:993")
    session = SessionFacts(ServerRole.INCOMING, endpoint, login=login)
    facts = DiagnosisFacts(
        "taro@example.jp",
        "example.jp",
        servers=(ServerFacts(ServerRole.INCOMING, endpoint, "taro", None, session),),
    )
    report = Report("taro@example.jp", Verdict.OK, (), (), 0, MailSettings(endpoint, None, "taro"), None)
    return report, facts


@pytest.mark.parametrize(
    ("login", "mode"),
    [
        (LoginFacts(LoginOutcome.SKIPPED, skip_reason=LoginSkip.ALREADY_TRIED), LoginMode.NOT_REPEATED),
        (LoginFacts(LoginOutcome.SUCCESS), LoginMode.LOGGED_IN),
        (LoginFacts(LoginOutcome.SKIPPED, skip_reason=LoginSkip.REMEMBERED_FAILURE), LoginMode.LOGGED_IN),
    ],
)
def test_the_item_says_the_login_was_not_tried_again(login: LoginFacts, mode: LoginMode) -> None:
    item = account_item("taro@example.jp", *facts_with(login), LoginMode.LOGGED_IN)
    assert item.login is mode


@pytest.mark.parametrize(
    ("lang", "words"), [("en", "Not logged in again"), ("ja", "もう一度はログインしていません")]
)
def test_the_report_says_which_logins_were_not_tried_again(lang: str, words: str) -> None:
    item = RecordedItem(ItemKind.ACCOUNT, "taro@example.jp", Outcome.CHECKED, login=LoginMode.NOT_REPEATED)
    report = CheckupReport.of([RecordedRun(1, "acme", now(), True, (item,))])
    assert report.not_repeated == ("taro@example.jp",)
    assert report.to_json()["login_not_repeated"] == ["taro@example.jp"]
    text = report.text(lang)
    assert words in text and "taro@example.jp" in text
