"""What the lab tests of discovery and registration share: the lab's Unbound serving a test
module's ``ZONES``, nginx serving its sites, and a DnsClient on that Unbound, each skipped (a
failure under CI) when the Debian package is not installed.

pytest imports this file and tests/conftest.py both as the module ``conftest``, and for the
test modules of this folder it is this one that ``from conftest import ...`` finds. So the
top file's ``lab_unavailable`` is handed on from here, loaded under a name of its own rather
than written twice (whether CI requires the lab is decided in one place).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Final

import pytest

from maildoctor.discover.candidates import ServerCandidate
from maildoctor.net.resolver import DnsClient, Nameserver
from maildoctor_lab.certs import CertFiles, LabPKI, StandardCerts
from maildoctor_lab.common import LabUnavailableError
from maildoctor_lab.dns import DnsServer, running_dns
from maildoctor_lab.dovecot import DovecotOptions, DovecotServer, start_dovecot
from maildoctor_lab.https import HttpsServer, running_https
from maildoctor_lab.oauth2 import OAuth2Passdb
from maildoctor_lab.postfix import PostfixServer, start_postfix


def _top_lab_unavailable() -> Callable[[str], None]:
    spec = importlib.util.spec_from_file_location(
        "maildoctor_tests_conftest", Path(__file__).parents[1] / "conftest.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    found: Callable[[str], None] = module.lab_unavailable
    return found


lab_unavailable: Final = _top_lab_unavailable()


@contextmanager
def installed(package: str) -> Iterator[None]:
    """A lab server that cannot start because `package` is missing skips the test (fails it
    under CI) instead of erroring."""
    try:
        yield
    except LabUnavailableError as exc:
        lab_unavailable(f"{package} is not installed: {exc}")


def lab_https(
    lab_dir: Path,
    pki: LabPKI,
    sites: Mapping[str, Mapping[str, str | bytes]],
    *,
    plain_http: bool = True,
    certificates: Mapping[str, CertFiles] | None = None,
    redirects: Mapping[str, str] | None = None,
) -> Iterator[HttpsServer]:
    """running_https() for a module-scoped fixture to ``yield from``: nginx until the module ends."""
    with (
        installed("nginx"),
        running_https(
            lab_dir, pki, sites, plain_http=plain_http, certificates=certificates, redirects=redirects
        ) as server,
    ):
        yield server


@pytest.fixture(scope="module")
def dns_server(request: pytest.FixtureRequest, lab_root: Path) -> Iterator[DnsServer]:
    """The lab's Unbound serving the requesting module's ``ZONES`` until the module ends (a
    module that needs more, such as SERVFAIL names, defines its own ``dns_server``)."""
    name = request.module.__name__.rpartition(".")[2]
    with installed("Unbound"), running_dns(lab_root / f"{name}-dns", request.module.ZONES) as server:
        yield server


@pytest.fixture
def client(dns_server: DnsServer) -> DnsClient:
    """A resolver asking only the module's Unbound, as a device on that network would."""
    return DnsClient([Nameserver.parse(dns_server.nameserver)])


def ports(web: HttpsServer) -> dict[str, int]:
    """Where the lab's nginx listens, for ``port_override``: the names keep ports 443 and 80."""
    return {"https": web.port("https"), "http": web.port("http")}


def summary(candidates: tuple[ServerCandidate, ...]) -> list[tuple[str, str, int, str, str]]:
    """The candidates as (protocol, host, port, security, username), for comparing in one assert."""
    return [(c.protocol.value, c.host, c.port, c.security.value, c.username) for c in candidates]


# the lab's Dovecot with its oauth2 passdb (local JWT validation) and a Postfix whose SASL goes through it
# (tests/integration/test_lab_oauth2*.py)
@pytest.fixture(scope="session")
def oauth_dovecot(lab_root: Path, certs: StandardCerts) -> Iterator[DovecotServer]:
    try:
        server = start_dovecot(lab_root / "dovecot-oauth2", certs.good, DovecotOptions(oauth2=OAuth2Passdb()))
    except LabUnavailableError as exc:
        pytest.skip(str(exc))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def oauth_postfix(
    lab_root: Path, oauth_dovecot: DovecotServer, certs: StandardCerts
) -> Iterator[PostfixServer]:
    try:
        server = start_postfix(lab_root / "postfix-oauth2", oauth_dovecot, certs.good)
    except LabUnavailableError as exc:
        pytest.skip(str(exc))
    yield server
    server.stop()
