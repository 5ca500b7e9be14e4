"""Field changes for the change log: what was, what is, per field, and never a secret.

Pure: values come in as display text (str or None) keyed by column id, as the book's tables show
them; the store writes the result as rows of the append-only log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from maildoctor.i18n import N_
from maildoctor.ledger.errors import LedgerError

# Column names that would hold a secret: the book keeps who manages a password and where it is
# kept, never the password itself (interface.md: nothing the program writes contains it).
SECRET_NAMES: Final = frozenset(
    {"password", "passwd", "pass", "pwd", "secret", "token", "app_password", "パスワード", "暗証番号"}
)


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: str | None
    new: str | None


def is_secret_name(name: str) -> bool:
    """True for a column or key that names a password itself (not `password_manager`)."""
    folded = name.strip().lower().replace("-", "_").replace(" ", "_")
    return folded in SECRET_NAMES


def refuse_secrets(names: Iterable[str]) -> None:
    """Raise for the first name that would carry a password into the book."""
    for name in names:
        if is_secret_name(name):
            raise LedgerError(
                N_(
                    "“{name}” would hold a password. The book never keeps passwords, only who manages "
                    "them and where they are kept: remove that column or key and try again."
                ),
                name=name,
            )


def field_changes(old: Mapping[str, str | None], new: Mapping[str, str | None]) -> tuple[FieldChange, ...]:
    """The fields whose value differs, in the order of `new` (a field missing from `old` was empty)."""
    refuse_secrets(new)
    return tuple(
        FieldChange(field, old.get(field), value) for field, value in new.items() if old.get(field) != value
    )
