"""The check report in a terminal. Server words are untrusted: always Text, never markup."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from maildoctor.checks.verdict import only_the_login_untried
from maildoctor.clients.guidance import Guidance, is_note
from maildoctor.display import safe, say, show, wrapped
from maildoctor.facts import DiagnosisFacts
from maildoctor.i18n import N_, Translator
from maildoctor.knowledge import (
    layer_name,
    render_evidence,
    render_finding,
    translate_value,
    verdict_headline,
)
from maildoctor.model import CheckFault, CheckResult, Finding, Layer, Report, ServerRole, Verdict
from maildoctor.rules.checks import only_warnings

_STATUS_STYLE = {
    "pass": "green",
    "fail": "red",
    "warn": "yellow",
    "skip": "yellow",
    "crashed": "red",
    "timed_out": "yellow",
}
CHECK_NAMES = {
    "dns": N_("DNS"),
    "tcp": N_("connection"),
    "tls": N_("encryption"),
    "greeting": N_("greeting"),
    "login": N_("login"),
    "mailbox": N_("mailbox"),
    "send": N_("sending"),
    "roundtrip": N_("test message"),
    # whole checks, named when one could not run
    "incoming_server": N_("examination of the server"),
    "outgoing_server": N_("examination of the server"),
    "mx": N_("MX records of the domain"),
    "settings": N_("comparison with the right settings"),
    "sending_domain": N_("sending side of the domain"),
}
_STATUS_NAMES = {
    "pass": N_("OK"),
    "fail": N_("problem"),
    "warn": N_("warning"),
    "skip": N_("skipped"),
    "crashed": N_("could not run"),
    "timed_out": N_("did not finish"),
}
FAULT_TEXTS = {
    CheckFault.CRASHED: N_(
        "Part of the diagnosis could not run because of a fault in maildoctor itself: {checks}. "
        "The rest of this report is still valid. If you report the fault, run the check again with "
        "--debug and include what it shows (it never contains the password)."
    ),
    CheckFault.TIMED_OUT: N_(
        "Part of the diagnosis did not finish in time: {checks}. The rest of this report is still valid."
    ),
}


def check_name(check_id: str, translator: Translator) -> str:
    message = CHECK_NAMES.get(check_id)
    return translator.gettext(message) if message else check_id


_VERDICT_STYLE = {"ok": "bold green", "problems": "bold red", "incomplete": "bold yellow"}


def _lines(text: str, width: int, first: str = "", rest: str = "", style: str = "") -> list[Text]:
    return wrapped(text, width, first, rest, style)


def _where(item: Finding, translator: Translator) -> str:
    return translate_value("role", str(item.server), translator)


def _source_label(item: Finding, translator: Translator) -> str:
    """Where a finding is and its layer ("incoming server · encryption"), said once when both are one."""
    where, layer = _where(item, translator), layer_name(item.layer, translator)
    if str(item.server) == "input" and item.layer != Layer.INPUT:
        return layer  # this computer's own network: not something typed ("入力した設定 · インターネット接続")
    return where if where.casefold() == layer.casefold() else f"{where} · {layer}"


def _headline(report: Report, translator: Translator) -> str:
    if only_the_login_untried(report):
        return translator.gettext("No problems found in what was checked; the login was not tried")
    return verdict_headline(report.verdict, translator)


def render_report(
    console: Console, report: Report, translator: Translator, guidance: Guidance | None = None
) -> None:
    _ = translator.gettext
    width = min(console.width, 100)
    say(console, _headline(report, translator), style=_VERDICT_STYLE[str(report.verdict)])
    say(console, _("Address: {address}").format(address=safe(report.address)))
    _render_filled(console, report, translator, width)
    if report.findings:
        render_findings(console, report.findings, translator, width, guidance)
    elif report.verdict == Verdict.OK:
        say(console, _("Every check passed."), style="green")
    if report.checks:  # nothing was checked (an address that is not one): no empty table
        _render_checks(console, report, translator)
    _render_roundtrip(console, report, translator)
    say(console, _("Finished in {ms} ms.").format(ms=report.elapsed_ms), style="dim")


def _render_checks(console: Console, report: Report, translator: Translator) -> None:
    _ = translator.gettext
    table = Table(title=show(_("Checks")), show_lines=False)
    table.add_column(show(_("Server")))
    table.add_column(show(_("Check")))
    table.add_column(show(_("Result")))
    table.add_column(show(_("Time")), justify="right")
    for check in report.checks:
        # a check where only warnings were found says so, in the colour of a warning
        status = str(check.status)
        if check.fault is not None:
            status = str(check.fault)
        elif status != "skip" and only_warnings(check, report.findings):
            status = "warn"
        table.add_row(
            show(translate_value("role", str(check.server), translator)),
            show(check_name(check.id, translator)),
            show(_(_STATUS_NAMES.get(status, status)), style=_STATUS_STYLE.get(status, "")),
            show(f"{check.ms} ms"),
        )
    console.print(table)
    for fault, text in FAULT_TEXTS.items():
        names = [
            f"{translate_value('role', str(check.server), translator)} · {check_name(check.id, translator)}"
            for check in report.checks
            if check.fault == fault
        ]
        if names:
            say(console, _(text).format(checks=" / ".join(names)), style="yellow")


def render_traces(console: Console, faults: Sequence[CheckResult]) -> None:
    """--debug: the traceback of each check that crashed (passwords already removed), escaped."""
    for check in faults:
        if check.trace:
            text = show(f"[{check.server}] {check.id}:\n{check.trace}", multiline=True)
            console.print(text, soft_wrap=True)


FILLED_TEXTS = {
    ServerRole.INCOMING: N_(
        "The incoming server was not given, so it was checked with the settings found: {url} "
        "(user name {username})."
    ),
    ServerRole.OUTGOING: N_(
        "The outgoing server was not given, so it was checked with the settings found: {url} "
        "(user name {username})."
    ),
}


def render_findings(
    console: Console,
    findings: Sequence[Finding],
    translator: Translator,
    width: int,
    guidance: Guidance | None = None,
) -> None:
    """The most likely cause in a panel (evidence, fix, do-not), then the others by title.

    With `guidance`, a step that changes a setting is followed by where that setting is:
    in the named mail program, or in the three most common ones.
    """
    _ = translator.gettext
    top = findings[0]
    rendered = render_finding(top, translator, guidance)
    inner = width - 4
    body: list[Text] = _lines(rendered.title, inner, style="bold")
    body.append(show(_source_label(top, translator), style="dim"))
    if top.evidence:
        body.append(show(_("What was seen:"), style="dim"))
        for line in top.evidence:
            body += _lines(render_evidence(line, translator), inner, "  ", "    ")
    if rendered.fix:
        body.append(show(_("What to do:"), style="dim"))
        for number, step in enumerate(rendered.fix, start=1):
            body += _lines(step, inner, f"  {number}. ", "     ")
            where = rendered.where[number - 1] if rendered.where else ()
            if where and guidance is not None and guidance.client is None:
                body.append(show("     " + _("Where to find it:"), style="dim"))
            for line in where:
                first = "       " if is_note(line) else "     → "
                body += _lines(line, inner, first, "       ", style="cyan")
    if rendered.do_not:
        body.append(show(_("Please do not:"), style="dim"))
        body += _lines(rendered.do_not, inner, "  ", "  ", style="yellow")
    _boxed(console, body, top.cause, width)
    if guidance is not None and guidance.client is None and any(rendered.where):
        hint = _(
            "Name your mail program with --client (iphone, outlook, thunderbird, gmail, …) "
            "to see only its menus."
        )
        say(console, hint)
    rest = findings[1:]
    if rest:
        say(console, _("Also found:"), style="bold")
        for item in rest:
            title = render_finding(item, translator).title
            marker = "    ↳ " if item.consequence_of else "  • "
            label = f"{title} [{_where(item, translator)}] ({item.cause})"
            say(console, label, first=marker, rest=" " * len(marker))


def _boxed(console: Console, body: list[Text], title: str, width: int) -> None:
    """The lines in a box; without one when a line (a long URL or record) is wider than the box,
    since Rich would cut it at the border: one long line copies right, a cut one does not."""
    if all(cell_len(line.plain) <= width - 4 for line in body):
        console.print(Panel(Group(*body), title=show(title), border_style="red", width=width))
        return
    say(console, f"── {title} ──", style="red")
    for line in body:
        console.print(line, soft_wrap=True)


def _render_filled(console: Console, report: Report, translator: Translator, width: int) -> None:
    recommended = report.recommended_settings
    if recommended is None:
        return
    for role in report.filled:
        endpoint = recommended.incoming if role == ServerRole.INCOMING else recommended.outgoing
        if endpoint is None:
            continue
        text = translator.gettext(FILLED_TEXTS[role]).format(
            url=endpoint.url, username=recommended.username or report.address
        )
        say(console, text, style="cyan")


def _render_roundtrip(console: Console, report: Report, translator: Translator) -> None:
    _ = translator.gettext
    result = report.roundtrip
    if result is None:
        return
    if result.arrived:
        seconds = f"{(result.delay_ms or 0) / 1000:.1f}"
        text = _("Test message: arrived {seconds} s after sending.").format(seconds=seconds)
        if result.removed:
            text += " " + _("It was removed again.")
        else:
            text += " " + _("Please delete it (subject “maildoctor test message”).")
        say(console, text, style="green")
    elif result.sent:
        say(console, _("Test message: sent, but it did not arrive before the time limit."), style="red")
    else:
        say(
            console,
            _("Test message: not sent ({reason}).").format(reason=_(result.detail) if result.detail else "-"),
            style="yellow",
        )


class LiveProgress:
    """The layers of each server ticking over while the diagnosis runs (a Rich renderable)."""

    def __init__(self, translator: Translator, address: str) -> None:
        self.translator = translator
        self.address = address
        self.steps: dict[str, list[tuple[str, bool]]] = {}

    def step(self, role: object, step: str, passed: bool) -> None:
        self.steps.setdefault(str(role), []).append((step, passed))

    def __rich__(self) -> Group:
        _ = self.translator.gettext
        lines = [show(_("Checking {address} …").format(address=self.address), style="bold")]
        for role, steps in self.steps.items():
            line = show(f"  {translate_value('role', role, self.translator)}: ")
            for step, passed in steps:
                line.append(f"{check_name(step, self.translator)} ")
                line.append("✓  " if passed else "✗  ", style="green" if passed else "red")
            lines.append(line)
        return Group(*lines)


def render_transcripts(console: Console, facts: DiagnosisFacts, translator: Translator) -> None:
    _ = translator.gettext
    arrows = {"S": "S:", "C": "C:", "*": "**"}
    for server in facts.servers:
        session = server.session
        if session is None or not session.transcript:
            continue
        say(console, _("Conversation with {url}").format(url=safe(server.endpoint.url)), style="bold")
        for line in session.transcript:
            console.print(
                show(f"  {line.ms:>6} ms {arrows.get(line.direction, '?')} {line.text}"), soft_wrap=True
            )
