"""The lab's HTTPS (nginx) serves autoconfig files and MTA-STS policies per host, as real servers do."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import os
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from maildoctor_lab.certs import RENTAL_SERVER_NAME, CertFiles, LabPKI, StandardCerts
from maildoctor_lab.common import LabUnavailableError, free_ports
from maildoctor_lab.https import HttpsServer, running_https, start_https

pytestmark = pytest.mark.lab

AUTOCONFIG_XML = """<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.test">
    <domain>example.test</domain>
    <incomingServer type="imap">
      <hostname>mail.example.test</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
  </emailProvider>
</clientConfig>
"""
WELL_KNOWN_XML = AUTOCONFIG_XML.replace("<port>993</port>", "<port>143</port>")
POLICY = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.test\r\nmax_age: 86400\r\n"
BINARY = bytes(range(256))

SITES: dict[str, dict[str, str | bytes]] = {
    "autoconfig.example.test": {"/mail/config-v1.1.xml": AUTOCONFIG_XML},
    "example.test": {
        "/.well-known/autoconfig/mail/config-v1.1.xml": WELL_KNOWN_XML,
        "/files/blob": BINARY,
    },
    "mta-sts.example.test": {"/.well-known/mta-sts.txt": POLICY},
    # a customer's name on a shared web server whose certificate names only the server
    "autoconfig.rental.test": {"/mail/config-v1.1.xml": AUTOCONFIG_XML},
    "mta-sts.expired.test": {"/.well-known/mta-sts.txt": POLICY},
}
REDIRECTS = {
    "autoconfig.moved.test": "autoconfig.example.test",
    "autoconfig.elsewhere.test": "https://autoconfig.provider.test/",
    "mta-sts.pinned.test": "https://mta-sts.example.test/.well-known/mta-sts.txt",
}


def _unavailable(reason: str) -> None:
    # as tests/conftest.py: in CI a missing lab server is a failure, not a skip
    if os.environ.get("MAILDOCTOR_LAB_REQUIRED") == "1":
        pytest.fail(f"lab required but unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def expired(pki: LabPKI) -> CertFiles:
    now = dt.datetime.now(dt.UTC)
    return pki.issue(
        "https-expired",
        ["mta-sts.expired.test"],
        valid_from=now - dt.timedelta(days=100),
        valid_until=now - dt.timedelta(days=3),
    )


@pytest.fixture(scope="module")
def server(lab_root: Path, pki: LabPKI, certs: StandardCerts, expired: CertFiles) -> Iterator[HttpsServer]:
    try:
        https_server = start_https(
            lab_root / "https-tests",
            pki,
            SITES,
            certificates={"autoconfig.rental.test": certs.wrong_name, "mta-sts.expired.test": expired},
            redirects=REDIRECTS,
        )
    except LabUnavailableError as exc:
        _unavailable(f"nginx is not installed: {exc}")
    yield https_server
    https_server.stop()


@pytest.fixture(scope="module")
def unverified() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    peer_certificate: x509.Certificate | None


def fetch(
    server: HttpsServer,
    site: str,
    path: str,
    *,
    scheme: str = "https",
    context: ssl.SSLContext | None = None,
    port: int | None = None,
) -> Reply:
    """GET path from site, connecting to the lab server's address (the name only goes in SNI and Host)."""
    port = port or server.port(scheme)
    raw = socket.create_connection((server.host, port), timeout=5)
    with contextlib.closing(raw):
        connection: http.client.HTTPConnection
        peer = None
        if scheme == "https":
            assert context is not None
            tls = context.wrap_socket(raw, server_hostname=site)
            der = tls.getpeercert(binary_form=True)
            peer = x509.load_der_x509_certificate(der) if der else None
            connection = http.client.HTTPSConnection(site, port, context=context, timeout=5)
            connection.sock = tls
        else:
            connection = http.client.HTTPConnection(site, port, timeout=5)
            connection.sock = raw
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return Reply(response.status, response.headers, response.read(), peer)
        finally:
            connection.close()


def _names(certificate: x509.Certificate | None) -> list[str]:
    assert certificate is not None
    san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return [str(name.value) for name in san]


@pytest.mark.parametrize(
    ("site", "path", "content_type", "body"),
    [
        ("autoconfig.example.test", "/mail/config-v1.1.xml", "text/xml", AUTOCONFIG_XML.encode()),
        (
            "example.test",
            "/.well-known/autoconfig/mail/config-v1.1.xml",
            "text/xml",
            WELL_KNOWN_XML.encode(),
        ),
        ("mta-sts.example.test", "/.well-known/mta-sts.txt", "text/plain", POLICY.encode()),
        ("example.test", "/files/blob", "application/octet-stream", BINARY),
    ],
)
@pytest.mark.parametrize("scheme", ["https", "http"])
def test_each_site_serves_its_files(
    server: HttpsServer,
    lab_ca_context: ssl.SSLContext,
    site: str,
    path: str,
    content_type: str,
    body: bytes,
    scheme: str,
) -> None:
    reply = fetch(server, site, path, scheme=scheme, context=lab_ca_context)
    assert reply.status == 200
    assert reply.headers["Content-Type"] == content_type
    assert reply.body == body


def test_autoconfig_query_is_ignored_as_by_a_static_server(
    server: HttpsServer, lab_ca_context: ssl.SSLContext
) -> None:
    path = "/mail/config-v1.1.xml?emailaddress=alice%40example.test"
    reply = fetch(server, "autoconfig.example.test", path, context=lab_ca_context)
    assert (reply.status, reply.body) == (200, AUTOCONFIG_XML.encode())


def test_the_host_selects_the_site(server: HttpsServer, lab_ca_context: ssl.SSLContext) -> None:
    # autoconfig.example.test's file does not exist on example.test, and the other way round
    assert fetch(server, "example.test", "/mail/config-v1.1.xml", context=lab_ca_context).status == 404
    well_known = "/.well-known/autoconfig/mail/config-v1.1.xml"
    assert fetch(server, "autoconfig.example.test", well_known, context=lab_ca_context).status == 404


@pytest.mark.parametrize("scheme", ["https", "http"])
def test_missing_file_is_404(server: HttpsServer, lab_ca_context: ssl.SSLContext, scheme: str) -> None:
    reply = fetch(
        server, "mta-sts.example.test", "/.well-known/nothing.txt", scheme=scheme, context=lab_ca_context
    )
    assert reply.status == 404
    assert reply.headers["Content-Type"] == "text/html"
    assert b"404 Not Found" in reply.body


def test_lab_certificate_names_every_site_and_the_address(
    server: HttpsServer, lab_ca_context: ssl.SSLContext
) -> None:
    reply = fetch(server, "mta-sts.example.test", "/.well-known/mta-sts.txt", context=lab_ca_context)
    names = _names(reply.peer_certificate)
    default_sites = set(SITES) - {"autoconfig.rental.test", "mta-sts.expired.test"}
    assert default_sites | set(REDIRECTS) <= set(names)
    assert "127.0.0.1" in names
    assert reply.peer_certificate is not None
    assert reply.peer_certificate.public_bytes(Encoding.PEM) == server.certificate.pem


def test_a_name_no_site_has_gets_404(server: HttpsServer, unverified: ssl.SSLContext) -> None:
    assert fetch(server, "nosuchsite.test", "/mail/config-v1.1.xml", context=unverified).status == 404


def test_wrong_name_certificate_fails_verification_with_the_names_visible(
    server: HttpsServer, lab_ca_context: ssl.SSLContext, unverified: ssl.SSLContext
) -> None:
    with pytest.raises(ssl.SSLCertVerificationError) as failure:
        fetch(server, "autoconfig.rental.test", "/mail/config-v1.1.xml", context=lab_ca_context)
    assert failure.value.verify_message == (
        "Hostname mismatch, certificate is not valid for 'autoconfig.rental.test'."
    )
    # what a diagnosis shows the person: the names the certificate does have
    reply = fetch(server, "autoconfig.rental.test", "/mail/config-v1.1.xml", context=unverified)
    assert _names(reply.peer_certificate) == [RENTAL_SERVER_NAME, "127.0.0.1"]
    assert (reply.status, reply.body) == (200, AUTOCONFIG_XML.encode())


def test_expired_certificate_fails_verification(
    server: HttpsServer, lab_ca_context: ssl.SSLContext, unverified: ssl.SSLContext
) -> None:
    with pytest.raises(ssl.SSLCertVerificationError) as failure:
        fetch(server, "mta-sts.expired.test", "/.well-known/mta-sts.txt", context=lab_ca_context)
    assert failure.value.verify_message == "certificate has expired"
    reply = fetch(server, "mta-sts.expired.test", "/.well-known/mta-sts.txt", context=unverified)
    assert reply.peer_certificate is not None
    assert reply.peer_certificate.not_valid_after_utc < dt.datetime.now(dt.UTC)
    assert _names(reply.peer_certificate) == ["mta-sts.expired.test"]


@pytest.mark.parametrize("scheme", ["https", "http"])
def test_redirect_to_another_host_of_the_lab(
    server: HttpsServer, lab_ca_context: ssl.SSLContext, scheme: str
) -> None:
    path = "/mail/config-v1.1.xml?emailaddress=alice%40moved.test"
    reply = fetch(server, "autoconfig.moved.test", path, scheme=scheme, context=lab_ca_context)
    assert reply.status == 301
    location = reply.headers["Location"]
    assert location == server.url("autoconfig.example.test", path, scheme=scheme)
    # following it, as a mail program that was allowed to would
    target = urlsplit(location)
    assert target.hostname is not None and target.port == server.port(scheme)
    followed = fetch(
        server, target.hostname, f"{target.path}?{target.query}", scheme=scheme, context=lab_ca_context
    )
    assert (followed.status, followed.body) == (200, AUTOCONFIG_XML.encode())


def test_redirect_to_a_url(server: HttpsServer, lab_ca_context: ssl.SSLContext) -> None:
    reply = fetch(server, "autoconfig.elsewhere.test", "/mail/config-v1.1.xml?x=1", context=lab_ca_context)
    assert (reply.status, reply.headers["Location"]) == (
        301,
        "https://autoconfig.provider.test/mail/config-v1.1.xml?x=1",
    )
    reply = fetch(server, "mta-sts.pinned.test", "/.well-known/mta-sts.txt", scheme="http")
    assert (reply.status, reply.headers["Location"]) == (
        301,
        "https://mta-sts.example.test/.well-known/mta-sts.txt",
    )


def test_url_and_ports(server: HttpsServer) -> None:
    assert server.host == "127.0.0.1"
    assert server.http_port is not None and server.http_port != server.https_port
    assert server.url("mta-sts.example.test", "/.well-known/mta-sts.txt") == (
        f"https://mta-sts.example.test:{server.https_port}/.well-known/mta-sts.txt"
    )
    assert server.url("autoconfig.example.test", "/mail/config-v1.1.xml", scheme="http") == (
        f"http://autoconfig.example.test:{server.http_port}/mail/config-v1.1.xml"
    )
    assert server.startup_seconds < 5


def test_diagnostics_show_sni_host_and_status(server: HttpsServer, lab_ca_context: ssl.SSLContext) -> None:
    fetch(server, "mta-sts.example.test", "/.well-known/diagnostics-probe.txt", context=lab_ca_context)
    logged = 'sni=mta-sts.example.test host=mta-sts.example.test "GET /.well-known/diagnostics-probe.txt'
    deadline = time.monotonic() + 3  # nginx logs after the answer has gone out
    while f'{logged} HTTP/1.1" 404' not in server.diagnostics() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert f'{logged} HTTP/1.1" 404' in server.diagnostics()


def test_chosen_address_and_ports_and_no_plain_http(
    lab_root: Path, pki: LabPKI, lab_ca_context: ssl.SSLContext
) -> None:
    https_port, http_port = free_ports(2, "127.0.0.2")
    sites = {"mta-sts.example.test": SITES["mta-sts.example.test"]}
    with running_https(
        lab_root / "https-address", pki, sites, host="127.0.0.2", https_port=https_port, http_port=http_port
    ) as server:
        assert (server.host, server.https_port, server.http_port) == ("127.0.0.2", https_port, http_port)
        for scheme in ("https", "http"):
            reply = fetch(
                server,
                "mta-sts.example.test",
                "/.well-known/mta-sts.txt",
                scheme=scheme,
                context=lab_ca_context,
            )
            assert reply.body == POLICY.encode()
    with running_https(lab_root / "https-only", pki, sites, plain_http=False) as server:
        assert server.http_port is None
        with pytest.raises(ValueError, match="no http listener"):
            server.url("mta-sts.example.test", "/", scheme="http")
        reply = fetch(server, "mta-sts.example.test", "/.well-known/mta-sts.txt", context=lab_ca_context)
        assert reply.status == 200
    assert server.process.process.poll() is not None
    leftover = subprocess.run(["pgrep", "-f", str(server.directory)], capture_output=True, check=False)
    assert leftover.returncode == 1, leftover.stdout


@pytest.mark.parametrize(
    ("sites", "redirects", "message"),
    [
        ({"a.test": {"/../etc/passwd": "x"}}, {}, "absolute file path"),
        ({"a.test": {"relative.txt": "x"}}, {}, "absolute file path"),
        ({"a.test": {"/x.txt?y=1": "x"}}, {}, "without query"),
        ({"bad name.test": {"/x.txt": "x"}}, {}, "not a host name"),
        ({"a.test": {"/x.txt": "x"}}, {"a.test": "b.test"}, "both as a site and as a redirect"),
        ({}, {"a.test": "ftp://b.test/"}, "not an http"),
    ],
)
def test_rejects_bad_sites(
    lab_root: Path, pki: LabPKI, sites: dict[str, dict[str, str]], redirects: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        start_https(lab_root / "https-bad", pki, sites, redirects=redirects)


def test_missing_nginx_is_lab_unavailable(
    lab_root: Path, pki: LabPKI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(lab_root / "empty-path"))
    with pytest.raises(LabUnavailableError, match="nginx"):
        start_https(lab_root / "https-missing", pki, SITES)


# --------------------------------------------------------------------------- paths with an answer

AUTODISCOVER_XML = """<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"/>
"""
ANSWERING_SITES: dict[str, dict[str, str | bytes]] = {
    "autodiscover.example.test": {
        "POST /autodiscover/autodiscover.xml": AUTODISCOVER_XML,
        "/mail/config-v1.1.xml": AUTOCONFIG_XML,  # a plain file next to it: GET only, as before
    },
    "autodiscover.locked.test": {"401 /autodiscover/autodiscover.xml": "", "503 /busy.xml": ""},
    "autodiscover.legacy.test": {
        "302 /autodiscover/autodiscover.xml": "https://mail.legacy.test/autodiscover/autodiscover.xml",
        "/index.html": "legacy",
    },
}


@pytest.fixture(scope="module")
def answering(lab_root: Path, pki: LabPKI) -> Iterator[HttpsServer]:
    try:
        with running_https(lab_root / "https-answers", pki, ANSWERING_SITES) as https_server:
            yield https_server
    except LabUnavailableError as exc:
        _unavailable(f"nginx is not installed: {exc}")


def send(
    server: HttpsServer,
    site: str,
    method: str,
    path: str,
    *,
    scheme: str = "https",
    context: ssl.SSLContext | None = None,
    body: bytes | None = None,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request of any method to site, connecting to the lab server's address."""
    port = server.port(scheme)
    connection: http.client.HTTPConnection
    if scheme == "https":
        connection = http.client.HTTPSConnection(site, port, context=context, timeout=5)
        raw = socket.create_connection((server.host, port), timeout=5)
        assert context is not None
        connection.sock = context.wrap_socket(raw, server_hostname=site)
    else:
        connection = http.client.HTTPConnection(site, port, timeout=5)
        connection.sock = socket.create_connection((server.host, port), timeout=5)
    try:
        headers = {"Content-Type": "text/xml; charset=utf-8"} if body is not None else {}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("scheme", ["https", "http"])
def test_a_post_path_answers_post_and_get_with_the_file(
    answering: HttpsServer, lab_ca_context: ssl.SSLContext, scheme: str
) -> None:
    request = b'<?xml version="1.0"?><Autodiscover><Request/></Autodiscover>'
    for method, body in (("POST", request), ("GET", None)):
        status, headers, content = send(
            answering,
            "autodiscover.example.test",
            method,
            "/autodiscover/autodiscover.xml",
            scheme=scheme,
            context=lab_ca_context,
            body=body,
        )
        assert (status, headers["Content-Type"], content) == (200, "text/xml", AUTODISCOVER_XML.encode())


def test_a_plain_file_still_refuses_post(answering: HttpsServer, lab_ca_context: ssl.SSLContext) -> None:
    site = "autodiscover.example.test"
    assert send(answering, site, "POST", "/mail/config-v1.1.xml", context=lab_ca_context, body=b"x")[0] == 405
    assert send(answering, site, "POST", "/nothing.xml", context=lab_ca_context, body=b"x")[0] == 404
    status, _, content = send(answering, site, "GET", "/mail/config-v1.1.xml", context=lab_ca_context)
    assert (status, content) == (200, AUTOCONFIG_XML.encode())


@pytest.mark.parametrize("scheme", ["https", "http"])
def test_a_status_path(answering: HttpsServer, lab_ca_context: ssl.SSLContext, scheme: str) -> None:
    site = "autodiscover.locked.test"
    status, headers, _ = send(
        answering,
        site,
        "POST",
        "/autodiscover/autodiscover.xml",
        scheme=scheme,
        context=lab_ca_context,
        body=b"x",
    )
    assert (status, headers["WWW-Authenticate"]) == (401, 'Basic realm="autodiscover.locked.test"')
    status, headers, _ = send(answering, site, "GET", "/busy.xml", scheme=scheme, context=lab_ca_context)
    assert status == 503 and headers["WWW-Authenticate"] is None
    # the rest of the site is what it was: nothing there
    assert send(answering, site, "GET", "/other.xml", scheme=scheme, context=lab_ca_context)[0] == 404


@pytest.mark.parametrize("scheme", ["https", "http"])
def test_a_redirect_path(answering: HttpsServer, lab_ca_context: ssl.SSLContext, scheme: str) -> None:
    site = "autodiscover.legacy.test"
    for method in ("GET", "POST"):
        status, headers, _ = send(
            answering,
            site,
            method,
            "/autodiscover/autodiscover.xml",
            scheme=scheme,
            context=lab_ca_context,
            body=b"x" if method == "POST" else None,
        )
        assert (status, headers["Location"]) == (
            302,
            "https://mail.legacy.test/autodiscover/autodiscover.xml",
        )
    assert send(answering, site, "GET", "/index.html", scheme=scheme, context=lab_ca_context)[2] == b"legacy"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"PUT /x.xml": "x"}, "POST or a status code"),
        ({"200 /x.xml": "x"}, "a redirect, 4xx or 5xx"),
        ({"401 /x.xml": "content"}, "nginx's own page"),
        ({"302 /x.xml": "/relative"}, "absolute http"),
        ({"302 /x.xml": "https://a.test/x;return 200"}, "unsupported characters"),
        ({"POST /a b.xml": "x"}, "may only hold"),
        ({"POST /x.xml": "x", "/x.xml": "y"}, "given twice"),
        ({"POST ../x.xml": "x"}, "absolute file path"),
    ],
)
def test_rejects_bad_answer_paths(lab_root: Path, pki: LabPKI, files: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        start_https(lab_root / "https-bad-answers", pki, {"a.test": files})
