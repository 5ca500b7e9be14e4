"""The language of a page: ?lang=ja|en, else the one remembered from it, else the browser's
Accept-Language (Japanese for any ja-*), else Japanese. Pure."""

from __future__ import annotations

from maildoctor.i18n import Language


def _quality(part: str) -> tuple[str, float]:
    tag, _, params = part.strip().partition(";")
    quality = 1.0
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip() == "q":
            try:
                quality = float(value)
            except ValueError:
                quality = 0.0
    return tag.strip().lower(), quality


def from_accept_language(header: str | None) -> Language | None:
    """The first of ja and en the browser asks for, by its weights; None when it names neither."""
    best: tuple[float, int, Language] | None = None
    for index, part in enumerate((header or "")[:1000].split(",")):
        tag, quality = _quality(part)
        primary = tag.replace("_", "-").partition("-")[0]
        language = {"ja": Language.JA, "en": Language.EN}.get(primary)
        if language is None or quality <= 0:
            continue
        key = (-quality, index, language)
        if best is None or key < best:
            best = key
    return best[2] if best else None


def page_language(query: str | None, remembered: str | None, accept: str | None) -> Language:
    for value in (query, remembered):
        if value in (Language.JA.value, Language.EN.value):
            return Language(value)
    return from_accept_language(accept) or Language.JA


__all__ = ["from_accept_language", "page_language"]
