"""The lint stage: the typed account turned into ADDRESS_INVALID and CREDENTIAL_TYPO_RISK findings.

The evidence of a finding is the typed value with the faults marked (a plain
line: it is what was typed, in no language), then one sentence per kind of
fault, as an Evidence message translated when the report is shown. Params and
evidence hold the typed values, except for the password: of that only
positions and kinds of risk are kept, so that no report, log or ledger entry
can carry it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Final

from maildoctor.causes import CauseCode
from maildoctor.i18n import N_
from maildoctor.lint.address import AddressCheck, AddressProblemKind, check_address
from maildoctor.lint.typed import TypedField, TypoRisk, TypoRiskKind, check_typed_value, mark
from maildoctor.model import Evidence, Finding, Layer, Secret, ServerRole, Severity

__all__ = ["HOST_ROLES", "lint_account"]

# The order in which host fields are reported.
HOST_ROLES = (ServerRole.INCOMING, ServerRole.OUTGOING)

_K = TypoRiskKind
_A = AddressProblemKind

# One sentence per kind of typo risk in a user name or password: {field} is the field's name.
_FIELD_MESSAGES: Final[Mapping[TypoRiskKind, str]] = {
    _K.LEADING_SPACE: N_("The {field} has a space at the start (position {positions})."),
    _K.TRAILING_SPACE: N_("The {field} has a space at the end (position {positions})."),
    _K.INNER_SPACE: N_("The {field} has a space in the middle (position {positions})."),
    _K.FULLWIDTH: N_(
        "The {field} has full-width characters, as typed with Japanese input on (position {positions}). "
        "Type them in half-width."
    ),
    _K.INVISIBLE: N_(
        "The {field} has invisible characters (position {positions}). "
        "They often come along when text is copied and pasted."
    ),
    _K.NON_ASCII: N_(
        "The {field} has characters that are not half-width letters, digits or symbols "
        "(position {positions}). Japanese input may have been on."
    ),
    _K.LOOKALIKE: N_(
        "The {field} has characters that are easy to mistake for others, such as {characters} "
        "(position {positions})."
    ),
    _K.CAPS_LOCK_LIKE: N_(
        "The capital and small letters of the {field} look the wrong way round, as if Caps Lock were on."
    ),
}

# The same for a host name, which names its server by {role} ("incoming server") instead.
_HOST_MESSAGES: Final[Mapping[TypoRiskKind, str]] = {
    _K.LEADING_SPACE: N_("The {role} name has a space at the start (position {positions})."),
    _K.TRAILING_SPACE: N_("The {role} name has a space at the end (position {positions})."),
    _K.INNER_SPACE: N_("The {role} name has a space in the middle (position {positions})."),
    _K.FULLWIDTH: N_(
        "The {role} name has full-width characters, as typed with Japanese input on "
        "(position {positions}). Type them in half-width."
    ),
    _K.INVISIBLE: N_(
        "The {role} name has invisible characters (position {positions}). "
        "They often come along when text is copied and pasted."
    ),
    _K.NON_ASCII: N_(
        "The {role} name has characters that are not half-width letters, digits or symbols "
        "(position {positions}). A server name is normally typed in half-width letters."
    ),
    _K.LOOKALIKE: N_(
        "The {role} name has characters that are easy to mistake for others, such as {characters} "
        "(position {positions})."
    ),
    _K.SCHEME_IN_HOST: N_(
        "The {role} name starts with {characters}. Type only the name, such as mail.example.jp."
    ),
    _K.EMAIL_IN_HOST: N_(
        "The {role} name has an @ (position {positions}). A server name is not an email address."
    ),
    _K.DOUBLE_DOT: N_("The {role} name has two dots in a row, or starts with a dot (position {positions})."),
    _K.TRAILING_DOT: N_("The {role} name ends with a dot (position {positions})."),
}

# One sentence per kind of address problem: (with the positions at fault, without any).
_ADDRESS_MESSAGES: Final[Mapping[AddressProblemKind, tuple[str, str]]] = {
    _A.FULLWIDTH_AT: (
        N_("The @ in the {field} is the full-width ＠ (position {positions}). Type the half-width @."),
        N_("The @ in the {field} is the full-width ＠. Type the half-width @."),
    ),
    _A.NO_AT: (
        N_("The {field} has no @ between the name and the domain."),
        N_("The {field} has no @ between the name and the domain."),
    ),
    _A.SEVERAL_AT: (
        N_("The {field} has more than one @ (position {positions})."),
        N_("The {field} has more than one @."),
    ),
    _A.SPACE: (
        N_("The {field} has a space in it (position {positions})."),
        N_("The {field} has a space in it."),
    ),
    _A.FULLWIDTH_CHARS: (
        N_("The {field} has full-width characters (position {positions}). Type them in half-width."),
        N_("The {field} has full-width characters. Type them in half-width."),
    ),
    _A.INVISIBLE: (
        N_(
            "The {field} has invisible characters (position {positions}). "
            "They often come along when text is copied and pasted."
        ),
        N_("The {field} has invisible characters. They often come along when text is copied and pasted."),
    ),
    _A.INVALID_LOCAL_PART: (
        N_(
            "The part of the {field} before the @ is not written correctly (position {positions}). "
            "It may hold half-width letters, digits and symbols such as . - _ +, "
            "but no dot at the start or the end and no two dots in a row."
        ),
        N_("The part of the {field} before the @ is not written correctly."),
    ),
    _A.INVALID_DOMAIN: (
        N_(
            "The domain of the {field} (the part after the @) is not written correctly "
            "(position {positions}). It should look like example.co.jp."
        ),
        N_(
            "The domain of the {field} (the part after the @) is not written correctly. "
            "It should look like example.co.jp."
        ),
    ),
}
EMPTY_ADDRESS_MESSAGE: Final = N_("The {field} is empty.")
SUGGESTION_MESSAGE: Final = N_("Did you mean {suggestion}?")


def lint_account(
    address: str,
    username: str | None,
    host_values: Mapping[ServerRole, str],
    password: Secret | None,
) -> tuple[Finding, ...]:
    """Findings about the values as typed: the address first, then user name, password, hosts.

    `host_values` holds the host names as typed in the mail program's server
    fields (not server URLs), keyed by INCOMING and OUTGOING. An empty or
    missing value is not linted.
    """
    findings: list[Finding] = []
    address_finding = _address_finding(address)
    if address_finding is not None:
        findings.append(address_finding)

    if username:
        findings += _typo_finding(
            TypedField.USERNAME, username, check_typed_value(TypedField.USERNAME, username)
        )
    if password is not None and password:
        findings += _password_finding(check_typed_value(TypedField.PASSWORD, password.reveal()))

    # A host in Japanese characters is only plausible when the mail domain is one too.
    idn_expected = not address.rpartition("@")[2].isascii()
    roles = [role for role in HOST_ROLES if role in host_values] + [
        role for role in host_values if role not in HOST_ROLES
    ]
    for role in roles:
        host = host_values[role]
        if host:
            risks = check_typed_value(TypedField.HOST, host, idn_expected=idn_expected)
            findings += _typo_finding(TypedField.HOST, host, risks, role)
    return tuple(findings)


def _address_finding(address: str) -> Finding | None:
    check = check_address(address)
    if check.ok:
        return None
    marked = mark(address, check.positions)
    params = [
        ("address_marked", marked),
        ("problem", check.kinds[0].value),
        ("kinds", ",".join(kind.value for kind in check.kinds)),
        ("positions", _positions_param(check.positions)),
    ]
    if check.suggestion is not None:
        params.append(("suggestion", check.suggestion))
    return Finding(
        cause=CauseCode.ADDRESS_INVALID.value,
        severity=Severity.ERROR,
        layer=Layer.INPUT,
        server=ServerRole.INPUT,
        params=tuple(params),
        # an empty address has nothing to show but the sentence that says so
        evidence=(*([marked] if address else []), *_address_evidence(address, check)),
    )


def _address_evidence(address: str, check: AddressCheck) -> list[Evidence]:
    """One sentence per kind of problem, with all its positions; then the suggestion, if any."""
    field = TypedField.ADDRESS.value
    if not address:
        return [Evidence.of(EMPTY_ADDRESS_MESSAGE, field=field)]
    evidence: list[Evidence] = []
    for kind in check.kinds:
        positions = {p.position for p in check.problems if p.kind is kind and p.position is not None}
        with_positions, without = _ADDRESS_MESSAGES[kind]
        if positions:
            evidence.append(Evidence.of(with_positions, field=field, positions=_positions_param(positions)))
        else:
            evidence.append(Evidence.of(without, field=field))
    if check.suggestion is not None:
        evidence.append(Evidence.of(SUGGESTION_MESSAGE, suggestion=check.suggestion))
    return evidence


def _typo_finding(
    field: TypedField, value: str, risks: tuple[TypoRisk, ...], role: ServerRole | None = None
) -> list[Finding]:
    if not risks:
        return []
    positions = _positions(risks)
    marked = mark(value, positions)
    params = [("field", field.value)]
    if role is not None:
        params.append(("role", role.value))
    params += [
        ("value_marked", marked),
        ("positions", _positions_param(positions)),
        ("kinds", _kinds_param(risks)),
    ]
    evidence: tuple[str | Evidence, ...] = (marked, *(_risk_evidence(field, risk, role) for risk in risks))
    return [_credential_typo_risk(params, evidence)]


def _password_finding(risks: tuple[TypoRisk, ...]) -> list[Finding]:
    """The password's risks by position and kind only: no marked value, and no character of it."""
    if not risks:
        return []
    positions = _positions(risks)
    params = [
        ("field", TypedField.PASSWORD.value),
        ("positions", _positions_param(positions)),
        ("kinds", _kinds_param(risks)),
    ]
    evidence = tuple(_risk_evidence(TypedField.PASSWORD, risk) for risk in risks)
    return [_credential_typo_risk(params, evidence)]


def _risk_evidence(field: TypedField, risk: TypoRisk, role: ServerRole | None = None) -> Evidence:
    """The sentence about one risk; a host's names its server (role), the others their field.

    Its values are the field, the role, the positions and, for a look-alike or a
    pasted scheme, `risk.characters`, which for a password names groups of
    characters and never its own.
    """
    values = {"field": field.value}
    if field is TypedField.HOST:
        values["role"] = (role or ServerRole.INPUT).value
        message = _HOST_MESSAGES[risk.kind]
    else:
        message = _FIELD_MESSAGES[risk.kind]
    if risk.positions:
        values["positions"] = _positions_param(risk.positions)
    if risk.characters:
        values["characters"] = risk.characters
    return Evidence.of(message, **values)


def _credential_typo_risk(params: list[tuple[str, str]], evidence: tuple[str | Evidence, ...]) -> Finding:
    # A warning: the diagnosis raises it when the login (or the host lookup) fails as well.
    return Finding(
        cause=CauseCode.CREDENTIAL_TYPO_RISK.value,
        severity=Severity.WARNING,
        layer=Layer.INPUT,
        server=ServerRole.INPUT,
        params=tuple(params),
        evidence=evidence,
    )


def _positions(risks: tuple[TypoRisk, ...]) -> tuple[int, ...]:
    return tuple(sorted({position for risk in risks for position in risk.positions}))


def _positions_param(positions: Collection[int]) -> str:
    return ", ".join(str(position) for position in sorted(positions))


def _kinds_param(risks: tuple[TypoRisk, ...]) -> str:
    return ",".join(dict.fromkeys(risk.kind.value for risk in risks))
