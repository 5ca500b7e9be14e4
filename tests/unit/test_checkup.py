"""The check day's pure parts: stable finding ids, two runs in a row before a state changes,
"could not test" apart from "failed", trends with each alert once, the book's own risks, and the
report re-rendered from recorded runs (golden: ja and en, text and HTML).

Rewrite the goldens with MAILDOCTOR_UPDATE_GOLDEN=1 and read the diff before committing it.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from cryptography.fernet import Fernet
from sqlalchemy import inspect

from maildoctor.checkup.bookrisks import BookAccount, BookDevice, BookDomain, book_item
from maildoctor.checkup.limits import ServerLimits
from maildoctor.checkup.model import (
    ItemKind,
    LoginMode,
    Outcome,
    RecordedFinding,
    RecordedItem,
    RecordedRun,
    Untested,
)
from maildoctor.checkup.passwords import FILE_VARIABLE, KEY_VARIABLE, file_password, store_in_file
from maildoctor.checkup.report import CheckupReport
from maildoctor.checkup.states import changes
from maildoctor.checkup.trends import trends
from maildoctor.ledger.location import sqlite_url
from maildoctor.ledger.schema import Base
from maildoctor.ledger.store import downgrade, make_engine, upgrade
from maildoctor.model import Secret

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "golden" / "checkup"
UPDATE = os.environ.get("MAILDOCTOR_UPDATE_GOLDEN") == "1"
CHECKUP_TABLES = {"checkup_runs", "checkup_items", "checkup_findings"}


def finding(cause: str, subject: str, server: str = "mail.example.jp", **params: str) -> RecordedFinding:
    return RecordedFinding(cause, subject, server, "error", tuple(sorted(params.items())))


def account(subject: str, *found: RecordedFinding, **facts: str) -> RecordedItem:
    return RecordedItem(
        ItemKind.ACCOUNT, subject, Outcome.CHECKED, found, login=LoginMode.LOGGED_IN, facts=facts
    )


def untested(subject: str, reason: Untested = Untested.TIMEOUT) -> RecordedItem:
    return RecordedItem(ItemKind.ACCOUNT, subject, Outcome.COULD_NOT_TEST, reason=reason)


def run(number: int, day: str, *items: RecordedItem) -> RecordedRun:
    started = datetime.fromisoformat(day).replace(tzinfo=UTC)
    return RecordedRun(number, "acme", started, True, items)


AUTH = finding("AUTH_FAILED", "taro@example.jp")
FULL = finding("MAILBOX_FULL", "hanako@example.jp")


def ids(found: Sequence[RecordedFinding]) -> list[str]:
    return [f.id for f in found]


# ------------------------------------------------------------------ stable ids and two runs in a row


def test_a_finding_id_is_cause_account_and_server_not_its_words() -> None:
    one = finding("AUTH_FAILED", "Taro@Example.jp", reply="535 bad")
    other = finding("AUTH_FAILED", "taro@example.jp", reply="535 authentication failed")
    assert one.id == other.id == "AUTH_FAILED|taro@example.jp|mail.example.jp"
    assert finding("AUTH_FAILED", "taro@example.jp", "smtp.example.jp").id != one.id


def test_the_first_check_day_lists_what_it_sees_as_new() -> None:
    found = changes([run(1, "2026-11-01", account("taro@example.jp", AUTH))])
    assert ids(found.new) == [AUTH.id]
    assert found.changed


def test_one_bad_day_is_not_a_new_problem_and_two_are() -> None:
    history = [
        run(1, "2026-09-01", account("taro@example.jp")),
        run(2, "2026-10-01", account("taro@example.jp", AUTH)),
    ]
    once = changes(history)
    assert (once.new, ids(once.unconfirmed)) == ((), [AUTH.id])
    assert not once.changed
    twice = changes([*history, run(3, "2026-11-01", account("taro@example.jp", AUTH))])
    assert ids(twice.new) == [AUTH.id]


def test_one_good_day_is_not_a_fix_and_two_are() -> None:
    bad = [
        run(1, "2026-09-01", account("taro@example.jp", AUTH)),
        run(2, "2026-10-01", account("taro@example.jp", AUTH)),
    ]
    flapped = changes([*bad, run(3, "2026-11-01", account("taro@example.jp"))])
    assert (flapped.gone, ids(flapped.still)) == ((), [AUTH.id])
    fixed = changes(
        [
            *bad,
            run(3, "2026-11-01", account("taro@example.jp")),
            run(4, "2026-12-01", account("taro@example.jp")),
        ]
    )
    assert ids(fixed.gone) == [AUTH.id]


def test_could_not_test_is_neither_failed_nor_fine() -> None:
    bad = [run(1, "2026-09-01", account("taro@example.jp", AUTH))]
    found = changes([*bad, run(2, "2026-10-01", untested("taro@example.jp", Untested.RESOLVER_BROKEN))])
    assert found.gone == () and ids(found.still) == [AUTH.id]
    assert [(i.subject, i.reason) for i in found.untested] == [("taro@example.jp", Untested.RESOLVER_BROKEN)]
    # and a timeout between two bad runs does not break "two in a row"
    history = [
        run(1, "2026-08-01", account("hanako@example.jp")),
        run(2, "2026-09-01", account("hanako@example.jp", FULL)),
        run(3, "2026-10-01", untested("hanako@example.jp")),
        run(4, "2026-11-01", account("hanako@example.jp", FULL)),
    ]
    assert ids(changes(history).new) == [FULL.id]


# ------------------------------------------------------------------ trends


def test_quota_growth_and_days_until_full() -> None:
    history = [
        run(
            1, "2026-10-01", account("hanako@example.jp", quota_used_kib="500000", quota_limit_kib="1000000")
        ),
        run(
            2, "2026-10-31", account("hanako@example.jp", quota_used_kib="800000", quota_limit_kib="1000000")
        ),
    ]
    [quota] = trends(history).quotas
    assert (quota.percent, quota.growth_kib_per_day, quota.days_until_full) == (80, 10000.0, 20)


@pytest.mark.parametrize(
    ("days_before", "days_now", "alert"),
    [
        (None, 40, None),
        (None, 20, 30),
        (40, 29, 30),
        (29, 20, None),
        (20, 13, 14),
        (13, 8, None),
        (8, 6, 7),
        (6, -1, 0),
    ],
)
def test_each_expiry_alert_is_said_once(days_before: int | None, days_now: int, alert: int | None) -> None:
    def on(number: int, day: date, days_left: int) -> RecordedRun:
        expires = date.fromordinal(day.toordinal() + days_left).isoformat()
        item = RecordedItem(ItemKind.DOMAIN, "example.jp", Outcome.CHECKED, facts={"domain_expires": expires})
        return run(number, day.isoformat(), item)

    history = [on(2, date(2026, 12, 1), days_now)]
    if days_before is not None:
        history.insert(0, on(1, date(2026, 11, 1), days_before))
    [expiry] = trends(history).expiries
    assert (expiry.days_left, expiry.alert) == (days_now, alert)


# ------------------------------------------------------------------ the book's own risks


def test_risks_only_the_book_can_see() -> None:
    pop = BookDevice("事務所PC", "pop3", leave_on_server=False, leave_days=None)
    phone = BookDevice("iPhone", "imap", None, None, person="山田", person_retired=True)
    tablet = BookDevice("iPad", "imap", None, None)
    item = book_item(
        "acme",
        [
            BookAccount("taro@example.jp", "mail.example.jp", (pop, phone, tablet)),
            BookAccount("solo@example.jp", "x", (pop,)),
        ],
        [BookDomain("example.jp", None, None), BookDomain("ok.jp", None, date(2027, 1, 1))],
        per_user_limit=2,
    )
    assert sorted((f.cause, f.subject) for f in item.findings) == [
        ("DOMAIN_RENEWAL_UNKNOWN", "example.jp"),
        ("POP_DELETE_RISK", "taro@example.jp"),  # a POP device alone deletes nothing others miss
        ("RETIRED_DEVICES_LISTED", "taro@example.jp"),
        ("TOO_MANY_CONNECTIONS", "taro@example.jp"),
    ]


# ------------------------------------------------------------------ the report, golden


def recorded_history() -> list[RecordedRun]:
    book = RecordedItem(
        ItemKind.BOOK,
        "acme",
        Outcome.CHECKED,
        (RecordedFinding("DOMAIN_RENEWAL_UNKNOWN", "old.jp", "book", "warning", (("domain", "old.jp"),)),),
    )
    cert = {"cert_expires:mail.example.jp": "2026-12-20"}
    quota = {"quota_used_kib": "900000", "quota_limit_kib": "1000000"}
    return [
        run(
            1,
            "2026-10-01",
            book,
            account("taro@example.jp", AUTH),
            account("jiro@example.jp", finding("MAILBOX_FULL", "jiro@example.jp")),
            account("hanako@example.jp", quota_used_kib="600000", quota_limit_kib="1000000"),
        ),
        run(
            2,
            "2026-11-01",
            book,
            account("taro@example.jp", AUTH),
            account("jiro@example.jp"),
            account("hanako@example.jp", **quota),
        ),
        run(
            3,
            "2026-12-01",
            book,
            account("taro@example.jp", **cert),
            account("jiro@example.jp"),
            account("hanako@example.jp", FULL, quota_used_kib="990000", quota_limit_kib="1000000"),
            RecordedItem(ItemKind.ACCOUNT, "ken@example.jp", Outcome.CHECKED, login=LoginMode.NO_PASSWORD),
            untested("shop@example.jp", Untested.RATE_LIMITED),
        ),
    ]


def golden(name: str, text: str) -> None:
    path = GOLDEN_DIR / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} differs (MAILDOCTOR_UPDATE_GOLDEN=1 rewrites it)"
    )


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_report_on_recorded_runs(lang: str) -> None:
    report = CheckupReport.of(recorded_history())
    assert ids(report.changes.gone) == [finding("MAILBOX_FULL", "jiro@example.jp").id]
    assert ids(report.changes.still) == [
        AUTH.id,
        RecordedFinding("DOMAIN_RENEWAL_UNKNOWN", "old.jp", "book", "warning").id,
    ]
    golden(f"report.{lang}.txt", report.text(lang))
    golden(f"report.{lang}.html", report.html(lang))
    golden("report.json", json.dumps(report.to_json(), ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def test_the_report_escapes_what_servers_and_people_typed() -> None:
    hostile = finding("AUTH_FAILED", "a\x1b[31m@example.jp", "<script>x</script>")
    report = CheckupReport.of([run(1, "2026-12-01", account("a\x1b[31m@example.jp", hostile))])
    assert "\x1b" not in report.text("en")
    assert "<script>" not in report.html("en")


# ------------------------------------------------------------------ the migration and the start-up


def test_migration_0002_up_and_down(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "m.sqlite3"))
    upgrade(engine, "0001")
    assert not CHECKUP_TABLES & set(inspect(engine).get_table_names())
    upgrade(engine)
    assert set(inspect(engine).get_table_names()) >= CHECKUP_TABLES
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    downgrade(engine, "0001")
    names = set(inspect(engine).get_table_names())
    assert not CHECKUP_TABLES & names and "accounts" in names
    upgrade(engine)
    assert set(inspect(engine).get_table_names()) >= CHECKUP_TABLES
    engine.dispose()


def test_check_does_not_load_the_check_up() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "maildoctor", "check", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "LANG": "C"},
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert "maildoctor.cli.commands.checkup" in imported  # the option wiring is there …
    assert not {name for name in imported if name.startswith(("maildoctor.checkup", "sqlalchemy", "keyring"))}


# ------------------------------------------------------------------ politeness


def test_never_more_at_once_than_the_limits() -> None:
    limits = ServerLimits(per_user=2, per_server=3)
    now: Counter[tuple[str, str]] = Counter()
    worst: Counter[tuple[str, str]] = Counter()

    async def one(host: str, user: str) -> None:
        async with limits.slot([host, host.upper()], user):
            for key in ((host, ""), (host, user)):
                now[key] += 1
                worst[key] = max(worst[key], now[key])
            await asyncio.sleep(0.01)
            for key in ((host, ""), (host, user)):
                now[key] -= 1

    async def many() -> None:
        await asyncio.gather(*(one(f"h{n % 2}", f"u{n % 4}") for n in range(40)))

    asyncio.run(many())
    assert max(count for (_, user), count in worst.items() if not user) == 3
    assert max(count for (_, user), count in worst.items() if user) == 2
    assert worst == limits.peak


# ------------------------------------------------------------------ passwords for a headless check day


def test_the_encrypted_password_file(tmp_path: Path) -> None:
    environ = {KEY_VARIABLE: Fernet.generate_key().decode(), FILE_VARIABLE: str(tmp_path / "pw.fernet")}
    store_in_file("Taro@example.jp", Secret("s3cret-パス"), environ)
    store_in_file("hanako@example.jp", Secret("other"), environ)
    written = (tmp_path / "pw.fernet").read_bytes()
    assert b"s3cret" not in written and (tmp_path / "pw.fernet").stat().st_mode & 0o777 == 0o600
    found = file_password("taro@example.jp", environ)
    assert found is not None and found.reveal() == "s3cret-パス"
    assert file_password("nobody@example.jp", environ) is None
    wrong = {**environ, KEY_VARIABLE: Fernet.generate_key().decode()}
    assert file_password("taro@example.jp", wrong) is None  # another key opens nothing
    with pytest.raises(ValueError, match="does not open"):
        store_in_file("taro@example.jp", Secret("x"), wrong)  # and never overwrites the file
    assert file_password("taro@example.jp", {FILE_VARIABLE: environ[FILE_VARIABLE]}) is None  # no key
