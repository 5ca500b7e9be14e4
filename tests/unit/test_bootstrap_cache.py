"""IANA's RDAP bootstrap kept for a day: read back whole, refused when old or damaged, per URL."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from types import MappingProxyType

from maildoctor.domain.bootstrap_cache import MAX_AGE, BootstrapCache
from maildoctor.domain.registration import RdapBootstrap, RdapOutcome, lookup_registration
from maildoctor.net.http import HostResolution

URL = "https://data.iana.org/rdap/dns.json"
BOOTSTRAP = RdapBootstrap(
    MappingProxyType(
        {
            "com": ("https://rdap.verisign.com/com/v1/",),
            "net": ("https://rdap.verisign.com/com/v1/",),
            "jp.net": ("https://rdap.example/jpnet/",),
        }
    ),
    "2026-11-01T00:00:00Z",
)


def test_a_stored_bootstrap_is_read_back_whole(tmp_path: Path) -> None:
    cache = BootstrapCache(tmp_path)
    cache.store(URL, BOOTSTRAP)
    loaded = cache.load(URL)
    assert loaded is not None
    assert dict(loaded.services) == dict(BOOTSTRAP.services)
    assert loaded.publication == BOOTSTRAP.publication
    assert loaded.base_urls("example.jp.net") == ("https://rdap.example/jpnet/",)


def test_another_url_an_old_file_and_a_damaged_file_are_not_used(tmp_path: Path) -> None:
    cache = BootstrapCache(tmp_path)
    cache.store(URL, BOOTSTRAP)
    assert cache.load("https://lab.test/dns.json") is None
    assert cache.load(URL, now=time.time() + MAX_AGE + 1) is None
    (stored,) = tmp_path.glob("rdap-bootstrap-*.json")
    stored.write_text("{not json")
    assert cache.load(URL) is None
    os.utime(stored, (0, 0))
    assert cache.load(URL) is None


def test_an_unwritable_place_is_not_an_error(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")
    cache = BootstrapCache(blocked / "sub")  # a directory cannot be made under a file
    cache.store(URL, BOOTSTRAP)
    assert cache.load(URL) is None


def test_registration_uses_the_cached_bootstrap_without_fetching_it(tmp_path: Path) -> None:
    cache = BootstrapCache(tmp_path)
    cache.store(URL, RdapBootstrap(MappingProxyType({"com": ("https://rdap.test/",)})))
    asked: list[str] = []

    async def resolver(host: str) -> HostResolution:
        asked.append(host)
        raise OSError("no network in this test")

    facts = asyncio.run(
        lookup_registration("example.jp", resolver=resolver, bootstrap_url=URL, timeout=1.0, cache=cache)
    )
    assert facts.outcome is RdapOutcome.NO_SERVICE  # .jp is not in the cached file: nothing was fetched
    assert asked == []
