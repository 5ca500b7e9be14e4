"""SMTP replies, EHLO and commands (protocol/smtp.py), on replies recorded from real servers."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator

import pytest

from maildoctor.protocol import smtp
from maildoctor.protocol.errors import LineTooLong, ProtocolViolation, ResponseTooLarge
from maildoctor.protocol.smtp import EhloInfo, SmtpReply, SmtpReplyReader

# Postfix 3.7 submission port before TLS (real-servers.md 2.1)
POSTFIX_EHLO = (
    b"250-localhost\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-ETRN\r\n250-STARTTLS\r\n"
    b"250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250 CHUNKING\r\n"
)
# ... and after STARTTLS
POSTFIX_EHLO_TLS = (
    b"250-localhost\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-ETRN\r\n250-AUTH PLAIN LOGIN\r\n"
    b"250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250 CHUNKING\r\n"
)
# aiosmtpd 1.4.6 (2.2)
AIOSMTPD_EHLO = (
    b"250-localhost\r\n250-SIZE 33554432\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-STARTTLS\r\n250 HELP\r\n"
)
# Google (a reply as sent to smtplib users, see data/replies.toml for the source)
GOOGLE_534 = (
    b"534-5.7.9 Application-specific password required. Learn more at\r\n"
    b"534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor z8-20020a1709 - gsmtp\r\n"
)
# One session of the lab's Postfix, replies back to back (2.1)
POSTFIX_SESSION = (
    b"220 localhost ESMTP Postfix (Debian/GNU)\r\n"
    + POSTFIX_EHLO
    + b"530 5.7.0 Must issue a STARTTLS command first\r\n"
    b"220 2.0.0 Ready to start TLS\r\n"
    b"535 5.7.8 Error: authentication failed: (reason unavailable)\r\n"
    b"235 2.7.0 Authentication successful\r\n"
    b"553 5.7.1 <bob@example.test>: Sender address rejected: not owned by user alice\r\n"
    b"554 5.7.1 <localhost[127.0.0.1]>: Client host rejected: Access denied\r\n"
    b"554 5.7.1 <victim@else.test>: Relay access denied\r\n"
    b"550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown in virtual mailbox table\r\n"
    b"552 5.2.2 <full@example.test>: Recipient address rejected: Mailbox is full\r\n"
    b"221 2.0.0 Bye\r\n"
)


def chunkings(data: bytes) -> Iterator[list[bytes]]:
    """The input in one piece, one byte at a time, and split once at every boundary."""
    yield [data]
    yield [data[index : index + 1] for index in range(len(data))]
    for index in range(1, len(data)):
        yield [data[:index], data[index:]]


def replies(chunks: list[bytes], **bounds: int) -> tuple[list[SmtpReply], type[Exception] | None]:
    reader = SmtpReplyReader(**bounds)
    found: list[SmtpReply] = []
    try:
        for chunk in chunks:
            reader.feed(chunk)
            while (reply := reader.next_reply()) is not None:
                found.append(reply)
    except ProtocolViolation as error:
        return found, type(error)
    return found, None


def one(data: bytes) -> SmtpReply:
    found, error = replies([data])
    assert error is None and len(found) == 1
    return found[0]


# ------------------------------------------------------------------ framing


def test_a_recorded_session_is_framed_into_its_replies() -> None:
    found, error = replies([POSTFIX_SESSION])
    assert error is None
    assert [reply.code for reply in found] == [220, 250, 530, 220, 535, 235, 553, 554, 554, 550, 552, 221]
    assert found[0].lines == ("localhost ESMTP Postfix (Debian/GNU)",)
    assert found[1].lines[0] == "localhost" and found[1].lines[-1] == "CHUNKING" and len(found[1].lines) == 9
    assert found[2].text == "5.7.0 Must issue a STARTTLS command first"


@pytest.mark.parametrize(
    "data", [POSTFIX_SESSION, GOOGLE_534 + AIOSMTPD_EHLO, POSTFIX_EHLO_TLS, b"250\r\n250-\r\n250 \r\n"]
)
def test_every_split_gives_the_same_replies(data: bytes) -> None:
    expected = replies([data])
    assert expected[1] is None
    for chunks in chunkings(data):
        assert replies(chunks) == expected, chunks


def test_a_reply_is_not_returned_before_its_last_line() -> None:
    reader = SmtpReplyReader()
    reader.feed(POSTFIX_EHLO[:-5])
    assert reader.next_reply() is None
    assert reader.in_reply
    reader.feed(POSTFIX_EHLO[-5:])
    reply = reader.next_reply()
    assert reply is not None and reply.code == 250
    assert not reader.in_reply


def test_bare_code_lines_and_empty_continuations() -> None:
    assert one(b"250\r\n") == SmtpReply(250, ("",))
    assert one(b"250-\r\n250 ok\r\n") == SmtpReply(250, ("", "ok"))


def test_bare_lf_is_tolerated() -> None:
    assert one(b"220-a\n220 b\n") == SmtpReply(220, ("a", "b"))


def test_unread_bytes_after_a_reply_are_visible() -> None:
    # data after the 220 to STARTTLS would be read as if it came over TLS (CVE-2011-0411 style)
    reader = SmtpReplyReader()
    reader.feed(b"220 2.0.0 Ready to start TLS\r\n250 injected\r\n")
    assert reader.next_reply() == SmtpReply(220, ("2.0.0 Ready to start TLS",))
    assert reader.buffered == len(b"250 injected\r\n")


@pytest.mark.parametrize(
    "data",
    [
        b"HTTP/1.1 400 Bad Request\r\n",  # a web server on the port
        b"* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n",  # IMAP on the SMTP port
        b"+OK Dovecot (Debian) ready.\r\n",
        b"\x16\x03\x01\x02\x00\x01\r\n",  # a TLS record where a greeting was expected
        b"25\r\n",
        b"2500 too long\r\n",
        b"250x\r\n",
        b"250\tx\r\n",
        b"150 one-yz is not SMTP\r\n",
        b"650 nor is six\r\n",
        b"250-first\r\n251 changed code\r\n",
        b"",
    ],
)
def test_malformed_replies_raise_a_violation_at_every_split(data: bytes) -> None:
    if not data:
        assert replies([data]) == ([], None)
        return
    for chunks in chunkings(data):
        found, error = replies(chunks)
        assert (found, error) == ([], ProtocolViolation), chunks


def test_a_violation_keeps_the_line_and_stays() -> None:
    reader = SmtpReplyReader()
    reader.feed(b"220 fine\r\nHTTP/1.1 400 Bad Request\r\n220 more\r\n")
    assert reader.next_reply() == SmtpReply(220, ("fine",))
    with pytest.raises(ProtocolViolation) as caught:
        reader.next_reply()
    assert caught.value.data == b"HTTP/1.1 400 Bad Request"
    with pytest.raises(ProtocolViolation):
        reader.next_reply()


def test_endless_continuation_lines_are_bounded() -> None:
    data = b"250-x\r\n" * 20
    for chunks in chunkings(data):
        assert replies(chunks, max_reply_lines=10) == ([], ResponseTooLarge)


def test_an_endless_line_is_bounded() -> None:
    assert replies([b"220 " + b"A" * 100], max_line=50) == ([], LineTooLong)


# ------------------------------------------------------------------ one reply


@pytest.mark.parametrize(
    ("data", "enhanced"),
    [
        (b"535 5.7.8 Error: authentication failed: (reason unavailable)\r\n", "5.7.8"),
        (GOOGLE_534, "5.7.9"),
        (b"220 2.0.0 Ready to start TLS\r\n", "2.0.0"),
        (b"550 5.7.139 Authentication unsuccessful\r\n", "5.7.139"),
        (b"530 Must issue a STARTTLS command first\r\n", None),  # aiosmtpd: no enhanced code
        (b"220 localhost ESMTP Postfix (Debian/GNU)\r\n", None),
        (b"250 5.0.0 class does not fit the code\r\n", None),
        (b"250 2.1.0.4 an address, not a code\r\n", None),
        (b"250 2.1\r\n", None),
        (b"250\r\n", None),
    ],
)
def test_enhanced_status_code(data: bytes, enhanced: str | None) -> None:
    assert one(data).enhanced == enhanced


def test_google_multiline_reply() -> None:
    reply = one(GOOGLE_534)
    assert reply.code == 534
    assert reply.text == (
        "5.7.9 Application-specific password required. Learn more at\n"
        "5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor z8-20020a1709 - gsmtp"
    )
    assert reply.message == (
        "Application-specific password required. Learn more at "
        "https://support.google.com/mail/?p=InvalidSecondFactor z8-20020a1709 - gsmtp"
    )


@pytest.mark.parametrize(
    ("code", "positive", "intermediate", "transient", "permanent"),
    [
        (235, True, False, False, False),
        (334, False, True, False, False),
        (354, False, True, False, False),
        (454, False, False, True, False),
        (535, False, False, False, True),
    ],
)
def test_reply_classes(
    code: int, positive: bool, intermediate: bool, transient: bool, permanent: bool
) -> None:
    reply = SmtpReply(code, ("x",))
    assert (reply.is_positive, reply.is_intermediate, reply.is_transient, reply.is_permanent) == (
        positive,
        intermediate,
        transient,
        permanent,
    )
    assert reply.is_error == (transient or permanent)


def test_non_utf8_words_are_kept_readable() -> None:
    assert one(b"554 caf\xe9 \x1b[31m\r\n").lines == ("caf\ufffd \x1b[31m",)


# ------------------------------------------------------------------ EHLO


def test_postfix_ehlo_before_tls() -> None:
    info = EhloInfo.parse(one(POSTFIX_EHLO))
    assert info.greeting == "localhost"
    assert info.starttls is True
    assert info.auth_mechanisms == ()
    assert info.size == 10240000
    assert list(info.extensions) == [
        "PIPELINING",
        "SIZE",
        "ETRN",
        "STARTTLS",
        "ENHANCEDSTATUSCODES",
        "8BITMIME",
        "DSN",
        "CHUNKING",
    ]
    assert info.extensions["SIZE"] == ("10240000",)
    assert info.has("enhancedstatuscodes")


def test_postfix_ehlo_after_tls_offers_auth() -> None:
    info = EhloInfo.parse(one(POSTFIX_EHLO_TLS))
    assert info.starttls is False
    assert info.auth_mechanisms == ("PLAIN", "LOGIN")
    assert info.extensions["AUTH"] == ("PLAIN", "LOGIN")


def test_aiosmtpd_ehlo() -> None:
    info = EhloInfo.parse(one(AIOSMTPD_EHLO))
    assert (info.starttls, info.size, info.has("SMTPUTF8"), info.has("HELP")) == (True, 33554432, True, True)


def test_old_auth_equals_form_is_merged() -> None:
    reply = one(
        b"250-mail.example.com Hello\r\n250-AUTH=LOGIN PLAIN\r\n250-AUTH login cram-md5\r\n250 OK\r\n"
    )
    info = EhloInfo.parse(reply)
    assert info.auth_mechanisms == ("LOGIN", "PLAIN", "CRAM-MD5")
    assert info.extensions["AUTH=LOGIN"] == ("PLAIN",)
    assert info.extensions["AUTH"] == ("login", "cram-md5")
    assert info.greeting == "mail.example.com Hello"


@pytest.mark.parametrize(
    ("line", "size"),
    [(b"SIZE", None), (b"SIZE 0", 0), (b"SIZE lots", None), (b"SIZE " + b"9" * 5000, None)],
)
def test_size_is_a_number_or_none(line: bytes, size: int | None) -> None:
    info = EhloInfo.parse(one(b"250-host\r\n250 " + line + b"\r\n"))
    assert info.size == size
    assert info.has("SIZE")


def test_ehlo_info_needs_a_250_and_is_hashable() -> None:
    with pytest.raises(ValueError):
        EhloInfo.parse(SmtpReply(502, ("5.5.2 Error: command not recognized",)))
    info = EhloInfo.parse(one(POSTFIX_EHLO))
    assert hash(info) == hash(EhloInfo.parse(one(POSTFIX_EHLO)))
    assert info == EhloInfo.parse(one(POSTFIX_EHLO))


# ------------------------------------------------------------------ commands


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (smtp.ehlo("client.example"), b"EHLO client.example\r\n"),
        (smtp.ehlo("[192.0.2.1]"), b"EHLO [192.0.2.1]\r\n"),
        (smtp.helo("client.example"), b"HELO client.example\r\n"),
        (smtp.starttls(), b"STARTTLS\r\n"),
        (smtp.auth_plain("alice", "secret"), b"AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n"),
        (smtp.auth_login_start(), b"AUTH LOGIN\r\n"),
        (smtp.auth_login_user("alice"), b"YWxpY2U=\r\n"),
        (smtp.auth_login_password("secret"), b"c2VjcmV0\r\n"),
        (smtp.auth_cancel(), b"*\r\n"),
        (smtp.mail_from("alice@example.test"), b"MAIL FROM:<alice@example.test>\r\n"),
        (smtp.mail_from("alice@example.test", size=1234), b"MAIL FROM:<alice@example.test> SIZE=1234\r\n"),
        (smtp.mail_from("", smtputf8=True), b"MAIL FROM:<> SMTPUTF8\r\n"),
        (smtp.mail_from("太郎@例え.jp", smtputf8=True), "MAIL FROM:<太郎@例え.jp> SMTPUTF8\r\n".encode()),
        (smtp.rcpt_to("bob@example.test"), b"RCPT TO:<bob@example.test>\r\n"),
        (smtp.rset(), b"RSET\r\n"),
        (smtp.noop(), b"NOOP\r\n"),
        (smtp.quit(), b"QUIT\r\n"),
    ],
)
def test_commands_are_exact_bytes(command: bytes, expected: bytes) -> None:
    assert command == expected


def test_auth_plain_is_utf8() -> None:
    command = smtp.auth_plain("ユーザー", "pässwort")
    assert command.startswith(b"AUTH PLAIN ") and command.endswith(b"\r\n")
    assert base64.b64decode(command[11:-2]) == "\0ユーザー\0pässwort".encode()


INJECTIONS = ["a\r\nRCPT TO:<x@evil.test>", "a\nb", "a\rb", "a\0b"]


@pytest.mark.parametrize("value", INJECTIONS)
@pytest.mark.parametrize(
    "build",
    [
        smtp.ehlo,
        smtp.helo,
        lambda value: smtp.auth_plain(value, "secret"),
        lambda value: smtp.auth_plain("alice", value),
        smtp.auth_login_user,
        smtp.auth_login_password,
        smtp.mail_from,
        smtp.rcpt_to,
    ],
)
def test_line_breaks_in_arguments_are_refused(build: Callable[[str], bytes], value: str) -> None:
    with pytest.raises(ValueError) as caught:
        build(value)
    assert value not in str(caught.value)  # the message never repeats a (maybe secret) value


@pytest.mark.parametrize(
    "build",
    [
        lambda: smtp.ehlo(""),
        lambda: smtp.ehlo("two words"),
        lambda: smtp.ehlo("例え.jp"),  # the xn-- form must be given
        lambda: smtp.mail_from("a@b> SIZE=1"),
        lambda: smtp.rcpt_to("<bob@example.test>"),
        lambda: smtp.rcpt_to(""),
        lambda: smtp.mail_from("a@b", size=-1),
        lambda: smtp.auth_plain("", "secret"),
        lambda: smtp.auth_plain("alice", ""),
    ],
)
def test_other_unsendable_arguments_are_refused(build: Callable[[], bytes]) -> None:
    with pytest.raises(ValueError):
        build()
