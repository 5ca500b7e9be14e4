"""The lint stage: the typed account turned into ADDRESS_INVALID and CREDENTIAL_TYPO_RISK findings.

Params and evidence hold the typed values with the faults marked, except for
the password: of that only positions and kinds of risk are kept, so that no
report, log or ledger entry can carry it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from maildoctor.causes import CauseCode
from maildoctor.lint.address import check_address
from maildoctor.lint.typed import TypedField, TypoRisk, check_typed_value, mark
from maildoctor.model import Finding, Layer, Secret, ServerRole, Severity

__all__ = ["HOST_ROLES", "lint_account"]

# The order in which host fields are reported.
HOST_ROLES = (ServerRole.INCOMING, ServerRole.OUTGOING)


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
        evidence=(marked, *(problem.detail for problem in check.problems)),
    )


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
    label = field.value if role is None else f"{role.value} {field.value}"
    evidence = (marked, *(f"{label}: {risk.detail}" for risk in risks))
    return [_credential_typo_risk(params, evidence)]


def _password_finding(risks: tuple[TypoRisk, ...]) -> list[Finding]:
    """The password's risks by position and kind only: its details are built to hold no character."""
    if not risks:
        return []
    positions = _positions(risks)
    params = [
        ("field", TypedField.PASSWORD.value),
        ("positions", _positions_param(positions)),
        ("kinds", _kinds_param(risks)),
    ]
    kinds = _kinds_param(risks, ", ")
    summary = (
        f"password: positions {_positions_param(positions)} ({kinds})" if positions else f"password: {kinds}"
    )
    evidence = (summary, *(f"password: {risk.detail}" for risk in risks))
    return [_credential_typo_risk(params, evidence)]


def _credential_typo_risk(params: list[tuple[str, str]], evidence: tuple[str, ...]) -> Finding:
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


def _kinds_param(risks: tuple[TypoRisk, ...], separator: str = ",") -> str:
    return separator.join(dict.fromkeys(risk.kind.value for risk in risks))
