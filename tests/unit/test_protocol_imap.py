"""IMAP responses, greetings, capabilities, quota and commands (protocol/imap.py).

The data are the replies of Dovecot 2.3 recorded in real-servers.md (1.2, 1.4).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from maildoctor.protocol import imap
from maildoctor.protocol.errors import LineTooLong, LiteralTooLarge, ProtocolViolation, ResponseTooLarge
from maildoctor.protocol.imap import (
    Continuation,
    ImapCondition,
    ImapGreeting,
    ImapResponse,
    ImapResponseReader,
    ImapStatus,
    QuotaInfo,
    QuotaResource,
    QuotaRoot,
    TagCounter,
    Tagged,
    Untagged,
)

GREETING = (
    b"* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN "
    b"AUTH=LOGIN] Dovecot (Debian) ready.\r\n"
)
# from 127.0.0.2 with disable_plaintext_auth = yes (1.4)
GREETING_LOGINDISABLED = (
    b"* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS LOGINDISABLED] "
    b"Dovecot (Debian) ready.\r\n"
)
SESSION = (
    GREETING + b"a001 NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) "
    b"connections.\r\n"
    b"a002 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"
    b"a003 NO [UNAVAILABLE] Temporary authentication failure. [vm:2026-11-24 19:46:36]\r\n"
    b"a004 NO [LIMIT] Maximum number of connections from user+IP exceeded "
    b"(mail_max_userip_connections=3)\r\n"
    b"a005 OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY "
    b"THREAD=REFERENCES MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY "
    b"QUOTA] Logged in\r\n"
    b'* QUOTAROOT INBOX "User quota"\r\n'
    b'* QUOTA "User quota" (STORAGE 0 10240)\r\n'
    b"a006 OK Getquotaroot completed (0.001 + 0.000 secs).\r\n"
    b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
    b"* 4 EXISTS\r\n"
    b"a007 OK [READ-ONLY] Examine completed (0.001 + 0.000 secs).\r\n"
    b"a008 NO [OVERQUOTA] Quota exceeded (mailbox for user is full) (0.003 + 0.000 + 0.002 secs).\r\n"
    b"+ Ready for literal data\r\n"
    b"+\r\n"
    b"* BYE Logging out\r\n"
    b"a009 OK Logout completed (0.001 + 0.000 secs).\r\n"
)


def chunkings(data: bytes) -> Iterator[list[bytes]]:
    """The input in one piece, one byte at a time, and split once at every boundary."""
    yield [data]
    yield [data[index : index + 1] for index in range(len(data))]
    for index in range(1, len(data)):
        yield [data[:index], data[index:]]


def responses(chunks: list[bytes], **bounds: int) -> tuple[list[ImapResponse], type[Exception] | None]:
    reader = ImapResponseReader(**bounds)
    found: list[ImapResponse] = []
    try:
        for chunk in chunks:
            reader.feed(chunk)
            while (response := reader.next_response()) is not None:
                found.append(response)
    except ProtocolViolation as error:
        return found, type(error)
    return found, None


def framed(data: bytes) -> list[ImapResponse]:
    found, error = responses([data])
    assert error is None
    return found


# ------------------------------------------------------------------ framing


def test_a_recorded_session_is_framed() -> None:
    found = framed(SESSION)
    assert found[1:5] == [
        Tagged(
            "a001",
            ImapStatus.NO,
            "PRIVACYREQUIRED",
            "Plaintext authentication disallowed on non-secure (SSL/TLS) connections.",
        ),
        Tagged("a002", ImapStatus.NO, "AUTHENTICATIONFAILED", "Authentication failed."),
        Tagged(
            "a003",
            ImapStatus.NO,
            "UNAVAILABLE",
            "Temporary authentication failure. [vm:2026-11-24 19:46:36]",
        ),
        Tagged(
            "a004",
            ImapStatus.NO,
            "LIMIT",
            "Maximum number of connections from user+IP exceeded (mail_max_userip_connections=3)",
        ),
    ]
    assert found[6:9] == [
        Untagged('QUOTAROOT INBOX "User quota"'),
        Untagged('QUOTA "User quota" (STORAGE 0 10240)'),
        Tagged("a006", ImapStatus.OK, None, "Getquotaroot completed (0.001 + 0.000 secs)."),
    ]
    assert found[10] == Untagged("4 EXISTS")
    assert found[11] == Tagged("a007", ImapStatus.OK, "READ-ONLY", "Examine completed (0.001 + 0.000 secs).")
    assert isinstance(found[12], Tagged) and found[12].code == "OVERQUOTA"
    assert found[13:] == [
        Continuation("Ready for literal data"),
        Continuation(""),
        Untagged("BYE Logging out"),
        Tagged("a009", ImapStatus.OK, None, "Logout completed (0.001 + 0.000 secs)."),
    ]


LITERALS = (
    b"* 1 FETCH (BODY[] {5}\r\nhello)\r\n"
    # a literal holding what looks like a tagged response and a CRLF: it is data, not protocol
    b"* 2 FETCH (BODY[] {24}\r\na010 OK fake\r\n* 9 EXISTS UID 7)\r\n"
    b'* LIST () "/" {0}\r\n\r\n'
    b"* 3 FETCH (BINARY[] ~{3}\r\n\x00\x01\x02 X {2}\r\nab)\r\n"
    b"* OK ends like a literal {5}\r\n"  # status responses carry text only: no literal here
    b"* QUOTA {10}\r\nUser quota (STORAGE 1 2)\r\n"
    b"a010 OK done\r\n"
)


def test_literals_are_counted_not_parsed() -> None:
    assert framed(LITERALS) == [
        Untagged("1 FETCH (BODY[] {5})", (b"hello",)),
        Untagged("2 FETCH (BODY[] {24} UID 7)", (b"a010 OK fake\r\n* 9 EXISTS",)),
        Untagged('LIST () "/" {0}', (b"",)),
        Untagged("3 FETCH (BINARY[] ~{3} X {2})", (b"\x00\x01\x02", b"ab")),
        Untagged("OK ends like a literal {5}"),
        Untagged("QUOTA {10} (STORAGE 1 2)", (b"User quota",)),
        Tagged("a010", ImapStatus.OK, None, "done"),
    ]


@pytest.mark.parametrize("data", [SESSION, LITERALS, GREETING_LOGINDISABLED])
def test_every_split_gives_the_same_responses(data: bytes) -> None:
    expected = responses([data])
    assert expected[1] is None
    for chunks in chunkings(data):
        assert responses(chunks) == expected, chunks


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"* 1 FETCH (BODY[] {100}\r\n" + b"x" * 100 + b")\r\n", LiteralTooLarge),
        (b"* 1 FETCH (BODY[] {" + b"9" * 30 + b"}\r\n", LiteralTooLarge),
        (b"* 1 FETCH (A {40}\r\n" + b"x" * 40 + b" B {40}\r\n" + b"y" * 40 + b")\r\n", ResponseTooLarge),
        (b"* " + b"x" * 200 + b"\r\n", LineTooLong),
    ],
)
def test_bounds_raise_at_every_split(data: bytes, error: type[Exception]) -> None:
    for chunks in chunkings(data):
        assert responses(chunks, max_line=100, max_literal=50, max_response=100) == ([], error), chunks


def test_a_literal_at_the_bound_passes() -> None:
    data = b"* 1 FETCH (BODY[] {50}\r\n" + b"x" * 50 + b")\r\n"
    assert responses([data], max_literal=50) == ([Untagged("1 FETCH (BODY[] {50})", (b"x" * 50,))], None)


def test_a_literal_waits_for_all_its_bytes() -> None:
    reader = ImapResponseReader()
    reader.feed(b"* 1 FETCH (BODY[] {5}\r\nhel")
    assert reader.next_response() is None
    reader.feed(b"lo")
    assert reader.next_response() is None  # the rest of the line is still missing
    reader.feed(b")\r\n")
    assert reader.next_response() == Untagged("1 FETCH (BODY[] {5})", (b"hello",))


@pytest.mark.parametrize(
    "data",
    [
        b"220 localhost ESMTP Postfix (Debian/GNU)\r\n",  # SMTP on the IMAP port
        b"+OK Dovecot (Debian) ready.\r\n",  # POP3 on the IMAP port
        b"HTTP/1.1 400 Bad Request\r\n",
        b"a001 MAYBE later\r\n",
        b"a001\r\n",
        b"a001 \r\n",
        b"\r\n",
    ],
)
def test_lines_that_are_not_imap_raise_at_every_split(data: bytes) -> None:
    for chunks in chunkings(data):
        assert responses(chunks) == ([], ProtocolViolation), chunks


def test_responses_match_positionally() -> None:
    match framed(b"a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n")[0]:
        case Tagged(tag, ImapStatus.NO, code, text):
            assert (tag, code, text) == ("a1", "AUTHENTICATIONFAILED", "Authentication failed.")
        case _:
            pytest.fail("not matched")


def test_status_words_are_case_insensitive() -> None:
    assert framed(b"a1 ok [alert] Hi\r\n") == [Tagged("a1", ImapStatus.OK, "ALERT", "Hi")]


def test_a_violation_keeps_the_line_and_stays() -> None:
    reader = ImapResponseReader()
    reader.feed(b"220 smtp.example.com ESMTP\r\n")
    with pytest.raises(ProtocolViolation) as caught:
        reader.next_response()
    assert caught.value.data == b"220 smtp.example.com ESMTP"
    with pytest.raises(ProtocolViolation):
        reader.next_response()


def test_unread_bytes_after_the_starttls_answer_are_visible() -> None:
    reader = ImapResponseReader()
    reader.feed(b"a002 OK Begin TLS negotiation now.\r\n* OK injected\r\n")
    assert reader.next_response() == Tagged("a002", ImapStatus.OK, None, "Begin TLS negotiation now.")
    assert reader.buffered == len(b"* OK injected\r\n")


# ------------------------------------------------------------------ greeting, conditions, capabilities

DOVECOT_CAPABILITIES = frozenset(
    {"IMAP4REV1", "SASL-IR", "LOGIN-REFERRALS", "ID", "ENABLE", "IDLE", "LITERAL+", "STARTTLS"}
    | {"AUTH=PLAIN", "AUTH=LOGIN"}
)


def test_dovecot_greeting() -> None:
    assert imap.parse_greeting(framed(GREETING)[0]) == ImapGreeting(
        status=ImapStatus.OK,
        code="CAPABILITY",
        code_args="IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN AUTH=LOGIN",
        capabilities=DOVECOT_CAPABILITIES,
        text="Dovecot (Debian) ready.",
    )


def test_greeting_with_logindisabled() -> None:
    greeting = imap.parse_greeting(framed(GREETING_LOGINDISABLED)[0])
    assert greeting is not None and greeting.capabilities is not None
    assert {"LOGINDISABLED", "STARTTLS"} <= greeting.capabilities
    assert not any(name.startswith("AUTH=") for name in greeting.capabilities)


@pytest.mark.parametrize(
    ("text", "status", "capabilities"),
    [
        ("* OK Microsoft Exchange IMAP4 service ready.", ImapStatus.OK, None),
        ("* PREAUTH [CAPABILITY IMAP4rev1] logged in as alice", ImapStatus.PREAUTH, frozenset({"IMAP4REV1"})),
        ("* BYE Too many connections", ImapStatus.BYE, None),
        ("* bye shutting down", ImapStatus.BYE, None),
    ],
)
def test_greeting_kinds(text: str, status: ImapStatus, capabilities: frozenset[str] | None) -> None:
    greeting = imap.parse_greeting(text)
    assert greeting is not None
    assert (greeting.status, greeting.capabilities) == (status, capabilities)


@pytest.mark.parametrize(
    "response",
    [
        Untagged("4 EXISTS"),
        Untagged("NO [ALERT] not a greeting"),
        Untagged(""),
        Tagged("a1", ImapStatus.OK, None, "x"),
        Continuation("x"),
        "220 smtp ready",
    ],
)
def test_what_is_not_a_greeting(response: ImapResponse | str) -> None:
    assert imap.parse_greeting(response) is None


def test_conditions() -> None:
    assert imap.parse_condition(
        Untagged("BYE Microsoft Exchange Server IMAP4 server signing off.")
    ) == ImapCondition(ImapStatus.BYE, None, "Microsoft Exchange Server IMAP4 server signing off.")
    assert imap.parse_condition("* NO [ALERT] Application-specific password required") == ImapCondition(
        ImapStatus.NO, "ALERT", "Application-specific password required"
    )
    assert imap.parse_condition("* OK [WEBALERT https://accounts.google.com/x] Web login required.") == (
        ImapCondition(ImapStatus.OK, "WEBALERT", "Web login required.", "https://accounts.google.com/x")
    )
    assert imap.parse_condition("* 4 EXISTS") is None


@pytest.mark.parametrize(
    ("text", "code", "args", "rest"),
    [
        ("[ALERT] hi", "ALERT", "", "hi"),
        ("[alert]hi", "ALERT", "", "hi"),
        ("[BADCHARSET (UTF-8 US-ASCII)] no", "BADCHARSET", "(UTF-8 US-ASCII)", "no"),
        ("[] empty", None, "", "[] empty"),
        ("[unclosed", None, "", "[unclosed"),
        ("text [ALERT] later", None, "", "text [ALERT] later"),
    ],
)
def test_response_codes(text: str, code: str | None, args: str, rest: str) -> None:
    tagged = framed(f"a1 NO {text}\r\n".encode())[0]
    assert tagged == Tagged("a1", ImapStatus.NO, code, rest, args)


def test_capabilities_after_login() -> None:
    tagged = framed(SESSION)[5]
    assert isinstance(tagged, Tagged)
    assert (
        tagged.capabilities is not None
        and "QUOTA" in tagged.capabilities
        and "STARTTLS" not in tagged.capabilities
    )
    refused = framed(SESSION)[1]
    assert isinstance(refused, Tagged) and refused.capabilities is None


def test_parse_capabilities() -> None:
    assert imap.parse_capabilities("* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN") == frozenset(
        {"IMAP4REV1", "STARTTLS", "AUTH=PLAIN"}
    )
    assert imap.parse_capabilities(Untagged("capability imap4rev1")) == frozenset({"IMAP4REV1"})
    assert imap.parse_capabilities("* 4 EXISTS") is None


@pytest.mark.parametrize(
    ("response", "count"),
    [
        ("* 4 EXISTS", 4),
        ("* 0 exists", 0),
        (Untagged("4 EXISTS"), 4),
        ("* 4 RECENT", None),
        ("* EXISTS", None),
        ("* " + "9" * 30 + " EXISTS", None),
    ],
)
def test_parse_exists(response: Untagged | str, count: int | None) -> None:
    assert imap.parse_exists(response) == count


# ------------------------------------------------------------------ quota


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (
            '* QUOTA "User quota" (STORAGE 0 10240)',
            QuotaInfo("User quota", (QuotaResource("STORAGE", 0, 10240),)),
        ),
        ('QUOTA "" (STORAGE 10 512)', QuotaInfo("", (QuotaResource("STORAGE", 10, 512),))),
        (
            "* QUOTA ROOT (STORAGE 10 512 MESSAGE 2 1000)",
            QuotaInfo("ROOT", (QuotaResource("STORAGE", 10, 512), QuotaResource("MESSAGE", 2, 1000))),
        ),
        (
            '* quota "a \\"b\\" \\\\c" (storage 1 2)',
            QuotaInfo('a "b" \\c', (QuotaResource("STORAGE", 1, 2),)),
        ),
        ("* QUOTA x ()", QuotaInfo("x", ())),
        (
            Untagged("QUOTA {10} (STORAGE 1 2)", (b"User quota",)),
            QuotaInfo("User quota", (QuotaResource("STORAGE", 1, 2),)),
        ),
        ("* QUOTA x (STORAGE 1)", None),
        ("* QUOTA x (STORAGE one 2)", None),
        ("* QUOTA x (STORAGE 1 " + "9" * 25 + ")", None),
        ("* QUOTA x (STORAGE 1 2", None),
        ("* QUOTA x STORAGE 1 2", None),
        ('* QUOTA "unterminated (STORAGE 1 2)', None),
        ("* QUOTA {10} (STORAGE 1 2)", None),  # a literal marker without its body
        ("* QUOTA x ((STORAGE) 1 2)", None),
        ('* QUOTAROOT INBOX "User quota"', None),
        ("* 4 EXISTS", None),
    ],
)
def test_parse_quota(response: Untagged | str, expected: QuotaInfo | None) -> None:
    assert imap.parse_quota(response) == expected


def test_quota_helpers() -> None:
    info = imap.parse_quota('* QUOTA "User quota" (STORAGE 9216 10240 MESSAGE 3 0)')
    assert info is not None
    storage = info.resource("storage")
    assert storage is not None and storage.fraction_used == 0.9
    message = info.resource("MESSAGE")
    assert message == QuotaResource("MESSAGE", 3, 0) and message.fraction_used is None
    assert info.resource("OTHER") is None


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ('* QUOTAROOT INBOX "User quota"', QuotaRoot("INBOX", ("User quota",))),
        ("* QUOTAROOT INBOX", QuotaRoot("INBOX", ())),
        ('* QUOTAROOT "Sent Items" "" other', QuotaRoot("Sent Items", ("", "other"))),
        ("* QUOTAROOT INBOX (x)", None),
        ("* QUOTAROOT", None),
        ('* QUOTA "User quota" (STORAGE 0 10240)', None),
    ],
)
def test_parse_quotaroot(response: str, expected: QuotaRoot | None) -> None:
    assert imap.parse_quotaroot(response) == expected


def test_quota_from_the_framed_session() -> None:
    root, quota = framed(SESSION)[6:8]
    assert isinstance(root, Untagged) and isinstance(quota, Untagged)
    assert imap.parse_quotaroot(root) == QuotaRoot("INBOX", ("User quota",))
    assert imap.parse_quota(quota) == QuotaInfo("User quota", (QuotaResource("STORAGE", 0, 10240),))


# ------------------------------------------------------------------ tags and commands


def test_tag_counter() -> None:
    tags = TagCounter()
    assert [next(tags) for _ in range(3)] == ["a001", "a002", "a003"]
    assert tags.next_tag() == "a004"
    late = TagCounter("md", start=999)
    assert [next(late), next(late)] == ["md999", "md1000"]
    assert iter(late) is late
    with pytest.raises(ValueError):
        TagCounter("a1")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (imap.capability("a001"), b"a001 CAPABILITY\r\n"),
        (imap.starttls("a002"), b"a002 STARTTLS\r\n"),
        (imap.getquotaroot("a003"), b"a003 GETQUOTAROOT INBOX\r\n"),
        (imap.getquota("a004", "User quota"), b'a004 GETQUOTA "User quota"\r\n'),
        (imap.getquota("a004", ""), b'a004 GETQUOTA ""\r\n'),
        (imap.examine("a005"), b"a005 EXAMINE INBOX\r\n"),
        (imap.examine("a005", "Sent Items"), b'a005 EXAMINE "Sent Items"\r\n'),
        (imap.examine("a005", 'a"b'), b'a005 EXAMINE "a\\"b"\r\n'),
        (imap.noop("a006"), b"a006 NOOP\r\n"),
        (imap.logout("a007"), b"a007 LOGOUT\r\n"),
        (imap.authenticate_cancel(), b"*\r\n"),
    ],
)
def test_commands_are_exact_bytes(command: bytes, expected: bytes) -> None:
    assert command == expected


@pytest.mark.parametrize(
    ("username", "password", "literal_plus", "parts"),
    [
        ("alice", "secret", False, (b'a001 LOGIN "alice" "secret"\r\n',)),
        ("alice", 'pa"ss\\word', False, (b'a001 LOGIN "alice" "pa\\"ss\\\\word"\r\n',)),
        ("", "with space", False, (b'a001 LOGIN "" "with space"\r\n',)),
        ("alice", "tab\there", False, (b'a001 LOGIN "alice" "tab\there"\r\n',)),
        ("alice", "pässwort", False, (b'a001 LOGIN "alice" {9}\r\n', "pässwort\r\n".encode())),
        ("alice", "pässwort", True, ('a001 LOGIN "alice" {9+}\r\npässwort\r\n'.encode(),)),
        (
            "太郎",
            "pässwort",
            False,
            (b"a001 LOGIN {6}\r\n", "太郎 {9}\r\n".encode(), "pässwort\r\n".encode()),
        ),
    ],
)
def test_login(username: str, password: str, literal_plus: bool, parts: tuple[bytes, ...]) -> None:
    assert imap.login("a001", username, password, literal_plus=literal_plus) == parts


@pytest.mark.parametrize(
    ("sasl_ir", "parts"),
    [
        (True, (b"a001 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n",)),
        (False, (b"a001 AUTHENTICATE PLAIN\r\n", b"AGFsaWNlAHNlY3JldA==\r\n")),
    ],
)
def test_authenticate_plain(sasl_ir: bool, parts: tuple[bytes, ...]) -> None:
    assert imap.authenticate_plain("a001", "alice", "secret", sasl_ir=sasl_ir) == parts


INJECTIONS = ["x\r\na002 DELETE INBOX", "x\ny", "x\ry", "x\0y"]


@pytest.mark.parametrize("value", INJECTIONS)
@pytest.mark.parametrize(
    "build",
    [
        lambda value: imap.login("a001", value, "secret"),
        lambda value: imap.login("a001", "alice", value),
        lambda value: imap.login("a001", "alice", value + "ä"),  # would-be literal: still refused
        lambda value: imap.authenticate_plain("a001", value, "secret"),
        lambda value: imap.authenticate_plain("a001", "alice", value),
        lambda value: imap.getquotaroot("a001", value),
        lambda value: imap.examine("a001", value),
        lambda value: imap.getquota("a001", value),
        imap.capability,
        imap.logout,
    ],
)
def test_line_breaks_in_arguments_are_refused(build: Callable[[str], object], value: str) -> None:
    with pytest.raises(ValueError) as caught:
        build(value)
    assert value not in str(caught.value)


@pytest.mark.parametrize("tag", ["", "a 1", "a+1", "a(1", "a*", "ä1", "a{1", 'a"1', "a\\1"])
def test_bad_tags_are_refused(tag: str) -> None:
    with pytest.raises(ValueError):
        imap.capability(tag)


def test_non_ascii_mailbox_names_are_refused() -> None:
    with pytest.raises(ValueError):
        imap.examine("a001", "送信済み")
