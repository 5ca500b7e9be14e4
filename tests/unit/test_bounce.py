"""The bounce reader and its reason rules on small hand-written messages (pure, no I/O)."""

from __future__ import annotations

from pathlib import Path

import pytest

from maildoctor.causes import CauseCode
from maildoctor.explain.bounce import MAX_BYTES, BounceKind, parse_bounce, parse_bounces, split_mbox
from maildoctor.explain.bounce_reason import REASON_CAUSES, classify, smtp_command

DSN = b"""From: Mail Delivery System <MAILER-DAEMON@mx.example.jp>
To: taro@example.jp
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

This is the mail system at host mx.example.jp.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.jp

Final-Recipient: rfc822; hanako@example.com
Action: failed
Status: 5.0.0
Remote-MTA: dns; mx.example.com
Diagnostic-Code: smtp; 550 5.1.1 <hanako@example.com>: Recipient address
    rejected: User unknown in local recipient table

Final-Recipient: rfc822; jiro@example.net
Action: failed
Status: 5.2.2
Diagnostic-Code: smtp; 552 5.2.2 Mailbox full

--B
Content-Type: message/rfc822

From: taro@example.jp
To: hanako@example.com

hello
--B--
"""

QMAIL = b"""From: MAILER-DAEMON@mail.example.jp
To: taro@example.jp
Subject: failure notice

Hi. This is the qmail-send program at mail.example.jp.
I'm afraid I wasn't able to deliver your message to the following addresses.

<hanako@example.com>:
192.0.2.1 does not like recipient.
Remote host said: 550 Requested action not taken: mailbox unavailable
Giving up on 192.0.2.1.

--- Below this line is a copy of the message.

Return-Path: <taro@example.jp>
To: hanako@example.com
"""

ARF = b"""From: feedback@fbl.example.net
To: abuse@example.jp
Subject: Abuse Report
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="F"

--F
Content-Type: text/plain

A complaint.
--F
Content-Type: message/feedback-report

Feedback-Type: abuse
Version: 1
Original-Rcpt-To: one@example.com
Original-Rcpt-To: two@example.com

--F--
"""

PLAIN = b"""From: Taro <taro@example.jp>
To: hanako@example.com
Subject: lunch

Shall we meet at noon?
"""


def test_delivery_status_notification() -> None:
    bounce = parse_bounce(DSN)
    assert bounce is not None and bounce.kind is BounceKind.DSN
    first, second = bounce.recipients
    assert (first.address, first.status, first.reply_code) == ("hanako@example.com", "5.1.1", "550")
    assert first.remote_host == "mx.example.com"
    assert first.reason == "userunknown" and first.cause is CauseCode.RECIPIENT_REJECTED
    assert "User unknown in local recipient table" in first.diagnostic  # folded line joined
    assert (second.address, second.status, second.cause) == (
        "jiro@example.net",
        "5.2.2",
        CauseCode.RECIPIENT_MAILBOX_FULL,
    )
    assert bounce.original_sender == "taro@example.jp"


def test_plain_text_bounce_without_a_status_gets_the_implied_one() -> None:
    bounce = parse_bounce(QMAIL)
    assert bounce is not None and bounce.kind is BounceKind.TEXT
    (recipient,) = bounce.recipients
    assert recipient.address == "hanako@example.com"
    assert recipient.reply_code == "550"
    assert recipient.reason == "userunknown"
    assert (recipient.status, recipient.status_implied) == ("5.1.1", True)


def test_feedback_report_lists_every_recipient_as_a_complaint() -> None:
    bounce = parse_bounce(ARF)
    assert bounce is not None and bounce.kind is BounceKind.ARF
    assert [r.address for r in bounce.recipients] == ["one@example.com", "two@example.com"]
    assert {r.cause for r in bounce.recipients} == {CauseCode.SPAM_COMPLAINT}
    assert bounce.recipients[0].feedback_type == "abuse"


def test_an_ordinary_message_is_not_a_bounce() -> None:
    assert parse_bounce(PLAIN) is None
    assert parse_bounces(PLAIN) == []


def test_an_mbox_holds_several_bounces() -> None:
    mbox = (
        b"From MAILER-DAEMON  Thu Apr 29 23:34:45 2015\n"
        + DSN
        + b"\nFrom MAILER-DAEMON  Thu Apr 29 23:35:45 2015\n"
        + QMAIL
    )
    assert len(split_mbox(mbox)) == 2
    assert [len(b.recipients) for b in parse_bounces(mbox)] == [2, 1]


def test_a_huge_message_is_cut_not_read_whole() -> None:
    huge = QMAIL + b"x" * (MAX_BYTES + 1000)
    bounce = parse_bounce(huge)
    assert bounce is not None and bounce.recipients[0].address == "hanako@example.com"


@pytest.mark.parametrize(
    ("text", "status", "reply", "reason"),
    [
        (
            "550 5.7.26 Unauthenticated email from example.jp is not accepted due to domain's DMARC policy",
            "5.7.26",
            "550",
            "authfailure",
        ),
        ("550 5.7.1 Relay access denied", "5.7.1", "550", "norelaying"),
        ("552 5.3.4 Message size exceeds fixed limit", "5.3.4", "552", "mesgtoobig"),
        ("550 5.7.606 Access denied, banned sending IP [192.0.2.1]", "5.7.606", "550", "blocked"),
        ("421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred", "4.7.0", "421", "badreputation"),
        (
            "553 5.1.8 Domain of sender address taro@example.invalid does not exist",
            "5.1.8",
            "553",
            "rejected",
        ),
        ("Host or domain name not found. Name service error for name=example.invalid", "", "", "hostunknown"),
        ("550 宛先不明のため送信できませんでした", "", "550", "userunknown"),
        ("", "4.4.7", "", "expired"),
        ("", "", "", "undefined"),
    ],
)
def test_reason_rules(text: str, status: str, reply: str, reason: str) -> None:
    assert classify(text, status, reply) == reason


def test_a_refusal_at_mail_from_is_about_the_sender() -> None:
    text = "host mx.example.com said: 550 5.1.0 Address rejected (in reply to MAIL FROM command)"
    assert smtp_command(text) == "MAIL"
    assert classify(text, "5.1.0", "550") == "rejected"


REASONS = Path(__file__).resolve().parents[3] / "shared" / "data" / "bounces" / "reasons.txt"


@pytest.mark.skipif(not REASONS.is_file(), reason="shared/data is not beside the project")
def test_every_reason_of_the_corpus_has_a_fixed_cause() -> None:
    lines = REASONS.read_text(encoding="utf-8").splitlines()
    reasons = {line.split("|", 1)[0].lower() for line in lines if "|" in line}
    assert len(reasons) >= 30
    assert reasons <= set(REASON_CAUSES)
