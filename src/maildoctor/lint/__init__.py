"""Pure checks of typed values: the address, the user name, the password, the host names.

No I/O: this package never imports socket, ssl or asyncio (tests/unit/test_layering.py).
Positions are 1-based throughout, as a person counts characters.
"""

from maildoctor.lint.address import AddressCheck, AddressProblem, AddressProblemKind, check_address
from maildoctor.lint.findings import lint_account
from maildoctor.lint.typed import (
    TypedField,
    TypoRisk,
    TypoRiskKind,
    check_typed_value,
    mark,
    mark_password,
)

__all__ = [
    "AddressCheck",
    "AddressProblem",
    "AddressProblemKind",
    "TypedField",
    "TypoRisk",
    "TypoRiskKind",
    "check_address",
    "check_typed_value",
    "lint_account",
    "mark",
    "mark_password",
]
