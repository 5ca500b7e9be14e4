"""`maildoctor explain FILE.eml`: a returned mail read into its failed recipients, causes and fixes.

The bytes come read and bounded (`explain_input`); an mbox of several messages is read message by
message. Everything a server wrote is untrusted: it is shown through rich `Text` (never markup)
with control characters replaced, and cut to one line.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from typing import Any, Final

from rich.console import Console
from rich.prompt import Confirm
from rich.text import Text

from maildoctor.causes import CauseCode
from maildoctor.exitcode import ExitCode
from maildoctor.explain.bounce import Bounce, BounceRecipient, parse_bounces
from maildoctor.i18n import Translator
from maildoctor.knowledge import render_finding
from maildoctor.model import Finding, ServerRole
from maildoctor.report import finding_to_json
from maildoctor.rules.base import finding
from maildoctor.wrap import wrap

SCHEMA: Final = "maildoctor.explain/1"
# the one ExitCode under this module's names before issue 13 (shims: use ExitCode itself)
EXIT_EXPLAINED = ExitCode.OK
EXIT_UNKNOWN = ExitCode.PROBLEMS
_SHOWN_WORDS: Final = 300

# Causes on the sender's own side: `maildoctor domain` on the sender's domain confirms them
# (for a bounce and for a server's reply pasted alone).
DOMAIN_CONFIRMED: Final = frozenset(
    {
        CauseCode.DMARC_FAIL,
        CauseCode.SPF_FAIL,
        CauseCode.DKIM_MISSING,
        CauseCode.IP_BLOCKLISTED,
        CauseCode.REVERSE_DNS_MISSING,
        CauseCode.MESSAGE_REFUSED,
        CauseCode.SPAM_COMPLAINT,
    }
)
# Causes of the sending account's settings: `maildoctor check` on the sender's address confirms them.
_ACCOUNT_SIDE: Final = frozenset(
    {CauseCode.SMTP_AUTH_REQUIRED, CauseCode.SENDER_REJECTED, CauseCode.STARTTLS_UNAVAILABLE}
)


def _safe(text: str) -> str:
    return "".join(ch if ch.isprintable() else " " for ch in text)


def confirming_commands(bounce: Bounce) -> list[list[str]]:
    """The maildoctor commands that confirm this bounce's causes, when an address is known."""
    causes = {recipient.cause for recipient in bounce.recipients if recipient.cause is not None}
    commands: list[list[str]] = []
    sender = bounce.original_sender
    if sender and "@" in sender:
        if causes & _ACCOUNT_SIDE:
            commands.append(["maildoctor", "check", sender])
        if causes & DOMAIN_CONFIRMED:
            commands.append(["maildoctor", "domain", sender.rsplit("@", 1)[1]])
    for recipient in bounce.recipients:
        if recipient.cause is CauseCode.RECIPIENT_DOMAIN_INVALID and "@" in recipient.address:
            command = ["maildoctor", "domain", recipient.address.rsplit("@", 1)[1]]
            if command not in commands:
                commands.append(command)
    return commands


def bounce_findings(bounces: Sequence[Bounce]) -> tuple[Finding, ...]:
    """One finding per cause, in the order the recipients show them; the server's words as evidence."""
    seen: dict[CauseCode, Finding] = {}
    for bounce in bounces:
        for recipient in bounce.recipients:
            if recipient.cause is None or recipient.cause in seen:
                continue
            evidence = [line for line in (_safe(recipient.diagnostic)[:_SHOWN_WORDS],) if line]
            params = {"recipient": recipient.address} if recipient.address else {}
            if recipient.cause in DOMAIN_CONFIRMED and "@" in bounce.original_sender:
                params["domain"] = bounce.original_sender.rsplit("@", 1)[1]
            seen[recipient.cause] = finding(str(recipient.cause), ServerRole.DOMAIN, params, evidence)
    return tuple(seen.values())


def recipient_json(recipient: BounceRecipient) -> dict[str, Any]:
    return {
        "address": recipient.address,
        "status": recipient.status,
        "reply_code": recipient.reply_code,
        "remote_host": recipient.remote_host,
        "reason": recipient.reason,
        "cause": str(recipient.cause) if recipient.cause is not None else None,
        "action": recipient.action,
        "diagnostic": _safe(recipient.diagnostic),
        "status_implied": recipient.status_implied,
    }


def run_bounce(data: bytes, as_json: bool, translator: Translator) -> int:
    """Explain the returned mail(s) in `data` (a message or an mbox, already read and bounded)."""
    _ = translator.gettext
    bounces = parse_bounces(data)
    findings = bounce_findings(bounces)
    commands = [command for bounce in bounces for command in confirming_commands(bounce)]
    if as_json:
        document = {
            "schema": SCHEMA,
            "kind": "bounce",
            "findings": [finding_to_json(item, translator) for item in findings],
            "recipients": [recipient_json(r) for bounce in bounces for r in bounce.recipients],
            "checks": [" ".join(command) for command in commands],
        }
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        return EXIT_EXPLAINED if bounces else EXIT_UNKNOWN
    console = Console(highlight=False)
    if not bounces:
        console.print(
            Text(_("This file is not a returned mail (bounce): no failed recipient was found in it."))
        )
        return EXIT_UNKNOWN
    render_bounces(console, bounces, findings, commands, translator)
    if commands and sys.stdin.isatty() and sys.stdout.isatty():
        offer_checks(console, commands, translator)
    return EXIT_EXPLAINED


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
                    console, _("Refused by: {host}").format(host=_safe(recipient.remote_host)), width, "    "
                )
            if recipient.diagnostic:
                words = _safe(recipient.diagnostic)[:_SHOWN_WORDS]
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
    """Ask once, then run the confirming commands in this terminal (no shell, fixed arguments).

    `check` asks for the password itself (without echo) and logs in at most once per server.
    """
    _ = translator.gettext
    if not Confirm.ask(_("Run these checks now?"), console=console, default=False):
        return
    for command in commands:
        subprocess.run(
            [sys.executable, "-m", "maildoctor", *command[1:], "--lang", translator.language.value],
            check=False,
        )


__all__ = [
    "DOMAIN_CONFIRMED",
    "bounce_findings",
    "confirming_commands",
    "offer_checks",
    "recipient_json",
    "run_bounce",
]
