"""`check --oauth2` (and --oauth2-client-id, --keep-token): not built into `check` yet, so it says so and
runs nothing (exit 3), never a result it did not get.

What exists (issue 16): SASL XOAUTH2/OAUTHBEARER (protocol.oauth), the device authorization grant
(protocol.oauth_device, net.oauth_device), token logins in the probe sessions (SessionContext.token),
all tested end to end against the lab's Dovecot, Postfix and loopback authorization server. Not yet: the
CLI running the flow and handing the token to the sessions, the findings of a refused token
(LoginFacts.oauth_failure is recorded, no rule reads it), the canary test over every output, the
loopback-redirect flow with PKCE for Google, the keyring, and a config file entry for the client ID.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from maildoctor.exitcode import ExitCode
from maildoctor.i18n import Translator


def oauth2_not_yet(translator: Translator) -> int:
    """Says that testing the login through the provider's sign-in is not available yet, and what works
    meanwhile; returns the exit status (3: nothing was checked)."""
    _ = translator.gettext
    console = Console(stderr=True, highlight=False)
    console.print(
        Text(
            _(
                "Testing the login through the provider's own sign-in (--oauth2) is not available in this "
                "version of maildoctor yet: nothing was checked."
            )
        )
    )
    console.print(
        Text(
            _(
                "Meanwhile: “maildoctor check ADDRESS --no-auth” checks the servers without logging in, and "
                "“maildoctor explain” reads the error message the mail program showed."
            )
        )
    )
    return int(ExitCode.NOT_RUN)


__all__ = ["oauth2_not_yet"]
