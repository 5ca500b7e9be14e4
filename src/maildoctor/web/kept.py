"""A small table of results kept for a while under random ids (the settings a page found, for
its downloads), bounded in count and age."""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Kept(Generic[T]):
    def __init__(
        self, seconds: float = 900.0, most: int = 200, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._items: OrderedDict[str, tuple[float, T]] = OrderedDict()
        self._seconds = seconds
        self._most = most
        self._clock = clock

    def keep(self, value: T) -> str:
        key = secrets.token_urlsafe(16)
        self._items[key] = (self._clock(), value)
        while len(self._items) > self._most:
            self._items.popitem(last=False)
        return key

    def get(self, key: str) -> T | None:
        found = self._items.get(key)
        if found is None or self._clock() - found[0] > self._seconds:
            self._items.pop(key, None)
            return None
        return found[1]


__all__ = ["Kept"]
