"""Pasted IMAP and POP3 refusals: found inside mail programs' wrappers and classified by their codes."""

from __future__ import annotations

import pytest

from maildoctor.causes import CauseCode
from maildoctor.explain.mailbox_reply import find_mailbox_refusal
from maildoctor.explain.rank import ranked_causes
from maildoctor.explain.reply import explain_reply
from maildoctor.model import Protocol

C = CauseCode


@pytest.mark.parametrize(
    ("text", "protocol", "code", "first"),
    [
        (
            "A0001 NO [AUTHENTICATIONFAILED] Authentication failed.",
            Protocol.IMAP,
            "AUTHENTICATIONFAILED",
            C.AUTH_FAILED,
        ),
        (
            "a1 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)",
            Protocol.IMAP,
            "AUTHENTICATIONFAILED",
            C.AUTH_FAILED,
        ),
        (
            "The IMAP server said: [AUTHENTICATIONFAILED] Authentication failed.",
            Protocol.IMAP,
            "AUTHENTICATIONFAILED",
            C.AUTH_FAILED,
        ),
        ("* NO [UNAVAILABLE] Try again later", Protocol.IMAP, "UNAVAILABLE", C.SERVER_OUTAGE),
        ("-ERR [AUTH] Authentication failed.", Protocol.POP3, "AUTH", C.AUTH_FAILED),
        (
            "ユーザー taro のパスワードの送信に失敗しました。\nメールサーバー pop.example.co.jp の応答: "
            "-ERR [AUTH] Authentication failed.",
            Protocol.POP3,
            "AUTH",
            C.AUTH_FAILED,
        ),
        (
            "サーバーの応答: -ERR [SYS/TEMP] Server too busy, try again later'",
            Protocol.POP3,
            "SYS/TEMP",
            C.SERVER_OUTAGE,
        ),
        (
            "The server responded: -ERR [IN-USE] Mailbox locked by another session'",
            Protocol.POP3,
            "IN-USE",
            C.TOO_MANY_CONNECTIONS,
        ),
        ("-ERR [LOGIN-DELAY] wait 15 minutes", Protocol.POP3, "LOGIN-DELAY", C.SERVER_OUTAGE),
    ],
)
def test_refusal_found_and_classified(text: str, protocol: Protocol, code: str, first: CauseCode) -> None:
    refusal = find_mailbox_refusal(text)
    assert refusal is not None
    assert (refusal.protocol, refusal.response_code, refusal.causes[0]) == (protocol, code, first)
    assert "'" not in refusal.line and "\n" not in refusal.line


@pytest.mark.parametrize(
    "text",
    [
        "There is NO way to send",
        "no mail today",
        "535 5.7.8 Authentication credentials invalid",
        "[NOTACODE] hi",
    ],
)
def test_no_refusal_in_other_text(text: str) -> None:
    refusal = find_mailbox_refusal(text)
    assert refusal is None or not refusal.causes


def test_the_refusal_leads_the_wrapper() -> None:
    """Outlook's 0x800CCC90 names a wrong password first; the server's SYS/TEMP says otherwise."""
    reply = explain_reply("サーバーの応答: -ERR [SYS/TEMP] Server too busy, try again later")
    assert reply is not None and reply.mailbox == "pop3"
    wrapper = (C.AUTH_FAILED, C.TOO_MANY_CONNECTIONS, C.SERVER_OUTAGE)
    ranked = ranked_causes(reply.specific, reply.causes, wrapper)
    assert ranked[0] is C.SERVER_OUTAGE and C.AUTH_FAILED in ranked[2:]


def test_smtp_reply_still_wins() -> None:
    reply = explain_reply("535 5.7.8 Username and Password not accepted.")
    assert reply is not None and reply.mailbox is None and reply.reply.code == "535"


@pytest.mark.parametrize(
    "text",
    [
        "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [TYCP286CA0012.PROD]",
        "サーバーの応答: 535 5.7.139 Authentication unsuccessful, basic authentication is disabled.",
        "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.",
    ],
)
def test_modern_sign_in_only_rules_out_app_passwords(text: str) -> None:
    """Where no password is taken at all, an app password is no way out: it is not offered."""
    reply = explain_reply(text)
    assert reply is not None and reply.causes[0] is C.MODERN_AUTH_REQUIRED
    assert C.APP_PASSWORD_REQUIRED not in reply.causes
    wrapper = (C.APP_PASSWORD_REQUIRED, C.SENDER_REJECTED)
    ranked = ranked_causes(reply.specific, reply.causes, wrapper)
    assert C.APP_PASSWORD_REQUIRED not in ranked and C.SENDER_REJECTED in ranked


def test_plain_wrong_password_keeps_app_passwords() -> None:
    reply = explain_reply("535 5.7.8 Username and Password not accepted.")
    assert reply is not None and C.APP_PASSWORD_REQUIRED in reply.causes


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_kind_has_a_translated_meaning(lang: str) -> None:
    from maildoctor.explain.mailbox_reply import KIND_CAUSES, KIND_MEANINGS
    from maildoctor.i18n import get_translator

    assert set(KIND_MEANINGS) == set(KIND_CAUSES)
    translator = get_translator(lang)
    for message in KIND_MEANINGS.values():
        shown = translator.gettext(message)
        assert shown and (shown != message) == (lang == "ja")
