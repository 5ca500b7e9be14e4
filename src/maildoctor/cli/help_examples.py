"""The examples at the end of each command's help: what to type for the usual cases.

The sentences are translated; the commands are not (they are typed as they are), and each stands
on a line of its own so that it can be copied whole.
"""

from __future__ import annotations

from typing import Final

from maildoctor.i18n import N_, Translator

# (sentence, command); a sentence of None: one more command under the sentence before
_EXAMPLES: Final[dict[str, tuple[tuple[str | None, str], ...]]] = {
    "maildoctor": (
        (N_("Why does this account not send or receive?"), "maildoctor check taro@example.jp"),
        (N_("What does this message of the mail program mean?"), "maildoctor explain 0x800CCC0F"),
        (N_("Which settings are right for this address?"), "maildoctor settings taro@example.jp"),
    ),
    "check": (
        (
            N_("Find the settings of the address and check them (the password is asked for):"),
            "maildoctor check taro@example.jp",
        ),
        (
            N_("Check the servers as they are set in the mail program:"),
            "maildoctor check taro@example.jp --incoming imaps://imap.example.jp:993",
        ),
        (
            N_("Without logging in, with the fixes in the menus of an iPhone:"),
            "maildoctor check taro@example.jp --no-auth --client iphone",
        ),
    ),
    "settings": (
        (N_("The settings to type into the mail program:"), "maildoctor settings taro@example.jp"),
        (
            N_("A sheet to print, as a PDF file:"),
            "maildoctor settings taro@example.jp --format sheet --output sheet.pdf",
        ),
        (
            N_("A memo to keep at hand when calling support:"),
            "maildoctor settings taro@example.jp --memo --client iphone",
        ),
    ),
    "domain": (
        (N_("Check how a domain sends mail:"), "maildoctor domain example.co.jp"),
        (
            N_("Also check whether a sending server's address is allowed (SPF):"),
            "maildoctor domain example.co.jp --sender-ip 192.0.2.10",
        ),
        (N_("Also ask the spam blocklists:"), "maildoctor domain example.co.jp --blocklists"),
    ),
    "checkup": (
        (N_("The check day of the only company in the book:"), "maildoctor checkup"),
        (
            N_("One company of several, the report also as a web page:"),
            "maildoctor checkup --company acme --html report.html",
        ),
        (
            N_("Keep a password in the keyring, so that the check day logs in (once):"),
            "keyring set maildoctor taro@example.jp",
        ),
    ),
    "explain": (
        (N_("An error code of Outlook:"), "maildoctor explain 0x800CCC0F"),
        (
            N_("An error message or a server's reply, in quotes:"),
            'maildoctor explain "535 5.7.8 Authentication failed"',
        ),
        (N_("A returned mail saved as a file:"), "maildoctor explain returned.eml"),
    ),
    "demo": (
        (N_("See the diagnosis of the example set-ups:"), "maildoctor demo"),
        (N_("The same as JSON:"), "maildoctor demo --json"),
    ),
    "ledger": (
        (N_("Start the book and add the company:"), "maildoctor ledger init"),
        (None, "maildoctor ledger company add yamada-shoji 山田商事"),
        (
            N_("Add an account with who manages its password, then list the accounts:"),
            "maildoctor ledger account add taro@example.jp --password-manager sato",
        ),
        (None, "maildoctor ledger account list"),
        (N_("What changed, and who changed it:"), "maildoctor ledger history --account taro@example.jp"),
    ),
}


def examples(command: str, translator: Translator) -> str | None:
    """The help's closing part for `command` ("Examples:" and sentence/command pairs), or None."""
    pairs = _EXAMPLES.get(command)
    if not pairs:
        return None
    _ = translator.gettext
    lines = [_("Examples:")]
    for sentence, example in pairs:
        lines += ["    " + example] if sentence is None else ["", "  " + _(sentence), "    " + example]
    return "\n".join(lines)
