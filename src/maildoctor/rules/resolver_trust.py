"""Can the resolver be trusted? Judged from its answers about names that certainly exist — pure.

A resolver behind a captive portal, a filtering router, security software or a broken home router
says that every name does not exist, or answers every name with one address. Nothing it says about
a mail domain or a server name means anything then (causes.md, ranking): the finding is
DNS_RESOLVER_BROKEN, and the findings that rest on its answers are left out, not folded.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from maildoctor.facts import DnsLookup, DnsOutcome, ResolverTrial
from maildoctor.i18n import N_
from maildoctor.model import Evidence, Finding, Layer, ServerRole
from maildoctor.rules.base import finding
from maildoctor.rules.rank import rank

# the layers whose findings rest on what the resolver said (a name, its records, its address)
RESOLVED_LAYERS = frozenset({Layer.DNS, Layer.SENDING_DOMAIN, Layer.TRANSPORT, Layer.TLS})
# a resolver already known to be unusable: asking it more says nothing new
_UNTRUSTED = frozenset({"NETWORK_OFFLINE", "DNS_RESOLVER_BROKEN"})
_EXISTS = frozenset({DnsOutcome.OK, DnsOutcome.NODATA})
_FAILED = frozenset({DnsOutcome.SERVFAIL, DnsOutcome.REFUSED})


def _shown(lookup: DnsLookup) -> str:
    """gmail.com as it is; the root as "."; a top-level domain as ".com"."""
    name = lookup.name.rstrip(".")
    return f".{name}" if "." not in name else name


def needs_trial(findings: Sequence[Finding]) -> bool:
    """True when a finding would blame a name, a domain or an address the resolver gave."""
    if any(item.cause in _UNTRUSTED for item in findings):
        return False
    return any(item.layer in RESOLVED_LAYERS for item in findings)


def judge_resolver(trial: ResolverTrial) -> Finding | None:
    """DNS_RESOLVER_BROKEN with what it said wrongly, or None when its answers can be believed."""
    denied = [_shown(lookup) for lookup in trial.certain if lookup.outcome == DnsOutcome.NXDOMAIN]
    if denied:
        evidence = Evidence.of(
            N_("The DNS server in use says these names do not exist, though they certainly do: {names}"),
            names=", ".join(dict.fromkeys(denied)),
        )
        return finding("DNS_RESOLVER_BROKEN", ServerRole.INPUT, {"problem": "denies"}, [evidence])
    fake = trial.nonexistent
    resolved = [
        lookup
        for lookup in trial.certain
        if lookup.rdtype in ("A", "AAAA") and lookup.outcome == DnsOutcome.OK
    ]
    if fake is not None and fake.outcome == DnsOutcome.OK and fake.answers and resolved:
        portal = set(fake.answers)
        if all(set(lookup.answers) <= portal for lookup in resolved):
            evidence = Evidence.of(
                N_(
                    "The DNS server in use answers every name with the same address {address}, "
                    "even {name}, which does not exist"
                ),
                address=", ".join(sorted(portal)),
                name=fake.name.rstrip("."),
            )
            return finding("DNS_RESOLVER_BROKEN", ServerRole.INPUT, {"problem": "one-address"}, [evidence])
    if trial.certain and not any(lookup.outcome in _EXISTS for lookup in trial.certain):
        failures = [lookup for lookup in trial.certain if lookup.outcome in _FAILED]
        if failures:  # only timeouts: the deadline may have cut them, nothing is judged
            evidence = Evidence.of(
                N_("The DNS server in use cannot look up names that certainly exist: {answers}"),
                answers=", ".join(f"{_shown(lookup)} {str(lookup.outcome).upper()}" for lookup in failures),
            )
            return finding("DNS_RESOLVER_BROKEN", ServerRole.INPUT, {"problem": "fails"}, [evidence])
    return None


def _reranked(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    return rank([dataclasses.replace(item, consequence_of=None) for item in findings])


def without_resolved(findings: Sequence[Finding], broken: Finding) -> tuple[Finding, ...]:
    """The findings with the untrusted resolver's finding in place of those that rest on its answers."""
    return _reranked([broken, *(item for item in findings if item.layer not in RESOLVED_LAYERS)])


def without_garbage_domain(findings: Sequence[Finding], filled: Sequence[ServerRole]) -> tuple[Finding, ...]:
    """After ADDRESS_INVALID, nothing about the domain after the @ (it is not a domain), nor about the
    servers found from it; what the person typed (the servers they named) is still judged. Lookups of
    such a name fail before any question is sent, so "no DNS answer" says nothing about the network."""
    if not any(item.cause == "ADDRESS_INVALID" for item in findings):
        return tuple(findings)
    left_out = {ServerRole.DOMAIN, *filled}
    return _reranked(
        [item for item in findings if item.server not in left_out and item.cause != "NETWORK_OFFLINE"]
    )


__all__ = ["RESOLVED_LAYERS", "judge_resolver", "needs_trial", "without_garbage_domain", "without_resolved"]
