"""MX facts, reverse DNS and DNS blocklists against the lab's real Unbound (loopback only).

The lab serves forward zones, reverse zones (in-addr.arpa and ip6.arpa, also a one-address
zone such as 10.0.0.127.in-addr.arpa) and blocklist zones under .test that answer as the
real lists do, plus names that answer SERVFAIL or never answer.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import lab_unavailable
from maildoctor.causes import CauseCode
from maildoctor.domain.blocklists import (
    SPAMCOP,
    SPAMHAUS_ZEN,
    BlocklistProblem,
    ListHealth,
    ListStatus,
    check_blocklists,
    judge_blocklists,
    query_name,
)
from maildoctor.domain.mx import (
    DomainProblem,
    MxProblem,
    judge_mx,
    lookup_mx_facts,
    lookup_reverse_dns,
    mx_entries,
)
from maildoctor.facts import DnsOutcome
from maildoctor.net.resolver import DnsClient, Nameserver
from maildoctor_lab.common import LabUnavailableError
from maildoctor_lab.dns import DnsServer, running_dns, zone_from_records

pytestmark = pytest.mark.lab

V6_MX1 = "2001:db8::10"
V6_MISMATCH = "2001:db8::40"


def nibbles_in_zone(address: str) -> str:
    """The ip6.arpa name of `address` relative to the 8.b.d.0.1.0.0.2.ip6.arpa zone (2001:db8::/32)."""
    return query_name(address, "ip6.arpa").removesuffix(".8.b.d.0.1.0.0.2.ip6.arpa.")


ZONES = [
    zone_from_records(
        "good.test",
        [
            "@ MX 20 mx2",
            "@ MX 10 mx1",
            "mx1 A 192.0.2.10",
            f"mx1 AAAA {V6_MX1}",
            "mx2 A 127.0.0.10",
            "other A 192.0.2.77",
        ],
    ),
    zone_from_records("cname.test", ["@ MX 10 mail", "mail CNAME mx1.good.test."]),
    zone_from_records("null.test", ["@ MX 0 .", "@ A 192.0.2.5"]),
    zone_from_records("literal.test", ["@ MX 10 192.0.2.99."]),
    zone_from_records("implicit.test", ["@ A 192.0.2.30"]),
    zone_from_records("nothing.test", ['@ TXT "v=spf1 -all"']),
    zone_from_records(
        "mismatch.test",
        ["@ MX 10 mx", "mx A 192.0.2.40", f"mx AAAA {V6_MISMATCH}"],
    ),
    zone_from_records("partial.test", ["@ MX 10 mx1.good.test.", "@ MX 20 nothere"]),
    zone_from_records("ptrslow.test", ["@ MX 10 mx", "mx A 192.0.2.50"]),
    zone_from_records("hostfail.test", ["@ MX 10 mx.dead.test."]),
    # reverse zones: a /24, a single address, and the IPv6 documentation /32
    zone_from_records(
        "2.0.192.in-addr.arpa",
        [
            "10 PTR mx1.good.test.",
            "40 PTR other.good.test.",  # resolves, but to another address: no FCrDNS
            "99 PTR mail.literal.test.",
        ],
    ),
    zone_from_records("10.0.0.127.in-addr.arpa", ["@ PTR mx2.good.test."]),
    zone_from_records("8.b.d.0.1.0.0.2.ip6.arpa", [f"{nibbles_in_zone(V6_MX1)} PTR mx1.good.test."]),
    # blocklists, answering as the real ones do
    zone_from_records(
        "zen.maildoctor.test",
        [
            "2.0.0.127 A 127.0.0.2",
            '2.0.0.127 TXT "test point"',
            "10.2.0.192 A 127.0.0.2",
            "10.2.0.192 A 127.0.0.4",
            '10.2.0.192 TXT "https://check.example.test/sbl/1"',
            "11.2.0.192 A 127.0.0.10",
            "12.2.0.192 A 127.255.255.254",
            "13.2.0.192 A 203.0.113.80",  # what a lapsed list domain answers
            f"{query_name(V6_MX1, 'zen.maildoctor.test').removesuffix('.zen.maildoctor.test.')} A 127.0.0.3",
        ],
    ),
    zone_from_records("wild-bl.test", ["* A 127.0.0.2"]),  # answers everything: a lapsed list
    zone_from_records("refusing-bl.test", ["* A 127.255.255.254"]),  # as Spamhaus through 8.8.8.8
]
SERVFAIL = ("broken.test", "dead.test")
TIMEOUT = ("slow.test", "50.2.0.192.in-addr.arpa", "slow-bl.test")

LAB_ZEN = dataclasses.replace(SPAMHAUS_ZEN, key="lab-zen", zone="zen.maildoctor.test")
WILD = dataclasses.replace(SPAMCOP, key="wild", name="Wild list", zone="wild-bl.test")
REFUSING = dataclasses.replace(SPAMHAUS_ZEN, key="refusing", name="Refusing list", zone="refusing-bl.test")
SLOW = dataclasses.replace(SPAMCOP, key="slow", name="Slow list", zone="slow-bl.test")


@pytest.fixture(scope="module")
def dns_server(lab_root: Path) -> Iterator[DnsServer]:
    try:
        with running_dns(lab_root / "domain-mx-dns", ZONES, servfail=SERVFAIL, timeout=TIMEOUT) as server:
            yield server
    except LabUnavailableError as exc:
        lab_unavailable(f"Unbound is not installed: {exc}")


@pytest.fixture
def client(dns_server: DnsServer) -> DnsClient:
    return DnsClient([Nameserver.parse(dns_server.nameserver)])


def codes(problems: tuple[DomainProblem, ...]) -> list[str]:
    """The codes, without the documentation/loopback addresses the lab has to use."""
    return [p.code.value for p in problems if p.code is not MxProblem.MX_ADDRESS_NOT_PUBLIC]


def mx(client: DnsClient, domain: str, **kwargs: float) -> tuple[DomainProblem, ...]:
    return judge_mx(asyncio.run(lookup_mx_facts(domain, client, **kwargs)))


# --------------------------------------------------------------------------- MX


def test_good_domain_both_families_and_reverse_zones(client: DnsClient) -> None:
    facts = asyncio.run(lookup_mx_facts("good.test", client))
    assert mx_entries(facts) == [
        {"host": "mx1.good.test", "preference": 10, "addresses": ["192.0.2.10", V6_MX1]},
        {"host": "mx2.good.test", "preference": 20, "addresses": ["127.0.0.10"]},
    ]
    mx1, mx2 = facts.hosts
    assert [(r.address, r.names, r.confirmed) for r in mx1.reverse] == [
        ("192.0.2.10", ("mx1.good.test",), True),
        (V6_MX1, ("mx1.good.test",), True),
    ]
    # a one-address reverse zone inside Unbound's default 127.in-addr.arpa
    assert mx2.reverse[0].ptr.answers == ("mx2.good.test.",) and mx2.reverse[0].confirmed
    problems = judge_mx(facts)
    assert codes(problems) == []
    assert {p.param("address") for p in problems} == {"192.0.2.10", V6_MX1, "127.0.0.10"}


def test_mx_pointing_at_a_cname(client: DnsClient) -> None:
    problems = mx(client, "cname.test")
    assert codes(problems) == ["MX_CNAME"]
    cname = problems[0]
    assert cname.record_fixed == ("cname.test. MX 10 mx1.good.test.",)
    assert "mail.cname.test. CNAME mx1.good.test." in cname.evidence


def test_null_mx(client: DnsClient) -> None:
    facts = asyncio.run(lookup_mx_facts("null.test", client))
    assert facts.null_mx and facts.hosts == ()
    assert codes(judge_mx(facts)) == ["NULL_MX"]


def test_mx_that_is_an_ip_literal(client: DnsClient) -> None:
    facts = asyncio.run(lookup_mx_facts("literal.test", client))
    host = facts.hosts[0]
    assert host.ip_literal and host.ipv4.outcome is not DnsOutcome.OK  # "192.0.2.99." is no host name
    (problem,) = judge_mx(facts)
    assert problem.code is MxProblem.MX_IP_LITERAL and problem.cause is CauseCode.DOMAIN_NOT_RESOLVING
    assert problem.record_fixed == (
        "literal.test. MX 10 mail.literal.test.",
        "mail.literal.test. A 192.0.2.99",
    )


def test_implicit_mx_with_a_missing_ptr(client: DnsClient) -> None:
    facts = asyncio.run(lookup_mx_facts("implicit.test", client))
    assert facts.implicit and facts.lookup.outcome is DnsOutcome.NODATA
    problems = judge_mx(facts)
    assert codes(problems) == ["NO_MX_IMPLICIT", "PTR_MISSING"]
    assert problems[-1].record_fixed == ("30.2.0.192.in-addr.arpa. PTR implicit.test.",)


def test_no_mx_and_no_address(client: DnsClient) -> None:
    (problem,) = mx(client, "nothing.test")
    assert problem.code is MxProblem.NO_MAIL_HOST and problem.cause is CauseCode.DOMAIN_NOT_RESOLVING


def test_ptr_not_confirmed_on_ipv4_and_missing_on_ipv6(client: DnsClient) -> None:
    problems = [p for p in mx(client, "mismatch.test") if p.code is not MxProblem.MX_ADDRESS_NOT_PUBLIC]
    assert [(p.code.value, p.param("family")) for p in problems] == [
        ("PTR_NOT_CONFIRMED", "IPv4"),
        ("PTR_MISSING", "IPv6"),
    ]
    assert problems[0].record_now == ("40.2.0.192.in-addr.arpa. PTR other.good.test.",)
    assert "other.good.test. A 192.0.2.77" in problems[0].evidence


def test_one_mx_host_missing_among_working_ones(client: DnsClient) -> None:
    problems = [p for p in mx(client, "partial.test") if p.code is MxProblem.MX_HOST_NXDOMAIN]
    assert len(problems) == 1 and problems[0].param("host") == "nothere.partial.test"
    assert problems[0].cause is None


def test_mx_host_whose_zone_is_broken(client: DnsClient) -> None:
    (problem,) = mx(client, "hostfail.test")
    assert problem.code is MxProblem.MX_HOST_LOOKUP_FAILED and problem.cause is CauseCode.DOMAIN_NOT_RESOLVING
    assert "mx.dead.test. A: servfail" in problem.evidence[1]


def test_domain_nxdomain_and_servfail(client: DnsClient) -> None:
    (nxdomain,) = mx(client, "nosuch.good.test")
    assert nxdomain.code is MxProblem.DOMAIN_NXDOMAIN
    (servfail,) = mx(client, "broken.test")
    assert servfail.code is MxProblem.MX_LOOKUP_FAILED and servfail.param("outcome") == "servfail"


def test_domain_whose_dns_never_answers(client: DnsClient) -> None:
    started = time.monotonic()
    (problem,) = mx(client, "slow.test", timeout=1.0, per_query=1.0)
    assert time.monotonic() - started < 3
    assert problem.code is MxProblem.MX_LOOKUP_FAILED and problem.param("outcome") == "timeout"


def test_ptr_that_times_out_is_unknown_and_within_the_deadline(client: DnsClient) -> None:
    started = time.monotonic()
    problems = mx(client, "ptrslow.test", timeout=3.0, per_query=1.0)
    assert time.monotonic() - started < 4
    assert codes(problems) == ["PTR_LOOKUP_FAILED"]
    assert problems[-1].param("outcome") == "timeout"


def test_reverse_dns_of_a_sending_ip(client: DnsClient) -> None:
    confirmed, missing = asyncio.run(lookup_reverse_dns(["192.0.2.10", "192.0.2.11"], client))
    assert confirmed.confirmed_names == ("mx1.good.test",)
    assert missing.ptr.outcome is DnsOutcome.NXDOMAIN and not missing.confirmed


# --------------------------------------------------------------------------- blocklists


def test_blocklist_answers_decoded(client: DnsClient) -> None:
    addresses = ["192.0.2.10", "192.0.2.11", "192.0.2.12", "192.0.2.13", "192.0.2.14", V6_MX1]
    facts = asyncio.run(check_blocklists(addresses, client, lists=[LAB_ZEN], lifetime=2.0))
    by_address = {answer.address: answer for answer in facts.answers}
    assert facts.health(LAB_ZEN) is ListHealth.OK
    listed = by_address["192.0.2.10"]
    assert listed.status is ListStatus.LISTED
    assert sorted(code.label for code in listed.codes) == ["SBL", "XBL"]
    assert listed.txt == ('"https://check.example.test/sbl/1"',)
    assert [code.label for code in by_address["192.0.2.11"].codes] == ["PBL"]
    assert by_address["192.0.2.12"].status is ListStatus.REFUSED
    assert by_address["192.0.2.13"].status is ListStatus.ERROR  # 203.0.113.80: not a DNSBL answer
    assert by_address["192.0.2.14"].status is ListStatus.NOT_LISTED
    assert [code.label for code in by_address[V6_MX1].codes] == ["CSS"]  # the nibble name

    problems = judge_blocklists(facts, direct_sending=False)
    summary = [(p.code.value, p.param("address"), p.cause) for p in problems]
    assert summary == [
        ("IP_LISTED", "192.0.2.10", CauseCode.IP_BLOCKLISTED),
        ("IP_POLICY_LISTED", "192.0.2.11", None),  # a client behind a submission server: fine
        ("LIST_REFUSED", "192.0.2.12", None),
        ("LIST_UNANSWERED", "192.0.2.13", None),
        ("IP_LISTED", V6_MX1, CauseCode.IP_BLOCKLISTED),
    ]


def test_lists_that_cannot_be_believed_or_do_not_answer(client: DnsClient) -> None:
    started = time.monotonic()
    facts = asyncio.run(check_blocklists(["192.0.2.14"], client, lists=[WILD, REFUSING, SLOW], lifetime=1.0))
    assert time.monotonic() - started < 3  # every list at once, one lifetime
    assert [facts.health(b) for b in (WILD, REFUSING, SLOW)] == [
        ListHealth.ANSWERS_EVERYTHING,
        ListHealth.REFUSED,
        ListHealth.UNANSWERED,
    ]
    statuses = [answer.status for answer in facts.answers]
    assert statuses == [ListStatus.LISTED, ListStatus.REFUSED, ListStatus.TIMEOUT]
    problems = judge_blocklists(facts, resolvers=["8.8.8.8"])
    assert [(p.code, p.param("list")) for p in problems] == [
        (BlocklistProblem.LIST_UNRELIABLE, "Wild list"),  # its "listed" is not believed
        (BlocklistProblem.LIST_REFUSED, "Refusing list"),
        (BlocklistProblem.LIST_UNANSWERED, "Slow list"),
    ]
    assert problems[1].param("public_resolver") == "Google Public DNS"
    assert not any(p.cause is CauseCode.IP_BLOCKLISTED for p in problems)
