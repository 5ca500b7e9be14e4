"""Never lock an account: one login attempt per server and user name per run, and none while a
recent failure for that account is remembered (unless the person insists with --force-login).

What is remembered is a salted hash of protocol, host and user name with the time of the
failure — never the password, never the names in clear — in the user's cache directory.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

REMEMBER_SECONDS = 15 * 60
_FILE_NAME = "login-failures.json"


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "maildoctor"


def account_key(protocol: str, host: str, username: str) -> str:
    material = f"maildoctor-login-v1\0{protocol.lower()}\0{host.lower().rstrip('.')}\0{username}"
    return hashlib.sha256(material.encode()).hexdigest()


@dataclass
class LoginGuard:
    cache_dir: Path | None = field(default_factory=default_cache_dir)  # None: remember nothing on disk
    force: bool = False
    now: float = field(default_factory=time.time)
    _tried: set[str] = field(default_factory=set)

    def _path(self) -> Path | None:
        return self.cache_dir / _FILE_NAME if self.cache_dir is not None else None

    def _load(self) -> dict[str, float]:
        path = self._path()
        if path is None:
            return {}
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): float(v) for k, v in data.items() if isinstance(v, int | float)}

    def remembered_failure(self, protocol: str, host: str, username: str) -> float | None:
        """Seconds since a remembered failure for this account, if within the window."""
        when = self._load().get(account_key(protocol, host, username))
        if when is None or self.now - when > REMEMBER_SECONDS:
            return None
        return max(0.0, self.now - when)

    def may_try(self, protocol: str, host: str, username: str) -> tuple[bool, str | None]:
        """(allowed, reason if not): reason is already_tried or remembered_failure."""
        key = account_key(protocol, host, username)
        if key in self._tried:
            return False, "already_tried"
        if not self.force and self.remembered_failure(protocol, host, username) is not None:
            return False, "remembered_failure"
        self._tried.add(key)
        return True, None

    def record(self, protocol: str, host: str, username: str, *, failed: bool) -> None:
        path = self._path()
        if path is None:
            return
        entries = {key: when for key, when in self._load().items() if self.now - when <= REMEMBER_SECONDS}
        key = account_key(protocol, host, username)
        if failed:
            entries[key] = self.now
        else:
            entries.pop(key, None)
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            temporary = path.with_suffix(".tmp")
            temporary.write_text(json.dumps(entries))
            temporary.chmod(0o600)
            temporary.replace(path)
