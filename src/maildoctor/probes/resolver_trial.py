"""Is the resolver there, and does it tell the truth? Questions whose answers are known in advance.

`resolver_answers`: a quick question about the root and a TLD, with a short timeout, asked beside
the diagnosis: when nothing answers at all, the machine is offline and waiting longer tells
nothing. `try_resolver`: asked only when a finding would blame a name, a domain or an address —
names that certainly exist (the big providers' domains of our own provider data, the root and
TLD zones) and one that certainly does not; `rules.resolver_trust` judges the answers.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Sequence

from maildoctor.facts import DnsOutcome, ResolverTrial
from maildoctor.net.resolver import DnsClient, Nameserver
from maildoctor.net.seam import Resolver

# Domains of src/maildoctor/data/providers/*.toml that exist as long as e-mail does (a unit test
# checks they are in the provider data), and zones every resolver must know.
CERTAIN_DOMAINS: tuple[str, ...] = ("gmail.com", "outlook.com", "yahoo.co.jp", "docomo.ne.jp", "icloud.com")
CERTAIN_ZONES: tuple[str, ...] = (".", "com.", "jp.")
# (name, record type) of every question about a certain name: what a lab resolver must answer
CERTAIN_QUESTIONS: tuple[tuple[str, str], ...] = (
    *((domain, "A") for domain in CERTAIN_DOMAINS),
    *((zone, "NS") for zone in CERTAIN_ZONES),
)
# How long the reachability question may go unanswered before the machine counts as offline
REACH_SECONDS = 1.5
_ANSWERED = frozenset(
    {DnsOutcome.OK, DnsOutcome.NXDOMAIN, DnsOutcome.NODATA, DnsOutcome.SERVFAIL, DnsOutcome.REFUSED}
)


def nonexistent_name() -> str:
    """A name under a real TLD that no one has registered: random, so no cache or list knows it."""
    return f"maildoctor-check-{secrets.token_hex(8)}.com"


async def resolver_answers(nameservers: Sequence[Nameserver], within: float = REACH_SECONDS) -> bool:
    """True as soon as the resolver answers anything about the root or .com (even NXDOMAIN or
    REFUSED: it is there); False when nothing answered `within` seconds (asked again at each third)."""
    dns = DnsClient(nameservers, attempt_timeout=within / 3)
    asked = [asyncio.ensure_future(dns.lookup(name, "NS", within)) for name in (".", "com.")]
    try:
        # dnspython may sleep past its lifetime between attempts: the deadline is kept here
        async with asyncio.timeout(within):
            for answer in asyncio.as_completed(asked):
                if (await answer).outcome in _ANSWERED:
                    return True
    except TimeoutError:
        pass
    finally:
        for question in asked:
            question.cancel()
    return False


async def try_resolver(dns: Resolver, lifetime: float) -> ResolverTrial:
    """The resolver's answers about every certain name and one nonexistent name, asked at once."""
    questions = [dns.lookup(name, rdtype, lifetime) for name, rdtype in CERTAIN_QUESTIONS]
    *certain, nonexistent = await asyncio.gather(*questions, dns.lookup(nonexistent_name(), "A", lifetime))
    return ResolverTrial(tuple(certain), nonexistent)


__all__ = [
    "CERTAIN_DOMAINS",
    "CERTAIN_QUESTIONS",
    "CERTAIN_ZONES",
    "REACH_SECONDS",
    "nonexistent_name",
    "resolver_answers",
    "try_resolver",
]
