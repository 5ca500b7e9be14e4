"""The domain's MX hosts, best first, for the rule that knows providers by their MX names.

Null MX (RFC 7505: a single "0 ." record) is recognised: the domain says it receives no
mail at all, which no settings can fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from maildoctor.discover.candidates import Source
from maildoctor.facts import DnsLookup, DnsOutcome
from maildoctor.net.resolver import DnsClient


@dataclass(frozen=True, slots=True)
class MxRecord:
    preference: int
    exchange: str  # lower case, without the trailing dot; "." for a null MX

    @classmethod
    def parse(cls, text: str) -> MxRecord:
        """dnspython's text form, "10 mail.example.test."; ValueError otherwise."""
        fields = text.split()
        if len(fields) != 2 or not fields[0].isdigit():
            raise ValueError(f"not an MX record: {text!r}")
        exchange = fields[1].lower()
        return cls(int(fields[0]), "." if exchange == "." else exchange.rstrip("."))


@dataclass(frozen=True, slots=True)
class MxResult:
    domain: str
    lookup: DnsLookup
    records: tuple[MxRecord, ...]  # ordered by preference, then name
    null_mx: bool = False  # RFC 7505: the domain accepts no mail
    source: Source = Source.MX

    @property
    def hosts(self) -> tuple[str, ...]:
        """The MX host names, most preferred first, each once (no "." of a null MX)."""
        return tuple(dict.fromkeys(record.exchange for record in self.records if record.exchange != "."))


def parse_mx_answers(answers: Sequence[str]) -> list[MxRecord]:
    """The MX records of dnspython's answer texts that parse, in the answer's order."""
    records: list[MxRecord] = []
    for answer in answers:
        try:
            records.append(MxRecord.parse(answer))
        except ValueError:
            continue
    return records


def order_mx(answers: Sequence[str]) -> tuple[tuple[MxRecord, ...], bool]:
    """(records by preference then name, null MX?) from dnspython's MX answer texts.

    A null MX is a single record with exchange "." (RFC 7505 says preference 0; any
    preference is taken). A "." next to real hosts is a mistake and is left out.
    """
    records = parse_mx_answers(answers)
    if len(records) == 1 and records[0].exchange == ".":
        return tuple(records), True
    real = sorted(
        (record for record in records if record.exchange != "."), key=lambda r: (r.preference, r.exchange)
    )
    return tuple(real), False


async def lookup_mx(domain: str, dns: DnsClient, lifetime: float = 5.0) -> MxResult:
    """The MX records of `domain`; never raises for what DNS does (see `lookup`)."""
    domain = domain.lower().rstrip(".")
    lookup = await dns.lookup(domain, "MX", lifetime)
    if lookup.outcome is not DnsOutcome.OK:
        return MxResult(domain, lookup, ())
    records, null_mx = order_mx(lookup.answers)
    return MxResult(domain, lookup, records, null_mx)


__all__ = ["MxRecord", "MxResult", "lookup_mx", "order_mx", "parse_mx_answers"]
