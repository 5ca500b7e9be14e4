"""Accounts that sign in only on the provider's own page (OAuth2): what works instead of a password.

A configuration profile, like a mail program set up by hand, can only carry a password; for such an
account it would install something that never signs in. Pure: candidates in, message ids out.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from maildoctor.discover.candidates import DiscoveredSettings, PasswordKind, ServerCandidate
from maildoctor.i18n import N_


class SignInFamily(StrEnum):
    MICROSOFT = "microsoft"
    GOOGLE = "google"
    OTHER = "other"


_MICROSOFT_HOSTS: Final = ("office365.com", "outlook.com", "hotmail.com", "live.com", "microsoft.com")
_GOOGLE_HOSTS: Final = ("gmail.com", "google.com", "googlemail.com")

OAUTH2_NOTES: Final = {
    SignInFamily.MICROSOFT: N_(
        "This account signs in only on Microsoft's own sign-in page (OAuth2): a password typed into a mail "
        "program or a profile is refused. On an iPhone or iPad, add it in Settings → Apps → Mail → "
        "Mail Accounts → Add Account → Outlook.com (Microsoft Exchange for a work or school account), "
        "or use the Outlook app."
    ),
    SignInFamily.GOOGLE: N_(
        "This account signs in only on Google's own sign-in page (OAuth2): a password typed into a mail "
        "program or a profile is refused. On an iPhone or iPad, add it in Settings → Apps → Mail → "
        "Mail Accounts → Add Account → Google, or use the Gmail app."
    ),
    SignInFamily.OTHER: N_(
        "This account signs in only on the provider's own sign-in page (OAuth2): a password typed into a "
        "mail program or a profile is refused. Use the provider's own mail app, or a mail program that "
        "opens the provider's sign-in page when the account is added."
    ),
}
PROFILE_REFUSED: Final = N_(
    "No iPhone profile was made for {address}: a profile can only hold a password, and this account "
    "does not sign in with one."
)


def sign_in_family(host: str) -> SignInFamily:
    name = host.lower().rstrip(".")
    if any(name == known or name.endswith(f".{known}") for known in _MICROSOFT_HOSTS):
        return SignInFamily.MICROSOFT
    if any(name == known or name.endswith(f".{known}") for known in _GOOGLE_HOSTS):
        return SignInFamily.GOOGLE
    return SignInFamily.OTHER


def oauth2_note(candidate: ServerCandidate) -> str | None:
    """What works for a candidate that takes only OAuth2 (a message id); None for any other."""
    if candidate.password_kind is not PasswordKind.OAUTH2:
        return None
    return OAUTH2_NOTES[sign_in_family(candidate.host)]


def oauth2_only(settings: DiscoveredSettings) -> ServerCandidate | None:
    """The best candidate that takes only OAuth2, if either side's best does: then no profile works."""
    best = [candidates[0] for candidates in (settings.incoming, settings.outgoing) if candidates]
    return next((item for item in best if item.password_kind is PasswordKind.OAUTH2), None)
