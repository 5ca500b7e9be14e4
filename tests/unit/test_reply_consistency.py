"""One reading of a reply on three paths (issue 13): `check` (the probes' words at MAIL FROM / RCPT TO),
`explain` of the reply pasted, and the bounce reader (the same reply in a returned mail that says the
step). They read the same rows of data/replies.toml; where the step is the same they give one cause,
the bounce reader the recipient's side of it (`remote_causes`: a full mailbox there is theirs).
"""

from __future__ import annotations

import pytest

from maildoctor.causes import CauseCode
from maildoctor.explain.bounce import parse_bounce
from maildoctor.explain.bounce_phrases import (
    KIND_REASONS,
    PhraseTable,
    general_reason,
    phrase_reason,
    reason_of,
)
from maildoctor.explain.bounce_reason import REASON_CAUSES, cause_of_reason
from maildoctor.explain.rank import ranked_causes
from maildoctor.explain.reply import explain_reply
from maildoctor.model import Protocol
from maildoctor.probes.sessions import _words
from maildoctor.protocol import smtp
from maildoctor.rules.replies import ReplyVerdict, Step, classify_reply, load_replies
from maildoctor.rules.smtp import sending_cause

_C = CauseCode

POSTFIX_BOUNCE = """From: MAILER-DAEMON@mx.example.jp (Mail Delivery System)
To: taro@example.jp
Subject: Undelivered Mail Returned to Sender
Content-Type: text/plain

This is the mail system at host mx.example.jp.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<hanako@example.com>: host mx.example.com[192.0.2.1] said: {reply} (in reply to {command} command)
"""

# (step, the reply as the server wrote it, the cause check gives, the cause in a returned mail)
REPLIES = [
    (
        "rcpt",
        "550 5.1.1 <hanako@example.com>: Recipient address rejected: User unknown in virtual mailbox table",
        _C.RECIPIENT_REJECTED,
        _C.RECIPIENT_REJECTED,
    ),
    ("rcpt", "550 5.1.1 <hanako@example.com>... User unknown", _C.RECIPIENT_REJECTED, _C.RECIPIENT_REJECTED),
    (
        "rcpt",
        "554 5.7.1 <hanako@example.com>: Recipient address rejected: Access denied",
        _C.RECIPIENT_REJECTED,
        _C.RECIPIENT_REJECTED,
    ),
    (
        "rcpt",
        "552 5.2.2 <hanako@example.com>: Recipient address rejected: Mailbox is full",
        _C.MAILBOX_FULL,  # from the user's own server: the user's mailbox
        _C.RECIPIENT_MAILBOX_FULL,  # in a returned mail: the recipient's
    ),
    (
        "rcpt",
        "554 5.7.1 <hanako@example.com>: Relay access denied",
        _C.SMTP_AUTH_REQUIRED,
        _C.SMTP_AUTH_REQUIRED,
    ),
    (
        "rcpt",
        "554 5.7.1 Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org",
        _C.IP_BLOCKLISTED,
        _C.IP_BLOCKLISTED,
    ),
    ("rcpt", "550 5.7.1 Message rejected as spam", _C.MESSAGE_REFUSED, _C.MESSAGE_REFUSED),
    ("rcpt", "552 5.3.4 Message size exceeds fixed limit", _C.MESSAGE_TOO_LARGE, _C.MESSAGE_TOO_LARGE),
    (
        "rcpt",
        "530 5.7.0 Must issue a STARTTLS command first",
        _C.PLAINTEXT_LOGIN_REFUSED,  # the user's program did not start TLS with its own server
        _C.STARTTLS_UNAVAILABLE,  # the sending server did not start TLS with the recipient's
    ),
    (
        "mail",
        "553 5.7.1 <taro@example.jp>: Sender address rejected: not owned by user alice",
        _C.SENDER_REJECTED,
        _C.SENDER_REJECTED,
    ),
]


def _check(step: str, reply: str) -> tuple[CauseCode | None, ReplyVerdict | None]:
    """check's cause of the reply, read off the wire by the probes' reader, and its classifier verdict."""
    reader = smtp.SmtpReplyReader()
    reader.feed(reply.encode() + b"\r\n")
    read = reader.next_reply()
    assert read is not None
    words = _words(read)
    verdict = classify_reply(
        Step(step), Protocol.SMTP, reply_code=words.reply_code, enhanced=words.enhanced, text=words.text
    )
    return sending_cause(step, words, authenticated=False), verdict


def _bounced(step: str, reply: str) -> CauseCode | None:
    command = "RCPT TO" if step == "rcpt" else "MAIL FROM"
    bounce = parse_bounce(POSTFIX_BOUNCE.format(reply=reply, command=command).encode())
    assert bounce is not None and len(bounce.recipients) == 1
    return bounce.recipients[0].cause


@pytest.mark.parametrize(("step", "reply", "checked", "returned"), REPLIES, ids=[r[1][:40] for r in REPLIES])
def test_check_explain_and_the_bounce_reader_give_one_cause(
    step: str, reply: str, checked: CauseCode, returned: CauseCode
) -> None:
    cause, verdict = _check(step, reply)
    assert cause == checked
    assert verdict is not None and verdict.causes[0] == checked
    # the bounce reader: the recipient's side of the same row's meaning
    assert _bounced(step, reply) == returned == verdict.remote_causes[0]
    row = next(row for row in load_replies().rules if row.rule == verdict.rule)
    explained = explain_reply(reply)
    assert explained is not None
    if row.pasted:
        assert ranked_causes(explained.specific, explained.causes, ())[0] == checked
    else:  # the row needs the step (whose mailbox is full): explain still names it among the causes
        assert checked in explained.causes or returned in explained.causes


def test_every_reason_a_row_reports_is_a_cause_of_its_meaning() -> None:
    # the bounce reader reports a row's reason in Sisimai's vocabulary; mapped to a cause it must be one
    # the row's meaning gives for a reply from the recipient's server
    assert set(KIND_REASONS.values()) <= set(REASON_CAUSES)
    table = load_replies()
    for row in table.rules:
        if row.step == Step.LOGIN or row.words is None:
            continue
        meaning = table.meaning(row.step, row.kind)
        assert meaning is not None
        verdict = ReplyVerdict(meaning.step, row.kind, row.rule, "", meaning, row.reason)
        reason = reason_of(verdict)
        if reason is None:  # a temporary refusal names no reason
            assert row.kind == "temporary", row.rule
            continue
        assert reason in REASON_CAUSES, (row.rule, reason)
        assert cause_of_reason(reason) in verdict.remote_causes, (row.rule, reason, verdict.remote_causes)


def test_a_4yz_is_try_later_for_check_and_a_reason_in_a_returned_mail() -> None:
    reply = "452 4.2.2 <hanako@example.com>: Recipient address rejected: over quota"
    cause, verdict = _check("rcpt", reply)
    assert verdict is not None and verdict.rule == "mailbox-full-enhanced"
    assert cause == _C.MAILBOX_FULL
    busy = "421 4.7.0 mx.example.com Error: too many connections from 192.0.2.1"
    cause, verdict = _check("rcpt", busy)
    assert verdict is not None and verdict.rule == "transient" and cause == _C.SERVER_OUTAGE
    # the same words from the recipient's server: the words rows name the reason
    words = classify_reply(Step.RCPT, Protocol.SMTP, reply_code=421, text=busy[4:], words_only=True)
    assert words is not None and words.rule == "too-many-connections-remote"
    assert _bounced("rcpt", busy) == _C.RECIPIENT_SERVER_PROBLEM


def test_the_bounce_reader_passes_the_step_to_the_classifier() -> None:
    # words about a mailbox are the recipient's at RCPT TO or a step not said, never at MAIL FROM
    assert general_reason("550 user unknown", command="RCPT", reply_code="550") == "userunknown"
    assert general_reason("550 user unknown", reply_code="550") == "userunknown"
    assert general_reason("550 user unknown", command="MAIL", reply_code="550") is None
    # the reply code too: Postfix's bare `Recipient address rejected:` prefix is read only with a 5yz
    greylisted = "<a@example.test>: Recipient address rejected: Greylisted"
    assert general_reason(f"450 4.7.1 {greylisted}", command="RCPT", reply_code="450") is None
    assert general_reason(f"550 5.7.1 {greylisted}", command="RCPT", reply_code="550") == "userunknown"
    # a row without a reason of its own names only its kind: an RFC 3463 detail is more exact
    prefix = "550 5.1.2 <a@example.invalid>: Recipient address rejected: Bad destination system address"
    assert general_reason(prefix, command="RCPT", reply_code="550", status="5.1.2") == "userunknown"
    assert phrase_reason("5.1.2", prefix, "", PhraseTable(), command="RCPT", reply_code="550") is None
