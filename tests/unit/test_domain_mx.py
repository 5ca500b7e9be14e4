"""MX facts and their judgement: null MX, implicit MX, CNAME and IP-literal targets, PTR and FCrDNS.

The lookups run against a fake DnsClient (a table of answers), so the flow is checked
without a network; tests/integration/test_domain_mx_lab.py does the same on the lab's Unbound.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import pytest

from maildoctor.causes import CauseCode
from maildoctor.domain.mx import (
    MAX_HOSTS,
    MAX_PTR_NAMES,
    DomainProblem,
    MxFacts,
    MxHostFacts,
    MxProblem,
    ReverseDns,
    judge_mx,
    looks_generic,
    lookup_lines,
    lookup_mx_facts,
    lookup_reverse_dns,
    mx_entries,
    published_records,
    reverse_name,
)
from maildoctor.facts import DnsLookup, DnsOutcome
from maildoctor.model import Severity

OK, NX, NODATA = DnsOutcome.OK, DnsOutcome.NXDOMAIN, DnsOutcome.NODATA


class FakeDns:
    """A DnsClient stand-in: (name without dot, type) -> outcome and answers; NXDOMAIN otherwise."""

    def __init__(self, table: Mapping[tuple[str, str], tuple[DnsOutcome, tuple[str, ...]]]) -> None:
        self.table = {(name.lower().rstrip("."), rdtype): value for (name, rdtype), value in table.items()}
        self.asked: list[tuple[str, str]] = []

    async def lookup(self, name: str, rdtype: str, lifetime: float) -> DnsLookup:
        key = (name.lower().rstrip("."), rdtype)
        self.asked.append(key)
        await asyncio.sleep(0)
        outcome, answers = self.table.get(key, (NX, ()))
        return DnsLookup(name, rdtype, outcome, answers)


def facts_of(
    table: Mapping[tuple[str, str], tuple[DnsOutcome, tuple[str, ...]]], domain: str = "example.jp"
) -> MxFacts:
    fake = FakeDns(table)
    return asyncio.run(lookup_mx_facts(domain, fake, timeout=5))  # type: ignore[arg-type]


def codes(problems: tuple[DomainProblem, ...]) -> list[str]:
    return [p.code.value for p in problems]


def lk(name: str, rdtype: str, outcome: DnsOutcome = OK, *answers: str) -> DnsLookup:
    return DnsLookup(name, rdtype, outcome, answers)


GOOD = {
    ("example.jp", "MX"): (OK, ("20 mx2.example.jp.", "10 mx1.example.jp.")),
    ("mx1.example.jp", "CNAME"): (NODATA, ()),
    ("mx1.example.jp", "A"): (OK, ("203.0.113.10",)),
    ("mx1.example.jp", "AAAA"): (OK, ("2001:db8::10",)),
    ("mx2.example.jp", "CNAME"): (NODATA, ()),
    ("mx2.example.jp", "A"): (OK, ("203.0.113.20",)),
    ("mx2.example.jp", "AAAA"): (NODATA, ()),
    ("10.113.0.203.in-addr.arpa", "PTR"): (OK, ("mx1.example.jp.",)),
    (reverse_name("2001:db8::10"), "PTR"): (OK, ("mx1.example.jp.",)),
    ("20.113.0.203.in-addr.arpa", "PTR"): (OK, ("mx2.example.jp.",)),
}


# --------------------------------------------------------------------------- the facts


def test_hosts_by_preference_with_both_families_and_reverse_dns() -> None:
    facts = facts_of(GOOD)
    assert [(h.host, h.preference) for h in facts.hosts] == [("mx1.example.jp", 10), ("mx2.example.jp", 20)]
    first = facts.hosts[0]
    assert first.addresses == ("203.0.113.10", "2001:db8::10")
    assert [r.address for r in first.reverse] == ["203.0.113.10", "2001:db8::10"]
    assert all(r.confirmed for r in first.reverse)
    assert [r.version for r in first.reverse] == [4, 6]
    assert facts.hosts[1].reverse[0].confirmed_names == ("mx2.example.jp",)
    assert not facts.implicit and not facts.null_mx
    assert mx_entries(facts) == [
        {"host": "mx1.example.jp", "preference": 10, "addresses": ["203.0.113.10", "2001:db8::10"]},
        {"host": "mx2.example.jp", "preference": 20, "addresses": ["203.0.113.20"]},
    ]


def test_documentation_addresses_are_only_flagged_as_not_public() -> None:
    # the addresses above are documentation ranges: everything else about them is right
    assert set(codes(judge_mx(facts_of(GOOD)))) == {"MX_ADDRESS_NOT_PUBLIC"}


def test_public_addresses_and_confirmed_ptr_give_no_problem() -> None:
    table = {
        ("example.jp", "MX"): (OK, ("10 mx.example.jp.",)),
        ("mx.example.jp", "CNAME"): (NODATA, ()),
        ("mx.example.jp", "A"): (OK, ("8.8.8.8",)),
        ("mx.example.jp", "AAAA"): (NODATA, ()),
        ("8.8.8.8.in-addr.arpa", "PTR"): (OK, ("mx.example.jp.",)),
    }
    assert judge_mx(facts_of(table)) == ()


def test_no_mx_is_the_implicit_mx_of_the_domain_itself() -> None:
    table = {
        ("example.jp", "MX"): (NODATA, ()),
        ("example.jp", "CNAME"): (NODATA, ()),
        ("example.jp", "A"): (OK, ("8.8.4.4",)),
        ("example.jp", "AAAA"): (NODATA, ()),
        ("4.4.8.8.in-addr.arpa", "PTR"): (OK, ("example.jp.",)),
    }
    facts = facts_of(table)
    assert facts.implicit and [h.host for h in facts.hosts] == ["example.jp"]
    assert mx_entries(facts) == [{"host": "example.jp", "preference": 0, "addresses": ["8.8.4.4"]}]
    (found,) = judge_mx(facts)
    assert found.code is MxProblem.NO_MX_IMPLICIT and found.severity is Severity.INFO
    assert found.param("addresses") == "8.8.4.4"
    assert found.evidence[0] == "example.jp. MX: nodata"


def test_no_mx_and_no_address_means_no_mail_can_arrive() -> None:
    facts = facts_of({("example.jp", "MX"): (NODATA, ()), ("example.jp", "A"): (NODATA, ())})
    (found,) = judge_mx(facts)
    assert found.code is MxProblem.NO_MAIL_HOST
    assert found.cause is CauseCode.DOMAIN_NOT_RESOLVING and found.severity is Severity.ERROR


def test_null_mx_asks_nothing_more() -> None:
    fake = FakeDns({("example.jp", "MX"): (OK, ("0 .",))})
    facts = asyncio.run(lookup_mx_facts("Example.JP.", fake))  # type: ignore[arg-type]
    assert facts.domain == "example.jp" and facts.null_mx and facts.hosts == ()
    assert fake.asked == [("example.jp", "MX")]
    assert mx_entries(facts) == []
    (found,) = judge_mx(facts)
    assert found.code is MxProblem.NULL_MX and found.cause is None


def test_null_mx_with_a_preference_other_than_zero() -> None:
    facts = facts_of({("example.jp", "MX"): (OK, ("10 .",))})
    assert codes(judge_mx(facts)) == ["NULL_MX", "NULL_MX_NONZERO"]
    assert judge_mx(facts)[1].record_fixed == ("example.jp. MX 0 .",)


def test_null_mx_beside_real_hosts_is_pointed_out_and_the_hosts_still_checked() -> None:
    table = dict(GOOD)
    table[("example.jp", "MX")] = (OK, ("0 .", "10 mx1.example.jp."))
    facts = facts_of(table)
    assert not facts.null_mx
    assert [r.exchange for r in facts.records] == [".", "mx1.example.jp"]
    assert [h.host for h in facts.hosts] == ["mx1.example.jp"]
    mixed = judge_mx(facts)[0]
    assert mixed.code is MxProblem.NULL_MX_MIXED and mixed.record_now == ("example.jp. MX 0 .",)


@pytest.mark.parametrize(
    ("outcome", "code"),
    [
        (NX, MxProblem.DOMAIN_NXDOMAIN),
        (DnsOutcome.SERVFAIL, MxProblem.MX_LOOKUP_FAILED),
        (DnsOutcome.TIMEOUT, MxProblem.MX_LOOKUP_FAILED),
    ],
)
def test_domain_that_does_not_resolve(outcome: DnsOutcome, code: MxProblem) -> None:
    fake = FakeDns({("example.jp", "MX"): (outcome, ())})
    facts = asyncio.run(lookup_mx_facts("example.jp", fake))  # type: ignore[arg-type]
    assert fake.asked == [("example.jp", "MX")]
    (found,) = judge_mx(facts)
    assert found.code is code and found.cause is CauseCode.DOMAIN_NOT_RESOLVING
    assert found.evidence == (f"example.jp. MX: {outcome.value}",)


def test_mx_that_is_a_cname_gives_the_target_as_the_fix() -> None:
    table = {
        ("example.jp", "MX"): (OK, ("10 mail.example.jp.",)),
        ("mail.example.jp", "CNAME"): (OK, ("mx.provider.jp.",)),
        ("mail.example.jp", "A"): (OK, ("8.8.8.8",)),
        ("8.8.8.8.in-addr.arpa", "PTR"): (OK, ("mx.provider.jp.",)),
        ("mx.provider.jp", "A"): (OK, ("8.8.8.8",)),
    }
    facts = facts_of(table)
    assert facts.hosts[0].cname_target == "mx.provider.jp"
    (found,) = judge_mx(facts)
    assert found.code is MxProblem.MX_CNAME and found.severity is Severity.WARNING
    assert found.record_now == ("example.jp. MX 10 mail.example.jp.",)
    assert found.record_fixed == ("example.jp. MX 10 mx.provider.jp.",)
    assert "mail.example.jp. CNAME mx.provider.jp." in found.evidence


def test_mx_that_is_an_ip_literal() -> None:
    facts = facts_of({("example.jp", "MX"): (OK, ("10 192.0.2.1.",))})
    host = facts.hosts[0]
    assert host.ip_literal and host.addresses == ()
    (found,) = judge_mx(facts)
    assert found.code is MxProblem.MX_IP_LITERAL
    assert found.cause is CauseCode.DOMAIN_NOT_RESOLVING and found.severity is Severity.ERROR
    assert found.record_now == ("example.jp. MX 10 192.0.2.1.",)
    assert found.record_fixed == ("example.jp. MX 10 mail.example.jp.", "mail.example.jp. A 192.0.2.1")


def test_one_unresolvable_host_among_working_ones_is_a_warning() -> None:
    table = dict(GOOD)
    table[("example.jp", "MX")] = (OK, ("10 mx1.example.jp.", "20 typo.example.jp."))
    found = [p for p in judge_mx(facts_of(table)) if p.code is MxProblem.MX_HOST_NXDOMAIN]
    assert len(found) == 1 and found[0].severity is Severity.WARNING and found[0].cause is None
    assert found[0].param("host") == "typo.example.jp"


@pytest.mark.parametrize(
    ("a", "aaaa", "code"),
    [
        (NX, NX, MxProblem.MX_HOST_NXDOMAIN),
        (NODATA, NODATA, MxProblem.MX_HOST_NO_ADDRESS),
        (DnsOutcome.SERVFAIL, DnsOutcome.SERVFAIL, MxProblem.MX_HOST_LOOKUP_FAILED),
        (DnsOutcome.TIMEOUT, NODATA, MxProblem.MX_HOST_LOOKUP_FAILED),
    ],
)
def test_no_host_has_an_address(a: DnsOutcome, aaaa: DnsOutcome, code: MxProblem) -> None:
    table = {
        ("example.jp", "MX"): (OK, ("10 mx.example.jp.",)),
        ("mx.example.jp", "A"): (a, ()),
        ("mx.example.jp", "AAAA"): (aaaa, ()),
    }
    (found,) = judge_mx(facts_of(table))
    assert found.code is code
    assert found.cause is CauseCode.DOMAIN_NOT_RESOLVING and found.severity is Severity.ERROR


# --------------------------------------------------------------------------- reverse DNS


def test_reverse_names() -> None:
    assert reverse_name("192.0.2.1") == "1.2.0.192.in-addr.arpa."
    assert reverse_name("2001:db8::1") == "1." + "0." * 23 + "8.b.d.0.1.0.0.2.ip6.arpa."


def rev(address: str, ptr: DnsLookup, *forward: DnsLookup) -> ReverseDns:
    return ReverseDns(address, ptr, forward)


def host_with(address: str, reverse: ReverseDns) -> MxFacts:
    family = "A" if ":" not in address else "AAAA"
    host = MxHostFacts(
        "mx.example.jp",
        10,
        lk("mx.example.jp", "CNAME", NODATA),
        lk("mx.example.jp", "A", OK, address) if family == "A" else lk("mx.example.jp", "A", NODATA),
        lk("mx.example.jp", "AAAA", OK, address) if family == "AAAA" else lk("mx.example.jp", "AAAA", NODATA),
        (reverse,),
    )
    return MxFacts("example.jp", lk("example.jp", "MX", OK, "10 mx.example.jp."), (), hosts=(host,))


def test_missing_ptr_proposes_the_mx_host_as_the_ptr() -> None:
    name = reverse_name("8.8.8.8")
    (found,) = judge_mx(host_with("8.8.8.8", rev("8.8.8.8", lk(name, "PTR", NX))))
    assert found.code is MxProblem.PTR_MISSING and found.param("family") == "IPv4"
    assert found.record_fixed == ("8.8.8.8.in-addr.arpa. PTR mx.example.jp.",)
    assert found.evidence == ("8.8.8.8.in-addr.arpa. PTR: nxdomain",)


def test_ipv6_reverse_is_judged_on_its_own() -> None:
    address = "2001:4860:4860::8888"
    name = reverse_name(address)
    (found,) = judge_mx(host_with(address, rev(address, lk(name, "PTR", NODATA))))
    assert found.code is MxProblem.PTR_MISSING and found.param("family") == "IPv6"
    assert found.record_fixed == (f"{name} PTR mx.example.jp.",)


def test_ptr_that_does_not_lead_back_is_not_confirmed() -> None:
    name = reverse_name("8.8.8.8")
    item = rev(
        "8.8.8.8", lk(name, "PTR", OK, "other.example.net."), lk("other.example.net.", "A", OK, "8.8.4.4")
    )
    assert item.names == ("other.example.net",) and not item.confirmed
    (found,) = judge_mx(host_with("8.8.8.8", item))
    assert found.code is MxProblem.PTR_NOT_CONFIRMED
    assert found.record_now == ("8.8.8.8.in-addr.arpa. PTR other.example.net.",)
    assert found.record_fixed == ("8.8.8.8.in-addr.arpa. PTR mx.example.jp.", "mx.example.jp. A 8.8.8.8")


def test_one_confirmed_ptr_name_is_enough_and_ipv6_compares_as_addresses() -> None:
    address = "2001:4860:4860::8888"
    item = rev(
        address,
        lk(reverse_name(address), "PTR", OK, "a.example.net.", "b.example.net."),
        lk("a.example.net.", "AAAA", NX),
        lk("b.example.net.", "AAAA", OK, "2001:4860:4860:0:0:0:0:8888"),
    )
    assert item.confirmed_names == ("b.example.net",)
    assert judge_mx(host_with(address, item)) == ()


def test_failed_ptr_lookup_is_unknown_not_missing() -> None:
    name = reverse_name("8.8.8.8")
    (found,) = judge_mx(host_with("8.8.8.8", rev("8.8.8.8", lk(name, "PTR", DnsOutcome.TIMEOUT))))
    assert found.code is MxProblem.PTR_LOOKUP_FAILED and found.severity is Severity.INFO


def test_generic_ptr_is_mentioned() -> None:
    name = reverse_name("8.8.8.8")
    item = rev(
        "8.8.8.8",
        lk(name, "PTR", OK, "8-8-8-8.dynamic.example.net."),
        lk("8-8-8-8.dynamic.example.net.", "A", OK, "8.8.8.8"),
    )
    (found,) = judge_mx(host_with("8.8.8.8", item))
    assert found.code is MxProblem.PTR_GENERIC and found.severity is Severity.INFO


@pytest.mark.parametrize(
    ("ptr", "address", "generic"),
    [
        ("192-0-2-1.example.net", "192.0.2.1", True),
        ("1.2.0.192.pool.example.net", "192.0.2.1", True),
        ("p192000002001.example.ne.jp", "192.0.2.1", True),
        ("softbank126000002001.bbtec.net", "126.0.2.1", True),  # zero-padded numbers
        ("host-2-1.example.net", "192.0.2.1", False),  # two numbers without a generic word
        ("ppp-2-1.dynamic.example.net", "192.0.2.1", True),
        ("mx1.example.jp", "192.0.2.1", False),
        ("mail.example.jp", "2001:db8::1", False),
    ],
)
def test_looks_generic(ptr: str, address: str, generic: bool) -> None:
    assert looks_generic(ptr, address) is generic


def test_lookup_reverse_dns_for_a_sending_ip() -> None:
    fake = FakeDns(
        {
            ("1.2.0.192.in-addr.arpa", "PTR"): (OK, ("Out.Example.JP.",)),
            ("out.example.jp.", "A"): (OK, ("192.0.2.1",)),
        }
    )
    (item,) = asyncio.run(lookup_reverse_dns(["192.0.2.1", "192.0.2.1", "not-an-ip"], fake))  # type: ignore[arg-type]
    assert item.names == ("out.example.jp",) and item.confirmed


def test_lookup_lines() -> None:
    assert lookup_lines(lk("example.jp", "MX", OK, "10 mx.example.jp.", "20 mx2.example.jp.")) == (
        "example.jp. MX 10 mx.example.jp.",
        "example.jp. MX 20 mx2.example.jp.",
    )
    assert lookup_lines(DnsLookup("x.jp.", "A", DnsOutcome.SERVFAIL, detail="all nameservers failed")) == (
        "x.jp. A: servfail (all nameservers failed)",
    )


def test_published_records_keep_the_dot_and_skip_garbage() -> None:
    records = published_records(["20 b.example.jp.", "0 .", "garbage", "10 A.Example.JP."])
    assert [(r.preference, r.exchange) for r in records] == [
        (0, "."),
        (10, "a.example.jp"),
        (20, "b.example.jp"),
    ]


def test_lookups_of_one_stage_run_together() -> None:
    """Each host's CNAME, A and AAAA are asked before any PTR: stage by stage, not host by host."""
    fake = FakeDns(GOOD)
    asyncio.run(lookup_mx_facts("example.jp", fake))  # type: ignore[arg-type]
    kinds = [rdtype for _, rdtype in fake.asked]
    assert kinds[0] == "MX"
    assert set(kinds[1:7]) == {"CNAME", "A", "AAAA"} and len(kinds[1:7]) == 6
    assert set(kinds[7:10]) == {"PTR"}


def test_a_hostile_number_of_mx_records_is_bounded() -> None:
    table: dict[tuple[str, str], tuple[DnsOutcome, tuple[str, ...]]] = {
        ("example.jp", "MX"): (OK, tuple(f"{n} mx{n}.example.jp." for n in range(40))),
        ("8.8.8.8.in-addr.arpa", "PTR"): (OK, tuple(f"n{n}.example.net." for n in range(30))),
    }
    table.update({(f"mx{n}.example.jp", "A"): (OK, ("8.8.8.8",)) for n in range(40)})
    fake = FakeDns(table)
    facts = asyncio.run(lookup_mx_facts("example.jp", fake))  # type: ignore[arg-type]
    assert len(facts.records) == 40 and len(facts.hosts) == MAX_HOSTS
    assert len(facts.hosts[0].reverse[0].forward) == MAX_PTR_NAMES
    assert len(fake.asked) == 1 + 3 * MAX_HOSTS + 1 + MAX_PTR_NAMES
