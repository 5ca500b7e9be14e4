"""The frame of maildoctor's printable HTML pages (the settings sheet, the book's printables):
escaping, the head with its Content-Security-Policy. Pure."""

from __future__ import annotations

import html
from typing import Final

from maildoctor.display import safe as visible

# Nothing is fetched: no script, no remote font or image; only the page's own <style>.
CSP: Final = "default-src 'none'; style-src 'unsafe-inline'"


def escaped(text: str | None) -> str:
    """Any value, safe in HTML text and in quoted attributes, control characters visible."""
    return html.escape(visible(text or ""), quote=True)


def page_head(language: str, title: str, css: str, version: str) -> list[str]:
    """The lines from the doctype to </head>: `title` and `version` escaped, `css` as it is."""
    return [
        "<!DOCTYPE html>",
        f'<html lang="{language}">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        f'<meta name="generator" content="maildoctor {escaped(version)}">',
        f"<title>{escaped(title)}</title>",
        f"<style>{css}</style>",
        "</head>",
    ]


__all__ = ["CSP", "escaped", "page_head"]
