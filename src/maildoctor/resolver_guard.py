"""Before a name, a domain or an address the resolver gave is blamed: can the resolver be trusted?

Wiring only, shared by check, domain and settings: the questions are `probes.resolver_trial`'s,
the judgement is `rules.resolver_trust`'s. A healthy run (nothing blamed) asks nothing more.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Sequence
from typing import TypeVar

from maildoctor.model import Finding, ServerRole
from maildoctor.net.resolver import DnsClient, Nameserver
from maildoctor.net.seam import Resolver
from maildoctor.probes.resolver_trial import resolver_answers, try_resolver
from maildoctor.rules.resolver_trust import (
    judge_resolver,
    needs_trial,
    without_garbage_domain,
    without_resolved,
)

T = TypeVar("T")

# the trial is a single round of questions to one resolver: a healthy one answers in milliseconds
TRIAL_SECONDS = (1.0, 3.0)


def _lifetime(deadline: float | None) -> float:
    low, high = TRIAL_SECONDS
    if deadline is None:
        return high
    return min(high, max(low, deadline - time.monotonic()))


async def resolver_verdict(
    nameservers: Sequence[Nameserver], deadline: float | None = None, resolver: Resolver | None = None
) -> Finding | None:
    """DNS_RESOLVER_BROKEN when the resolver (`resolver`, else one asking `nameservers`) lies about
    names that certainly exist, else None."""
    trial = await try_resolver(resolver or DnsClient(nameservers), _lifetime(deadline))
    return judge_resolver(trial)


async def trusted_findings(
    findings: Sequence[Finding],
    nameservers: Sequence[Nameserver],
    *,
    filled: Sequence[ServerRole] = (),
    deadline: float | None = None,
    resolver: Resolver | None = None,
) -> tuple[Finding, ...]:
    """The findings without those about an invalid address's domain, and, when they blame something
    the resolver said, without everything that rests on a resolver found lying (its finding instead)."""
    kept = without_garbage_domain(findings, filled)
    if not needs_trial(kept):
        return kept
    broken = await resolver_verdict(nameservers, deadline, resolver)
    return kept if broken is None else without_resolved(kept, broken)


async def unless_offline(work: Awaitable[T], nameservers: Sequence[Nameserver]) -> T | None:
    """`work`'s result; or None as soon as a quick question beside it shows that no DNS server
    answers at all (then `work` is stopped: each of its lookups would wait out its own lifetime)."""
    task = asyncio.ensure_future(work)
    reach = asyncio.ensure_future(resolver_answers(nameservers))
    await asyncio.wait({task, reach}, return_when=asyncio.FIRST_COMPLETED)
    if reach.done() and not reach.result() and not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return None
    reach.cancel()
    return await task


__all__ = ["resolver_verdict", "trusted_findings", "unless_offline"]
