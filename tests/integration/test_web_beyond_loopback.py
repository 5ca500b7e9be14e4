"""`maildoctor web` served beyond loopback, against the lab's real resolver (Unbound on loopback):
every page behind the login, and SSRF through the forms refused — typed internal addresses and
names that resolve to internal addresses through the resolver the check uses — unless served on
loopback or allowed with --allow-internal-targets."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("argon2")

from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from maildoctor.ledger.location import sqlite_url
from maildoctor.ledger.store import open_book
from maildoctor.net.resolver import DnsClient, Nameserver
from maildoctor.web.app import create_app
from maildoctor.web.config import WebConfig
from maildoctor.web.resolved_targets import refusal_for
from maildoctor.web.targets import TargetRefusal
from maildoctor.web.users import Role, add_user
from maildoctor_lab.dns import DnsServer, DnsZone, zone_from_records

pytestmark = pytest.mark.lab

ZONES: list[DnsZone] = [
    zone_from_records("example.test", ["@ MX 10 mail", "mail A 127.0.0.1"]),
    # names that only resolve (never reached by these tests): public, and one MX pointing inside
    zone_from_records("public.test", ["@ MX 10 mx", "mx A 93.184.216.34", "imap A 93.184.216.34"]),
    zone_from_records("sneaky.test", ["@ MX 10 mx", "mx A 93.184.216.34", "_imaps._tcp SRV 0 1 993 meta"]),
    zone_from_records("meta.sneaky.test", ["@ A 169.254.169.254"]),
]
PASSWORD = "lab admin password"
REFUSED = "may not be checked from here"


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Engine]:
    engine = open_book(sqlite_url(tmp_path / "book.sqlite3"), create=True)
    add_user(engine, "admin", PASSWORD, Role.ADMIN)
    yield engine
    engine.dispose()


def web(dns_server: DnsServer, book: Engine, tmp_path: Path, **changes: object) -> TestClient:
    config = WebConfig(
        nameservers=(Nameserver.parse(dns_server.nameserver),),
        timeout=5.0,
        cache_dir=tmp_path / "cache",
        allowed_hosts=("testserver",),
        **changes,  # type: ignore[arg-type]
    )
    return TestClient(create_app(config, book))


def token(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None
    return found.group(1)


def signed_in(client: TestClient) -> TestClient:
    client.post("/login", data={"csrf_token": token(client, "/login"), "name": "admin", "password": PASSWORD})
    return client


def check(client: TestClient, address: str, incoming: str = "", outgoing: str = "") -> tuple[int, str]:
    form = {"csrf_token": token(client, "/"), "address": address, "incoming": incoming, "outgoing": outgoing}
    answer = client.post("/check", data={**form, "live": "1"}, headers={"accept-language": "en"})
    return answer.status_code, answer.text


BEYOND = {"host": "192.0.2.10", "beyond_loopback": True}
ATTEMPTS = [
    ("someone@public.test", "imaps://127.0.0.1:993", ""),
    ("someone@public.test", "imaps://10.1.2.3:993", ""),
    ("someone@public.test", "", "smtp+starttls://[::ffff:169.254.169.254]:587"),
    ("someone@public.test", "imaps://169.254.169.254:993", ""),
    ("someone@public.test", "imaps://mail.example.test:993", ""),  # a name resolving to 127.0.0.1
    ("alice@example.test", "", ""),  # the domain's MX resolves to 127.0.0.1
    ("someone@sneaky.test", "", ""),  # an SRV target resolves to the metadata address
]


@pytest.mark.parametrize(("address", "incoming", "outgoing"), ATTEMPTS)
def test_ssrf_through_the_check_form_is_refused_beyond_loopback(
    dns_server: DnsServer, book: Engine, tmp_path: Path, address: str, incoming: str, outgoing: str
) -> None:
    with web(dns_server, book, tmp_path, **BEYOND) as client:
        status, text = check(signed_in(client), address, incoming, outgoing)
    assert status in (400, 403)
    assert REFUSED in text
    assert "/check/" not in text  # no check was started


@pytest.mark.parametrize(
    ("path", "field", "typed"),
    [("/settings", "address", "a@example.test"), ("/domain", "domain", "example.test")],
)
def test_the_settings_and_domain_pages_refuse_internal_names_too(
    dns_server: DnsServer, book: Engine, tmp_path: Path, path: str, field: str, typed: str
) -> None:
    with web(dns_server, book, tmp_path, **BEYOND) as client:
        signed_in(client)
        answer = client.post(
            path, data={"csrf_token": token(client, path), field: typed}, headers={"accept-language": "en"}
        )
    assert answer.status_code == 403 and REFUSED in answer.text


def test_a_name_resolving_inside_is_checked_when_served_on_loopback(
    dns_server: DnsServer, book: Engine, tmp_path: Path
) -> None:
    with web(dns_server, book, tmp_path) as client:
        status, text = check(client, "alice@example.test", "imaps://mail.example.test:9")
    assert status == 200 and REFUSED not in text and "/check/" in text


def test_allow_internal_targets_lets_them_through_beyond_loopback(
    dns_server: DnsServer, book: Engine, tmp_path: Path
) -> None:
    with web(dns_server, book, tmp_path, **BEYOND, allow_internal_targets=True) as client:
        status, text = check(signed_in(client), "alice@example.test", "imaps://mail.example.test:9")
    assert status == 200 and REFUSED not in text


def test_the_guard_resolves_through_the_check_resolver(dns_server: DnsServer) -> None:
    resolver = DnsClient([Nameserver.parse(dns_server.nameserver)])

    def refusal(hosts: list[str], domain: str | None) -> TargetRefusal | None:
        return asyncio.run(refusal_for(hosts, domain, resolver, lifetime=3.0))

    assert refusal([], "public.test") is None  # only public answers
    assert refusal(["imap.public.test"], None) is None
    assert refusal(["mail.example.test"], None) is TargetRefusal.INTERNAL
    assert refusal([], "example.test") is TargetRefusal.INTERNAL
    assert refusal([], "sneaky.test") is TargetRefusal.INTERNAL
    assert refusal(["nothing.public.test"], None) is None  # no answer, nothing to reach
