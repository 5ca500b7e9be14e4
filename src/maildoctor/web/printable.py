"""The answer as a printable page: the frame of maildoctor's printable pages (export/page.py: its
head, its escaping, its Content-Security-Policy that allows nothing but the page's own <style>),
the same path picture, what is wrong and what to do, and the transcript. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from maildoctor import __version__
from maildoctor.export.page import escaped, page_head
from maildoctor.i18n import Translator

_CSS: Final = """
@page { size: A4; margin: 14mm 15mm; }
body { font-family: "IPAGothic", "Noto Sans CJK JP", sans-serif; font-size: 10.5pt; color: #111; }
h1 { font-size: 15pt; } h2 { font-size: 12pt; margin-top: 14pt; }
.picture { width: 70mm; float: right; margin: 0 0 8pt 10pt; }
.finding { border-left: 3pt solid #b3261e; padding-left: 6pt; margin: 8pt 0; break-inside: avoid; }
pre { white-space: pre-wrap; font-size: 8pt; border-top: 1px solid #999; padding-top: 6pt; }
"""


def printable_answer(
    address: str,
    headline: str,
    picture_svg: str,
    findings: Sequence[dict[str, Any]],
    transcript: str,
    translator: Translator,
) -> str:
    """`picture_svg` is web/picture.py's (escaped there); every other text is escaped here."""
    _ = translator.gettext
    title = _("The answer for {address}").format(address=address)
    parts = [*page_head(translator.language.value, title, _CSS, __version__), "<body>"]
    parts.append(f"<h1>{escaped(title)}</h1>")
    parts.append(f'<div class="picture">{picture_svg}</div>')
    parts.append(f"<p><strong>{escaped(headline)}</strong></p>")
    parts.append(f"<h2>{escaped(_('1. What is wrong and what to do'))}</h2>")
    for item in findings:
        steps = "".join(f"<li>{escaped(step)}</li>" for step in item["fix"])
        evidence = "".join(f"<li>{escaped(line)}</li>" for line in item["evidence"])
        parts.append(
            f'<div class="finding"><h3>{escaped(item["title"])}</h3><ol>{steps}</ol>'
            f"<p>{escaped(_('What maildoctor saw'))}</p><ul>{evidence}</ul></div>"
        )
    parts.append(f"<h2>{escaped(_('3. For the person who looks after your computers'))}</h2>")
    parts.append(f"<pre>{escaped_lines(transcript)}</pre>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts)


def escaped_lines(text: str) -> str:
    return "\n".join(escaped(line) for line in text.splitlines())


__all__ = ["printable_answer"]
