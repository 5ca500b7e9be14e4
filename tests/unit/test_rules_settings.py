"""Typed settings against the right ones: retired servers, the user-name form, unconfirmed discoveries."""

from __future__ import annotations

import dataclasses

from maildoctor.check_request import CheckRequest
from maildoctor.checkplan import pick, plan_settings
from maildoctor.discover.candidates import DiscoveredSettings, ServerCandidate, Source
from maildoctor.facts import (
    DiagnosisFacts,
    ExpectedServer,
    GreetingKind,
    LoginFacts,
    LoginOutcome,
    RetiredMatch,
    ServerFacts,
    SessionFacts,
    SettingsKnowledge,
)
from maildoctor.model import Endpoint, Protocol, Security, ServerRole, Severity
from maildoctor.rules.engine import evaluate
from maildoctor.rules.settings import nearest_host, other_form, settings_findings

ADDRESS = "taro@example.jp"
TYPED = Endpoint(Protocol.IMAP, "imap.example.jp", 993, Security.SSL)
RIGHT = ExpectedServer(ServerRole.INCOMING, TYPED, "taro", "provider", verified=True)


def server(
    login: LoginOutcome | None, username: str = ADDRESS, greeting: GreetingKind = GreetingKind.OK
) -> ServerFacts:
    session = SessionFacts(
        ServerRole.INCOMING,
        TYPED,
        greeting_kind=greeting,
        login=None if login is None else LoginFacts(login),
    )
    return ServerFacts(ServerRole.INCOMING, TYPED, username, session=session)


def facts(*servers: ServerFacts, **knowledge: object) -> DiagnosisFacts:
    return DiagnosisFacts(ADDRESS, "example.jp", servers, settings=SettingsKnowledge(**knowledge))  # type: ignore[arg-type]


# ------------------------------------------------------------------ nearest host name


def test_a_typo_of_a_known_host_is_found() -> None:
    known = ("imap.gmail.com", "smtp.gmail.com", "outlook.office365.com")
    assert nearest_host("imap.gmial.com", known) == "imap.gmail.com"  # two letters swapped
    assert nearest_host("IMAP.GMAIL.CO", known) == "imap.gmail.com"  # one letter missing
    assert nearest_host("outlook.office356.com", known) == "outlook.office365.com"


def test_names_far_from_every_known_host_get_no_suggestion() -> None:
    known = ("imap.gmail.com", "mail.example.jp")
    assert nearest_host("pop.provider.example", known) is None
    assert nearest_host("imap.gmail.com", known) is None  # the same name is no typo
    assert nearest_host("mx.ab", ("my.ab", "mx.abc")) in ("my.ab", "mx.abc")
    assert nearest_host("a.jp", ("b.cd",)) is None
    assert nearest_host("mail.%EMAILDOMAIN%", ("mail.%EMAILDOMAIN%x",)) is None


def test_other_form_is_local_part_against_address_only() -> None:
    assert other_form("taro", ADDRESS, ADDRESS)
    assert other_form("Taro@Example.jp", "taro", ADDRESS)
    assert not other_form("taro", "taro", ADDRESS)
    assert not other_form("hanako", ADDRESS, ADDRESS)


# ------------------------------------------------------------------ findings


def test_a_retired_server_is_outdated_and_an_error_when_it_does_not_answer() -> None:
    retired = RetiredMatch(
        ServerRole.INCOMING, "Old ISP", "pop.old.jp", 110, "pop.new.jp", 995, Security.SSL, "2024"
    )
    silent = server(None, greeting=GreetingKind.NONE)
    (found,) = settings_findings(facts(silent, retired=(retired,)))
    assert found.cause == "SETTINGS_OUTDATED" and found.severity == Severity.ERROR
    params = dict(found.params)
    assert (params["typed_host"], params["right_host"], params["right_port"]) == (
        "pop.old.jp",
        "pop.new.jp",
        "995",
    )
    (working,) = settings_findings(facts(server(LoginOutcome.SUCCESS), retired=(retired,)))
    assert working.severity == Severity.WARNING


def test_the_wrong_user_name_form_is_an_error_when_the_login_was_refused() -> None:
    refused = settings_findings(facts(server(LoginOutcome.REFUSED), expected=(RIGHT,), username_typed=True))
    assert [(f.cause, f.severity) for f in refused] == [("USERNAME_FORM", Severity.ERROR)]
    assert dict(refused[0].params)["right_username"] == "taro"
    untried = settings_findings(facts(server(None), expected=(RIGHT,), username_typed=True))
    assert [(f.cause, f.severity) for f in untried] == [("USERNAME_FORM", Severity.WARNING)]


def test_no_user_name_finding_when_the_server_takes_it_or_nothing_speaks_for_the_provider() -> None:
    assert (
        settings_findings(facts(server(LoginOutcome.SUCCESS), expected=(RIGHT,), username_typed=True)) == []
    )
    guessed = dataclasses.replace(RIGHT, source="guess")
    assert (
        settings_findings(facts(server(LoginOutcome.REFUSED), expected=(guessed,), username_typed=True)) == []
    )
    # no --user: the address was assumed; only a refusal makes the form suspect
    assert settings_findings(facts(server(None), expected=(RIGHT,))) == []
    assert (
        settings_findings(facts(server(LoginOutcome.REFUSED), expected=(RIGHT,)))[0].cause == "USERNAME_FORM"
    )


def test_the_user_name_form_explains_the_refused_login() -> None:
    refused = server(LoginOutcome.REFUSED)
    findings = evaluate(facts(refused, expected=(RIGHT,), username_typed=True))
    causes = [(f.cause, f.consequence_of) for f in findings]
    assert causes[0] == ("USERNAME_FORM", None)


def test_a_filled_server_found_elsewhere_asks_for_confirmation() -> None:
    elsewhere = dataclasses.replace(RIGHT, needs_consent=True, source="autoconfig")
    found = settings_findings(
        facts(server(None), expected=(elsewhere,), filled=frozenset({ServerRole.INCOMING}))
    )
    assert [f.cause for f in found] == ["SETTINGS_UNCONFIRMED"]
    assert dict(found[0].params)["url"] == "imaps://imap.example.jp:993"
    # typed on purpose: that is the consent
    assert settings_findings(facts(server(None), expected=(elsewhere,))) == []


# ------------------------------------------------------------------ filling in


def candidate(
    host: str, *, verified: bool = False, consent: bool = False, protocol: Protocol = Protocol.IMAP
) -> ServerCandidate:
    port = {Protocol.IMAP: 993, Protocol.POP3: 995, Protocol.SMTP: 465}[protocol]
    return ServerCandidate(
        protocol,
        host,
        port,
        Security.SSL,
        "taro",
        source=Source.AUTOCONFIG,
        verified=verified,
        needs_consent=consent,
    )


def test_pick_prefers_confirmed_servers_that_need_no_consent() -> None:
    first, confirmed, elsewhere = (
        candidate("a.jp"),
        candidate("b.jp", verified=True),
        candidate("c.jp", verified=True, consent=True),
    )
    assert pick([first, confirmed, elsewhere]) == confirmed
    assert pick([elsewhere, first]) == first
    assert pick([elsewhere]) == elsewhere
    assert pick([candidate("pop.jp", protocol=Protocol.POP3), first], Protocol.POP3).host == "pop.jp"
    assert pick([]) is None


def test_plan_fills_only_what_was_not_given() -> None:
    discovered = DiscoveredSettings(
        ADDRESS,
        None,
        (candidate("imap.example.jp", verified=True),),
        (candidate("smtp.elsewhere.jp", consent=True, protocol=Protocol.SMTP),),
    )
    typed_incoming = Endpoint(Protocol.POP3, "pop.example.jp", 995, Security.SSL)
    plan = plan_settings(CheckRequest(ADDRESS, incoming=typed_incoming), discovered)
    assert plan.request.incoming == typed_incoming
    assert plan.request.outgoing == Endpoint(Protocol.SMTP, "smtp.elsewhere.jp", 465, Security.SSL)
    assert plan.filled == frozenset({ServerRole.OUTGOING})
    assert plan.consent_needed == frozenset({ServerRole.OUTGOING})
    assert plan.usernames == {ServerRole.OUTGOING: "taro"}
    with_user = plan_settings(CheckRequest(ADDRESS, username="taro@example.jp"), discovered)
    assert with_user.usernames == {} and with_user.filled == frozenset(ServerRole) - {
        ServerRole.INPUT,
        ServerRole.DOMAIN,
    }
    assert plan_settings(CheckRequest(ADDRESS), None).filled == frozenset()


# ------------------------------------------------------------------ the memo's comparison (no probe)


def test_compare_typed_names_retired_servers_user_name_form_and_impossible_pairs() -> None:
    from maildoctor.checkplan import compare_typed
    from maildoctor.discover.candidates import ProviderInfo
    from maildoctor.model import MailSettings

    address = "hanako@outlook.jp"
    imap = ServerCandidate(
        Protocol.IMAP, "outlook.office365.com", 993, Security.SSL, address, source=Source.PROVIDER
    )
    smtp = ServerCandidate(
        Protocol.SMTP, "smtp-mail.outlook.com", 587, Security.STARTTLS, address, source=Source.PROVIDER
    )
    discovered = DiscoveredSettings(address, ProviderInfo("outlook-com", "Outlook.com"), (imap,), (smtp,))
    typed = MailSettings(
        Endpoint(Protocol.POP3, "pop3.live.com", 995, Security.SSL),
        Endpoint(Protocol.SMTP, "smtp-mail.outlook.com", 587, Security.SSL),
        "hanako",
    )
    found = {(f.cause, f.server) for f in compare_typed(typed, address, discovered)}
    assert found == {
        ("SETTINGS_OUTDATED", ServerRole.INCOMING),
        ("USERNAME_FORM", ServerRole.OUTGOING),
        ("PORT_SECURITY_MISMATCH", ServerRole.OUTGOING),
    }
    right = MailSettings(
        imap_endpoint := Endpoint(Protocol.IMAP, "outlook.office365.com", 993, Security.SSL), None, address
    )
    assert imap_endpoint.port == 993
    assert compare_typed(right, address, discovered) == ()
