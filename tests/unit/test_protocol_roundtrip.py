"""Builders and parsers used by the round trip test (send to oneself, find it, remove it)."""

import pytest

from maildoctor.protocol import imap, smtp


def test_imap_round_trip_commands() -> None:
    assert imap.select("a1") == b"a1 SELECT INBOX\r\n"
    assert imap.uid_search_header("a2", "X-Maildoctor-Probe", "abc123") == (
        b'a2 UID SEARCH HEADER X-Maildoctor-Probe "abc123"\r\n'
    )
    assert imap.uid_delete("a3", [7, 9]) == b"a3 UID STORE 7,9 +FLAGS.SILENT (\\Deleted)\r\n"
    assert imap.uid_expunge("a4", [7]) == b"a4 UID EXPUNGE 7\r\n"
    with pytest.raises(ValueError):
        imap.uid_search_header("a5", "Subject", 'x" OR ALL')
    with pytest.raises(ValueError):
        imap.uid_delete("a6", [])


@pytest.mark.parametrize(
    ("text", "expected"),
    [("SEARCH", ()), ("SEARCH 4", (4,)), ("SEARCH 4 17 ", (4, 17)), ("3 EXISTS", None), ("SEARCHX 1", None)],
)
def test_parse_search(text: str, expected: tuple[int, ...] | None) -> None:
    assert imap.parse_search(imap.Untagged(text)) == expected


def test_smtp_message_is_dot_stuffed_and_terminated() -> None:
    assert smtp.data() == b"DATA\r\n"
    assert smtp.message_data(b"Subject: x\n\n.hidden\nend\n") == b"Subject: x\r\n\r\n..hidden\r\nend\r\n.\r\n"
