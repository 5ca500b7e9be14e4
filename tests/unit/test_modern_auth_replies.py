"""Every reply of issue 16 gives MODERN_AUTH_REQUIRED, in `check` (the login step, through the rules
engine) and in `explain` (pasted, bare and inside a mail program's message): table-driven, each reply
exactly as the servers write it."""

from __future__ import annotations

import pytest

from maildoctor.causes import CauseCode
from maildoctor.explain import explain_text
from maildoctor.explain.reply import explain_reply
from maildoctor.explain.report import message_findings
from maildoctor.facts import (
    DiagnosisFacts,
    GreetingKind,
    LoginFacts,
    LoginOutcome,
    ServerFacts,
    ServerWords,
    SessionFacts,
)
from maildoctor.model import Endpoint, Protocol, Security, ServerRole, Severity
from maildoctor.protocol import imap, pop3, smtp
from maildoctor.rules.engine import evaluate
from maildoctor.rules.modern_auth import EITHER_CAUSE, is_oauth_only_host, oauth_only_host_in

C = CauseCode
MODERN = C.MODERN_AUTH_REQUIRED

# (protocol, host, the server's reply as bytes on the wire, the first cause, where MODERN_AUTH_REQUIRED is)
REPLIES: list[tuple[Protocol, str, bytes, CauseCode, int]] = [
    # Exchange Online SMTP AUTH (issue 16; Microsoft's Exchange Team blog, 2024-04-16 / 2026-01-27)
    (
        Protocol.SMTP,
        "smtp.office365.com",
        b"535 5.7.139 Authentication unsuccessful, basic authentication is disabled. "
        b"[TYZP286CA0001.JPNP286.PROD.OUTLOOK.COM 2026-12-07T00:00:00.000Z 08DD0000]\r\n",
        MODERN,
        0,
    ),
    (
        Protocol.SMTP,
        "smtp.office365.com",
        b"535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. "
        b"Visit https://aka.ms/smtp_auth_disabled for more information.\r\n",
        MODERN,
        0,
    ),
    (
        Protocol.SMTP,
        "smtp.office365.com",
        b"550 5.7.30 Basic authentication is not supported for Client Submission.\r\n",
        MODERN,
        0,
    ),
    # Exchange Online / Outlook.com IMAP and POP3
    (Protocol.IMAP, "outlook.office365.com", b"a1 NO Basic authentication is disabled.\r\n", MODERN, 0),
    (
        Protocol.IMAP,
        "outlook.office365.com",
        b"a1 NO AUTHENTICATE failed. Basic authentication is disabled.\r\n",
        MODERN,
        0,
    ),
    (
        Protocol.POP3,
        "outlook.office365.com",
        b"-ERR Logon failure: LogonDenied-BasicAuthBlocked\r\n",
        MODERN,
        0,
    ),
    # the older bare refusal: on an Exchange Online host, most likely the switched-off password login
    (Protocol.IMAP, "outlook.office365.com", b"a1 NO LOGIN failed.\r\n", MODERN, 0),
    (Protocol.IMAP, "imap-mail.outlook.com", b"a1 NO LOGIN failed.\r\n", MODERN, 0),
    (Protocol.POP3, "outlook.office365.com", b"-ERR Authentication failed.\r\n", MODERN, 0),
    # Google: the app password leads (it works with 2-Step Verification), the provider's sign-in follows
    (
        Protocol.IMAP,
        "imap.gmail.com",
        b"a1 NO [ALERT] Application-specific password required: "
        b"https://support.google.com/accounts/answer/185833 (Failure)\r\n",
        C.APP_PASSWORD_REQUIRED,
        1,
    ),
    (
        Protocol.SMTP,
        "smtp.gmail.com",
        b"534-5.7.9 Application-specific password required. Learn more at\r\n"
        b"534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor z8-20020a1709 - gsmtp\r\n",
        C.APP_PASSWORD_REQUIRED,
        1,
    ),
]


def _imap_words(wire: bytes) -> ServerWords:
    reader = imap.ImapResponseReader()
    reader.feed(wire)
    done = reader.next_response()
    assert isinstance(done, imap.Tagged)
    code = f"[{done.code}{' ' + done.code_args if done.code_args else ''}] " if done.code else ""
    return ServerWords(f"{done.status} {code}{done.text}", response_code=done.code)


def _pop3_words(wire: bytes) -> ServerWords:
    reader = pop3.Pop3Reader()
    reader.feed(wire)
    reply = reader.next_reply()
    assert isinstance(reply, pop3.Pop3Reply) and not reply.ok
    code = f"[{reply.code}] " if reply.code else ""
    return ServerWords(f"-ERR {code}{reply.text}", response_code=reply.code)


def _smtp_words(wire: bytes) -> ServerWords:
    reader = smtp.SmtpReplyReader()
    reader.feed(wire)
    reply = reader.next_reply()
    assert reply is not None
    lines = reply.lines or ("",)
    text = "\n".join(
        f"{reply.code}{'-' if i < len(lines) - 1 else ' '}{line}" for i, line in enumerate(lines)
    )
    return ServerWords(text, reply_code=reply.code, enhanced=reply.enhanced)


WORDS = {Protocol.IMAP: _imap_words, Protocol.POP3: _pop3_words, Protocol.SMTP: _smtp_words}
PORTS = {
    Protocol.IMAP: (993, Security.SSL),
    Protocol.POP3: (995, Security.SSL),
    Protocol.SMTP: (587, Security.STARTTLS),
}


def check_causes(protocol: Protocol, host: str, wire: bytes) -> list[tuple[str, Severity]]:
    """The findings `check` reports for a login refused with these words (the rules engine)."""
    port, security = PORTS[protocol]
    endpoint = Endpoint(protocol, host, port, security)
    role = ServerRole.OUTGOING if protocol == Protocol.SMTP else ServerRole.INCOMING
    login = LoginFacts(LoginOutcome.REFUSED, "PLAIN", WORDS[protocol](wire))
    session = SessionFacts(role, endpoint, greeting_kind=GreetingKind.OK, login=login)
    server = ServerFacts(role, endpoint, "taro@example.com", session=session)
    found = evaluate(DiagnosisFacts("taro@example.com", "example.com", (server,)))
    return [(item.cause, item.severity) for item in found if item.consequence_of is None]


@pytest.mark.parametrize(("protocol", "host", "wire", "first", "at"), REPLIES)
def test_check_gives_modern_auth(
    protocol: Protocol, host: str, wire: bytes, first: CauseCode, at: int
) -> None:
    causes = [cause for cause, _ in check_causes(protocol, host, wire)]
    assert causes[0] == first
    assert causes.index(MODERN) == at


def _pasted(wire: bytes) -> str:
    return wire.decode().replace("\r\n", "\n").strip()


# how mail programs quote the server's words (Thunderbird's sending dialog, Outlook's task error,
# Thunderbird's login alert)
WRAPPERS = [
    "{reply}",
    "Sending of the message failed.\nAn error occurred while sending mail. The mail server responded:\n"
    "{reply}\nPlease verify that your email address is correct in your account settings and try again.",
    "Task 'taro@example.com - Sending' reported error (0x80042109) : 'Your server responded: {reply}'",
    "Login to server {host} with username taro@example.com failed. The server responded: {reply}",
]


def _bare(wire: bytes) -> bool:
    """A refusal that says only "wrong password": whose server it is must be named to read it."""
    return b"LOGIN failed" in wire or b"Authentication failed" in wire


PASTES = [
    (*row, wrapper) for row in REPLIES for wrapper in WRAPPERS if "{host}" in wrapper or not _bare(row[2])
]


@pytest.mark.parametrize(("protocol", "host", "wire", "first", "at", "wrapper"), PASTES)
def test_explain_gives_modern_auth(
    protocol: Protocol, host: str, wire: bytes, first: CauseCode, at: int, wrapper: str
) -> None:
    text = wrapper.format(reply=_pasted(wire), host=host)
    reply = explain_reply(text)
    assert reply is not None
    causes = [item.cause for item in message_findings(explain_text(text), reply)]
    assert causes[0] == first, text
    assert causes.index(MODERN) == at, text


def test_a_bare_login_failed_without_a_microsoft_host_stays_a_wrong_password() -> None:
    assert check_causes(Protocol.IMAP, "imap.example.jp", b"a1 NO LOGIN failed.\r\n")[0][0] == C.AUTH_FAILED
    reply = explain_reply("A1 NO LOGIN failed.")
    assert reply is not None and reply.causes[0] == C.AUTH_FAILED


def test_the_bare_login_failed_finding_says_both_possibilities() -> None:
    port, security = PORTS[Protocol.IMAP]
    endpoint = Endpoint(Protocol.IMAP, "outlook.office365.com", port, security)
    login = LoginFacts(LoginOutcome.REFUSED, "PLAIN", _imap_words(b"a1 NO LOGIN failed.\r\n"))
    session = SessionFacts(ServerRole.INCOMING, endpoint, greeting_kind=GreetingKind.OK, login=login)
    server = ServerFacts(ServerRole.INCOMING, endpoint, "taro@example.com", session=session)
    (found, *_) = evaluate(DiagnosisFacts("taro@example.com", "example.com", (server,)))
    messages = [getattr(item, "message", item) for item in found.evidence]
    assert "NO LOGIN failed." in messages and EITHER_CAUSE in messages
    reply = explain_reply(
        "Login to server outlook.office365.com with username t@example.com failed. A1 NO LOGIN failed."
    )
    assert reply is not None and reply.note == EITHER_CAUSE


def test_google_sign_in_alternative_is_a_warning() -> None:
    found = check_causes(Protocol.SMTP, "smtp.gmail.com", REPLIES[-1][2])
    assert found[:2] == [(C.APP_PASSWORD_REQUIRED, Severity.ERROR), (MODERN, Severity.WARNING)]


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("outlook.office365.com", True),
        ("OUTLOOK.OFFICE365.COM.", True),
        ("smtp.office365.com", True),
        ("smtp-mail.outlook.com", True),
        ("imap.gmail.com", False),
        ("outlook.office365.com.example.jp", False),
        ("", False),
        (None, False),
    ],
)
def test_oauth_only_hosts_come_from_the_provider_data(host: str | None, expected: bool) -> None:
    assert is_oauth_only_host(host) is expected


def test_a_host_named_in_a_message() -> None:
    assert (
        oauth_only_host_in("サーバー outlook.office365.com へのログインに失敗しました")
        == "outlook.office365.com"
    )
    assert oauth_only_host_in("Login to server mail.example.jp failed") is None
    assert oauth_only_host_in("x" * 100_000) is None


@pytest.mark.parametrize(
    "message",
    [
        "Login to server outlook.office365.com with username taro@example.com failed.",
        'The user name or password for "outlook.office365.com" is incorrect.',
    ],
)
def test_a_programs_login_failed_naming_a_microsoft_server_leads_with_the_sign_in(message: str) -> None:
    # no server reply at all: the mail program's own message names the server
    assert explain_reply(message) is None
    found = message_findings(explain_text(message), None, message)
    assert [item.cause for item in found][:2] == [MODERN, C.AUTH_FAILED]
    assert C.APP_PASSWORD_REQUIRED not in [item.cause for item in found]  # ruled out: no app passwords
    assert EITHER_CAUSE in [getattr(line, "message", line) for line in found[0].evidence]


def test_a_programs_login_failed_elsewhere_stays_a_wrong_password() -> None:
    message = "Login to server imap.example.jp with username taro@example.jp failed."
    found = message_findings(explain_text(message), None, message)
    assert found[0].cause == C.AUTH_FAILED
    assert all(
        EITHER_CAUSE not in [getattr(line, "message", line) for line in item.evidence] for item in found
    )
