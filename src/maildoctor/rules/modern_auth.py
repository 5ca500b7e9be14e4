"""Servers that take no password at all from a mail program (OAuth2 only), and what a bare refusal from
one of them means (pure).

Microsoft's Exchange Online (outlook.office365.com, Outlook.com's servers) answers an IMAP or POP3
password login with the same words whether the password is wrong or password logins (basic
authentication) are switched off for the account: `NO LOGIN failed.` (older servers, still seen),
`-ERR Logon failure: unknown user name or bad password.`. Basic authentication for IMAP and POP3 was
switched off for every Exchange Online tenant from October 2022 to early 2023, and for Outlook.com
personal accounts on 2024-09-16 (the provider files' `confirmed_note`), so on those hosts the refusal
most likely means "sign in on Microsoft's page"; the finding names both possibilities and how to tell
them apart.

The hosts are those of the provider files whose `password_kind` is `oauth2` (data/providers), so a
provider added there is known here too.
"""

from __future__ import annotations

import functools
import re
from typing import Final

from maildoctor.discover.candidates import PasswordKind
from maildoctor.discover.curated import load_curated
from maildoctor.i18n import N_

# What the finding adds to the server's words (a message id; translated where shown).
EITHER_CAUSE: Final = N_(
    "Microsoft's servers give this same answer for a wrong password and for a password login they no "
    "longer allow (password logins from mail programs were switched off for Microsoft 365 in 2022–2023 "
    "and for Outlook.com in September 2024). To tell which: sign in at https://outlook.office.com in a "
    "browser with the same address and password. If that works, the password is right and the mail "
    "program must use Microsoft's own sign-in; if it does not, the password itself is wrong."
)

_HOST_CHARS: Final = re.compile(r"[a-z0-9](?:[a-z0-9.-]{0,250}[a-z0-9])?", re.IGNORECASE)


@functools.cache
def oauth_only_hosts() -> frozenset[str]:
    """The server host names (lower case) of the providers that take no password (`password_kind`
    oauth2), their retired names included."""
    hosts: set[str] = set()
    for entry in load_curated():
        if entry.password_kind is not PasswordKind.OAUTH2:
            continue
        for server in (*entry.incoming, *entry.outgoing):
            if "%" not in server.hostname_template:
                hosts.add(server.hostname_template.lower())
        hosts.update(retired.host for retired in entry.retired)
    return frozenset(hosts)


def is_oauth_only_host(host: str | None) -> bool:
    """Whether `host` is a server of a provider that takes no password (case and a final dot ignored)."""
    return bool(host) and (host or "").lower().rstrip(".") in oauth_only_hosts()


def oauth_only_host_in(text: str) -> str | None:
    """The first such host a pasted message names (a mail program's dialog often does), or None."""
    for match in _HOST_CHARS.finditer(text):
        if is_oauth_only_host(match.group(0)):
            return match.group(0).lower()
    return None


__all__ = ["EITHER_CAUSE", "is_oauth_only_host", "oauth_only_host_in", "oauth_only_hosts"]
