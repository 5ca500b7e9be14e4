"""The lab's DNS (Unbound) answers as a real resolver does: records, NXDOMAIN, SERVFAIL, silence."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.resolver
import pytest

from maildoctor_lab.common import LabUnavailableError, free_udp_and_tcp_port
from maildoctor_lab.dns import DnsServer, DnsZone, running_dns, start_dns, zone_from_records

pytestmark = pytest.mark.lab

EXAMPLE = zone_from_records(
    "example.test",
    [
        "@ MX 10 mail",
        "@ MX 20 backup-mx.other.test.",
        "mail A 127.0.0.1",
        "mail AAAA ::1",
        "_imaps._tcp SRV 0 1 993 mail",
        "_submissions._tcp SRV 0 1 465 mail",
        "_submission._tcp SRV 10 1 587 mail",
        "_pop3s._tcp SRV 0 0 0 .",
        '@ TXT "v=spf1 mx -all"',
        '_dmarc TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.test"',
        '_mta-sts TXT "v=STSv1; id=20240101T000000"',
        "autoconfig CNAME web",
        "web CNAME mail",
        "mta-sts A 127.0.0.1",
    ],
)
# A zone file as a person writes one: own SOA and NS, own $TTL, names both ways.
OTHER = DnsZone(
    "other.test",
    """$TTL 300
@               IN SOA  ns1.other.test. admin.other.test. ( 2024010101 7200 900 1209600 300 )
@               IN NS   ns1.other.test.
ns1             IN A    127.0.0.1
backup-mx       IN A    127.0.0.2
imap.other.test. IN CNAME mail.example.test.
""",
)
SERVFAIL_NAMES = ("broken.example.test", "dead.test")
TIMEOUT_NAMES = ("slow.example.test", "slow.test")


def _unavailable(reason: str) -> None:
    # as tests/conftest.py: in CI a missing lab server is a failure, not a skip
    if os.environ.get("MAILDOCTOR_LAB_REQUIRED") == "1":
        pytest.fail(f"lab required but unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def server(lab_root: Path) -> Iterator[DnsServer]:
    try:
        dns_server = start_dns(
            lab_root / "dns-tests", [EXAMPLE, OTHER], servfail=SERVFAIL_NAMES, timeout=TIMEOUT_NAMES
        )
    except LabUnavailableError as exc:
        _unavailable(f"Unbound is not installed: {exc}")
    yield dns_server
    dns_server.stop()


def _resolver(server: DnsServer, lifetime: float = 3.0) -> dns.resolver.Resolver:
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [server.host]
    resolver.port = server.port
    resolver.lifetime = lifetime
    resolver.timeout = lifetime
    return resolver


def _raw(server: DnsServer, name: str, rdtype: str, timeout: float = 3.0) -> dns.message.Message:
    return dns.query.udp(dns.message.make_query(name, rdtype), server.host, port=server.port, timeout=timeout)


def _texts(answer: dns.resolver.Answer) -> list[str]:
    return sorted(rdata.to_text() for rdata in answer)


def test_listens_on_loopback_and_names_itself_as_dns_option(server: DnsServer) -> None:
    assert server.host == "127.0.0.1"
    assert server.nameserver == f"127.0.0.1:{server.port}"
    assert server.startup_seconds < 5


def test_mx(server: DnsServer) -> None:
    answer = _resolver(server).resolve("example.test", "MX")
    assert _texts(answer) == ["10 mail.example.test.", "20 backup-mx.other.test."]
    assert answer.rrset is not None and answer.rrset.ttl == 60


def test_answers_are_a_resolvers(server: DnsServer) -> None:
    # what a mail program gets from its provider's resolver: recursion available, not authoritative
    response = _raw(server, "example.test", "MX")
    assert response.rcode() == dns.rcode.NOERROR
    assert response.flags & dns.flags.RA
    assert not response.flags & dns.flags.AA


def test_srv_names_of_rfc_6186_and_8314(server: DnsServer) -> None:
    resolver = _resolver(server)
    assert _texts(resolver.resolve("_imaps._tcp.example.test", "SRV")) == ["0 1 993 mail.example.test."]
    assert _texts(resolver.resolve("_submissions._tcp.example.test", "SRV")) == ["0 1 465 mail.example.test."]
    assert _texts(resolver.resolve("_submission._tcp.example.test", "SRV")) == ["10 1 587 mail.example.test."]
    # "service not available here" (RFC 2782 target ".")
    assert _texts(resolver.resolve("_pop3s._tcp.example.test", "SRV")) == ["0 0 0 ."]


def test_txt_spf_dmarc_and_mta_sts(server: DnsServer) -> None:
    resolver = _resolver(server)
    assert _texts(resolver.resolve("example.test", "TXT")) == ['"v=spf1 mx -all"']
    assert _texts(resolver.resolve("_dmarc.example.test", "TXT")) == [
        '"v=DMARC1; p=reject; rua=mailto:dmarc@example.test"'
    ]
    assert _texts(resolver.resolve("_mta-sts.example.test", "TXT")) == ['"v=STSv1; id=20240101T000000"']


def test_cname_chain_is_followed_to_the_address(server: DnsServer) -> None:
    answer = _resolver(server).resolve("autoconfig.example.test", "A")
    assert answer.canonical_name.to_text() == "mail.example.test."
    assert _texts(answer) == ["127.0.0.1"]
    chain = [rrset.to_text() for rrset in answer.response.answer]
    assert chain == [
        "autoconfig.example.test. 60 IN CNAME web.example.test.",
        "web.example.test. 60 IN CNAME mail.example.test.",
        "mail.example.test. 60 IN A 127.0.0.1",
    ]


def test_cname_into_another_lab_zone(server: DnsServer) -> None:
    answer = _resolver(server).resolve("imap.other.test", "AAAA")
    assert answer.canonical_name.to_text() == "mail.example.test."
    assert _texts(answer) == ["::1"]


def test_a_and_aaaa(server: DnsServer) -> None:
    resolver = _resolver(server)
    assert _texts(resolver.resolve("mail.example.test", "A")) == ["127.0.0.1"]
    assert _texts(resolver.resolve("mail.example.test", "AAAA")) == ["::1"]
    assert _texts(resolver.resolve("backup-mx.other.test", "A")) == ["127.0.0.2"]


def test_zone_file_text_is_served_with_its_own_soa_and_ttl(server: DnsServer) -> None:
    answer = _resolver(server).resolve("other.test", "SOA")
    assert _texts(answer) == ["ns1.other.test. admin.other.test. 2024010101 7200 900 1209600 300"]
    assert answer.rrset is not None and answer.rrset.ttl == 300


def test_missing_name_is_nxdomain(server: DnsServer) -> None:
    with pytest.raises(dns.resolver.NXDOMAIN):
        _resolver(server).resolve("nosuchhost.example.test", "A")
    response = _raw(server, "_imap._tcp.example.test", "SRV")
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert [rrset.rdtype for rrset in response.authority] == [dns.rdatatype.SOA]


def test_missing_type_is_nodata(server: DnsServer) -> None:
    with pytest.raises(dns.resolver.NoAnswer):
        _resolver(server).resolve("mail.example.test", "MX")
    response = _raw(server, "mail.example.test", "TXT")
    assert response.rcode() == dns.rcode.NOERROR
    assert response.answer == []
    assert (
        response.authority[0]
        .to_text()
        .startswith("example.test. 60 IN SOA localhost. hostmaster.example.test.")
    )


def test_zone_from_records_adds_soa_and_ns_only_when_missing() -> None:
    zone = zone_from_records("Example.Test", ["@ MX 10 mail", "mail A 127.0.0.1"], ttl=120)
    assert zone.name == "example.test."
    assert zone.text.splitlines()[:4] == [
        "$ORIGIN example.test.",
        "$TTL 120",
        "@ IN SOA localhost. hostmaster.example.test. 1 3600 600 86400 120",
        "@ IN NS localhost.",
    ]
    own = zone_from_records("x.test", ["@ SOA ns.x.test. h.x.test. 5 1 1 1 1", "@ NS ns", "ns A 127.0.0.1"])
    assert "localhost." not in own.text
    with pytest.raises(ValueError, match=r"bad records for zone example\.test\."):
        zone_from_records("example.test", ["mail A not-an-address"])


@pytest.mark.parametrize(
    "name", ["broken.example.test", "deeper.broken.example.test", "dead.test", "mx.dead.test"]
)
def test_servfail_names_answer_servfail_at_once(server: DnsServer, name: str) -> None:
    started = time.monotonic()
    response = _raw(server, name, "MX")
    assert response.rcode() == dns.rcode.SERVFAIL
    assert time.monotonic() - started < 0.5
    with pytest.raises(dns.resolver.NoNameservers, match="SERVFAIL"):
        _resolver(server).resolve(name, "MX")


def test_servfail_over_tcp_too(server: DnsServer) -> None:
    query = dns.message.make_query("broken.example.test", "A")
    response = dns.query.tcp(query, server.host, port=server.port, timeout=3)
    assert response.rcode() == dns.rcode.SERVFAIL


def _times_out(server: DnsServer, name: str) -> list[float]:
    """Query `name` twice in a row; each must run into the client's lifetime."""
    waited = []
    resolver = _resolver(server, lifetime=1.5)
    # the second query must time out too, not get a SERVFAIL Unbound cached after giving up
    for _ in range(2):
        started = time.monotonic()
        with pytest.raises(dns.resolver.LifetimeTimeout):
            resolver.resolve(name, "A")
        waited.append(time.monotonic() - started)
    return waited


def _raw_times_out(server: DnsServer, name: str) -> list[float]:
    started = time.monotonic()
    with pytest.raises(dns.exception.Timeout):
        _raw(server, name, "MX", timeout=1.0)
    return [time.monotonic() - started]


def test_timeout_names_are_never_answered(server: DnsServer) -> None:
    checks = [(_times_out, name) for name in (*TIMEOUT_NAMES, "imap.slow.example.test")]
    checks.append((_raw_times_out, "slow.test"))
    with ThreadPoolExecutor(len(checks)) as pool:
        futures = [pool.submit(check, server, name) for check, name in checks]
        results = [future.result() for future in futures]
    for waited in results[:-1]:
        assert all(1.4 < seconds < 3 for seconds in waited), waited
    assert 0.9 < results[-1][0] < 2, results[-1]


def test_names_outside_the_lab_are_refused_not_resolved(server: DnsServer) -> None:
    started = time.monotonic()
    response = _raw(server, "example.com", "A")
    assert response.rcode() == dns.rcode.REFUSED
    assert time.monotonic() - started < 0.5


def test_diagnostics_show_the_replies(server: DnsServer) -> None:
    _raw(server, "mail.example.test", "A")
    assert "mail.example.test. A IN NOERROR" in server.diagnostics()


def test_replace_zones_takes_effect_in_the_same_process(lab_root: Path) -> None:
    with running_dns(lab_root / "dns-replace", [EXAMPLE]) as server:
        resolver = _resolver(server)
        pid, port = server.process.process.pid, server.port
        assert _texts(resolver.resolve("example.test", "MX"))[0] == "10 mail.example.test."

        moved = zone_from_records("example.test", ["@ MX 5 mx.provider.test.", '@ TXT "v=spf1 a -all"'])
        server.replace_zones([moved, OTHER], servfail=["mail.example.test"], timeout=["imap.other.test"])
        assert server.last_reload_seconds is not None and server.last_reload_seconds < 5
        assert (server.process.process.pid, server.port) == (pid, port)
        assert _texts(resolver.resolve("example.test", "MX")) == ["5 mx.provider.test."]
        assert _raw(server, "mail.example.test", "A").rcode() == dns.rcode.SERVFAIL
        assert _texts(resolver.resolve("ns1.other.test", "A")) == ["127.0.0.1"]
        with pytest.raises(dns.resolver.LifetimeTimeout):
            _resolver(server, lifetime=1.5).resolve("imap.other.test", "A")

        # a zone Unbound cannot load is refused before the running server is touched
        broken = DnsZone("example.test", "$TTL 60\n@ SOA a. b. 1 1 1 1 1\n@ MX ten mail\n")
        with pytest.raises(ValueError, match=r"example\.test"):
            server.replace_zones([broken])
        assert _texts(resolver.resolve("example.test", "MX")) == ["5 mx.provider.test."]

        server.replace_zones([EXAMPLE])
        assert _texts(resolver.resolve("mail.example.test", "A")) == ["127.0.0.1"]
        with pytest.raises(dns.resolver.NXDOMAIN):
            resolver.resolve("imap.other.test", "A")
    assert server.process.process.poll() is not None
    assert (
        subprocess.run(["pgrep", "-f", str(server.config)], capture_output=True, check=False).returncode == 1
    )


@pytest.mark.parametrize("host", ["127.0.0.2", "::1"])
def test_chosen_address_and_port(lab_root: Path, host: str) -> None:
    port = free_udp_and_tcp_port("127.0.0.2") if host == "127.0.0.2" else None
    with running_dns(lab_root / "dns-address", [EXAMPLE], host=host, port=port) as server:
        if port is not None:
            assert (server.port, server.nameserver) == (port, f"127.0.0.2:{port}")
        else:
            assert server.nameserver == f"[::1]:{server.port}"
        assert _texts(_resolver(server).resolve("mail.example.test", "AAAA")) == ["::1"]
        response = dns.query.tcp(
            dns.message.make_query("example.test", "MX"), host, port=server.port, timeout=3
        )
        assert response.rcode() == dns.rcode.NOERROR


def test_rejects_a_name_given_twice(lab_root: Path) -> None:
    with pytest.raises(ValueError, match="given twice"):
        start_dns(lab_root / "dns-bad", [EXAMPLE], servfail=["example.test"])


def test_missing_unbound_is_lab_unavailable(lab_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(lab_root / "empty-path"))
    with pytest.raises(LabUnavailableError, match="unbound"):
        start_dns(lab_root / "dns-missing", [EXAMPLE])
