"""`check --oauth2 --keep-token`: the sign-in kept in the OS keyring (and nowhere else), so that the next
check within the token's lifetime does not ask the person to sign in again.

Service "maildoctor-oauth2"; the entry's name is the sign-in server, the client ID and the address
(a token is only good for the server and application that issued it); its value a small JSON object
with the access token and when it expires. An expired entry is not used (and is removed); an entry a
mail server refused as invalid is removed after the run. Without a working keyring nothing is kept,
and the person is told so: never a file instead.
"""

from __future__ import annotations

import json
import time
from typing import Final

from maildoctor.protocol.oauth_device import BearerToken

SERVICE: Final = "maildoctor-oauth2"
MARGIN: Final = 60  # seconds: a token this close to its end is not worth a check
_MAX_ENTRY: Final = 16 * 1024


def entry_name(authority: str, client_id: str, address: str) -> str:
    return f"{authority} {client_id} {address.lower()}"


def parse_entry(value: str | None, now: float) -> BearerToken | None:
    """The kept token, when the entry holds one that is still good for a while (pure)."""
    if not value or len(value) > _MAX_ENTRY:
        return None
    try:
        document = json.loads(value)
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    token, expires = document.get("access_token"), document.get("expires_at")
    if not isinstance(token, str) or not token or not isinstance(expires, int | float):
        return None
    return BearerToken(token) if expires > now + MARGIN else None


def make_entry(token: BearerToken, expires_in: int | None, now: float) -> str:
    """The keyring value; a token without `expires_in` is kept for an hour (RFC 6749 leaves it open;
    Microsoft's last 60–90 minutes)."""
    lifetime = expires_in if expires_in is not None else 3600
    return json.dumps({"access_token": token.reveal(), "expires_at": int(now) + lifetime})


def kept_token(name: str) -> BearerToken | None:
    """The token kept under `name`, or None (none, expired, or no keyring)."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return None
    try:
        value = keyring.get_password(SERVICE, name)
    except (KeyringError, RuntimeError, OSError):
        return None
    token = parse_entry(value, time.time())
    if value and token is None:
        forget(name)
    return token


def keep(name: str, token: BearerToken, expires_in: int | None) -> bool:
    """Keep the token in the keyring; False when there is no keyring to keep it in."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return False
    try:
        keyring.set_password(SERVICE, name, make_entry(token, expires_in, time.time()))
    except (KeyringError, RuntimeError, OSError):
        return False
    return True


def forget(name: str) -> None:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return
    try:
        keyring.delete_password(SERVICE, name)
    except (KeyringError, RuntimeError, OSError):
        return


__all__ = ["SERVICE", "entry_name", "forget", "keep", "kept_token", "make_entry", "parse_entry"]
