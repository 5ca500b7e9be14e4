"""The scenario format: every shipped scenario loads, and mistakes in a file are named clearly."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from maildoctor.causes import EXTENSIONS
from maildoctor_lab.scenario import ScenarioError, load_scenarios, parse_scenario

SCENARIOS = Path(__file__).parents[1] / "scenarios"
CAUSES_SPEC = Path(__file__).parents[3] / "shared" / "spec" / "causes.md"


def _parse(text: str) -> object:
    return parse_scenario(tomllib.loads(text), "inline")


def test_every_shipped_scenario_loads_and_expects_known_causes() -> None:
    scenarios = load_scenarios(SCENARIOS)
    assert len(scenarios) >= 10
    known = CAUSES_SPEC.read_text() if CAUSES_SPEC.exists() else None
    for scenario in scenarios:
        assert scenario.expect, f"{scenario.name} expects no cause"
        assert scenario.description
        if known is not None:
            for cause in scenario.expect:
                assert f"`{cause}`" in known or cause in EXTENSIONS, f"{scenario.name}: {cause} is unknown"


def test_a_full_description_parses_into_typed_parts() -> None:
    scenario = _parse(
        """
        [scenario]
        description = "d"
        expect = ["PORT_BLOCKED"]
        [account]
        address = "a@example.test"
        password = "pw"
        outgoing = "smtp+starttls://mail.example.test:{submission}"
        no_outgoing_auth = true
        [dovecot]
        certificate = "expired"
        max_userip_connections = 2
        users = [{ name = "a", password = "pw", quota = "5K" }]
        mailbox = [{ user = "a", messages = 2 }]
        [postfix]
        [interception]
        port = "submission"
        [[firewall]]
        port = "submission"
        action = "drop"
        [dns]
        servfail = ["broken.test"]
        [dns.zones."example.test"]
        records = ["@ MX 10 mail"]
        [https.sites."autoconfig.example.test"]
        "/mail/config-v1.1.xml" = "<clientConfig/>"
        """
    )
    assert scenario.account.no_outgoing_auth is True  # type: ignore[attr-defined]
    assert scenario.dovecot.certificate == "expired"  # type: ignore[attr-defined]
    assert scenario.dovecot.options.max_userip_connections == 2  # type: ignore[attr-defined]
    assert scenario.dovecot.options.users[0].quota == "5K"  # type: ignore[attr-defined]
    assert scenario.dovecot.mailbox[0].messages == 2  # type: ignore[attr-defined]
    assert scenario.needs_netns is True  # type: ignore[attr-defined]
    assert scenario.dns.zones == (("example.test", ("@ MX 10 mail",)),)  # type: ignore[attr-defined]
    assert scenario.dns.servfail == ("broken.test",)  # type: ignore[attr-defined]
    assert scenario.https_sites == (  # type: ignore[attr-defined]
        ("autoconfig.example.test", (("/mail/config-v1.1.xml", "<clientConfig/>"),)),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[account]\naddress = "a@b.test"\n[dovecott]\n', "unknown keys \\['dovecott'\\]"),
        ("[scenario]\n", "needs an address"),
        ('[account]\naddress = "a@b.test"\nbogus = 1\n', "unknown keys \\['bogus'\\]"),
        (
            '[account]\naddress = "a@b.test"\n[dovecot]\ncertificate = "pretty"\n',
            "certificate must be one of",
        ),
        ('[account]\naddress = "a@b.test"\n[dovecot]\nmaxconn = 3\n', "unknown keys \\['maxconn'\\]"),
        ('[account]\naddress = "a@b.test"\n[postfix]\n', "needs \\[dovecot\\]"),
        (
            '[account]\naddress = "a@b.test"\n[[firewall]]\nport = "smtp"\naction = "block"\n',
            "drop or reject",
        ),
        ('[account]\naddress = "a@b.test"\n[interception]\nport = "http"\n', "one of the mail ports"),
    ],
)
def test_mistakes_are_named(text: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        _parse(text)
