"""Autoconfig, SRV and MX discovery against the lab's real Unbound and nginx (loopback only)."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import pytest

from conftest import lab_https, ports, summary
from maildoctor.discover.autoconfig import AttemptOutcome, AutoconfigMethod, fetch_autoconfig
from maildoctor.discover.candidates import DiscoveredSettings, PasswordKind, Source
from maildoctor.discover.mx import lookup_mx
from maildoctor.discover.srv import lookup_srv
from maildoctor.facts import DnsLookup, DnsOutcome, HostResolution
from maildoctor.net.http import HttpFailure, HttpFetchError, HttpResult, dns_resolver, http_get
from maildoctor.net.resolver import DnsClient
from maildoctor_lab.certs import LabPKI
from maildoctor_lab.common import free_ports
from maildoctor_lab.dns import zone_from_records
from maildoctor_lab.https import HttpsServer

CONFIG = """<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="{domain}">
    <domain>{domain}</domain>
    <displayName>{name}</displayName>
    <incomingServer type="imap">
      <hostname>imap.%EMAILDOMAIN%</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>{user}</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>pop.{domain}</hostname>
      <port>995</port>
      <socketType>SSL</socketType>
      <username>{user}</username>
      <authentication>OAuth2</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.{domain}</hostname>
      <port>587</port>
      <socketType>STARTTLS</socketType>
      <username>{user}</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
"""
EXAMPLE_XML = CONFIG.format(domain="example.test", name="Example", user="%EMAILADDRESS%")
SECOND_XML = CONFIG.format(domain="second.test", name="Second", user="%EMAILLOCALPART%")
HUGE = b"<clientConfig>" + b" " * (2 * 1024 * 1024) + b"</clientConfig>"

ZONES = [
    zone_from_records(
        "example.test",
        [
            "@ MX 20 mx2",
            "@ MX 10 mx1",
            "mx1 A 127.0.0.1",
            "mx2 A 127.0.0.1",
            "autoconfig A 127.0.0.1",
            "_submissions._tcp SRV 0 1 465 smtp",
            "_submission._tcp SRV 0 1 587 smtp",
            "_imaps._tcp SRV 0 1 993 imap",
            "_imaps._tcp SRV 10 1 993 imap-backup",
            "_imap._tcp SRV 0 1 143 imap",
            "_pop3s._tcp SRV 0 0 0 .",
            "_pop3._tcp SRV 0 0 0 .",
        ],
    ),
    # no autoconfig site (nginx's default server: 404), the config at /.well-known
    zone_from_records("second.test", ["@ A 127.0.0.1", "autoconfig A 127.0.0.1", "@ MX 0 ."]),
    # autoconfig.moved.test redirects to autoconfig.example.test: another domain
    zone_from_records("moved.test", ["autoconfig A 127.0.0.1"]),
    # nothing listens on 127.0.0.2 (nginx is on 127.0.0.1 only): connection refused
    zone_from_records("refused.test", ["autoconfig A 127.0.0.2", "@ A 127.0.0.2"]),
    zone_from_records("huge.test", ["autoconfig A 127.0.0.1"]),
]
SITES: dict[str, dict[str, str | bytes]] = {
    "autoconfig.example.test": {"/mail/config-v1.1.xml": EXAMPLE_XML},
    # on the certificate, but no autoconfig file: 404
    "autoconfig.second.test": {"/index.html": "hello"},
    "second.test": {"/.well-known/autoconfig/mail/config-v1.1.xml": SECOND_XML},
    "autoconfig.huge.test": {"/mail/config-v1.1.xml": HUGE},
}
REDIRECTS = {"autoconfig.moved.test": "autoconfig.example.test"}


@pytest.fixture(scope="module")
def web(lab_root: Path, pki: LabPKI) -> Iterator[HttpsServer]:
    yield from lab_https(lab_root / "discover-https", pki, SITES, redirects=REDIRECTS)


# --------------------------------------------------------------------------- autoconfig


@pytest.mark.lab
def test_autoconfig_subdomain(client: DnsClient, web: HttpsServer, lab_ca_context: ssl.SSLContext) -> None:
    result = asyncio.run(
        fetch_autoconfig(
            "taro@example.test",
            resolver=dns_resolver(client),
            ssl_context=lab_ca_context,
            port_override=ports(web),
        )
    )
    assert result.found is not None and result.found.method is AutoconfigMethod.SUBDOMAIN
    assert result.found.url.startswith("https://autoconfig.example.test/mail/config-v1.1.xml?emailaddress=")
    assert not result.found.plain_http and not result.needs_confirmation and not result.insecure
    assert summary(result.candidates) == [
        ("imap", "imap.example.test", 993, "ssl", "taro@example.test"),
        ("pop3", "pop.example.test", 995, "ssl", "taro@example.test"),
        ("smtp", "smtp.example.test", 587, "starttls", "taro@example.test"),
    ]
    assert all(c.source is Source.AUTOCONFIG for c in result.candidates)
    assert result.candidates[1].password_kind is PasswordKind.OAUTH2
    assert result.candidates[0].authentication == ("password-cleartext",)
    assert result.settings is not None and result.settings.provider is not None
    assert result.settings.provider.name == "Example"
    # the well-known URL was tried too: example.test has no address
    well_known = result.attempts[-1]
    assert well_known.method is AutoconfigMethod.WELL_KNOWN
    assert well_known.outcome is AttemptOutcome.FAILED and well_known.failure is HttpFailure.DNS


@pytest.mark.lab
def test_autoconfig_well_known_after_404(
    client: DnsClient, web: HttpsServer, lab_ca_context: ssl.SSLContext
) -> None:
    result = asyncio.run(
        fetch_autoconfig(
            "hanako@second.test",
            resolver=dns_resolver(client),
            ssl_context=lab_ca_context,
            port_override=ports(web),
        )
    )
    first, second = result.attempts
    assert first.outcome is AttemptOutcome.HTTP_STATUS and first.status == 404
    assert second.outcome is AttemptOutcome.FOUND and second.status == 200
    assert result.found == second
    assert summary(result.candidates)[0] == ("imap", "imap.second.test", 993, "ssl", "hanako")


@pytest.mark.lab
def test_autoconfig_redirect_to_another_domain_is_flagged(
    client: DnsClient, web: HttpsServer, lab_ca_context: ssl.SSLContext
) -> None:
    result = asyncio.run(
        fetch_autoconfig(
            "jiro@moved.test",
            resolver=dns_resolver(client),
            ssl_context=lab_ca_context,
            port_override=ports(web),
        )
    )
    assert result.found is not None and result.needs_confirmation
    (redirect,) = result.found.redirects
    assert redirect.status == 301 and redirect.cross_domain and not redirect.downgrade
    assert redirect.from_url.startswith("https://autoconfig.moved.test/")
    assert result.found.final_url is not None
    assert result.found.final_url.startswith(f"https://autoconfig.example.test:{web.https_port}/mail/")
    # the config is the other domain's, filled in for this address
    assert summary(result.candidates)[0] == ("imap", "imap.moved.test", 993, "ssl", "jiro@moved.test")


@pytest.mark.lab
def test_autoconfig_refused_is_reported_with_http_fallback(
    client: DnsClient, web: HttpsServer, lab_ca_context: ssl.SSLContext
) -> None:
    result = asyncio.run(
        fetch_autoconfig(
            "saburo@refused.test",
            resolver=dns_resolver(client),
            ssl_context=lab_ca_context,
            port_override=ports(web),
            timeout=5,
        )
    )
    assert result.found is None and result.candidates == ()
    assert [(a.method, a.plain_http, a.failure) for a in result.attempts] == [
        (AutoconfigMethod.SUBDOMAIN, False, HttpFailure.REFUSED),
        (AutoconfigMethod.SUBDOMAIN, True, HttpFailure.REFUSED),
        (AutoconfigMethod.WELL_KNOWN, False, HttpFailure.REFUSED),
    ]
    assert result.attempts[1].url.startswith("http://autoconfig.refused.test/")


@pytest.mark.lab
def test_autoconfig_http_fallback_is_marked(
    client: DnsClient, web: HttpsServer, lab_ca_context: ssl.SSLContext
) -> None:
    (closed,) = free_ports(1, "127.0.0.1")
    result = asyncio.run(
        fetch_autoconfig(
            "taro@example.test",
            resolver=dns_resolver(client),
            ssl_context=lab_ca_context,
            port_override={"https": closed, "http": web.port("http")},
        )
    )
    assert result.attempts[0].failure is HttpFailure.REFUSED
    assert result.found is not None and result.found.plain_http and result.insecure
    assert result.candidates[0].host == "imap.example.test"


@pytest.mark.lab
def test_autoconfig_certificate_not_trusted(client: DnsClient, web: HttpsServer) -> None:
    system_store = ssl.create_default_context()  # does not know the lab CA
    result = asyncio.run(
        fetch_autoconfig(
            "taro@example.test",
            resolver=dns_resolver(client),
            ssl_context=system_store,
            port_override=ports(web),
        )
    )
    first, fallback, _ = result.attempts
    assert first.failure is HttpFailure.CERTIFICATE and first.error
    assert fallback.plain_http and fallback.outcome is AttemptOutcome.FOUND
    assert result.insecure


@pytest.mark.lab
def test_huge_body_is_refused(client: DnsClient, web: HttpsServer, lab_ca_context: ssl.SSLContext) -> None:
    result = asyncio.run(
        fetch_autoconfig(
            "big@huge.test",
            resolver=dns_resolver(client),
            ssl_context=lab_ca_context,
            port_override=ports(web),
        )
    )
    assert result.attempts[0].failure is HttpFailure.TOO_LARGE
    assert result.found is None


# --------------------------------------------------------------------------- SRV and MX


@pytest.mark.lab
def test_srv_candidates_in_order(client: DnsClient) -> None:
    found = asyncio.run(lookup_srv("taro@example.test", client))
    assert len(found.lookups) == 6
    assert summary(found.incoming) == [
        ("imap", "imap.example.test", 993, "ssl", "taro@example.test"),
        ("imap", "imap.example.test", 143, "starttls", "taro@example.test"),
        ("imap", "imap-backup.example.test", 993, "ssl", "taro@example.test"),
    ]
    assert summary(found.outgoing) == [
        ("smtp", "smtp.example.test", 465, "ssl", "taro@example.test"),
        ("smtp", "smtp.example.test", 587, "starttls", "taro@example.test"),
    ]
    assert found.not_offered == ("_pop3s._tcp", "_pop3._tcp")
    assert all(c.source is Source.SRV for c in found.candidates)


@pytest.mark.lab
def test_srv_none(client: DnsClient) -> None:
    found = asyncio.run(lookup_srv("x@second.test", client))
    assert found.candidates == () and found.not_offered == ()
    assert {lookup.outcome for lookup in found.lookups} == {DnsOutcome.NXDOMAIN}


@pytest.mark.lab
def test_mx_order_and_null_mx(client: DnsClient) -> None:
    example = asyncio.run(lookup_mx("example.test", client))
    assert example.hosts == ("mx1.example.test", "mx2.example.test")
    assert not example.null_mx and example.source is Source.MX
    null = asyncio.run(lookup_mx("second.test", client))
    assert null.null_mx and null.hosts == ()
    none = asyncio.run(lookup_mx("refused.test", client))
    assert none.lookup.outcome is DnsOutcome.NODATA and none.hosts == () and not none.null_mx


# --------------------------------------------------------------------------- HTTP framing (no lab)


def loopback_resolver() -> Callable[[str], Awaitable[HostResolution]]:
    async def resolve(host: str) -> HostResolution:
        return HostResolution(
            host,
            DnsLookup(host, "A", DnsOutcome.OK, ("127.0.0.1",)),
            DnsLookup(host, "AAAA", DnsOutcome.NODATA),
        )

    return resolve


@asynccontextmanager
async def raw_server(reply: bytes) -> AsyncIterator[int]:
    """A one-reply HTTP server on 127.0.0.1: reads the request head, sends `reply`, closes."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(reply)
        with suppress(ConnectionError):
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[1]


async def get_raw(reply: bytes, max_body: int = 1024 * 1024) -> HttpResult:
    async with raw_server(reply) as port:
        return await http_get(
            "http://site.test/x",
            resolver=loopback_resolver(),
            port_override={"http": port},
            max_body=max_body,
        )


def test_chunked_body() -> None:
    reply = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n"
        b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\n"
    )
    result = asyncio.run(get_raw(reply))
    assert result.status == 200 and result.body == b"hello, world" and result.header("x-a") == "1"


def test_body_until_close_is_bounded() -> None:
    result = asyncio.run(get_raw(b"HTTP/1.0 200 OK\r\n\r\n" + b"a" * 5000, max_body=10000))
    assert result.body == b"a" * 5000
    with pytest.raises(HttpFetchError) as caught:
        asyncio.run(get_raw(b"HTTP/1.0 200 OK\r\n\r\n" + b"a" * 5000, max_body=1000))
    assert caught.value.failure is HttpFailure.TOO_LARGE
    with pytest.raises(HttpFetchError) as caught:
        asyncio.run(
            get_raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" + b"a" * 2048, 1000)
        )
    assert caught.value.failure is HttpFailure.TOO_LARGE


def test_not_http_and_redirect_loop() -> None:
    with pytest.raises(HttpFetchError) as caught:
        asyncio.run(get_raw(b"* OK IMAP4rev1 ready\r\n"))
    assert caught.value.failure is HttpFailure.PROTOCOL
    loop = b"HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n"

    async def looping() -> HttpResult:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(loop)
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        async with server:
            port = server.sockets[0].getsockname()[1]
            return await http_get(
                "http://site.test/x", resolver=loopback_resolver(), port_override={"http": port}
            )

    with pytest.raises(HttpFetchError) as caught:
        asyncio.run(looping())
    assert caught.value.failure is HttpFailure.TOO_MANY_REDIRECTS
    assert len(caught.value.redirects) == 4
    assert not any(r.cross_domain for r in caught.value.redirects)


def test_deadline() -> None:
    async def silent() -> None:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await asyncio.sleep(5)
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        async with server:
            port = server.sockets[0].getsockname()[1]
            await http_get(
                "http://site.test/x", resolver=loopback_resolver(), port_override={"http": port}, timeout=0.3
            )

    with pytest.raises(HttpFetchError) as caught:
        asyncio.run(silent())
    assert caught.value.failure is HttpFailure.TIMEOUT


@pytest.mark.lab
def test_injected_parser_invalid_config_is_reported(
    client: DnsClient, web: HttpsServer, lab_ca_context: ssl.SSLContext
) -> None:
    def refuse(data: bytes) -> DiscoveredSettings:
        raise ValueError("not a clientConfig we accept")

    result = asyncio.run(
        fetch_autoconfig(
            "taro@example.test",
            resolver=dns_resolver(client),
            ssl_context=lab_ca_context,
            port_override=ports(web),
            parse=refuse,
        )
    )
    assert result.found is None
    assert result.attempts[0].outcome is AttemptOutcome.INVALID and result.attempts[0].status == 200
    assert "not a clientConfig" in result.attempts[0].error
