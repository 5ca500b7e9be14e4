"""Requests per client: a token bucket per client address and kind of request. Pure: the clock is
passed in, nothing is slept."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rate:
    per_minute: float
    burst: int


class RateLimiter:
    """At most `rate.burst` at once, refilled at `rate.per_minute`; the oldest clients forgotten
    beyond `max_clients` (the table stays bounded whoever asks)."""

    def __init__(self, rate: Rate, clock: Callable[[], float], max_clients: int = 10_000) -> None:
        self._rate = rate
        self._clock = clock
        self._max = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, client: str) -> bool:
        now = self._clock()
        tokens, then = self._buckets.pop(client, (float(self._rate.burst), now))
        tokens = min(float(self._rate.burst), tokens + (now - then) * self._rate.per_minute / 60.0)
        allowed = tokens >= 1.0
        self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
        while len(self._buckets) > self._max:
            self._buckets.popitem(last=False)
        return allowed


__all__ = ["Rate", "RateLimiter"]
