"""RDAP against a stand-in served by the lab's nginx over HTTPS, names through the lab's Unbound.

The bootstrap file (IANA's dns.json in form) and the registry's RDAP answers are static
files; the registry answers 404 for a domain it does not have and 429 when it limits.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conftest import lab_https
from maildoctor.causes import CauseCode
from maildoctor.domain.registration import (
    RdapOutcome,
    RegistrationProblem,
    check_registration,
    fetch_bootstrap,
    judge_registration,
    lookup_registration,
)
from maildoctor.net.http import dns_resolver
from maildoctor.net.resolver import DnsClient
from maildoctor_lab.certs import LabPKI
from maildoctor_lab.dns import zone_from_records
from maildoctor_lab.https import HttpsServer

pytestmark = pytest.mark.lab

NOW = datetime.now(UTC)
EXPIRES = (NOW + timedelta(days=12, hours=1)).replace(microsecond=0)
BOOTSTRAP_URL = "https://data.iana.test/rdap/dns.json"
BOOTSTRAP = {
    "version": "1.0",
    "publication": "2026-01-01T00:00:00Z",
    "services": [
        [["test"], ["https://rdap.registry.test/rdap/"]],
        [["invalid"], ["https://nothing.registry.test/"]],
    ],
}


def rdap_domain(name: str, expires: datetime, statuses: list[str]) -> str:
    return json.dumps(
        {
            "objectClassName": "domain",
            "ldhName": name,
            "status": statuses,
            "events": [
                {"eventAction": "registration", "eventDate": "2020-01-01T00:00:00Z"},
                {"eventAction": "expiration", "eventDate": expires.isoformat().replace("+00:00", "Z")},
            ],
            "entities": [
                {
                    "roles": ["registrar"],
                    "handle": "9999",
                    "publicIds": [{"type": "IANA Registrar ID", "identifier": "9999"}],
                    "vcardArray": [
                        "vcard",
                        [["version", {}, "text", "4.0"], ["fn", {}, "text", "Lab Registrar"]],
                    ],
                }
            ],
            "nameservers": [{"ldhName": "ada.ns.cloudflare.com"}, {"ldhName": "bob.ns.cloudflare.com"}],
        }
    )


SITES: dict[str, dict[str, str | bytes]] = {
    "data.iana.test": {"/rdap/dns.json": json.dumps(BOOTSTRAP)},
    "rdap.registry.test": {
        "/rdap/domain/expiring.test": rdap_domain("expiring.test", EXPIRES, ["active"]),
        "/rdap/domain/held.test": rdap_domain("held.test", NOW + timedelta(days=300), ["client hold"]),
        "/rdap/domain/broken.test": "<html>not RDAP</html>",
        "429 /rdap/domain/limited.test": "",
    },
}
ZONES = [
    zone_from_records("iana.test", ["data A 127.0.0.1"]),
    # nothing listens on 127.0.0.2: the registry cannot be reached there
    zone_from_records("registry.test", ["rdap A 127.0.0.1", "nothing A 127.0.0.2"]),
    zone_from_records(
        "expiring.test",
        ["@ NS ada.ns.cloudflare.com.", "@ NS bob.ns.cloudflare.com.", "@ MX 10 mx", "mx A 127.0.0.1"],
    ),
]


@pytest.fixture(scope="module")
def web(lab_root: Path, pki: LabPKI) -> Iterator[HttpsServer]:
    yield from lab_https(lab_root / "registration-https", pki, SITES, plain_http=False)


def test_expiring_domain_with_registrar(
    client: DnsClient, web: HttpsServer, lab_ca_context: ssl.SSLContext
) -> None:
    facts = asyncio.run(
        lookup_registration(
            "expiring.test",
            resolver=dns_resolver(client),
            ssl_context=lab_ca_context,
            bootstrap_url=BOOTSTRAP_URL,
            port_override={"https": web.https_port},
        )
    )
    assert facts.outcome is RdapOutcome.FOUND, facts.detail
    assert facts.url == "https://rdap.registry.test/rdap/domain/expiring.test"
    assert facts.record is not None
    assert facts.record.expires == EXPIRES
    assert (facts.record.registrar, facts.record.registrar_iana_id) == ("Lab Registrar", "9999")
    (problem,) = judge_registration(facts, NOW)
    assert problem.code is RegistrationProblem.DOMAIN_EXPIRING and problem.cause is CauseCode.DOMAIN_EXPIRING
    assert problem.param("days") == "12"
    assert "GET /rdap/dns.json" in web.access_log.read_text()


def test_rdap_base_given_needs_no_bootstrap(
    client: DnsClient, web: HttpsServer, lab_ca_context: ssl.SSLContext
) -> None:
    facts = asyncio.run(
        lookup_registration(
            "held.test",
            resolver=dns_resolver(client),
            ssl_context=lab_ca_context,
            rdap_base="https://rdap.registry.test/rdap",
            bootstrap_url="https://data.iana.test/not-there.json",
            port_override={"https": web.https_port},
        )
    )
    assert facts.outcome is RdapOutcome.FOUND
    (problem,) = judge_registration(facts, NOW)
    assert (
        problem.code is RegistrationProblem.DOMAIN_ON_HOLD and problem.cause is CauseCode.DOMAIN_NOT_RESOLVING
    )
    assert "not-there.json" not in web.access_log.read_text()


def test_bootstrap_fetched_once_and_reused(
    client: DnsClient, web: HttpsServer, lab_ca_context: ssl.SSLContext
) -> None:
    resolver = dns_resolver(client)
    ports = {"https": web.https_port}
    bootstrap = asyncio.run(
        fetch_bootstrap(BOOTSTRAP_URL, resolver=resolver, ssl_context=lab_ca_context, port_override=ports)
    )
    assert bootstrap.base_urls("x.test") == ("https://rdap.registry.test/rdap/",)

    async def both() -> list[RdapOutcome]:
        results = await asyncio.gather(
            *(
                lookup_registration(
                    name,
                    resolver=resolver,
                    ssl_context=lab_ca_context,
                    bootstrap=bootstrap,
                    port_override=ports,
                )
                for name in ("expiring.test", "gone.test", "limited.test", "broken.test", "example.jp")
            )
        )
        return [result.outcome for result in results]

    assert asyncio.run(both()) == [
        RdapOutcome.FOUND,
        RdapOutcome.NOT_FOUND,  # nginx: 404
        RdapOutcome.RATE_LIMITED,  # 429
        RdapOutcome.BAD_RESPONSE,
        RdapOutcome.NO_SERVICE,  # .jp is not in the bootstrap
    ]


def test_jp_has_no_rdap_service_and_names_jprs_whois(
    client: DnsClient, web: HttpsServer, lab_ca_context: ssl.SSLContext
) -> None:
    facts = asyncio.run(
        lookup_registration(
            "example.jp",
            resolver=dns_resolver(client),
            ssl_context=lab_ca_context,
            bootstrap_url=BOOTSTRAP_URL,
            port_override={"https": web.https_port},
        )
    )
    assert facts.outcome is RdapOutcome.NO_SERVICE and facts.whois is not None
    assert facts.whois.service == "JPRS WHOIS"
    (problem,) = judge_registration(facts, NOW)
    assert problem.code is RegistrationProblem.RDAP_NO_SERVICE and problem.cause is None


def test_unreachable_registry_and_missing_bootstrap(
    client: DnsClient, web: HttpsServer, lab_ca_context: ssl.SSLContext
) -> None:
    resolver = dns_resolver(client)
    ports = {"https": web.https_port}
    unreachable = asyncio.run(
        lookup_registration(
            "example.invalid",
            resolver=resolver,
            ssl_context=lab_ca_context,
            bootstrap_url=BOOTSTRAP_URL,
            port_override=ports,
        )
    )
    assert unreachable.outcome is RdapOutcome.FETCH_FAILED
    assert unreachable.detail.startswith("refused")
    no_bootstrap = asyncio.run(
        lookup_registration(
            "expiring.test",
            resolver=resolver,
            ssl_context=lab_ca_context,
            bootstrap_url="https://data.iana.test/not-there.json",
            port_override=ports,
        )
    )
    assert no_bootstrap.outcome is RdapOutcome.BOOTSTRAP_FAILED and no_bootstrap.detail == "HTTP 404"
    untrusted = asyncio.run(
        lookup_registration(
            "expiring.test", resolver=resolver, bootstrap_url=BOOTSTRAP_URL, port_override=ports
        )  # the system's trust store does not know the lab CA
    )
    assert untrusted.outcome is RdapOutcome.BOOTSTRAP_FAILED and untrusted.detail.startswith("certificate")
    for facts in (unreachable, no_bootstrap, untrusted):
        (problem,) = judge_registration(facts, NOW)
        assert problem.code is RegistrationProblem.RDAP_UNAVAILABLE


def test_check_registration_names_registrar_and_dns_provider(
    client: DnsClient, web: HttpsServer, lab_ca_context: ssl.SSLContext
) -> None:
    check = asyncio.run(
        check_registration(
            "mail.expiring.test",
            client,
            ssl_context=lab_ca_context,
            bootstrap_url=BOOTSTRAP_URL,
            port_override={"https": web.https_port},
        )
    )
    assert check.registered == "expiring.test"
    assert check.nameservers.zone == "expiring.test"
    assert check.nameservers.hosts == ("ada.ns.cloudflare.com", "bob.ns.cloudflare.com")
    assert check.hosting.provider is not None and check.hosting.provider.name == "Cloudflare"
    assert check.rdap.record is not None and check.rdap.record.registrar == "Lab Registrar"
    problems = judge_registration(check.rdap, NOW, resolves=check.nameservers.zone is not None)
    assert [p.code for p in problems] == [RegistrationProblem.DOMAIN_EXPIRING]
