"""`maildoctor ledger print accounts|wall`: the book's printables as HTML (standard output or a file) or PDF.

Imported only when the command runs. The PDF goes through the settings sheet's machinery: WeasyPrint
from the [pdf] extra, and no PDF written when Japanese text would have no font.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Final

from rich.console import Console

from maildoctor import __version__
from maildoctor.cli.ledger_run import NOT_RUN, OK, LedgerRun, Shown, run
from maildoctor.display import safe, say
from maildoctor.i18n import N_
from maildoctor.ledger.book import Book
from maildoctor.ledger.printables import render_accounts, render_wall
from maildoctor.ledger.printout import account_lines, provider_entries, wall_facts

SAVED: Final = N_("Saved to {file}.")
NOT_WRITTEN: Final = N_("The file {file} could not be written: {reason}")


class Printable(StrEnum):
    ACCOUNTS = "accounts"
    WALL = "wall"


def is_pdf(output: Path | None) -> bool:
    return output is not None and output.suffix.lower() == ".pdf"


def print_sheet(options: LedgerRun, what: Printable, output: Path | None, today: date | None = None) -> int:
    """Draw one printable of the company and deliver it; the exit status."""
    from maildoctor.cli.settings_command import _no_font, _pdf_unavailable
    from maildoctor.export.fonts import fonts_for
    from maildoctor.export.sheet import PdfUnavailableError, ensure_pdf_support

    translator = options.translator
    err = Console(stderr=True, highlight=False)
    if is_pdf(output):  # before the book is read: no point in drawing what cannot be saved
        if fonts_for(translator.language.value) == ():
            _no_font(err, translator, translator.language.value)
            return NOT_RUN
        try:
            ensure_pdf_support()
        except PdfUnavailableError as exc:
            _pdf_unavailable(err, exc, translator)
            return NOT_RUN
    language = translator.language.value
    made_on = today or date.today()

    def work(book: Book) -> Shown:
        company = book.company(options.company)
        providers = provider_entries()
        if what is Printable.ACCOUNTS:
            lines = account_lines(book, company, providers, language)
            page = render_accounts(company.name, lines, translator, made_on=made_on, version=__version__)
        else:
            facts = wall_facts(book, company, providers, language)
            page = render_wall(facts, translator, made_on=made_on, version=__version__)
        return lambda: deliver_page(page, output, options)

    return run(options, work)


def deliver_page(page: str, output: Path | None, options: LedgerRun) -> int:
    """The page on standard output, or in the file (HTML as it is, PDF rendered)."""
    if output is None:
        print(page, end="")
        return OK
    if not is_pdf(output):
        return _saved(page.encode("utf-8"), output, options)
    from maildoctor.cli.settings_command import _no_font, _pdf_unavailable
    from maildoctor.export.fonts import font_language, fonts_for
    from maildoctor.export.sheet import PdfUnavailableError, sheet_to_pdf

    translator = options.translator
    err = Console(stderr=True, highlight=False)
    # the page's own text decides: an English page may carry Japanese names from the book
    if fonts_for(language := font_language(page)) == ():
        _no_font(err, translator, language)
        return NOT_RUN
    try:
        pdf = sheet_to_pdf(page)
    except PdfUnavailableError as exc:
        _pdf_unavailable(err, exc, translator)
        return NOT_RUN
    return _saved(pdf, output, options)


def _saved(content: bytes, output: Path, options: LedgerRun) -> int:
    err = Console(stderr=True, highlight=False)
    try:
        output.write_bytes(content)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        say(err, options.translator.gettext(NOT_WRITTEN).format(file=safe(str(output)), reason=reason))
        return NOT_RUN
    say(err, options.translator.gettext(SAVED).format(file=safe(str(output))))
    return OK
