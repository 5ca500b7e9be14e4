"""What the renderers share: choosing the candidate to hand over, and the error when there is none."""

from __future__ import annotations

from typing import Final

from maildoctor.discover.candidates import DiscoveredSettings, ServerCandidate
from maildoctor.i18n import N_
from maildoctor.model import ServerRole

_NO_SERVER_MESSAGES: Final = {
    ServerRole.INCOMING: N_("No receiving server was found, so there is nothing to put in the file."),
    ServerRole.OUTGOING: N_("No sending server was found, so there is nothing to put in the file."),
}


class NoServerError(ValueError):
    """The settings hold no candidate for a server the format needs.

    `message` is an English message id for the CLI to translate.
    """

    role: ServerRole
    message: str

    def __init__(self, role: ServerRole) -> None:
        self.role = role
        self.message = _NO_SERVER_MESSAGES[role]
        super().__init__(f"no {role.value} server candidate")


def best(settings: DiscoveredSettings, role: ServerRole) -> ServerCandidate:
    """The first (best) candidate for `role`, or NoServerError."""
    candidates = settings.incoming if role is ServerRole.INCOMING else settings.outgoing
    if not candidates:
        raise NoServerError(role)
    return candidates[0]


def split_address(address: str) -> tuple[str, str]:
    """(local part, domain) of an address; the domain lower-cased, empty when there is no "@"."""
    local, at, domain = address.rpartition("@")
    if not at:
        return address, ""
    return local, domain.lower()
