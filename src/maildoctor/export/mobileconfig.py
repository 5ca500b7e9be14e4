"""An Apple configuration profile (.mobileconfig) with one Mail account payload.

iPhone, iPad and Mac Mail install it as a "profile". The profile and payload
UUIDs are derived from the address (uuid5), so a profile generated again for
the same address replaces the installed one instead of adding a second account.

The payload cannot say everything the settings can: `UseSSL` is a yes/no, so
STARTTLS and no encryption look the same. What the profile cannot carry comes
back as notes (English message ids, translated where shown).
"""

from __future__ import annotations

import plistlib
import uuid
from dataclasses import dataclass
from typing import Any, Final

from maildoctor.discover.candidates import DiscoveredSettings, PasswordKind, ServerCandidate
from maildoctor.export.common import best, split_address
from maildoctor.i18n import N_, Translator
from maildoctor.model import Protocol, Secret, Security, ServerRole

MAIL_PAYLOAD_TYPE: Final = "com.apple.mail.managed"
PROFILE_PAYLOAD_TYPE: Final = "Configuration"
IDENTIFIER_PREFIX: Final = "maildoctor.settings"
EMAIL_AUTH_PASSWORD: Final = "EmailAuthPassword"  # noqa: S105 -- an Apple constant
ACCOUNT_TYPES: Final = {Protocol.IMAP: "EmailTypeIMAP", Protocol.POP3: "EmailTypePOP"}
# a fixed namespace of our own, so the UUIDs depend on nothing but the address
_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "urn:maildoctor:mobileconfig")

NOTE_STARTTLS: Final = N_(
    "The profile cannot say STARTTLS: iPhone uses STARTTLS when the server offers it on this port."
)
NOTE_NO_ENCRYPTION: Final = N_(
    "The profile cannot require encryption: with these settings the password may travel unprotected."
)
NOTE_OAUTH2: Final = N_(
    "This service signs in through its own web page (OAuth2), which a profile cannot set up: "
    "add the account with the provider's own account type in Settings instead."
)
NOTE_APP_PASSWORD: Final = N_(
    "Enter an app password made in the provider's security settings, not the usual sign-in password."
)
NOTE_MAIL_PASSWORD: Final = N_(
    "Enter the mail password from the provider's member page; it may differ from the usual sign-in password."
)
NOTE_NO_PASSWORD: Final = N_("The profile holds no password: iPhone asks for it while installing.")
NOTE_PASSWORD_INSIDE: Final = N_(
    "The profile contains the password: do not send it by email, and delete the file after installing."
)

_PASSWORD_NOTES: Final = {
    PasswordKind.OAUTH2: NOTE_OAUTH2,
    PasswordKind.APP_SPECIFIC: NOTE_APP_PASSWORD,
    PasswordKind.MAIL_SPECIFIC: NOTE_MAIL_PASSWORD,
}


@dataclass(frozen=True, slots=True)
class MobileConfig:
    """The profile file and what it could not say (message ids, for the CLI to translate and show)."""

    content: bytes
    notes: tuple[str, ...]


def profile_uuid(address: str) -> uuid.UUID:
    """The profile's PayloadUUID: the same for the same address, whatever its letter case."""
    return uuid.uuid5(_NAMESPACE, f"profile:{address.strip().lower()}")


def mail_payload_uuid(address: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"mail:{address.strip().lower()}")


def render_mobileconfig(
    settings: DiscoveredSettings, translator: Translator, *, include_password: Secret | None = None
) -> MobileConfig:
    """The profile for the best incoming and outgoing candidates (an unsigned XML plist).

    Without `include_password` the profile holds no password and the device asks
    for it while installing. Raises NoServerError when either side has no candidate.
    """
    _ = translator.gettext
    incoming = best(settings, ServerRole.INCOMING)
    outgoing = best(settings, ServerRole.OUTGOING)
    address = settings.address
    _local, domain = split_address(address)
    account_name = settings.provider.name if settings.provider is not None else domain or address

    profile_id = profile_uuid(address)
    mail_id = mail_payload_uuid(address)
    mail: dict[str, Any] = {
        "PayloadType": MAIL_PAYLOAD_TYPE,
        "PayloadVersion": 1,
        "PayloadIdentifier": f"{IDENTIFIER_PREFIX}.{profile_id}.mail",
        "PayloadUUID": str(mail_id).upper(),
        "PayloadDisplayName": _("Mail account {address}").format(address=address),
        "PayloadDescription": _("Sets up the mail account {address}.").format(address=address),
        "EmailAccountDescription": account_name,
        "EmailAccountType": ACCOUNT_TYPES[incoming.protocol],
        "EmailAddress": address,
        **_server_keys("Incoming", incoming),
        **_server_keys("Outgoing", outgoing),
        "OutgoingPasswordSameAsIncomingPassword": True,
    }
    if include_password is not None:
        # the one place the password leaves its Secret: the user asked for it to be in the file
        mail["IncomingPassword"] = include_password.reveal()
        mail["OutgoingPassword"] = include_password.reveal()
    profile: dict[str, Any] = {
        "PayloadType": PROFILE_PAYLOAD_TYPE,
        "PayloadVersion": 1,
        "PayloadIdentifier": f"{IDENTIFIER_PREFIX}.{profile_id}",
        "PayloadUUID": str(profile_id).upper(),
        "PayloadDisplayName": _("Mail settings for {address}").format(address=address),
        "PayloadDescription": _("Mail server settings made by maildoctor for {address}.").format(
            address=address
        ),
        "PayloadRemovalDisallowed": False,
        "PayloadContent": [mail],
    }
    content = plistlib.dumps(profile, fmt=plistlib.FMT_XML, sort_keys=True)
    return MobileConfig(content=content, notes=_notes(incoming, outgoing, include_password is not None))


def _server_keys(prefix: str, candidate: ServerCandidate) -> dict[str, Any]:
    return {
        f"{prefix}MailServerHostName": candidate.host,
        f"{prefix}MailServerPortNumber": candidate.port,
        f"{prefix}MailServerUseSSL": candidate.security is Security.SSL,
        f"{prefix}MailServerUsername": candidate.username,
        f"{prefix}MailServerAuthentication": EMAIL_AUTH_PASSWORD,
    }


def _notes(incoming: ServerCandidate, outgoing: ServerCandidate, with_password: bool) -> tuple[str, ...]:
    notes: list[str] = []
    securities = {incoming.security, outgoing.security}
    if Security.STARTTLS in securities:
        notes.append(NOTE_STARTTLS)
    if Security.NONE in securities:
        notes.append(NOTE_NO_ENCRYPTION)
    for candidate in (incoming, outgoing):
        note = _PASSWORD_NOTES.get(candidate.password_kind)
        if note is not None:
            notes.append(note)
    notes.append(NOTE_PASSWORD_INSIDE if with_password else NOTE_NO_PASSWORD)
    return tuple(dict.fromkeys(notes))
