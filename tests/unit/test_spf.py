"""SPF beyond the official suites: the parser's typed errors, the RFC's macro examples, what
check_host() reports (lookups, void lookups, path, the include that breaks a limit), the policy
view of a domain, the look-ahead's speed, the DnsClient adapter and the JSON edge.

Every DNS answer comes from `ZoneDataSource`, the zonedata format of the openspf suites.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from typing import Any

import pytest

from maildoctor.domain.dnssource import DnsClientSource, txt_strings
from maildoctor.domain.spf import (
    ChainStep,
    DnsFailure,
    MatchedTerm,
    PolicyIssue,
    SpfCheck,
    SpfErrorKind,
    SpfPolicy,
    SpfResult,
    analyze_spf_policy,
    check_host,
    spf_identity,
    spf_json,
)
from maildoctor.domain.spf_record import (
    MacroContext,
    MechanismKind,
    Qualifier,
    SpfSyntaxError,
    SyntaxIssue,
    expand_domain,
    parse_macro_string,
    parse_record,
)
from maildoctor.domain.spf_suite import ZoneDataSource
from maildoctor.facts import DnsLookup, DnsOutcome


def check(zonedata: dict[str, Any], ip: str, domain: str = "example.jp", **options: Any) -> SpfCheck:
    source = ZoneDataSource(zonedata)
    return asyncio.run(check_host(source, ip, domain, f"taro@{domain}", helo="mail.example.jp", **options))


def policy(zonedata: dict[str, Any], domain: str = "example.jp") -> SpfPolicy:
    return asyncio.run(analyze_spf_policy(ZoneDataSource(zonedata), domain))


# ----------------------------------------------------------------------------- the parser


@pytest.mark.parametrize(
    ("record", "issue", "term"),
    [
        ("v=spf1 ip4:192.0.2.1 -all moo", SyntaxIssue.UNKNOWN_MECHANISM, "moo"),
        ("v=spf1 a:example.com:8080", SyntaxIssue.BAD_DOMAIN_SPEC, "a:example.com:8080"),
        ("v=spf1 a:192.0.2.1 -all", SyntaxIssue.BAD_DOMAIN_SPEC, "a:192.0.2.1"),
        ("v=spf1 ip4:192.0.2.0/33", SyntaxIssue.BAD_CIDR, "ip4:192.0.2.0/33"),
        ("v=spf1 ip4:192.0.2", SyntaxIssue.BAD_IP4, "ip4:192.0.2"),
        ("v=spf1 ip6:2001:db8::/129", SyntaxIssue.BAD_CIDR, "ip6:2001:db8::/129"),
        ("v=spf1 ip6:192.0.2.1", SyntaxIssue.BAD_IP6, "ip6:192.0.2.1"),
        (
            "v=spf1 include:_spf.example.com/24",
            SyntaxIssue.UNEXPECTED_ARGUMENT,
            "include:_spf.example.com/24",
        ),
        ("v=spf1 include", SyntaxIssue.MISSING_ARGUMENT, "include"),
        ("v=spf1 -all:x", SyntaxIssue.UNEXPECTED_ARGUMENT, "-all:x"),
        ("v=spf1 exists:%{x}.example.com", SyntaxIssue.BAD_MACRO, "exists:%{x}.example.com"),
        ("v=spf1 exists:%{d0}.example.com", SyntaxIssue.BAD_MACRO, "exists:%{d0}.example.com"),
        ("v=spf1 exp=%{r}.example.com -all", SyntaxIssue.BAD_MACRO, "exp=%{r}.example.com"),
        (
            "v=spf1 redirect=a.example redirect=b.example",
            SyntaxIssue.DUPLICATE_MODIFIER,
            "redirect=b.example",
        ),
        ("v=spf1 redirect=", SyntaxIssue.EMPTY_MODIFIER, "redirect="),
        ("v=spf1 =all", SyntaxIssue.BAD_MODIFIER, "=all"),
        ("v=spf1 a:mail.example.com\rptr -all", SyntaxIssue.BAD_CHARACTER, "a:mail.example.com\rptr"),
        ("v=spf1 a:é.example.com -all", SyntaxIssue.NON_ASCII, "a:é.example.com"),
    ],
)
def test_syntax_errors_name_the_term(record: str, issue: SyntaxIssue, term: str) -> None:
    with pytest.raises(SpfSyntaxError) as caught:
        parse_record(record)
    assert (caught.value.issue, caught.value.term) == (issue, term)


def test_record_terms() -> None:
    record = parse_record(
        "v=spf1 ip4:192.0.2.0/24 a/24//64 mx:Example.JP include:_spf.example.net ?all exp=why.%{d}"
    )
    kinds = [m.kind for m in record.mechanisms]
    assert kinds == [
        MechanismKind.IP4,
        MechanismKind.A,
        MechanismKind.MX,
        MechanismKind.INCLUDE,
        MechanismKind.ALL,
    ]
    assert record.mechanisms[0].network == ipaddress.ip_network("192.0.2.0/24")
    assert (record.mechanisms[1].cidr4, record.mechanisms[1].cidr6) == (24, 64)
    assert record.all is not None and record.all.qualifier is Qualifier.NEUTRAL
    assert record.explanation is not None and record.explanation.value.text == "why.%{d}"
    # a colon or slash inside a domain-spec is fine as long as it ends in a top label
    assert parse_record("v=spf1 a:foo:bar/baz.example.com").mechanisms[0].domain_spec is not None


# ----------------------------------------------------------------------------- macros (RFC 7208 section 7.4)

RFC_CONTEXT = MacroContext(
    sender="strong-bad@email.example.com", ip=ipaddress.ip_address("192.0.2.3"), helo="mx.example.org"
)


@pytest.mark.parametrize(
    ("spec", "expanded"),
    [
        ("%{s}", "strong-bad@email.example.com"),
        ("%{o}", "email.example.com"),
        ("%{d}", "email.example.com"),
        ("%{d4}", "email.example.com"),
        ("%{d3}", "email.example.com"),
        ("%{d2}", "example.com"),
        ("%{d1}", "com"),
        ("%{dr}", "com.example.email"),
        ("%{d2r}", "example.email"),
        ("%{l}", "strong-bad"),
        ("%{l-}", "strong.bad"),
        ("%{lr}", "strong-bad"),
        ("%{lr-}", "bad.strong"),
        ("%{l1r-}", "strong"),
        ("%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"),
        ("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"),
        ("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"),
        ("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"),
        ("%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"),
        ("%{L}.%%.%_.%-.example", "strong-bad.%. .%20.example"),
        ("%{S}", "strong-bad%40email.example.com"),
    ],
)
def test_rfc_macro_examples(spec: str, expanded: str) -> None:
    assert expand_domain(parse_macro_string(spec), RFC_CONTEXT, "email.example.com") == expanded


def test_ipv6_macro_example() -> None:
    context = MacroContext(
        sender="strong-bad@email.example.com", ip=ipaddress.ip_address("2001:db8::cb01"), helo="x"
    )
    expanded = expand_domain(parse_macro_string("%{ir}.%{v}._spf.%{d2}"), context, "email.example.com")
    # the RFC writes the nibbles in lower case; the openspf suite expects upper case (DNS ignores case)
    assert (
        expanded.lower()
        == "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"
    )


def test_long_expansions_are_cut_from_the_left() -> None:
    context = MacroContext(sender="a@b.example", ip=ipaddress.ip_address("192.0.2.3"), helo="h")
    name = expand_domain(parse_macro_string("x." + "%{d}." * 10 + "example"), context, "a" * 30 + ".example")
    assert len(name) <= 253 and name.endswith(".example") and not name.startswith("x.")


def test_spf_identity() -> None:
    assert spf_identity("taro@example.jp", "mail.example.jp") == ("taro@example.jp", "example.jp")
    assert spf_identity("", "mail.example.jp") == ("postmaster@mail.example.jp", "mail.example.jp")
    assert spf_identity("<@example.jp>", "h") == ("postmaster@example.jp", "example.jp")


# ----------------------------------------------------------------------------- check_host()

WORLD: dict[str, Any] = {
    "example.jp": [
        {"TXT": "v=spf1 ip4:192.0.2.0/28 mx include:_spf.provider.test -all exp=why.example.jp"},
        {"MX": [10, "mx.example.jp"]},
    ],
    "mx.example.jp": [{"A": "198.51.100.25"}, {"AAAA": "2001:db8::25"}],
    "why.example.jp": [{"TXT": "%{i} is not a server of %{d}"}],
    "_spf.provider.test": [{"TXT": "v=spf1 ip4:203.0.113.0/24 ip6:2001:db8:1::/48 ~all"}],
}


def test_pass_through_an_include_names_both_terms() -> None:
    result = check(WORLD, "203.0.113.7")
    assert result.result is SpfResult.PASS
    assert result.record == WORLD["example.jp"][0]["TXT"]
    assert result.matched == MatchedTerm("example.jp", "include:_spf.provider.test", ())
    assert result.matched_source == MatchedTerm(
        "_spf.provider.test", "ip4:203.0.113.0/24", (ChainStep("example.jp", "include:_spf.provider.test"),)
    )
    assert (result.lookups, result.void_lookups) == (2, 0)
    assert [(r.domain, r.result) for r in result.path] == [
        ("example.jp", SpfResult.PASS),
        ("_spf.provider.test", SpfResult.PASS),
    ]
    assert result.error is None and result.explanation is None


def test_fail_has_the_exp_text_and_ipv6_uses_aaaa() -> None:
    result = check(WORLD, "192.0.2.200")
    assert result.result is SpfResult.FAIL
    assert result.explanation == "192.0.2.200 is not a server of example.jp"
    assert result.matched == MatchedTerm("example.jp", "-all", ())
    assert check(WORLD, "2001:db8::25").result is SpfResult.PASS
    assert check(WORLD, "::ffff:198.51.100.25").ip == "198.51.100.25"


LIMIT_WORLD: dict[str, Any] = {
    "example.jp": [
        {"TXT": "v=spf1 a include:big.provider.test include:other.provider.test -all"},
        {"A": "192.0.2.1"},
    ],
    "big.provider.test": [
        {"TXT": "v=spf1 a:a1.provider.test a:a2.provider.test include:deep.provider.test ~all"}
    ],
    "deep.provider.test": [{"TXT": "v=spf1 a:a3.provider.test a:a4.provider.test a:a5.provider.test ~all"}],
    "other.provider.test": [{"TXT": "v=spf1 a:a6.provider.test a:a7.provider.test -all"}],
    **{f"a{n}.provider.test": [{"A": f"198.51.100.{n}"}] for n in range(1, 8)},
}


def test_the_eleventh_lookup_names_the_include_that_crossed_the_limit() -> None:
    result = check(LIMIT_WORLD, "203.0.113.1")
    assert result.result is SpfResult.PERMERROR
    assert result.error is not None and result.error.kind is SpfErrorKind.TOO_MANY_LOOKUPS
    # a(1) include:big(2) a1 a2(4) include:deep(5) a3 a4 a5(8) include:other(9) a6(10) a7: 11th
    assert (result.error.domain, result.error.term) == ("other.provider.test", "a:a7.provider.test")
    assert result.error.top_term == ChainStep("example.jp", "include:other.provider.test")
    assert result.lookups == 11
    # a sender matched before the limit passes: the limit counts what is evaluated
    assert check(LIMIT_WORLD, "198.51.100.6").result is SpfResult.PASS


def test_the_policy_view_finds_the_same_crossing_without_an_ip() -> None:
    view = policy(LIMIT_WORLD)
    assert view.lookups == 11
    problem = view.problem(PolicyIssue.TOO_MANY_LOOKUPS)
    assert problem is not None
    assert (problem.domain, problem.term) == ("other.provider.test", "a:a7.provider.test")
    assert problem.top_term == ChainStep("example.jp", "include:other.provider.test")
    assert view.broken


def test_void_lookups_over_two_are_permerror_naming_the_third() -> None:
    world = {
        "example.jp": [{"TXT": "v=spf1 a:gone1.example.jp mx:gone2.example.jp exists:gone3.example.jp -all"}]
    }
    result = check(world, "192.0.2.1")
    assert result.result is SpfResult.PERMERROR
    assert result.error is not None and result.error.kind is SpfErrorKind.TOO_MANY_VOID_LOOKUPS
    assert (result.error.term, result.error.dns_name) == ("exists:gone3.example.jp", "gone3.example.jp")
    assert result.void_lookups == 3
    view = policy(world)
    assert view.void_lookups == 3 and view.problem(PolicyIssue.TOO_MANY_VOID_LOOKUPS) is not None


@pytest.mark.parametrize(
    ("world", "kind", "term"),
    [
        (
            {"example.jp": [{"TXT": "v=spf1 -all"}, {"TXT": "v=spf1 mx -all"}]},
            SpfErrorKind.MULTIPLE_RECORDS,
            None,
        ),
        ({"example.jp": [{"TXT": "v=spf1 ip4:192.0.2.300 -all"}]}, SpfErrorKind.SYNTAX, "ip4:192.0.2.300"),
        (
            {
                "example.jp": [{"TXT": "v=spf1 include:a.example.jp -all"}],
                "a.example.jp": [{"TXT": "v=spf1 include:example.jp"}],
            },
            SpfErrorKind.INCLUDE_LOOP,
            "include:example.jp",
        ),
        (
            {
                "example.jp": [{"TXT": "v=spf1 include:nospf.example.jp -all"}],
                "nospf.example.jp": [{"A": "192.0.2.9"}],
            },
            SpfErrorKind.INCLUDE_WITHOUT_RECORD,
            "include:nospf.example.jp",
        ),
        (
            {"example.jp": [{"TXT": "v=spf1 redirect=gone.example.jp"}]},
            SpfErrorKind.REDIRECT_WITHOUT_RECORD,
            "redirect=gone.example.jp",
        ),
        (
            {
                "example.jp": [
                    {"TXT": "v=spf1 mx -all"},
                    *({"MX": [n, f"mx{n}.example.jp"]} for n in range(11)),
                ]
            },
            SpfErrorKind.TOO_MANY_MX,
            "mx",
        ),
    ],
)
def test_permerror_reasons(world: dict[str, Any], kind: SpfErrorKind, term: str | None) -> None:
    result = check(world, "203.0.113.1")
    assert result.result is SpfResult.PERMERROR
    assert result.error is not None and (result.error.kind, result.error.term) == (kind, term)


def test_temperror_names_the_query() -> None:
    world = {"example.jp": [{"TXT": "v=spf1 include:slow.example.jp -all"}], "slow.example.jp": ["TIMEOUT"]}
    result = check(world, "192.0.2.1")
    assert result.result is SpfResult.TEMPERROR
    assert result.error is not None
    assert (result.error.kind, result.error.dns_name, result.error.dns_type, result.error.dns_failure) == (
        SpfErrorKind.DNS_ERROR,
        "slow.example.jp",
        "TXT",
        DnsFailure.TIMEOUT,
    )
    assert result.error.via == (ChainStep("example.jp", "include:slow.example.jp"),)


def test_no_record_and_no_domain_are_none() -> None:
    assert check({"example.jp": [{"A": "192.0.2.1"}]}, "192.0.2.1").result is SpfResult.NONE
    assert check({}, "192.0.2.1").result is SpfResult.NONE
    assert check({}, "192.0.2.1", domain="localhost").result is SpfResult.NONE


def test_time_limit_is_temperror() -> None:
    source = ZoneDataSource({"example.jp": [{"TXT": "v=spf1 -all"}]}, delay=1.0)
    result = asyncio.run(check_host(source, "192.0.2.1", "example.jp", "a@example.jp", time_limit=0.05))
    assert result.result is SpfResult.TEMPERROR
    assert result.error is not None and result.error.kind is SpfErrorKind.TIME_LIMIT


# ----------------------------------------------------------------------------- the look-ahead

NESTED: dict[str, Any] = {
    "example.jp": [{"TXT": "v=spf1 mx include:_spf1.example.jp -all"}, {"MX": [10, "mx.example.jp"]}],
    "mx.example.jp": [{"A": "198.51.100.1"}],
    "_spf1.example.jp": [{"TXT": "v=spf1 a:r1.example.jp include:_spf2.example.jp ~all"}],
    "_spf2.example.jp": [{"TXT": "v=spf1 a:r2.example.jp include:_spf3.example.jp ~all"}],
    "_spf3.example.jp": [{"TXT": "v=spf1 mx:example.jp include:_spf4.example.jp ?all"}],
    "_spf4.example.jp": [{"TXT": "v=spf1 a:r4.example.jp exists:%{i}._ip.example.jp ?all"}],
    "r1.example.jp": [{"A": "198.51.100.11"}],
    "r2.example.jp": [{"A": "198.51.100.12"}],
    "r4.example.jp": [{"A": "198.51.100.14"}],
    "192.0.2.10._ip.example.jp": [{"A": "127.0.0.2"}],
}


def _timed(prefetch: bool, delay: float) -> tuple[SpfCheck, float, int]:
    source = ZoneDataSource(NESTED, delay=delay)
    started = time.monotonic()
    result = asyncio.run(check_host(source, "192.0.2.10", "example.jp", "taro@example.jp", prefetch=prefetch))
    return result, time.monotonic() - started, len(source.queries)


def test_look_ahead_follows_the_depth_not_the_number_of_lookups() -> None:
    delay = 0.05
    ahead, ahead_seconds, ahead_queries = _timed(True, delay)
    sequential, sequential_seconds, sequential_queries = _timed(False, delay)
    assert ahead.result is sequential.result is SpfResult.PASS
    assert ahead.lookups == sequential.lookups == 10
    assert ahead.matched_source is not None and ahead.matched_source.term == "exists:%{i}._ip.example.jp"
    # TXT example.jp, TXT _spf1 .. _spf4, then the A of the exists term: six rounds at least
    assert ahead.min_rounds == 6
    assert ahead_seconds < (ahead.min_rounds + 4) * delay  # six rounds of 50 ms, with room for a busy machine
    assert sequential_seconds > 10 * delay  # 11 queries, one after the other
    # the look-ahead asks for nothing the evaluation could not have asked for
    assert ahead_queries == sequential_queries == 11  # the MX of example.jp is asked once


def test_look_ahead_stops_at_the_limit() -> None:
    world = {
        "example.jp": [{"TXT": "v=spf1 " + " ".join(f"a:h{n}.example.jp" for n in range(1, 15)) + " -all"}],
        **{f"h{n}.example.jp": [{"A": f"198.51.100.{n}"}] for n in range(1, 15)},
    }
    source = ZoneDataSource(world)
    result = asyncio.run(check_host(source, "192.0.2.1", "example.jp", "a@example.jp"))
    assert result.result is SpfResult.PERMERROR
    assert sorted(name for name, _ in source.queries if name.startswith("h")) == sorted(
        f"h{n}.example.jp" for n in range(1, 11)
    )


# ----------------------------------------------------------------------------- the policy view


def test_policy_lists_networks_and_counts() -> None:
    view = policy(WORLD)
    assert view.record == WORLD["example.jp"][0]["TXT"]
    assert view.all_qualifier is Qualifier.FAIL
    assert view.lookups == 2 and view.void_lookups == 0
    assert [n.network for n in view.authorised] == [
        "192.0.2.0/28",
        "198.51.100.25/32",
        "2001:db8::25/128",
        "203.0.113.0/24",
        "2001:db8:1::/48",
    ]
    assert view.authorised[-1].via == (ChainStep("example.jp", "include:_spf.provider.test"),)
    assert view.problems == ()
    assert [r.domain for r in view.tree] == ["example.jp", "_spf.provider.test"]


@pytest.mark.parametrize(
    ("record", "issue"),
    [
        ("v=spf1 +all", PolicyIssue.PASS_ALL),
        ("v=spf1 mx ?all", PolicyIssue.NEUTRAL_ALL),
        ("v=spf1 mx", PolicyIssue.NO_ALL),
        ("v=spf1 ptr -all", PolicyIssue.PTR_MECHANISM),
        ("v=spf1 -all mx", PolicyIssue.UNREACHABLE_TERMS),
        ("v=spf1 exists:%{p}.example.jp -all", PolicyIssue.P_MACRO),
        ("v=spf1 include:gone.example.jp -all", PolicyIssue.INCLUDE_WITHOUT_RECORD),
        ("v=spf1 a:1.2.3.4 -all", PolicyIssue.SYNTAX),
    ],
)
def test_policy_problems(record: str, issue: PolicyIssue) -> None:
    view = policy(
        {
            "example.jp": [{"TXT": record}, {"MX": [10, "mx.example.jp"]}],
            "mx.example.jp": [{"A": "192.0.2.25"}],
        }
    )
    assert issue in [p.issue for p in view.problems]


def test_policy_of_a_broken_domain() -> None:
    assert policy({}).problem(PolicyIssue.NO_RECORD) is not None
    several = policy({"example.jp": [{"TXT": "v=spf1 -all"}, {"TXT": "v=spf1 mx -all"}]})
    assert several.record is None and len(several.records) == 2
    assert several.problem(PolicyIssue.MULTIPLE_RECORDS) is not None
    failed = policy({"example.jp": ["TIMEOUT"]})
    assert failed.failure is DnsFailure.TIMEOUT


def test_policy_include_that_passes_everyone() -> None:
    view = policy(
        {
            "example.jp": [{"TXT": "v=spf1 include:open.example.net -all"}],
            "open.example.net": [{"TXT": "v=spf1 +all"}],
        }
    )
    problem = view.problem(PolicyIssue.PASS_ALL)
    assert problem is not None and problem.term == "include:open.example.net"


def test_policy_unlisted_terms_depend_on_the_sender() -> None:
    view = policy({"example.jp": [{"TXT": "v=spf1 exists:%{i}._ip.example.jp a:%{l}.example.jp -all"}]})
    assert [t.term for t in view.unlisted] == ["exists:%{i}._ip.example.jp", "a:%{l}.example.jp"]
    assert view.lookups == 2 and view.authorised == ()


# ----------------------------------------------------------------------------- the JSON edge


def test_spf_json_with_and_without_a_sender() -> None:
    with_ip = spf_json(policy(WORLD), check(WORLD, "192.0.2.200"))
    assert with_ip == {
        "record": WORLD["example.jp"][0]["TXT"],
        "sender_ip": "192.0.2.200",
        "result": "fail",
        "explanation": "192.0.2.200 is not a server of example.jp",
        "lookups": 2,
        "void_lookups": 0,
    }
    without = spf_json(policy(WORLD), None)
    assert without["result"] is None and without["lookups"] == 2


# ----------------------------------------------------------------------------- the DnsClient adapter


def test_txt_presentation_to_strings() -> None:
    assert txt_strings('"v=spf1 ip4:192.0.2.1 " "-all"') == (b"v=spf1 ip4:192.0.2.1 ", b"-all")
    assert txt_strings('"say \\"hi\\"" "\\195\\169"') == (b'say "hi"', "é".encode())
    assert txt_strings('""') == (b"",)


class FakeClient:
    def __init__(self, answers: dict[tuple[str, str], DnsLookup]) -> None:
        self.answers = answers

    async def lookup(self, name: str, rdtype: str, lifetime: float) -> DnsLookup:
        return self.answers.get((name, rdtype), DnsLookup(name, rdtype, DnsOutcome.NXDOMAIN))


def test_dns_client_source_maps_outcomes() -> None:
    client = FakeClient(
        {
            ("example.jp", "TXT"): DnsLookup("example.jp", "TXT", DnsOutcome.OK, ('"v=spf1 mx -all"',)),
            ("example.jp", "MX"): DnsLookup("example.jp", "MX", DnsOutcome.OK, ("10 mx.example.jp.",)),
            ("mx.example.jp", "A"): DnsLookup("mx.example.jp", "A", DnsOutcome.OK, ("192.0.2.25",)),
            ("mx.example.jp", "AAAA"): DnsLookup("mx.example.jp", "AAAA", DnsOutcome.SERVFAIL),
        }
    )
    source = DnsClientSource(client)  # type: ignore[arg-type]
    assert asyncio.run(source.mx("example.jp")).records == ((10, "mx.example.jp"),)
    assert asyncio.run(source.aaaa("mx.example.jp")).failure is DnsFailure.SERVFAIL
    assert asyncio.run(source.ptr("1.2.0.192.in-addr.arpa")).failure is DnsFailure.NXDOMAIN
    result = asyncio.run(check_host(source, "192.0.2.25", "example.jp", "a@example.jp"))
    assert result.result is SpfResult.PASS
    assert result.matched == MatchedTerm("example.jp", "mx", ())
