"""The openspf test-suite format (rfc7208-tests.yml, rfc4408-tests.yml) as data, and a DNS source
that serves a scenario's ``zonedata`` the way the suite's own driver (pyspf's test/testspf.py)
does.

The caller loads the YAML (``yaml.safe_load_all``) and hands the documents over; nothing here
reads files or parses YAML. The zonedata conventions, to the letter:

* each name maps to a list of entries, ``{TYPE: value}`` or the bare string ``TIMEOUT``; names
  are matched without regard to case;
* ``TIMEOUT``: a query for the name times out unless an entry of the asked type comes before it
  (then the answer is what came before);
* ``SPF`` entries (type 99) are also served as ``TXT`` when the name has no ``TXT`` entry at
  all ("auto-magic duplication", so that one suite tests TXT and SPF implementations); an RFC
  7208 evaluator never asks for type SPF, so those entries matter only through that copy;
* ``TXT: NONE`` is no record, but it stops the duplication (the name has TXT: none);
* TXT and SPF values are one string or a list of strings (the record's character-strings, so
  ``[]`` is a record without strings); they are sent as UTF-8 bytes;
* ``MX: [preference, exchange]``; ``CNAME`` is followed as a resolver does, a loop is an error;
* a name not in the zonedata does not exist (NXDOMAIN); one without the asked type has no data.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from maildoctor.domain.spf import DnsAnswer, DnsFailure, MxRecord, TxtRecord

__all__ = ["SuiteScenario", "SuiteTest", "ZoneDataSource", "load_suite"]

TIMEOUT = "TIMEOUT"
_CNAME_LIMIT = 8


@dataclass(frozen=True, slots=True)
class SuiteTest:
    scenario: str
    name: str
    host: str
    mailfrom: str
    helo: str
    results: tuple[str, ...]  # any of these is right (the first is preferred)
    explanation: str | None  # when given, the exp= text must be exactly this
    spec: str
    description: str


@dataclass(frozen=True, slots=True)
class SuiteScenario:
    description: str
    tests: tuple[SuiteTest, ...]
    zonedata: Mapping[str, Any]


def load_suite(documents: Iterable[Mapping[str, Any]]) -> list[SuiteScenario]:
    scenarios: list[SuiteScenario] = []
    for document in documents:
        if not document:
            continue
        description = str(document.get("description", ""))
        tests: list[SuiteTest] = []
        for name, data in document["tests"].items():
            result = data["result"]
            tests.append(
                SuiteTest(
                    scenario=description,
                    name=str(name),
                    host=str(data["host"]),
                    mailfrom=str(data.get("mailfrom") or ""),
                    helo=str(data.get("helo") or ""),
                    results=tuple(result) if isinstance(result, list) else (str(result),),
                    explanation=None if data.get("explanation") is None else str(data["explanation"]),
                    spec=str(data.get("spec", "")),
                    description=str(data.get("description") or ""),
                )
            )
        scenarios.append(SuiteScenario(description, tuple(tests), document.get("zonedata") or {}))
    return scenarios


def _strings(value: Any) -> tuple[bytes, ...] | None:
    """A TXT/SPF value as character-strings; None for NONE (no record)."""
    if isinstance(value, str):
        return None if value == "NONE" else (value.encode("utf-8"),)
    return tuple(str(part).encode("utf-8") for part in value)


def _entries(raw: Sequence[Any]) -> list[tuple[str, Any]]:
    """The entries of one name in order, with the TXT copies of SPF entries appended."""
    entries: list[tuple[str, Any]] = []
    copies: list[tuple[str, Any]] = []
    has_txt = False
    for item in raw:
        if isinstance(item, str):
            entries.append((item, None))
            continue
        for rdtype, value in item.items():
            if rdtype in ("TXT", "SPF"):
                strings = _strings(value)
                if rdtype == "TXT":
                    has_txt = True
                elif strings is not None:
                    copies.append(("TXT", strings))
                if strings is not None:
                    entries.append((rdtype, strings))
            else:
                entries.append((rdtype, value))
    return entries if has_txt else entries + copies


@dataclass
class ZoneDataSource:
    """An `SpfDnsSource` answering from a scenario's zonedata (optionally after `delay` seconds,
    to measure concurrency); `queries` logs every (name, type) asked, in order."""

    zonedata: Mapping[str, Any]
    delay: float = 0.0
    queries: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._zone = {
            str(name).lower().removesuffix("."): _entries(raw or []) for name, raw in self.zonedata.items()
        }

    def _lookup(self, name: str, rdtype: str, chain: tuple[str, ...] = ()) -> DnsAnswer[Any]:
        key = name.lower().removesuffix(".")
        entries = self._zone.get(key)
        if entries is None:
            return DnsAnswer(failure=DnsFailure.NXDOMAIN)
        cname = next((value for kind, value in entries if kind == "CNAME"), None)
        if cname is not None and rdtype != "CNAME":
            if key in chain or len(chain) >= _CNAME_LIMIT:
                return DnsAnswer(failure=DnsFailure.SERVFAIL)  # a resolver's answer to a CNAME loop
            return self._lookup(str(cname), rdtype, (*chain, key))
        found: list[Any] = []
        for kind, value in entries:
            if kind == TIMEOUT:
                if not found:
                    return DnsAnswer(failure=DnsFailure.TIMEOUT)
                break
            if kind == rdtype:
                found.append(self._convert(rdtype, value))
        return DnsAnswer(tuple(found)) if found else DnsAnswer(failure=DnsFailure.NODATA)

    @staticmethod
    def _convert(rdtype: str, value: Any) -> Any:
        if rdtype == "MX":
            preference, exchange = value
            return (int(preference), str(exchange).removesuffix("."))
        if rdtype == "TXT":
            return value
        return str(value).removesuffix(".")

    async def _answer(self, name: str, rdtype: str) -> DnsAnswer[Any]:
        self.queries.append((name, rdtype))
        if self.delay:
            await asyncio.sleep(self.delay)
        return self._lookup(name, rdtype)

    async def txt(self, name: str) -> DnsAnswer[TxtRecord]:
        return await self._answer(name, "TXT")

    async def a(self, name: str) -> DnsAnswer[str]:
        return await self._answer(name, "A")

    async def aaaa(self, name: str) -> DnsAnswer[str]:
        return await self._answer(name, "AAAA")

    async def mx(self, name: str) -> DnsAnswer[MxRecord]:
        return await self._answer(name, "MX")

    async def ptr(self, name: str) -> DnsAnswer[str]:
        return await self._answer(name, "PTR")
