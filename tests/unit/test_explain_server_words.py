"""A server's words shown as quoted evidence: each line of a multi-line reply kept on its own
line inside the quote, and a sending service's prose in a bounce giving way to the reply it quotes."""

from __future__ import annotations

import re

import pytest

from maildoctor.cli.explain_command import quoted_lines
from maildoctor.explain.bounce import relayed_reply
from maildoctor.explain.reply import explain_reply
from maildoctor.explain.smtp import find_replies
from maildoctor.i18n import get_translator
from maildoctor.wrap import wrap

GMAIL_DMARC = (
    "サーバーの応答: 550-5.7.26 Unauthenticated email from example.co.jp is not accepted due to domain's\n"
    "550-5.7.26 DMARC policy. Please contact the administrator of example.co.jp domain if\n"
    "550-5.7.26 this was a legitimate mail. To learn about the DMARC initiative, go to\n"
    "550 5.7.26  https://support.google.com/mail/?p=DmarcRejection d9443c01a7336 - gsmtp'"
)


def test_each_line_of_a_multi_line_reply_is_kept() -> None:
    reply = find_replies(GMAIL_DMARC)[0]
    assert reply.lines[0].endswith("due to domain's")
    assert reply.lines[1].startswith("DMARC policy.") and reply.lines[1].endswith("domain if")
    assert len(reply.lines) == 4
    assert " ".join(reply.lines) in reply.text  # the joined text is unchanged


def test_a_one_line_reply_has_no_lines() -> None:
    assert find_replies("550 5.1.1 User unknown")[0].lines == ()


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("width", [60, 78, 100])
def test_no_shown_line_mixes_two_server_lines(lang: str, width: int) -> None:
    reply = explain_reply(GMAIL_DMARC)
    assert reply is not None
    translator = get_translator(lang)
    shown = wrap(quoted_lines(reply.reply.lines, translator), width)
    words = [re.findall(r"[a-z0-9']+", line.lower()) for line in reply.reply.lines]
    for line in shown:
        found = re.findall(r"[a-z0-9']+", line.lower())
        assert any(" ".join(found) in " ".join(server) for server in words if found), line
    assert shown[0].startswith(("「", "“")) and shown[-1].endswith(("」", "”"))
    assert not shown[-1].rstrip("」”").endswith("'")  # the program's closing quote is not the server's


def test_quoted_lines_are_bounded_and_escaped() -> None:
    translator = get_translator("en")
    text = quoted_lines(["a\x1b[31m" + "x" * 400, "never shown"], translator, limit=50)
    assert "\x1b" not in text and "never shown" not in text and len(text) < 60


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Technical details of temporary failure: Google tried to deliver your message, but it was "
            "rejected by the recipient domain. The error that the other server returned was: 450 4.2.2 "
            "<kijitora@example.jp>... Mailbox Full (state 14).",
            "450 4.2.2 <kijitora@example.jp>... Mailbox Full (state 14).",
        ),
        (
            "Technical details of permanent failure: The recipient server did not accept our requests. "
            "The error that the other server returned was: 550 5.1.1 <x@example.jp>: User unknown",
            "550 5.1.1 <x@example.jp>: User unknown",
        ),
        (
            "550 5.1.1 <x@example.jp>: Recipient address rejected",
            "550 5.1.1 <x@example.jp>: Recipient address rejected",
        ),
        (
            "The error that the other server returned was: we are closed",  # no reply in it: kept whole
            "The error that the other server returned was: we are closed",
        ),
    ],
)
def test_a_bounce_shows_the_reply_its_prose_quotes(line: str, expected: str) -> None:
    assert relayed_reply(line) == expected
