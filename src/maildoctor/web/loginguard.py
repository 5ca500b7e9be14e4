"""Brute-force protection of the web login: failures counted per user name and per client address;
past a few free tries each further try must wait longer (doubling, up to a lockout of 15 minutes),
whether the password is right or not. A success forgets the user's and the client's failures.
Pure: the clock is passed in, nothing is slept; the tables stay bounded."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

MAX_KEYS: Final = 10_000


@dataclass(frozen=True, slots=True)
class Backoff:
    free: int  # failures allowed before any wait
    first_wait: float  # seconds after the first failure past `free`
    longest_wait: float  # the lockout: no wait is longer

    def wait(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return min(self.longest_wait, self.first_wait * 2.0 ** (failures - self.free))


PER_USER: Final = Backoff(free=5, first_wait=2.0, longest_wait=900.0)
PER_CLIENT: Final = Backoff(free=10, first_wait=2.0, longest_wait=900.0)


class _Failures:
    def __init__(self, backoff: Backoff) -> None:
        self.backoff = backoff
        self.table: OrderedDict[str, tuple[int, float]] = OrderedDict()  # key -> (failures, last)

    def wait_left(self, key: str, now: float) -> float:
        failures, last = self.table.get(key, (0, now))
        return max(0.0, last + self.backoff.wait(failures) - now)

    def failed(self, key: str, now: float) -> None:
        failures, _last = self.table.pop(key, (0, now))
        self.table[key] = (failures + 1, now)
        while len(self.table) > MAX_KEYS:
            self.table.popitem(last=False)

    def forget(self, key: str) -> None:
        self.table.pop(key, None)


class LoginGuard:
    def __init__(
        self,
        clock: Callable[[], float],
        per_user: Backoff = PER_USER,
        per_client: Backoff = PER_CLIENT,
    ) -> None:
        self._clock = clock
        self._users = _Failures(per_user)
        self._clients = _Failures(per_client)

    def wait_left(self, user: str, client: str) -> float:
        """Seconds before a try of `user` from `client` is even looked at (0: now)."""
        now = self._clock()
        return max(self._users.wait_left(_user_key(user), now), self._clients.wait_left(client, now))

    def failed(self, user: str, client: str) -> None:
        now = self._clock()
        self._users.failed(_user_key(user), now)
        self._clients.failed(client, now)

    def succeeded(self, user: str, client: str) -> None:
        self._users.forget(_user_key(user))
        self._clients.forget(client)


def _user_key(user: str) -> str:
    return user.strip().casefold()[:64]


__all__ = ["PER_CLIENT", "PER_USER", "Backoff", "LoginGuard"]
