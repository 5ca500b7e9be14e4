"""`maildoctor demo`: start the example servers, diagnose each broken set-up, show the reports."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.rule import Rule
from rich.text import Text

from maildoctor.cli.render_check import render_report
from maildoctor.datacache import keep_nothing
from maildoctor.display import say, show
from maildoctor.exitcode import ExitCode
from maildoctor.extras import DEMO, is_missing_package
from maildoctor.i18n import Translator
from maildoctor.report import report_to_json

if TYPE_CHECKING:  # cases.py runs pymap and aiosmtpd: imported when the demo runs, if installed
    from maildoctor.demo.cases import CaseOutcome, DemoRun


def _settings_lines(outcome: CaseOutcome, translator: Translator) -> list[str]:
    _ = translator.gettext
    request = outcome.request
    lines: list[str] = []
    if request.username:
        lines.append(_("User name: {name}").format(name=request.username))
    if request.incoming is not None:
        lines.append(_("Incoming server: {url}").format(url=request.incoming.url))
    if request.outgoing is not None:
        url = request.outgoing.url
        if not request.outgoing_auth:
            lines.append(_("Outgoing server: {url} (without logging in)").format(url=url))
        else:
            lines.append(_("Outgoing server: {url}").format(url=url))
    return lines


def _verdict_line(outcome: CaseOutcome, translator: Translator) -> Text:
    _ = translator.gettext
    expected = outcome.case.expected
    found = outcome.top_cause or _("no problem")
    if outcome.as_expected:
        if expected is None:
            return Text("✓ " + _("As expected: no problem found."), style="green")
        return Text("✓ " + _("As expected: {cause}").format(cause=expected), style="green")
    return Text(
        "✗ "
        + _("Expected {expected}, but the diagnosis gave {found}.").format(
            expected=expected or _("no problem"), found=found
        ),
        style="bold red",
    )


def render_demo(console: Console, run: DemoRun, translator: Translator) -> None:
    _ = translator.gettext
    say(
        console,
        _(
            "maildoctor started example mail servers on this computer (127.0.0.1 only; "
            "nothing goes to the internet). Each is set up wrong in a way mail programs often "
            "are, and the real diagnosis runs against it."
        ),
    )
    ports = ", ".join(f"{standard} → {demo}" for standard, demo in run.standard_ports)
    say(
        console,
        _("The example servers use free port numbers in place of the usual ones: {ports}.").format(
            ports=ports
        ),
        style="dim",
    )
    total = len(run.outcomes)
    for number, outcome in enumerate(run.outcomes, start=1):
        console.print()
        heading = _("Example {number} of {total}: {title}").format(
            number=number, total=total, title=_(outcome.case.title)
        )
        console.print(Rule(Text(heading, style="bold"), align="left"))
        say(console, _(outcome.case.story))
        for line in _settings_lines(outcome, translator):
            say(console, line, style="dim", first="  ", rest="    ")
        console.print()
        render_report(console, outcome.report, translator)
        console.print(_verdict_line(outcome, translator))
    console.print()
    failed = run.failed
    if not failed:
        console.print(
            Text(
                _("All {total} examples gave the diagnosis they should.").format(total=total),
                style="bold green",
            )
        )
    else:
        for outcome in failed:
            number = run.outcomes.index(outcome) + 1
            console.print(
                Text(
                    _("Example {number} ({title}) did not give the diagnosis it should.").format(
                        number=number, title=_(outcome.case.title)
                    ),
                    style="bold red",
                )
            )
    console.print(
        Text(
            _("The example servers have been stopped. The demo took {seconds:.1f} s.").format(
                seconds=run.seconds
            ),
            style="dim",
        )
    )


def demo_json(run: DemoRun, translator: Translator) -> list[dict[str, Any]]:
    return [
        {
            "case": outcome.case.key,
            "title": translator.gettext(outcome.case.title),
            "expected": outcome.case.expected,
            "as_expected": outcome.as_expected,
            "report": report_to_json(outcome.report, translator),
        }
        for outcome in run.outcomes
    ]


def run_demo_command(translator: Translator, *, as_json: bool) -> int:
    """Run the demo; 0 when every example gave its expected diagnosis, 3 otherwise."""
    _ = translator.gettext
    err = Console(stderr=True, highlight=False)
    try:
        from maildoctor.demo.cases import run_demo
    except ImportError as exc:
        if not is_missing_package(exc):
            raise
        say_demo_not_installed(err, translator)
        return ExitCode.NOT_RUN
    keep_nothing()  # the demo leaves the user's cache alone
    try:
        run = asyncio.run(run_demo())
    except (OSError, ValueError) as exc:
        err.print(
            Text(
                _("The example servers could not be started: {reason}").format(
                    reason=f"{type(exc).__name__}: {exc}"
                )
            )
        )
        return ExitCode.NOT_RUN
    if as_json:
        sys.stdout.write(json.dumps(demo_json(run, translator), ensure_ascii=False, indent=2) + "\n")
        for outcome in run.failed:
            number = run.outcomes.index(outcome) + 1
            err.print(
                Text(
                    _("Example {number} ({title}) did not give the diagnosis it should.").format(
                        number=number, title=_(outcome.case.title)
                    )
                )
            )
    else:
        render_demo(Console(highlight=False), run, translator)
    return ExitCode.NOT_RUN if run.failed else ExitCode.OK


def say_demo_not_installed(err: Console, translator: Translator) -> None:
    """The example servers' packages (the [demo] extra) are missing: what to install, on its own line."""
    _ = translator.gettext
    say(
        err,
        _(
            "The demo's example mail servers are an optional part of maildoctor that is not installed "
            "on this computer. Install it with this command, then run the demo again:"
        ),
    )
    err.print(show(f"  {DEMO.install_command}"), soft_wrap=True)
