"""The users of the web pages, kept in the accounts book: argon2 hashes, roles admin and viewer.
A password is hashed on the way in and compared through argon2; it is never stored nor shown."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from maildoctor.i18n import N_
from maildoctor.ledger.schema import WebUser
from maildoctor.ledger.store import transaction

MIN_PASSWORD: Final = 12  # characters: a shared deployment's login faces the network
MAX_PASSWORD: Final = 1024  # hashing a megabyte on every try would be a way to load the server
MAX_NAME: Final = 64
_HASHER: Final = PasswordHasher()
# verified when the name is unknown, so that a wrong name takes as long as a wrong password
_DUMMY: Final = _HASHER.hash("maildoctor: no such user")


class Role(StrEnum):
    ADMIN = "admin"  # may change the book (its pages come later)
    VIEWER = "viewer"  # may read every page


class UserError(ValueError):
    """What was typed for a new user cannot be used (the message is a gettext message id)."""


def _checked_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME or not name.isprintable():
        raise UserError(N_("A user name is 1 to 64 letters or digits, without spaces at the ends."))
    return name


def user_count(engine: Engine) -> int:
    with transaction(engine) as session:
        return int(session.scalar(select(func.count()).select_from(WebUser)) or 0)


def add_user(engine: Engine, name: str, password: str, role: Role) -> None:
    name = _checked_name(name)
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise UserError(N_("The password must be at least 12 characters long."))
    try:
        with transaction(engine) as session:
            session.add(WebUser(name=name, password_hash=_HASHER.hash(password), role=role.value))
    except IntegrityError as error:
        raise UserError(N_("A user of this name exists already.")) from error


def authenticate(engine: Engine, name: str, password: str) -> Role | None:
    """The role of `name` when `password` is theirs; None otherwise (unknown name or wrong password,
    told apart by nobody). A hash made with older parameters is made again."""
    password = password[:MAX_PASSWORD]
    with transaction(engine) as session:
        user = session.scalar(select(WebUser).where(WebUser.name == name.strip()[:MAX_NAME]))
        try:
            _HASHER.verify(user.password_hash if user else _DUMMY, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if user is None:
            return None
        if _HASHER.check_needs_rehash(user.password_hash):
            user.password_hash = _HASHER.hash(password)
        return Role(user.role)


__all__ = ["MIN_PASSWORD", "Role", "UserError", "add_user", "authenticate", "user_count"]
