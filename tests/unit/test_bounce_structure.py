"""The bounce reader's structural stages, its phrase stage and the phrase table (issue 13).

Structure first: the Action, the providers' documented codes, the SMTP step, the RFC 3463
detail; then the words (general wordings, then a table fitted from labelled bounces), which
never overrule a detail that names the problem.
"""

from __future__ import annotations

import pytest

from maildoctor.discover.curated import load_curated
from maildoctor.explain.bounce_phrases import (
    Phrase,
    PhraseTable,
    fit_phrases,
    ngrams,
    phrase_reason,
    server_words,
    table_from_json,
    table_to_json,
)
from maildoctor.explain.bounce_provider import provider_of
from maildoctor.explain.bounce_reason import classify, smtp_command
from maildoctor.explain.bounce_status import reason_from_status, specific_status_reason

# a phrase no general rule knows, so only a fitted table can read it
_TABLE = PhraseTable({"frobnicated": Phrase("mailboxfull", 1.0, 3)})


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("5.1.1", "userunknown"),
        ("5.2.2", "mailboxfull"),
        ("4.2.2", "mailboxfull"),
        ("5.7.26", "authfailure"),
        ("5.7.25", "requireptr"),
        ("5.1.10", "notaccept"),
        ("5.3.4", "mesgtoobig"),
        ("5.0.0", None),  # catch-alls name nothing
        ("5.7.1", None),
        ("5.7.0", None),
        ("2.1.5", None),
        ("", None),
        ("5.1", None),
    ],
)
def test_specific_rfc3463_details(status: str, reason: str | None) -> None:
    assert specific_status_reason(status) == reason


def test_the_class_and_subject_of_a_vague_status() -> None:
    assert reason_from_status("4.4.0") == "networkerror"
    assert reason_from_status("5.7.1") is None  # refused for policy: used for anything
    assert reason_from_status("2.0.0") == "delivered"


@pytest.mark.parametrize(
    ("text", "step"),
    [
        ("SMTP error from remote mail server after MAIL FROM:<a@example.jp>: 550 5.1.0 no", "MAIL"),
        ("host mx.example.jp said: 550 5.1.1 <b@example.jp> (in reply to RCPT TO command)", "RCPT"),
        ("said: 554 5.7.0 rejected (in reply to end of DATA command)", "DATA"),
        ("connect to mx.example.jp[192.0.2.1]: server refused to talk to me: 421 busy", "CONN"),
        ("554 mx.example.jp ESMTP not accepting connections", "CONN"),
        ("550 5.1.1 unknown user", ""),
    ],
)
def test_the_smtp_step(text: str, step: str) -> None:
    assert smtp_command(text) == step


def test_the_action_delivered_is_not_a_failure_whatever_the_words() -> None:
    assert classify("250 2.0.0 mailbox full but delivered", "2.0.0", "250", "delivered") == "delivered"
    assert classify("", "", "", "relayed") == "delivered"


def test_a_refusal_at_mail_from_is_about_the_sender_even_with_recipient_words() -> None:
    text = "SMTP error from remote mail server after MAIL FROM:<a@example.jp>: 550 5.1.1 User unknown"
    assert classify(text, "5.1.1", "550") == "rejected"


def test_a_refusal_at_mail_from_keeps_a_sender_side_reason() -> None:
    text = "after MAIL FROM:<a@example.jp>: 550 5.7.1 Client host blocked using zen.spamhaus.org"
    assert classify(text, "5.7.1", "550") == "blocked"


def test_a_refused_greeting_is_the_sending_server_blocked() -> None:
    text = (
        "delivery temporarily suspended: connect to mx.example.jp[192.0.2.1]: "
        "server refused to talk to me: 421"
    )
    assert classify(text, "4.0.0", "421", "delayed") == "blocked"


def test_a_specific_detail_wins_over_a_fitted_phrase() -> None:
    assert classify("550 5.1.1 frobnicated", "5.1.1", "550", phrases=_TABLE) == "userunknown"
    # where the status is vague, the fitted phrase speaks
    assert classify("550 5.0.0 frobnicated", "5.0.0", "550", phrases=_TABLE) == "mailboxfull"
    assert classify("550 5.0.0 frobnicated", "5.0.0", "550", phrases=PhraseTable()) == "onhold"


def test_a_general_wording_wins_over_a_contradicting_detail() -> None:
    # Google's rate limit is written with X.2.1 ("mailbox disabled" in RFC 3463)
    text = "550-5.2.1 The user you are trying to contact is receiving mail at a rate that prevents"
    assert classify(text, "5.2.1", "550") == "speeding"


def test_microsofts_541_is_an_unknown_recipient() -> None:
    text = "550 5.4.1 Recipient address rejected: Access denied. AS(201806281)"
    assert classify(text, "5.4.1", "550") == "userunknown"
    assert specific_status_reason("5.4.1") is None  # RFC 3463 alone would not say so


def test_a_refusal_at_rcpt_without_words_is_about_the_mailbox() -> None:
    text = "mx.example.jp did not like our RCPT TO: 550 sorry"
    assert classify(text, "", "550", phrases=PhraseTable()) == "userunknown"


def test_a_delay_given_up_on_without_words_is_expired() -> None:
    assert classify("", "4.0.0", "", "delayed", phrases=PhraseTable()) == "expired"


def test_the_phrase_stage_seam() -> None:
    assert phrase_reason("", "", "", _TABLE) is None
    assert phrase_reason("5.0.0", "552 Mailbox full", "gmail", PhraseTable()) == "mailboxfull"
    assert phrase_reason("5.0.0", "550 frobnicated", "", _TABLE) == "mailboxfull"
    assert phrase_reason("5.1.1", "550 frobnicated", "", _TABLE) is None


def test_ngrams_leave_out_addresses_hosts_and_numbers() -> None:
    grams = ngrams("550 5.1.1 <taro@example.jp>: mailbox frobnicated on mx1.example.jp [192.0.2.1]")
    assert "mailbox frobnicated" in grams
    assert not any("example" in gram or "taro" in gram or any(c.isdigit() for c in gram) for gram in grams)


def test_server_words_start_at_the_reply() -> None:
    prose = "This message was created automatically by mail delivery software. host mx [192.0.2.1]: "
    assert server_words(prose + "550 5.7.0 Header error") == "550 5.7.0 Header error"
    assert server_words("no reply code here") == "no reply code here"


def test_fitting_needs_two_bounces_and_a_clear_majority() -> None:
    table = fit_phrases(
        [
            ("a-1.eml", "550 zorg wibble", "userunknown"),
            ("a-2.eml", "550 zorg wibble", "userunknown"),
            ("a-2.eml", "550 zorg wibble", "userunknown"),  # one bounce counts once
            ("b-1.eml", "550 lonely quux", "mailboxfull"),  # one bounce only: not a phrase
            ("c-1.eml", "550 shared blah", "blocked"),
            ("c-2.eml", "550 shared blah", "suspend"),  # split: no clear majority
            ("d-1.eml", "", "userunknown"),
            ("e-1.eml", "550 zorg wibble", "feedback"),  # not a reason words tell
        ]
    )
    assert table.phrases["zorg wibble"] == Phrase("userunknown", 1.0, 2)
    assert "quux" not in table.phrases and "lonely quux" not in table.phrases
    assert "shared blah" not in table.phrases
    assert table.reason("550 zorg wibble again") == "userunknown"
    assert table.reason("550 nothing known") is None


def test_the_table_survives_its_file_form() -> None:
    examples = [("a-1.eml", "550 zorg wibble", "hostunknown"), ("a-2.eml", "550 zorg", "hostunknown")]
    table = fit_phrases(examples)
    assert table_from_json(table_to_json(table)) == table
    with pytest.raises(TypeError):
        table_from_json('{"zorg": "hostunknown"}')


def test_the_shipped_table_is_read() -> None:
    from maildoctor.explain.bounce_phrases import shipped_table

    table = shipped_table()
    assert len(table.phrases) > 50
    assert all(0.75 <= phrase.share <= 1.0 and phrase.files >= 2 for phrase in table.phrases.values())


@pytest.mark.parametrize(
    ("hosts", "provider"),
    [
        (("example-jp.mail.protection.outlook.com",), "microsoft365"),
        (("aspmx.l.google.com",), "google-workspace"),
        (("blu2.hotmail.com",), "outlook-com"),
        (("mx.example.jp", "mta.ezweb.ne.jp"), "au"),
        (("mx.example.jp",), ""),
        (("",), ""),
        (("localhost",), ""),
    ],
)
def test_the_provider_of_a_host(hosts: tuple[str, ...], provider: str) -> None:
    assert provider_of(hosts, load_curated()) == provider


def test_an_x_unix_diagnostic_is_a_local_program_unless_the_words_say_more() -> None:
    assert classify("255", "5.0.0", "", diagnostic_type="x-unix") == "mailererror"
    words = "/var/mail/taro/Maildir/tmp/1.A.neko: Disk quota exceeded"
    assert classify(words, "4.3.0", "", diagnostic_type="x-unix") == "mailboxfull"
    assert classify("255", "5.0.0", "", diagnostic_type="smtp", phrases=PhraseTable()) == "onhold"


def test_a_dsn_with_an_x_unix_diagnostic_code_is_read_as_one() -> None:
    from maildoctor.explain.bounce import parse_bounce

    dsn = (
        b"From: MAILER-DAEMON@mx.example.jp\nTo: taro@example.jp\nSubject: Returned mail\n"
        b'MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        b"--B\nContent-Type: text/plain\n\nfailed\n\n--B\nContent-Type: message/delivery-status\n\n"
        b"Reporting-MTA: dns; mx.example.jp\n\nFinal-Recipient: RFC822; hanako@example.jp\n"
        b"Action: failed\nStatus: 5.0.0\nDiagnostic-Code: X-Unix; 255\n\n--B--\n"
    )
    bounce = parse_bounce(dsn)
    assert bounce is not None
    assert [(r.address, r.reason) for r in bounce.recipients] == [("hanako@example.jp", "mailererror")]


@pytest.mark.parametrize(
    ("text", "status", "reason"),
    [
        # accepted at RCPT, refused after the text: the message, not the mailbox
        ("SMTP error from remote server for TEXT command, host: mx.example.fr reason: 550 5.2.0 No",
         "5.2.0", "contenterror"),
        ("host mx.example.net said: 550 Nope (in reply to end of DATA command)", "5.0.0", "contenterror"),
        # a detail that names the problem still wins at DATA
        ("host mx.example.net said: 552 5.2.2 Over quota (in reply to end of DATA command)", "5.2.2",
         "mailboxfull"),
        # a temporary refusal at DATA is not a verdict on the message
        ("host mx.example.net said: 451 Nope (in reply to end of DATA command)", "4.0.0", "onhold"),
        # the same vague status at RCPT is about the mailbox
        ("host mx.example.net said: 550 Nope (in reply to RCPT TO command)", "5.0.0", "userunknown"),
    ],
)  # fmt: skip
def test_a_vague_permanent_refusal_of_the_text_is_the_message(text: str, status: str, reason: str) -> None:
    assert classify(text, status, status[0] + "50", phrases=PhraseTable()) == reason


def test_the_reporting_servers_wrapper_is_not_learnt() -> None:
    wrapper = (
        "This is an automatically generated Delivery Status Notification. "
        "Delivery to the following recipients failed permanently: * kijitora@example.or.jp"
    )
    assert ngrams(wrapper) == set()
    assert "mailbox full" in ngrams(wrapper + " 552 5.2.2 Mailbox full")
