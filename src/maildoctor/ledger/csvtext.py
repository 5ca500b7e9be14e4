"""CSV as Excel writes and reads it: bytes in UTF-8, UTF-8 with a BOM, or Shift_JIS (cp932, what
a Japanese Excel saves as "CSV"); headings by column id, English label or Japanese label.

Pure: bytes and text in, rows out; no files, no database.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Final

from maildoctor.i18n import N_, Language, get_translator
from maildoctor.ledger.changes import refuse_secrets
from maildoctor.ledger.errors import LedgerError

if TYPE_CHECKING:  # the tables' columns only: reading CSV text needs no database
    from maildoctor.ledger.records import Table

# Tried in this order: UTF-8 (a BOM removed) cannot be mistaken for cp932 text with Japanese in it.
ENCODINGS: Final = ("utf-8-sig", "cp932")
MAX_BYTES: Final = 20_000_000  # a book of a few thousand rows is well below this


def decode(data: bytes, name: str) -> str:
    if len(data) > MAX_BYTES:
        raise LedgerError(N_("{file} is larger than {most} bytes."), file=name, most=MAX_BYTES)
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LedgerError(
        N_("{file} is neither UTF-8 nor Shift_JIS text. In Excel, save it as “CSV UTF-8” and try again."),
        file=name,
    )


# Headings people give these columns in their own sheets, besides our labels.
OTHER_HEADINGS: Final[Mapping[str, tuple[str, ...]]] = {
    "address": ("アドレス", "メール", "e-mail"),
    "person": ("利用者", "使用者", "氏名"),
    "note": ("メモ", "備考欄", "note", "memo"),
    "username": ("ログイン名", "アカウント名"),
}


def _folded_heading(heading: str) -> str:
    """Headings compared without case, width, spaces or long-vowel marks (サーバー = サーバ)."""
    folded = unicodedata.normalize("NFKC", heading).casefold()
    return "".join(char for char in folded if char not in " ー_-・")


def headings(table: Table) -> dict[str, str]:
    """Every heading that names a column of `table` (id, English label, Japanese label) → column id."""
    japanese = get_translator(Language.JA.value)
    names: dict[str, str] = {}
    for column in table.columns:
        for heading in (
            column.id,
            column.label,
            japanese.gettext(column.label),
            *OTHER_HEADINGS.get(column.id, ()),
        ):
            names.setdefault(_folded_heading(heading), column.id)
    return names


def read_rows(text: str, table: Table, name: str) -> list[dict[str, str]]:
    """The rows of a CSV text, keyed by column id; an unknown heading is refused, not dropped."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = list(reader)
    if not rows:
        return []
    refuse_secrets(rows[0])
    known = headings(table)
    columns: list[str] = []
    for heading in rows[0]:
        column_id = known.get(_folded_heading(heading))
        if column_id is None:
            raise LedgerError(
                N_("{file}: the heading “{heading}” is not a column of {table}. Columns: {columns}"),
                file=name,
                heading=heading,
                table=table.name,
                columns=", ".join(column.id for column in table.columns),
            )
        columns.append(column_id)
    return [
        dict(zip(columns, (_cell_in(cell.strip()) for cell in row), strict=False))
        for row in rows[1:]
        if any(row)
    ]


# A cell Excel or LibreOffice would take for a formula (OWASP "CSV Injection"): one starting with
# = or @, a tab or a carriage return, or + or - followed by more than a phone number or a number
# (`-2+3+cmd|' /C calc'!A0` is a formula; `+81 3-1234-5678` and `-5` are not). Such a cell is
# written with a leading apostrophe, which the spreadsheet shows as text, and read back without it.
_FORMULA: Final = re.compile(r"[=@\t\r]|[+\-](?![0-9 ().\-]*$)")
_QUOTE: Final = "'"


def _cell_out(value: str) -> str:
    # a text that itself starts with the apostrophe before a formula gets one more, so it reads back
    return _QUOTE + value if _FORMULA.match(value.lstrip(_QUOTE)) else value


def _cell_in(value: str) -> str:
    return value[1:] if value.startswith(_QUOTE) and _FORMULA.match(value.lstrip(_QUOTE)) else value


def write_rows(table: Table, rows: Iterable[Mapping[str, str | None]]) -> str:
    """CSV text with the column ids as headings (what `read_rows` reads back)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    ids: Sequence[str] = [column.id for column in table.columns]
    writer.writerow(ids)
    for row in rows:
        writer.writerow(["" if (value := row.get(column)) is None else _cell_out(value) for column in ids])
    return out.getvalue()
