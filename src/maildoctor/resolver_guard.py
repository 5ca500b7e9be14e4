"""Before a name, a domain or an address the resolver gave is blamed: can the resolver be trusted?

Wiring only, shared by check, domain and settings: the questions are `probes.resolver_trial`'s,
the judgement is `rules.resolver_trust`'s. A healthy run (nothing blamed) asks nothing more.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from maildoctor.model import Finding, ServerRole
from maildoctor.net.resolver import DnsClient, Nameserver
from maildoctor.probes.resolver_trial import try_resolver
from maildoctor.rules.resolver_trust import (
    judge_resolver,
    needs_trial,
    without_garbage_domain,
    without_resolved,
)

# the trial is a single round of questions to one resolver: a healthy one answers in milliseconds
TRIAL_SECONDS = (1.0, 3.0)


def _lifetime(deadline: float | None) -> float:
    low, high = TRIAL_SECONDS
    if deadline is None:
        return high
    return min(high, max(low, deadline - time.monotonic()))


async def resolver_verdict(
    nameservers: Sequence[Nameserver], deadline: float | None = None
) -> Finding | None:
    """DNS_RESOLVER_BROKEN when the resolver lies about names that certainly exist, else None."""
    trial = await try_resolver(DnsClient(nameservers), _lifetime(deadline))
    return judge_resolver(trial)


async def trusted_findings(
    findings: Sequence[Finding],
    nameservers: Sequence[Nameserver],
    *,
    filled: Sequence[ServerRole] = (),
    deadline: float | None = None,
) -> tuple[Finding, ...]:
    """The findings without those about an invalid address's domain, and, when they blame something
    the resolver said, without everything that rests on a resolver found lying (its finding instead)."""
    kept = without_garbage_domain(findings, filled)
    if not needs_trial(kept):
        return kept
    broken = await resolver_verdict(nameservers, deadline)
    return kept if broken is None else without_resolved(kept, broken)


__all__ = ["resolver_verdict", "trusted_findings"]
