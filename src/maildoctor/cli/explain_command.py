"""`maildoctor explain TEXT|CODE|FILE|-`: what a mail program's message or code means, and what to check.

What was given is read by `explain_input` (text, a file, or standard input, all bounded); a
returned mail (.eml or mbox) goes to `explain_bounce`. In a pasted message the server's reply
leads and the mail program's words are context (`explain.rank`); the mail program is named
only when the message shows which one it is, else the fixes name the three common programs.
The findings and the `--json` document come from explain/report.py; this module parses and renders.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from rich.console import Console
from rich.text import Text

from maildoctor.causes import CauseCode
from maildoctor.cli.client_option import resolve_client_option
from maildoctor.cli.explain_bounce import offer_checks, run_bounce
from maildoctor.cli.explain_input import STDIN, Given, Refusal, read_stdin, resolve
from maildoctor.clients.catalog import load_client
from maildoctor.clients.guidance import Guidance, is_note
from maildoctor.clients.model import lang_of
from maildoctor.clients.render import client_of_message_client
from maildoctor.exitcode import ExitCode
from maildoctor.explain import Explanation, Match, MatchKind, explain_text
from maildoctor.explain.bounce import MAX_BYTES
from maildoctor.explain.confirm import message_check, named_address
from maildoctor.explain.rank import RecognisedBy, Recognition, recognised_client
from maildoctor.explain.reply import ReplyExplanation, explain_reply
from maildoctor.explain.report import filled, message_document, message_findings, reply_action, reply_meaning
from maildoctor.explain.subject import repaired_mojibake
from maildoctor.i18n import Translator
from maildoctor.knowledge import render_evidence, render_finding
from maildoctor.model import Evidence, Finding
from maildoctor.protocol.lines import safe_text
from maildoctor.wrap import wrap

MAX_TEXT: Final = 20_000  # characters of pasted text looked at
_SHOWN: Final = 300  # characters of a pasted message or a server's reply shown back


@dataclass(frozen=True)
class ExplainOptions:
    subject: str | None
    json: bool
    client: str | None = None


@dataclass(frozen=True, slots=True)
class _Program:
    guidance: Guidance  # its client is None: "the three common programs"
    recognition: Recognition | None  # how the program was told from the message (not by --client)


def _program(
    options: ExplainOptions,
    explanation: Explanation,
    reply: ReplyExplanation | None,
    err: Console,
    translator: Translator,
) -> _Program | Literal[False]:
    """The mail program to speak in: --client, else the one the message plainly comes from, else none."""
    client = resolve_client_option(options.client, err, translator)
    if client is False:
        return False
    recognition = recognised_client(explanation) if client is None else None
    if recognition is not None:
        client = client_of_message_client(str(recognition.client))
    best = explanation.matches[0] if explanation.matches else None
    account = named_address(best) if best is not None else None
    if best is not None:
        outgoing = "--incoming" not in best.entry.check
    else:
        outgoing = reply is not None and reply.mailbox is None
    guidance = Guidance(client, account=account, role="outgoing" if outgoing else "incoming")
    return _Program(guidance, recognition)


def print_wrapped(console: Console, message: str) -> None:
    """A message printed in lines broken by `wrap` (Japanese phrases, 禁則), not Rich's break at spaces."""
    for line in wrap(message, console.width):
        console.print(Text(line), soft_wrap=True)


def _given(subject: str | None, err: Console, translator: Translator) -> Given | Refusal:
    _ = translator.gettext
    stdin = sys.stdin
    at_terminal = stdin is None or _isatty(stdin)
    if subject is None and at_terminal:
        return Refusal(
            _(
                'Give the error message to explain, in quotes: maildoctor explain "…" — or the returned '
                "mail's file: maildoctor explain FILE.eml — or paste it after: maildoctor explain -"
            ),
            ExitCode.USAGE,
        )
    if subject is None or subject == STDIN:
        if stdin is None or not hasattr(stdin, "buffer"):
            nothing = _("Nothing came in on standard input: there is nothing to explain.")
            return Refusal(nothing, ExitCode.USAGE)
        if at_terminal:
            print_wrapped(err, _("Paste the message, then press Ctrl-D (on Windows: Ctrl-Z, then Enter)."))
        return read_stdin(stdin.buffer, translator)
    if not subject.strip():
        return Refusal(_("Give the error message or the error code to explain."), ExitCode.USAGE)
    return resolve(subject, translator)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def run_explain_command(options: ExplainOptions, translator: Translator) -> int:
    _ = translator.gettext
    err = Console(stderr=True, highlight=False)
    given = _given(options.subject, err, translator)
    if isinstance(given, Refusal):
        print_wrapped(err, given.message)
        return given.status
    if given.truncated:
        size = MAX_BYTES // (1024 * 1024)
        print_wrapped(err, _("Only the first {size} MB were read; the rest was left out.").format(size=size))
    if given.mail is not None:
        return run_bounce(given.mail, options.json, translator)
    text = given.text or ""
    if not text.strip():
        print_wrapped(err, _("Give the error message or the error code to explain."))
        return ExitCode.USAGE
    if len(text) > MAX_TEXT:
        err.print(
            Text(_("Only the first {count} characters of the message were looked at.").format(count=MAX_TEXT))
        )
    repaired = repaired_mojibake(text[:MAX_TEXT])
    if repaired is not None:
        print_wrapped(err, _("The text was garbled (mojibake); it was put right before reading."))
    return _explain_message(repaired or text[:MAX_TEXT], options, given, err, translator)


def _explain_message(
    text: str, options: ExplainOptions, given: Given, err: Console, translator: Translator
) -> int:
    explanation = explain_text(text)
    reply = explain_reply(text)
    findings = message_findings(explanation, reply, text)
    program = _program(options, explanation, reply, err, translator)
    if program is False:
        return ExitCode.USAGE
    guidance = program.guidance
    first = CauseCode(findings[0].cause) if findings else None
    check = message_check(explanation, reply, first)
    if options.json:
        document = message_document(
            explanation,
            reply,
            findings,
            check,
            translator,
            guidance=guidance,
            recognition=program.recognition,
            origin=given.origin,
            truncated=given.truncated or len(given.text or "") > MAX_TEXT,
        )
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    else:
        console = Console(highlight=False)
        render_explanation(console, explanation, reply, findings, translator, program, check)
        address = named_address(explanation.matches[0]) if explanation.matches else None
        if address and sys.stdin.isatty() and sys.stdout.isatty():
            command = ["maildoctor", "check", address]
            if guidance.client is not None:
                command += ["--client", str(guidance.client)]
            offer_checks(console, [command], translator)
    return ExitCode.OK if explanation.matches or reply is not None else ExitCode.PROBLEMS


def _quoted(words: str, translator: Translator) -> str:
    """Words someone else wrote (the mail program, the server), quoted and escaped."""
    return translator.gettext("“{words}”").format(words=safe_text(" ".join(words.split()), _SHOWN))


def quoted_lines(lines: Sequence[str], translator: Translator, limit: int = _SHOWN) -> str:
    """A server's multi-line words quoted as one, each of its lines kept on a line of its own (so no
    line of the quote mixes the ends of two of the server's lines); at most `limit` characters."""
    kept: list[str] = []
    left = limit
    for line in lines:
        if left <= 0:
            break
        shown = safe_text(" ".join(line.split()), left)
        kept.append(shown)
        left -= len(shown)
    return translator.gettext("“{words}”").format(words="\n".join(kept))


def _render_reply(console: Console, reply: ReplyExplanation, translator: Translator, width: int) -> None:
    _ = translator.gettext
    codes = " ".join(part for part in (reply.reply.code, reply.reply.status) if part)
    heading = _("The server's reply {codes}").format(codes=codes) if codes else _("The server's words")
    console.print(Text(heading, style="bold"))
    if reply.reply.text:
        many = len(reply.reply.lines) > 1
        words = quoted_lines(reply.reply.lines, translator) if many else _quoted(reply.reply.text, translator)
        for line in wrap(words, width - 2):
            console.print(Text("  " + line, style="dim"))
    meaning = reply_meaning(reply, translator)
    for line in wrap(meaning, width) if meaning else ():
        console.print(Text(line))
    action = reply_action(reply, translator)
    if action:
        console.print(Text(_("What to do:"), style="bold"))
        for line in wrap(action, width - 2):
            console.print(Text("  " + line))


def _render_steps(
    console: Console, item: Finding, translator: Translator, guidance: Guidance, width: int
) -> None:
    """The first cause's fix steps, each with where its setting is in the person's mail program
    (or, when the program is not known, in the three common ones, with the hint to name it)."""
    _ = translator.gettext
    rendered = render_finding(item, translator, guidance)
    if not rendered.fix:
        return
    console.print(Text(_("If it is the first cause, what to do:"), style="bold"))
    for number, step in enumerate(rendered.fix, start=1):
        for index, line in enumerate(wrap(step, width - 7)):
            console.print(Text((f"  {number}. " if index == 0 else "     ") + line))
        where = rendered.where[number - 1] if rendered.where else ()
        if where and guidance.client is None:
            console.print(Text("     " + _("Where to find it:"), style="dim"))
        for line in where:
            for index, part in enumerate(wrap(line, width - 9)):
                first = "       " if is_note(line) else "     → "
                console.print(Text((first if index == 0 else "       ") + part, style="cyan"))
    if guidance.client is None and any(rendered.where):
        hint = _(
            "Name your mail program with --client (iphone, outlook, thunderbird, gmail, …) "
            "to see only its menus."
        )
        for line in wrap(hint, width):
            console.print(Text(line, style="dim"))


def _render_recognition(console: Console, program: _Program, translator: Translator, width: int) -> None:
    _ = translator.gettext
    recognition, client = program.recognition, program.guidance.client
    if recognition is None or client is None:
        return
    name = load_client(client).name.get(lang_of(translator.language.value))
    if recognition.by is RecognisedBy.CODE:
        said = _("This is taken for a message of {program}: {code} is one of its error codes.").format(
            program=name, code=recognition.evidence
        )
    else:
        said = _("This is taken for a message of {program}: the words are its own.").format(program=name)
    for text in (said, _("If you use another mail program, name it with --client.")):
        for line in wrap(text, width):
            console.print(Text(line, style="dim"))


def _in_language(words: str, lang: str) -> bool:
    """Whether a mail program's words are in the output's language (Japanese: they hold kana or kanji)."""
    japanese = any("\u3040" <= char <= "\u30ff" or "\u4e00" <= char <= "\u9fff" for char in words)
    return japanese if lang == "ja" else not japanese


def _render_message(
    console: Console, best: Match, reply: ReplyExplanation | None, translator: Translator, width: int
) -> None:
    """The mail program's message and its meaning; the server's reply inside it is shown on its own,
    before it, so here the program's message is the context of that reply."""
    _ = translator.gettext
    entry = best.entry
    meaning = _(entry.meaning)
    indent = ""
    if reply is not None:
        console.print(Text(_("Around the server's reply, the mail program said:"), style="bold"))
        indent = "  "
    if best.kind is MatchKind.CODE and entry.code:
        label = _("Error code {code}").format(code=entry.code)
        console.print(Text(indent + label, style="" if indent else "bold"))
    else:
        values = {k: v for k, v in best.values.items() if reply is None or k != "response"}
        words = filled(best.pattern, values) or ""
        if _in_language(words, translator.language.value):
            if reply is None:
                console.print(Text(_("The mail program's message:"), style="bold"))
            for line in wrap(_quoted(words, translator), width - 2):
                console.print(Text("  " + line, style="dim"))
        elif reply is None:  # the program's words in the other language are not repeated: their meaning is
            console.print(Text(_("What the mail program's message means:"), style="bold"))
    for line in wrap(meaning, width - len(indent)):
        console.print(Text(indent + line))


def render_explanation(
    console: Console,
    explanation: Explanation,
    reply: ReplyExplanation | None,
    findings: tuple[Finding, ...],
    translator: Translator,
    program: _Program,
    check: str,
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
    if reply is not None:  # the server's reply leads; the mail program's message is its context
        _render_reply(console, reply, translator, width)
    if best is not None:
        _render_message(console, best, reply, translator, width)
        _render_recognition(console, program, translator, width)
    console.print(Text(_("Likely causes, most likely first:"), style="bold"))
    for number, item in enumerate(findings, start=1):
        title = render_finding(item, translator).title
        for index, line in enumerate(wrap(f"{title} ({item.cause})", width - 5)):
            console.print(Text((f"  {number}. " if index == 0 else "     ") + line))
    if findings:
        # our own sentences about the first cause (a bare "login failed" from a server that takes no
        # password: both possibilities and how to tell them apart); the server's words are shown above
        for note in (item for item in findings[0].evidence if isinstance(item, Evidence)):
            for line in wrap(render_evidence(note, translator), width - 2):
                console.print(Text("  " + line))
        _render_steps(console, findings[0], translator, program.guidance, width)
    console.print(Text(_("To find out which, run:"), style="bold"))
    console.print(Text("  " + check), no_wrap=True, crop=False, overflow="ignore")
    if findings:
        do_not = render_finding(findings[0], translator).do_not
        if do_not:
            console.print(Text(_("Meanwhile, please do not:"), style="bold"))
            for line in wrap(do_not, width - 2):
                console.print(Text("  " + line, style="yellow"))
    others = [m.entry.code for m in explanation.matches[1:] if m.kind is MatchKind.CODE and m.entry.code]
    if others:
        console.print(Text(_("Other error codes in the message: {codes}").format(codes=", ".join(others))))


__all__ = ["ExplainOptions", "run_explain_command"]
