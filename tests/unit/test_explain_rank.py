"""The server's reply leads a pasted message's causes; the mail program is named only when the message
shows it."""

from __future__ import annotations

import pytest

from maildoctor.causes import CauseCode as C
from maildoctor.explain import explain_text
from maildoctor.explain.catalog import Client
from maildoctor.explain.rank import RecognisedBy, ranked_causes, recognised_client
from maildoctor.explain.reply import explain_reply, without_wrapper


def test_the_providers_words_lead_then_the_reply_then_the_wrapper() -> None:
    ranked = ranked_causes(
        specific=[C.IP_BLOCKLISTED],
        reply=[C.IP_BLOCKLISTED, C.MESSAGE_REFUSED, C.SMTP_AUTH_REQUIRED, C.SENDER_REJECTED],
        wrapper=[C.AUTH_FAILED, C.SENDER_REJECTED, C.SERVER_OUTAGE],
    )
    assert ranked == (
        C.IP_BLOCKLISTED,
        C.SENDER_REJECTED,  # the reply's causes that the wrapper also names come first
        C.MESSAGE_REFUSED,
        C.SMTP_AUTH_REQUIRED,
        C.AUTH_FAILED,
        C.SERVER_OUTAGE,
    )


def test_each_cause_once_and_nothing_lost() -> None:
    specific, reply, wrapper = (
        [C.MODERN_AUTH_REQUIRED],
        [C.MODERN_AUTH_REQUIRED, C.AUTH_FAILED],
        [C.AUTH_FAILED],
    )
    ranked = ranked_causes(specific, reply, wrapper)
    assert ranked == (C.MODERN_AUTH_REQUIRED, C.AUTH_FAILED)
    assert ranked_causes([], [], [C.PORT_BLOCKED]) == (C.PORT_BLOCKED,)


SPAMHAUS = [
    "554 5.7.1 Service unavailable; Client host [203.0.113.45] blocked using zen.spamhaus.org; "
    "https://www.spamhaus.org/query/ip/203.0.113.45",
    "550 5.7.1 Service unavailable, Client host [203.0.113.45] blocked using Spamhaus. To request removal f"
    "rom "
    "this list see https://www.spamhaus.org/query/ip/203.0.113.45 (AS3130).",
    "554 5.7.1 Rejected: 203.0.113.45 listed at Spamhaus",
]
WRAPPERS = [
    "{reply}",
    "タスク 'taro@example.co.jp - 送信中' がエラー (0x800CCC0F) を報告しました: 'サーバーの応答: {reply}'",
    "An error occurred while sending mail. The mail server responded: {reply}. Please check the message and"
    " try "
    "again.",
    "IMAPアカウント“taro@example.jp”のパスワードが正しくありません。 {reply}",
    "Unable to authenticate to Outgoing server (SMTP) smtp.example.jp. Please check the password and verify"
    " the "
    "'Authentication method' in 'Account Settings | Outgoing server (SMTP)'. {reply}",
]


@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize("reply", SPAMHAUS)
def test_a_blocklisted_sender_leads_whatever_the_wrapper(reply: str, wrapper: str) -> None:
    text = wrapper.format(reply=reply)
    explained = explain_reply(text)
    assert explained is not None
    ranked = ranked_causes(explained.specific, explained.causes, explain_text(text).causes)
    assert ranked[0] is C.IP_BLOCKLISTED, ranked


@pytest.mark.parametrize(
    ("text", "client", "by"),
    [
        ("受信 'taro' エラー (0x800ccc0e)", Client.OUTLOOK, RecognisedBy.CODE),
        ("Task reported error (0x800CCC0F)", Client.OUTLOOK, RecognisedBy.CODE),
        (
            "An error occurred while sending mail. The mail server responded: 550 5.7.1 denied. "
            "Please check the message and try again.",
            Client.THUNDERBIRD,
            RecognisedBy.WORDING,
        ),
        (
            "メールの送信中にエラーが発生しました。メッセージを確認し、再度試してください。"
            "サーバーからの応答: 550 5.7.1 denied",
            Client.THUNDERBIRD,
            RecognisedBy.WORDING,
        ),
        (
            "IMAPアカウント“taro@example.jp”のパスワードが正しくありません。",
            Client.IPHONE,
            RecognisedBy.WORDING,
        ),
        (
            "Outlook cannot connect to your outgoing (SMTP) e-mail server.",
            Client.OUTLOOK,
            RecognisedBy.WORDING,
        ),
    ],
)
def test_a_program_is_named_when_the_message_shows_it(text: str, client: Client, by: RecognisedBy) -> None:
    recognition = recognised_client(explain_text(text))
    assert recognition is not None
    assert (recognition.client, recognition.by) == (client, by)


@pytest.mark.parametrize(
    "text",
    [
        "パスワードが正しくありません",
        "サーバーに接続できません",
        "Can't connect to server",
        "Cannot Send Mail",
        "メールを送信できません",
        "ユーザー名またはパスワードが正しくありません",
        "Couldn't sign in",
        "The connection to the server failed",
        "Mail server pop.example.jp responded: -ERR [AUTH] Authentication failed.",
        "535 5.7.139 Authentication unsuccessful, basic authentication is disabled.",
        "the weather is fine today",
        # two programs' own codes and words at once: no guess
        "(0x800CCC0E) An error occurred while sending mail. The mail server responded: 550 no. Please check"
        " the "
        "message and try again.",
    ],
)
def test_common_phrases_name_no_program(text: str) -> None:
    assert recognised_client(explain_text(text)) is None


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (
            "Service unavailable; blocked using zen.spamhaus.org', ポート: 587, セキュリティで保護された接"
            "続 (SSL): "
            "いいえ, サーバー エラー: 554, エラー番号: 0x800CCC6A'",
            "Service unavailable; blocked using zen.spamhaus.org",
        ),
        ("Relay denied', Port: 25, Secure(SSL): No, Server Error: 550", "Relay denied"),
        (
            "Authentication unsuccessful. Please verify that your email address is correct and try again.",
            "Authentication unsuccessful",
        ),
        ("User unknown", "User unknown"),
    ],
)
def test_the_server_words_without_the_programs_tail(line: str, words: str) -> None:
    assert without_wrapper(line) == words


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("* NO AUTHENTICATE failed. Basic authentication is disabled.", C.MODERN_AUTH_REQUIRED),
        (
            "The current command did not succeed. The mail server for account taro@contoso.com responded: "
            "AUTHENTICATE failed. Basic authentication is disabled.",
            C.MODERN_AUTH_REQUIRED,
        ),
        ("Client host [203.0.113.45] blocked using zen.spamhaus.org", C.IP_BLOCKLISTED),
    ],
)
def test_a_providers_words_without_a_code_still_lead(text: str, first: C) -> None:
    explained = explain_reply(text)
    assert explained is not None and explained.reply.code is None
    assert explained.causes[0] is first
    assert ranked_causes(explained.specific, explained.causes, explain_text(text).causes)[0] is first


@pytest.mark.parametrize("text", ["the weather is fine today", "サーバーに接続できません", "0x800CCC0E", ""])
def test_no_reply_no_words_no_explanation(text: str) -> None:
    assert explain_reply(text) is None
