"""A login with the provider's sign-in (check --oauth2: a bearer token over XOAUTH2/OAUTHBEARER) that
the mail server refused: why, from `LoginFacts.oauth_failure` (the server's error challenge and words,
protocol.oauth.classify_oauth_failure), and what to do for that reason (pure).

Not AUTH_FAILED (its steps are about a password, and no password was used) nor MODERN_AUTH_REQUIRED
(the sign-in it asks for is what was used): SIGN_IN_REFUSED, an extension (its data file says why).
Each reason fills its own parameter, so only that reason's step is shown (knowledge: a step whose
placeholders have no value is left out).
"""

from __future__ import annotations

from typing import Final

from maildoctor.facts import LoginOutcome, ServerFacts
from maildoctor.i18n import N_
from maildoctor.model import Evidence, Finding, Protocol
from maildoctor.protocol.oauth import OAuthFailure
from maildoctor.rules.base import finding, words_evidence
from maildoctor.rules.registry import server_rule

_WHY: Final = {
    OAuthFailure.INVALID_TOKEN: N_(
        "The server says the sign-in is not valid (any more) for this account: it expired, was withdrawn, "
        "or was made for another user or service (invalid token)."
    ),
    OAuthFailure.MISSING_SCOPE: N_(
        "The server says the sign-in does not include the permission to use the mail (missing scope)."
    ),
    OAuthFailure.TENANT_POLICY: N_(
        "The server says the organisation's rules do not allow this kind of login for this account "
        "(the protocol is switched off, or a sign-in policy blocks it)."
    ),
    OAuthFailure.NOT_LICENSED: N_(
        "The sign-in itself worked, but the server says this account has no mailbox there, or the mailbox "
        "may not use this protocol (not licensed or switched off)."
    ),
}
_UNKNOWN_WHY: Final = N_("The server refused the sign-in without saying why.")

# The delegated permissions a Microsoft registration needs, per protocol (the README's registration)
_MICROSOFT_PERMISSION: Final = {
    Protocol.IMAP: "IMAP.AccessAsUser.All",
    Protocol.POP3: "POP.AccessAsUser.All",
    Protocol.SMTP: "SMTP.Send",
}
_PROTOCOL_NAME: Final = {Protocol.IMAP: "IMAP", Protocol.POP3: "POP", Protocol.SMTP: "SMTP AUTH"}


def _reason_params(failure: OAuthFailure, server: ServerFacts) -> dict[str, str | int | None]:
    """The one parameter that selects this reason's step."""
    protocol = server.endpoint.protocol
    name = _PROTOCOL_NAME.get(protocol, str(protocol))
    if failure is OAuthFailure.INVALID_TOKEN:
        return {"sign_in_again": "maildoctor check … --oauth2"}
    if failure is OAuthFailure.MISSING_SCOPE:
        return {"permission": _MICROSOFT_PERMISSION.get(protocol, "")}
    if failure is OAuthFailure.TENANT_POLICY:
        return {"blocked_protocol": name}
    if failure is OAuthFailure.NOT_LICENSED:
        return {"unlicensed_protocol": name}
    return {}


def sign_in_refused_findings(server: ServerFacts) -> list[Finding]:
    login = server.session.login if server.session is not None else None
    if login is None or login.outcome != LoginOutcome.REFUSED or login.oauth_failure is None:
        return []
    try:
        failure = OAuthFailure(login.oauth_failure)
    except ValueError:
        failure = OAuthFailure.UNKNOWN
    params: dict[str, str | int | None] = {
        "role": server.role,
        "host": server.endpoint.host,
        "username": server.username,
        **_reason_params(failure, server),
    }
    evidence = [*words_evidence(login.words), Evidence.of(_WHY.get(failure, _UNKNOWN_WHY))]
    return [finding("SIGN_IN_REFUSED", server.role, params, evidence)]


server_rule("sign-in-refused", 61, lambda _facts, server: sign_in_refused_findings(server))
