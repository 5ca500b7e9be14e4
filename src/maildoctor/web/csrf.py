"""The CSRF token of every form: double submit. The token is a random value in an HttpOnly,
SameSite=Strict cookie and in a hidden field of each form the page carries; a POST whose two
copies differ (or miss) is refused. Pure, apart from the random source."""

from __future__ import annotations

import hmac
import secrets
from typing import Final

COOKIE: Final = "maildoctor_csrf"
FIELD: Final = "csrf_token"
_BYTES: Final = 32


def new_token() -> str:
    return secrets.token_urlsafe(_BYTES)


def is_well_formed(token: str | None) -> bool:
    return (
        bool(token)
        and 40 <= len(token or "") <= 64
        and (token or "").replace("-", "").replace("_", "").isalnum()
    )


def tokens_match(cookie: str | None, submitted: str | None) -> bool:
    """True only for two equal, well-formed tokens (compared in constant time)."""
    if not (is_well_formed(cookie) and is_well_formed(submitted)):
        return False
    assert cookie is not None and submitted is not None
    return hmac.compare_digest(cookie.encode(), submitted.encode())


def same_origin(origin: str | None, host: str | None, scheme: str) -> bool:
    """A browser's Origin header, when it sends one, must name this server."""
    if origin is None:
        return True  # old browsers and non-browser clients: the token decides
    return bool(host) and origin == f"{scheme}://{host}"


__all__ = ["COOKIE", "FIELD", "new_token", "same_origin", "tokens_match"]
