"""Signed-in sessions: a random token in an HttpOnly, SameSite=Strict cookie (Secure over https),
its user and role kept in this server's memory only (a restart signs everyone out). A session
ends on logout, after 8 idle hours, and after 24 hours whatever happens. Pure, apart from the
random source; the clock is passed in."""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

COOKIE: Final = "maildoctor_session"
IDLE: Final = 8 * 3600.0
LONGEST: Final = 24 * 3600.0
MAX_SESSIONS: Final = 10_000


@dataclass(frozen=True, slots=True)
class SignedIn:
    user: str
    role: str
    started: float
    seen: float


class SessionStore:
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._sessions: OrderedDict[str, SignedIn] = OrderedDict()

    def start(self, user: str, role: str) -> str:
        """A new token (a new one at every sign-in: a token planted before cannot be taken over)."""
        token = secrets.token_urlsafe(32)
        now = self._clock()
        self._sessions[token] = SignedIn(user, role, now, now)
        while len(self._sessions) > MAX_SESSIONS:
            self._sessions.popitem(last=False)
        return token

    def get(self, token: str | None) -> SignedIn | None:
        if not token:
            return None
        found = self._sessions.pop(token, None)
        now = self._clock()
        if found is None or now - found.seen > IDLE or now - found.started > LONGEST:
            return None
        found = SignedIn(found.user, found.role, found.started, now)
        self._sessions[token] = found
        return found

    def end(self, token: str | None) -> None:
        if token:
            self._sessions.pop(token, None)

    def cookie(self, token: str, *, secure: bool) -> str:
        flag = "; Secure" if secure else ""
        return f"{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{flag}"

    def cleared_cookie(self, *, secure: bool) -> str:
        flag = "; Secure" if secure else ""
        return f"{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{flag}"


__all__ = ["COOKIE", "SessionStore", "SignedIn"]
