"""`maildoctor domain` on the lab's real DNS (Unbound) and HTTPS (nginx) servers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from maildoctor_lab.scenario import load_scenario, run_scenario

pytestmark = [pytest.mark.lab, pytest.mark.netns, pytest.mark.usefixtures("netns_ready")]

WORLDS = Path(__file__).parents[1] / "domain_worlds"


def domain(world: str, name: str, *extra: str) -> tuple[int, dict[str, Any], str]:
    scenario = load_scenario(WORLDS / world)
    completed = run_scenario(
        scenario,
        ["maildoctor", "domain", name, "--dns", "{dns}", "--ca-file", "{ca_file}", "--json", *extra],
        namespace=True,
        stdin="",
    )
    try:
        return completed.returncode, json.loads(completed.stdout), completed.stderr
    except ValueError:
        pytest.fail(f"no JSON (exit {completed.returncode}):\n{completed.stdout}\n{completed.stderr}")


def problems(report: dict[str, Any]) -> set[str]:
    return {item["params"].get("problem", "") for item in report["findings"]}


def test_a_domain_with_its_sending_side_in_order() -> None:
    _code, report, _stderr = domain("good.toml", "good-shop.test", "--sender-ip", "192.0.2.25")
    assert report["schema"] == "maildoctor.domain/1"
    assert report["domain"] == "good-shop.test"
    assert report["mx"] == [{"host": "mail.good-shop.test", "preference": 10, "addresses": ["192.0.2.25"]}]
    assert report["spf"] == {
        "record": "v=spf1 ip4:192.0.2.25 -all",
        "sender_ip": "192.0.2.25",
        "result": "pass",
        "explanation": None,
        "lookups": 0,
        "void_lookups": 0,
    }
    assert report["dmarc"] == {
        "record": "v=DMARC1; p=reject; rua=mailto:dmarc@good-shop.test",
        "policy": "reject",
        "organizational_domain": "good-shop.test",
    }
    assert [key["selector"] for key in report["dkim"]["keys"]] == ["google"]
    assert report["dkim"]["keys"][0]["usable"] and report["dkim"]["keys"][0]["key_bits"] == 2048
    assert report["mta_sts"]["mode"] == "enforce"
    assert report["mta_sts"]["mx_covered"] == {"mail.good-shop.test": True}
    causes = {item["cause"] for item in report["findings"]}
    assert not causes & {"SPF_FAIL", "DMARC_FAIL", "DKIM_MISSING", "MTA_STS_BROKEN"}, report["findings"]


def test_a_broken_domain_names_the_include_over_the_limit_and_what_to_paste() -> None:
    code, report, stderr = domain(
        "broken.toml", "broken-shop.test", "--sender-ip", "192.0.2.26", "--lang", "en"
    )
    assert code == 1, stderr
    # the sender matches before the limit is reached: check_host passes it...
    assert report["spf"]["result"] == "pass"
    # ...but a sender no term matches makes receivers stop at the 11th lookup
    found = problems(report)
    assert {"spf:too-many-lookups", "dmarc:no_record", "dkim:no_key_found"} <= found, found
    spf = next(f for f in report["findings"] if f["params"].get("problem") == "spf:too-many-lookups")
    assert spf["cause"] == "SPF_FAIL" and spf["severity"] == "error"
    assert spf["params"]["include"] == "include:big.broken-shop.test"
    dmarc = next(f for f in report["findings"] if f["params"].get("problem") == "dmarc:no_record")
    assert dmarc["params"]["suggested_record"].startswith("v=DMARC1; p=none; rua=mailto:")
    assert any("v=DMARC1; p=none" in step for step in dmarc["fix"])
    assert report["verdict"] == "problems"


def test_a_sender_the_record_does_not_allow_fails_with_the_record_to_paste() -> None:
    code, report, stderr = domain("good.toml", "good-shop.test", "--sender-ip", "192.0.2.99")
    assert code == 1, stderr
    assert report["spf"]["result"] == "fail"
    failed = next(f for f in report["findings"] if f["params"].get("problem") == "spf-result:fail")
    assert failed["params"]["suggested_record"] == "v=spf1 ip4:192.0.2.25 ip4:192.0.2.99 -all"
