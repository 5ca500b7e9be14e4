"""`maildoctor explain FILE.eml`: a returned mail read into its failed recipients, causes and fixes.

The bytes come read and bounded (`explain_input`); an mbox of several messages is read message by
message. Everything a server wrote is untrusted: it is shown through rich `Text` (never markup)
with control characters replaced, and cut to one line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.prompt import Confirm
from rich.text import Text

from maildoctor.exitcode import ExitCode
from maildoctor.explain.bounce import Bounce, parse_bounces
from maildoctor.explain.confirm import confirming_commands, run_confirming
from maildoctor.explain.report import SHOWN_WORDS, bounce_document, bounce_findings, printable
from maildoctor.i18n import Translator
from maildoctor.knowledge import render_finding
from maildoctor.model import Finding
from maildoctor.wrap import wrap


def run_bounce(data: bytes, as_json: bool, translator: Translator) -> int:
    """Explain the returned mail(s) in `data` (a message or an mbox, already read and bounded)."""
    _ = translator.gettext
    bounces = parse_bounces(data)
    findings = bounce_findings(bounces)
    commands = [command for bounce in bounces for command in confirming_commands(bounce)]
    if as_json:
        document = bounce_document(bounces, findings, commands, translator)
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        return ExitCode.OK if bounces else ExitCode.PROBLEMS
    console = Console(highlight=False)
    if not bounces:
        console.print(
            Text(_("This file is not a returned mail (bounce): no failed recipient was found in it."))
        )
        return ExitCode.PROBLEMS
    render_bounces(console, bounces, findings, commands, translator)
    if commands and sys.stdin.isatty() and sys.stdout.isatty():
        offer_checks(console, commands, translator)
    return ExitCode.OK


def _say(console: Console, text: str, width: int, indent: str, style: str = "") -> None:
    """One paragraph, wrapped to the width with its indent kept on every line."""
    for line in wrap(text, width - len(indent) - 2):
        console.print(Text(indent + line, style=style))


def render_bounces(
    console: Console,
    bounces: Sequence[Bounce],
    findings: Sequence[Finding],
    commands: Sequence[Sequence[str]],
    translator: Translator,
) -> None:
    _ = translator.gettext
    width = min(console.width, 100)
    by_cause = {item.cause: item for item in findings}
    for bounce in bounces:
        count = len(bounce.recipients)
        console.print(
            Text(_("A returned mail (bounce): {count} recipient(s)").format(count=count), style="bold")
        )
        for recipient in bounce.recipients:
            console.print(Text("  " + (recipient.address or _("(address not given)")), style="bold"))
            codes = " ".join(code for code in (recipient.reply_code, recipient.status) if code)
            if codes:
                _say(console, _("Code: {codes}").format(codes=codes), width, "    ")
            if recipient.remote_host:
                _say(
                    console,
                    _("Refused by: {host}").format(host=printable(recipient.remote_host)),
                    width,
                    "    ",
                )
            if recipient.diagnostic:
                words = printable(recipient.diagnostic)[:SHOWN_WORDS]
                _say(console, _("The server said: {words}").format(words=words), width, "    ", "dim")
            if recipient.cause is None:
                nothing_failed = recipient.reason in ("delivered", "vacation")
                label = (
                    _("Delivered, or an automatic reply: nothing failed.")
                    if nothing_failed
                    else _("The reason could not be told from this bounce.")
                )
                _say(console, label, width, "    ")
                continue
            item = by_cause.get(recipient.cause)
            if item is None:
                continue
            rendered = render_finding(item, translator)
            cause = _("Cause: {title} ({code})").format(title=rendered.title, code=item.cause)
            _say(console, cause, width, "    ", "yellow")
            for number, step in enumerate(rendered.fix, start=1):
                for index, line in enumerate(wrap(step, width - 11)):
                    console.print(Text((f"      {number}. " if index == 0 else "         ") + line))
            if rendered.do_not:
                _say(console, rendered.do_not, width, "      ", "yellow")
    if commands:
        console.print(Text(_("To confirm on your side, run:"), style="bold"))
        for command in commands:
            console.print(Text("  " + " ".join(command)))


def offer_checks(console: Console, commands: Sequence[Sequence[str]], translator: Translator) -> None:
    """Ask once, then run the confirming commands in this terminal."""
    _ = translator.gettext
    if Confirm.ask(_("Run these checks now?"), console=console, default=False):
        run_confirming(commands, translator.language.value)


__all__ = ["offer_checks", "render_bounces", "run_bounce"]
