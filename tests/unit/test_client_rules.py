"""The two rules issue 7 added: POP's delete risk (with --client) and the provider's password page."""

from __future__ import annotations

import pytest

from maildoctor.clients import ClientId
from maildoctor.clients.guidance import Guidance
from maildoctor.facts import DiagnosisFacts, ServerFacts, SettingsKnowledge
from maildoctor.i18n import get_translator
from maildoctor.knowledge import render_finding
from maildoctor.knowledge_data import causes_marked
from maildoctor.model import Evidence, Finding, ServerRole, Severity, parse_server_url
from maildoctor.rules.base import finding
from maildoctor.rules.password import with_password_page
from maildoctor.rules.pop import pop_delete_risk

PAGE = "https://myaccount.google.com/apppasswords"


def facts(
    incoming: str, client: str | None, outgoing: str = "smtp+starttls://smtp.example.jp:587"
) -> DiagnosisFacts:
    servers = (
        ServerFacts(ServerRole.OUTGOING, parse_server_url(outgoing), "taro@example.jp"),
        ServerFacts(ServerRole.INCOMING, parse_server_url(incoming), "taro@example.jp"),
    )
    return DiagnosisFacts(address="taro@example.jp", domain="example.jp", servers=servers, client=client)


# ------------------------------------------------------------------ POP_DELETE_RISK


@pytest.mark.parametrize("url", ["pop3s://pop.example.jp:995", "pop3+starttls://pop.example.jp:110"])
def test_pop3_with_a_client_is_one_warning(url: str) -> None:
    found = pop_delete_risk(facts(url, ClientId.OUTLOOK_CLASSIC.value))
    assert len(found) == 1
    item = found[0]
    assert item.cause == "POP_DELETE_RISK"
    assert item.severity == Severity.WARNING
    assert item.server == ServerRole.INCOMING
    assert item.param("role") == "incoming"
    evidence = item.evidence[0]
    assert isinstance(evidence, Evidence)
    values = dict(evidence.values)
    assert values["host"] == "pop.example.jp"
    assert values["port"] == url.rsplit(":", 1)[1]


def test_imap_is_no_risk() -> None:
    assert pop_delete_risk(facts("imaps://imap.example.jp:993", ClientId.IPHONE.value)) == []


def test_without_a_client_pop3_says_nothing() -> None:
    # the program's default decides whether mail leaves the server; unknown without --client
    assert pop_delete_risk(facts("pop3s://pop.example.jp:995", None)) == []


def test_no_servers_no_risk() -> None:
    empty = DiagnosisFacts(address="taro@example.jp", domain="example.jp", client=ClientId.IPHONE.value)
    assert pop_delete_risk(empty) == []


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_pop_delete_risk_shows_the_programs_switch(lang: str) -> None:
    item = pop_delete_risk(facts("pop3s://pop.example.jp:995", ClientId.OUTLOOK_CLASSIC.value))[0]
    rendered = render_finding(
        item, get_translator(lang), Guidance(ClientId.OUTLOOK_CLASSIC, "taro@example.jp")
    )
    first = rendered.where[0]
    assert first, rendered
    # Outlook's own check box, and its default (remove after 14 days) beside it
    label = "サーバーにメッセージのコピーを置く" if lang == "ja" else "Leave a copy of messages on the server"
    assert label in first[0]
    assert "14" in " ".join(first[1:])


# ------------------------------------------------------------------ the password page


def auth_findings() -> list[Finding]:
    return [
        finding("AUTH_FAILED", ServerRole.INCOMING, {"role": "incoming", "host": "imap.gmail.com"}),
        finding("APP_PASSWORD_REQUIRED", ServerRole.OUTGOING, {"role": "outgoing", "host": "smtp.gmail.com"}),
        finding("ACCOUNT_LOCKED", ServerRole.INCOMING, {"role": "incoming", "host": "imap.gmail.com"}),
        finding(
            "PORT_CLOSED", ServerRole.OUTGOING, {"role": "outgoing", "host": "smtp.gmail.com", "port": 25}
        ),
        finding(
            "USERNAME_FORM", ServerRole.INCOMING, {"role": "incoming", "right_username": "taro@gmail.com"}
        ),
    ]


def test_the_page_and_provider_go_only_to_the_password_causes() -> None:
    before = auth_findings()
    after = with_password_page(before, SettingsKnowledge(provider="Gmail", password_page=PAGE))
    assert [item.cause for item in after] == [item.cause for item in before]  # same order, none added
    for old, new in zip(before, after, strict=True):
        if new.cause in causes_marked("password_page"):
            assert new.param("password_page") == PAGE
            assert new.param("provider") == "Gmail"
            assert set(old.params) <= set(new.params)  # nothing of the finding's own is lost
        else:
            assert new == old
    assert {item.cause for item in after if item.param("password_page")} == {
        "AUTH_FAILED",
        "APP_PASSWORD_REQUIRED",
        "ACCOUNT_LOCKED",
    }


def test_without_a_provider_name_only_the_page_is_added() -> None:
    after = with_password_page(auth_findings(), SettingsKnowledge(password_page=PAGE))
    assert after[0].param("password_page") == PAGE
    assert after[0].param("provider") is None


@pytest.mark.parametrize(
    "settings",
    [None, SettingsKnowledge(), SettingsKnowledge(provider="Gmail"), SettingsKnowledge(password_page="")],
    ids=["no-settings", "nothing-known", "provider-only", "empty-page"],
)
def test_without_a_page_nothing_changes(settings: SettingsKnowledge | None) -> None:
    before = auth_findings()
    assert with_password_page(before, settings) == before


def test_a_provider_the_finding_already_names_is_kept() -> None:
    named = finding("AUTH_FAILED", ServerRole.INCOMING, {"role": "incoming", "provider": "Google"})
    after = with_password_page([named], SettingsKnowledge(provider="Gmail", password_page=PAGE))[0]
    assert [value for key, value in after.params if key == "provider"] == ["Google"]
    assert after.param("password_page") == PAGE


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ja", "https://myaccount.google.com/apppasswords"),
        ("en", "Look up or reset the password on the Gmail page: https://myaccount.google.com/apppasswords"),
    ],
)
def test_the_page_step_is_then_shown(lang: str, expected: str) -> None:
    plain = auth_findings()[0]
    without = render_finding(plain, get_translator(lang))
    assert not any(PAGE in step for step in without.fix)  # no page: the step is left out
    item = with_password_page([plain], SettingsKnowledge(provider="Gmail", password_page=PAGE))[0]
    rendered = render_finding(item, get_translator(lang), Guidance(ClientId.IPHONE, "taro@gmail.com"))
    assert len(rendered.fix) == len(without.fix) + 1
    step = rendered.fix[0]
    assert expected in step
    if lang == "ja":
        assert "Gmail" in step and "パスワード" in step
    assert rendered.where[0] == ()  # a web page, not a setting in the mail program


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("cause", sorted(causes_marked("password_page")))
def test_every_password_cause_shows_the_page(cause: str, lang: str) -> None:
    item = finding(cause, ServerRole.INCOMING, {"role": "incoming", "host": "imap.gmail.com"})
    item = with_password_page([item], SettingsKnowledge(provider="Gmail", password_page=PAGE))[0]
    rendered = render_finding(item, get_translator(lang))
    assert sum(PAGE in step for step in rendered.fix) == 1, rendered.fix


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_mismatch_on_the_right_port_does_not_ask_to_change_the_port(lang: str) -> None:
    item = finding(
        "PORT_SECURITY_MISMATCH",
        ServerRole.INCOMING,
        {
            "role": "incoming",
            "host": "imap.example.jp",
            "port": 993,
            "typed_security": "starttls",
            "right_port": 993,  # what security_mismatch() sets in this case
            "right_security": "ssl",
        },
    )
    fix = render_finding(item, get_translator(lang)).fix
    assert not any("993 to 993" in step or "993 から 993" in step for step in fix), fix
