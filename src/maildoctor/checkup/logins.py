"""The one-login guard of a check-up, kept in the book: it holds across the workers and machines that share
the book, not only within one process.

Before a login is made (before its check connects, when it is foreseen) it is claimed in the book — one
row per run, server, protocol and user name, inserted with ON CONFLICT DO NOTHING, so of two workers
racing on one account exactly one gets it, and a job run again after its worker was killed finds the
claim and does not log in a second time. The outcome is written when known; a failure recorded by any
worker is honoured by every worker and by later runs for the remembered-failure window of `check`
(unless the person insists). What is kept: run, server, protocol, user name, times and outcome — never
the password.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from maildoctor.ledger.schema import CheckupLogin, now
from maildoctor.ledger.store import transaction
from maildoctor.loginguard import REMEMBER_SECONDS, LoginGuard, account_key, default_cache_dir

FAILED: Final = "failed"
OK: Final = "ok"
CLAIM_KEYS: Final = ("run_id", "host", "protocol", "username")
# the guard's statements, one at a time per process: many writers at once only wait on each other
# (SQLite: "database is locked" with 16 checks at once, bench/checkup_bench.py)
_BOOK: Final = ThreadPoolExecutor(max_workers=1, thread_name_prefix="maildoctor-logins")


@dataclass(frozen=True, slots=True)
class LoginKey:
    """One account on one server as the guard knows it (the host as the DNS knows it)."""

    protocol: str
    host: str
    username: str

    @classmethod
    def of(cls, protocol: str, host: str, username: str) -> LoginKey:
        return cls(protocol.lower(), host.lower().rstrip("."), username)


def _claim_in(session: Session, run_id: int, key: LoginKey) -> bool:
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(CheckupLogin)
        .values(run_id=run_id, host=key.host, protocol=key.protocol, username=key.username, claimed_at=now())
        .on_conflict_do_nothing(index_elements=list(CLAIM_KEYS))
        .returning(CheckupLogin.id)
    )
    return session.execute(statement).scalar_one_or_none() is not None


def _settle_in(session: Session, run_id: int, key: LoginKey, failed: bool) -> None:
    session.execute(
        update(CheckupLogin)
        .where(
            CheckupLogin.run_id == run_id,
            CheckupLogin.host == key.host,
            CheckupLogin.protocol == key.protocol,
            CheckupLogin.username == key.username,
        )
        .values(outcome=FAILED if failed else OK, finished_at=now())
    )


def _failed_in(session: Session, key: LoginKey, at: datetime | None) -> bool:
    since = (at or now()) - timedelta(seconds=REMEMBER_SECONDS)
    last = session.scalars(
        select(CheckupLogin.outcome)
        .where(
            CheckupLogin.host == key.host,
            CheckupLogin.protocol == key.protocol,
            CheckupLogin.username == key.username,
            CheckupLogin.outcome.is_not(None),
            CheckupLogin.finished_at >= since,
        )
        .order_by(CheckupLogin.finished_at.desc(), CheckupLogin.id.desc())
        .limit(1)
    ).first()
    return last == FAILED


def claim(engine: Engine, run_id: int, key: LoginKey) -> bool:
    """Claim the run's one login to this account: True for the one caller that got it."""
    with transaction(engine) as session:
        return _claim_in(session, run_id, key)


def settle(engine: Engine, run_id: int, key: LoginKey, *, failed: bool) -> None:
    """The outcome of the run's login to this account."""
    with transaction(engine) as session:
        _settle_in(session, run_id, key, failed)


def failed_recently(engine: Engine, key: LoginKey, at: datetime | None = None) -> bool:
    """Whether the last known login to this account, by any worker in any run, failed within the
    remembered-failure window (a later success forgets it, as `check` does)."""
    with transaction(engine) as session:
        return _failed_in(session, key, at)


@dataclass
class BookLoginGuard(LoginGuard):
    """`check`'s LoginGuard (this process's attempts, the user's remembered failures) that also claims
    each login in the book of the run `run_id`, and honours the failures the book remembers.

    The guard is asked from the probe's event loop, synchronously; so the logins a check will make
    are asked of the book ahead, off the loop (`prepare`), and the outcomes written after the check
    (`flush`). A login not foreseen is claimed synchronously, one short statement."""

    engine: Engine = field(kw_only=True)
    run_id: int = field(kw_only=True)
    _answers: dict[LoginKey, str | None] = field(default_factory=dict, init=False)
    _outcomes: dict[LoginKey, bool] = field(default_factory=dict, init=False)

    def _ask_in(self, session: Session, key: LoginKey) -> str | None:
        """Why not to log in (remembered_failure, already_tried), or None: claimed for this check."""
        if not self.force and _failed_in(session, key, None):
            return "remembered_failure"
        return None if _claim_in(session, self.run_id, key) else "already_tried"

    def _ask(self, key: LoginKey) -> str | None:
        with transaction(self.engine) as session:
            return self._ask_in(session, key)

    def _ask_all(self, keys: Sequence[LoginKey]) -> None:
        with transaction(self.engine) as session:  # one commit for the check's logins
            for key in keys:
                if key not in self._answers:
                    self._answers[key] = self._ask_in(session, key)

    async def prepare(self, keys: Sequence[LoginKey]) -> None:
        await asyncio.get_running_loop().run_in_executor(_BOOK, self._ask_all, keys)

    def may_try(self, protocol: str, host: str, username: str) -> tuple[bool, str | None]:
        if account_key(protocol, host, username) in self._tried:
            return False, "already_tried"
        if not self.force and self.remembered_failure(protocol, host, username) is not None:
            return False, "remembered_failure"
        key = LoginKey.of(protocol, host, username)
        reason = self._answers.pop(key) if key in self._answers else self._ask(key)
        if reason is not None:  # already_tried: another worker, or this job before its worker was killed
            return False, reason
        self._tried.add(account_key(protocol, host, username))
        return True, None

    def record(self, protocol: str, host: str, username: str, *, failed: bool) -> None:
        super().record(protocol, host, username, failed=failed)
        self._outcomes[LoginKey.of(protocol, host, username)] = failed

    def _settle_all(self) -> None:
        outcomes, self._outcomes = self._outcomes, {}
        if not outcomes:
            return
        # unwritten, the claim stays (nobody tries again in this run); the failure is in the cache
        with contextlib.suppress(SQLAlchemyError), transaction(self.engine) as session:
            for key, failed in outcomes.items():
                _settle_in(session, self.run_id, key, failed)

    async def flush(self) -> None:
        """The outcomes of this check's logins into the book (a worker killed before this loses
        them: its claims stay, a failure is then remembered only in its own cache)."""
        await asyncio.get_running_loop().run_in_executor(_BOOK, self._settle_all)


def book_guard(engine: Engine, run_id: int, cache_dir: Path | None) -> BookLoginGuard:
    """The guard of one account's check in run `run_id` (a new one per check); the failures also
    remembered in `cache_dir` (None: the user's cache), as `check` remembers them."""
    return BookLoginGuard(cache_dir=cache_dir or default_cache_dir(), engine=engine, run_id=run_id)
