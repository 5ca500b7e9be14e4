"""`checkup --send` and `--schedule`: which expiry alerts are due (each sent once per expiry date),
the sending options refused plainly, the migration of the sending tables, and the monthly timer
installed and removed with the real folder and runner replaced (the real system is never touched)."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import inspect
from test_ledger_schedule import FakeRunner

from maildoctor.checkup import alerts
from maildoctor.checkup.trends import Expiry, Trends
from maildoctor.cli.app import main
from maildoctor.ledger import schedule
from maildoctor.ledger.location import sqlite_url
from maildoctor.ledger.store import downgrade, make_engine, upgrade

LedgerCli = object
SENDING_TABLES = {"checkup_sendings", "checkup_alerts"}


def expiry(days_left: int, expires: date = date(2027, 1, 10)) -> Expiry:
    return Expiry("domain", "example.jp", "example.jp", expires, days_left, None)


def due(days_left: int, sent: set[alerts.AlertKey], expires: date = date(2027, 1, 10)) -> int | None:
    [found] = alerts.due(Trends((), (expiry(days_left, expires),)), sent).expiries
    return found.alert


def key(threshold: int, expires: date = date(2027, 1, 10)) -> alerts.AlertKey:
    return ("domain", "example.jp", expires, threshold)


@pytest.mark.parametrize(
    ("days_left", "sent", "alert"),
    [
        (40, set(), None),  # nothing reached
        (20, set(), 30),
        (20, {key(30)}, None),  # sent once: not again
        (10, {key(30)}, 14),
        (10, set(), 14),  # a missed 30-day alert is not sent late: the most urgent one is
        (5, {key(30), key(14)}, 7),
        (5, {key(30), key(14), key(7)}, None),
        (-2, {key(30), key(14), key(7)}, 0),  # expired
    ],
)
def test_each_expiry_alert_is_due_until_it_was_sent(
    days_left: int, sent: set[alerts.AlertKey], alert: int | None
) -> None:
    assert due(days_left, sent) == alert


def test_a_renewed_date_starts_the_alerts_over() -> None:
    renewed = date(2028, 1, 10)
    assert due(20, {key(30), key(14), key(7)}, renewed) == 30


def test_sending_an_alert_settles_every_threshold_it_reached() -> None:
    sent_now = alerts.due(Trends((), (expiry(10),)), set())
    assert alerts.alert_keys(sent_now.alerts) == [key(30), key(14)]
    assert alerts.alert_keys(alerts.due(Trends((), (expiry(40),)), set()).alerts) == []


def test_migration_0003_up_and_down(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "m.sqlite3"))
    upgrade(engine, "0002")
    assert not SENDING_TABLES & set(inspect(engine).get_table_names())
    upgrade(engine)
    assert set(inspect(engine).get_table_names()) >= SENDING_TABLES
    downgrade(engine, "0002")
    names = set(inspect(engine).get_table_names())
    assert not SENDING_TABLES & names and "checkup_runs" in names
    engine.dispose()


# ------------------------------------------------------------------ the command


def checkup_cli(book: Path, *args: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(stderr), pytest.raises(SystemExit) as done:
        main(["checkup", *args, "--db", str(book), "--lang", "en"])
    code = done.value.code
    return (code if isinstance(code, int) else 0), stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def book(tmp_path: Path, ledger_cli: object, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "book.sqlite3"
    run = ledger_cli  # the fixture of tests/unit/conftest.py: a clean locale, wide columns
    assert callable(run)
    assert run(path, "init")[0] == 0
    assert run(path, "company", "add", "yamada", "山田商事")[0] == 0
    monkeypatch.delenv("MAILDOCTOR_NOTIFY_URLS", raising=False)
    return path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--send"], "--send needs somewhere to send"),
        (["--mail-to", "boss@example.jp"], "--mail-to needs --mail-from"),
        (["--schedule", "weekly"], "--schedule takes one value: monthly."),
        (["--schedule", "monthly", "--unschedule"], "cannot be given together"),
        (["--schedule", "monthly", "--send", "--notify", "slack://T/B/C"], "MAILDOCTOR_NOTIFY_URLS"),
    ],
)
def test_sending_and_scheduling_options_refused_plainly(book: Path, args: list[str], message: str) -> None:
    code, out, err = checkup_cli(book, *args)
    assert code == 2 and message in " ".join(err.split()) and out == ""
    assert "slack://T/B/C" not in err


def test_send_through_an_account_not_in_the_book_is_refused(book: Path) -> None:
    code, _, err = checkup_cli(
        book, "--send", "--mail-from", "nobody@example.jp", "--no-rdap", "--dns", "127.0.0.1:9"
    )
    assert code == 2 and "nobody@example.jp" in err


def test_schedule_installs_the_checkup_with_its_sending_and_unschedule_removes_it(
    book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = FakeRunner()
    units = tmp_path / "units"
    monkeypatch.setattr(schedule, "run_command", runner)
    monkeypatch.setattr(schedule, "has_systemd", lambda: True)
    monkeypatch.setattr(schedule, "default_unit_dir", lambda system: units)
    secrets = tmp_path / "config" / "checkup.env"
    monkeypatch.setattr(schedule, "default_secrets_file", lambda system: secrets)
    code, out, _ = checkup_cli(
        book, "--schedule", "monthly", "--send", "--mail-from", "it@yamada.jp", "--mail-to", "boss@yamada.jp",
        "--dns", "127.0.0.1:5353", "--no-rdap",
    )  # fmt: skip
    assert code == 0, out
    assert "Installed the monthly check-up maildoctor-checkup-yamada" in out
    service = (units / "maildoctor-checkup-yamada.service").read_text()
    assert (
        "checkup --company yamada --lang en --dns 127.0.0.1:5353 --no-rdap --send --mail-from it@yamada.jp "
        "--mail-to boss@yamada.jp" in service
    )
    assert f"MAILDOCTOR_LEDGER_URL={book}" in service
    assert f"EnvironmentFile=-{secrets}" in service and secrets.stat().st_mode & 0o777 == 0o600
    assert f"Put its passwords in {secrets}" in " ".join(out.split()) and "MAILDOCTOR_NOTIFY_PASSWORD" in out
    assert ("systemctl", "--user", "enable", "--now", "maildoctor-checkup-yamada.timer") in runner.commands
    code, out, _ = checkup_cli(book, "--unschedule")
    assert code == 0 and "Removed the monthly check-up maildoctor-checkup-yamada." in out
    assert list(units.iterdir()) == []


def test_schedule_on_cron_carries_the_same_command(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = FakeRunner(crontab="0 3 * * * backup # theirs\n")
    monkeypatch.setattr(schedule, "run_command", runner)
    monkeypatch.setattr(schedule, "has_systemd", lambda: False)
    code, out, _ = checkup_cli(
        book, "--all", "--schedule", "monthly", "--send", "--mail-from", "it@yamada.jp"
    )
    assert code == 0 and "a line in the crontab" in out
    assert runner.crontab is not None and "backup # theirs" in runner.crontab
    assert (
        "checkup --all --lang en --send --mail-from it@yamada.jp # maildoctor-checkup-all" in runner.crontab
    )
    assert checkup_cli(book, "--all", "--unschedule")[0] == 0
    assert runner.crontab == "0 3 * * * backup # theirs\n"
