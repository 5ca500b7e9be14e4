"""Sending: does the server take this sender and a recipient, with or without a login?"""

from __future__ import annotations

from maildoctor.facts import ServerFacts
from maildoctor.i18n import N_
from maildoctor.model import Evidence, Finding
from maildoctor.protocol.classify import SmtpRejectionKind, classify_smtp_rejection
from maildoctor.rules.base import finding
from maildoctor.rules.registry import server_rule


def sending_findings(server: ServerFacts, address: str) -> list[Finding]:
    session = server.session
    if session is None or session.send is None:
        return []
    send = session.send
    endpoint = server.endpoint
    for step, stage in ((send.mail_from, "mail"), (send.rcpt_to, "rcpt")):
        if step is None or step.words.reply_code is None or step.words.reply_code < 400:
            continue
        words = step.words
        kind = classify_smtp_rejection(stage, words.reply_code, words.enhanced, words.text)
        evidence: list[str | Evidence] = [
            Evidence.of(N_("Reply to {command}:"), command=step.command),
            words.text,
        ]
        if kind == SmtpRejectionKind.AUTH_REQUIRED and not send.authenticated:
            return [
                finding(
                    "SMTP_AUTH_REQUIRED",
                    server.role,
                    {"host": endpoint.host, "port": endpoint.port},
                    evidence,
                )
            ]
        if kind == SmtpRejectionKind.SENDER_REJECTED or (
            kind == SmtpRejectionKind.AUTH_REQUIRED and send.authenticated
        ):
            return [
                finding("SENDER_REJECTED", server.role, {"address": address, "host": endpoint.host}, evidence)
            ]
        if kind == SmtpRejectionKind.ENCRYPTION_REQUIRED:
            params: dict[str, str | int | None] = {
                "role": server.role,
                "host": endpoint.host,
                "port": endpoint.port,
            }
            return [
                finding(
                    "PLAINTEXT_LOGIN_REFUSED",
                    server.role,
                    {**params, "right_port": endpoint.port, "right_security": "starttls"},
                    evidence,
                )
            ]
        if kind == SmtpRejectionKind.MAILBOX_FULL:
            return [finding("MAILBOX_FULL", server.role, {}, evidence)]
        if kind == SmtpRejectionKind.RECIPIENT_REJECTED:
            return [finding("RECIPIENT_REJECTED", server.role, {"recipient": address}, evidence)]
        if kind == SmtpRejectionKind.TEMPORARY:
            return [
                finding("SERVER_OUTAGE", server.role, {"role": server.role, "host": endpoint.host}, evidence)
            ]
        return []
    return []


server_rule("sending", 80, lambda facts, server: sending_findings(server, facts.address))
