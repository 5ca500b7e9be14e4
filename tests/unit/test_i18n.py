"""Translations: language choice, per-call translators, and catalogs that cover the source."""

import builtins
import gettext
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from maildoctor import i18n
from maildoctor.i18n import Language, get_translator, resolve_language

REPO_ROOT = Path(__file__).resolve().parents[2]
UPDATE_HINT = "update the catalogs as src/maildoctor/i18n.py describes"


# ------------------------------------------------------------------ choosing the language


@pytest.mark.parametrize(
    ("explicit", "environ", "expected"),
    [
        (None, {}, Language.EN),
        (None, {"LANG": "ja_JP.UTF-8"}, Language.JA),
        (None, {"LANG": "ja_JP.eucJP"}, Language.JA),
        (None, {"LANG": "ja"}, Language.JA),
        (None, {"LANG": "en_US.UTF-8"}, Language.EN),
        (None, {"LANG": "C.UTF-8"}, Language.EN),
        (None, {"LANG": "POSIX"}, Language.EN),
        (None, {"LANG": "de_DE.UTF-8"}, Language.EN),
        (None, {"LANG": "jam_JM"}, Language.EN),  # Jamaican Patois is not Japanese
        (None, {"LC_MESSAGES": "ja_JP.UTF-8", "LANG": "en_US.UTF-8"}, Language.JA),
        (None, {"LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "ja_JP.UTF-8"}, Language.EN),
        (None, {"LANGUAGE": "ja", "LC_ALL": "en_US.UTF-8"}, Language.JA),
        (None, {"LANGUAGE": "ja:en", "LANG": "en_US.UTF-8"}, Language.JA),
        (None, {"LANGUAGE": "en:ja", "LANG": "ja_JP.UTF-8"}, Language.EN),
        (None, {"LANGUAGE": "", "LC_ALL": "", "LANG": "ja_JP.UTF-8"}, Language.JA),  # empty ones are skipped
        ("ja", {"LANG": "en_US.UTF-8"}, Language.JA),  # --lang wins
        ("en", {"LANGUAGE": "ja", "LANG": "ja_JP.UTF-8"}, Language.EN),
        ("JA", {}, Language.JA),
        ("ja_JP", {}, Language.JA),
        ("ja-JP", {}, Language.JA),
        ("fr", {"LANG": "ja_JP.UTF-8"}, Language.EN),  # an explicit choice we do not have: English
        ("", {"LANG": "ja_JP.UTF-8"}, Language.JA),  # an empty choice is no choice
    ],
)
def test_resolve_language(explicit: str | None, environ: dict[str, str], expected: Language) -> None:
    assert resolve_language(explicit, environ) is expected


def test_none_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    assert get_translator(None).language is Language.JA
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert get_translator(None).language is Language.EN


# ------------------------------------------------------------------ translators


def test_japanese_and_english_side_by_side() -> None:
    japanese, english = get_translator("ja"), get_translator("en")
    assert japanese.gettext("Options") == "オプション"
    assert english.gettext("Options") == "Options"
    assert japanese.gettext("Options") == "オプション"  # one did not change the other


def test_unknown_messages_fall_back_to_the_id() -> None:
    assert get_translator("ja").gettext("no such message id") == "no such message id"


def test_ngettext() -> None:
    english = get_translator("en")
    assert english.ngettext("{n} server", "{n} servers", 1) == "{n} server"
    assert english.ngettext("{n} server", "{n} servers", 2) == "{n} servers"


def test_nothing_is_installed_globally() -> None:
    get_translator("ja").gettext("Options")
    assert not hasattr(builtins, "_")
    assert gettext.gettext("Options") == "Options"


# ------------------------------------------------------------------ the catalogs cover the source


def extracted_messages() -> dict[str | tuple[str, ...], list[str]]:
    """Every message id in the source, as babel.cfg says to extract them, with where it is used."""
    with (REPO_ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str | tuple[str, ...], list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        REPO_ROOT, method_map, options_map
    ):
        found.setdefault(message, []).append(f"{filename}:{lineno}")
    return found


def read_catalog(language: str) -> Catalog:
    po_path = i18n.LOCALE_DIR / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
    with po_path.open("rb") as po_file:
        return read_po(po_file, locale=language)


def catalog_messages(catalog: Catalog) -> Iterator[Message]:
    return (message for message in catalog if message.id)


@pytest.fixture(scope="module")
def source_messages() -> dict[str | tuple[str, ...], list[str]]:
    messages = extracted_messages()
    assert "Show this message and exit." in messages, "extraction found nothing: check babel.cfg"
    return messages


def test_every_source_message_has_a_japanese_translation(
    source_messages: dict[str | tuple[str, ...], list[str]],
) -> None:
    japanese = read_catalog("ja")
    problems = []
    for message_id, places in source_messages.items():
        key = message_id[0] if isinstance(message_id, tuple) else message_id
        entry = japanese.get(key)
        if entry is None:
            problems.append(f"missing: {message_id!r} ({', '.join(places)})")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {message_id!r}")
        elif not all(entry.string) if isinstance(entry.string, tuple | list) else not entry.string:
            problems.append(f"untranslated: {message_id!r}")
    assert not problems, f"{UPDATE_HINT}:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_catalogs_hold_no_stale_messages(
    language: str, source_messages: dict[str | tuple[str, ...], list[str]]
) -> None:
    source_ids = {
        message_id[0] if isinstance(message_id, tuple) else message_id for message_id in source_messages
    }
    catalog_ids = {
        message.id[0] if isinstance(message.id, tuple) else message.id
        for message in catalog_messages(read_catalog(language))
    }
    assert catalog_ids - source_ids == set(), f"not used in the source any more; {UPDATE_HINT}"
    assert source_ids - catalog_ids == set(), f"missing from the {language} catalog; {UPDATE_HINT}"


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def test_translations_keep_the_placeholders() -> None:
    # a translation that renames or drops a {placeholder} would fail at str.format() time
    for message in catalog_messages(read_catalog("ja")):
        assert isinstance(message.id, str) and isinstance(message.string, str)
        assert placeholders(message.string) == placeholders(message.id), message.id
        assert message.string.count("[/]") == message.id.count("[/]"), message.id  # Rich markup
        assert message.string.endswith(" ") == message.id.endswith(" "), message.id  # "Usage: " + command


@pytest.mark.parametrize("language", ["ja", "en"])
def test_compiled_catalog_is_installed_and_current(language: str) -> None:
    mo_path = i18n.LOCALE_DIR / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo"
    rebuild = "run `uv sync --reinstall-package maildoctor` (hatch_build.py compiles the .po files)"
    assert mo_path.is_file(), f"{mo_path} is missing: {rebuild}"
    with mo_path.open("rb") as mo_file:
        compiled = gettext.GNUTranslations(mo_file)
    for message in catalog_messages(read_catalog(language)):
        if message.string and not message.fuzzy:
            assert isinstance(message.id, str)
            assert compiled.gettext(message.id) == message.string, f"{mo_path} is out of date: {rebuild}"


@pytest.mark.parametrize("language", ["ja", "en"])
def test_catalogs_compile_without_placeholder_errors(language: str) -> None:
    """What `pybabel compile` checks: a translation keeps its msgid's %-placeholders (a "% sign"
    or "{value}% of" in an English text reads as one, so such texts are worded without it)."""
    path = Path(i18n.LOCALE_DIR) / language / "LC_MESSAGES" / "maildoctor.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    problems = [
        f"{message.id!r}: {error}"
        for message, errors in catalog.check()
        for error in errors
        if message.string
    ]
    assert problems == []
