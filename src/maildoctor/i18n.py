"""Translations: gettext per call, never installed globally.

Each run (or each web request) picks a language and asks for a Translator; nothing
touches builtins or the process-wide gettext state, so two languages can be served
side by side. Message ids are English; the ja catalog translates them, the en
catalog may leave them as they are.

The .po catalogs live in locale/<lang>/LC_MESSAGES/maildoctor.po; hatch_build.py
compiles them to .mo when the package is built (`uv sync --reinstall-package
maildoctor` after editing one). To bring the catalogs up to date with the source:

    uv run pybabel extract -F babel.cfg --no-location --add-comments TRANSLATORS: -o /tmp/maildoctor.pot .
    uv run pybabel update -i /tmp/maildoctor.pot -d src/maildoctor/locale -D maildoctor \
        --no-fuzzy-matching --ignore-obsolete

then fill in the empty msgstr entries of the ja catalog.

tests/unit/test_i18n.py fails while a message id has no Japanese translation.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Final

DOMAIN: Final = "maildoctor"
LOCALE_DIR: Final = Path(__file__).parent / "locale"


class Language(StrEnum):
    JA = "ja"
    EN = "en"


# The locale variables in the order gettext itself consults them.
_LOCALE_VARIABLES: Final = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def N_(message: str) -> str:
    """Mark a message id for extraction without translating it (it is translated where shown)."""
    return message


@dataclass(frozen=True, slots=True)
class Translator:
    """The catalog of one language; pass it to whatever renders text."""

    language: Language
    _catalog: gettext.NullTranslations

    def gettext(self, message: str) -> str:
        return self._catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalog.ngettext(singular, plural, n)


def get_translator(lang: str | None) -> Translator:
    """The translator for `lang` ("ja", "en", or a locale name like "ja_JP.UTF-8").

    None means: as the environment's locale says (see resolve_language). A
    missing catalog falls back to the English message ids, never to an error.
    """
    language = resolve_language(lang, os.environ)
    catalog = gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[language.value], fallback=True)
    return Translator(language=language, _catalog=catalog)


def resolve_language(explicit: str | None, environ: Mapping[str, str]) -> Language:
    """Japanese or English: the explicit choice (--lang) wins, else the locale variables.

    The first non-empty of LANGUAGE, LC_ALL, LC_MESSAGES, LANG decides. LANGUAGE
    may list several languages ("ja:en"); its first entry counts, as it is the
    user's first choice.
    """
    if explicit:
        return _language_of(explicit)
    for variable in _LOCALE_VARIABLES:
        value = environ.get(variable, "")
        if value:
            return _language_of(value.split(":")[0])
    return Language.EN


def _language_of(locale_name: str) -> Language:
    # "ja", "ja_JP", "ja_JP.UTF-8", "ja-JP", "JA"... all name Japanese
    base = locale_name.strip().lower().replace("-", "_").partition(".")[0].partition("_")[0]
    return Language.JA if base == "ja" else Language.EN
