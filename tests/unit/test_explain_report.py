"""The `maildoctor.explain/1` document for a pasted message or code, built in explain/report.py,
and the command that tells its causes apart (explain/confirm.py): pure, no CLI."""

from __future__ import annotations

import dataclasses

import pytest

from maildoctor.causes import CauseCode
from maildoctor.clients.guidance import Guidance
from maildoctor.clients.model import ClientId
from maildoctor.explain import explain_text
from maildoctor.explain.confirm import message_check, named_address
from maildoctor.explain.rank import recognised_client
from maildoctor.explain.reply import explain_reply
from maildoctor.explain.report import SCHEMA, filled, message_document, message_findings
from maildoctor.i18n import get_translator

LOGIN_FAILED = "Login to server imap.example.jp with username taro@example.jp failed."


def document(text: str, guidance: Guidance | None = None, *, recognise: bool = False) -> dict[str, object]:
    explanation, reply = explain_text(text), explain_reply(text)
    findings = message_findings(explanation, reply)
    first = CauseCode(findings[0].cause) if findings else None
    return message_document(
        explanation,
        reply,
        findings,
        message_check(explanation, reply, first),
        get_translator("en"),
        guidance=guidance or Guidance(None),
        recognition=recognised_client(explanation) if recognise else None,
        origin="argument",
        truncated=False,
    )


def test_a_code_document_has_the_keys_of_interface_md_in_order() -> None:
    doc = document("0x800CCC0F")
    assert list(doc) == [
        "schema",
        "kind",
        "findings",
        "recipients",
        "matches",
        "unknown_codes",
        "check",
        "input",
    ]
    assert doc["schema"] == SCHEMA == "maildoctor.explain/1"
    assert doc["kind"] == "code"
    assert doc["input"] == {"origin": "argument", "truncated": False}
    findings = doc["findings"]
    assert isinstance(findings, list)
    assert [item["cause"] for item in findings][:2] == ["PORT_SECURITY_MISMATCH", "PORT_BLOCKED"]


def test_a_server_reply_adds_smtp_reply_and_leads_the_causes() -> None:
    doc = document("550 5.7.26 DMARC policy")
    assert doc["kind"] == "message"
    reply = doc["smtp_reply"]
    assert isinstance(reply, dict)
    assert (reply["reply_code"], reply["status"]) == ("550", "5.7.26")
    assert reply["causes"][0] == "DMARC_FAIL"
    assert doc["check"] == "maildoctor domain YOUR-DOMAIN"  # a domain-side first cause


def test_the_program_named_by_option_or_recognised() -> None:
    named = document(LOGIN_FAILED, Guidance(ClientId.IPHONE))
    assert (named["client"], named["client_from"]) == ("iphone", "option")
    told = document("0x800CCC0F", Guidance(ClientId.OUTLOOK_CLASSIC), recognise=True)
    assert (told["client"], told["client_from"]) == ("outlook-classic", "code")
    assert "client" not in document(LOGIN_FAILED)


@pytest.mark.parametrize(
    ("text", "check"),
    [
        (LOGIN_FAILED, "maildoctor check taro@example.jp --incoming imaps://SERVER:993"),
        (
            "NO [AUTHENTICATIONFAILED] Invalid credentials",
            "maildoctor check ADDRESS --incoming imaps://SERVER:993",
        ),
        ("-ERR [AUTH] Authentication failed", "maildoctor check ADDRESS --incoming pop3s://SERVER:995"),
        ("words nobody knows", "maildoctor check ADDRESS --outgoing smtp+starttls://SERVER:587"),
    ],
)
def test_the_check_that_tells_the_causes_apart(text: str, check: str) -> None:
    assert document(text)["check"] == check


def test_a_named_address_must_look_like_one() -> None:
    match = explain_text(LOGIN_FAILED).matches[0]
    assert named_address(match) == "taro@example.jp"
    for account in ("taro @example.jp", "taro@example.jp\x1b", "taro.example.jp"):
        assert named_address(dataclasses.replace(match, values={"account": account})) is None


def test_filled_puts_the_matched_parts_back() -> None:
    assert filled("Login to {server} failed ({account})", {"server": "imap.example.jp"}) == (
        "Login to imap.example.jp failed (…)"
    )
    assert filled(None, {}) is None
