"""`check --oauth2 --keep-token`: keeping the sign-in in the OS keyring is not built yet, so it says so
and runs nothing (exit 3), never a result it did not get.

`check --oauth2` itself is built (cli/oauth2_sign_in.py: Microsoft's device-code sign-in, the token
handed to the sessions; a refused token is rules/sign_in_refused.py's). Not yet: the keyring, Google's
loopback-redirect flow with PKCE (cli/oauth2_sign_in.py says so for a Google address), and a config
file entry for the client ID (the environment variable MAILDOCTOR_OAUTH2_CLIENT_ID serves meanwhile).
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
