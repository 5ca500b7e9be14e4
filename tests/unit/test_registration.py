"""Registration: RDAP bootstrap and answers, the expiry decision, the registrar, the DNS provider from NS."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pytest

from maildoctor.causes import CauseCode
from maildoctor.domain.dnsproviders import DNS_PROVIDERS, identify_dns_hosting, provider_of
from maildoctor.domain.registration import (
    ExpiryState,
    RdapDomain,
    RdapOutcome,
    RegistrationFacts,
    RegistrationProblem,
    days_left,
    expiry_state,
    judge_registration,
    lookup_nameservers,
    parse_bootstrap,
    parse_rdap_date,
    parse_rdap_domain,
    rdap_domain_url,
    registered_domain,
    whois_hint,
)
from maildoctor.domainname import normalize_domain
from maildoctor.facts import DnsLookup, DnsOutcome
from maildoctor.model import Severity

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)

BOOTSTRAP = {
    "version": "1.0",
    "publication": "2026-04-01T00:00:00Z",
    "services": [
        [["com", "net"], ["https://rdap.verisign.example/com/v1/", "http://plain.example/"]],
        [["co.uk"], ["https://rdap.nominet.example"]],
        [["org"], ["http://only-plain.example/"]],
        "garbage",
        [["broken"]],
    ],
}

RDAP = {
    "objectClassName": "domain",
    "ldhName": "EXAMPLE.COM",
    "status": ["client transfer prohibited", "Active"],
    "events": [
        {"eventAction": "registration", "eventDate": "1995-08-14T04:00:00Z"},
        {"eventAction": "expiration", "eventDate": "2026-05-20T04:00:00Z"},
        {"eventAction": "last changed", "eventDate": "2025-08-14T07:01:44Z"},
        {"eventAction": "last update of RDAP database", "eventDate": "not a date"},
    ],
    "entities": [
        {"objectClassName": "entity", "roles": ["registrant"], "handle": "R-1"},
        {
            "objectClassName": "entity",
            "handle": "376",
            "roles": ["registrar"],
            "publicIds": [{"type": "IANA Registrar ID", "identifier": "376"}],
            "vcardArray": [
                "vcard",
                [["version", {}, "text", "4.0"], ["fn", {}, "text", "Example Registrar, Inc."]],
            ],
        },
    ],
    "nameservers": [
        {"objectClassName": "nameserver", "ldhName": "A.IANA-SERVERS.NET"},
        {"objectClassName": "nameserver", "ldhName": "b.iana-servers.net."},
    ],
}


# --------------------------------------------------------------------------- bootstrap


def test_bootstrap_longest_suffix_and_https_only() -> None:
    bootstrap = parse_bootstrap(json.dumps(BOOTSTRAP).encode())
    assert bootstrap.publication == "2026-04-01T00:00:00Z"
    assert bootstrap.base_urls("Mail.Example.COM.") == ("https://rdap.verisign.example/com/v1/",)
    assert bootstrap.base_urls("example.co.uk") == ("https://rdap.nominet.example/",)  # "/" added
    assert bootstrap.base_urls("example.org") == ()  # plain http only: not used
    assert bootstrap.base_urls("example.jp") == ()


@pytest.mark.parametrize("data", [b"not json", b"[]", b'{"services": 3}', b"\xff"])
def test_bad_bootstrap(data: bytes) -> None:
    with pytest.raises(ValueError, match="bootstrap"):
        parse_bootstrap(data)


def test_rdap_url() -> None:
    assert (
        rdap_domain_url("https://rdap.example/v1", "Example.COM.")
        == "https://rdap.example/v1/domain/example.com"
    )
    assert rdap_domain_url("https://rdap.example/", "例え.jp") == "https://rdap.example/domain/xn--r8jz45g.jp"


def test_names() -> None:
    assert normalize_domain(" Example.JP. ") == "example.jp"
    assert normalize_domain("例え.jp") == "xn--r8jz45g.jp"
    assert registered_domain("mail.example.co.jp") == "example.co.jp"
    assert registered_domain("a.b.example.com") == "example.com"
    assert registered_domain("co.jp") is None


# --------------------------------------------------------------------------- the RDAP answer


def test_parse_rdap_domain() -> None:
    record = parse_rdap_domain(json.dumps(RDAP))
    assert record.name == "example.com"
    assert record.expires == datetime(2026, 5, 20, 4, 0, tzinfo=UTC)
    assert record.registered == datetime(1995, 8, 14, 4, 0, tzinfo=UTC)
    assert record.last_changed == datetime(2025, 8, 14, 7, 1, 44, tzinfo=UTC)
    assert record.registrar == "Example Registrar, Inc." and record.registrar_iana_id == "376"
    assert record.statuses == ("client transfer prohibited", "active")
    assert record.nameservers == ("a.iana-servers.net", "b.iana-servers.net")


def test_registrar_nested_or_by_handle() -> None:
    nested = {
        "ldhName": "example.test",
        "entities": [{"roles": ["registrant"], "entities": [{"roles": ["Registrar"], "handle": "REG-7"}]}],
    }
    record = parse_rdap_domain(json.dumps(nested))
    assert record.registrar == "REG-7" and record.registrar_iana_id is None
    assert record.expires is None and record.statuses == ()


@pytest.mark.parametrize(
    "data",
    [
        b"<html>",
        b"[1]",
        json.dumps({"objectClassName": "entity", "ldhName": "x"}).encode(),
        b'{"status": []}',
    ],
)
def test_not_an_rdap_domain(data: bytes) -> None:
    with pytest.raises(ValueError, match="RDAP"):
        parse_rdap_domain(data)


def test_rdap_dates() -> None:
    assert parse_rdap_date("2026-05-20T04:00:00Z") == datetime(2026, 5, 20, 4, tzinfo=UTC)
    assert parse_rdap_date("2026-05-20T13:00:00+09:00") == datetime(2026, 5, 20, 4, tzinfo=UTC)
    assert parse_rdap_date("2026-05-20T04:00:00.123Z") is not None
    assert parse_rdap_date("2026-05-20") == datetime(2026, 5, 20, tzinfo=UTC)  # no zone: UTC
    assert parse_rdap_date("soon") is None


# --------------------------------------------------------------------------- the decision


@pytest.mark.parametrize(
    ("expires", "state"),
    [
        (None, ExpiryState.UNKNOWN),
        (NOW + timedelta(days=31), ExpiryState.OK),
        (NOW + timedelta(days=30), ExpiryState.EXPIRING),
        (NOW + timedelta(hours=1), ExpiryState.EXPIRING),
        (NOW, ExpiryState.EXPIRED),
        (NOW - timedelta(days=3), ExpiryState.EXPIRED),
    ],
)
def test_expiry_state(expires: datetime | None, state: ExpiryState) -> None:
    assert expiry_state(expires, NOW) is state


def test_expiry_window_and_naive_now() -> None:
    in_40_days = NOW + timedelta(days=40)
    assert expiry_state(in_40_days, NOW, timedelta(days=60)) is ExpiryState.EXPIRING
    assert expiry_state(in_40_days, NOW.replace(tzinfo=None)) is ExpiryState.OK
    assert days_left(NOW + timedelta(days=19, hours=16), NOW) == 19
    assert days_left(NOW - timedelta(hours=1), NOW) == -1


def found(record: RdapDomain) -> RegistrationFacts:
    return RegistrationFacts(
        "example.com", RdapOutcome.FOUND, "https://rdap.example/domain/example.com", 200, record
    )


def test_expiring_within_30_days() -> None:
    record = parse_rdap_domain(json.dumps(RDAP))  # expires 2026-05-20
    (problem,) = judge_registration(found(record), NOW)
    assert problem.code is RegistrationProblem.DOMAIN_EXPIRING
    assert problem.cause is CauseCode.DOMAIN_EXPIRING and problem.severity is Severity.WARNING
    assert problem.param("expires") == "2026-05-20" and problem.param("days") == "18"
    assert problem.param("registrar") == "Example Registrar, Inc."
    assert "expiration: 2026-05-20T04:00:00+00:00" in problem.evidence


def test_far_expiry_is_no_problem() -> None:
    assert judge_registration(found(RdapDomain("example.com", expires=NOW + timedelta(days=200))), NOW) == ()


def test_expired_but_still_there() -> None:
    (problem,) = judge_registration(found(RdapDomain("example.com", expires=NOW - timedelta(days=2))), NOW)
    assert problem.code is RegistrationProblem.DOMAIN_EXPIRED and problem.severity is Severity.ERROR
    assert problem.param("days") == "-2"


@pytest.mark.parametrize(
    ("status", "code"),
    [
        ("client hold", RegistrationProblem.DOMAIN_ON_HOLD),
        ("server hold", RegistrationProblem.DOMAIN_ON_HOLD),
        ("redemption period", RegistrationProblem.DOMAIN_PENDING_DELETE),
        ("pending delete", RegistrationProblem.DOMAIN_PENDING_DELETE),
    ],
)
def test_statuses_that_take_the_domain_out_of_dns(status: str, code: RegistrationProblem) -> None:
    record = RdapDomain("example.com", expires=NOW - timedelta(days=40), statuses=(status,))
    problems = judge_registration(found(record), NOW)
    assert [p.code for p in problems] == [code, RegistrationProblem.DOMAIN_EXPIRED]
    assert problems[0].cause is CauseCode.DOMAIN_NOT_RESOLVING
    assert problems[0].param("statuses") == status


def test_no_rdap_for_jp_says_where_to_look() -> None:
    facts = RegistrationFacts("example.jp", RdapOutcome.NO_SERVICE, whois=whois_hint("example.jp"))
    (problem,) = judge_registration(facts, NOW)
    assert problem.code is RegistrationProblem.RDAP_NO_SERVICE
    assert problem.severity is Severity.INFO and problem.cause is None
    assert problem.param("service") == "JPRS WHOIS" and problem.param("url") == "https://whois.jprs.jp/"
    other = whois_hint("example.xyz")
    assert other.url == "https://www.iana.org/domains/root/db/xyz.html"


def test_not_found_means_not_registered_only_when_dns_agrees() -> None:
    facts = RegistrationFacts("gone.com", RdapOutcome.NOT_FOUND, "https://rdap.example/domain/gone.com", 404)
    (unregistered,) = judge_registration(facts, NOW, resolves=False)
    assert unregistered.code is RegistrationProblem.DOMAIN_NOT_REGISTERED
    assert unregistered.cause is CauseCode.DOMAIN_NOT_RESOLVING and unregistered.severity is Severity.ERROR
    (odd,) = judge_registration(facts, NOW, resolves=True)
    assert odd.severity is Severity.INFO and odd.cause is None


@pytest.mark.parametrize(
    "outcome",
    [
        RdapOutcome.FETCH_FAILED,
        RdapOutcome.BOOTSTRAP_FAILED,
        RdapOutcome.RATE_LIMITED,
        RdapOutcome.BAD_RESPONSE,
    ],
)
def test_unavailable_rdap_is_unknown_not_fine(outcome: RdapOutcome) -> None:
    (problem,) = judge_registration(RegistrationFacts("example.com", outcome, detail="timeout"), NOW)
    assert problem.code is RegistrationProblem.RDAP_UNAVAILABLE and problem.param("outcome") == outcome.value


# --------------------------------------------------------------------------- name servers and DNS providers


class FakeDns:
    def __init__(self, table: Mapping[tuple[str, str], tuple[DnsOutcome, tuple[str, ...]]]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def lookup(self, name: str, rdtype: str, lifetime: float) -> DnsLookup:
        self.asked.append(name)
        outcome, answers = self.table.get((name, rdtype), (DnsOutcome.NXDOMAIN, ()))
        return DnsLookup(name, rdtype, outcome, answers)


def test_nameservers_walk_up_to_the_zone() -> None:
    fake = FakeDns(
        {
            ("mail.example.co.jp", "NS"): (DnsOutcome.NODATA, ()),
            ("example.co.jp", "NS"): (DnsOutcome.OK, ("02.dnsv.jp.", "01.DNSV.JP.")),
        }
    )
    facts = asyncio.run(lookup_nameservers("x.mail.example.co.jp", fake))  # type: ignore[arg-type]
    assert fake.asked == ["x.mail.example.co.jp", "mail.example.co.jp", "example.co.jp"]
    assert facts.zone == "example.co.jp" and facts.hosts == ("01.dnsv.jp", "02.dnsv.jp")


@pytest.mark.parametrize("outcome", [DnsOutcome.SERVFAIL, DnsOutcome.TIMEOUT])
def test_nameserver_walk_stops_at_a_broken_zone(outcome: DnsOutcome) -> None:
    fake = FakeDns({("mail.example.jp", "NS"): (outcome, ())})
    facts = asyncio.run(lookup_nameservers("mail.example.jp", fake))  # type: ignore[arg-type]
    assert fake.asked == ["mail.example.jp"] and facts.zone is None and facts.hosts == ()


def test_nameserver_walk_stops_at_the_registered_domain() -> None:
    fake = FakeDns({})
    facts = asyncio.run(lookup_nameservers("mail.example.jp", fake))  # type: ignore[arg-type]
    assert fake.asked == ["mail.example.jp", "example.jp"] and facts.zone is None


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("ns-1234.awsdns-12.co.uk.", "route53"),
        ("ns-5.awsdns-00.com", "route53"),
        ("ada.ns.cloudflare.com", "cloudflare"),
        ("ns-cloud-a1.googledomains.com", "google-cloud-dns"),
        ("ns1-01.azure-dns.com", "azure-dns"),
        ("ns4-01.azure-dns.info", "azure-dns"),
        ("01.dnsv.jp", "onamae"),
        ("dns1.onamae.com", "onamae"),
        ("ns1.xserver.jp", "xserver"),
        ("ns1.dns.ne.jp", "sakura"),
        ("ns-a1.conoha.io", "conoha"),
        ("ns1.value-domain.com", "value-domain"),
        ("dns01.muumuu-domain.com", "muumuu"),
        ("uns01.lolipop.jp", "lolipop"),
        ("ns01.domaincontrol.com", "godaddy"),
        ("dns1.registrar-servers.com", "namecheap"),
    ],
)
def test_dns_providers(host: str, key: str) -> None:
    provider = provider_of(host)
    assert provider is not None and provider.key == key


@pytest.mark.parametrize("host", ["ns1.example.jp", "cloudflare.com.evil.test", "ns.cloudflare.com.example"])
def test_unknown_name_servers(host: str) -> None:
    assert provider_of(host) is None


def test_provider_table_is_well_formed() -> None:
    assert len({p.key for p in DNS_PROVIDERS}) == len(DNS_PROVIDERS)
    assert all(p.name and p.name_ja for p in DNS_PROVIDERS)
    assert next(p for p in DNS_PROVIDERS if p.key == "onamae").name_ja == "お名前.com"


def test_dns_hosting() -> None:
    one = identify_dns_hosting(["A.NS.CLOUDFLARE.COM.", "b.ns.cloudflare.com"], "example.jp")
    assert one.provider is not None and one.provider.name == "Cloudflare"
    assert one.providers[0].hosts == ("a.ns.cloudflare.com", "b.ns.cloudflare.com")
    mixed = identify_dns_hosting(["01.dnsv.jp", "ns1.example.jp", "ns.other.test"], "example.jp")
    assert mixed.provider is None
    assert [m.provider.key for m in mixed.providers] == ["onamae"]
    assert mixed.own == ("ns1.example.jp",) and mixed.unknown == ("ns.other.test",)
    assert identify_dns_hosting([]).nameservers == ()
