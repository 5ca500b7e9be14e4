"""A resolver that lies or is silent, through the real CLI: maildoctor says so, and blames no domain.

The lying resolvers are real Unbound servers (maildoctor_lab.dns, `lie=`): one says that no name
exists (a filtering router, security software), one answers every name with one address (a captive
portal); the silent one is a socket that never answers (no connection at all). The healthy lab
resolver answers the names that certainly exist, so a typo is still a typo there.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from maildoctor.net.resolver import Nameserver
from maildoctor.probes.resolver_trial import resolver_answers
from maildoctor_lab.common import LabUnavailableError
from maildoctor_lab.dns import DnsServer, Lie, running_dns, silent_resolver, zone_from_records

pytestmark = [pytest.mark.lab]

# every cause that blames a domain, a host name or what the resolver gave
BLAMING = {
    "DOMAIN_NOT_RESOLVING",
    "HOST_NOT_FOUND",
    "SPF_FAIL",
    "DMARC_FAIL",
    "DKIM_MISSING",
    "MTA_STS_BROKEN",
    "MX_MISCONFIGURED",
    "DOMAIN_EXPIRING",
    "SERVER_UNREACHABLE",
    "PORT_CLOSED",
    "PORT_BLOCKED",
}


def _resolver(lab_root: Path, name: str, lie: Lie | None, zones: list[Any]) -> Iterator[DnsServer]:
    try:
        with running_dns(lab_root / name, zones, lie=lie) as server:
            yield server
    except LabUnavailableError as exc:
        if os.environ.get("MAILDOCTOR_LAB_REQUIRED") == "1":
            pytest.fail(f"lab required but unavailable: {exc}")
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def denying(lab_root: Path) -> Iterator[DnsServer]:
    yield from _resolver(lab_root, "dns-denying", "nxdomain", [])


@pytest.fixture(scope="module")
def portal(lab_root: Path) -> Iterator[DnsServer]:
    yield from _resolver(lab_root, "dns-portal", "one-address", [])


@pytest.fixture(scope="module")
def healthy(lab_root: Path) -> Iterator[DnsServer]:
    zone = zone_from_records("example.test", ["@ MX 10 mail", "mail A 127.0.0.1"])
    yield from _resolver(lab_root, "dns-healthy", None, [zone])


def maildoctor(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    completed = subprocess.run(
        [sys.executable, "-m", "maildoctor", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    return completed.returncode, completed.stdout, completed.stderr


def check_json(tmp_path: Path, address: str, dns: str, *extra: str) -> tuple[int, dict[str, Any]]:
    code, out, err = maildoctor(tmp_path, "check", address, "--no-auth", "--json", "--dns", dns, *extra)
    try:
        return code, json.loads(out)
    except ValueError:
        pytest.fail(f"no JSON (exit {code}):\n{out}\n{err}")


def causes(report: dict[str, Any]) -> list[str]:
    return [item["cause"] for item in report["findings"]]


@pytest.mark.parametrize("kind", ["denying", "portal"])
def test_check_names_the_lying_resolver_and_blames_no_domain(
    tmp_path: Path, kind: str, request: pytest.FixtureRequest
) -> None:
    server: DnsServer = request.getfixturevalue(kind)
    code, report = check_json(tmp_path, "taro@gmail.com", server.nameserver)
    found = causes(report)
    assert found[0] == "DNS_RESOLVER_BROKEN", found
    assert not set(found) & BLAMING, found
    assert code == 1
    evidence = " ".join(report["findings"][0]["evidence"])
    if kind == "denying":
        assert "gmail.com" in evidence and "yahoo.co.jp" in evidence
    else:
        assert "127.1.2.3" in evidence


def test_check_after_a_lying_resolver_the_typed_server_is_not_blamed(
    tmp_path: Path, denying: DnsServer
) -> None:
    _code, report = check_json(
        tmp_path, "taro@example.test", denying.nameserver, "--incoming", "imaps://imap.exampel.test"
    )
    assert causes(report)[0] == "DNS_RESOLVER_BROKEN"
    assert "HOST_NOT_FOUND" not in causes(report)


def test_check_on_a_healthy_resolver_a_typo_is_still_a_typo(tmp_path: Path, healthy: DnsServer) -> None:
    _code, report = check_json(
        tmp_path, "taro@example.test", healthy.nameserver, "--incoming", "imaps://imap.exampel.test"
    )
    found = causes(report)
    assert "HOST_NOT_FOUND" in found, found
    assert "DNS_RESOLVER_BROKEN" not in found


@pytest.mark.parametrize("address", ["taro＠gmail.com", "taro@gmail.com#$% ^x"])
def test_an_invalid_address_gets_no_domain_findings(tmp_path: Path, healthy: DnsServer, address: str) -> None:
    _code, report = check_json(tmp_path, address, healthy.nameserver)
    found = causes(report)
    assert found[0] == "ADDRESS_INVALID", found
    assert not set(found) & (BLAMING | {"NETWORK_OFFLINE"}), found


def test_check_with_no_dns_answering_is_network_offline(tmp_path: Path) -> None:
    with silent_resolver() as dns:
        code, report = check_json(tmp_path, "taro@gmail.com", dns)
    assert causes(report) == ["NETWORK_OFFLINE"]
    assert code == 1


@pytest.mark.parametrize("kind", ["denying", "portal"])
def test_domain_shows_nothing_to_paste_behind_a_lying_resolver(
    tmp_path: Path, kind: str, request: pytest.FixtureRequest
) -> None:
    server: DnsServer = request.getfixturevalue(kind)
    code, out, _err = maildoctor(tmp_path, "domain", "gmail.com", "--dns", server.nameserver, "--json")
    document = json.loads(out)
    assert code == 3  # the domain could not be seen: no problem of the domain was found
    assert causes(document) == ["DNS_RESOLVER_BROKEN"]
    assert "mx" not in document and "spf" not in document
    code, out, _err = maildoctor(tmp_path, "domain", "gmail.com", "--dns", server.nameserver, "--lang", "en")
    assert code == 3
    assert "could not be seen from this network" in out
    assert "v=spf1" not in out and "v=DMARC1" not in out


def test_domain_on_a_healthy_resolver_still_finds_the_domain_missing(
    tmp_path: Path, healthy: DnsServer
) -> None:
    code, out, _err = maildoctor(
        tmp_path, "domain", "nothing-here.test", "--dns", healthy.nameserver, "--json"
    )
    assert code == 1
    assert "DNS_RESOLVER_BROKEN" not in causes(json.loads(out))


@pytest.mark.parametrize("kind", ["denying", "portal"])
def test_settings_says_nothing_is_known_only_when_the_resolver_can_be_trusted(
    tmp_path: Path, kind: str, request: pytest.FixtureRequest, healthy: DnsServer
) -> None:
    server: DnsServer = request.getfixturevalue(kind)
    args = ("settings", "taro@yamada-shoji.example.test", "--lang", "en", "--timeout", "8")
    code, out, err = maildoctor(tmp_path, *args, "--dns", server.nameserver)
    assert code == 3
    assert "DNS_RESOLVER_BROKEN" in err
    assert "could not be looked up from this network" in " ".join(err.split())
    assert "No settings were found" not in out + err
    code, out, err = maildoctor(tmp_path, *args, "--dns", healthy.nameserver)
    assert code == 1
    assert "No settings were found" in err and "DNS_RESOLVER_BROKEN" not in out + err


def test_the_quick_question_tells_a_silent_resolver_from_any_that_answers(
    denying: DnsServer, healthy: DnsServer
) -> None:
    with silent_resolver() as dns:
        assert not asyncio.run(resolver_answers((Nameserver.parse(dns),), within=0.6))
    for server in (denying, healthy):  # a liar is there all the same: not offline
        assert asyncio.run(resolver_answers((Nameserver.parse(server.nameserver),)))


def test_domain_with_no_dns_answering_could_not_run(tmp_path: Path) -> None:
    with silent_resolver() as dns:
        code, out, err = maildoctor(tmp_path, "domain", "gmail.com", "--dns", dns, "--lang", "en")
    assert code == 3
    assert "No DNS server answered" in err
    assert "v=spf1" not in out and "DOMAIN_NOT_RESOLVING" not in out


@pytest.mark.parametrize("kind", ["denying", "portal"])
def test_settings_of_a_known_provider_are_shown_but_not_called_confirmed(
    tmp_path: Path, kind: str, request: pytest.FixtureRequest
) -> None:
    server: DnsServer = request.getfixturevalue(kind)
    code, out, err = maildoctor(
        tmp_path, "settings", "taro@gmail.com", "--lang", "en", "--dns", server.nameserver
    )
    assert code == 3  # the settings are the provider's, but nothing could be tried from here
    assert "imap.gmail.com" in out and "smtp.gmail.com" in out
    assert "DNS_RESOLVER_BROKEN" in err
    assert "none of them could be tried from this network" in " ".join(err.split())
