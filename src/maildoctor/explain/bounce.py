"""Read a bounce (.eml) into its failed recipients: address, status, reply, server, reason, cause.

Pure: takes the message's bytes, returns a `Bounce` (or None when the message is not a
bounce). Three forms are read, in this order:

* delivery status notifications (RFC 3464, `multipart/report; report-type=delivery-status`,
  also the RFC 6533 `message/global-delivery-status`): one field block per recipient;
* feedback reports (ARF, RFC 5965, `report-type=feedback-report`): a complaint, not a failure;
* the many plain-text forms (qmail, Exim, Yahoo, Gmail's old form, Lotus Notes, Japanese
  carriers…): the text before the returned message is searched for addresses and the
  server's words that follow each one.

The standard library's email parser does the MIME work; the field blocks and the plain
text are read here because a library that returns only "the bounced addresses" (flufl.bounce)
loses the server's words, which are what the person needs (see the closing note of issue 6
for how the libraries fared on the corpus). Everything read is bounded (`MAX_BYTES`), and
the server's words stay untrusted text: the renderer escapes them.
"""

from __future__ import annotations

import email
import email.header
import email.message
import email.policy
import email.utils
import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from maildoctor.causes import CauseCode
from maildoctor.explain.bounce_phrases import PhraseTable
from maildoctor.explain.bounce_provider import provider_of
from maildoctor.explain.bounce_reason import cause_of_reason, classify

MAX_BYTES: Final = 4 * 1024 * 1024  # a bounce carrying a large original is cut here
_MAX_TEXT: Final = 64 * 1024  # characters of bounce text searched
_MAX_RECIPIENTS: Final = 500


class BounceKind(StrEnum):
    DSN = "dsn"  # RFC 3464
    ARF = "arf"  # RFC 5965 feedback report
    TEXT = "text"  # a plain-text bounce
    AUTOREPLY = "autoreply"  # RFC 3834 auto-reply (out of office): not a failure


@dataclass(frozen=True, slots=True)
class BounceRecipient:
    address: str
    status: str  # enhanced status code "5.1.1", or ""
    reply_code: str  # "550", or ""
    remote_host: str  # the server that refused, or ""
    diagnostic: str  # the server's words (untrusted), one line
    action: str  # failed | delayed | delivered | "" (from the DSN, or implied)
    reason: str  # Sisimai's vocabulary (bounce_reason.REASON_CAUSES)
    cause: CauseCode | None
    feedback_type: str = ""  # ARF: abuse, fraud, ...
    status_implied: bool = False  # the bounce wrote no status: `status` is the one the reason implies


@dataclass(frozen=True, slots=True)
class Bounce:
    kind: BounceKind
    reporting_mta: str  # who wrote the bounce, or ""
    subject: str
    original_sender: str  # the address the bounce went back to, or ""
    recipients: tuple[BounceRecipient, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------------- small parsers

_STATUS: Final = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
_REPLY: Final = re.compile(r"(?<![\d.\-#])([245][0-5]\d)(?:[ \-]|$)(?![\d.]*\d{3})")
_REPLY_STRICT: Final = re.compile(
    r"(?:^|said:|said|returned:|error:|reply:|response:|smtp;|\]:|\):|>:|: |<<<|code ?:)"
    r"\s*([245][0-5]\d)(?=[ \-:,;]|$)",
    re.IGNORECASE | re.MULTILINE,
)
_ADDRESS: Final = re.compile(
    r"(?<![\w.+\-=/])((?:\"[^\"\r\n<>]{1,64}\"|[\w.!#$%&'*+/=?^`{|}~\-]{1,64})@[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?"
    r"(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)+)",
    re.IGNORECASE,
)
_DAEMON: Final = re.compile(
    r"^(?:mailer-daemon|postmaster|mail-daemon|mailerdaemon|maildaemon|bounce[s]?|mail-?delivery|"
    r"double-bounce|noreply|no-reply|root|nobody|mdaemon)(?:[+\-.].*)?@",
    re.IGNORECASE,
)
_BOUNCE_FROM: Final = re.compile(
    r"mailer-daemon|postmaster|mail delivery|mail-delivery|maildelivery|mail administrator|"
    r"mail delivery subsystem|delivery status|mdaemon|bounce",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT: Final = re.compile(
    r"undeliver|undelivered|delivery (?:status|failure|failed|notification|problem|report)|"
    r"failure notice|returned mail|mail delivery failed|delivery has failed|could not be delivered|"
    r"non[- ]?delivery|returned to sender|mail system error|nondeliverable|permanent error|"
    r"warning: could not send|delayed mail|message not delivered|failed delivery|bounce|"
    r"配信|不達|送信できません|エラー|error|rejected|fail",
    re.IGNORECASE,
)
# Where the returned original starts in a plain-text bounce: nothing below is the bounce's own words.
_ORIGINAL_START: Final = re.compile(
    r"^\s*(?:-{2,}|={2,}|_{2,}|\*{2,})?\s*(?:"
    r"below this line is a copy of the message|this is a copy of the message|"
    r"original message|original message follows|original message header|"
    r"unsent message below|returned message|"
    r"message headers follow|the header of the original message|headers of your message follow|"
    r"a copy of the original message|copy of message|start of returned message|"
    r"the (?:first \d+ lines|headers) of (?:the|your) (?:original )?message|"
    r"original message headers|included is the original message|"
    r"------ this is a copy|your message reads|message text follows|"
    r"content-type: message/rfc822|original-envelope-id|end of (?:the )?diagnostics"
    r")",
    re.IGNORECASE | re.MULTILINE,
)
_HEADER_LINE: Final = re.compile(r"^(?:Return-Path|Received|DKIM-Signature):\s", re.M)
_TAGS: Final = re.compile(r"<[^>]{0,2000}>")


def _decode_header(value: str | None) -> str:
    if not value:
        return ""
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except (UnicodeDecodeError, LookupError, ValueError, email.errors.HeaderParseError):
        return value


def _part_text(part: email.message.Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    charset = part.get_content_charset() or "us-ascii"
    candidates = [charset, "utf-8", "iso-2022-jp", "euc-jp", "shift_jis", "latin-1"]
    if charset in ("us-ascii", "ascii") and any(byte > 0x7F for byte in payload[:_MAX_TEXT]):
        candidates = candidates[1:]  # 8-bit text labelled ASCII: Japanese servers do that
    for candidate in candidates:
        try:
            return payload[:MAX_BYTES].decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
    return payload.decode("latin-1")  # pragma: no cover - latin-1 decodes anything


def _address_of(value: str) -> str:
    """The bare address of a DSN recipient field (`rfc822; <a@b>`) or a header."""
    if ";" in value:
        value = value.split(";", 1)[1]
    match = _ADDRESS.search(value.replace("<", " ").replace(">", " "))
    return match.group(1).strip(".'").lower() if match else ""


_REPLY_THEN_STATUS: Final = re.compile(r"(?<![\d.])[245]\d\d[ \-:]+'?#?([245]\.\d{1,3}\.\d{1,3})(?![\d.])")


def _status_in(text: str) -> str:
    """The enhanced status code of the server's reply: the one right after a reply code, else the
    first one that says more than X.0.0, else the first."""
    after_reply = [match.group(1) for match in _REPLY_THEN_STATUS.finditer(text)]
    failures = [
        status for status in after_reply if status[0] != "2"
    ]  # a transcript's "250 2.1.5 Ok" is not it
    if failures or after_reply:
        return (failures or after_reply)[0]
    found = [".".join(match.groups()) for match in _STATUS.finditer(text)]
    specific = [status for status in found if not status.endswith(".0.0")]
    return (specific or found or [""])[0]


def _reply_in(text: str) -> str:
    """The server's reply code: the first refusal (4xx/5xx) of a transcript, else the first code."""
    strict = [match.group(1) for match in _REPLY_STRICT.finditer(text)]
    loose = [match.group(1) for match in _REPLY.finditer(text)]
    for found in (strict, loose):
        refusals = [code for code in found if code[0] in "45"]
        if refusals:
            return refusals[0]
    return (strict or loose or [""])[0]


def _one_line(text: str, limit: int = 1000) -> str:
    return re.sub(r"\s+", " ", text).strip()[:limit]


# --------------------------------------------------------------------------- walking the message


@dataclass(slots=True)
class _Parts:
    texts: list[str] = field(default_factory=list)  # the bounce's own text parts, in order
    htmls: list[str] = field(default_factory=list)
    status_blocks: list[list[dict[str, str]]] = field(default_factory=list)
    feedback: list[dict[str, str]] = field(default_factory=list)
    original_headers: list[email.message.Message] = field(default_factory=list)


def _field_blocks(text: str) -> list[dict[str, str]]:
    """RFC 3464 field blocks: header-like lines, blocks split by blank lines, folded lines joined."""
    blocks: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last = ""
    for raw in text.replace("\r\n", "\n").split("\n"):
        if not raw.strip():
            if current:
                blocks.append(current)
            current, last = {}, ""
            continue
        if raw[:1] in (" ", "\t") and last:
            current[last] += " " + raw.strip()
            continue
        name, colon, value = raw.partition(":")
        if not colon or " " in name.strip():
            continue
        last = name.strip().lower()
        # a repeated field (ARF's Original-Rcpt-To) keeps every value
        current[last] = value.strip() if last not in current else current[last] + "\x1f" + value.strip()
    if current:
        blocks.append(current)
    return blocks


def _status_text(part: email.message.Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list):  # compat32 parses delivery-status into one Message per block
        chunks = []
        for block in payload:
            if isinstance(block, email.message.Message):
                chunks.append("\n".join(f"{name}: {value}" for name, value in block.items()))
        return "\n\n".join(chunks)
    return _part_text(part)


def _walk(message: email.message.Message, parts: _Parts) -> None:
    content_type = message.get_content_type()
    if message.get_content_maintype() == "multipart":
        payload = message.get_payload()
        if isinstance(payload, str):  # a multipart whose boundaries are missing: read it as text
            parts.texts.append(payload[:_MAX_TEXT])
            return
        for sub in payload:
            if isinstance(sub, email.message.Message):
                _walk(sub, parts)
        return
    if content_type in ("message/delivery-status", "message/global-delivery-status"):
        parts.status_blocks.append(_field_blocks(_status_text(message)))
    elif content_type == "message/feedback-report":
        blocks = _field_blocks(_status_text(message))
        parts.feedback.append({k: v for block in blocks for k, v in block.items()})
    elif content_type in (
        "message/rfc822",
        "text/rfc822-headers",
        "message/global",
        "message/global-headers",
    ):
        payload = message.get_payload()
        if isinstance(payload, list) and payload and isinstance(payload[0], email.message.Message):
            parts.original_headers.append(payload[0])
        elif isinstance(payload, str):
            parts.original_headers.append(email.message_from_string(payload[:_MAX_TEXT]))
        parts.texts.append("\x00ORIGINAL\x00")
    elif content_type == "text/plain" or (
        message.get_content_maintype() == "text" and content_type != "text/html"
    ):
        parts.texts.append(_part_text(message))
    elif content_type == "text/html":
        parts.htmls.append(html.unescape(_TAGS.sub(" ", _part_text(message))))


def _bounce_text(parts: _Parts) -> str:
    """The bounce's own words: text parts before the returned original, cut where it starts."""
    chunks: list[str] = []
    for text in parts.texts:
        if text == "\x00ORIGINAL\x00":
            break
        chunks.append(text)
    if not chunks:
        chunks = parts.htmls[:1]
    text = "\n".join(chunks)[:_MAX_TEXT].replace("\r\n", "\n")
    cut = _ORIGINAL_START.search(text)
    if cut is not None and cut.start() > 0:
        text = text[: cut.start()]
    else:
        header = _HEADER_LINE.search(text)
        if header is not None and header.start() > 80:
            text = text[: header.start()]
    return text


# --------------------------------------------------------------------------- the three forms


def _dsn_recipients(parts: _Parts, text: str, phrases: PhraseTable | None) -> list[BounceRecipient]:
    recipients: list[BounceRecipient] = []
    addresses = [_address_of(_recipient_field(block)) for blocks in parts.status_blocks for block in blocks]
    for blocks in parts.status_blocks:
        per_message = blocks[0] if blocks and not _recipient_field(blocks[0]) else {}
        for block in blocks:
            address = _address_of(_recipient_field(block))
            if not address:
                continue
            diagnostic = block.get("diagnostic-code", "")
            diagnostic_type = ""
            if ";" in diagnostic[:20]:
                diagnostic_type, diagnostic = diagnostic.split(";", 1)
            diagnostic = diagnostic.strip()
            written = _status_in(block.get("status", ""))
            words = diagnostic or _words_for(address, text, addresses)
            status = _better_status(written, _status_in(words))
            if not status:
                status = _status_in(words)
            reply = _reply_in(diagnostic) or _reply_in(words)
            reporting = _address_free(per_message.get("reporting-mta", ""))
            remote = _address_free(block.get("remote-mta", "")) or reporting
            action = block.get("action", "").split()[0].lower() if block.get("action", "").split() else ""
            where = _Where(provider_of((remote, reporting)), phrases, diagnostic_type.strip().lower())
            recipients.append(_recipient(address, status, reply, remote, words, action, where=where))
    return recipients


def _recipient_field(block: dict[str, str]) -> str:
    return (
        block.get("final-recipient")
        or block.get("original-recipient")
        or block.get("x-actual-recipient")
        or ""
    )


def _better_status(written: str, from_words: str) -> str:
    """The DSN's Status field, unless it is a catch-all and the server's words are more exact."""
    if not written:
        return from_words
    if from_words and from_words[0] == written[0] and not from_words.endswith(".0.0"):
        return from_words  # the server's own reply says more than the reporting MTA's summary
    return written


def _address_free(value: str) -> str:
    if ";" in value:
        value = value.split(";", 1)[1]
    value = value.strip().strip("[]").split()[0] if value.strip() else ""
    return value.strip("[]")


# A sending service's own prose that quotes the receiving server's reply after it (Gmail: "Technical
# details of permanent failure: Google tried to deliver your message, but it was rejected by the
# server for the recipient domain … The error that the other server returned was: 550 5.1.1 …").
_RELAYED: Final = re.compile(
    r"\b(?:the error that )?the (?:other|remote|recipient(?:'s)?|receiving) (?:mail )?server"
    r" (?:returned|responded|replied|said)(?: was)?\s*:\s*",
    re.IGNORECASE,
)


def relayed_reply(line: str) -> str:
    """The receiving server's own reply when the bounce's prose quotes it, else the line as it is:
    the server's words are what the person is shown, the sending service's prose is context."""
    found = _RELAYED.search(line)
    if found is None:
        return line
    reply = line[found.end() :].strip()
    return reply if _reply_in(reply) or _status_in(reply) else line


@dataclass(frozen=True, slots=True)
class _Where:
    """What the reason is judged with beside the words: the provider id and the phrase table."""

    provider: str = ""
    phrases: PhraseTable | None = None
    diagnostic_type: str = ""  # RFC 3464 Diagnostic-Code type: smtp, x-unix, …


def _recipient(
    address: str,
    status: str,
    reply: str,
    remote: str,
    words: str,
    action: str,
    temporary: bool = False,
    where: _Where = _Where(),
) -> BounceRecipient:
    line = _one_line(words)
    if not action:
        action = "delayed" if status.startswith("4.") or reply.startswith("4") else "failed"
    provider = where.provider or provider_of((remote,))
    reason = classify(line, status, reply, action, provider, where.phrases, where.diagnostic_type)
    implied = not status
    if implied:
        final = bool(_FINAL.search(words))
        status = _implied_status(reason, reply, not final and (temporary or action == "delayed"))
    return BounceRecipient(
        address=address,
        status=status,
        reply_code=reply,
        remote_host=remote,
        diagnostic=relayed_reply(line),
        action=action,
        reason=reason,
        cause=cause_of_reason(reason),
        status_implied=implied and bool(status),
    )


# The status a reason implies when the bounce writes none (RFC 3463's detail for it).
_IMPLIED: Final = {
    "userunknown": "5.1.1", "hostunknown": "5.1.2", "mailboxfull": "5.2.2", "hasmoved": "5.1.6",
    "rejected": "5.1.8", "mesgtoobig": "5.3.4", "exceedlimit": "5.2.3", "systemfull": "5.3.1",
    "norelaying": "5.7.1", "notaccept": "5.1.10", "expired": "5.4.7", "networkerror": "5.4.0",
    "suspend": "5.2.1", "filtered": "5.2.0", "blocked": "5.7.1", "securityerror": "5.7.0",
    "spamdetected": "5.7.1", "virusdetected": "5.7.1", "policyviolation": "5.7.0", "requireptr": "5.7.25",
    "authfailure": "5.7.26", "contenterror": "5.6.0", "systemerror": "5.3.0", "mailererror": "5.3.0",
    "toomanyconn": "4.3.2", "speeding": "4.7.0", "badreputation": "5.7.1", "syntaxerror": "5.5.2",
}  # fmt: skip


def _implied_status(reason: str, reply: str, temporary: bool) -> str:
    implied = _IMPLIED.get(reason, "")
    if implied and (reply.startswith("4") or (temporary and not reply.startswith("5"))):
        implied = "4" + implied[1:]
    return implied


def _words_for(address: str, text: str, others: Sequence[str] = ()) -> str:
    """The text after the address's first appearance, up to the next recipient or a blank gap."""
    lower = text.lower()
    at = lower.find(address)
    if at < 0:
        return ""
    tail = text[at + len(address) :]
    end = len(tail)
    ends = [tail.lower().find(other) for other in others if other and other != address]
    ends = [position for position in ends if position >= 0]
    if ends:
        end = min(ends)
    gap = re.search(r"\n\s*\n\s*\n", tail)
    if gap is not None and gap.start() < end and tail[: gap.start()].strip():
        end = gap.start()
    return tail[:end].strip(" >:.\n\t")


def _text_recipients(
    text: str, excluded: set[str], failed: Sequence[str] = (), phrases: PhraseTable | None = None
) -> list[BounceRecipient]:
    """Recipients of a plain-text bounce: X-Failed-Recipients when the server wrote it, else every
    address in the bounce's own words that is not the sender's or a mail system's."""
    seen: list[str] = list(dict.fromkeys(failed))
    daemons: list[str] = []
    for match in _ADDRESS.finditer(text) if not seen else ():
        address = match.group(1).strip(".'").lower()
        if address in excluded or address in seen or _not_a_recipient(text, match.start(), address):
            continue
        if _DAEMON.match(address) or _SUMMARY_LINE.match(text, text.rfind("\n", 0, match.start()) + 1):
            daemons.append(address)  # a postmaster, or the "To:" of a summary of the returned message
            continue
        seen.append(address)
        if len(seen) >= _MAX_RECIPIENTS:
            break
    if not seen and daemons:  # mail to a postmaster bounces too
        seen = daemons[:1]
    recipients = []
    for address in seen:
        words = _words_for(address, text, seen)
        if len(seen) == 1 and classify(  # the fitted phrases do not decide where the words are
            _one_line(words), _status_in(words), _reply_in(words), phrases=_NO_PHRASES
        ) in (
            "onhold",
            "undefined",
        ):
            words = text  # the reason is written before the address ("because of 550 ... :\n  address")
        status = _status_in(words)
        reply = _reply_in(words)
        remote = _remote_in(words)
        temporary = bool(_TEMPORARY.search(text)) and not _FINAL.search(text)
        recipients.append(
            _recipient(address, status, reply, remote, words, "", temporary, _Where("", phrases))
        )
    return recipients


_NO_PHRASES: Final = PhraseTable()
_SUMMARY_LINE: Final = re.compile(r"\s*(?:to|cc)\s*:", re.IGNORECASE)
_TEMPORARY: Final = re.compile(
    r"will be retried|warning message only|still trying|not yet been delivered|delayed", re.I
)
_FINAL: Final = re.compile(r"envelope expired|given up|giving up|permanent", re.I)
_NOT_RECIPIENT_LINE: Final = re.compile(
    r"message-?id|message id|in-reply-to|references|contact|send mail to|assistance|original sender|"
    r"^\s*(?:from|sender|reply-to|return-path|delivered-to|x-original-to)\s*:|envelope-from|mail from|"
    r"x-postfix-sender|\bfor <|連絡|問い合わせ|問合せ",
    re.IGNORECASE,
)
_ID_LIKE: Final = re.compile(r"[0-9a-f.\-=_]{16,}|.*\d{8,}.*", re.IGNORECASE)


def _not_a_recipient(text: str, at: int, address: str) -> bool:
    """An address in a Message-ID, a help-desk line or a sender line, not a failed recipient."""
    line_start = text.rfind("\n", 0, at) + 1
    line_end = text.find("\n", at)
    before = text[line_start:at]
    if re.search(r"連絡|問い合わせ|問合せ", text[at : line_end if line_end >= 0 else len(text)]):
        return True
    local = address.split("@", 1)[0]
    return bool(_NOT_RECIPIENT_LINE.search(before)) or bool(_ID_LIKE.fullmatch(local))


_REMOTE: Final = re.compile(
    r"(?:host|server|by|from|at)\s+\[?([a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)+)\]?", re.IGNORECASE
)


_REMOTE_WITH_ADDRESS: Final = re.compile(
    r"([a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)+)\.?\s*\[[0-9a-f.:]+\]", re.IGNORECASE
)


def _remote_in(words: str) -> str:
    """The refusing server: a host name written with its address ("mx.example.jp [192.0.2.1]") first."""
    match = _REMOTE_WITH_ADDRESS.search(words) or _REMOTE.search(words)
    return match.group(1).lower() if match else ""


def _arf_recipients(parts: _Parts) -> list[BounceRecipient]:
    recipients: list[BounceRecipient] = []
    for report in parts.feedback:
        feedback_type = (
            report.get("feedback-type", "").split()[0].lower() if report.get("feedback-type") else ""
        )
        addresses = [_address_of(value) for value in report.get("original-rcpt-to", "").split("\x1f")]
        addresses = [address for address in addresses if address] or [""]
        address = addresses[0]
        if not address:
            for headers in parts.original_headers:
                address = _address_of(str(headers.get("To", "")))
                if address:
                    break
        addresses[0] = address
        recipients.extend(
            BounceRecipient(
                address=one,
                status="",
                reply_code="",
                remote_host=_address_free(report.get("reporting-mta", "")),
                diagnostic="",
                action="",
                reason="feedback",
                cause=cause_of_reason("feedback"),
                feedback_type=feedback_type,
            )
            for one in addresses
        )
    return recipients


# --------------------------------------------------------------------------- the entry point


def looks_like_bounce(message: email.message.Message) -> bool:
    """From a mail system, to the null sender, or a failure subject: worth reading as a bounce."""
    sender = _decode_header(message.get("From"))
    return_path = str(message.get("Return-Path", ""))
    subject = _decode_header(message.get("Subject"))
    return bool(
        _BOUNCE_FROM.search(sender)
        or (return_path.strip() in ("<>", "") and message.get("Return-Path") is not None)
        or _BOUNCE_SUBJECT.search(subject)
    )


# The subjects of auto-replies: RFC 3834 §3.1.5 ("Auto:"), Outlook/Exchange ("Automatic reply:"), …
_AUTO_SUBJECT: Final = re.compile(
    r"\s*(?:auto(?:matic)?[- ]?reply|out of (?:the )?office|vacation|autoreply|auto:|不在|自動応答)", re.I
)


def _auto_reply(message: email.message.Message) -> bool:
    auto = str(message.get("Auto-Submitted", "")).lower()
    subject = _decode_header(message.get("Subject"))
    return auto.startswith("auto-replied") or bool(_AUTO_SUBJECT.match(subject))


def _returned_recipient(parts: _Parts) -> str:
    for headers in parts.original_headers:
        address = _address_of(_decode_header(str(headers.get("To", ""))))
        if address:
            return address
    for text in parts.texts:
        match = re.search(r"^\s*To:\s*(.+)$", text, re.MULTILINE)
        if match is not None:
            return _address_of(match.group(1))
    return ""


def _auto_reply_of(
    message: email.message.Message, subject: str, original_sender: str, text: str
) -> Bounce | None:
    if not _auto_reply(message):
        return None
    sender = _address_of(_decode_header(message.get("From")))
    vacation = BounceRecipient(sender, "", "", "", _one_line(text, 300), "", "vacation", None)
    return Bounce(BounceKind.AUTOREPLY, "", subject, original_sender, (vacation,))


def _object(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _array(value: object) -> list[object]:
    return value[:_MAX_RECIPIENTS] if isinstance(value, list) else []


def _ses_notification(
    texts: Sequence[str], subject: str, original_sender: str, phrases: PhraseTable | None
) -> Bounce | None:
    """An Amazon SES notification (JSON, sometimes inside an SNS envelope): Bounce, Complaint, Delivery."""
    for text in texts:
        start = text.find("{")
        if start < 0 or ('"notificationType"' not in text and '\\"notificationType\\"' not in text):
            continue
        try:  # raw_decode: SNS adds a footer after the JSON
            document, _end = json.JSONDecoder().raw_decode(text[start : start + _MAX_TEXT])
            if isinstance(document, dict) and isinstance(document.get("Message"), str):
                document = json.loads(document["Message"])
        except (ValueError, RecursionError):
            continue
        if not isinstance(document, dict):
            continue
        kind = str(document.get("notificationType", ""))
        recipients: list[BounceRecipient] = []
        if kind == "Bounce":
            bounce = _object(document.get("bounce"))
            remote = str(bounce.get("reportingMTA", "")).removeprefix("dns;").strip()
            for one in _array(bounce.get("bouncedRecipients")):
                if isinstance(one, dict):
                    words = str(one.get("diagnosticCode", ""))
                    address = _address_of(str(one.get("emailAddress", "")))
                    status = _status_in(str(one.get("status", ""))) or _status_in(words)
                    reply = _reply_in(words)
                    where = _Where(provider_of((remote,)), phrases)
                    recipients.append(_recipient(address, status, reply, remote, words, "", where=where))
        elif kind == "Complaint":
            complaint = _object(document.get("complaint"))
            for one in _array(complaint.get("complainedRecipients")):
                if isinstance(one, dict):
                    address = _address_of(str(one.get("emailAddress", "")))
                    feedback = str(complaint.get("complaintFeedbackType", "abuse"))
                    recipients.append(
                        BounceRecipient(
                            address, "", "", "", "", "", "feedback", cause_of_reason("feedback"), feedback
                        )
                    )
        elif kind == "Delivery":
            delivery = _object(document.get("delivery"))
            words = str(delivery.get("smtpResponse", ""))
            remote = str(delivery.get("reportingMTA", ""))
            for one in _array(delivery.get("recipients")):
                address = _address_of(str(one))
                status, reply = _status_in(words), _reply_in(words)
                where = _Where(provider_of((remote,)), phrases)
                recipients.append(_recipient(address, status, reply, remote, words, "delivered", where=where))
        if recipients:
            return Bounce(BounceKind.DSN, "amazonses", subject, original_sender, tuple(recipients))
    return None


_MBOX_FROM: Final = re.compile(
    rb"(?:\A|\n\n)(From \S+ +[A-Z][a-z]{2} [A-Z][a-z]{2} +\d{1,2} [\d:]{8} \d{4}\r?\n)"
)


def split_mbox(data: bytes) -> list[bytes]:
    """The messages of an mbox file (a mail program's "save as" of several messages); one otherwise."""
    data = data[:MAX_BYTES]
    starts = [match.start(1) for match in _MBOX_FROM.finditer(data)]
    if not starts or (len(starts) == 1 and starts[0] == 0):
        return [data]
    if starts[0] != 0:
        starts.insert(0, 0)
    return [data[start:end] for start, end in zip(starts, [*starts[1:], len(data)], strict=True)]


def parse_bounces(data: bytes, phrases: PhraseTable | None = None) -> list[Bounce]:
    """Every bounce in a file that may hold several messages (mbox). `phrases`: the fitted phrase
    table to judge the words with (the shipped one when None; bench/bounce_heldout.py passes its own)."""
    found = (parse_bounce(message, phrases) for message in split_mbox(data))
    return [bounce for bounce in found if bounce is not None]


def parse_bounce(data: bytes, phrases: PhraseTable | None = None) -> Bounce | None:
    """The bounce in a message's bytes, or None when it is not one (nothing failed in it)."""
    message = email.message_from_bytes(data[:MAX_BYTES], policy=email.policy.compat32)
    parts = _Parts()
    _walk(message, parts)
    subject = _decode_header(message.get("Subject"))
    original_sender = _address_of(_decode_header(message.get("To")))
    report_type = str(message.get_param("report-type", "") or "").lower()
    text = _bounce_text(parts)
    if parts.feedback or report_type == "feedback-report":
        recipients = _arf_recipients(parts)
        if recipients:
            return Bounce(BounceKind.ARF, "", subject, original_sender, tuple(recipients))
    if not parts.status_blocks:  # a delivery report pasted into a text part (forwarded by an ISP)
        joined = "\n".join(parts.texts)
        embedded = re.search(r"^(?:Reporting-MTA|Final-Recipient):", joined, re.I | re.M)
        if embedded is not None:
            parts.status_blocks.append(_field_blocks(joined[embedded.start() : embedded.start() + _MAX_TEXT]))
    if parts.status_blocks:
        recipients = _dsn_recipients(parts, text, phrases)
        if recipients:
            first = parts.status_blocks[0][0] if parts.status_blocks[0] else {}
            reporting = _address_free(first.get("reporting-mta", ""))
            return Bounce(BounceKind.DSN, reporting, subject, original_sender, tuple(recipients))
    notification = _ses_notification(parts.texts, subject, original_sender, phrases)
    if notification is not None:
        return notification
    if not looks_like_bounce(message) or _AUTO_SUBJECT.match(subject):  # an auto-reply is sent to <> too
        return _auto_reply_of(message, subject, original_sender, text)
    excluded = set()
    for header in ("From", "Return-Path", "Reply-To", "Sender"):
        address = _address_of(_decode_header(message.get(header)))
        if address:
            excluded.add(address)
    named = (_address_of(value) for value in str(message.get("X-Failed-Recipients", "")).split(","))
    failed = [address for address in named if address]
    recipients = _text_recipients(text, excluded | {original_sender}, failed, phrases)
    if not recipients and original_sender:  # a bounce of a message sent to oneself
        recipients = _text_recipients(text, excluded, failed, phrases)
    if not recipients:  # the bounce names nobody: the returned message's recipient is the one
        returned = _returned_recipient(parts)
        if returned and returned != original_sender:
            recipients = _text_recipients(text, excluded, [returned], phrases)
    if not recipients:
        return _auto_reply_of(message, subject, original_sender, text)
    return Bounce(BounceKind.TEXT, "", subject, original_sender, tuple(recipients))
