"""Expiry alerts for sending (pure): each threshold (30, 14, 7 days, 0: expired) is sent once per
expiry date. An alert is due when its threshold is reached and no report carrying it was sent —
even if the run that crossed it was only shown on a screen or its sending failed; a renewed
domain or certificate (a new date) starts over."""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import replace
from datetime import date

from maildoctor.checkup.trends import THRESHOLDS, Expiry, Trends

AlertKey = tuple[str, str, date, int]  # kind, what, expires, threshold


def reached(expiry: Expiry) -> tuple[int, ...]:
    return tuple(threshold for threshold in THRESHOLDS if expiry.days_left <= threshold)


def due(trends: Trends, sent: Set[AlertKey]) -> Trends:
    """The trends with each expiry's alert set to its most urgent threshold not sent yet (or none)."""
    expiries = []
    for expiry in trends.expiries:
        unsent = [t for t in reached(expiry) if (expiry.kind, expiry.what, expiry.expires, t) not in sent]
        expiries.append(replace(expiry, alert=min(unsent) if unsent else None))
    return replace(trends, expiries=tuple(expiries))


def alert_keys(expiries: Iterable[Expiry]) -> list[AlertKey]:
    """What sending these expiries' alerts settles: every threshold each has reached (a 7-day alert
    sent makes the 30- and 14-day ones moot)."""
    return [
        (expiry.kind, expiry.what, expiry.expires, threshold)
        for expiry in expiries
        if expiry.alert is not None
        for threshold in reached(expiry)
    ]
