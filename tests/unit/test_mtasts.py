"""MTA-STS records and policies, MX patterns, TLS-RPT records, and the fetch rules (no network)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, cast

import pytest

import maildoctor.domain.mtasts as mtasts
from maildoctor.domain.mtasts import (
    MAX_POLICY_BYTES,
    FetchFailure,
    StsMode,
    StsOutcome,
    StsPolicyError,
    StsProblemCode,
    StsRecordError,
    TlsRptError,
    check_mta_sts,
    check_sts_policy,
    check_sts_record,
    check_tlsrpt,
    fetch_sts_policy,
    mx_pattern_matches,
    parse_sts_policy,
    parse_sts_record,
    parse_tlsrpt_record,
    policy_url,
    suggest_sts_policy,
)
from maildoctor.facts import DnsLookup, DnsOutcome
from maildoctor.model import Severity
from maildoctor.net.http import HttpFailure, HttpFetchError, HttpResult
from maildoctor.net.resolver import DnsClient

C = StsProblemCode
GOOD = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.jp\r\nmx: *.mx.example.jp\r\nmax_age: 604800\r\n"

# ----------------------------------------------------------------------------------- the record


@pytest.mark.parametrize(
    ("text", "record_id"),
    [
        ("v=STSv1; id=20240101T010101", "20240101T010101"),
        ("v=STSv1;id=20180907T090909;", "20180907T090909"),
        ("v=STSv1 ; id=abc123", "abc123"),
        ("v=STSv1;\tid=" + "a" * 32, "a" * 32),
    ],
)
def test_records(text: str, record_id: str) -> None:
    assert parse_sts_record(text).id == record_id


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("id=20180907T090909; v=STSv1;", C.RECORD_VERSION),  # upstream's bad-record1
        ("azazaza;asdasdasdasd", C.RECORD_VERSION),
        ("v=STSv12;id=20180907T090909;", C.RECORD_VERSION),
        ("V=STSv1; id=abc", C.RECORD_VERSION),  # case-sensitive
        ("v =STSv1; id=abc", C.RECORD_VERSION),  # no spaces around "="
        (" v=STSv1; id=abc", C.RECORD_VERSION),
        ("v=STSv1;", C.RECORD_MISSING_ID),
        ("v=STSv1; xyz=foo", C.RECORD_MISSING_ID),
        ("v=STSv1; id=" + "a" * 33, C.RECORD_BAD_ID),
        ("v=STSv1; id=2024-01-01", C.RECORD_BAD_ID),
        ("v=STSv1; id =abc", C.RECORD_SYNTAX),
        ("v=STSv1;; id=abc", C.RECORD_SYNTAX),
        ("v=spf1 -all", C.SPF_RECORD_AT_STS),
    ],
)
def test_bad_records(text: str, code: StsProblemCode) -> None:
    with pytest.raises(StsRecordError) as caught:
        parse_sts_record(text)
    assert caught.value.code is code


def test_record_extensions_and_duplicates() -> None:
    record, problems = check_sts_record("v=STSv1; id=first; id=second; ext.name=x-1", "example.jp")
    assert record is not None and record.id == "first" and record.extensions == (("ext.name", "x-1"),)
    assert [(p.code, p.severity) for p in problems] == [
        (C.DUPLICATE_FIELD, Severity.WARNING),
        (C.UNKNOWN_FIELD, Severity.INFO),
    ]
    assert problems[0].suggestion == '_mta-sts.example.jp TXT "v=STSv1; id=first"'


def test_broken_record_suggestion_has_a_fresh_id() -> None:
    _, problems = check_sts_record("v=STSv1;", "example.jp")
    assert problems[0].suggestion is not None
    assert problems[0].suggestion.startswith('_mta-sts.example.jp TXT "v=STSv1; id=20')


# ----------------------------------------------------------------------------------- the policy


def test_policy() -> None:
    policy = parse_sts_policy(GOOD)
    assert policy.mode is StsMode.ENFORCE and policy.max_age == 604800 and policy.version == "STSv1"
    assert policy.mx == ("mail.example.jp", "*.mx.example.jp")
    assert policy.match("MAIL.example.jp.") == "mail.example.jp"
    assert policy.match("a.mx.example.jp") == "*.mx.example.jp"
    assert policy.match("a.b.mx.example.jp") is None


@pytest.mark.parametrize(
    "text",
    [
        "version: STSv1\nmode: testing\nmax_age: 3600\nmx: *.example.com\n",
        "version: STSv1\r\nmode: enforce\nmax_age: 86400\r\nmx: mail.example.com\n",  # mixed line ends
        "version: STSv1\nmode: none\nmax_age: 86400",  # none needs no mx, no final line end
        "version:STSv1\nmode:\tenforce  \nmx: mail.example.com\nmax_age: 0\n",
    ],
)
def test_policies_that_parse(text: str) -> None:
    parse_sts_policy(text)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("garbage", C.POLICY_SYNTAX),  # upstream's bad-policy1
        ("version: STSv1\nmode: enforce\nmax_age: 86400", C.POLICY_MX_MISSING),  # bad-policy2
        ("version: STSv1\nmode: enforce\nmx: mail.loc\nmax_age: xxx", C.POLICY_MAX_AGE),  # bad-policy5
        ("version: STSv1\nmode: enforce\nmx: mail.loc\nmax_age: 31557601", C.POLICY_MAX_AGE),  # bad-policy6
        ("version: STSv1\nmx: mail.loc\nmax_age: 86400", C.POLICY_MODE),  # bad-policy7
        ("version: STSv1\nmode: doubt\nmx: mail.loc\nmax_age: 86400", C.POLICY_MODE),  # bad-policy8
        ("version: STSv1\nmode: Enforce\nmx: mail.loc\nmax_age: 86400", C.POLICY_MODE),  # case-sensitive
        ("mode: enforce\nmx: mail.loc\nmax_age: 86400", C.POLICY_VERSION),
        ("version: STSv1\nmode: none\nmax_age: +5", C.POLICY_MAX_AGE),
        ("version: STSv1\nmode: none\nmax_age: 1_000", C.POLICY_MAX_AGE),
        ("version: STSv1\nmode: none\nmax_age: 12345678901", C.POLICY_MAX_AGE),
        ("version: STSv1\x0bmode: none\x0bmax_age: 86400", C.POLICY_SYNTAX),
        ("version : STSv1\nmode: none\nmax_age: 86400", C.POLICY_SYNTAX),
        ("version: STSv1\nmode: enforce\nmax_age: 86400\nmx: mail.*.example.com", C.POLICY_MX_INVALID),
        ("version: STSv1\nmode: enforce\nmax_age: 86400\nmx: *example.com", C.POLICY_MX_INVALID),
        ("version: STSv1\nmode: enforce\nmax_age: 86400\nmx: ..--", C.POLICY_MX_INVALID),
        ("version: STSv1\nmode: enforce\nmax_age: 86400\nmx: not a hostname!", C.POLICY_MX_INVALID),
        ("", C.POLICY_VERSION),
    ],
)
def test_bad_policies(text: str, code: StsProblemCode) -> None:
    with pytest.raises(StsPolicyError) as caught:
        parse_sts_policy(text)
    assert code in {problem.code for problem in caught.value.problems}


def test_policy_warnings() -> None:
    text = "version: STSv1\nmode: testing\nmode: enforce\n\nmx: mail.example.jp\nmax_age: 60\nfoo_ext: bar\n"
    policy, problems = check_sts_policy(text, ["mail.example.jp"])
    assert (
        policy is not None and policy.mode is StsMode.TESTING and policy.extensions == (("foo_ext", "bar"),)
    )
    assert [problem.code for problem in problems] == [
        C.DUPLICATE_FIELD,
        C.BLANK_LINE,
        C.UNKNOWN_FIELD,
        C.TESTING_MODE,
        C.MAX_AGE_SHORT,
    ]


@pytest.mark.parametrize(
    ("pattern", "host", "matches"),
    [
        ("mail.example.com", "mail.example.com", True),
        ("mail.example.com", "MAIL.EXAMPLE.COM.", True),
        ("*.example.com", "mail.example.com", True),
        ("*.example.com", "mail.other.com", False),
        ("*.example.com", "foo.bar.example.com", False),  # one label only
        ("*.example.com", "mail.example.com.evil.com", False),
        ("example.com", "bad-example.com", False),
        ("*.example.com", "example.com", False),  # not zero labels
    ],
)
def test_mx_patterns(pattern: str, host: str, matches: bool) -> None:
    assert mx_pattern_matches(pattern, host) is matches


def test_mx_coverage() -> None:
    hosts = ["mail.example.jp", "a.mx.example.jp", "backup.example.net"]
    _, enforce = check_sts_policy(GOOD, hosts)
    uncovered = [problem for problem in enforce if problem.code is C.MX_NOT_COVERED]
    assert len(uncovered) == 1 and uncovered[0].severity is Severity.ERROR
    assert uncovered[0].suggestion == (
        "version: STSv1\r\nmode: enforce\r\nmx: mail.example.jp\r\nmx: *.mx.example.jp\r\n"
        "mx: backup.example.net\r\nmax_age: 604800\r\n"
    )
    _, testing = check_sts_policy(GOOD.replace("enforce", "testing"), hosts)
    assert [p.severity for p in testing if p.code is C.MX_NOT_COVERED] == [Severity.WARNING]
    _, none = check_sts_policy("version: STSv1\nmode: none\nmax_age: 86400\n", hosts)
    assert [p.code for p in none] == [C.MODE_NONE]


def test_suggested_policy_for_a_new_domain() -> None:
    suggestion = suggest_sts_policy(["mx1.example.jp.", "mx2.example.jp"])
    assert suggestion == (
        "version: STSv1\r\nmode: testing\r\nmx: mx1.example.jp\r\nmx: mx2.example.jp\r\nmax_age: 604800\r\n"
    )
    assert parse_sts_policy(suggestion).mode is StsMode.TESTING


# ---------------------------------------------------------------------------------------- TLS-RPT


@pytest.mark.parametrize(
    ("text", "rua"),
    [
        ("v=TLSRPTv1; rua=mailto:tlsrpt@example.com", ("mailto:tlsrpt@example.com",)),
        ("v=TLSRPTv1; rua=https://tlsrpt.example.com/report", ("https://tlsrpt.example.com/report",)),
        (
            "v=TLSRPTv1;rua=mailto:a@example.jp, https://r.example.jp:8443/v1;",
            ("mailto:a@example.jp", "https://r.example.jp:8443/v1"),
        ),
    ],
)
def test_tlsrpt_records(text: str, rua: tuple[str, ...]) -> None:
    assert parse_tlsrpt_record(text).rua == rua


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("v=TLSRPTv1", C.TLSRPT_MISSING_RUA),
        ("v=TLSRPTv1; xyz=foo", C.TLSRPT_MISSING_RUA),
        ("v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com", C.TLSRPT_DUPLICATE_FIELD),
        ("v=TLSRPTv1; rua=not_a_valid_uri", C.TLSRPT_INVALID_URI),
        ("v=TLSRPTv1; rua=http://r.example.jp/", C.TLSRPT_INVALID_URI),
        ("v=TLSRPTv1; rua=mailto:nobody", C.TLSRPT_INVALID_URI),
        ("v=spf1 -all", C.TLSRPT_SPF_RECORD),
        ("v=TLSRPTv2; rua=mailto:a@example.jp", C.TLSRPT_VERSION),
    ],
)
def test_bad_tlsrpt_records(text: str, code: StsProblemCode) -> None:
    with pytest.raises(TlsRptError) as caught:
        parse_tlsrpt_record(text)
    assert caught.value.code is code


# ------------------------------------------------------------------------------------ fetching


def fake_get(
    result: HttpResult | HttpFetchError, calls: list[dict[str, Any]]
) -> Callable[..., Awaitable[HttpResult]]:
    async def get(url: str, **kwargs: Any) -> HttpResult:
        calls.append({"url": url, **kwargs})
        if isinstance(result, HttpFetchError):
            raise result
        return result

    return get


def answer(status: int, content_type: str | None, body: bytes = GOOD.encode()) -> HttpResult:
    headers = (("content-type", content_type),) if content_type is not None else ()
    return HttpResult(status, headers, body, policy_url("example.jp"))


@pytest.mark.parametrize(
    ("result", "failure"),
    [
        (answer(200, "text/plain"), None),
        (answer(200, "Text/Plain; charset=utf-8"), None),
        (answer(200, "text/html"), FetchFailure.CONTENT_TYPE),  # upstream's bad-policy3
        (answer(200, None), FetchFailure.CONTENT_TYPE),
        (answer(404, "text/plain"), FetchFailure.HTTP_STATUS),
        (answer(200, "text/plain", b"\xff\xfe"), FetchFailure.PROTOCOL),
        (HttpFetchError(HttpFailure.TOO_MANY_REDIRECTS, "u", "https://elsewhere/"), FetchFailure.REDIRECT),
        (HttpFetchError(HttpFailure.CERTIFICATE, "u", "hostname mismatch"), FetchFailure.CERTIFICATE),
        (HttpFetchError(HttpFailure.TOO_LARGE, "u"), FetchFailure.TOO_LARGE),
        (HttpFetchError(HttpFailure.DNS, "u"), FetchFailure.HOST_NOT_FOUND),
        (HttpFetchError(HttpFailure.TIMEOUT, "u"), FetchFailure.TIMEOUT),
    ],
)
def test_fetch_rules(
    monkeypatch: pytest.MonkeyPatch, result: HttpResult | HttpFetchError, failure: FetchFailure | None
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(mtasts, "http_get", fake_get(result, calls))
    fetch = asyncio.run(fetch_sts_policy("Example.JP", dns=DnsClient([])))
    assert fetch.failure is failure and fetch.ok is (failure is None)
    assert calls[0]["url"] == "https://mta-sts.example.jp/.well-known/mta-sts.txt"
    assert calls[0]["max_redirects"] == 0 and calls[0]["max_body"] == MAX_POLICY_BYTES == 65536


class FakeDns:
    """Stands for DnsClient: lookup() answers from a table; nothing else is asked here."""

    def __init__(self, answers: Mapping[tuple[str, str], list[str] | DnsOutcome]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, str]] = []

    async def lookup(self, name: str, rdtype: str, lifetime: float) -> DnsLookup:
        self.asked.append((name, rdtype))
        found = self.answers.get((name, rdtype), DnsOutcome.NXDOMAIN)
        if isinstance(found, DnsOutcome):
            return DnsLookup(name, rdtype, found)
        return DnsLookup(name, rdtype, DnsOutcome.OK, tuple(found))


def as_client(fake: FakeDns) -> DnsClient:
    """The fake where a DnsClient is expected (only lookup() is used)."""
    return cast(DnsClient, fake)


def run_check(monkeypatch: pytest.MonkeyPatch, dns: FakeDns, body: str = GOOD) -> mtasts.MtaStsCheck:
    monkeypatch.setattr(mtasts, "http_get", fake_get(answer(200, "text/plain", body.encode()), []))
    return asyncio.run(check_mta_sts("example.jp", dns=as_client(dns)))


def test_check_with_mx_from_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    dns = FakeDns(
        {
            ("_mta-sts.example.jp", "TXT"): ['"v=spf1 -all"', '"v=STSv1; id=1"'],  # the SPF one is discarded
            ("example.jp", "MX"): ["10 mail.example.jp.", "20 backup.example.net."],
        }
    )
    check = run_check(monkeypatch, dns)
    assert check.outcome is StsOutcome.VALID and check.enforced and check.mode is StsMode.ENFORCE
    assert [(c.host, c.pattern) for c in check.coverage] == [
        ("mail.example.jp", "mail.example.jp"),
        ("backup.example.net", None),
    ]
    assert [problem.code for problem in check.problems] == [C.MX_NOT_COVERED]


def test_check_outcomes(monkeypatch: pytest.MonkeyPatch) -> None:
    several = FakeDns({("_mta-sts.example.jp", "TXT"): ['"v=STSv1; id=1"', '"v=STSv1; id=2"']})
    assert run_check(monkeypatch, several).outcome is StsOutcome.RECORD_INVALID
    failing = FakeDns({("_mta-sts.example.jp", "TXT"): DnsOutcome.SERVFAIL})
    check = run_check(monkeypatch, failing)
    assert check.outcome is StsOutcome.DNS_ERROR and check.problems[0].severity is Severity.WARNING
    none = FakeDns({})
    assert run_check(monkeypatch, none).outcome is StsOutcome.NO_RECORD
    record = FakeDns({("_mta-sts.example.jp", "TXT"): ['"v=STSv1; id=1"']})
    invalid = run_check(monkeypatch, record, "version: STSv1\nmode: enforce\n")
    assert invalid.outcome is StsOutcome.POLICY_INVALID and invalid.policy is None
    assert not invalid.enforced and invalid.mode is None


def test_tlsrpt_check() -> None:
    present = FakeDns({("_smtp._tls.example.jp", "TXT"): ['"v=TLSRPTv1; rua=mailto:tls@example.jp"']})
    found = asyncio.run(check_tlsrpt("example.jp", dns=as_client(present)))
    assert (
        found.record is not None and found.record.rua == ("mailto:tls@example.jp",) and found.problems == ()
    )
    missing = asyncio.run(check_tlsrpt("example.jp", dns=as_client(FakeDns({})), mta_sts_enabled=True))
    assert missing.problems[0].code is C.TLSRPT_NO_RECORD and missing.problems[0].severity is Severity.WARNING
    assert (
        missing.problems[0].suggestion
        == '_smtp._tls.example.jp TXT "v=TLSRPTv1; rua=mailto:tls-reports@example.jp"'
    )
    quiet = asyncio.run(check_tlsrpt("example.jp", dns=as_client(FakeDns({}))))
    assert quiet.problems[0].severity is Severity.INFO
    broken = FakeDns({("_smtp._tls.example.jp", "TXT"): ['"v=TLSRPTv1; rua=tls@example.jp"']})
    bad = asyncio.run(check_tlsrpt("example.jp", dns=as_client(broken)))
    assert bad.record is None and bad.problems[0].code is C.TLSRPT_INVALID_URI
