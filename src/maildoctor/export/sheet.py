"""The printable settings sheet: one A4 page to keep next to the computer.

render_sheet() is pure: discovered settings in, one self-contained HTML document
out (inline CSS for print, local fonts only, nothing fetched from anywhere).
Every value is escaped: host, user and provider names come from DNS and web
servers and are not to be trusted. The password is never on the sheet: there
is an empty box to write it in by hand.

sheet_to_pdf() turns that HTML into a PDF with WeasyPrint, which needs Pango
from the system; when either is missing it raises PdfUnavailableError, so that
the caller can say so instead of writing something that is not a PDF.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Sequence
from datetime import date
from typing import Any, Final
from urllib.parse import urlsplit

from babel.dates import format_date

from maildoctor.clients.catalog import load_client
from maildoctor.clients.guidance import entry_lines, is_note, server_values
from maildoctor.clients.model import Client, lang_of
from maildoctor.discover.candidates import DiscoveredSettings, ServerCandidate
from maildoctor.display import safe as visible
from maildoctor.export.memo import LABELLED, Memo
from maildoctor.export.page import escaped, page_head
from maildoctor.export.table import (
    LABEL_ACCOUNT_TYPE,
    LABEL_HOST,
    LABEL_PASSWORD,
    LABEL_PORT,
    LABEL_SECURITY,
    LABEL_SOURCE,
    LABEL_USERNAME,
    LABEL_VERIFIED,
    PASSWORD_KINDS,
    PROTOCOL_NAMES,
    SECURITY_SHORT,
    SECURITY_VALUES,
    SERVER_TITLES,
    SOURCES,
    VERIFIED,
    candidate_notes,
)
from maildoctor.i18n import N_, Translator
from maildoctor.model import ServerRole

SHEET_TITLE: Final = N_("Email settings sheet")
IN_PROGRAM: Final = N_("Where each value goes in {program}")
SHEET_INTRO: Final = N_(
    "Type these values into the account settings of the mail program (iPhone, Outlook, …) exactly as written."
)
LABEL_ITEM: Final = N_("Item")
LABEL_PROVIDER: Final = N_("Provider")
LABEL_NOTE: Final = N_("Note")
LABEL_SIDE: Final = N_("Incoming / outgoing")
LABEL_KIND: Final = N_("Kind")
LABEL_ENCRYPTION: Final = N_("Encryption")
LABEL_PASSWORD_PAGE: Final = N_("Where to get or change the password")
PASSWORD_WRITE_IN: Final = N_("Password:")
PASSWORD_NOT_PRINTED: Final = N_(
    "The password is not printed on this sheet. Write it in by hand, and keep the sheet where others "
    "cannot see it."
)
NOT_FOUND: Final = N_("not found")
UNKNOWN_PROVIDER: Final = N_("unknown")
ALTERNATIVES_TITLE: Final = N_("Other possibilities (if the settings above do not work)")
ROLE_SHORT: Final = {ServerRole.INCOMING: N_("Incoming"), ServerRole.OUTGOING: N_("Outgoing")}
FOOTER: Final = N_(
    "Made by maildoctor {version} on {date}. “Connection checked” tells what was seen on that day."
)
MADE_ON: Final = N_("Made on {date}")

_FONTS_JA: Final = (
    '"IPAexGothic", "IPAPGothic", "IPAGothic", "Noto Sans CJK JP", "Noto Sans JP", '
    '"Hiragino Kaku Gothic ProN", "Hiragino Sans", "Yu Gothic", "YuGothic", "Meiryo"'
)
_FONTS_LATIN: Final = '"Helvetica Neue", "Helvetica", "Arial", "Liberation Sans", "DejaVu Sans"'
_FONTS_MONO: Final = '"DejaVu Sans Mono", "Menlo", "Consolas", "Liberation Mono"'

# Print first: A4, black on white, local fonts only (no @import, no url(): nothing is fetched).
_CSS: Final = f"""
@page {{
  size: A4;
  margin: 14mm 15mm 16mm 15mm;
  @bottom-right {{ content: counter(page) " / " counter(pages); font-size: 8pt; color: #555; }}
}}
* {{ box-sizing: border-box; }}
html {{ color: #000; background: #fff; font-size: 10.5pt; line-height: 1.45; }}
html:lang(ja) body {{ font-family: {_FONTS_JA}, sans-serif; }}
html:lang(en) body {{ font-family: {_FONTS_LATIN}, {_FONTS_JA}, sans-serif; }}
body {{ margin: 0; }}
@media screen {{ body {{ max-width: 180mm; margin: 10mm auto; }} }}
.made {{ float: right; font-size: 8.5pt; color: #444; margin-top: 1mm; }}
h1 {{ font-size: 17pt; margin: 0 0 2mm 0; padding-bottom: 1.5mm; border-bottom: 1.5pt solid #000; }}
h2 {{ font-size: 11pt; margin: 5mm 0 1.5mm 0; }}
.address {{ font-size: 15pt; font-weight: bold; margin: 1mm 0 0 0; }}
.provider, .intro {{ margin: 1mm 0; }}
.intro {{ font-size: 9.5pt; }}
/* names to type: a letter each, 0/O and l/1 apart; broken across lines only when they cannot fit */
.v {{ font-family: {_FONTS_MONO}, {_FONTS_JA}, monospace; overflow-wrap: break-word; }}
table {{ border-collapse: collapse; width: 100%; break-inside: avoid; }}
th, td {{ border: 0.75pt solid #444; padding: 1.6mm 2.2mm; text-align: left; vertical-align: top; }}
thead th {{ background: #e6e6e6; }}
table.main th[scope="row"] {{ width: 27%; background: #f3f3f3; font-weight: normal; }}
table.main td {{ width: 36.5%; }}
table.main td.v {{ font-size: 12pt; font-weight: bold; }}
table.main td.note {{ font-size: 8.5pt; }}
.checked {{ font-weight: bold; }}
.password-box {{ border: 1.5pt solid #000; padding: 3mm 4mm; margin: 4mm 0 0 0; break-inside: avoid; }}
table.write-in {{ width: 100%; margin: 1mm 0 3mm 0; }}
table.write-in th, table.write-in td {{ border: none; padding: 0; vertical-align: bottom; }}
table.write-in th {{ width: 1%; white-space: nowrap; font-size: 13pt; padding-right: 2mm; }}
table.write-in td.blank {{ height: 11mm; border-bottom: 1pt solid #000; }}
.password-box p {{ margin: 1mm 0; font-size: 9pt; }}
a {{ color: #000; }}
table.small {{ font-size: 8pt; }}
table.small th, table.small td {{ padding: 1mm 1.5mm; }}
section.client h2 {{ font-size: 12pt; margin: 5mm 0 1mm 0; }}
section.client ol {{ margin: 0; padding-left: 6mm; font-size: 9pt; }}
section.client li.note {{ list-style: none; color: #444; }}
section.memo {{ break-before: page; }}
section.memo h2 {{ font-size: 14pt; margin-top: 0; border-bottom: 1.5pt solid #000; padding-bottom: 1mm; }}
table.memo th[scope="row"] {{ width: 27%; background: #f3f3f3; font-weight: normal; font-size: 9pt; }}
table.memo td {{ font-size: 9pt; white-space: pre-wrap; }}
.verbatim {{ font-family: {_FONTS_MONO}, {_FONTS_JA}, monospace; font-size: 8.5pt;
  overflow-wrap: anywhere; border: 0.5pt dashed #666; padding: 1mm 1.5mm; }}
.memo-password {{ font-weight: bold; font-size: 9pt; margin: 1.5mm 0 0 0; }}
footer {{ margin-top: 5mm; font-size: 8pt; color: #444; }}
"""


class PdfUnavailableError(RuntimeError):
    """WeasyPrint or the Pango library it needs cannot be loaded on this computer.

    not_installed: WeasyPrint itself is missing (the [pdf] extra was not installed), rather than
    a system library it needs.
    """

    def __init__(self, reason: str, *, not_installed: bool = False) -> None:
        self.reason = reason
        self.not_installed = not_installed
        super().__init__(reason)


def _h(text: str) -> str:
    """A value from anywhere, safe in HTML text and in quoted attributes, control characters visible."""
    return escaped(text)


def _labelled(label: str, value_html: str, translator: Translator) -> str:
    """The label, the language's colon, the value (`value_html` is HTML, escaped already)."""
    return _h(translator.gettext(LABELLED)).format(label=_h(label), value=value_html)


def _client_section(settings: DiscoveredSettings, client: Client | None, translator: Translator) -> str:
    """Where each value goes in the person's mail program (empty without a program or settings)."""
    if client is None:
        return ""
    lang = lang_of(translator.language.value)
    servers = server_values(settings)
    lines = entry_lines(client, servers, lang, settings.address)
    if not lines:
        return ""
    heading = translator.gettext(IN_PROGRAM).format(program=load_client(client).name.get(lang))
    items = "".join(f'<li class="{"note" if is_note(line) else "path"}">{_h(line)}</li>' for line in lines)
    return f'<section class="client"><h2>{_h(heading)}</h2><ol>{items}</ol></section>'


def render_sheet(
    settings: DiscoveredSettings,
    translator: Translator,
    *,
    made_on: date,
    version: str,
    memo: Memo | None = None,
    client: Client | None = None,
) -> str:
    """The sheet as a self-contained HTML document in the translator's language.

    `made_on` and `version` are printed on it (passed in, so that the output depends
    on nothing else); `memo`, when given, becomes a section of the sheet; with `client`,
    a section gives each value as that mail program's field, menu path first.
    """
    _ = translator.gettext
    day = format_date(made_on, format="long", locale=translator.language.value)
    parts = [
        *page_head(translator.language.value, f"{_(SHEET_TITLE)} – {settings.address}", _CSS, version),
        "<body>",
        f'<p class="made">{_h(_(MADE_ON).format(date=day))}</p>',
        f"<h1>{_h(_(SHEET_TITLE))}</h1>",
        f'<p class="address v">{_h(settings.address)}</p>',
        '<p class="provider">'
        + _labelled(_(LABEL_PROVIDER), _provider(settings, translator), translator)
        + "</p>",
        f'<p class="intro">{_h(_(SHEET_INTRO))}</p>',
        _main_table(settings, translator),
        _password_box(settings, translator),
        _alternatives(settings, translator),
        _client_section(settings, client, translator),
    ]
    if memo is not None:
        parts.append(render_memo_html(memo))
    parts += [
        f"<footer>{_h(_(FOOTER).format(version=version, date=day))}</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(part for part in parts if part) + "\n"


def _provider(settings: DiscoveredSettings, translator: Translator) -> str:
    if settings.provider is None:
        return _h(translator.gettext(UNKNOWN_PROVIDER))
    return f"<strong>{_h(settings.provider.display_name(translator.language.value))}</strong>"


def _best(candidates: Sequence[ServerCandidate]) -> ServerCandidate | None:
    return candidates[0] if candidates else None


def _main_table(settings: DiscoveredSettings, translator: Translator) -> str:
    _ = translator.gettext
    sides = (_best(settings.incoming), _best(settings.outgoing))
    rows = [
        '<table class="main">',
        "<thead><tr>"
        f"<th>{_h(_(LABEL_ITEM))}</th>"
        f"<th>{_h(_(SERVER_TITLES[ServerRole.INCOMING]))}</th>"
        f"<th>{_h(_(SERVER_TITLES[ServerRole.OUTGOING]))}</th>"
        "</tr></thead>",
        "<tbody>",
    ]

    def row(label: str, cells: Sequence[str], css: str = "") -> None:
        attribute = f' class="{css}"' if css else ""
        tds = "".join(f"<td{attribute}>{cell}</td>" for cell in cells)
        rows.append(f'<tr><th scope="row">{_h(_(label))}</th>{tds}</tr>')

    missing = f'<span class="missing">{_h(_(NOT_FOUND))}</span>'
    row(LABEL_ACCOUNT_TYPE, [_h(PROTOCOL_NAMES[c.protocol]) if c else missing for c in sides])
    row(LABEL_HOST, [_h(c.host) if c else missing for c in sides], "v")
    row(LABEL_PORT, [_h(str(c.port)) if c else missing for c in sides], "v")
    row(LABEL_SECURITY, [_h(_(SECURITY_VALUES[c.security])) if c else missing for c in sides])
    row(LABEL_USERNAME, [_h(c.username) if c else missing for c in sides], "v")
    row(LABEL_PASSWORD, [_h(_(PASSWORD_KINDS[c.password_kind])) if c else missing for c in sides])
    row(LABEL_SOURCE, [_h(_(SOURCES[c.source])) if c else missing for c in sides])
    row(
        LABEL_VERIFIED,
        [
            (
                f'<span class="checked">{_h(_(VERIFIED[True]))}</span>'
                if c.verified
                else _h(_(VERIFIED[False]))
            )
            if c
            else missing
            for c in sides
        ],
    )
    notes = [[_h(note) for note in candidate_notes(c, translator)] if c else [] for c in sides]
    if any(notes):
        row(LABEL_NOTE, ["<br>".join(cell) for cell in notes], "note")
    rows += ["</tbody>", "</table>"]
    return "\n".join(rows)


def _password_page_link(url: str) -> str:
    """The provider's password page as a link when it is a web address, else as plain text."""
    shown = _h(url)
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return shown
    if scheme not in ("https", "http") or visible(url) != url:
        return shown
    return f'<a href="{html.escape(url, quote=True)}">{shown}</a>'


def _password_box(settings: DiscoveredSettings, translator: Translator) -> str:
    _ = translator.gettext
    lines = [
        '<div class="password-box">',
        # the blank is empty on purpose: the password is written in by hand, never printed
        '<table class="write-in"><tr>'
        f'<th scope="row">{_h(_(PASSWORD_WRITE_IN))}</th><td class="blank"></td>'
        "</tr></table>",
    ]
    provider = settings.provider
    language = translator.language.value
    for note in provider.in_language(language) if provider is not None else ():
        lines.append(f"<p>{_h(note)}</p>")
    page = provider.password_page if provider is not None else None
    if page:
        lines.append(f"<p>{_labelled(_(LABEL_PASSWORD_PAGE), _password_page_link(page), translator)}</p>")
    lines += [f"<p>{_h(_(PASSWORD_NOT_PRINTED))}</p>", "</div>"]
    return "\n".join(lines)


def _alternatives(settings: DiscoveredSettings, translator: Translator) -> str:
    _ = translator.gettext
    others = [(ServerRole.INCOMING, c) for c in settings.incoming[1:]]
    others += [(ServerRole.OUTGOING, c) for c in settings.outgoing[1:]]
    if not others:
        return ""
    headers = (LABEL_SIDE, LABEL_KIND, LABEL_HOST, LABEL_PORT, LABEL_ENCRYPTION, LABEL_USERNAME)
    lines = [
        f"<h2>{_h(_(ALTERNATIVES_TITLE))}</h2>",
        '<table class="small">',
        "<thead><tr>"
        + "".join(f"<th>{_h(_(label))}</th>" for label in headers)
        + f"<th>{_h(_(LABEL_SOURCE))} / {_h(_(LABEL_VERIFIED))}</th></tr></thead>",
        "<tbody>",
    ]
    for role, candidate in others:
        notes = "".join(f"<br>{_h(note)}" for note in candidate_notes(candidate, translator))
        lines.append(
            "<tr>"
            f"<td>{_h(_(ROLE_SHORT[role]))}</td>"
            f"<td>{_h(PROTOCOL_NAMES[candidate.protocol])}</td>"
            f'<td class="v">{_h(candidate.host)}</td>'
            f'<td class="v">{_h(str(candidate.port))}</td>'
            f"<td>{_h(_(SECURITY_SHORT[candidate.security]))}</td>"
            f'<td class="v">{_h(candidate.username)}</td>'
            f"<td>{_h(_(SOURCES[candidate.source]))}<br>{_h(_(VERIFIED[candidate.verified]))}{notes}</td>"
            "</tr>"
        )
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)


def render_memo_html(memo: Memo) -> str:
    """The support memo as a section of the sheet (its texts are already translated and visible)."""
    lines = [
        '<section class="memo">',
        f"<h2>{html.escape(memo.title)}</h2>",
        '<table class="memo">',
        "<tbody>",
    ]
    for item in memo.items:
        if item.verbatim:
            value = '<div class="verbatim">' + html.escape("\n".join(item.lines)) + "</div>"
        else:
            value = "<br>".join(html.escape(line) for line in item.lines)
        lines.append(f'<tr><th scope="row">{html.escape(item.label)}</th><td>{value}</td></tr>')
    lines += [
        "</tbody>",
        "</table>",
        f'<p class="memo-password">{html.escape(memo.password_note)}</p>',
        "</section>",
    ]
    return "\n".join(lines)


def ensure_pdf_support() -> None:
    """Raise PdfUnavailableError unless WeasyPrint and Pango load (checked before any work is done)."""
    _load_weasyprint()


def _load_weasyprint() -> Any:
    try:
        with warnings.catch_warnings():  # its English font warnings: the fonts are checked before (fonts.py)
            warnings.simplefilter("ignore")
            import weasyprint  # type: ignore[import-untyped,unused-ignore]
    except ImportError as exc:  # the [pdf] extra is not installed
        raise PdfUnavailableError(f"{type(exc).__name__}: {exc}", not_installed=True) from exc
    except OSError as exc:  # Pango's shared library is missing
        raise PdfUnavailableError(f"{type(exc).__name__}: {exc}") from exc
    return weasyprint


def sheet_to_pdf(sheet_html: str) -> bytes:
    """The sheet as a PDF (A4, as its CSS says), rendered by WeasyPrint with nothing fetched.

    Raises PdfUnavailableError when WeasyPrint or the system's Pango cannot be loaded.
    """
    weasyprint = _load_weasyprint()
    # no protocol allowed: the sheet is self-contained, and a name from the network must not
    # make the renderer fetch anything
    fetcher = weasyprint.URLFetcher(allowed_protocols=())
    document = weasyprint.HTML(string=sheet_html, base_url=None, url_fetcher=fetcher)
    pdf = document.write_pdf()
    assert isinstance(pdf, bytes)
    return pdf
