"""The check day beyond one machine: each account and domain of a run is a job on procrastinate, a task
queue kept in the shared PostgreSQL book itself (no broker besides it), worked by any number of
`maildoctor checkup --worker` processes.

- Every item is checked once per run: its job is enqueued with a queueing lock (never twice in the
  queue), a job whose item the run already holds does nothing, and the book keeps one row per run
  and item (a unique constraint).
- A worker killed mid-run loses nothing: its jobs stay "doing" until the other workers see it stop
  sending heartbeats; they then put its jobs back in the queue (procrastinate's stalled jobs).
- The servers' limits hold across workers: each connection holds, besides its worker's own slot,
  one of the server's N slots (and of the server and user's) as a PostgreSQL advisory lock, taken on
  the worker's own session — so a killed worker's slots are freed with its session.
- A login is made once per run, whichever worker makes it: it is claimed in the book first
  (logins.py), so a job run again after its worker was killed does not log in a second time.
- The run is finished by the job that records its last item; `checkup --queue` waits for that and
  prints the report.

The `queue` extra (procrastinate) is imported only here; PostgreSQL is reached through SQLAlchemy and
procrastinate's own connector (both on psycopg, the `postgresql` extra).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import procrastinate
from sqlalchemy import select, text, update
from sqlalchemy.engine import Connection, Engine, make_url

from maildoctor.checkup import runs
from maildoctor.checkup.limits import Key, ServerLimits
from maildoctor.checkup.logins import book_guard
from maildoctor.checkup.model import ItemKind, RecordedItem
from maildoctor.checkup.report import CheckupReport
from maildoctor.checkup.runner import (
    CheckupOptions,
    check_account_item,
    check_domain_item,
    plan_of,
    resolver_trust,
)
from maildoctor.ledger.schema import CheckupItem, CheckupRun, Company, now
from maildoctor.ledger.store import transaction

QUEUE: Final = "maildoctor-checkup"
TASK: Final = "maildoctor.checkup.item"
OWNER: Final = "queue"  # a queued run belongs to no process: its heartbeat is each recorded item
HEARTBEAT_SECONDS: Final = 2.0
STALLED_SECONDS: Final = 8.0  # a worker silent this long is gone: its jobs go back to the queue
SCHEMA_THERE: Final = "SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS there"
TRY: Final = text("SELECT pg_try_advisory_lock(:key, :slot)")
UNLOCK: Final = text("SELECT pg_advisory_unlock(:key, :slot)")


def conninfo(url: str) -> str:
    """The libpq address of the book's SQLAlchemy URL (postgresql+psycopg://… → postgresql://…)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ValueError("the task queue lives in a PostgreSQL book")
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def _key_number(key: Key) -> int:
    return zlib.crc32(f"{key[0]}|{key[1]}".encode()) - (1 << 31)  # an int4 for pg_try_advisory_lock


class SharedSlots:
    """A counting semaphore per server (and server and user) across processes: slot i of a key is the
    advisory lock (key, i) on this process's own PostgreSQL session (one connection kept open)."""

    def __init__(self, engine: Engine, per_user: int, per_server: int) -> None:
        self._engine = engine
        self._per_user = per_user
        self._per_server = per_server
        self._connection: Connection | None = None
        self._held: set[tuple[int, int]] = set()
        self._lock = threading.Lock()  # one session, used from worker threads one at a time
        self._releasing: set[asyncio.Future[None]] = set()

    def _session(self) -> Connection:
        if self._connection is None:
            self._connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return self._connection

    def _try(self, number: int, capacity: int) -> int | None:
        with self._lock:  # advisory locks are re-entrant on one session: our own are skipped
            for slot in range(capacity):
                if (number, slot) in self._held:
                    continue
                got = self._session().execute(TRY, {"key": number, "slot": slot}).scalar()
                if got:
                    self._held.add((number, slot))
                    return slot
        return None

    def _release(self, taken: Sequence[tuple[int, int]]) -> None:
        with self._lock:
            for number, slot in taken:
                self._session().execute(UNLOCK, {"key": number, "slot": slot})
                self._held.discard((number, slot))

    async def take(self, keys: Sequence[Key]) -> Callable[[], None]:
        taken: list[tuple[int, int]] = []
        try:
            for key in sorted(keys):
                number = _key_number(key)
                capacity = self._per_server if key[1] == "" else self._per_user
                while (slot := await asyncio.to_thread(self._try, number, capacity)) is None:
                    await asyncio.sleep(0.02)
                taken.append((number, slot))
        except BaseException:
            await asyncio.to_thread(self._release, taken)
            raise

        def give_back() -> None:
            release = asyncio.ensure_future(asyncio.to_thread(self._release, taken))
            self._releasing.add(release)  # kept until done (the loop holds tasks only weakly)
            release.add_done_callback(self._releasing.discard)

        return give_back

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()


def make_app(url: str, worker: Worker | None = None) -> procrastinate.App:
    """The queue in the book at `url`; its task runs on `worker` (None: this process only enqueues)."""
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(url)))

    @app.task(name=TASK, queue=QUEUE)
    async def check_item(run_id: int, company: str, kind: str, subject: str) -> None:
        if worker is None:
            raise RuntimeError("this process only enqueues")
        await worker.check(run_id, company, kind, subject)

    return app


async def ensure_schema(app: procrastinate.App) -> None:
    """procrastinate's tables in the book (once; another process doing it at the same moment is fine)."""

    async def there() -> bool:
        row = await app.connector.execute_query_one_async(SCHEMA_THERE)
        return bool(row["there"])

    if await there():
        return
    try:
        await app.schema_manager.apply_schema_async()
    except Exception:
        if not await there():
            raise


# ------------------------------------------------------------------ enqueueing


@dataclass(frozen=True, slots=True)
class Enqueued:
    company: str
    run_id: int
    jobs: int


def start_queued_run(engine: Engine, code: str, per_user: int) -> tuple[int, list[tuple[str, str]]]:
    """A run of the company owned by the queue (an unfinished queued one is continued): its id and
    the items still to check (kind, subject); the book's own risks are recorded at once."""
    plan = plan_of(engine, code, per_user)
    with transaction(engine) as session:
        run = session.scalars(
            select(CheckupRun)
            .where(CheckupRun.company_id == plan.company_id, CheckupRun.finished_at.is_(None))
            .where(CheckupRun.owner == OWNER)
            .order_by(CheckupRun.id)
        ).first()
        if run is None:
            run = CheckupRun(company_id=plan.company_id, owner=OWNER)
            session.add(run)
            session.flush()
        run_id = run.id
    runs.record(engine, run_id, plan.book)
    done = _recorded(engine, run_id)
    items = [(ItemKind.ACCOUNT.value, a.address) for a in plan.accounts]
    items += [(ItemKind.DOMAIN.value, d.name) for d in plan.domains]
    return run_id, [(kind, subject) for kind, subject in items if (kind, subject.lower()) not in done]


def _recorded(engine: Engine, run_id: int) -> set[tuple[str, str]]:
    with transaction(engine) as session:
        rows = session.execute(
            select(CheckupItem.kind, CheckupItem.subject).where(CheckupItem.run_id == run_id)
        )
        return {(kind, subject.lower()) for kind, subject in rows}


async def enqueue(
    app: procrastinate.App, engine: Engine, codes: Sequence[str], per_user: int
) -> list[Enqueued]:
    """A queued run per company, each item still to check a job (never twice in the queue)."""
    async with app.open_async():
        return await _enqueue(app, engine, codes, per_user)


async def _enqueue(
    app: procrastinate.App, engine: Engine, codes: Sequence[str], per_user: int
) -> list[Enqueued]:
    await ensure_schema(app)
    task = app.tasks[TASK]
    queued = []
    for code in codes:
        run_id, items = await asyncio.to_thread(start_queued_run, engine, code, per_user)
        for kind, subject in items:
            with contextlib.suppress(procrastinate.exceptions.AlreadyEnqueued):
                await task.configure(queueing_lock=f"{run_id}|{kind}|{subject.lower()}").defer_async(
                    run_id=run_id, company=code, kind=kind, subject=subject
                )
        queued.append(Enqueued(code, run_id, len(items)))
    return queued


def finish_if_complete(engine: Engine, run_id: int, code: str, per_user: int) -> bool:
    """Finish the run when every planned item is recorded (once: compare and set)."""
    plan = plan_of(engine, code, per_user)
    wanted = {(ItemKind.ACCOUNT.value, a.address.lower()) for a in plan.accounts}
    wanted |= {(ItemKind.DOMAIN.value, d.name.lower()) for d in plan.domains}
    if not wanted <= _recorded(engine, run_id):
        return False
    with transaction(engine) as session:
        session.execute(
            update(CheckupRun)
            .where(CheckupRun.id == run_id, CheckupRun.finished_at.is_(None))
            .values(finished_at=now())
        )
    return True


def is_finished(engine: Engine, run_id: int) -> bool:
    with transaction(engine) as session:
        return session.get_one(CheckupRun, run_id).finished_at is not None


def company_id(engine: Engine, code: str) -> int:
    with transaction(engine) as session:
        return session.scalars(select(Company.id).where(Company.code == code)).one()


# ------------------------------------------------------------------ working


@dataclass
class Worker:
    """One worker process: its book, options, and its share of the limits."""

    engine: Engine
    options: CheckupOptions
    limits: ServerLimits

    async def check(self, run_id: int, company: str, kind: str, subject: str) -> None:
        if (kind, subject.lower()) in await asyncio.to_thread(_recorded, self.engine, run_id):
            return  # a job run again after its worker died, that had finished its item: nothing to do
        plan = await asyncio.to_thread(plan_of, self.engine, company, self.options.per_user)
        item: RecordedItem | None = None
        if kind == ItemKind.ACCOUNT.value:
            work = next((a for a in plan.accounts if a.address.lower() == subject.lower()), None)
            if work is not None:
                guard = book_guard(self.engine, run_id, self.options.cache_dir)
                item = await check_account_item(work, self.options, self.limits, guard)
        else:
            domain = next((d for d in plan.domains if d.name.lower() == subject.lower()), None)
            if domain is not None:
                item = await check_domain_item(domain, self.options, resolver_trust(self.options))
        if item is not None:
            await asyncio.to_thread(runs.record, self.engine, run_id, item)
        await asyncio.to_thread(self._touch, run_id)
        await asyncio.to_thread(finish_if_complete, self.engine, run_id, company, self.options.per_user)

    def _touch(self, run_id: int) -> None:
        with transaction(self.engine) as session:
            session.execute(update(CheckupRun).where(CheckupRun.id == run_id).values(heartbeat_at=now()))


async def retry_stalled(app: procrastinate.App, every: float = HEARTBEAT_SECONDS) -> None:
    """Forever: put back in the queue the jobs of workers that stopped sending heartbeats."""
    while True:
        stalled = await app.job_manager.get_stalled_jobs(queue=QUEUE, seconds_since_heartbeat=STALLED_SECONDS)
        for job in stalled:
            await app.job_manager.retry_job(job)
        await asyncio.sleep(every)


async def work(app: procrastinate.App, concurrency: int) -> None:
    """Run jobs until stopped (SIGINT/SIGTERM), putting back the jobs of dead workers meanwhile."""
    async with app.open_async():
        await ensure_schema(app)
        janitor = asyncio.ensure_future(retry_stalled(app))
        try:
            await app.run_worker_async(
                queues=[QUEUE],
                concurrency=concurrency,
                update_heartbeat_interval=HEARTBEAT_SECONDS,
                stalled_worker_timeout=STALLED_SECONDS,
            )
        finally:
            janitor.cancel()


def wait_for_report(engine: Engine, queued: Enqueued, poll: float = 1.0) -> CheckupReport:
    """The run's report once the workers have finished it."""
    while not is_finished(engine, queued.run_id):
        time.sleep(poll)
    return CheckupReport.of(runs.recorded_runs(engine, company_id(engine, queued.company), queued.run_id))
