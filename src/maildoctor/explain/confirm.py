"""The maildoctor commands that confirm a returned mail's causes on the person's own side, and
running them (no shell, fixed arguments)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from typing import Final

from maildoctor.causes import CauseCode
from maildoctor.explain.bounce import Bounce

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


def run_confirming(commands: Sequence[Sequence[str]], language: str) -> None:
    """Runs each command in this terminal, one after the other, in `language`.

    `check` asks for the password itself (without echo) and logs in at most once per server.
    """
    for command in commands:
        subprocess.run(
            [sys.executable, "-m", "maildoctor", *command[1:], "--lang", language],
            check=False,
        )


__all__ = ["DOMAIN_CONFIRMED", "confirming_commands", "run_confirming"]
