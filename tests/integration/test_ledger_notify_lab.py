"""A check-up report sent by mail through the lab's real Postfix (submission with STARTTLS, and SMTPS),
delivered into the lab's Dovecot and read back; a wrong password is one refused login, never shown."""

from __future__ import annotations

import imaplib
import ssl
import time
from email import message_from_bytes
from email.policy import default

import pytest

from maildoctor.i18n import get_translator
from maildoctor.ledger import notify
from maildoctor.ledger.notify import MailRoute, Report
from maildoctor.model import Security
from maildoctor_lab.certs import LabPKI
from maildoctor_lab.dovecot import DovecotServer
from maildoctor_lab.postfix import PostfixServer

pytestmark = pytest.mark.lab


def subjects(dovecot: DovecotServer, context: ssl.SSLContext) -> list[str]:
    reader = imaplib.IMAP4_SSL(dovecot.host, dovecot.ports["imaps"], ssl_context=context)
    try:
        reader.login("bob", "hunter2")
        reader.select("INBOX", readonly=True)
        _, data = reader.search(None, "ALL")
        found = []
        for number in data[0].split():
            _, parts = reader.fetch(number, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            header = parts[0]
            assert isinstance(header, tuple)
            found.append(str(message_from_bytes(header[1], policy=default)["Subject"]))
        return found
    finally:
        reader.logout()


def route(postfix: PostfixServer, pki: LabPKI, security: Security) -> MailRoute:
    port = postfix.ports["submission" if security is Security.STARTTLS else "smtps"]
    return MailRoute(
        postfix.host,
        port,
        security,
        "alice",
        "alice@example.test",
        ("bob@example.test",),
        ca_file=pki.ca.cert,
    )


@pytest.mark.parametrize("security", [Security.SSL, Security.STARTTLS])
def test_the_report_arrives_through_postfix(
    postfix: PostfixServer,
    dovecot: DovecotServer,
    pki: LabPKI,
    lab_ca_context: ssl.SSLContext,
    security: Security,
) -> None:
    subject = f"点検日の報告 {security.value} {time.monotonic_ns()}"
    report = Report(subject, "受信箱が 90% です。", "<p>受信箱が 90% です。</p>", changed=True)
    outcome = notify.send_report(
        report, mail=route(postfix, pki, security), password=lambda mail_route: "secret"
    )
    assert outcome.ok and outcome.sent[0].ok, outcome
    assert outcome.describe(get_translator("ja"))[0].endswith("）: 送りました")
    deadline = time.monotonic() + 10
    while subject not in subjects(dovecot, lab_ca_context) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert subject in subjects(dovecot, lab_ca_context)


def test_a_wrong_password_is_one_refused_login_and_never_shown(postfix: PostfixServer, pki: LabPKI) -> None:
    report = Report("点検日の報告", "text", "<p>html</p>", changed=True)
    tries: list[str] = []

    def password(mail_route: MailRoute) -> str:
        tries.append(mail_route.username)
        return "wrong-Pa55word"

    outcome = notify.send_report(report, mail=route(postfix, pki, Security.STARTTLS), password=password)
    (sent,) = outcome.sent
    assert tries == ["alice"] and not outcome.ok
    assert sent.reason == notify.LOGIN_REFUSED and sent.params == {"code": "535"}
    for lang in ("ja", "en"):
        assert "wrong-Pa55word" not in sent.describe(get_translator(lang))
    assert "wrong-Pa55word" not in repr(outcome)
    assert sent.describe(get_translator("en")).endswith("not sent: the mail server refused the login (535)")


def test_nobody_listening_is_said_plainly(pki: LabPKI) -> None:
    closed = MailRoute("127.0.0.1", 9, Security.SSL, "alice", "alice@example.test", ("b@example.test",))
    outcome = notify.send_report(Report("s", "t", "<p>t</p>", True), mail=closed, password=lambda r: "x")
    assert outcome.sent[0].reason == notify.NO_CONNECTION
    assert outcome.sent[0].params == {"reason": "ConnectionRefusedError"}
