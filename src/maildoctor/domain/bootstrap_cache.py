"""IANA's RDAP bootstrap kept on disk for a day: a check need not fetch the same file every run.

The file (dns.json, ~30 KB) changes a few times a year; RFC 9224 section 8 asks clients to cache
it and honour HTTP caching. A day is kept, by the file's own time; a damaged or unreadable cache
file is ignored (and replaced on the next successful fetch), never an error. The cache holds only
the public bootstrap data, stored per bootstrap URL.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from maildoctor.domain.registration import RdapBootstrap, parse_bootstrap

MAX_AGE: Final = 24 * 3600.0
MAX_BYTES: Final = 2 * 1024 * 1024  # a cache file larger than this is not ours


@dataclass(frozen=True, slots=True)
class BootstrapCache:
    directory: Path
    max_age: float = MAX_AGE

    def _file(self, url: str) -> Path:
        key = hashlib.sha256(url.encode()).hexdigest()[:16]
        return self.directory / f"rdap-bootstrap-{key}.json"

    def load(self, url: str, now: float | None = None) -> RdapBootstrap | None:
        """The bootstrap stored for `url` when it is younger than `max_age`; None otherwise."""
        path = self._file(url)
        try:
            age = (time.time() if now is None else now) - path.stat().st_mtime
            if not 0 <= age < self.max_age or path.stat().st_size > MAX_BYTES:
                return None
            return parse_bootstrap(path.read_bytes())
        except (OSError, ValueError):
            return None

    def store(self, url: str, bootstrap: RdapBootstrap) -> None:
        """Keep `bootstrap` for `url` (written whole or not at all); failures are ignored."""
        by_urls: dict[tuple[str, ...], list[str]] = {}
        for suffix, urls in bootstrap.services.items():
            by_urls.setdefault(urls, []).append(suffix)
        document = {
            "publication": bootstrap.publication,
            "services": [[suffixes, list(urls)] for urls, suffixes in by_urls.items()],
        }
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".rdap-", suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(document, out)
            Path(temporary).replace(self._file(url))
        except OSError:
            return


__all__ = ["MAX_AGE", "BootstrapCache"]
