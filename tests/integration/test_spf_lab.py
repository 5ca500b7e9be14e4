"""SPF on the lab's real DNS: check_host() and the policy view through DnsClient and Unbound.

The unit tests run the evaluator on a stub; here the answers come from a real resolver, so the
adapter's reading of presentation-form TXT (several strings, ``\\DDD`` escapes), MX and PTR
answers, and real SERVFAIL, silence and NXDOMAIN are what the evaluator sees.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from maildoctor.domain.dnssource import DnsClientSource
from maildoctor.domain.spf import (
    ChainStep,
    DnsFailure,
    PolicyIssue,
    SpfCheck,
    SpfErrorKind,
    SpfResult,
    analyze_spf_policy,
    check_host,
)
from maildoctor.net.resolver import DnsClient, Nameserver
from maildoctor_lab.common import LabUnavailableError
from maildoctor_lab.dns import DnsServer, start_dns, zone_from_records

pytestmark = pytest.mark.lab

ZONE = zone_from_records(
    "spf.test",
    [
        '@ TXT "v=spf1 mx include:_spf.spf.test " "-all"',
        "@ MX 10 mx",
        "mx A 192.0.2.25",
        "mx AAAA 2001:db8::25",
        '_spf TXT "v=spf1 ip4:198.51.100.0/24 include:_deep.spf.test ~all"',
        '_deep TXT "v=spf1 exists:%{i}._ip.spf.test ?all"',
        "203.0.113.9._ip A 127.0.0.2",
        '_dmarc TXT "v=DMARC1; p=none"',
        'broken TXT "v=spf1 include:down.spf.test -all"',
        'silent TXT "v=spf1 include:slow.spf.test -all"',
        'missing TXT "v=spf1 include:nowhere.spf.test -all"',
        'accent TXT "v=spf1 a:\\195\\169t\\195\\169.spf.test -all"',
        'two TXT "v=spf1 -all"',
        'two TXT "v=spf1 mx -all"',
        "ptr PTR mx.spf.test.",
    ],
)


def _unavailable(reason: str) -> None:
    if os.environ.get("MAILDOCTOR_LAB_REQUIRED") == "1":
        pytest.fail(f"lab required but unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def server(lab_root: Path) -> Iterator[DnsServer]:
    try:
        dns_server = start_dns(
            lab_root / "spf-dns", [ZONE], servfail=["down.spf.test"], timeout=["slow.spf.test"]
        )
    except LabUnavailableError as exc:
        _unavailable(f"Unbound is not installed: {exc}")
    yield dns_server
    dns_server.stop()


def _source(server: DnsServer, lifetime: float = 3.0) -> DnsClientSource:
    return DnsClientSource(DnsClient([Nameserver(server.host, server.port)], attempt_timeout=1.0), lifetime)


def _check(server: DnsServer, ip: str, domain: str, lifetime: float = 3.0) -> SpfCheck:
    return asyncio.run(
        check_host(_source(server, lifetime), ip, domain, f"user@{domain}", helo="mail.spf.test")
    )


def test_mx_and_nested_includes(server: DnsServer) -> None:
    by_mx = _check(server, "2001:db8::25", "spf.test")
    assert by_mx.result is SpfResult.PASS
    assert by_mx.record == "v=spf1 mx include:_spf.spf.test -all"  # two strings, joined
    deep = _check(server, "203.0.113.9", "spf.test")
    assert deep.result is SpfResult.PASS
    assert deep.matched_source is not None and deep.matched_source.domain == "_deep.spf.test"
    assert deep.lookups == 4
    assert deep.min_rounds == 4  # TXT spf.test, _spf, _deep, then the exists A
    other = _check(server, "192.0.2.99", "spf.test")
    assert (other.result, other.void_lookups) == (SpfResult.FAIL, 1)  # the exists name does not exist


def test_servfail_and_silence_are_temperror(server: DnsServer) -> None:
    broken = _check(server, "192.0.2.1", "broken.spf.test")
    assert broken.result is SpfResult.TEMPERROR
    assert broken.error is not None and broken.error.dns_failure is DnsFailure.SERVFAIL
    silent = _check(server, "192.0.2.1", "silent.spf.test", lifetime=1.0)
    assert silent.result is SpfResult.TEMPERROR
    assert silent.error is not None and silent.error.dns_failure is DnsFailure.TIMEOUT
    assert silent.error.via == (ChainStep("silent.spf.test", "include:slow.spf.test"),)


def test_permerrors_from_real_answers(server: DnsServer) -> None:
    missing = _check(server, "192.0.2.1", "missing.spf.test")
    assert missing.error is not None and missing.error.kind is SpfErrorKind.INCLUDE_WITHOUT_RECORD
    accent = _check(server, "192.0.2.1", "accent.spf.test")
    assert accent.result is SpfResult.PERMERROR
    assert accent.error is not None and accent.error.kind is SpfErrorKind.SYNTAX
    two = _check(server, "192.0.2.1", "two.spf.test")
    assert two.error is not None and two.error.kind is SpfErrorKind.MULTIPLE_RECORDS
    assert _check(server, "192.0.2.1", "nothing.spf.test").result is SpfResult.NONE


def test_policy_view(server: DnsServer) -> None:
    view = asyncio.run(analyze_spf_policy(_source(server), "spf.test"))
    assert view.record == "v=spf1 mx include:_spf.spf.test -all"
    assert view.lookups == 4
    assert [n.network for n in view.authorised] == ["192.0.2.25/32", "2001:db8::25/128", "198.51.100.0/24"]
    assert [t.term for t in view.unlisted] == ["exists:%{i}._ip.spf.test"]
    assert view.problems == ()
    broken = asyncio.run(analyze_spf_policy(_source(server), "missing.spf.test"))
    assert [p.issue for p in broken.problems] == [PolicyIssue.INCLUDE_WITHOUT_RECORD]
