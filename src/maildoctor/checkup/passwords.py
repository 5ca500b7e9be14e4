"""Where a check-up finds a password: the OS keyring only (service "maildoctor", the account's
address as the user name). The book says who manages a password and where it is kept, never the
password itself. Without one, the account is checked without login — and the report says so.

A headless encrypted file (a key from the environment) is not built yet.
"""

from __future__ import annotations

from typing import Final

from maildoctor.model import Secret

SERVICE: Final = "maildoctor"


def keyring_password(address: str) -> Secret | None:
    """The password the keyring keeps for `address`, or None (no keyring, none kept, or it failed)."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return None
    try:
        value = keyring.get_password(SERVICE, address)
    except (KeyringError, RuntimeError, OSError):
        return None
    return Secret(value) if value else None
