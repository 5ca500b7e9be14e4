"""The TOML extractor finds exactly the texts under the configured keys, with their notes."""

from __future__ import annotations

import io

from maildoctor.i18n_data import extract_toml, text_keys

DOCUMENT = b"""
code = "AUTH_FAILED"
title = "The password was refused"
title_note = "A finding's heading."
steps = ["Type the password again.", ""]

[[replies]]
code = "535"
meaning = "The server refused the login."
hidden = "not a text"

[nested.deeper]
meaning = "Deep text."
"""


def _extract(keys: str) -> list[tuple[int, str, list[str]]]:
    found = extract_toml(io.BytesIO(DOCUMENT), (), (), {"keys": keys})
    return [(line, message, comments) for line, _, message, comments in found]


def test_only_the_configured_keys_are_extracted_in_file_order() -> None:
    extracted = _extract("title, steps meaning")
    assert [message for _, message, _ in extracted] == [
        "The password was refused",
        "Type the password again.",
        "The server refused the login.",
        "Deep text.",
    ]


def test_a_note_becomes_the_translators_comment_and_lines_point_at_the_text() -> None:
    extracted = _extract("title,meaning")
    assert extracted[0] == (3, "The password was refused", ["A finding's heading."])
    assert extracted[1][0] == 9
    assert extracted[1][2] == []


def test_keys_option_parsing() -> None:
    assert text_keys({"keys": " a, b  c,"}) == {"a", "b", "c"}
    assert text_keys({}) == frozenset()
