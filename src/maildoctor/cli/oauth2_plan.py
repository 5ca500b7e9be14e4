"""Where `check --oauth2` signs in (pure): the authorization server and the scope for the address's
provider, or the ones given on the command line (`--oauth2-authority`, `--oauth2-scope`: another
tenant, the lab).

An authority is the base address of an authorization server whose device authorization endpoint is
`<authority>/devicecode` and whose token endpoint is `<authority>/token` (Microsoft identity platform
v2.0's shape: https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code). Microsoft 365
accounts sign in at the `organizations` authority (any work or school tenant), Outlook.com accounts at
`consumers`. Google's device flow does not allow the Gmail scope (its loopback-redirect flow with PKCE
is not built yet), so a Google address is `GOOGLE_NOT_YET`. A domain of its own (a company's domain on
Microsoft 365) is not known by name: it gets the `organizations` authority too, and the message says
so; `--oauth2-authority` names another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from maildoctor.i18n import N_

MICROSOFT_LOGIN: Final = "https://login.microsoftonline.com"
# Exchange Online's delegated permissions for IMAP, POP and SMTP AUTH, and a refresh token
# (https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth)
MICROSOFT_SCOPE: Final = (
    "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/POP.AccessAsUser.All "
    "https://outlook.office.com/SMTP.Send offline_access"
)
_TENANTS: Final = {"microsoft365": "organizations", "outlook-com": "consumers"}
GOOGLE_PROVIDERS: Final = frozenset({"gmail", "google-workspace"})
GOOGLE_NOT_YET: Final = "google"


@dataclass(frozen=True, slots=True)
class SignInPlan:
    authority: str  # https://host[:port]/path, no trailing slash
    scope: str
    guessed: bool = False  # the provider was not known: Microsoft's `organizations` was assumed

    @property
    def device_endpoint(self) -> str:
        return f"{self.authority}/devicecode"

    @property
    def token_endpoint(self) -> str:
        return f"{self.authority}/token"


def authority_error(url: str) -> str | None:
    """Why `url` cannot be an authority (a message id), or None when it can: https, a host, no query."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
        return N_(
            "The --oauth2-authority must be an https:// address without ? or #, like "
            "https://login.example.jp/oauth2."
        )
    return None


def sign_in_plan(provider_id: str | None, authority: str | None, scope: str | None) -> SignInPlan | str:
    """Where to sign in; GOOGLE_NOT_YET for a Google account without `authority` given."""
    if authority is not None:
        return SignInPlan(authority.rstrip("/"), scope or MICROSOFT_SCOPE)
    if provider_id in GOOGLE_PROVIDERS:
        return GOOGLE_NOT_YET
    tenant = _TENANTS.get(provider_id or "")
    base = f"{MICROSOFT_LOGIN}/{tenant or 'organizations'}/oauth2/v2.0"
    return SignInPlan(base, scope or MICROSOFT_SCOPE, guessed=tenant is None)


__all__ = [
    "GOOGLE_NOT_YET",
    "MICROSOFT_SCOPE",
    "SignInPlan",
    "authority_error",
    "sign_in_plan",
]
