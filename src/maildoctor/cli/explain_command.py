"""`maildoctor explain TEXT|CODE`: what a mail program's message or code means, and what to check.

A returned mail (.eml or mbox file) is read by `explain_bounce`.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from rich.console import Console
from rich.text import Text

from maildoctor.cli.explain_bounce import run_bounce
from maildoctor.explain import Explanation, Match, MatchKind, explain_text
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


def _findings(explanation: Explanation) -> tuple[Finding, ...]:
    """One finding per likely cause, most likely first; the message itself is the evidence."""
    best = explanation.matches[0] if explanation.matches else None
    evidence = [best.pattern or best.entry.code or ""] if best is not None else []
    return tuple(
        finding(str(code), ServerRole.INPUT, {}, [line for line in evidence if line])
        for code in explanation.causes
    )


def _kind(explanation: Explanation) -> str:
    return "code" if explanation.matches and explanation.matches[0].kind is MatchKind.CODE else "message"


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


def confirming_check(match: Match) -> str:
    """The entry's check command, with the address filled in when the message named it."""
    account = match.values.get("account", "")
    check = match.entry.check
    return check.replace("ADDRESS", account, 1) if "@" in account and " " not in account else check


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
    findings = _findings(explanation)
    if options.json:
        document = {
            "schema": SCHEMA,
            "kind": _kind(explanation),
            "findings": [finding_to_json(item, translator) for item in findings],
            "recipients": [],
            "matches": [_match_json(match, translator) for match in explanation.matches],
            "unknown_codes": list(explanation.unknown_codes),
        }
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    else:
        render_explanation(Console(highlight=False), explanation, findings, translator)
    return EXIT_EXPLAINED if explanation.matches else EXIT_UNKNOWN


def render_explanation(
    console: Console, explanation: Explanation, findings: tuple[Finding, ...], translator: Translator
) -> None:
    _ = translator.gettext
    width = min(console.width, 100)
    if not explanation.matches:
        console.print(Text(_("This message or code is not in maildoctor's knowledge yet."), style="yellow"))
        for code in explanation.unknown_codes:
            console.print(Text(_("Unknown code: {code}").format(code=code)))
        console.print(Text(_("Run maildoctor check with the account's settings to find the cause.")))
        return
    best = explanation.matches[0]
    entry = best.entry
    meaning = entry.meaning_ja if translator.language.value == "ja" and entry.meaning_ja else entry.meaning_en
    header = entry.code or best.pattern or entry.id
    console.print(Text(header + (f" ({entry.symbol})" if entry.symbol else ""), style="bold"))
    for line in wrap(meaning, width):
        console.print(Text(line))
    console.print(Text(_("Likely causes, most likely first:"), style="bold"))
    for number, item in enumerate(findings, start=1):
        title = render_finding(item, translator).title
        for index, line in enumerate(wrap(f"{title} ({item.cause})", width - 5)):
            console.print(Text((f"  {number}. " if index == 0 else "     ") + line))
    console.print(Text(_("To find out which, run:"), style="bold"))
    console.print(Text("  " + confirming_check(best)))
    if findings:
        do_not = render_finding(findings[0], translator).do_not
        if do_not:
            console.print(Text(_("Meanwhile, please do not:"), style="bold"))
            for line in wrap(do_not, width - 2):
                console.print(Text("  " + line, style="yellow"))
    others = [match for match in explanation.matches[1:] if match.entry.id != entry.id]
    if others:
        names = ", ".join(m.entry.code or m.entry.id for m in others)
        console.print(Text(_("It may also be: {names}").format(names=names), style="dim"))


__all__ = ["ExplainOptions", "run_explain_command"]
