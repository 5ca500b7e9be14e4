"""A pasted error message or a returned mail (bounce) as explain's JSON document, for the pages:
the same matcher, reply classifier and bounce reader as `maildoctor explain`."""

from __future__ import annotations

from typing import Any

from maildoctor.causes import CauseCode
from maildoctor.clients.guidance import Guidance
from maildoctor.clients.model import ClientId
from maildoctor.explain import explain_text
from maildoctor.explain.bounce import MAX_BYTES, parse_bounces
from maildoctor.explain.confirm import confirming_commands, message_check
from maildoctor.explain.reply import explain_reply
from maildoctor.explain.report import bounce_document, bounce_findings, message_document, message_findings
from maildoctor.explain.subject import repaired_mojibake
from maildoctor.i18n import Translator
from maildoctor.web.config import MAX_FIELD_CHARS


def message_explanation(text: str, translator: Translator, client: ClientId | None) -> dict[str, Any]:
    cut = text[:MAX_FIELD_CHARS]
    cut = repaired_mojibake(cut) or cut
    explanation = explain_text(cut)
    reply = explain_reply(cut)
    findings = message_findings(explanation, reply, cut)  # as `explain` does: the text may name the server
    first = CauseCode(findings[0].cause) if findings else None
    return message_document(
        explanation,
        reply,
        findings,
        message_check(explanation, reply, first),
        translator,
        guidance=Guidance(client),
        recognition=None,
        origin="web",
        truncated=len(text) > MAX_FIELD_CHARS,
    )


def bounce_explanation(data: bytes, translator: Translator) -> dict[str, Any]:
    bounces = parse_bounces(data[:MAX_BYTES])
    findings = bounce_findings(bounces)
    commands = [command for bounce in bounces for command in confirming_commands(bounce)]
    return bounce_document(bounces, findings, commands, translator)


__all__ = ["bounce_explanation", "message_explanation"]
