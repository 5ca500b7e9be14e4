"""A check, and the runner that runs the registered ones concurrently under the run's deadline.

A check's `observe` does all its I/O through the `Network` it is handed and returns what it saw;
its `interpret` (pure) turns that into rows of the checks table. Anything that escapes `observe`
is a fault in maildoctor, not a diagnosis: the runner keeps it as a row saying the check could not
run (its traceback, passwords removed, for --debug) and keeps every other check's result.
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from maildoctor.model import CheckFault, CheckResult, CheckStatus, ServerRole
from maildoctor.net.seam import Network

T = TypeVar("T")

# a check still running this long after the run's deadline is given up (each check keeps to the
# deadline itself; this only stops one that does not)
OVERRUN_SECONDS = 5.0


def _no_rows(_observed: object) -> tuple[CheckResult, ...]:
    return ()


@dataclass(frozen=True)
class Check(Generic[T]):
    id: str  # unique in a run
    server: ServerRole  # where the check's row goes when it could not run
    observe: Callable[[Network], Awaitable[T]]
    interpret: Callable[[T], tuple[CheckResult, ...]] = _no_rows


@dataclass(frozen=True)
class CheckRun:
    """What the runner got: each check's observation, and a row for each that could not run."""

    observed: Mapping[str, object]
    faults: tuple[CheckResult, ...] = ()

    def get(self, check: Check[T]) -> T | None:
        """`check`'s observation; None when it could not run."""
        return cast("T | None", self.observed.get(check.id))

    def rows(self, checks: Sequence[Check[Any]]) -> tuple[CheckResult, ...]:
        """The checks table: each check's interpretation in the order given, then the faults."""
        interpreted = (
            check.interpret(self.observed[check.id]) for check in checks if check.id in self.observed
        )
        return (*(row for rows in interpreted for row in rows), *self.faults)


def scrub(text: str, secrets: Sequence[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, "********")
    return text


async def run_checks(
    checks: Sequence[Check[Any]], network: Network, deadline: float, secrets: Sequence[str] = ()
) -> CheckRun:
    """Every check at once; each gets until `deadline` (the network's clock) and a little more."""
    if len({check.id for check in checks}) != len(checks):
        raise ValueError("two checks with one id")

    async def one(check: Check[Any]) -> tuple[object, CheckResult | None]:
        started = network.clock()

        def fault(kind: CheckFault, trace: str = "") -> tuple[object, CheckResult]:
            ms = int((network.clock() - started) * 1000)
            return None, CheckResult(
                check.id, check.server, CheckStatus.SKIP, ms, kind, scrub(trace, secrets)
            )

        budget = max(0.0, deadline - network.clock()) + OVERRUN_SECONDS
        limit = asyncio.timeout(budget)
        try:
            async with limit:
                return await check.observe(network), None
        except Exception as exc:
            if isinstance(exc, TimeoutError) and limit.expired():
                return fault(CheckFault.TIMED_OUT)
            return fault(CheckFault.CRASHED, "".join(traceback.format_exception(exc)))

    outcomes = await asyncio.gather(*(one(check) for check in checks))
    observed = {
        check.id: value for check, (value, crash) in zip(checks, outcomes, strict=True) if crash is None
    }
    faults = tuple(crash for _, crash in outcomes if crash is not None)
    return CheckRun(observed, faults)


__all__ = ["Check", "CheckRun", "run_checks", "scrub"]
