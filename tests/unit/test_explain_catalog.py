"""The client-message catalogue (maildoctor/data/client_messages.toml): every entry has a
source and known causes, and what it says it took from ../shared/data is really there."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from maildoctor.causes import CauseCode
from maildoctor.explain import CatalogError, Client, ClientMessage, Confirmed, load_catalog
from maildoctor.explain.catalog import parse_catalog
from maildoctor.i18n import get_translator

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data" / "client-errors"
CATALOG = load_catalog()

GOOD = """
[[entry]]
id = "x-one"
client = "iphone"
patterns = ["Cannot Get Mail"]
causes = ["AUTH_FAILED"]
meaning = "Mail could not receive."
check = "maildoctor check ADDRESS --incoming imaps://SERVER:993"
source = "https://support.apple.com/en-us/102546"
confirmed = "recalled"
"""


def test_the_catalogue_loads_and_is_cached() -> None:
    assert len(CATALOG) > 100
    assert load_catalog() is CATALOG


@pytest.mark.parametrize("entry", CATALOG, ids=[entry.id for entry in CATALOG])
def test_every_entry_has_a_source_and_known_causes(entry: ClientMessage) -> None:
    assert entry.causes and all(isinstance(cause, CauseCode) for cause in entry.causes)
    assert entry.source.startswith(("https://", "shared/data/"))
    if entry.source.startswith("shared/data/"):
        assert (REPO.parent / entry.source.split()[0]).is_file(), entry.source
        assert entry.confirmed is Confirmed.DATA
    assert entry.meaning and entry.check.startswith("maildoctor check ADDRESS")
    assert entry.code is not None or entry.patterns


def test_every_client_and_both_languages_are_covered() -> None:
    assert {entry.client for entry in CATALOG} == set(Client)
    iphone = [p for e in CATALOG if e.client is Client.IPHONE for p in e.patterns]
    assert any(re.search(r"[ぁ-んァ-ン]", p) for p in iphone)
    assert any(p.isascii() for p in iphone)
    ja = get_translator("ja")
    assert all(ja.gettext(entry.meaning) != entry.meaning for entry in CATALOG)


def test_the_data_entries_say_what_the_data_says() -> None:
    codes_file, strings_file = DATA / "ixp_codes_from_wine.json", DATA / "tb_error_strings_en.json"
    if not (codes_file.is_file() and strings_file.is_file()):
        pytest.skip(f"{DATA} is not here")
    codes = {c["hresult"]: c["symbol"] for c in json.loads(codes_file.read_text())["codes"]}
    ours = {entry.code: entry.symbol for entry in CATALOG if entry.code in codes}
    assert ours == codes
    strings = {k: v for group in json.loads(strings_file.read_text()).values() for k, v in group.items()}
    keyed = {entry.key: entry for entry in CATALOG if entry.key is not None}
    assert set(keyed) == set(strings)
    for key, entry in keyed.items():
        assert entry.confirmed is Confirmed.DATA and entry.client is Client.THUNDERBIRD
        # The pattern is the string with its %S written as a named placeholder (and quotes
        # around a placeholder dropped, where the string had them).
        template = strings[key].replace("\\n", " ").strip()
        pattern = re.sub(r"\{[a-z]+\}", "%S", entry.patterns[0])
        expected = _words(re.sub(r"%(\d\$)?[Ssd]", "%S", template))
        if key == "pop3ServerSaid":  # Thunderbird shows the server's own words after this one
            expected.append("%S")
        assert _words(pattern) == expected, key


def _words(text: str) -> list[str]:
    return re.sub(r"['\"]?%S['\"]?", "%S", text).split()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('causes = ["AUTH_FAILED"]', 'causes = ["AUTH_FAILED", "NO_SUCH_CAUSE"]'),
            "x-one: unknown cause code",
        ),
        (('causes = ["AUTH_FAILED"]', "causes = []"), "x-one: causes must be a non-empty list"),
        (('confirmed = "recalled"', 'confirmed = "recalled"\ncolour = "red"'), "x-one: unknown keys colour"),
        (('source = "https://support.apple.com/en-us/102546"\n', ""), "x-one: missing keys source"),
        (('client = "iphone"', 'client = "pager"'), "x-one: unknown client"),
        (('confirmed = "recalled"', 'confirmed = "sure"'), "x-one: unknown confirmed"),
        (('patterns = ["Cannot Get Mail"]', 'patterns = ["Cannot {thing}"]'), "x-one: unknown placeholder"),
        (('patterns = ["Cannot Get Mail"]', "patterns = []"), "x-one: needs a code or at least one pattern"),
        (('patterns = ["Cannot Get Mail"]', 'code = "800ccc0e"'), "x-one: code '800ccc0e' must be"),
        (('check = "maildoctor check', 'check = "ping'), "x-one: check must start"),
    ],
)
def test_a_broken_entry_is_named(change: tuple[str, str], message: str) -> None:
    assert change[0] in GOOD
    with pytest.raises(CatalogError, match=re.escape(message)):
        parse_catalog(GOOD.replace(*change))


def test_ids_and_codes_are_unique() -> None:
    assert parse_catalog(GOOD)[0].id == "x-one"
    with pytest.raises(CatalogError, match="x-one: id used twice"):
        parse_catalog(GOOD + GOOD)
    coded = GOOD.replace('patterns = ["Cannot Get Mail"]', 'code = "0x800CCC0E"')
    with pytest.raises(CatalogError, match="x-two: code 0x800CCC0E is already in x-one"):
        parse_catalog(coded + coded.replace("x-one", "x-two"))
    with pytest.raises(CatalogError, match="not valid TOML"):
        parse_catalog("[[entry]\n")
