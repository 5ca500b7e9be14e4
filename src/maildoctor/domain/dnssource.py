"""The SPF evaluator's DNS on the product's resolver: `DnsClientSource` adapts
`maildoctor.net.resolver.DnsClient` (dnspython) to `maildoctor.domain.spf.SpfDnsSource`.

DnsClient gives answers in DNS presentation form; TXT records come back here as their
character-strings in bytes (quotes and ``\\DDD`` escapes undone, nothing joined or decoded), since
SPF must see a non-ASCII byte as such and join the strings itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeVar

from maildoctor.domain.spf import DnsAnswer, DnsFailure, MxRecord, TxtRecord
from maildoctor.facts import DnsLookup, DnsOutcome
from maildoctor.net.resolver import DnsClient

__all__ = ["DnsClientSource", "txt_strings"]

T = TypeVar("T")

_FAILURES: Final = {
    DnsOutcome.NXDOMAIN: DnsFailure.NXDOMAIN,
    DnsOutcome.NODATA: DnsFailure.NODATA,
    DnsOutcome.SERVFAIL: DnsFailure.SERVFAIL,
    DnsOutcome.TIMEOUT: DnsFailure.TIMEOUT,
    DnsOutcome.REFUSED: DnsFailure.ERROR,
    DnsOutcome.ERROR: DnsFailure.ERROR,
}


def txt_strings(presentation: str) -> TxtRecord:
    """A TXT record's character-strings from its presentation form (``"v=spf1 " "-all"``)."""
    strings: list[bytes] = []
    current = bytearray()
    index = 0
    inside = False
    started = False
    text = presentation
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            following = text[index + 1 : index + 4]
            if following.isdigit() and len(following) == 3:
                current.append(int(following) & 0xFF)
                index += 4
            else:
                current.extend(text[index + 1].encode("utf-8"))
                index += 2
            started = True
            continue
        if char == '"':
            if inside:
                strings.append(bytes(current))
                current = bytearray()
                started = False
            inside = not inside
            index += 1
            continue
        if char in " \t" and not inside:
            if started:
                strings.append(bytes(current))
                current = bytearray()
                started = False
            index += 1
            continue
        current.extend(char.encode("utf-8"))
        started = True
        index += 1
    if started or inside:
        strings.append(bytes(current))
    return tuple(strings)


def _mx(text: str) -> MxRecord:
    preference, _, exchange = text.partition(" ")
    return int(preference), exchange.strip().removesuffix(".")


def _name(text: str) -> str:
    return text.strip().removesuffix(".")


def _answer(lookup: DnsLookup, convert: Callable[[str], T]) -> DnsAnswer[T]:
    if lookup.outcome is DnsOutcome.OK:
        if not lookup.answers:
            return DnsAnswer(failure=DnsFailure.NODATA)
        try:
            return DnsAnswer(tuple(convert(answer) for answer in lookup.answers))
        except ValueError:
            return DnsAnswer(failure=DnsFailure.ERROR)
    return DnsAnswer(failure=_FAILURES.get(lookup.outcome, DnsFailure.ERROR))


class DnsClientSource:
    """An `SpfDnsSource` that asks through a `DnsClient`, each query with `lifetime` seconds."""

    def __init__(self, client: DnsClient, lifetime: float = 5.0) -> None:
        self._client = client
        self._lifetime = lifetime
        self.lookups: list[DnsLookup] = []  # every query made, in the order the answers came

    async def _lookup(self, name: str, rdtype: str) -> DnsLookup:
        lookup = await self._client.lookup(name, rdtype, self._lifetime)
        self.lookups.append(lookup)
        return lookup

    async def txt(self, name: str) -> DnsAnswer[TxtRecord]:
        return _answer(await self._lookup(name, "TXT"), txt_strings)

    async def a(self, name: str) -> DnsAnswer[str]:
        return _answer(await self._lookup(name, "A"), str.strip)

    async def aaaa(self, name: str) -> DnsAnswer[str]:
        return _answer(await self._lookup(name, "AAAA"), str.strip)

    async def mx(self, name: str) -> DnsAnswer[MxRecord]:
        return _answer(await self._lookup(name, "MX"), _mx)

    async def ptr(self, name: str) -> DnsAnswer[str]:
        return _answer(await self._lookup(name, "PTR"), _name)
