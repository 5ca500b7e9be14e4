"""The lab's Postfix: submission rules, relay denial and a real full-mailbox refusal."""

from __future__ import annotations

import smtplib
import ssl

import pytest

from maildoctor_lab.dovecot import DovecotServer
from maildoctor_lab.postfix import PostfixServer

pytestmark = pytest.mark.lab


def test_submission_requires_starttls_before_auth(
    postfix: PostfixServer, lab_ca_context: ssl.SSLContext
) -> None:
    client = smtplib.SMTP(postfix.host, postfix.ports["submission"], timeout=10)
    code, banner = client.ehlo()
    assert code == 250 and b"STARTTLS" in banner and b"AUTH" not in banner
    assert client.mail("alice@example.test") == (530, b"5.7.0 Must issue a STARTTLS command first")
    client.close()
    client = smtplib.SMTP(postfix.host, postfix.ports["submission"], timeout=10)
    client.starttls(context=lab_ca_context)
    code, banner = client.ehlo()
    assert b"AUTH PLAIN LOGIN" in banner
    with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
        client.login("alice", "wrong")
    assert refused.value.smtp_code == 535
    assert refused.value.smtp_error == b"5.7.8 Error: authentication failed: (reason unavailable)"
    client.close()


def test_submission_without_auth_and_with_wrong_sender(
    postfix: PostfixServer, lab_ca_context: ssl.SSLContext
) -> None:
    client = smtplib.SMTP(postfix.host, postfix.ports["submission"], timeout=10)
    client.starttls(context=lab_ca_context)
    client.ehlo()
    client.mail("alice@example.test")
    code, text = client.rcpt("someone@elsewhere.test")
    assert code == 554
    assert text.startswith(b"5.7.1 <") and text.endswith(b"Client host rejected: Access denied")
    client.rset()
    assert client.login("alice", "secret")[0] == 235
    client.mail("bob@example.test")
    code, text = client.rcpt("someone@elsewhere.test")
    assert (code, text) == (
        553,
        b"5.7.1 <bob@example.test>: Sender address rejected: not owned by user alice",
    )
    client.close()


def test_smtps_delivers_into_dovecot(
    postfix: PostfixServer, dovecot: DovecotServer, lab_ca_context: ssl.SSLContext
) -> None:
    import imaplib

    def inbox_count() -> int:
        reader = imaplib.IMAP4_SSL(dovecot.host, dovecot.ports["imaps"], ssl_context=lab_ca_context)
        reader.login("bob", "hunter2")
        count = int(reader.select("INBOX", readonly=True)[1][0] or 0)
        reader.logout()
        return count

    before = inbox_count()
    client = smtplib.SMTP_SSL(postfix.host, postfix.ports["smtps"], context=lab_ca_context, timeout=10)
    client.login("alice", "secret")
    client.sendmail("alice@example.test", ["bob@example.test"], "Subject: lab\r\n\r\nhello\r\n")
    client.quit()
    import time

    deadline = time.monotonic() + 10
    while inbox_count() == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert inbox_count() == before + 1


def test_mx_port_relay_denied_unknown_user_and_full_mailbox(postfix: PostfixServer) -> None:
    client = smtplib.SMTP(postfix.host, postfix.ports["mx"], timeout=10)
    code, banner = client.ehlo()
    assert b"AUTH" not in banner
    with pytest.raises(smtplib.SMTPRecipientsRefused) as relay:
        client.sendmail("a@other.test", ["victim@else.test"], "x")
    assert relay.value.recipients["victim@else.test"] == (
        554,
        b"5.7.1 <victim@else.test>: Relay access denied",
    )
    with pytest.raises(smtplib.SMTPRecipientsRefused) as unknown:
        client.sendmail("a@other.test", ["nobody@example.test"], "x")
    code, text = unknown.value.recipients["nobody@example.test"]
    assert code == 550 and text.startswith(b"5.1.1 <nobody@example.test>: Recipient address rejected")
    with pytest.raises(smtplib.SMTPRecipientsRefused) as full:
        client.sendmail("a@other.test", ["full@example.test"], "x" * 2000)
    assert full.value.recipients["full@example.test"] == (
        552,
        b"5.2.2 <full@example.test>: Recipient address rejected: Mailbox is full",
    )
    client.close()
