"""Where a check-up finds a password, never in the book (the book says who manages a password and
where it is kept, not the password itself):

1. the OS keyring (`keyring`): service "maildoctor", the account's address as the user name;
2. headless (a server with no keyring): a file encrypted with Fernet (AES-128-CBC with HMAC, from
   `cryptography`) whose key is in the environment variable MAILDOCTOR_PASSWORDS_KEY; the file is
   MAILDOCTOR_PASSWORDS_FILE, else passwords.fernet in the user's data folder.

Without either, the account is checked without login — and the report says so.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from maildoctor.model import Secret

SERVICE: Final = "maildoctor"
KEY_VARIABLE: Final = "MAILDOCTOR_PASSWORDS_KEY"
FILE_VARIABLE: Final = "MAILDOCTOR_PASSWORDS_FILE"
FILE_NAME: Final = "passwords.fernet"
MAX_FILE: Final = 4 * 1024 * 1024


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


def password_file(environ: Mapping[str, str]) -> Path:
    chosen = environ.get(FILE_VARIABLE, "").strip()
    if chosen:
        return Path(chosen).expanduser()
    from maildoctor.ledger.location import default_data_dir

    return default_data_dir() / FILE_NAME


def _read_all(environ: Mapping[str, str]) -> dict[str, str] | None:
    """The file's passwords; None when there is no key, no file, or the key does not open it."""
    key = environ.get(KEY_VARIABLE, "").strip()
    if not key:
        return None
    from cryptography.fernet import Fernet, InvalidToken

    try:
        path = password_file(environ)
        if not path.is_file() or path.stat().st_size > MAX_FILE:
            return None
        plain = Fernet(key.encode()).decrypt(path.read_bytes())
        data = json.loads(plain)
    except (OSError, ValueError, InvalidToken):
        return None
    if not isinstance(data, dict):
        return None
    return {str(name).lower(): value for name, value in data.items() if isinstance(value, str)}


def file_password(address: str, environ: Mapping[str, str]) -> Secret | None:
    found = _read_all(environ)
    value = found.get(address.lower()) if found else None
    return Secret(value) if value else None


def store_in_file(address: str, password: Secret, environ: Mapping[str, str]) -> Path:
    """Add or replace `address`'s password in the encrypted file (written whole, mode 0600)."""
    from cryptography.fernet import Fernet

    key = environ.get(KEY_VARIABLE, "").strip()
    if not key:
        raise ValueError(f"{KEY_VARIABLE} is not set")
    fernet = Fernet(key.encode())  # ValueError for a key that is not one
    path = password_file(environ)
    kept = _read_all(environ) or {}
    if path.exists() and not kept and path.stat().st_size > 0:
        raise ValueError("the key does not open the existing password file")
    kept[address.lower()] = password.reveal()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(fernet.encrypt(json.dumps(kept).encode()))
    temporary.replace(path)
    return path


def store_in_keyring(address: str, password: Secret) -> None:
    import keyring

    keyring.set_password(SERVICE, address, password.reveal())


def find_password(address: str, environ: Mapping[str, str] | None = None) -> Secret | None:
    """The keyring first, then the encrypted file (when its key is in the environment)."""
    return keyring_password(address) or file_password(address, os.environ if environ is None else environ)
