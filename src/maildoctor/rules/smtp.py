"""Sending: does the server take this sender and a recipient, with or without a login?"""

from __future__ import annotations

from maildoctor.causes import CauseCode
from maildoctor.facts import ServerFacts, ServerWords
from maildoctor.i18n import N_
from maildoctor.model import Evidence, Finding, Protocol
from maildoctor.rules.base import finding
from maildoctor.rules.registry import server_rule
from maildoctor.rules.replies import SmtpRejectionKind, Step, classify_reply


def sending_cause(stage: str, words: ServerWords, *, authenticated: bool) -> CauseCode | None:
    """The cause of a refused MAIL FROM (`stage="mail"`) or RCPT TO (`"rcpt"`), from replies.toml;
    None when no row knows the reply. A relay refusal after a login means this login may not send so."""
    verdict = classify_reply(
        Step(stage), Protocol.SMTP, reply_code=words.reply_code, enhanced=words.enhanced, text=words.text
    )
    if verdict is None:
        return None
    if verdict.kind == SmtpRejectionKind.AUTH_REQUIRED and authenticated:
        return CauseCode.SENDER_REJECTED
    return verdict.causes[0]


def sending_findings(server: ServerFacts, address: str) -> list[Finding]:
    session = server.session
    if session is None or session.send is None:
        return []
    send = session.send
    endpoint = server.endpoint
    for step, stage in ((send.mail_from, "mail"), (send.rcpt_to, "rcpt")):
        if step is None or step.words.reply_code is None or step.words.reply_code < 400:
            continue
        cause = sending_cause(stage, step.words, authenticated=send.authenticated)
        evidence: list[str | Evidence] = [
            Evidence.of(N_("Reply to {command}:"), command=step.command),
            step.words.text,
        ]
        if cause == CauseCode.SMTP_AUTH_REQUIRED:
            return [
                finding(str(cause), server.role, {"host": endpoint.host, "port": endpoint.port}, evidence)
            ]
        if cause == CauseCode.SENDER_REJECTED:
            return [finding(str(cause), server.role, {"address": address, "host": endpoint.host}, evidence)]
        if cause == CauseCode.PLAINTEXT_LOGIN_REFUSED:
            params: dict[str, str | int | None] = {
                "role": server.role,
                "host": endpoint.host,
                "port": endpoint.port,
            }
            return [
                finding(
                    str(cause),
                    server.role,
                    {**params, "right_port": endpoint.port, "right_security": "starttls"},
                    evidence,
                )
            ]
        if cause == CauseCode.MAILBOX_FULL:
            return [finding(str(cause), server.role, {}, evidence)]
        if cause == CauseCode.RECIPIENT_REJECTED:
            return [finding(str(cause), server.role, {"recipient": address}, evidence)]
        if cause == CauseCode.SERVER_OUTAGE:
            return [finding(str(cause), server.role, {"role": server.role, "host": endpoint.host}, evidence)]
        return []
    return []


server_rule("sending", 80, lambda facts, server: sending_findings(server, facts.address))
