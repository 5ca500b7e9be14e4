"""The path picture: hops → an SVG, drawn top to bottom so that it fits a phone. Pure.

Accessible: the picture has a <title> and a <desc> that says every hop's state in words, and each
hop carries its state as text beside the colour (and a mark: ✓ ✗ ?), never colour alone. Every
text is escaped; nothing is fetched; no style attribute (the page's CSP has no inline styles:
colours are presentation attributes).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Final
from xml.sax.saxutils import escape, quoteattr

from maildoctor.escaping import safe
from maildoctor.i18n import Translator
from maildoctor.web.hops import STATE_NAMES, Hop, HopState

_WIDTH: Final = 360
_ROW: Final = 56
_GAP: Final = 18
_COLOURS: Final = {  # fill, stroke, text — contrast ≥ 4.5:1 for the text on its fill
    HopState.OK: ("#e6f4ea", "#1e7b34", "#14532d"),
    HopState.BROKEN: ("#fdecea", "#b3261e", "#8c1d18"),
    HopState.UNTESTED: ("#f1f3f4", "#6b7280", "#374151"),
}
_MARKS: Final = {HopState.OK: "✓", HopState.BROKEN: "✗", HopState.UNTESTED: "?"}
_TITLE_WIDTH: Final = 44  # in half-width cells: what fits beside the mark at 12 px
_TITLE_LINE: Final = 17  # the extra height of a hop whose cause is written under it


def _text(value: str) -> str:
    return escape(safe(value))


def _cells(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _short(value: str, limit: int) -> str:
    """`value` cut to `limit` half-width cells (a Japanese character takes two), "…" when cut."""
    used = 0
    for index, char in enumerate(value):
        used += _cells(char)
        if used > limit:
            return value[: max(index - 1, 0)] + "…"
    return value


def path_svg(hops: Sequence[Hop], translator: Translator, *, svg_id: str = "path") -> str:
    """The hops as one self-contained <svg> element."""
    _ = translator.gettext
    tops = []
    top = 4
    for hop in hops:
        tops.append(top)
        top += _ROW + _GAP + (_TITLE_LINE if hop.cause_title else 0)
    height = top - _GAP + 4
    title = _("The path of your mail, hop by hop")
    summary = "; ".join(
        f"{_(hop.kind.name)}: {_(STATE_NAMES[hop.state])}"
        + (f" ({hop.cause_title})" if hop.cause_title else "")
        for hop in hops
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height}" width="100%" '
        f'role="img" aria-labelledby={quoteattr(svg_id + "-title")} '
        f'aria-describedby={quoteattr(svg_id + "-desc")} class="path-picture" '
        f'font-family="sans-serif">',
        f"<title id={quoteattr(svg_id + '-title')}>{_text(title)}</title>",
        f"<desc id={quoteattr(svg_id + '-desc')}>{_text(summary)}</desc>",
    ]
    for index, (hop, top) in enumerate(zip(hops, tops, strict=True)):
        row = _ROW + (_TITLE_LINE if hop.cause_title else 0)
        fill, stroke, ink = _COLOURS[hop.state]
        width = 4 if hop.state == HopState.BROKEN else 2
        parts.append(f'<g class="hop hop-{hop.state.value}" data-hop="{hop.kind.id}">')
        if index:
            parts.append(
                f'<line x1="28" y1="{top - _GAP}" x2="28" y2="{top}" stroke="#6b7280" stroke-width="2"/>'
            )
        parts.append(
            f'<rect x="4" y="{top}" width="{_WIDTH - 8}" height="{row}" rx="10" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="{width}"/>'
        )
        parts.append(f'<circle cx="28" cy="{top + _ROW / 2}" r="14" fill="{stroke}"/>')
        parts.append(
            f'<text x="28" y="{top + _ROW / 2 + 6}" text-anchor="middle" font-size="17" '
            f'fill="#ffffff" aria-hidden="true">{_MARKS[hop.state]}</text>'
        )
        parts.append(
            f'<text x="52" y="{top + 22}" font-size="15" font-weight="bold" fill="{ink}">'
            f"{_text(_(hop.kind.name))}</text>"
        )
        state_line = _(STATE_NAMES[hop.state])
        parts.append(f'<text x="52" y="{top + 43}" font-size="13" fill="{ink}">{_text(state_line)}</text>')
        if hop.cause_title:
            parts.append(
                f'<text x="52" y="{top + 43 + _TITLE_LINE}" font-size="12" fill="{ink}">'
                f"{_text(_short(hop.cause_title, _TITLE_WIDTH))}</text>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


__all__ = ["path_svg"]
