"""Bounded line framing and display-safe server text (protocol/lines.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from maildoctor.protocol.errors import BufferFull, LineTooLong, ProtocolViolation
from maildoctor.protocol.lines import LineBuffer, decode_text, safe_text, server_text

# Dovecot and Postfix greetings as recorded in the lab notes (real-servers.md 1.2, 2.1)
RECORDED = (
    b"* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN "
    b"AUTH=LOGIN] Dovecot (Debian) ready.\r\n"
    b"+OK Dovecot (Debian) ready.\r\n"
    b"220 localhost ESMTP Postfix (Debian/GNU)\r\n"
)


def chunkings(data: bytes) -> Iterator[list[bytes]]:
    """The input in one piece, one byte at a time, and split once at every boundary."""
    yield [data]
    yield [data[index : index + 1] for index in range(len(data))]
    for index in range(1, len(data)):
        yield [data[:index], data[index:]]


def framed(chunks: list[bytes], **bounds: int) -> tuple[list[bytes], type[Exception] | None]:
    buffer = LineBuffer(**bounds)
    lines: list[bytes] = []
    try:
        for chunk in chunks:
            buffer.feed(chunk)
            while (line := buffer.next_line()) is not None:
                lines.append(line)
    except ProtocolViolation as error:
        return lines, type(error)
    return lines, None


def test_lines_end_with_crlf_and_lose_it() -> None:
    assert framed([RECORDED]) == (
        [
            b"* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN "
            b"AUTH=LOGIN] Dovecot (Debian) ready.",
            b"+OK Dovecot (Debian) ready.",
            b"220 localhost ESMTP Postfix (Debian/GNU)",
        ],
        None,
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"one\ntwo\r\n", [b"one", b"two"]),  # a bare LF is tolerated
        (b"\r\n\n", [b"", b""]),  # empty lines are lines
        (b"a\rb\r\n", [b"a\rb"]),  # a bare CR stays in the line
        (b"a\r\r\n", [b"a\r"]),
        (b"no end yet", []),
        (b"half\r", []),
    ],
)
def test_line_ends(data: bytes, expected: list[bytes]) -> None:
    assert framed([data]) == (expected, None)


@pytest.mark.parametrize("data", [RECORDED, b"one\ntwo\r\n\r\nthree\r\npartial"])
def test_every_split_gives_the_same_lines(data: bytes) -> None:
    expected = framed([data])
    for chunks in chunkings(data):
        assert framed(chunks) == expected, chunks


def test_a_line_at_the_bound_passes() -> None:
    assert framed([b"x" * 10 + b"\r\n"], max_line=10) == ([b"x" * 10], None)


@pytest.mark.parametrize(
    "data",
    [
        b"x" * 11 + b"\r\n",
        b"x" * 11 + b"\n",
        b"ok\r\n" + b"x" * 11,  # never ends: must not wait for more
        b"ok\r\n" + b"x" * 100 + b"\r\nlater\r\n",
    ],
)
def test_a_longer_line_raises_at_every_split(data: bytes) -> None:
    expected_lines = [b"ok"] if data.startswith(b"ok") else []
    for chunks in chunkings(data):
        assert framed(chunks, max_line=10) == (expected_lines, LineTooLong), chunks


def test_a_cr_at_the_bound_waits_for_its_lf() -> None:
    buffer = LineBuffer(max_line=10)
    buffer.feed(b"x" * 10 + b"\r")
    assert buffer.next_line() is None
    buffer.feed(b"\n")
    assert buffer.next_line() == b"x" * 10


def test_a_violation_is_kept_with_its_bytes() -> None:
    buffer = LineBuffer(max_line=10)
    buffer.feed(b"\x1b[2J" + b"y" * 20)
    with pytest.raises(LineTooLong) as caught:
        buffer.next_line()
    assert caught.value.data.startswith(b"\x1b[2J")
    with pytest.raises(LineTooLong):  # broken for good
        buffer.next_line()
    with pytest.raises(LineTooLong):
        buffer.feed(b"\r\n")


def test_the_buffer_never_holds_more_than_its_bound() -> None:
    buffer = LineBuffer(max_line=10, max_buffer=20)
    buffer.feed(b"a\r\n" * 6)
    assert (buffer.buffered, buffer.space) == (18, 2)
    with pytest.raises(BufferFull):
        buffer.feed(b"abc")
    assert isinstance(BufferFull("x"), ProtocolViolation)


def test_space_grows_as_lines_are_taken() -> None:
    buffer = LineBuffer(max_line=10, max_buffer=20)
    buffer.feed(b"a\r\n" * 6)
    while buffer.next_line() is not None:
        pass
    assert (buffer.buffered, buffer.space) == (0, 20)


def test_next_bytes_takes_raw_bytes_up_to_a_count() -> None:
    buffer = LineBuffer()
    buffer.feed(b"hel")
    assert buffer.next_bytes(5) == b"hel"
    buffer.feed(b"lo\r\nrest\r\n")
    assert buffer.next_bytes(2) == b"lo"
    assert buffer.next_line() == b""
    assert buffer.next_line() == b"rest"
    assert buffer.next_bytes(3) == b""


@pytest.mark.parametrize(("max_line", "max_buffer"), [(0, 100), (10, 11)])
def test_bounds_must_make_sense(max_line: int, max_buffer: int) -> None:
    with pytest.raises(ValueError):
        LineBuffer(max_line, max_buffer)


# ------------------------------------------------------------------ server_text


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"+OK Dovecot (Debian) ready.", "+OK Dovecot (Debian) ready."),
        (b"\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),  # ANSI colour
        (b"\x1b]0;owned\x07", "\\x1b]0;owned\\x07"),  # OSC: set the terminal title
        (b"bell\x07", "bell\\x07"),
        (b"nul\x00", "nul\\x00"),
        (b"del\x7f", "del\\x7f"),
        (b"tab\there", "tab\\there"),  # one notation with the screen (maildoctor.escaping)
        (b"line\r\nbreak", "line\\r\\nbreak"),
        ("c1 csi \u009b31m".encode(), "c1 csi \\x9b31m"),  # 8-bit CSI
        ("\u0085next line".encode(), "\\x85next line"),
        ("evil \u202etxt.exe".encode(), "evil \\u202etxt.exe"),  # right-to-left override
        ("a\u2028b".encode(), "a\\u2028b"),
        ("メールサーバー 準備完了".encode(), "メールサーバー 準備完了"),
        (b"latin-1 caf\xe9", "latin-1 caf\ufffd"),  # not UTF-8: replaced, not dropped
        (b"", ""),
    ],
)
def test_server_text_escapes_every_control(data: bytes, expected: str) -> None:
    assert server_text(data) == expected


def test_server_text_output_has_no_control_characters() -> None:
    text = server_text(bytes(range(256)) + "\u200e\u202a\u2066\u2069\u2029".encode(), limit=10_000)
    assert all(0x20 <= ord(char) != 0x7F and not 0x80 <= ord(char) <= 0x9F for char in text)
    assert not set(text) & set("\u200e\u202a\u2066\u2069\u2029")


@pytest.mark.parametrize("limit", [1, 2, 5, 10, 11, 12, 13, 500])
def test_server_text_is_cut_to_the_limit_with_an_ellipsis(limit: int) -> None:
    data = b"0123456789\x1babcdefghij"
    text = server_text(data, limit)
    full = "0123456789\\x1babcdefghij"
    if len(full) <= limit:
        assert text == full
    else:
        assert len(text) <= limit
        assert text.endswith("…")
        assert full.startswith(text[:-1])
        assert "\\x1" not in text or "\\x1b" in text  # an escape is never cut in half


def test_server_text_stays_bounded_for_huge_input() -> None:
    text = server_text(b"\xff" * 10_000_000, limit=80)
    assert len(text) == 80 and text.endswith("…")


def test_server_text_cuts_by_characters_not_bytes() -> None:
    assert server_text("あいうえお".encode(), limit=5) == "あいうえお"
    assert server_text("あいうえおか".encode(), limit=5) == "あいうえ…"


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError):
        server_text(b"x", 0)
    with pytest.raises(ValueError):
        safe_text("x", 0)


def test_decode_and_safe_text() -> None:
    assert decode_text(b"\xe3\x81\x82\x1b") == "あ\x1b"  # parsed values keep the control as sent
    assert safe_text("あ\x1b") == "あ\\x1b"
