"""Thunderbird's own messages (the login prompt, the certificate exception dialog, the unknown
sending server in Japanese) are recognised and name the right causes first."""

from __future__ import annotations

import pytest

from maildoctor.causes import CauseCode
from maildoctor.explain import explain_text

C = CauseCode


@pytest.mark.parametrize(
    ("text", "entry", "first"),
    [
        (
            "Login Failed\nLogin to server imap.example.com with username taro@example.com failed. "
            "Please retry, enter a new password or cancel.",
            "tb-mailServerLoginFailed2",
            C.AUTH_FAILED,
        ),
        (
            "Login to server pop.example.co.jp with username taro failed.",
            "tb-mailServerLoginFailed2",
            C.AUTH_FAILED,
        ),
        (
            "メール送信中にエラーが発生しました: 送信 (SMTP) サーバー smtp.exmaple.co.jp が不明です。"
            "サーバーの設定が正しくない可能性があります。送信 (SMTP) サーバーの設定が正しいか確認してから"
            "もう一度送信してください。",
            "tb-smtpSendFailedUnknownServer",
            C.HOST_NOT_FOUND,
        ),
        (
            "Add Security Exception\nYou are about to override how Thunderbird identifies this site.\n"
            "Wrong Site\nThe certificate belongs to a different site, which could mean that someone is "
            "trying to impersonate this site.",
            "tb-add-exception-domain-mismatch",
            C.TLS_CERT_NAME_MISMATCH,
        ),
        (
            "Outdated Information\nThe certificate is not currently valid. It may have been stolen or lost, "
            "and could be used by someone to impersonate this site.",
            "tb-add-exception-expired",
            C.TLS_CERT_EXPIRED,
        ),
        (
            "Unknown Identity\nThe certificate is not trusted because it hasn’t been verified as issued by a "
            "trusted authority using a secure signature.",
            "tb-add-exception-unverified",
            C.TLS_CERT_UNTRUSTED,
        ),
    ],
)
def test_thunderbird_message_recognised(text: str, entry: str, first: CauseCode) -> None:
    explanation = explain_text(text)
    assert explanation.matches and explanation.matches[0].entry.id == entry
    assert explanation.causes[0] is first


def test_login_failed_is_not_a_missing_server() -> None:
    explanation = explain_text("Login to server imap.example.com with username taro@example.com failed.")
    assert C.HOST_NOT_FOUND not in explanation.causes
