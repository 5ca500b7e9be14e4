"""POP3 replies, multi-line answers, CAPA, STAT and commands (protocol/pop3.py).

The data are Dovecot 2.3's replies recorded in real-servers.md (1.2, 1.4).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator

import pytest

from maildoctor.protocol import pop3
from maildoctor.protocol.errors import LineTooLong, ProtocolViolation, ResponseTooLarge
from maildoctor.protocol.pop3 import Pop3Capabilities, Pop3Continuation, Pop3Event, Pop3Reader, Pop3Reply

DOVECOT_CAPA = (
    b"+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\nSTLS\r\nUSER\r\n"
    b"SASL PLAIN LOGIN\r\n.\r\n"
)
# from 127.0.0.2 with disable_plaintext_auth = yes: no USER (1.4)
DOVECOT_CAPA_NO_USER = (
    b"+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\nSTLS\r\nSASL\r\n.\r\n"
)
# (reply bytes, multi-line expected?) in the order of one session
SESSION: list[tuple[bytes, bool]] = [
    (b"+OK Dovecot (Debian) ready.\r\n", False),
    (DOVECOT_CAPA, True),
    (b"+OK Begin TLS negotiation now.\r\n", False),
    (b"-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.\r\n", False),
    (b"-ERR [AUTH] Authentication failed.\r\n", False),
    (
        b"-ERR [IN-USE] Maximum number of connections from user+IP exceeded "
        b"(mail_max_userip_connections=3)\r\n",
        False,
    ),
    (b"+ \r\n", False),
    (b"+OK Logged in.\r\n", False),
    (b"+OK 1 32\r\n", False),
    (b"+OK\r\n1 000000016b05e768\r\n.\r\n", True),
    (b"-ERR [SYS/TEMP] Temporary authentication failure.\r\n", True),  # -ERR: one line even so
    (b"+OK Logging out.\r\n", False),
]
SESSION_BYTES = b"".join(data for data, _ in SESSION)
SESSION_EXPECT = [multiline for data, multiline in SESSION if not data.startswith(b"+ ")]


def chunkings(data: bytes) -> Iterator[list[bytes]]:
    """The input in one piece, one byte at a time, and split once at every boundary."""
    yield [data]
    yield [data[index : index + 1] for index in range(len(data))]
    for index in range(1, len(data)):
        yield [data[:index], data[index:]]


def events(
    chunks: list[bytes], expect: list[bool] | None = None, **bounds: int
) -> tuple[list[Pop3Event], type[Exception] | None]:
    reader = Pop3Reader(**bounds)
    for multiline in expect or []:
        reader.expect(multiline)
    found: list[Pop3Event] = []
    try:
        for chunk in chunks:
            reader.feed(chunk)
            while (event := reader.next_reply()) is not None:
                found.append(event)
    except ProtocolViolation as error:
        return found, type(error)
    return found, None


def test_a_recorded_session_with_pipelined_expectations() -> None:
    found, error = events([SESSION_BYTES], SESSION_EXPECT)
    assert error is None
    assert found == [
        Pop3Reply(True, "Dovecot (Debian) ready."),
        Pop3Reply(
            True,
            "",
            None,
            (
                "CAPA",
                "TOP",
                "UIDL",
                "RESP-CODES",
                "PIPELINING",
                "AUTH-RESP-CODE",
                "STLS",
                "USER",
                "SASL PLAIN LOGIN",
            ),
        ),
        Pop3Reply(True, "Begin TLS negotiation now."),
        Pop3Reply(False, "Plaintext authentication disallowed on non-secure (SSL/TLS) connections.", "AUTH"),
        Pop3Reply(False, "Authentication failed.", "AUTH"),
        Pop3Reply(
            False,
            "Maximum number of connections from user+IP exceeded (mail_max_userip_connections=3)",
            "IN-USE",
        ),
        Pop3Continuation(""),
        Pop3Reply(True, "Logged in."),
        Pop3Reply(True, "1 32"),
        Pop3Reply(True, "", None, ("1 000000016b05e768",)),
        Pop3Reply(False, "Temporary authentication failure.", "SYS/TEMP"),
        Pop3Reply(True, "Logging out."),
    ]


@pytest.mark.parametrize(
    ("data", "expect"),
    [
        (SESSION_BYTES, SESSION_EXPECT),
        (DOVECOT_CAPA_NO_USER, [True]),
        (b"+OK 2 messages\r\n..dot-stuffed\r\n.\r\n+OK\r\n..\r\n.\r\n", [True, True]),
    ],
)
def test_every_split_gives_the_same_replies(data: bytes, expect: list[bool]) -> None:
    expected = events([data], expect)
    assert expected[1] is None
    for chunks in chunkings(data):
        assert events(chunks, expect) == expected, chunks


def test_dot_unstuffing() -> None:
    found, _ = events([b"+OK\r\n..hidden\r\nplain\r\n...\r\n\r\n.\r\n"], [True])
    assert found == [Pop3Reply(True, "", None, (".hidden", "plain", "..", ""))]


def test_without_an_expectation_replies_are_single_lines() -> None:
    # the CAPA body would be misread as replies: the caller must say a multi-line answer is coming
    found, error = events([b"+OK\r\nCAPA\r\n"])
    assert (found, error) == ([Pop3Reply(True, "")], ProtocolViolation)


def test_expect_multiline_applies_to_the_next_reply_only() -> None:
    reader = Pop3Reader()
    reader.expect_multiline()
    reader.feed(b"+OK\r\nTOP\r\n.\r\n+OK done\r\n")
    assert reader.next_reply() == Pop3Reply(True, "", None, ("TOP",))
    assert reader.next_reply() == Pop3Reply(True, "done")


def test_a_multiline_answer_waits_for_its_dot() -> None:
    reader = Pop3Reader()
    reader.expect_multiline()
    reader.feed(b"+OK\r\nTOP\r\n")
    assert reader.next_reply() is None
    reader.feed(b".\r\n")
    assert reader.next_reply() == Pop3Reply(True, "", None, ("TOP",))


@pytest.mark.parametrize(
    ("line", "reply"),
    [
        (b"-ERR [LOGIN-DELAY] wait 300 seconds", Pop3Reply(False, "wait 300 seconds", "LOGIN-DELAY")),
        (b"-ERR [SYS/PERM] broken", Pop3Reply(False, "broken", "SYS/PERM")),
        (b"-ERR [in-use]locked", Pop3Reply(False, "locked", "IN-USE")),
        (b"-ERR [not a code] x", Pop3Reply(False, "[not a code] x", None)),
        (b"-ERR", Pop3Reply(False, "", None)),
        (b"+ok lower case", Pop3Reply(True, "lower case")),
        (b"+OK caf\xe9", Pop3Reply(True, "caf\ufffd")),
    ],
)
def test_single_lines(line: bytes, reply: Pop3Reply) -> None:
    assert events([line + b"\r\n"]) == ([reply], None)


@pytest.mark.parametrize(
    "data",
    [
        b"* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n",  # IMAP on the POP3 port
        b"220 localhost ESMTP Postfix\r\n",  # SMTP on the POP3 port
        b"+OKAY\r\n",
        b"OK\r\n",
        b"\r\n",
    ],
)
def test_lines_that_are_not_pop3_raise_at_every_split(data: bytes) -> None:
    for chunks in chunkings(data):
        assert events(chunks) == ([], ProtocolViolation), chunks


def test_bounds() -> None:
    data = b"+OK\r\n" + b"line\r\n" * 30 + b".\r\n"
    for chunks in chunkings(data):
        assert events(chunks, [True], max_answer=100) == ([], ResponseTooLarge)
    assert events([b"+OK " + b"x" * 100 + b"\r\n"], max_line=50) == ([], LineTooLong)


def test_unread_bytes_after_the_stls_answer_are_visible() -> None:
    reader = Pop3Reader()
    reader.feed(b"+OK Begin TLS negotiation now.\r\n+OK injected\r\n")
    assert reader.next_reply() == Pop3Reply(True, "Begin TLS negotiation now.")
    assert reader.buffered == len(b"+OK injected\r\n")


# ------------------------------------------------------------------ CAPA, STAT


def capa_reply(data: bytes) -> Pop3Reply:
    found, _ = events([data], [True])
    assert isinstance(found[0], Pop3Reply)
    return found[0]


def test_dovecot_capa() -> None:
    reply = capa_reply(DOVECOT_CAPA)
    assert pop3.parse_capa(reply) == Pop3Capabilities(
        stls=True,
        user=True,
        sasl=("PLAIN", "LOGIN"),
        resp_codes=True,
        pipelining=True,
        login_delay=None,
        raw=reply.lines,
    )
    assert pop3.parse_capa(reply.lines) == pop3.parse_capa(reply)
    assert {"TOP", "UIDL", "AUTH-RESP-CODE"} <= pop3.parse_capa(reply).keywords


def test_capa_without_plaintext_login() -> None:
    capabilities = pop3.parse_capa(capa_reply(DOVECOT_CAPA_NO_USER))
    assert (capabilities.user, capabilities.sasl, capabilities.stls) == (False, (), True)


def test_capa_login_delay_and_case() -> None:
    capabilities = pop3.parse_capa(["sasl plain cram-md5", "LOGIN-DELAY 900", "EXPIRE NEVER", ""])
    assert (capabilities.sasl, capabilities.login_delay, capabilities.stls) == (
        ("PLAIN", "CRAM-MD5"),
        900,
        False,
    )


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("+OK 1 32", (1, 32)),
        ("1 32", (1, 32)),
        (Pop3Reply(True, "1 32"), (1, 32)),
        (Pop3Reply(True, "2 320 messages"), (2, 320)),
        (Pop3Reply(False, "1 32"), None),
        ("+OK", None),
        ("+OK one 32", None),
        ("+OK 1 " + "9" * 30, None),
    ],
)
def test_parse_stat(reply: Pop3Reply | str, expected: tuple[int, int] | None) -> None:
    assert pop3.parse_stat(reply) == expected


# ------------------------------------------------------------------ commands


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (pop3.capa(), b"CAPA\r\n"),
        (pop3.stls(), b"STLS\r\n"),
        (pop3.user("alice"), b"USER alice\r\n"),
        (pop3.user("alice@example.test"), b"USER alice@example.test\r\n"),
        (pop3.pass_("secret word"), b"PASS secret word\r\n"),
        (pop3.pass_("pässwort"), "PASS pässwort\r\n".encode()),
        (pop3.auth_plain("alice", "secret"), b"AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n"),
        (pop3.stat(), b"STAT\r\n"),
        (pop3.noop(), b"NOOP\r\n"),
        (pop3.quit(), b"QUIT\r\n"),
    ],
)
def test_commands_are_exact_bytes(command: bytes, expected: bytes) -> None:
    assert command == expected


def test_auth_plain_is_utf8() -> None:
    assert base64.b64decode(pop3.auth_plain("ユーザー", "pässwort")[11:-2]) == "\0ユーザー\0pässwort".encode()


@pytest.mark.parametrize("value", ["x\r\nDELE 1", "x\ny", "x\ry", "x\0y"])
@pytest.mark.parametrize(
    "build",
    [
        pop3.user,
        pop3.pass_,
        lambda value: pop3.auth_plain(value, "secret"),
        lambda value: pop3.auth_plain("alice", value),
    ],
)
def test_line_breaks_in_arguments_are_refused(build: Callable[[str], bytes], value: str) -> None:
    with pytest.raises(ValueError) as caught:
        build(value)
    assert value not in str(caught.value)
