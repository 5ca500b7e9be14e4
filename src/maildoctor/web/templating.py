"""The Jinja2 environments: one per language, autoescaped, with the same gettext catalogs as the
CLI through Jinja2's i18n extension (`{% trans %}` and `_()` in the templates)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from maildoctor.escaping import safe
from maildoctor.i18n import Language, get_translator

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


@cache
def environment(language: Language) -> jinja2.Environment:
    translator = get_translator(language.value)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template: server words and typed text are untrusted
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        translator.gettext, translator.ngettext, newstyle=True
    )
    env.filters["visible"] = lambda value: safe(str(value))  # control characters made visible
    env.globals["lang"] = language.value
    return env


def render(language: Language, name: str, **context: Any) -> str:
    return environment(language).get_template(name).render(**context)


__all__ = ["STATIC", "TEMPLATES", "environment", "render"]
