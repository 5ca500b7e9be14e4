"""A Babel extractor for the texts kept in TOML data files, so they share the gettext catalogs.

Data files (causes, replies, providers, mail programs) hold their user-facing sentences in English;
those are message ids like the ones marked with `_()` in Python, and the ja catalog translates them
where they are shown (`Translator.gettext(text)`). One i18n mechanism, not `_en`/`_ja` pairs.

babel.cfg names the keys whose values are texts, per group of files:

    [extractors]
    toml = maildoctor.i18n_data:extract_toml

    [toml: src/maildoctor/data/knowledge/**.toml]
    keys = title, steps, do_not

A value under one of those keys is extracted when it is a string or a list of strings, at any depth
(tables, arrays of tables). A sibling key `<key>_note` (a string) becomes the translators' comment.
Empty strings are skipped: an empty msgid is the catalog's header.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

# Babel's extractor protocol: (line number, function name, message, translator comments)
Extracted = tuple[int, str | None, str, list[str]]


def text_keys(options: Mapping[str, Any]) -> frozenset[str]:
    """The `keys` option of a babel.cfg section: comma- or space-separated key names."""
    raw = str(options.get("keys", ""))
    return frozenset(key for key in raw.replace(",", " ").split() if key)


def texts_in(document: Mapping[str, Any], keys: Collection[str]) -> Iterator[tuple[str, list[str]]]:
    """Every text under `keys` in a parsed TOML document, in file order, with its translators' notes."""
    for key, value in document.items():
        if isinstance(value, Mapping):
            yield from texts_in(value, keys)
        elif isinstance(value, list) and value and all(isinstance(item, Mapping) for item in value):
            for item in value:
                yield from texts_in(item, keys)
        elif key in keys:
            note = document.get(f"{key}_note")
            comments = [note] if isinstance(note, str) and note else []
            items = value if isinstance(value, list) else [value]
            for item in items:
                if isinstance(item, str) and item:
                    yield item, comments


def _line_of(lines: list[str], text: str, start: int) -> int:
    """The 1-based line where `text` first appears from `start` on (0 when it is not found verbatim)."""
    needle = text.splitlines()[0][:40] if text else ""
    for index in range(start, len(lines)):
        if needle and needle in lines[index]:
            return index + 1
    return 0


def extract_toml(
    fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str], options: Mapping[str, Any]
) -> Iterator[Extracted]:
    """Babel extraction method: the texts of one TOML data file (see the module docstring)."""
    del keywords, comment_tags  # TOML has no calls or comments to look for
    source = fileobj.read().decode("utf-8")
    document = tomllib.loads(source)
    lines = source.splitlines()
    position = 0
    for text, comments in texts_in(document, text_keys(options)):
        line = _line_of(lines, text, position)
        position = max(position, line - 1) if line else position
        yield line, None, text, comments
