"""Trends between two check days (pure): quota growth and the days until the mailbox is full,
certificate and domain expiry in days, with an alert at 30, 14 and 7 days (and at expiry) — each
once: an alert is due when the last run crossed its threshold, so the next run does not repeat it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from maildoctor.checkup.model import Outcome, RecordedItem, RecordedRun

THRESHOLDS: Final = (30, 14, 7, 0)  # days; 0: expired


@dataclass(frozen=True, slots=True)
class QuotaTrend:
    subject: str
    used_kib: int
    limit_kib: int
    growth_kib_per_day: float | None  # None: no earlier check day to compare with
    days_until_full: int | None  # None: not growing (or unknown)

    @property
    def percent(self) -> int:
        return round(100 * self.used_kib / self.limit_kib)


@dataclass(frozen=True, slots=True)
class Expiry:
    kind: str  # cert | domain
    subject: str  # the account or the domain
    what: str  # the certificate's host, or the domain
    expires: date
    days_left: int
    alert: int | None  # the threshold crossed since the last check day (30, 14, 7, 0), if any


@dataclass(frozen=True, slots=True)
class Trends:
    quotas: tuple[QuotaTrend, ...]
    expiries: tuple[Expiry, ...]

    @property
    def alerts(self) -> tuple[Expiry, ...]:
        return tuple(expiry for expiry in self.expiries if expiry.alert is not None)


def _last_tested(runs: Sequence[RecordedRun], key: object) -> tuple[RecordedRun, RecordedItem] | None:
    for run in reversed(runs):
        for item in run.items:
            if item.key == key and item.outcome is Outcome.CHECKED:
                return run, item
    return None


def _quota(
    item: RecordedItem, day: date, earlier: tuple[RecordedRun, RecordedItem] | None
) -> QuotaTrend | None:
    try:
        used, limit = int(item.facts["quota_used_kib"]), int(item.facts["quota_limit_kib"])
    except (KeyError, ValueError):
        return None
    growth: float | None = None
    days_until_full: int | None = None
    if earlier is not None and "quota_used_kib" in earlier[1].facts:
        elapsed = (day - earlier[0].started_at.date()).days
        if elapsed > 0:
            growth = (used - int(earlier[1].facts["quota_used_kib"])) / elapsed
            if growth > 0:
                days_until_full = max(0, int((limit - used) / growth))
    return QuotaTrend(item.subject, used, limit, growth, days_until_full)


def _crossed(days_now: int, days_before: int | None) -> int | None:
    crossed = [t for t in THRESHOLDS if days_now <= t and (days_before is None or days_before > t)]
    return min(crossed) if crossed else None


def _expiries(
    item: RecordedItem, day: date, earlier: tuple[RecordedRun, RecordedItem] | None
) -> Iterator[Expiry]:
    for name, value in sorted(item.facts.items()):
        kind, _, what = name.partition(":")
        if kind not in ("cert_expires", "domain_expires"):
            continue
        expires = date.fromisoformat(value)
        days_left = (expires - day).days
        before: int | None = None
        if earlier is not None and name in earlier[1].facts:
            before = (date.fromisoformat(earlier[1].facts[name]) - earlier[0].started_at.date()).days
        yield Expiry(
            "cert" if kind == "cert_expires" else "domain",
            item.subject,
            what or item.subject,
            expires,
            days_left,
            _crossed(days_left, before),
        )


def trends(runs: Sequence[RecordedRun]) -> Trends:
    """The trends the last of `runs` (oldest first) shows against the check days before it."""
    if not runs:
        return Trends((), ())
    latest = runs[-1]
    day = latest.started_at.date()
    quotas: list[QuotaTrend] = []
    expiries: list[Expiry] = []
    for item in latest.items:
        if item.outcome is not Outcome.CHECKED:
            continue
        earlier = _last_tested(runs[:-1], item.key)
        if (quota := _quota(item, day, earlier)) is not None:
            quotas.append(quota)
        expiries += _expiries(item, day, earlier)
    # a server's certificate once, however many accounts live on it
    once = {
        (expiry.kind, expiry.what): expiry
        for expiry in sorted(expiries, key=lambda e: e.subject, reverse=True)
    }
    return Trends(
        tuple(sorted(quotas, key=lambda quota: quota.subject)),
        tuple(sorted(once.values(), key=lambda expiry: (expiry.days_left, expiry.what))),
    )
