"""Every scenario file builds a world whose parts answer as the file says.

This is the lab's own check, not a diagnosis: it resolves the typed host names through the
world's DNS server and connects to the typed ports, so a later diagnosis test can trust that a
scenario really is the broken world it describes.
"""

from __future__ import annotations

import json
import socket
import ssl
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dns.exception
import dns.resolver
import pytest
from cryptography import x509

from maildoctor_lab.certs import INTERCEPTION_CA_NAME
from maildoctor_lab.scenario import Scenario, World, load_scenario, load_scenarios, run_scenario, world_of

pytestmark = pytest.mark.lab

SCENARIOS = Path(__file__).parents[1] / "scenarios"


def _serves_example_test(scenario: Scenario) -> bool:
    """Its DNS answers for example.test (worlds with broken DNS are checked on their own below)."""
    dns_spec = scenario.dns
    if dns_spec is None or not any(name == "example.test" for name, _ in dns_spec.zones):
        return False
    broken = (*dns_spec.servfail, *dns_spec.timeout)
    return not any(name == "example.test" or "example.test".endswith("." + name) for name in broken)


ON_HOST = [
    scenario
    for scenario in load_scenarios(SCENARIOS)
    if not scenario.needs_netns and _serves_example_test(scenario) and scenario.dovecot is not None
]


def _resolver(world: World) -> dns.resolver.Resolver:
    resolver = dns.resolver.Resolver(configure=False)
    host, port = world.values["dns"].rsplit(":", 1)
    resolver.nameservers = [host]
    resolver.port = int(port)
    resolver.lifetime = 3
    return resolver


def _connect_outcome(host: str, port: int, timeout: float = 2.0) -> str:
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except ConnectionRefusedError:
        return "refused"
    except TimeoutError:
        return "timeout"
    return "open"


@pytest.mark.parametrize("scenario", ON_HOST, ids=[scenario.name for scenario in ON_HOST])
def test_world_matches_its_description(scenario: Scenario) -> None:
    with world_of(scenario) as world:
        arguments = world.check_arguments()
        assert arguments[0] == scenario.account.address
        assert "--ca-file" in arguments
        assert "--password-stdin" in arguments
        resolver = _resolver(world)
        assert str(resolver.resolve("example.test", "MX")[0].exchange) == "mail.example.test."
        for typed in (scenario.account.incoming, scenario.account.outgoing):
            if typed is None:
                continue
            url = urlsplit(world.fill(typed))
            assert url.hostname is not None
            assert url.port is not None
            if "HOST_NOT_FOUND" in scenario.expect:  # a mistyped name (host-name-typo, host-fullwidth, …)
                with pytest.raises(dns.exception.DNSException):
                    resolver.resolve(url.hostname, "A")
                continue
            address = resolver.resolve(url.hostname, "A")[0].address
            assert address == world.values["host"]
            expected = "refused" if "{closed}" in typed else "open"
            assert _connect_outcome(address, url.port) == expected


def test_interception_world_re_signs_the_certificate() -> None:
    scenario = load_scenario(SCENARIOS / "security-software-interception.toml")
    with world_of(scenario) as world:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        for port_name, issuer_expected in (
            ("intercept", INTERCEPTION_CA_NAME),
            ("imaps", "Maildoctor Lab CA"),
        ):
            with (
                socket.create_connection(
                    (world.values["host"], int(world.values[port_name])), timeout=5
                ) as raw,
                context.wrap_socket(raw, server_hostname="mail.example.test") as tls,
            ):
                der = tls.getpeercert(binary_form=True)
                assert der is not None
                issuer = x509.load_der_x509_certificate(der).issuer.rfc4514_string()
                assert f"CN={issuer_expected}" in issuer
                greeting = tls.recv(200)
                assert greeting.startswith(b"* OK ")


def test_dns_failures_of_a_world() -> None:
    scenario = load_scenario(SCENARIOS / "host-name-typo.toml")
    with world_of(scenario) as world:
        resolver = _resolver(world)
        with pytest.raises(dns.resolver.NoNameservers, match="SERVFAIL"):
            resolver.resolve("mail.broken.test", "A")
        resolver.lifetime = 1.5
        with pytest.raises(dns.resolver.LifetimeTimeout):
            resolver.resolve("mail.silent.test", "A")


PROBE = """
import json, socket, sys
host = sys.argv[1]
outcomes = {}
for name, port in zip(("submission", "smtp", "smtps"), sys.argv[2:]):
    try:
        socket.create_connection((host, int(port)), timeout=1.5).close()
        outcomes[name] = "open"
    except ConnectionRefusedError:
        outcomes[name] = "refused"
    except TimeoutError:
        outcomes[name] = "timeout"
print(json.dumps(outcomes))
"""


@pytest.mark.netns
@pytest.mark.usefixtures("netns_ready")
def test_firewall_world_drops_one_port_and_rejects_another() -> None:
    scenario = load_scenario(SCENARIOS / "submission-port-dropped.toml")
    completed = run_scenario(
        scenario, [sys.executable, "-c", PROBE, "{host}", "{submission}", "{smtp}", "{smtps}"], stdin=""
    )
    assert completed.returncode == 0, completed.stderr
    outcomes = json.loads(completed.stdout.strip().splitlines()[-1])
    assert outcomes == {"submission": "timeout", "smtp": "refused", "smtps": "open"}


def _front(world: World) -> tuple[str, int]:
    spec = world.scenario.legacy_tls
    assert spec is not None
    return world.values["host"], int(world.values[spec.placeholder])


def test_static_rsa_world_refuses_a_current_client_and_takes_an_old_one() -> None:
    """Issue 17: what a current client sees. Python's default context (3.10+: forward-secret suites
    only) gets no handshake; OpenSSL's own default client (and our probe) gets TLS 1.2 with RSA."""
    scenario = load_scenario(SCENARIOS / "static-rsa-only.toml")
    with world_of(scenario) as world:
        host, port = _front(world)
        current = ssl.create_default_context(cafile=str(world.ca_file))
        current.check_hostname = False
        with pytest.raises(ssl.SSLError), socket.create_connection((host, port), timeout=5) as raw:
            current.wrap_socket(raw, server_hostname="mail.example.test")
        permissive = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        permissive.check_hostname = False
        permissive.verify_mode = ssl.CERT_NONE
        permissive.set_ciphers("DEFAULT")
        with (
            socket.create_connection((host, port), timeout=5) as raw,
            permissive.wrap_socket(raw, server_hostname="mail.example.test") as tls,
        ):
            cipher = tls.cipher()
            assert tls.version() == "TLSv1.2"
            assert cipher is not None and not cipher[0].startswith(("ECDHE", "DHE"))
            assert tls.recv(200).startswith(b"* OK ")


def test_login_only_world_takes_login_and_refuses_authenticate() -> None:
    """Issue 17: what a program that insists on AUTHENTICATE sees, and that LOGIN works."""
    import imaplib

    scenario = load_scenario(SCENARIOS / "imap-login-only.toml")
    with world_of(scenario) as world:
        host, port = _front(world)
        context = ssl.create_default_context(cafile=str(world.ca_file))
        context.check_hostname = False
        client = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=5)
        try:
            assert not [cap for cap in client.capabilities if cap.startswith("AUTH=")]
            assert "STARTTLS" not in client.capabilities
            with pytest.raises(imaplib.IMAP4.error, match="Unsupported authentication mechanism"):
                client.authenticate("PLAIN", lambda _: b"\0alice\0secret")
        finally:
            client.shutdown()
        client = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=5)
        try:
            status, _ = client.login("alice", "secret")
            assert status == "OK"
        finally:
            client.logout()
