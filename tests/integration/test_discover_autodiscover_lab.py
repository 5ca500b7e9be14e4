"""Microsoft Autodiscover against the lab's real Unbound and nginx (loopback only), and its limits
against small scripted servers on loopback."""

from __future__ import annotations

import asyncio
import re
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import pytest

from conftest import lab_https, ports, summary
from maildoctor.discover.autodiscover import (
    ENVELOPE_SCHEMA,
    MAX_HOPS,
    RESPONSE_SCHEMA,
    AttemptOutcome,
    AutodiscoverMethod,
    AutodiscoverResult,
    autodiscover_request,
    fetch_autodiscover,
)
from maildoctor.discover.candidates import Source
from maildoctor.facts import DnsLookup, DnsOutcome, HostResolution
from maildoctor.net.http import HttpFailure, dns_resolver
from maildoctor.net.resolver import DnsClient, Nameserver
from maildoctor_lab.certs import LabPKI, StandardCerts
from maildoctor_lab.common import free_ports
from maildoctor_lab.dns import zone_from_records
from maildoctor_lab.https import HttpsServer
from maildoctor_lab.scenario import load_scenario, world_of

WORLDS = Path(__file__).parents[1] / "settings_worlds"
POST_PATH = "POST /autodiscover/autodiscover.xml"


def outlook_answer(account: str) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="{ENVELOPE_SCHEMA}">
  <Response xmlns="{RESPONSE_SCHEMA}">
    <User><DisplayName>Lab User</DisplayName></User>
    <Account>
      <AccountType>email</AccountType>
      {account}
    </Account>
  </Response>
</Autodiscover>
"""


def settings_answer(domain: str, login: str | None = None) -> str:
    name = f"<LoginName>{login}</LoginName>" if login else ""
    return outlook_answer(
        f"""<Action>settings</Action>
      <Protocol><Type>IMAP</Type><Server>imap.{domain}</Server><Port>993</Port>{name}<SSL>on</SSL></Protocol>
      <Protocol><Type>POP3</Type><Server>pop.{domain}</Server><Port>995</Port>{name}<SSL>on</SSL></Protocol>
      <Protocol><Type>SMTP</Type><Server>smtp.{domain}</Server><Port>587</Port>
        <Encryption>TLS</Encryption><UsePOPAuth>on</UsePOPAuth></Protocol>"""
    )


ERROR_ANSWER = f"""<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="{ENVELOPE_SCHEMA}">
  <Response>
    <Error Time="10:00:00.0000000" Id="1234567890">
      <ErrorCode>500</ErrorCode>
      <Message>The e-mail address cannot be found.</Message>
      <DebugData />
    </Error>
  </Response>
</Autodiscover>
"""
EXCHANGE_ONLY = outlook_answer(
    "<Action>settings</Action>"
    "<Protocol><Type>EXCH</Type><Server>exch01.exonly.test</Server></Protocol>"
    "<Protocol><Type>EXPR</Type><Server>mail.exonly.test</Server><SSL>On</SSL></Protocol>"
    "<Protocol><Type>WEB</Type></Protocol>"
)
HOSTER_URL = "https://autodiscover.hoster.test/autodiscover/autodiscover.xml"

ZONES = [
    # autodiscover.contoso.test answers; contoso.test itself has no address
    zone_from_records("contoso.test", ["autodiscover A 127.0.0.1"]),
    # no autodiscover name: the bare domain answers
    zone_from_records("fabrikam.test", ["@ A 127.0.0.1"]),
    # autodiscover.moved.test redirects (301, every path) to a hosting provider's
    zone_from_records("moved.test", ["autodiscover A 127.0.0.1"]),
    zone_from_records("hoster.test", ["autodiscover A 127.0.0.1"]),
    # answers redirectAddr (to contoso.test), redirectUrl (to the hoster), redirectAddr to itself
    zone_from_records("hybrid.test", ["autodiscover A 127.0.0.1"]),
    zone_from_records("pointer.test", ["autodiscover A 127.0.0.1"]),
    zone_from_records("loop.test", ["autodiscover A 127.0.0.1"]),
    # a real Exchange's answer to a request without credentials
    zone_from_records("locked.test", ["autodiscover A 127.0.0.1"]),
    # https://autodiscover.legacy.test has a certificate for another name; its http:// side
    # redirects the unauthenticated GET to mail.legacy.test
    zone_from_records("legacy.test", ["autodiscover A 127.0.0.1", "mail A 127.0.0.1"]),
    # only the SRV record, pointing at the hoster
    zone_from_records("srv.test", ["_autodiscover._tcp SRV 0 0 443 autodiscover.hoster.test."]),
    zone_from_records("empty.test", []),
    zone_from_records("exonly.test", ["autodiscover A 127.0.0.1"]),
    zone_from_records("error.test", ["autodiscover A 127.0.0.1"]),
    # redirects the POST down to plain http
    zone_from_records("down.test", ["autodiscover A 127.0.0.1"]),
]
SITES: dict[str, dict[str, str | bytes]] = {
    "autodiscover.contoso.test": {POST_PATH: settings_answer("contoso.test", "taro.yamada")},
    "fabrikam.test": {POST_PATH: settings_answer("fabrikam.test")},
    "autodiscover.hoster.test": {POST_PATH: settings_answer("hoster.test")},
    "autodiscover.hybrid.test": {
        POST_PATH: outlook_answer(
            "<Action>redirectAddr</Action><RedirectAddr>saburo@contoso.test</RedirectAddr>"
        )
    },
    "autodiscover.pointer.test": {
        POST_PATH: outlook_answer(f"<Action>redirectUrl</Action><RedirectUrl>{HOSTER_URL}</RedirectUrl>")
    },
    "autodiscover.loop.test": {
        POST_PATH: outlook_answer("<Action>redirectAddr</Action><RedirectAddr>loop@loop.test</RedirectAddr>")
    },
    "autodiscover.locked.test": {"401 /autodiscover/autodiscover.xml": ""},
    "autodiscover.legacy.test": {
        "302 /autodiscover/autodiscover.xml": "https://mail.legacy.test/autodiscover/autodiscover.xml"
    },
    "mail.legacy.test": {POST_PATH: settings_answer("legacy.test")},
    "autodiscover.exonly.test": {POST_PATH: EXCHANGE_ONLY},
    "autodiscover.error.test": {POST_PATH: ERROR_ANSWER},
    "autodiscover.down.test": {
        "301 /autodiscover/autodiscover.xml": "http://autodiscover.hoster.test/autodiscover/autodiscover.xml"
    },
}
REDIRECTS = {"autodiscover.moved.test": "autodiscover.hoster.test"}


@pytest.fixture(scope="module")
def web(lab_root: Path, pki: LabPKI, certs: StandardCerts) -> Iterator[HttpsServer]:
    # autodiscover.legacy.test shows a certificate for another name
    wrong_name = {"autodiscover.legacy.test": certs.wrong_name}
    yield from lab_https(
        lab_root / "autodiscover-https", pki, SITES, redirects=REDIRECTS, certificates=wrong_name
    )


def ask(
    address: str, client: DnsClient, web: HttpsServer, context: ssl.SSLContext, timeout: float = 10.0
) -> AutodiscoverResult:
    return asyncio.run(
        fetch_autodiscover(
            address,
            resolver=dns_resolver(client),
            ssl_context=context,
            dns=client,
            port_override=ports(web),
            timeout=timeout,
        )
    )


def outcomes(result: AutodiscoverResult) -> list[tuple[str, int, str]]:
    return [(a.method.value, a.hop, a.outcome.value) for a in result.attempts]


# --------------------------------------------------------------------------- the lab


def logged(web: HttpsServer, pattern: str, wait: float = 3.0) -> bool:
    """nginx writes its access log after the answer has gone out: give it a moment."""
    deadline = time.monotonic() + wait
    while True:
        if re.search(pattern, web.access_log.read_text()):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)


@pytest.mark.lab
def test_autodiscover_subdomain_answers_the_post(
    client: DnsClient, web: HttpsServer, lab_ca_context: ssl.SSLContext
) -> None:
    result = ask("taro@contoso.test", client, web, lab_ca_context)
    assert result.found is not None and result.found.method is AutodiscoverMethod.SUBDOMAIN
    assert result.found.url == "https://autodiscover.contoso.test/autodiscover/autodiscover.xml"
    assert result.found.status == 200 and result.found.redirects == ()
    assert summary(result.candidates) == [
        ("imap", "imap.contoso.test", 993, "ssl", "taro.yamada"),
        ("pop3", "pop.contoso.test", 995, "ssl", "taro.yamada"),
        ("smtp", "smtp.contoso.test", 587, "starttls", "taro.yamada"),  # UsePOPAuth
    ]
    assert all(c.source is Source.AUTODISCOVER and not c.needs_consent for c in result.candidates)
    assert not result.needs_consent and result.redirected_to is None and result.redirect_address is None
    assert not result.login_wanted
    first = result.attempts[0]
    assert first is result.found
    # nginx's log shows what was asked: a POST, as Outlook asks
    assert logged(web, r'"POST /autodiscover/autodiscover\.xml HTTP/1\.1" 200')


@pytest.mark.lab
def test_the_domain_itself_after_no_autodiscover_name(
    client: DnsClient, web: HttpsServer, lab_ca_context: ssl.SSLContext
) -> None:
    result = ask("hanako@fabrikam.test", client, web, lab_ca_context)
    subdomain, domain = result.attempts[:2]
    assert subdomain.method is AutodiscoverMethod.SUBDOMAIN
    assert subdomain.outcome is AttemptOutcome.FAILED and subdomain.failure is HttpFailure.DNS
    assert domain.method is AutodiscoverMethod.DOMAIN and domain.outcome is AttemptOutcome.FOUND
    assert result.found == domain and not result.needs_consent and result.redirected_to is None
    # no LoginName: the person's address is the login
    assert summary(result.candidates)[0] == ("imap", "imap.fabrikam.test", 993, "ssl", "hanako@fabrikam.test")


@pytest.mark.lab
def test_a_redirect_to_another_domain_needs_consent(
    client: DnsClient, web: HttpsServer, lab_ca_context: ssl.SSLContext
) -> None:
    result = ask("jiro@moved.test", client, web, lab_ca_context)
    assert result.found is not None and result.found.method is AutodiscoverMethod.SUBDOMAIN
    (redirect,) = result.found.redirects
    assert redirect.status == 301 and redirect.cross_domain and not redirect.downgrade
    assert redirect.from_url == "https://autodiscover.moved.test/autodiscover/autodiscover.xml"
    assert (
        result.found.final_url
        == f"https://autodiscover.hoster.test:{web.https_port}/autodiscover/autodiscover.xml"
    )
    assert result.needs_consent and result.redirected_to == result.found.final_url
    assert result.candidates and all(c.needs_consent for c in result.candidates)
    assert summary(result.candidates)[0] == ("imap", "imap.hoster.test", 993, "ssl", "jiro@moved.test")
    # the POST was asked again at the target, not turned into a GET
    assert logged(web, r"host=autodiscover\.hoster\.test \"POST /autodiscover/autodiscover\.xml")


@pytest.mark.lab
def test_redirect_addr_asks_again_for_the_other_address(
    client: DnsClient, web: HttpsServer, lab_ca_context: ssl.SSLContext
) -> None:
    result = ask("saburo@hybrid.test", client, web, lab_ca_context)
    assert result.redirect_address == "saburo@contoso.test"
    assert result.found is not None and result.found.hop == 1
    assert result.found.address == "saburo@contoso.test"
    assert result.found.method is AutodiscoverMethod.SUBDOMAIN
    assert result.needs_consent and result.redirected_to == HOSTER_URL.replace("hoster", "contoso")
    pointer = result.attempts[0]
    assert pointer.outcome is AttemptOutcome.REDIRECT and "saburo@contoso.test" in pointer.error
    assert result.candidates[0].host == "imap.contoso.test"
    assert all(c.needs_consent for c in result.candidates)


@pytest.mark.lab
def test_redirect_url_and_a_loop(client: DnsClient, web: HttpsServer, lab_ca_context: ssl.SSLContext) -> None:
    result = ask("shiro@pointer.test", client, web, lab_ca_context)
    assert result.found is not None and result.found.method is AutodiscoverMethod.REDIRECT_URL
    assert result.found.url == HOSTER_URL and result.found.hop == 1
    assert result.needs_consent and result.redirected_to == HOSTER_URL
    assert result.candidates[0].host == "imap.hoster.test"

    looped = ask("loop@loop.test", client, web, lab_ca_context)
    assert looped.found is None and looped.candidates == ()
    first = looped.attempts[0]
    assert first.outcome is AttemptOutcome.REDIRECT and "loop" in first.error and first.hop == 0


@pytest.mark.lab
def test_401_is_recorded_as_login_wanted(
    client: DnsClient, web: HttpsServer, lab_ca_context: ssl.SSLContext
) -> None:
    result = ask("goro@locked.test", client, web, lab_ca_context)
    assert result.found is None and result.settings is None
    first = result.attempts[0]
    assert first.outcome is AttemptOutcome.LOGIN_WANTED and first.status == 401
    assert first.login_schemes == ("Basic",)
    assert result.login_wanted
    # the http:// side gave a 401 as well, not a redirect
    plain = next(a for a in result.attempts if a.method is AutodiscoverMethod.HTTP_REDIRECT)
    assert plain.outcome is AttemptOutcome.NOT_OFFERED and plain.status == 401


@pytest.mark.lab
def test_the_http_redirect_method(
    client: DnsClient, web: HttpsServer, lab_ca_context: ssl.SSLContext
) -> None:
    result = ask("rokuro@legacy.test", client, web, lab_ca_context)
    by_method = {a.method: a for a in result.attempts}
    assert by_method[AutodiscoverMethod.SUBDOMAIN].failure is HttpFailure.CERTIFICATE
    assert by_method[AutodiscoverMethod.DOMAIN].failure is HttpFailure.DNS
    found = by_method[AutodiscoverMethod.HTTP_REDIRECT]
    assert result.found == found and found.outcome is AttemptOutcome.FOUND
    assert found.url == "http://autodiscover.legacy.test/autodiscover/autodiscover.xml"
    (redirect,) = found.redirects
    assert redirect.status == 302 and not redirect.cross_domain
    assert redirect.to_url == "https://mail.legacy.test/autodiscover/autodiscover.xml"
    # the target is in the address's own domain: no consent needed, but it is said where it came from
    assert not result.needs_consent and result.redirected_to == redirect.to_url
    assert result.candidates[0].host == "imap.legacy.test"


@pytest.mark.lab
def test_the_srv_record(client: DnsClient, web: HttpsServer, lab_ca_context: ssl.SSLContext) -> None:
    result = ask("shichiro@srv.test", client, web, lab_ca_context)
    assert result.found is not None and result.found.method is AutodiscoverMethod.SRV
    assert result.found.url == HOSTER_URL
    assert result.found.srv_lookup is not None and result.found.srv_lookup.outcome is DnsOutcome.OK
    assert result.needs_consent and all(c.needs_consent for c in result.candidates)
    assert [a.outcome for a in result.attempts[:3]] == [AttemptOutcome.FAILED] * 3


@pytest.mark.lab
def test_nothing_there_is_an_empty_result_quickly(
    client: DnsClient, web: HttpsServer, lab_ca_context: ssl.SSLContext
) -> None:
    started = time.monotonic()
    result = ask("nobody@empty.test", client, web, lab_ca_context)
    assert time.monotonic() - started < 3
    assert result.found is None and result.candidates == () and not result.login_wanted
    assert outcomes(result) == [
        ("autodiscover-subdomain", 0, "failed"),
        ("domain", 0, "failed"),
        ("http-redirect", 0, "failed"),
        ("srv", 0, "not-offered"),
    ]
    assert {a.failure for a in result.attempts[:3]} == {HttpFailure.DNS}
    srv = result.attempts[3]
    assert srv.url is None and srv.srv_lookup is not None and srv.srv_lookup.outcome is DnsOutcome.NXDOMAIN


@pytest.mark.lab
def test_exchange_only_error_and_downgrade_give_nothing(
    client: DnsClient, web: HttpsServer, lab_ca_context: ssl.SSLContext
) -> None:
    exchange = ask("exch@exonly.test", client, web, lab_ca_context)
    assert exchange.found is None and exchange.attempts[0].outcome is AttemptOutcome.NO_MAIL_SERVERS
    assert exchange.other_types == ("EXCH", "EXPR", "WEB")

    error = ask("err@error.test", client, web, lab_ca_context)
    assert error.found is None and error.attempts[0].outcome is AttemptOutcome.ERROR_RESPONSE
    assert error.errors == (("500", "The e-mail address cannot be found."),)

    down = ask("down@down.test", client, web, lab_ca_context)
    first = down.attempts[0]
    assert first.outcome is AttemptOutcome.FAILED and first.failure is HttpFailure.BAD_REDIRECT
    assert first.redirects[0].downgrade and "plain http" in first.error
    assert down.found is None


@pytest.mark.lab
def test_untrusted_certificate_is_a_failure(client: DnsClient, web: HttpsServer) -> None:
    result = ask("taro@contoso.test", client, web, ssl.create_default_context())
    assert result.found is None
    assert result.attempts[0].failure is HttpFailure.CERTIFICATE and result.attempts[0].error


@pytest.mark.lab
def test_the_settings_world_answers_by_autodiscover_only() -> None:
    scenario = load_scenario(WORLDS / "autodiscover.toml")
    with world_of(scenario) as world:
        client = DnsClient([Nameserver.parse(world.values["dns"])])
        context = ssl.create_default_context(cafile=str(world.ca_file))
        assert world.https is not None
        result = asyncio.run(
            fetch_autodiscover(
                scenario.account.address,
                resolver=dns_resolver(client),
                ssl_context=context,
                dns=client,
                port_override={"https": world.https.port("https"), "http": world.https.port("http")},
            )
        )
    assert result.found is not None and result.found.method is AutodiscoverMethod.SUBDOMAIN
    assert not result.needs_consent
    assert summary(result.candidates) == [
        ("imap", "mail.example.test", 993, "ssl", "alice@contoso.test"),
        ("pop3", "mail.example.test", 995, "ssl", "alice@contoso.test"),
        ("smtp", "mail.example.test", 587, "starttls", "alice@contoso.test"),
    ]
    assert result.other_types == ("EXCH",)


# --------------------------------------------------------------------------- scripted servers (no lab)

Handler = Callable[[str, str, str, dict[str, str], bytes], Awaitable[bytes | None]]


def resolver_for(names: set[str]) -> Callable[[str], Awaitable[HostResolution]]:
    """127.0.0.1 for `names`, NXDOMAIN for anything else."""

    async def resolve(host: str) -> HostResolution:
        found = host in names
        return HostResolution(
            host,
            DnsLookup(
                host, "A", DnsOutcome.OK if found else DnsOutcome.NXDOMAIN, ("127.0.0.1",) if found else ()
            ),
            DnsLookup(host, "AAAA", DnsOutcome.NODATA if found else DnsOutcome.NXDOMAIN),
        )

    return resolve


@asynccontextmanager
async def scripted_https(pki: LabPKI, names: list[str], handler: Handler) -> AsyncIterator[int]:
    """An HTTPS server on 127.0.0.1 for `names`; handler(method, host, path, headers, body) gives the
    whole reply (None: say nothing and close)."""
    files = pki.issue(f"scripted-{abs(hash(tuple(names)))}", names)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(files.cert), str(files.key))

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            request_line, *lines = head.split("\r\n")
            method, path, _ = request_line.split(" ")
            headers = {
                k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines if line)
            }
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            reply = await handler(method, headers.get("host", ""), path, headers, body)
            if reply is not None:
                writer.write(reply)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        finally:
            writer.close()
            with suppress(ConnectionError, ssl.SSLError):
                await writer.wait_closed()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
    async with server:
        yield server.sockets[0].getsockname()[1]


def xml_reply(document: str, status: str = "200 OK") -> bytes:
    body = document.encode()
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: text/xml\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
    )


async def scripted_fetch(
    pki: LabPKI, names: list[str], handler: Handler, address: str, timeout: float = 10.0
) -> AutodiscoverResult:
    (closed,) = free_ports(1, "127.0.0.1")
    async with scripted_https(pki, names, handler) as port:
        return await fetch_autodiscover(
            address,
            resolver=resolver_for(set(names)),
            ssl_context=ssl.create_default_context(cafile=str(pki.ca.cert)),
            port_override={"https": port, "http": closed},
            timeout=timeout,
        )


def test_the_request_carries_no_credentials_and_a_401_ends_it(pki: LabPKI) -> None:
    seen: list[tuple[str, str, str, dict[str, str], bytes]] = []

    async def handler(method: str, host: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
        seen.append((method, host, path, headers, body))
        return (
            b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM\r\n"
            b'WWW-Authenticate: Basic realm="autodiscover.locked.test"\r\nContent-Length: 0\r\n\r\n'
        )

    result = asyncio.run(scripted_fetch(pki, ["autodiscover.locked.test"], handler, "goro@locked.test"))
    ((method, host, path, headers, body),) = seen  # asked once, never again with a login
    assert (method, host, path) == ("POST", "autodiscover.locked.test", "/autodiscover/autodiscover.xml")
    assert "authorization" not in headers and "cookie" not in headers
    assert headers["content-type"] == "text/xml; charset=utf-8"
    assert body == autodiscover_request("goro@locked.test")
    first = result.attempts[0]
    assert first.outcome is AttemptOutcome.LOGIN_WANTED
    assert first.login_schemes == ("Negotiate", "NTLM", "Basic")
    assert result.login_wanted and result.found is None


def test_the_first_in_order_wins_without_waiting_for_the_rest(pki: LabPKI) -> None:
    async def handler(
        method: str, host: str, path: str, headers: dict[str, str], body: bytes
    ) -> bytes | None:
        if host == "quick.test":
            await asyncio.sleep(30)  # the bare domain's web site hangs
            return None
        return xml_reply(settings_answer("quick.test"))

    started = time.monotonic()
    result = asyncio.run(
        scripted_fetch(pki, ["autodiscover.quick.test", "quick.test"], handler, "a@quick.test", timeout=20)
    )
    assert time.monotonic() - started < 5
    assert result.found is not None and result.found.method is AutodiscoverMethod.SUBDOMAIN
    domain = next(a for a in result.attempts if a.method is AutodiscoverMethod.DOMAIN)
    assert domain.outcome is AttemptOutcome.NOT_NEEDED


def test_a_later_method_waits_for_the_earlier_ones(pki: LabPKI) -> None:
    async def handler(method: str, host: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
        if host == "autodiscover.slow.test":
            await asyncio.sleep(0.5)
            return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        return xml_reply(settings_answer("slow.test"))

    result = asyncio.run(scripted_fetch(pki, ["autodiscover.slow.test", "slow.test"], handler, "b@slow.test"))
    assert outcomes(result)[:2] == [("autodiscover-subdomain", 0, "http-status"), ("domain", 0, "found")]
    assert result.attempts[0].status == 404


def test_redirect_hops_are_bounded(pki: LabPKI) -> None:
    names = [f"autodiscover.d{n}.test" for n in range(MAX_HOPS + 3)]

    async def handler(method: str, host: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
        number = int(host.split(".")[1][1:])
        return xml_reply(
            outlook_answer(f"<Action>redirectAddr</Action><RedirectAddr>u@d{number + 1}.test</RedirectAddr>")
        )

    result = asyncio.run(scripted_fetch(pki, names, handler, "u@d0.test"))
    assert result.found is None
    redirects = [a for a in result.attempts if a.outcome is AttemptOutcome.REDIRECT]
    assert [a.hop for a in redirects] == list(range(MAX_HOPS + 1))
    assert f"more than {MAX_HOPS} hops" in redirects[-1].error


def test_one_deadline_for_the_whole_search(pki: LabPKI) -> None:
    async def handler(method: str, host: str, path: str, headers: dict[str, str], body: bytes) -> None:
        await asyncio.sleep(30)

    started = time.monotonic()
    result = asyncio.run(
        scripted_fetch(pki, ["autodiscover.hang.test", "hang.test"], handler, "c@hang.test", timeout=0.5)
    )
    assert time.monotonic() - started < 2
    assert [a.failure for a in result.attempts[:2]] == [HttpFailure.TIMEOUT, HttpFailure.TIMEOUT]
    assert result.found is None


def test_an_oversized_answer_is_refused(pki: LabPKI) -> None:
    async def handler(method: str, host: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
        return xml_reply(settings_answer("big.test").replace("<Account>", "<Account>" + " " * 2_000_000))

    result = asyncio.run(scripted_fetch(pki, ["autodiscover.big.test"], handler, "d@big.test"))
    assert result.attempts[0].failure is HttpFailure.TOO_LARGE and result.found is None
