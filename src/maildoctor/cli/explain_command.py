"""`maildoctor explain TEXT|CODE`: what a mail program's message or code means, and what to check.

A returned mail (.eml or mbox file) is read by `explain_bounce`.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from rich.console import Console
from rich.text import Text

from maildoctor.cli.client_option import resolve_client_option
from maildoctor.cli.explain_bounce import DOMAIN_CONFIRMED, offer_checks, run_bounce
from maildoctor.clients.guidance import Guidance, is_note
from maildoctor.clients.render import client_of_message_client
from maildoctor.explain import Explanation, Match, MatchKind, explain_text
from maildoctor.explain.reply import ReplyExplanation, explain_reply
from maildoctor.i18n import Translator
from maildoctor.knowledge import render_finding
from maildoctor.model import Finding, ServerRole
from maildoctor.report import finding_to_json
from maildoctor.rules.base import finding
from maildoctor.wrap import wrap

EXIT_EXPLAINED, EXIT_UNKNOWN, EXIT_USAGE, EXIT_NOT_RUN = 0, 1, 2, 3
SCHEMA: Final = "maildoctor.explain/1"
MAX_TEXT: Final = 20_000  # characters of pasted text looked at


@dataclass(frozen=True)
class ExplainOptions:
    subject: str
    json: bool
    client: str | None = None


def _findings(explanation: Explanation, reply: ReplyExplanation | None) -> tuple[Finding, ...]:
    """One finding per likely cause, most likely first; the message itself is the evidence.

    The mail program's message comes first (it says which step failed), then what the
    server's own reply inside it points to.
    """
    best = explanation.matches[0] if explanation.matches else None
    evidence = [best.pattern or best.entry.code or ""] if best is not None else []
    causes = dict.fromkeys(explanation.causes)
    if reply is not None:
        causes.update(dict.fromkeys(reply.causes))
        if not evidence:
            evidence = [
                " ".join(part for part in (reply.reply.code, reply.reply.status, reply.reply.text) if part)
            ]
    return tuple(
        finding(str(code), ServerRole.INPUT, {}, [line for line in evidence if line]) for code in causes
    )


def _kind(explanation: Explanation) -> str:
    return "code" if explanation.matches and explanation.matches[0].kind is MatchKind.CODE else "message"


def _reply_json(reply: ReplyExplanation, translator: Translator) -> dict[str, Any]:
    lang = translator.language.value
    rejection = reply.rejection.entry if reply.rejection is not None else None
    return {
        "reply_code": reply.reply.code or "",
        "status": reply.reply.status or "",
        "text": reply.reply.text,
        "meaning": reply.meaning(lang),
        "action": reply.action(lang),
        "provider": str(rejection.provider) if rejection is not None else None,
        "rejection": rejection.id if rejection is not None else None,
        "source": rejection.source if rejection is not None else None,
        "causes": [str(code) for code in reply.causes],
    }


def _guidance(
    options: ExplainOptions,
    explanation: Explanation,
    reply: ReplyExplanation | None,
    err: Console,
    translator: Translator,
) -> Guidance | Literal[False] | None:
    """The mail program to speak in: --client, else the one whose message or code this is."""
    client = resolve_client_option(options.client, err, translator)
    if client is False:
        return False
    if client is None and explanation.matches:
        client = client_of_message_client(str(explanation.matches[0].entry.client))
    if client is None:
        return None
    account = named_address(explanation.matches[0]) if explanation.matches else None
    outgoing = (
        "--incoming" not in explanation.matches[0].entry.check if explanation.matches else reply is not None
    )
    return Guidance(
        client,
        account=account,
        role="outgoing" if outgoing else "incoming",
    )


def _match_json(match: Match, translator: Translator) -> dict[str, Any]:
    entry = match.entry
    ja = translator.language.value == "ja" and entry.meaning_ja
    return {
        "id": entry.id,
        "client": str(entry.client),
        "code": entry.code,
        "symbol": entry.symbol,
        "meaning": entry.meaning_ja if ja else entry.meaning_en,
        "causes": [str(code) for code in entry.causes],
        "check": confirming_check(match),
        "score": round(match.score, 2),
        "values": dict(match.values),
    }


def _reply_check(reply: ReplyExplanation | None) -> str:
    """The command that confirms a server reply's causes: the domain's sending side, or the account."""
    if reply is not None and reply.causes and reply.causes[0] in DOMAIN_CONFIRMED:
        return "maildoctor domain YOUR-DOMAIN"
    return "maildoctor check ADDRESS --outgoing smtp+starttls://SERVER:587"


def named_address(match: Match) -> str | None:
    """The account's address when the message names one (a placeholder's value, so checked)."""
    account = match.values.get("account", "")
    return account if "@" in account and " " not in account and len(account) < 255 else None


def confirming_check(match: Match) -> str:
    """The entry's check command, with the address filled in when the message named it."""
    address = named_address(match)
    return match.entry.check.replace("ADDRESS", address, 1) if address else match.entry.check


def run_explain_command(options: ExplainOptions, translator: Translator) -> int:
    _ = translator.gettext
    err = Console(stderr=True, highlight=False)
    subject = options.subject
    if not subject.strip():
        err.print(Text(_("Give the error message or the error code to explain.")))
        return EXIT_USAGE
    if len(subject) < 4096 and Path(subject).is_file():
        return run_bounce(Path(subject), options.json, translator)
    explanation = explain_text(subject[:MAX_TEXT])
    reply = explain_reply(subject[:MAX_TEXT])
    findings = _findings(explanation, reply)
    guidance = _guidance(options, explanation, reply, err, translator)
    if guidance is False:
        return EXIT_USAGE
    if options.json:
        document: dict[str, Any] = {
            "schema": SCHEMA,
            "kind": _kind(explanation),
            "findings": [finding_to_json(item, translator, guidance) for item in findings],
            "recipients": [],
            "matches": [_match_json(match, translator) for match in explanation.matches],
            "unknown_codes": list(explanation.unknown_codes),
        }
        if reply is not None:
            document["smtp_reply"] = _reply_json(reply, translator)
        if guidance is not None:
            document["client"] = str(guidance.client)
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    else:
        console = Console(highlight=False)
        render_explanation(console, explanation, reply, findings, translator, guidance)
        address = named_address(explanation.matches[0]) if explanation.matches else None
        if address and sys.stdin.isatty() and sys.stdout.isatty():
            command = ["maildoctor", "check", address]
            if guidance is not None and guidance.client is not None:
                command += ["--client", str(guidance.client)]
            offer_checks(console, [command], translator)
    return EXIT_EXPLAINED if explanation.matches or reply is not None else EXIT_UNKNOWN


def _filled(pattern: str | None, values: Mapping[str, str]) -> str | None:
    """The message as the person saw it: the pattern with the parts it matched put back."""
    if pattern is None:
        return None
    return re.sub(r"\{([a-z]+)\}", lambda found: values.get(found.group(1), "…"), pattern)


def _render_reply(console: Console, reply: ReplyExplanation, translator: Translator, width: int) -> None:
    _ = translator.gettext
    lang = translator.language.value
    codes = " ".join(part for part in (reply.reply.code, reply.reply.status) if part)
    console.print(Text(_("The server's reply {codes}").format(codes=codes), style="bold"))
    for line in wrap(reply.meaning(lang), width):
        console.print(Text(line))
    action = reply.action(lang)
    if action:
        console.print(Text(_("What to do:"), style="bold"))
        for line in wrap(action, width - 2):
            console.print(Text("  " + line))


def _render_steps(
    console: Console, item: Finding, translator: Translator, guidance: Guidance, width: int
) -> None:
    """The first cause's fix steps, each with where its setting is in the person's mail program."""
    _ = translator.gettext
    rendered = render_finding(item, translator, guidance)
    if not rendered.fix:
        return
    console.print(Text(_("If it is the first cause, what to do:"), style="bold"))
    for number, step in enumerate(rendered.fix, start=1):
        for index, line in enumerate(wrap(step, width - 7)):
            console.print(Text((f"  {number}. " if index == 0 else "     ") + line))
        for line in rendered.where[number - 1] if rendered.where else ():
            for index, part in enumerate(wrap(line, width - 9)):
                first = "       " if is_note(line) else "     → "
                console.print(Text((first if index == 0 else "       ") + part, style="cyan"))


def render_explanation(
    console: Console,
    explanation: Explanation,
    reply: ReplyExplanation | None,
    findings: tuple[Finding, ...],
    translator: Translator,
    guidance: Guidance | None = None,
) -> None:
    _ = translator.gettext
    width = min(console.width, 100)
    if not explanation.matches and reply is None:
        console.print(Text(_("This message or code is not in maildoctor's knowledge yet."), style="yellow"))
        for code in explanation.unknown_codes:
            console.print(Text(_("Unknown code: {code}").format(code=code)))
        console.print(Text(_("Run maildoctor check with the account's settings to find the cause.")))
        return
    best = explanation.matches[0] if explanation.matches else None
    if best is not None:
        entry = best.entry
        ja = translator.language.value == "ja" and entry.meaning_ja
        meaning = entry.meaning_ja if ja and entry.meaning_ja else entry.meaning_en
        header = entry.code or _filled(best.pattern, best.values) or entry.id
        console.print(Text(header + (f" ({entry.symbol})" if entry.symbol else ""), style="bold"))
        for line in wrap(meaning, width):
            console.print(Text(line))
    if reply is not None:
        _render_reply(console, reply, translator, width)
    console.print(Text(_("Likely causes, most likely first:"), style="bold"))
    for number, item in enumerate(findings, start=1):
        title = render_finding(item, translator).title
        for index, line in enumerate(wrap(f"{title} ({item.cause})", width - 5)):
            console.print(Text((f"  {number}. " if index == 0 else "     ") + line))
    if findings and guidance is not None:
        _render_steps(console, findings[0], translator, guidance, width)
    console.print(Text(_("To find out which, run:"), style="bold"))
    check = confirming_check(best) if best is not None else _reply_check(reply)
    console.print(Text("  " + check))
    if findings:
        do_not = render_finding(findings[0], translator).do_not
        if do_not:
            console.print(Text(_("Meanwhile, please do not:"), style="bold"))
            for line in wrap(do_not, width - 2):
                console.print(Text("  " + line, style="yellow"))
    if best is None:
        return
    others = [match for match in explanation.matches[1:] if match.entry.id != best.entry.id]
    if others:
        names = ", ".join(m.entry.code or m.entry.id for m in others)
        console.print(Text(_("It may also be: {names}").format(names=names), style="dim"))


__all__ = ["ExplainOptions", "run_explain_command"]
