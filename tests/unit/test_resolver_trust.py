"""Judging a resolver from its answers about names that certainly exist (pure), and what is left out."""

from __future__ import annotations

import dataclasses

from maildoctor.discover.curated import load_curated
from maildoctor.facts import DnsLookup, DnsOutcome, ResolverTrial
from maildoctor.model import Evidence, Finding, Layer, ServerRole, Severity
from maildoctor.probes.resolver_trial import CERTAIN_DOMAINS, CERTAIN_QUESTIONS, nonexistent_name
from maildoctor.rules.base import finding
from maildoctor.rules.resolver_trust import (
    judge_resolver,
    needs_trial,
    without_garbage_domain,
    without_resolved,
)

FAKE = "maildoctor-check-0123456789abcdef.com"


def _certain(
    outcome: DnsOutcome, answers: tuple[str, ...] = (), ns: DnsOutcome | None = None
) -> tuple[DnsLookup, ...]:
    return tuple(
        DnsLookup(
            name,
            rdtype,
            ns if rdtype == "NS" and ns is not None else outcome,
            answers if rdtype == "A" else (),
        )
        for name, rdtype in CERTAIN_QUESTIONS
    )


def _evidence(item: Finding) -> str:
    shown = item.evidence[0]
    assert isinstance(shown, Evidence)
    return shown.message.format(**dict(shown.values))


def test_an_honest_resolver_is_trusted() -> None:
    trial = ResolverTrial(
        _certain(DnsOutcome.OK, ("142.250.1.1",)), DnsLookup(FAKE, "A", DnsOutcome.NXDOMAIN)
    )
    assert judge_resolver(trial) is None


def test_a_resolver_that_says_gmail_does_not_exist_is_broken_and_names_what_it_denied() -> None:
    certain = _certain(DnsOutcome.OK, ("142.250.1.1",))
    certain = (DnsLookup("gmail.com", "A", DnsOutcome.NXDOMAIN), *certain[1:])
    found = judge_resolver(ResolverTrial(certain, DnsLookup(FAKE, "A", DnsOutcome.NXDOMAIN)))
    assert found is not None and found.cause == "DNS_RESOLVER_BROKEN"
    assert found.layer == Layer.NETWORK and found.severity == Severity.ERROR
    text = _evidence(found)
    assert "gmail.com" in text and "outlook.com" not in text


def test_denying_everything_names_the_root_and_the_tlds_too() -> None:
    found = judge_resolver(
        ResolverTrial(_certain(DnsOutcome.NXDOMAIN), DnsLookup(FAKE, "A", DnsOutcome.NXDOMAIN))
    )
    assert found is not None
    assert "yahoo.co.jp" in _evidence(found) and ".com" in _evidence(found)


def test_one_address_for_every_name_is_a_captive_portal() -> None:
    trial = ResolverTrial(
        _certain(DnsOutcome.OK, ("10.0.0.1",), ns=DnsOutcome.NODATA),
        DnsLookup(FAKE, "A", DnsOutcome.OK, ("10.0.0.1",)),
    )
    found = judge_resolver(trial)
    assert found is not None and found.param("problem") == "one-address"
    assert "10.0.0.1" in _evidence(found) and FAKE in _evidence(found)


def test_a_resolver_that_only_invents_nonexistent_names_is_not_a_portal() -> None:
    # some ISPs send unknown names to a search page, but real names get their real addresses
    trial = ResolverTrial(
        _certain(DnsOutcome.OK, ("142.250.1.1",)), DnsLookup(FAKE, "A", DnsOutcome.OK, ("10.9.9.9",))
    )
    assert judge_resolver(trial) is None


def test_servfail_for_every_certain_name_is_broken_but_timeouts_alone_judge_nothing() -> None:
    fake = DnsLookup(FAKE, "A", DnsOutcome.SERVFAIL)
    found = judge_resolver(ResolverTrial(_certain(DnsOutcome.SERVFAIL), fake))
    assert found is not None and "SERVFAIL" in _evidence(found)
    assert judge_resolver(ResolverTrial(_certain(DnsOutcome.TIMEOUT), fake)) is None


def test_the_certain_names_are_providers_of_our_own_data() -> None:
    domains = {domain for entry in load_curated() for domain in entry.domains}
    assert set(CERTAIN_DOMAINS) <= domains
    assert {"gmail.com", "yahoo.co.jp", "docomo.ne.jp"} <= set(CERTAIN_DOMAINS)


def test_the_nonexistent_name_is_new_each_time_under_a_real_tld() -> None:
    first, second = nonexistent_name(), nonexistent_name()
    assert first != second and first.endswith(".com")


def _findings() -> list[Finding]:
    return [
        finding("HOST_NOT_FOUND", ServerRole.INCOMING, {"host": "imap.gmail.com"}),
        finding("DOMAIN_NOT_RESOLVING", ServerRole.DOMAIN, {"domain": "gmail.com"}),
        finding("SPF_FAIL", ServerRole.DOMAIN),
        finding("CREDENTIAL_TYPO_RISK", ServerRole.INPUT, {"field": "password"}),
    ]


def test_a_trial_is_needed_only_when_something_would_be_blamed() -> None:
    assert needs_trial(_findings())
    assert not needs_trial([finding("CREDENTIAL_TYPO_RISK", ServerRole.INPUT, {"field": "password"})])
    assert not needs_trial([])
    assert not needs_trial([*_findings(), finding("NETWORK_OFFLINE", ServerRole.INPUT)])


def test_behind_a_lying_resolver_only_what_rests_on_no_dns_answer_is_kept() -> None:
    broken = finding("DNS_RESOLVER_BROKEN", ServerRole.INPUT)
    kept = without_resolved(_findings(), broken)
    assert [item.cause for item in kept] == ["DNS_RESOLVER_BROKEN", "CREDENTIAL_TYPO_RISK"]


def test_a_typo_in_a_host_name_is_no_error_once_its_host_not_found_is_left_out() -> None:
    """The trailing dot of smtp.example.co.jp. explained HOST_NOT_FOUND (and was raised to an error);
    behind a lying resolver that lookup means nothing, so the broken resolver leads and the typo is
    a warning again."""
    from maildoctor.rules.rank import rank

    typo = finding("CREDENTIAL_TYPO_RISK", ServerRole.INPUT, {"field": "host", "role": "outgoing"})
    not_found = finding("HOST_NOT_FOUND", ServerRole.OUTGOING, {"host": "smtp.example.co.jp."})
    ranked = rank([not_found, typo])
    assert [(item.cause, item.severity) for item in ranked] == [
        ("CREDENTIAL_TYPO_RISK", Severity.ERROR),
        ("HOST_NOT_FOUND", Severity.ERROR),
    ]
    kept = without_resolved(ranked, finding("DNS_RESOLVER_BROKEN", ServerRole.INPUT))
    assert [(item.cause, item.severity) for item in kept] == [
        ("DNS_RESOLVER_BROKEN", Severity.ERROR),
        ("CREDENTIAL_TYPO_RISK", Severity.WARNING),
    ]
    assert rank(ranked) == ranked  # ranking again keeps a promotion that still explains something


def test_a_host_name_typed_in_full_width_stays_the_first_cause_behind_a_lying_resolver() -> None:
    from maildoctor.rules.rank import rank

    typo = finding(
        "CREDENTIAL_TYPO_RISK", ServerRole.INPUT, {"field": "host", "role": "incoming", "kinds": "fullwidth"}
    )
    not_found = finding("HOST_NOT_FOUND", ServerRole.INCOMING, {"host": "ｉｍａｐ.example.co.jp"})
    kept = without_resolved(rank([not_found, typo]), finding("DNS_RESOLVER_BROKEN", ServerRole.INPUT))
    assert [(item.cause, item.severity) for item in kept] == [
        ("CREDENTIAL_TYPO_RISK", Severity.ERROR),
        ("DNS_RESOLVER_BROKEN", Severity.ERROR),
    ]
    dot = dataclasses.replace(
        typo, params=(("field", "host"), ("role", "incoming"), ("kinds", "trailing_dot"))
    )
    assert rank([dot])[0].severity is Severity.WARNING
    password = finding("CREDENTIAL_TYPO_RISK", ServerRole.INPUT, {"field": "password", "kinds": "fullwidth"})
    assert rank([password])[0].severity is Severity.WARNING  # a password risk: an error only with AUTH_FAILED


def test_after_an_invalid_address_nothing_is_said_about_its_domain_or_the_servers_found_from_it() -> None:
    invalid = finding("ADDRESS_INVALID", ServerRole.INPUT)
    typed = finding("HOST_NOT_FOUND", ServerRole.OUTGOING, {"host": "smtp.exampel.jp"})
    offline = finding("NETWORK_OFFLINE", ServerRole.INPUT)
    kept = without_garbage_domain([invalid, offline, typed, *_findings()], filled=(ServerRole.INCOMING,))
    assert [item.cause for item in kept] == ["ADDRESS_INVALID", "HOST_NOT_FOUND", "CREDENTIAL_TYPO_RISK"]
    assert kept[1].server == ServerRole.OUTGOING
    assert without_garbage_domain(_findings(), filled=(ServerRole.INCOMING,)) == tuple(_findings())
