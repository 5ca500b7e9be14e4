"""What `maildoctor explain` finds and its `maildoctor.explain/1` document of
../shared/spec/interface.md (`--json`), for returned mail and for a pasted message or code.
Pure: bounces, or the message's explanation and the server's reply, in; findings and dicts out."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from maildoctor.causes import CauseCode
from maildoctor.explain.bounce import Bounce, BounceRecipient
from maildoctor.explain.confirm import DOMAIN_CONFIRMED, confirming_check
from maildoctor.explain.match import MatchKind
from maildoctor.explain.rank import ranked_causes, ruled_out
from maildoctor.i18n import Translator
from maildoctor.model import Evidence, Finding, ServerRole
from maildoctor.protocol.lines import safe_text
from maildoctor.report import finding_to_json
from maildoctor.rules.base import finding
from maildoctor.rules.modern_auth import EITHER_CAUSE, oauth_only_host_in

if TYPE_CHECKING:
    from maildoctor.clients.guidance import Guidance
    from maildoctor.explain.match import Explanation, Match
    from maildoctor.explain.rank import Recognition
    from maildoctor.explain.reply import ReplyExplanation

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


# --------------------------------------------------------------------------- a pasted message or code


def filled(pattern: str | None, values: Mapping[str, str]) -> str | None:
    """The message as the person saw it: the pattern with the parts it matched put back."""
    if pattern is None:
        return None
    return re.sub(r"\{([a-z]+)\}", lambda found: values.get(found.group(1), "…"), pattern)


def _reply_line(reply: ReplyExplanation) -> str:
    return safe_text(
        " ".join(part for part in (reply.reply.code, reply.reply.status, reply.reply.text) if part)
    )


def _message_line(match: Match) -> str:
    if match.kind is MatchKind.CODE:
        return match.entry.code or ""
    return safe_text(filled(match.pattern, match.values) or "")


def _signed_in_elsewhere(causes: Sequence[CauseCode], text: str) -> tuple[CauseCode, ...] | None:
    """A mail program's "login failed" / "password incorrect" naming a server that takes no password
    (Thunderbird's "Login to server outlook.office365.com … failed", iPhone's "The user name or password
    for “outlook.office365.com” is incorrect"): most likely the switched-off password login, so the
    provider's sign-in leads, the wrong password follows (rules.modern_auth). None: not such a message."""
    if not causes or causes[0] is not CauseCode.AUTH_FAILED or oauth_only_host_in(text) is None:
        return None
    modern = CauseCode.MODERN_AUTH_REQUIRED
    excluded = ruled_out((modern,))
    return (modern, *(cause for cause in causes if cause is not modern and cause not in excluded))


def message_findings(
    explanation: Explanation, reply: ReplyExplanation | None, text: str = ""
) -> tuple[Finding, ...]:
    """One finding per likely cause, most likely first (`explain.rank`): the server's reply leads,
    the mail program's message is context. Each finding's evidence is the words that point to it.
    `text`: the pasted message, where it names the server (a server that takes no password)."""
    best = explanation.matches[0] if explanation.matches else None
    wrapper = [_message_line(best)] if best is not None else []
    if reply is None:
        causes = explanation.causes
        elsewhere = _signed_in_elsewhere(causes, text)
        if elsewhere is not None:
            first = finding(str(elsewhere[0]), ServerRole.INPUT, {}, [*wrapper, Evidence.of(EITHER_CAUSE)])
            rest = [finding(str(code), ServerRole.INPUT, {}, wrapper) for code in elsewhere[1:]]
            return (first, *rest)
    else:
        causes = ranked_causes(reply.specific, reply.causes, explanation.causes)
    items = []
    for code in causes:
        from_reply = reply is not None and code in reply.causes
        evidence = [_reply_line(reply)] if from_reply and reply is not None else wrapper
        items.append(finding(str(code), ServerRole.INPUT, {}, [line for line in evidence if line]))
    return tuple(items)


def reply_meaning(reply: ReplyExplanation, translator: Translator) -> str:
    """The reply's plain meaning, translated: the data's, else its kind's note."""
    meaning = reply.meaning() or reply.note
    return translator.gettext(meaning) if meaning else ""


def reply_action(reply: ReplyExplanation, translator: Translator) -> str | None:
    """What to do about the reply, translated; None when the provider's words are not known."""
    action = reply.action()
    return translator.gettext(action) if action else None


def _reply_json(reply: ReplyExplanation, translator: Translator) -> dict[str, Any]:
    rejection = reply.rejection.entry if reply.rejection is not None else None
    return {
        "reply_code": reply.reply.code or "",
        "status": reply.reply.status or "",
        "text": safe_text(reply.reply.text),
        "meaning": reply_meaning(reply, translator),
        "action": reply_action(reply, translator),
        "provider": str(rejection.provider) if rejection is not None else None,
        "rejection": rejection.id if rejection is not None else None,
        "source": rejection.source if rejection is not None else None,
        "causes": [str(code) for code in reply.causes],
    }


def _match_json(match: Match, translator: Translator) -> dict[str, Any]:
    entry = match.entry
    return {
        "id": entry.id,
        "client": str(entry.client),
        "code": entry.code,
        "symbol": entry.symbol,
        "meaning": translator.gettext(entry.meaning),
        "causes": [str(code) for code in entry.causes],
        "check": confirming_check(match),
        "score": round(match.score, 2),
        "values": {name: safe_text(value) for name, value in match.values.items()},
    }


def message_document(
    explanation: Explanation,
    reply: ReplyExplanation | None,
    findings: Sequence[Finding],
    check: str,
    translator: Translator,
    *,
    guidance: Guidance,
    recognition: Recognition | None,
    origin: str,
    truncated: bool,
) -> dict[str, Any]:
    """The document for a pasted message or code; `recognition` is how the mail program was told
    from the message (None: named with --client, or not known); `origin` and `truncated` describe
    what was read."""
    by_code = bool(explanation.matches) and explanation.matches[0].kind is MatchKind.CODE
    document: dict[str, Any] = {
        "schema": SCHEMA,
        "kind": "code" if by_code else "message",
        "findings": [finding_to_json(item, translator, guidance) for item in findings],
        "recipients": [],
        "matches": [_match_json(match, translator) for match in explanation.matches],
        "unknown_codes": list(explanation.unknown_codes),
        "check": check,
        "input": {"origin": origin, "truncated": truncated},
    }
    if reply is not None:
        document["smtp_reply"] = _reply_json(reply, translator)
    if guidance.client is not None:
        document["client"] = str(guidance.client)
        document["client_from"] = str(recognition.by) if recognition else "option"
    return document


__all__ = [
    "SCHEMA",
    "bounce_document",
    "bounce_findings",
    "filled",
    "message_document",
    "message_findings",
    "printable",
    "recipient_json",
    "reply_action",
    "reply_meaning",
]
