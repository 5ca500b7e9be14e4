"""The cause catalogue matches shared/spec/causes.md exactly."""

import re
from pathlib import Path

import pytest

from maildoctor.causes import CAUSES, EXTENSIONS, Cause, CauseCode, get_cause
from maildoctor.i18n import get_translator
from maildoctor.model import Layer, Severity

REPO_ROOT = Path(__file__).resolve().parents[2]
CAUSES_MD = REPO_ROOT / ".." / "shared" / "spec" / "causes.md"

# a table row of causes.md: | layer | `CODE` | what it means | typical evidence |
ROW = re.compile(r"^\|\s*(?P<layer>[a-z-]+)\s*\|\s*`(?P<code>[A-Z0-9_]+)`\s*\|", re.MULTILINE)


@pytest.fixture(scope="module")
def spec_rows() -> list[tuple[str, str]]:
    if not CAUSES_MD.is_file():
        pytest.skip(f"the spec is not next to this checkout: {CAUSES_MD} is missing")
    rows = [(m["code"], m["layer"]) for m in ROW.finditer(CAUSES_MD.read_text(encoding="utf-8"))]
    assert rows, "no cause rows found in causes.md: has the table format changed?"
    return rows


def test_codes_and_layers_match_the_spec(spec_rows: list[tuple[str, str]]) -> None:
    ours = {code.value: cause.layer.value for code, cause in CAUSES.items() if code not in EXTENSIONS}
    assert dict(spec_rows) == ours


def test_extensions_are_new_codes_with_a_reason(spec_rows: list[tuple[str, str]]) -> None:
    spec_codes = {code for code, _ in spec_rows}
    for code, reason in EXTENSIONS.items():
        assert code.value not in spec_codes, f"{code} is in the spec now: remove it from EXTENSIONS"
        assert code in CAUSES and len(reason) > 20


def test_each_code_appears_once_in_the_spec(spec_rows: list[tuple[str, str]]) -> None:
    codes = [code for code, _ in spec_rows]
    assert len(codes) == len(set(codes))


def test_layers_are_the_spec_layers_in_the_spec_order(spec_rows: list[tuple[str, str]]) -> None:
    layers_in_order = list(dict.fromkeys(layer for _, layer in spec_rows))
    assert layers_in_order == [layer.value for layer in Layer]


def test_every_code_has_exactly_one_entry() -> None:
    assert list(CAUSES) == list(CauseCode)
    for code, cause in CAUSES.items():
        assert cause.code is code
        assert isinstance(cause, Cause)
        assert cause.severity in (Severity.ERROR, Severity.WARNING)


def test_get_cause() -> None:
    assert get_cause("AUTH_FAILED") is CAUSES[CauseCode.AUTH_FAILED]
    assert get_cause("AUTH_FAILED").layer is Layer.AUTH
    with pytest.raises(KeyError):
        get_cause("NO_SUCH_CAUSE")


def test_titles_are_one_line_distinct_and_translated() -> None:
    titles = [cause.title for cause in CAUSES.values()]
    assert len(set(titles)) == len(titles)
    japanese = get_translator("ja")
    for title in titles:
        assert title
        assert "\n" not in title
        assert japanese.gettext(title) != title, f"no Japanese title for {title!r}"
