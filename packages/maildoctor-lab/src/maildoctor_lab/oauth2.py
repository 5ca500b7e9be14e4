"""Bearer tokens for the lab's Dovecot oauth2 passdb: JWTs (RFC 7519, HS256) that Dovecot validates
locally, with a key from a key dictionary (Dovecot 2.3.11+, `introspection_mode = local`): no network,
no authorization server.

Dovecot looks the key up as `/shared/<azp|default>/<ALG>/<kid|default>`; with `fs:posix:prefix=DIR/`
that is the file `DIR/default/HS256/default`, holding the key in base64. It checks the signature, `exp`,
`nbf`, `iat`, the `scope` claim against its `scope` setting, and takes the user from `sub`.

Tokens here are test data, made up for the lab, and sign only for the lab's own Dovecot.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from pathlib import Path

# The scope the lab's Dovecot asks tokens for (its `scope` setting): a token without it is refused
LAB_SCOPE = "mail"


@dataclass(frozen=True, slots=True)
class OAuth2Passdb:
    """Dovecot's oauth2 passdb with local validation: the signing key and the scope it wants."""

    key: bytes = b"maildoctor-lab-oauth2-signing-key"
    scope: str = LAB_SCOPE


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def mint_token(
    passdb: OAuth2Passdb,
    subject: str,
    *,
    scope: str | None = None,
    lifetime: int = 300,
    now: float | None = None,
) -> str:
    """A JWT the lab's Dovecot takes for `subject` (a negative `lifetime`: already expired; `scope`
    another scope than the passdb's: refused for the scope)."""
    issued = int(time.time() if now is None else now)
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = {
        "sub": subject,
        "scope": passdb.scope if scope is None else scope,
        "iat": issued,
        "nbf": issued,
        "exp": issued + lifetime,
    }
    payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(passdb.key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64url(signature)}"


def write_key_dictionary(directory: Path, passdb: OAuth2Passdb) -> Path:
    """The fs:posix key dictionary Dovecot reads the HS256 key from; returns its directory."""
    keys = directory / "oauth2-keys"
    target = keys / "default" / "HS256" / "default"
    target.parent.mkdir(parents=True)
    target.write_text(base64.b64encode(passdb.key).decode("ascii"))
    for path in (keys, keys / "default", target.parent):
        path.chmod(0o755)
    target.chmod(0o644)
    return keys


def passdb_config(directory: Path, passdb: OAuth2Passdb) -> Path:
    """Dovecot's dovecot-oauth2.conf.ext for local validation; returns its path."""
    keys = write_key_dictionary(directory, passdb)
    conf = directory / "dovecot-oauth2.conf.ext"
    conf.write_text(
        "introspection_mode = local\n"
        f"local_validation_key_dict = fs:posix:prefix={keys}/\n"
        "username_attribute = sub\n"
        "username_format = %Ln\n"
        f"scope = {passdb.scope}\n"
    )
    conf.chmod(0o644)
    return conf


__all__ = ["LAB_SCOPE", "OAuth2Passdb", "mint_token", "passdb_config", "write_key_dictionary"]
