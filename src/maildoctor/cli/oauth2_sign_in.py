"""`check --oauth2`: the person signs in on the provider's own page through the device authorization
grant (RFC 8628; net.oauth_device), and `check` gets the bearer token for its sessions.

What the person reads goes to standard error (standard output stays the report's, --json included):
the address to open and the code to type. The token comes back in a `BearerToken`, which never shows
itself; nothing here writes it anywhere.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from rich.console import Console

from maildoctor.cli.oauth2_keep import entry_name, forget, keep, kept_token
from maildoctor.cli.oauth2_plan import GOOGLE_NOT_YET, SignInPlan, authority_error, sign_in_plan
from maildoctor.display import safe, say
from maildoctor.exitcode import ExitCode
from maildoctor.i18n import Translator
from maildoctor.net.resolver import Nameserver
from maildoctor.protocol.oauth_device import BearerToken, DeviceAuthorization, PollOutcome, PollResult

# the longest wait for the person (the code's own expiry usually ends it first: Microsoft's is 15 min)
SIGN_IN_WAIT: Final = 900.0


@dataclass(frozen=True, slots=True)
class SignInRequest:
    address: str
    client_id: str | None
    authority: str | None
    scope: str | None
    nameservers: Sequence[Nameserver]
    ca_file: Path | None
    keep_token: bool = False  # --keep-token: the OS keyring first, and keep the new sign-in there


def _provider_id(address: str) -> str | None:
    from maildoctor.discover.providers import ProviderIndex

    entry = ProviderIndex.load().lookup(address.rpartition("@")[2])
    return entry.id if entry is not None else None


def _show(err: Console, translator: Translator, address: str, authorization: DeviceAuthorization) -> None:
    _ = translator.gettext
    say(err, _("To test the login, sign in on the provider's own page:"))
    say(
        err,
        _("1. Open {url} in a web browser (on this computer or a smartphone).").format(
            url=safe(authorization.verification_uri)
        ),
    )
    say(err, _("2. Enter this code: {code}").format(code=safe(authorization.user_code)))
    say(
        err,
        _("3. Sign in as {address} and allow access to the mail.").format(address=safe(address)),
    )
    minutes = max(1, authorization.expires_in // 60)
    say(err, _("Waiting for the sign-in (the code is valid for {minutes} min.)…").format(minutes=minutes))


def _plan(request: SignInRequest, err: Console, translator: Translator) -> SignInPlan | int:
    _ = translator.gettext
    if not request.client_id:
        say(
            err,
            _("--oauth2 needs the application (client) ID registered for maildoctor: --oauth2-client-id ID."),
        )
        say(
            err,
            _(
                "maildoctor ships none of its own and does not borrow another program's. How to register "
                "one (Microsoft Entra, Google Cloud): the README, section “Registering a client ID”."
            ),
        )
        return int(ExitCode.USAGE)
    if request.authority is not None and (problem := authority_error(request.authority)) is not None:
        say(err, _(problem))
        return int(ExitCode.USAGE)
    plan = sign_in_plan(_provider_id(request.address), request.authority, request.scope)
    if plan == GOOGLE_NOT_YET:
        say(
            err,
            _(
                "Signing in to a Google account (the loopback sign-in with PKCE) is not available in this "
                "version of maildoctor yet: nothing was checked."
            ),
        )
        say(
            err,
            _(
                "Meanwhile: “maildoctor check ADDRESS --no-auth” checks the servers without logging in, and "
                "“maildoctor explain” reads the error message the mail program showed."
            ),
        )
        return int(ExitCode.NOT_RUN)
    assert isinstance(plan, SignInPlan)
    if plan.guessed:
        say(
            err,
            _(
                "{domain} is not a provider maildoctor knows by name: signing in at Microsoft's work and "
                "school accounts (--oauth2-authority names another sign-in server)."
            ).format(domain=safe(request.address.rpartition("@")[2])),
        )
    return plan


def _failure(result: PollResult, err: Console, translator: Translator) -> int:
    _ = translator.gettext
    if result.outcome is PollOutcome.DENIED:
        say(err, _("The sign-in was refused (access was not allowed): nothing was checked."))
    elif result.outcome is PollOutcome.EXPIRED:
        say(
            err,
            _("The code expired before the sign-in was finished: nothing was checked. Run the check again."),
        )
    else:
        say(
            err,
            _("The sign-in server refused the sign-in ({error}): nothing was checked.").format(
                error=safe(result.error or "-")
            ),
        )
    return int(ExitCode.NOT_RUN)


def sign_in(
    request: SignInRequest, translator: Translator, timeout: float = SIGN_IN_WAIT
) -> BearerToken | int:
    """The token of the person's sign-in, or the exit status after saying why there is none."""
    from maildoctor.net.http import HttpFetchError, dns_resolver, web_ssl_context
    from maildoctor.net.oauth_device import Authority, device_flow
    from maildoctor.net.resolver import DnsClient
    from maildoctor.protocol.oauth_device import DeviceFlowError

    _ = translator.gettext
    err = Console(stderr=True, highlight=False)
    plan = _plan(request, err, translator)
    if isinstance(plan, int):
        return plan
    assert request.client_id is not None
    name = entry_name(plan.authority, request.client_id, request.address)
    if request.keep_token and (kept := kept_token(name)) is not None:
        say(err, _("Using the sign-in kept in the system's keyring (--keep-token)."))
        return kept
    try:
        context = web_ssl_context(request.ca_file)
        result = asyncio.run(
            device_flow(
                Authority(plan.device_endpoint, plan.token_endpoint),
                request.client_id,
                plan.scope,
                show=lambda authorization: _show(err, translator, request.address, authorization),
                resolver=dns_resolver(DnsClient(request.nameservers)),
                ssl_context=context,
                timeout=timeout,
            )
        )
    except KeyboardInterrupt:
        say(err, _("The sign-in was stopped: nothing was checked."))
        return int(ExitCode.NOT_RUN)
    except HttpFetchError as exc:
        say(
            err,
            _("The sign-in server could not be reached ({reason}): nothing was checked.").format(
                reason=safe(exc.failure.value)
            ),
        )
        return int(ExitCode.NOT_RUN)
    except (DeviceFlowError, OSError) as exc:
        say(
            err,
            _(
                "The sign-in server did not give a code ({reason}): check the client ID, and that the "
                "registration allows public client flows (README, “Registering a client ID”)."
            ).format(reason=safe(str(exc) if isinstance(exc, DeviceFlowError) else type(exc).__name__)),
        )
        return int(ExitCode.NOT_RUN)
    if result.outcome is not PollOutcome.GRANTED or result.token is None:
        return _failure(result, err, translator)
    say(err, _("Signed in. Testing the login with it…"))
    if request.keep_token:
        if keep(name, result.token, result.expires_in):
            say(err, _("The sign-in is kept in the system's keyring for the next check (until it expires)."))
        else:
            say(err, _("No keyring is available on this computer: the sign-in was not kept."))
    return result.token


def forget_refused(request: SignInRequest, refusals: Sequence[str | None]) -> None:
    """With --keep-token: a kept sign-in that a mail server refused as invalid is removed from the
    keyring (`refusals`: the run's LoginFacts.oauth_failure values)."""
    if not request.keep_token or not request.client_id or "invalid_token" not in refusals:
        return
    plan = sign_in_plan(_provider_id(request.address), request.authority, request.scope)
    if isinstance(plan, SignInPlan):
        forget(entry_name(plan.authority, request.client_id, request.address))


__all__ = ["SIGN_IN_WAIT", "SignInRequest", "forget_refused", "sign_in"]
