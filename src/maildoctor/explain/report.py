"""`maildoctor explain --json` of returned mail: the findings it shows and the `maildoctor.explain/1`
document of ../shared/spec/interface.md. Pure: bounces in, findings and dicts out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from maildoctor.causes import CauseCode
from maildoctor.explain.bounce import Bounce, BounceRecipient
from maildoctor.explain.confirm import DOMAIN_CONFIRMED
from maildoctor.i18n import Translator
from maildoctor.model import Finding, ServerRole
from maildoctor.report import finding_to_json
from maildoctor.rules.base import finding

SCHEMA: Final = "maildoctor.explain/1"
SHOWN_WORDS: Final = 300  # characters of a server's words shown


def printable(text: str) -> str:
    """Untrusted words on one line: every character that does not print becomes a space."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def bounce_findings(bounces: Sequence[Bounce]) -> tuple[Finding, ...]:
    """One finding per cause, in the order the recipients show them; the server's words as evidence."""
    seen: dict[CauseCode, Finding] = {}
    for bounce in bounces:
        for recipient in bounce.recipients:
            if recipient.cause is None or recipient.cause in seen:
                continue
            evidence = [line for line in (printable(recipient.diagnostic)[:SHOWN_WORDS],) if line]
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
        "diagnostic": printable(recipient.diagnostic),
        "status_implied": recipient.status_implied,
    }


def bounce_document(
    bounces: Sequence[Bounce],
    findings: Sequence[Finding],
    commands: Sequence[Sequence[str]],
    translator: Translator,
) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "kind": "bounce",
        "findings": [finding_to_json(item, translator) for item in findings],
        "recipients": [recipient_json(r) for bounce in bounces for r in bounce.recipients],
        "checks": [" ".join(command) for command in commands],
    }


__all__ = ["SCHEMA", "bounce_document", "bounce_findings", "printable", "recipient_json"]
