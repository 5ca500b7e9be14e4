"""DMARC records, organizational domains, alignment, the tree walk and discovery (no network)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import pytest

from maildoctor.domain.dmarc import (
    RECEIVER_TEXTS,
    Alignment,
    DmarcDiscovery,
    DmarcError,
    DmarcProblemCode,
    DmarcRecord,
    DmarcReportUriError,
    DmarcTagError,
    DmarcTagValueError,
    NotDmarcRecordError,
    Policy,
    ReceiverTreatment,
    TxtLookup,
    check_alignment,
    check_dmarc_record,
    decode_txt,
    discover_dmarc,
    domains_aligned,
    is_public_suffix,
    organizational_domain,
    parse_dmarc_record,
    parse_report_uri,
    suggest_dmarc_record,
    tree_walk_names,
    tree_walk_organizational_domain,
    tree_walk_policy_domain,
)
from maildoctor.facts import DnsLookup, DnsOutcome
from maildoctor.model import Severity

C = DmarcProblemCode

# ------------------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    "text",
    [
        "v=DMARC1;p=ReJect",
        "v = DMARC1;p=reject;",
        "v = DMARC1\t;\tp=reject\t;",
        "v = DMARC1\t;\tp\t\t\t=\t\t\treject\t;",
        "V=DMARC1;p=reject;",
        "v=DMARC1; p=reject;;",
    ],
)
def test_spacing_and_case_are_free(text: str) -> None:
    assert parse_dmarc_record(text).policy is Policy.REJECT


@pytest.mark.parametrize(
    "text", ["v=dmarc1; p=reject", "v=DMARC2; p=reject", "p=reject; v=DMARC1", "", "hello"]
)
def test_not_a_dmarc_record(text: str) -> None:
    with pytest.raises(NotDmarcRecordError) as caught:
        parse_dmarc_record(text)
    assert caught.value.code is C.NOT_DMARC_RECORD


def test_spf_record_at_dmarc() -> None:
    with pytest.raises(NotDmarcRecordError) as caught:
        parse_dmarc_record("v=spf1 include:_spf.google.com ~all")
    assert caught.value.code is C.SPF_RECORD_AT_DMARC


def test_every_tag() -> None:
    record = parse_dmarc_record(
        "v=DMARC1; p=quarantine; sp=reject; np=reject; adkim=s; aspf=r; pct=20; fo=1:d; rf=afrf; "
        "ri=3600; t=y; psd=n; rua=mailto:agg@example.jp!10m, mailto:other@example.net; "
        "ruf=mailto:f@example.jp"
    )
    assert record.policy is Policy.QUARANTINE and record.policy_explicit
    assert record.subdomain_policy is Policy.REJECT and record.nonexistent_policy is Policy.REJECT
    assert record.adkim is Alignment.STRICT and record.aspf is Alignment.RELAXED
    assert record.pct == 20 and record.ri == 3600 and record.rf == ("afrf",) and record.fo == ("1", "d")
    assert record.testing and record.psd == "n"
    assert [uri.address for uri in record.rua] == ["agg@example.jp", "other@example.net"]
    assert record.rua[0].size_limit == 10 * 1024 * 1024 and record.rua[1].size_limit is None
    assert record.ruf[0].domain == "example.jp"
    assert record.tag("pct") == "20"


def test_defaults() -> None:
    record = parse_dmarc_record("v=DMARC1")
    assert record.policy is Policy.NONE and not record.policy_explicit
    assert record.subdomain_policy is None and record.nonexistent_policy is None
    assert record.adkim is Alignment.RELAXED and record.aspf is Alignment.RELAXED
    assert record.fo == ("0",) and record.psd == "u" and not record.testing and record.pct is None
    sp = parse_dmarc_record("v=DMARC1; p=reject; sp=quarantine")
    assert sp.effective_subdomain_policy is Policy.QUARANTINE
    assert sp.effective_nonexistent_policy is Policy.QUARANTINE  # np falls back to sp
    p_only = parse_dmarc_record("v=DMARC1; p=reject")
    assert p_only.effective_nonexistent_policy is Policy.REJECT  # then to p


def test_every_error_is_collected() -> None:
    with pytest.raises(DmarcTagValueError) as caught:
        parse_dmarc_record("v=DMARC1; p=foo; sp=bar; adkim=x; rua=nothing")
    assert [problem.tag for problem in caught.value.problems] == ["p", "sp", "adkim", "rua"]
    assert caught.value.problems[-1].code is C.INVALID_REPORT_URI
    assert all(problem.severity is Severity.ERROR for problem in caught.value.problems)


def test_duplicate_tags_break_the_record() -> None:
    with pytest.raises(DmarcTagError):
        parse_dmarc_record("v=DMARC1; p=reject; rua=mailto:a@example.jp; rua=mailto:b@example.jp")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("v=DMARC1; p", C.SYNTAX),
        ("v=DMARC1; p=reject; 1x=2", C.SYNTAX),
        ("v=DMARC1; p=reject; rua=mailto:ａ@example.jp", C.SYNTAX),
        ("v=DMARC1; p=reject; fo=0:x", C.INVALID_TAG_VALUE),
        ("v=DMARC1; p=reject; aspf=relaxed", C.INVALID_TAG_VALUE),
        ("v=DMARC1; p=reject; np=block", C.INVALID_TAG_VALUE),
    ],
)
def test_errors(text: str, code: DmarcProblemCode) -> None:
    with pytest.raises(DmarcError) as caught:
        parse_dmarc_record(text)
    assert caught.value.code is code


@pytest.mark.parametrize(
    "text", ["v=DMARC1; p=reject; pct=abc", "v=DMARC1; p=reject; ri=-1", "v=DMARC1; p=reject; rf=a b"]
)
def test_odd_values_of_removed_tags_do_not_break_the_record(text: str) -> None:
    record = parse_dmarc_record(text)
    assert record.pct is None and record.ri is None and record.rf == ()
    assert C.REMOVED_TAG in check_dmarc_record(text).codes


# ----------------------------------------------------------------------------------- report URIs


@pytest.mark.parametrize(
    ("text", "scheme", "address", "size"),
    [
        ("mailto:dmarc@example.jp", "mailto", "dmarc@example.jp", None),
        ("mailto:dmarc@example.jp!500", "mailto", "dmarc@example.jp", 500),
        ("mailto:dmarc@example.jp!2k", "mailto", "dmarc@example.jp", 2048),
        ("MAILTO:DMARC-Reports@Example.jp!1G", "mailto", "DMARC-Reports@Example.jp", 1024**3),
        ("mailto:a%2Cb@example.jp", "mailto", "a%2Cb@example.jp", None),
        ("https://dmarc.example.jp/submit", "https", "https://dmarc.example.jp/submit", None),
    ],
)
def test_report_uris(text: str, scheme: str, address: str, size: int | None) -> None:
    uri = parse_report_uri(text)
    assert (uri.scheme, uri.address, uri.size_limit) == (scheme, address, size)


@pytest.mark.parametrize(
    "text",
    [
        "reports@example.jp",
        "__mailto:reports@example.jp",
        "mailto:",
        "mailto:reports",
        "mailto:reports@localhost",
        "mailto:a b@example.jp",
        "https://[",
        "https:///path",
        "",
    ],
)
def test_bad_report_uris(text: str) -> None:
    with pytest.raises(DmarcReportUriError):
        parse_report_uri(text)


def test_uri_domains() -> None:
    assert parse_report_uri("mailto:x@Reports.Example.NET").domain == "reports.example.net"
    assert parse_report_uri("https://user@dmarc.example.jp:8443/x").domain == "dmarc.example.jp"


# ---------------------------------------------------------------------------------- the advice


def test_advice_on_a_working_record() -> None:
    check = check_dmarc_record("v=DMARC1; sp=none; p=reject; pct=50; t=y", "example.jp")
    assert check.record is not None and not check.broken
    assert set(check.codes) == {
        C.POLICY_NOT_SECOND,
        C.NO_REPORT_ADDRESS,
        C.SUBDOMAIN_POLICY_WEAKER,
        C.PARTIAL_POLICY,
        C.REMOVED_TAG,
        C.TESTING_MODE,
    }
    assert check.suggestion == "v=DMARC1; p=reject; sp=none; t=y; rua=mailto:dmarc-reports@example.jp"
    no_rua = next(problem for problem in check.problems if problem.code is C.NO_REPORT_ADDRESS)
    assert no_rua.severity is Severity.WARNING and no_rua.record == check.text
    assert no_rua.suggestion == check.suggestion


def test_a_good_record_needs_nothing() -> None:
    check = check_dmarc_record("v=DMARC1; p=reject; rua=mailto:dmarc@example.jp", "example.jp")
    assert check.problems == () and check.suggestion is None


def test_p_none_is_information_with_no_suggestion() -> None:
    check = check_dmarc_record("v=DMARC1; p=none; rua=mailto:dmarc@example.jp", "example.jp")
    assert check.codes == (C.POLICY_NONE,) and check.problems[0].severity is Severity.INFO
    assert check.suggestion is None


def test_missing_p() -> None:
    check = check_dmarc_record("v=DMARC1; rua=mailto:dmarc@example.jp", "example.jp")
    assert check.record is not None and check.record.policy is Policy.NONE
    assert C.MISSING_POLICY in check.codes
    assert check.suggestion == "v=DMARC1; p=none; rua=mailto:dmarc@example.jp"


def test_broken_record_gets_a_repaired_suggestion() -> None:
    check = check_dmarc_record(
        "v=DMARC1; p=rejected; adkim=s; rua=__mailto:x@example.jp; xyz=1", "example.jp"
    )
    assert check.broken and check.record is None
    assert check.suggestion == "v=DMARC1; p=none; adkim=s; rua=mailto:dmarc-reports@example.jp"
    assert {problem.code for problem in check.problems if problem.severity is Severity.ERROR} == {
        C.INVALID_TAG_VALUE,
        C.INVALID_REPORT_URI,
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.jp"),
        ("v=spf1 -all", "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.jp"),
        ("v=DMARC1; p=quarantine; pct=100", "v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@example.jp"),
        ("v=DMARC1; p=reject; pct=0", "v=DMARC1; p=reject; t=y; rua=mailto:dmarc-reports@example.jp"),
        (
            "v=DMARC1; p=reject; fo=1:s; ruf=mailto:f@example.jp; rua=mailto:a@example.jp!10m",
            "v=DMARC1; p=reject; fo=1:s; rua=mailto:a@example.jp!10m; ruf=mailto:f@example.jp",
        ),
    ],
)
def test_suggestions(text: str | None, expected: str) -> None:
    assert suggest_dmarc_record("example.jp", text) == expected


def test_suggestion_with_a_given_address() -> None:
    suggestion = suggest_dmarc_record("example.jp", report_uri="mailto:postmaster@example.jp")
    assert suggestion == "v=DMARC1; p=none; rua=mailto:postmaster@example.jp"
    assert parse_dmarc_record(suggestion).rua[0].address == "postmaster@example.jp"


# ------------------------------------------------------------------------------------- domains


@pytest.mark.parametrize(
    ("domain", "organizational"),
    [
        ("example.jp", "example.jp"),
        ("mail.example.co.jp", "example.co.jp"),
        ("a.b.example.ne.jp", "example.ne.jp"),
        ("shop.example.tokyo.jp", "example.tokyo.jp"),
        ("x.city.kawasaki.jp", "city.kawasaki.jp"),  # an exception rule of the list
        ("Mail.Example.COM.", "example.com"),
        ("foo.blogspot.com", "foo.blogspot.com"),  # the list's private section counts
        ("co.jp", "co.jp"),  # a public suffix is its own
        ("メール.日本語.jp", "xn--wgv71a119e.jp"),
        ("sub.example.test", "example.test"),
    ],
)
def test_organizational_domain(domain: str, organizational: str) -> None:
    assert organizational_domain(domain) == organizational


def test_public_suffix() -> None:
    assert is_public_suffix("co.jp") and is_public_suffix("jp") and not is_public_suffix("example.co.jp")


@pytest.mark.parametrize(
    ("left", "right", "mode", "aligned"),
    [
        ("example.jp", "example.jp", Alignment.STRICT, True),
        ("example.jp", "mail.example.jp", Alignment.STRICT, False),
        ("example.jp", "mail.example.jp", Alignment.RELAXED, True),
        ("news.example.co.jp", "bounce.example.co.jp", Alignment.RELAXED, True),
        ("example.co.jp", "other.co.jp", Alignment.RELAXED, False),
        ("example.jp", "example.jp.", Alignment.STRICT, True),
        ("example.jp", "", Alignment.RELAXED, False),
    ],
)
def test_alignment(left: str, right: str, mode: Alignment, aligned: bool) -> None:
    assert domains_aligned(left, right, mode) is aligned


def test_check_alignment_uses_the_record() -> None:
    strict = parse_dmarc_record("v=DMARC1; p=reject; adkim=s; aspf=s")
    result = check_alignment(
        "example.jp", strict, spf_domain="bounce.example.jp", dkim_domains=["example.jp", "esp.example.net"]
    )
    assert not result.spf_aligned and result.dkim_aligned == ("example.jp",) and result.passes
    relaxed = check_alignment("example.jp", None, spf_domain="bounce.example.jp")
    assert relaxed.spf_aligned and relaxed.passes
    assert not check_alignment("example.jp", None, dkim_domains=["sendgrid.net"]).passes


# ----------------------------------------------------------------------------------- tree walk


def test_tree_walk_names() -> None:
    assert tree_walk_names("a.b.example.co.jp") == (
        "a.b.example.co.jp",
        "b.example.co.jp",
        "example.co.jp",
        "co.jp",
        "jp",
    )
    long = tree_walk_names("1.2.3.4.5.6.7.8.example.jp")  # 10 labels: jump to the last 7
    assert long[:3] == ("1.2.3.4.5.6.7.8.example.jp", "4.5.6.7.8.example.jp", "5.6.7.8.example.jp")
    assert long[-1] == "jp" and len(long) == 8
    assert tree_walk_names("jp") == ("jp",)


def _record(text: str) -> DmarcRecord:
    return parse_dmarc_record(text)


def test_tree_walk_organizational_domain() -> None:
    plain = {"example.co.jp": _record("v=DMARC1; p=reject")}
    assert tree_walk_organizational_domain("a.b.example.co.jp", plain) == "example.co.jp"
    assert tree_walk_policy_domain("a.b.example.co.jp", plain) == "example.co.jp"
    # psd=y at a public suffix domain: the organization is one label below it
    psd = {"gov.example": _record("v=DMARC1; p=reject; psd=y"), "a.b.gov.example": _record("v=DMARC1")}
    assert tree_walk_organizational_domain("a.b.gov.example", psd) == "b.gov.example"
    # psd=n marks the organization at once
    marked = {"b.example.co.jp": _record("v=DMARC1; psd=n"), "example.co.jp": _record("v=DMARC1")}
    assert tree_walk_organizational_domain("a.b.example.co.jp", marked) == "b.example.co.jp"
    # no record at all: the domain itself
    assert tree_walk_organizational_domain("a.b.example.co.jp", {}) == "a.b.example.co.jp"
    assert tree_walk_policy_domain("a.b.example.co.jp", {}) is None


# ----------------------------------------------------------------------------------- discovery


def fake_dns(answers: Mapping[str, list[str] | DnsOutcome]) -> tuple[TxtLookup, list[str]]:
    asked: list[str] = []

    async def lookup(name: str) -> DnsLookup:
        asked.append(name)
        found = answers.get(name, DnsOutcome.NXDOMAIN)
        if isinstance(found, DnsOutcome):
            return DnsLookup(name, "TXT", found)
        return DnsLookup(name, "TXT", DnsOutcome.OK, tuple(f'"{text}"' for text in found))

    return lookup, asked


def discover(
    answers: Mapping[str, list[str] | DnsOutcome], domain: str = "mail.example.co.jp"
) -> DmarcDiscovery:
    lookup, _ = fake_dns(answers)
    return asyncio.run(discover_dmarc(domain, lookup))


def test_record_at_the_domain() -> None:
    found = discover(
        {"_dmarc.mail.example.co.jp": ["v=spf1 -all", "v=DMARC1; p=quarantine; rua=mailto:d@example.co.jp"]}
    )
    assert found.location == "mail.example.co.jp" and found.policy is Policy.QUARANTINE
    assert found.organizational_domain == "example.co.jp"
    assert found.treatment is ReceiverTreatment.QUARANTINE
    assert found.as_json() == {
        "record": "v=DMARC1; p=quarantine; rua=mailto:d@example.co.jp",
        "policy": "quarantine",
        "organizational_domain": "example.co.jp",
    }
    assert [lookup.name for lookup in found.lookups] == ["_dmarc.mail.example.co.jp"]


def test_record_inherited_from_the_organizational_domain() -> None:
    found = discover({"_dmarc.example.co.jp": ["v=DMARC1; p=reject; sp=none; rua=mailto:d@example.co.jp"]})
    assert found.location == "example.co.jp" and found.policy is Policy.NONE  # sp applies
    assert found.treatment is ReceiverTreatment.MONITOR
    assert C.INHERITED in {problem.code for problem in found.problems}


def test_no_record() -> None:
    found = discover({})
    assert found.record is None and found.policy is None
    assert found.treatment is ReceiverTreatment.NO_POLICY
    problem = found.problems[-1]
    assert problem.code is C.NO_RECORD and problem.severity is Severity.WARNING
    assert problem.suggestion == "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.co.jp"
    assert found.as_json()["policy"] is None and found.as_json()["record"] is None


def test_several_records_count_as_none() -> None:
    found = discover({"_dmarc.mail.example.co.jp": ["v=DMARC1; p=none", "v=DMARC1; p=reject"]})
    assert found.problems[0].code is C.MULTIPLE_RECORDS and found.policy is None
    assert found.treatment is ReceiverTreatment.NO_POLICY


def test_a_broken_record_is_not_replaced_by_the_parents() -> None:
    found = discover(
        {"_dmarc.mail.example.co.jp": ["v=DMARC1; p=rejct"], "_dmarc.example.co.jp": ["v=DMARC1; p=reject"]}
    )
    assert found.location == "mail.example.co.jp" and found.record is None
    assert found.treatment is ReceiverTreatment.BROKEN_RECORD
    assert found.problems[0].code is C.INVALID_TAG_VALUE and found.problems[0].record == "v=DMARC1; p=rejct"


def test_spf_record_at_dmarc_is_reported() -> None:
    found = discover({"_dmarc.example.jp": ["v=spf1 include:_spf.example.net ~all"]}, "example.jp")
    assert found.problems[0].code is C.SPF_RECORD_AT_DMARC
    assert found.suggestion == "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.jp"


@pytest.mark.parametrize("outcome", [DnsOutcome.SERVFAIL, DnsOutcome.TIMEOUT])
def test_dns_failure_is_not_a_missing_record(outcome: DnsOutcome) -> None:
    found = discover({"_dmarc.mail.example.co.jp": outcome})
    assert [problem.code for problem in found.problems] == [C.DNS_ERROR]
    assert found.treatment is ReceiverTreatment.UNKNOWN


def test_external_report_destinations() -> None:
    record = (
        "v=DMARC1; p=reject; rua=mailto:d@example.jp,mailto:x@reports.example.net,mailto:y@vendor.example"
    )
    lookup, asked = fake_dns(
        {"_dmarc.example.jp": [record], "example.jp._report._dmarc.vendor.example": ["v=DMARC1"]}
    )
    found = asyncio.run(discover_dmarc("example.jp", lookup))
    assert asked == [
        "_dmarc.example.jp",
        "example.jp._report._dmarc.reports.example.net",
        "example.jp._report._dmarc.vendor.example",
    ]
    unverified = [problem for problem in found.problems if problem.code is C.EXTERNAL_REPORT_UNVERIFIED]
    assert len(unverified) == 1 and unverified[0].value == "reports.example.net"
    assert unverified[0].suggestion == 'example.jp._report._dmarc.reports.example.net. TXT "v=DMARC1"'


def test_trial_settings() -> None:
    assert discover({"_dmarc.example.jp": ["v=DMARC1; p=reject; t=y"]}, "example.jp").treatment is (
        ReceiverTreatment.TRIAL
    )
    assert discover({"_dmarc.example.jp": ["v=DMARC1; p=reject; pct=10"]}, "example.jp").treatment is (
        ReceiverTreatment.TRIAL
    )
    assert discover({"_dmarc.example.jp": ["v=DMARC1; p=reject"]}, "example.jp").treatment is (
        ReceiverTreatment.REJECT
    )


def test_every_treatment_has_a_text() -> None:
    assert set(RECEIVER_TEXTS) == set(ReceiverTreatment)
    assert "5.7.26" in RECEIVER_TEXTS[ReceiverTreatment.REJECT]


# ------------------------------------------------------------------------------------------ TXT


@pytest.mark.parametrize(
    ("answer", "text"),
    [
        ('"v=DMARC1; p=none"', "v=DMARC1; p=none"),
        ('"v=DMARC1; " "p=none"', "v=DMARC1; p=none"),
        ('"a\\"b" "c\\\\d"', 'a"bc\\d'),
        ('"\\227\\131\\161"', "メ"),
        ("v=DMARC1; p=none", "v=DMARC1; p=none"),
    ],
)
def test_decode_txt(answer: str, text: str) -> None:
    assert decode_txt(answer) == text


@pytest.mark.parametrize("domain", ["", "jp", "."])
def test_discovery_needs_a_domain(domain: str) -> None:
    lookup, asked = fake_dns({})
    with pytest.raises(ValueError, match="not a mail domain"):
        asyncio.run(discover_dmarc(domain, lookup))
    assert asked == []
