"""The check day's tables in the book: start a run (or take over one whose process died), record
each item as soon as it is done — each in its own short transaction, so a check-up killed halfway
loses nothing — finish the run, and read the recorded runs back for the report."""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Final, TypeVar

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from maildoctor.checkup.model import (
    ItemKind,
    LoginMode,
    Outcome,
    RecordedFinding,
    RecordedItem,
    RecordedRun,
    Untested,
)
from maildoctor.ledger.schema import CheckupFinding, CheckupItem, CheckupRun, Company, now
from maildoctor.ledger.store import transaction

STALE: Final = timedelta(minutes=10)  # a run on another machine with no heartbeat for this long is dead
T = TypeVar("T")


def owner_token() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(owner: str, heartbeat_age: timedelta) -> bool:
    host, _, pid = owner.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return heartbeat_age < STALE


def retrying(work: Callable[[], T], attempts: int = 20) -> T:
    """`work`, tried again while another check-up holds SQLite's write lock."""
    for attempt in range(attempts):
        try:
            return work()
        except OperationalError as error:
            if "locked" not in str(error.orig) or attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def start(engine: Engine, company_id: int) -> tuple[int, set[tuple[ItemKind, str]]]:
    """A run for the company: an unfinished one whose process is gone is taken over (with the items
    it recorded), else a new one. Returns its id and the items already recorded."""
    me = owner_token()

    def claim() -> tuple[int, set[tuple[ItemKind, str]]]:
        with transaction(engine) as session:
            unfinished = session.scalars(
                select(CheckupRun)
                .where(CheckupRun.company_id == company_id, CheckupRun.finished_at.is_(None))
                .order_by(CheckupRun.id)
            ).all()
            for run in unfinished:
                if _alive(run.owner, now() - run.heartbeat_at):
                    continue
                taken = session.execute(  # compare and set: only one process takes it over
                    update(CheckupRun)
                    .where(CheckupRun.id == run.id, CheckupRun.owner == run.owner)
                    .values(owner=me, heartbeat_at=now())
                )
                if getattr(taken, "rowcount", 0) == 1:
                    items = session.execute(
                        select(CheckupItem.kind, CheckupItem.subject).where(CheckupItem.run_id == run.id)
                    ).all()
                    return run.id, {(ItemKind(kind), subject.lower()) for kind, subject in items}
            run = CheckupRun(company_id=company_id, owner=me)
            session.add(run)
            session.flush()
            return run.id, set()

    return retrying(claim)


def record(engine: Engine, run_id: int, item: RecordedItem) -> bool:
    """Keep one item of the run (its own transaction); False when it was recorded already."""

    def write() -> bool:
        try:
            with transaction(engine) as session:
                row = CheckupItem(
                    run_id=run_id,
                    kind=item.kind.value,
                    subject=item.subject,
                    outcome=item.outcome.value,
                    reason=item.reason.value if item.reason else None,
                    login=item.login.value if item.login else None,
                    facts=json.dumps(dict(item.facts), sort_keys=True),
                )
                session.add(row)
                session.flush()
                session.add_all(
                    CheckupFinding(
                        item_id=row.id,
                        finding_id=finding.id,
                        cause=finding.cause,
                        subject=finding.subject,
                        server=finding.server,
                        severity=finding.severity,
                        params=json.dumps(dict(finding.params), ensure_ascii=False, sort_keys=True),
                    )
                    for finding in item.findings
                )
                session.execute(update(CheckupRun).where(CheckupRun.id == run_id).values(heartbeat_at=now()))
        except IntegrityError:
            return False
        return True

    return retrying(write)


def finish(engine: Engine, run_id: int) -> None:
    def write() -> None:
        with transaction(engine) as session:
            session.execute(update(CheckupRun).where(CheckupRun.id == run_id).values(finished_at=now()))

    retrying(write)


def _item(row: CheckupItem, findings: Sequence[CheckupFinding]) -> RecordedItem:
    return RecordedItem(
        kind=ItemKind(row.kind),
        subject=row.subject,
        outcome=Outcome(row.outcome),
        reason=Untested(row.reason) if row.reason else None,
        login=LoginMode(row.login) if row.login else None,
        facts={str(k): str(v) for k, v in json.loads(row.facts or "{}").items()},
        findings=tuple(
            RecordedFinding(
                cause=finding.cause,
                subject=finding.subject,
                server=finding.server,
                severity=finding.severity,
                params=tuple(sorted((str(k), str(v)) for k, v in json.loads(finding.params or "{}").items())),
            )
            for finding in findings
        ),
    )


def recorded_runs(engine: Engine, company_id: int, upto: int | None = None) -> list[RecordedRun]:
    """The finished runs of the company (and run `upto`), oldest first."""

    def read() -> list[RecordedRun]:
        with transaction(engine) as session:
            code = session.get_one(Company, company_id).code
            query = select(CheckupRun).where(CheckupRun.company_id == company_id)
            runs = [
                run
                for run in session.scalars(query.order_by(CheckupRun.started_at, CheckupRun.id))
                if run.finished_at is not None or run.id == upto
            ]
            if upto is not None:
                runs = [run for run in runs if run.id <= upto]
            found: list[RecordedRun] = []
            for run in runs:
                items = session.scalars(
                    select(CheckupItem).where(CheckupItem.run_id == run.id).order_by(CheckupItem.id)
                ).all()
                findings = session.scalars(
                    select(CheckupFinding)
                    .where(CheckupFinding.item_id.in_([item.id for item in items]))
                    .order_by(CheckupFinding.id)
                ).all()
                by_item: dict[int, list[CheckupFinding]] = {}
                for finding in findings:
                    by_item.setdefault(finding.item_id, []).append(finding)
                found.append(
                    RecordedRun(
                        run_id=run.id,
                        company=code,
                        started_at=run.started_at,
                        finished=run.finished_at is not None,
                        items=tuple(_item(item, by_item.get(item.id, [])) for item in items),
                    )
                )
            return found

    return retrying(read)
