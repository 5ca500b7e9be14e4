"""The maildoctor commands that confirm a returned mail's causes on the person's own side, and
running them (no shell, fixed arguments)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from maildoctor.causes import CauseCode
from maildoctor.explain.bounce import Bounce

if TYPE_CHECKING:
    from maildoctor.explain.match import Explanation, Match
    from maildoctor.explain.reply import ReplyExplanation

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


def named_address(match: Match) -> str | None:
    """The account's address when a mail program's message names one (a placeholder's value, so
    checked)."""
    account = match.values.get("account", "")
    plain = account.isprintable() and " " not in account and len(account) < 255
    return account if "@" in account and plain else None


def confirming_check(match: Match) -> str:
    """The message entry's check command, with the address filled in when the message named it."""
    address = named_address(match)
    return match.entry.check.replace("ADDRESS", address, 1) if address else match.entry.check


def message_check(explanation: Explanation, reply: ReplyExplanation | None, first: CauseCode | None) -> str:
    """The command that tells a pasted message's causes apart: the sending domain's for a
    domain-side first cause, else the mail program message's own check, else the account's
    receiving or sending side."""
    best = explanation.matches[0] if explanation.matches else None
    address = named_address(best) if best is not None else None
    if first in DOMAIN_CONFIRMED:
        domain = address.rsplit("@", 1)[1] if address else "YOUR-DOMAIN"
        return f"maildoctor domain {domain}"
    if best is not None:
        return confirming_check(best)
    if reply is not None and reply.mailbox is not None:
        url = "imaps://SERVER:993" if reply.mailbox == "imap" else "pop3s://SERVER:995"
        return f"maildoctor check ADDRESS --incoming {url}"
    return "maildoctor check ADDRESS --outgoing smtp+starttls://SERVER:587"


def run_confirming(commands: Sequence[Sequence[str]], language: str) -> None:
    """Runs each command in this terminal, one after the other, in `language`.

    `check` asks for the password itself (without echo) and logs in at most once per server.
    """
    for command in commands:
        subprocess.run(
            [sys.executable, "-m", "maildoctor", *command[1:], "--lang", language],
            check=False,
        )


__all__ = [
    "DOMAIN_CONFIRMED",
    "confirming_check",
    "confirming_commands",
    "message_check",
    "named_address",
    "run_confirming",
]
