"""DNSBL query names and decoding: listed, not listed, refused, timeout, error; never "clean" unasked."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import pytest

from maildoctor.causes import CauseCode
from maildoctor.domain.blocklists import (
    DEFAULT_BLOCKLISTS,
    MAILSPIKE,
    SPAMCOP,
    SPAMHAUS_ZEN,
    Blocklist,
    BlocklistFacts,
    BlocklistProblem,
    ListAnswer,
    ListHealth,
    ListingKind,
    ListSelfTest,
    ListStatus,
    ReturnCode,
    check_blocklists,
    decode,
    judge_blocklists,
    public_resolver,
    query_name,
    self_test_health,
)
from maildoctor.facts import DnsLookup, DnsOutcome
from maildoctor.model import Severity

OK = DnsOutcome.OK


def a(outcome: DnsOutcome, *answers: str) -> DnsLookup:
    return DnsLookup("q.", "A", outcome, answers)


def test_ipv4_query_name_reverses_the_octets() -> None:
    assert query_name("192.0.2.1", "zen.spamhaus.org") == "1.2.0.192.zen.spamhaus.org."
    assert query_name("127.0.0.2", "bl.spamcop.net.") == "2.0.0.127.bl.spamcop.net."


def test_ipv6_query_name_is_32_reversed_nibbles() -> None:
    name = query_name("2001:db8::1", "zen.spamhaus.org")
    nibbles = name.removesuffix(".zen.spamhaus.org.").split(".")
    assert len(nibbles) == 32
    assert name == "1." + "0." * 23 + "8.b.d.0.1.0.0.2.zen.spamhaus.org."
    assert query_name("[2001:DB8::1]", "x.test") == query_name("2001:db8::1", "x.test")


def test_table_has_the_major_lists_with_usage_notes() -> None:
    zones = [b.zone for b in DEFAULT_BLOCKLISTS]
    assert zones == [
        "zen.spamhaus.org",
        "bl.spamcop.net",
        "b.barracudacentral.org",
        "dnsbl-1.uceprotect.net",
        "psbl.surriel.com",
        "bl.mailspike.net",
    ]
    assert all(b.usage and b.lookup_url.startswith("https://") for b in DEFAULT_BLOCKLISTS)
    assert len({b.key for b in DEFAULT_BLOCKLISTS}) == len(DEFAULT_BLOCKLISTS)
    for blocklist in DEFAULT_BLOCKLISTS:
        addresses = [code.address for code in blocklist.codes]
        assert len(addresses) == len(set(addresses)), blocklist.key


@pytest.mark.parametrize(
    ("answer", "label", "kind"),
    [
        ("127.0.0.2", "SBL", ListingKind.SPAM),
        ("127.0.0.3", "CSS", ListingKind.SPAM),
        ("127.0.0.4", "XBL", ListingKind.EXPLOIT),
        ("127.0.0.9", "DROP", ListingKind.SPAM),
        ("127.0.0.10", "PBL", ListingKind.POLICY),
        ("127.0.0.11", "PBL", ListingKind.POLICY),
        ("127.0.0.30", "BCL", ListingKind.EXPLOIT),
    ],
)
def test_spamhaus_listing_codes(answer: str, label: str, kind: ListingKind) -> None:
    decoded = decode(SPAMHAUS_ZEN, "192.0.2.1", a(OK, answer))
    assert decoded.status is ListStatus.LISTED
    assert [(c.label, c.kind) for c in decoded.codes] == [(label, kind)]


@pytest.mark.parametrize("answer", ["127.255.255.252", "127.255.255.254", "127.255.255.255"])
def test_spamhaus_error_codes_are_refusals_not_listings(answer: str) -> None:
    decoded = decode(SPAMHAUS_ZEN, "192.0.2.1", a(OK, answer))
    assert decoded.status is ListStatus.REFUSED
    assert decoded.codes[0].kind is ListingKind.QUERY_ERROR
    assert decoded.kinds == ()


def test_several_codes_at_once() -> None:
    decoded = decode(SPAMHAUS_ZEN, "192.0.2.1", a(OK, "127.0.0.4", "127.0.0.11"))
    assert decoded.status is ListStatus.LISTED
    assert decoded.kinds == (ListingKind.EXPLOIT, ListingKind.POLICY)


def test_unknown_loopback_code_is_still_a_listing() -> None:
    decoded = decode(SPAMCOP, "192.0.2.1", a(OK, "127.0.0.5"))
    assert decoded.status is ListStatus.LISTED and decoded.codes == ()
    assert decoded.unknown == ("127.0.0.5",) and decoded.kinds == (ListingKind.SPAM,)


def test_mailspike_reputation_levels() -> None:
    assert decode(MAILSPIKE, "192.0.2.1", a(OK, "127.0.0.10")).codes[0].label == "L5"
    assert decode(MAILSPIKE, "192.0.2.1", a(OK, "127.0.0.2")).kinds == (ListingKind.SPAM,)


@pytest.mark.parametrize(
    ("lookup", "status"),
    [
        (a(DnsOutcome.NXDOMAIN), ListStatus.NOT_LISTED),
        (a(DnsOutcome.NODATA), ListStatus.NOT_LISTED),
        (a(DnsOutcome.TIMEOUT), ListStatus.TIMEOUT),
        (a(DnsOutcome.REFUSED), ListStatus.REFUSED),
        (a(DnsOutcome.SERVFAIL), ListStatus.ERROR),
        (a(DnsOutcome.ERROR), ListStatus.ERROR),
        # a lapsed list domain answering with a web server's address: no DNSBL answer
        (a(OK, "203.0.113.80"), ListStatus.ERROR),
        (a(OK, "not an address"), ListStatus.ERROR),
    ],
)
def test_dns_outcomes(lookup: DnsLookup, status: ListStatus) -> None:
    assert decode(SPAMHAUS_ZEN, "192.0.2.1", lookup).status is status


def test_txt_is_kept_for_a_listing_only() -> None:
    listed = decode(SPAMCOP, "192.0.2.1", a(OK, "127.0.0.2"), ['"Blocked - see https://x.test/"'])
    assert listed.txt == ('"Blocked - see https://x.test/"',)
    assert decode(SPAMCOP, "192.0.2.1", a(DnsOutcome.NXDOMAIN), ["x"]).txt == ()


@pytest.mark.parametrize(
    ("listed", "not_listed", "health"),
    [
        (ListStatus.LISTED, ListStatus.NOT_LISTED, ListHealth.OK),
        (ListStatus.LISTED, ListStatus.LISTED, ListHealth.ANSWERS_EVERYTHING),
        (ListStatus.NOT_LISTED, ListStatus.NOT_LISTED, ListHealth.TEST_NOT_LISTED),
        (ListStatus.REFUSED, ListStatus.REFUSED, ListHealth.REFUSED),
        (ListStatus.TIMEOUT, ListStatus.NOT_LISTED, ListHealth.UNANSWERED),
        (ListStatus.LISTED, ListStatus.ERROR, ListHealth.UNANSWERED),
    ],
)
def test_self_test_health(listed: ListStatus, not_listed: ListStatus, health: ListHealth) -> None:
    assert (
        self_test_health(
            ListAnswer(SPAMCOP, "127.0.0.2", listed), ListAnswer(SPAMCOP, "127.0.0.1", not_listed)
        )
        is health
    )


def test_public_resolvers() -> None:
    assert public_resolver("8.8.8.8") == "Google Public DNS"
    assert public_resolver("[2606:4700:4700::1111]") == "Cloudflare"
    assert public_resolver("192.168.1.1") is None
    assert public_resolver("dns.example") is None


# --------------------------------------------------------------------------- judgement


def facts(*answers: ListAnswer, tests: tuple[ListSelfTest, ...] = ()) -> BlocklistFacts:
    return BlocklistFacts(tuple(dict.fromkeys(x.address for x in answers)), answers, tests)


def test_spam_listing_is_ip_blocklisted() -> None:
    answer = decode(SPAMHAUS_ZEN, "192.0.2.1", a(OK, "127.0.0.2"), ['"https://check.spamhaus.org/sbl/x"'])
    (found,) = judge_blocklists(facts(answer))
    assert found.code is BlocklistProblem.IP_LISTED
    assert found.cause is CauseCode.IP_BLOCKLISTED and found.severity is Severity.ERROR
    assert found.param("list") == "Spamhaus ZEN" and found.param("codes") == "127.0.0.2"
    assert found.param("labels") == "SBL" and found.param("lookup_url") == "https://check.spamhaus.org/"
    assert found.evidence == ("q. A 127.0.0.2", 'TXT "https://check.spamhaus.org/sbl/x"')


def test_policy_listing_depends_on_direct_sending() -> None:
    answer = decode(SPAMHAUS_ZEN, "192.0.2.1", a(OK, "127.0.0.10"))
    (server,) = judge_blocklists(facts(answer))
    assert server.code is BlocklistProblem.IP_POLICY_LISTED
    assert (server.severity, server.cause) == (Severity.ERROR, CauseCode.IP_BLOCKLISTED)
    (client,) = judge_blocklists(facts(answer), direct_sending=False)
    assert (client.severity, client.cause) == (Severity.INFO, None)


def test_reputation_listing_is_a_warning() -> None:
    (found,) = judge_blocklists(facts(decode(MAILSPIKE, "192.0.2.1", a(OK, "127.0.0.11"))))
    assert found.code is BlocklistProblem.IP_POOR_REPUTATION and found.severity is Severity.WARNING


def test_refusal_names_the_public_resolver_and_is_no_listing() -> None:
    answer = decode(SPAMHAUS_ZEN, "192.0.2.1", a(OK, "127.255.255.254"))
    (found,) = judge_blocklists(facts(answer), resolvers=["1.1.1.1"])
    assert found.code is BlocklistProblem.LIST_REFUSED and found.cause is None
    assert found.param("public_resolver") == "Cloudflare"
    assert found.param("codes") == "127.255.255.254"
    assert "public" in (found.param("meaning") or "")


@pytest.mark.parametrize("outcome", [DnsOutcome.TIMEOUT, DnsOutcome.SERVFAIL])
def test_unanswered_list_is_said_not_hidden(outcome: DnsOutcome) -> None:
    (found,) = judge_blocklists(facts(decode(SPAMCOP, "192.0.2.1", a(outcome))))
    assert found.code is BlocklistProblem.LIST_UNANSWERED
    assert found.param("outcome") == decode(SPAMCOP, "192.0.2.1", a(outcome)).status.value


def test_not_listed_and_not_applicable_give_nothing() -> None:
    not_listed = decode(SPAMCOP, "192.0.2.1", a(DnsOutcome.NXDOMAIN))
    ipv6 = ListAnswer(SPAMCOP, "2001:db8::1", ListStatus.NOT_APPLICABLE)
    assert judge_blocklists(facts(not_listed, ipv6)) == ()


def test_list_that_answers_everything_is_not_believed() -> None:
    everything = a(OK, "127.0.0.2")
    test = ListSelfTest(
        SPAMCOP, decode(SPAMCOP, "127.0.0.2", everything), decode(SPAMCOP, "127.0.0.1", everything)
    )
    problems = judge_blocklists(facts(decode(SPAMCOP, "192.0.2.1", everything), tests=(test,)))
    assert [p.code for p in problems] == [BlocklistProblem.LIST_UNRELIABLE]
    assert problems[0].param("health") == "answers_everything"


# --------------------------------------------------------------------------- querying


class FakeDns:
    def __init__(self, table: Mapping[tuple[str, str], tuple[DnsOutcome, tuple[str, ...]]]) -> None:
        self.table = table
        self.asked: list[tuple[str, str]] = []

    async def lookup(self, name: str, rdtype: str, lifetime: float) -> DnsLookup:
        self.asked.append((name, rdtype))
        outcome, answers = self.table.get((name, rdtype), (DnsOutcome.NXDOMAIN, ()))
        return DnsLookup(name, rdtype, outcome, answers)


TEST_LIST = Blocklist(
    "test",
    "Test list",
    "bl.example.test",
    (ReturnCode("127.0.0.2", "T", ListingKind.SPAM, "listed"),),
    "usage",
    "https://bl.example.test/",
)


def test_check_blocklists_asks_each_address_of_each_list_and_txt_for_listings() -> None:
    v6_list = Blocklist(
        "v6", "V6 list", "v6.example.test", TEST_LIST.codes, "u", "https://v6.example.test/", ipv6=True
    )
    fake = FakeDns(
        {
            ("1.2.0.192.bl.example.test.", "A"): (OK, ("127.0.0.2",)),
            ("1.2.0.192.bl.example.test.", "TXT"): (OK, ('"listed for spam"',)),
            ("2.0.0.127.bl.example.test.", "A"): (OK, ("127.0.0.2",)),
            ("2.0.0.127.v6.example.test.", "A"): (OK, ("127.0.0.2",)),
            (query_name("2001:db8::1", "v6.example.test"), "A"): (DnsOutcome.TIMEOUT, ()),
        }
    )
    result = asyncio.run(
        check_blocklists(
            ["192.0.2.1", "2001:db8::1", "nonsense", "192.0.2.1"], fake, lists=[TEST_LIST, v6_list]
        )  # type: ignore[arg-type]
    )
    assert result.addresses == ("192.0.2.1", "2001:db8::1")
    summary = [(x.address, x.blocklist.key, x.status) for x in result.answers]
    assert summary == [
        ("192.0.2.1", "test", ListStatus.LISTED),
        ("192.0.2.1", "v6", ListStatus.NOT_LISTED),
        ("2001:db8::1", "test", ListStatus.NOT_APPLICABLE),
        ("2001:db8::1", "v6", ListStatus.TIMEOUT),
    ]
    assert result.answers[0].txt == ('"listed for spam"',)
    assert [result.health(b) for b in (TEST_LIST, v6_list)] == [ListHealth.OK, ListHealth.OK]
    assert result.listed == (result.answers[0],)
    # IPv6 on an IPv4-only list is never asked
    assert (query_name("2001:db8::1", "bl.example.test"), "A") not in fake.asked
    codes = [p.code for p in judge_blocklists(result)]
    assert codes == [BlocklistProblem.IP_LISTED, BlocklistProblem.LIST_UNANSWERED]


def test_check_blocklists_without_self_test() -> None:
    fake = FakeDns({})
    result = asyncio.run(check_blocklists(["192.0.2.1"], fake, lists=[TEST_LIST], self_test=False))  # type: ignore[arg-type]
    assert result.self_tests == () and result.health(TEST_LIST) is ListHealth.NOT_TESTED
    assert fake.asked == [("1.2.0.192.bl.example.test.", "A")]
