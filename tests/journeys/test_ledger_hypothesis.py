"""The ledger's commands on any typed text and any CSV bytes: a usage error (exit 2) or success,
never a traceback, and nothing half-written (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_cli_hypothesis import SOME
from test_cli_hypothesis import invoke as invoke_cli

from maildoctor.i18n import Language

TEXTS: Final = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        ["", " ", "山田\u202e太郎", "\x1b[31m", "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "a" * 600, "2026/02/30"]
    ),
)


def invoke(args: list[str], lang: Language = Language.JA) -> tuple[int, str]:
    """test_cli_hypothesis's run (no exception, no traceback, a status of interface.md), and no
    terminal escape from what was typed."""
    code, output = invoke_cli(args, lang=lang)
    assert "\x1b" not in output
    return code, output


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("ledger") / "book.sqlite3"
    for args in (["init"], ["company", "add", "yamada", "山田商事"], ["person", "add", "山田太郎"]):
        code, output = invoke(["ledger", *args, "--db", str(path)])
        assert code == 0, output
    return str(path)


def accounts(book: str) -> list[str]:
    code, output = invoke(["ledger", "account", "list", "--json", "--db", book])
    assert code == 0, output
    return [row["address"] for row in json.loads(output)["rows"]]


@SOME
@given(address=TEXTS, incoming=TEXTS, person=TEXTS, lang=st.sampled_from(list(Language)))
def test_account_add_any_text(book: str, address: str, incoming: str, person: str, lang: Language) -> None:
    before = accounts(book)
    args = ["ledger", "account", "add", address, "--incoming", incoming, "--person", person, "--db", book]
    code, _ = invoke(args, lang)
    assert code in {0, 2}
    after = accounts(book)
    assert len(after) == len(before) + (code == 0)  # added whole, or not at all


@SOME
@given(data=st.binary(max_size=300), header=st.sampled_from([b"", b"company,address,username\r\n"]))
def test_import_any_csv_bytes(
    book: str, tmp_path_factory: pytest.TempPathFactory, data: bytes, header: bytes
) -> None:
    sheet = Path(tmp_path_factory.mktemp("csv")) / "accounts.csv"
    sheet.write_bytes(header + data)
    code, _ = invoke(["ledger", "import", "csv", str(sheet), "--db", book])
    assert code in {0, 2}
