"""Verification's pure parts: when a server answers as described, and certificate-name suggestions."""

from maildoctor.discover.candidates import ServerCandidate, Source
from maildoctor.discover.verify import answers_as_described, certificate_suggestion, with_suggestions
from maildoctor.facts import GreetingKind, SessionFacts, TlsSummary
from maildoctor.model import Endpoint, Protocol, Security, ServerRole

TYPED = ServerCandidate(
    Protocol.IMAP, "mail.shop.example", 993, Security.SSL, "a@shop.example", source=Source.MX
)
SMTP = ServerCandidate(
    Protocol.SMTP, "mail.shop.example", 465, Security.SSL, "a@shop.example", source=Source.MX
)


def session(tls: TlsSummary | None, greeting: GreetingKind = GreetingKind.OK) -> SessionFacts:
    endpoint = Endpoint(Protocol.IMAP, "mail.shop.example", 993, Security.SSL)
    return SessionFacts(ServerRole.INCOMING, endpoint, greeting_kind=greeting, tls=tls)


GOOD = TlsSummary("TLSv1.3", "x", None)
OTHER_NAME = TlsSummary(
    "TLSv1.3",
    "x",
    None,
    verify_error="name_mismatch",
    name_matches=False,
    subject_names=("sv1234.rental.example",),
    suggested_host="SV1234.rental.example.",
)


def test_a_certificate_for_another_name_is_not_as_described() -> None:
    assert answers_as_described(session(GOOD), Security.SSL)
    assert not answers_as_described(session(OTHER_NAME), Security.SSL)
    assert not answers_as_described(session(GOOD, GreetingKind.REFUSING), Security.SSL)
    assert answers_as_described(session(None), Security.NONE)
    assert not answers_as_described(session(None), Security.SSL)


def test_the_certificate_name_is_suggested_normalised() -> None:
    assert certificate_suggestion(session(OTHER_NAME), "mail.shop.example") == "sv1234.rental.example"
    assert certificate_suggestion(session(GOOD), "mail.shop.example") is None
    assert certificate_suggestion(session(None), "mail.shop.example") is None
    failed = TlsSummary(None, None, "handshake", name_matches=False, suggested_host="sv1.rental.example")
    assert certificate_suggestion(session(failed), "mail.shop.example") is None


def test_the_suggested_name_goes_first_and_the_typed_one_keeps_the_hint() -> None:
    key = ("imap", "mail.shop.example", 993, "ssl")
    result = with_suggestions((TYPED,), {key: "sv1234.rental.example"})
    assert [(c.host, c.certificate_host) for c in result] == [
        ("sv1234.rental.example", None),
        ("mail.shop.example", "sv1234.rental.example"),
    ]
    assert result[0].port == 993 and result[0].source == Source.MX and not result[0].verified
    # a candidate without a suggestion is left alone
    assert with_suggestions((SMTP,), {key: "sv1234.rental.example"}) == (SMTP,)


def test_a_suggested_name_already_among_the_candidates_is_not_repeated() -> None:
    known = ServerCandidate(
        Protocol.IMAP, "sv1234.rental.example", 993, Security.SSL, "a@shop.example", source=Source.PROVIDER
    )
    key = ("imap", "mail.shop.example", 993, "ssl")
    result = with_suggestions((known, TYPED), {key: "sv1234.rental.example"})
    assert [c.host for c in result] == ["sv1234.rental.example", "mail.shop.example"]


def test_names_no_mail_program_could_use_are_not_suggested() -> None:
    for name in ("localhost", "127.0.0.1", "mailhost", "::1"):
        tls = TlsSummary("TLSv1.3", "x", None, name_matches=False, suggested_host=name)
        assert certificate_suggestion(session(tls), "mail.shop.example") is None, name
