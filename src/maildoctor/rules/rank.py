"""Ranking: the most likely cause first, and consequences folded under their root cause.

Which cause explains which is knowledge-base data (`explains` in data/knowledge/causes/);
this module holds only the ordering and the typo-risk logic."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence

from maildoctor.causes import get_cause
from maildoctor.knowledge_data import knowledge_base
from maildoctor.lint.typed import TypoRiskKind
from maildoctor.model import Finding, Layer, Severity

_LAYER_ORDER = list(Layer)
_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@functools.cache
def _explaining() -> tuple[tuple[str, frozenset[str]], ...]:
    """Root cause -> the causes it explains when both are present (each cause's `explains` in
    data/knowledge/causes/), in `explains_precedence` order: of several found roots that explain
    one finding, the first here wins."""
    roots = [entry for entry in knowledge_base().causes.values() if entry.explains]
    roots.sort(key=lambda entry: entry.explains_precedence or 0)
    return tuple((entry.code, entry.explains) for entry in roots)


# a warning that becomes an error when it explains another finding (see rank)
_PROMOTED = "CREDENTIAL_TYPO_RISK"
# a host name typed with these cannot be the server's name (full-width letters, an invisible
# character, a space, a URL or an address in it): an error whatever DNS says. A look-alike
# character, a trailing dot or the case may well be right: behind a resolver that cannot be
# trusted, the resolver is the more likely cause.
_UNUSABLE_HOST_KINDS = frozenset(
    {
        TypoRiskKind.FULLWIDTH,
        TypoRiskKind.INVISIBLE,
        TypoRiskKind.NON_ASCII,
        TypoRiskKind.LEADING_SPACE,
        TypoRiskKind.TRAILING_SPACE,
        TypoRiskKind.INNER_SPACE,
        TypoRiskKind.SCHEME_IN_HOST,
        TypoRiskKind.EMAIL_IN_HOST,
        TypoRiskKind.DOUBLE_DOT,
    }
)

_SERVER_ORDER = {"input": 0, "incoming": 1, "outgoing": 2, "domain": 3}


def _key(item: Finding) -> tuple[int, int, int]:
    return (
        _SEVERITY_ORDER[item.severity],
        _LAYER_ORDER.index(item.layer),
        _SERVER_ORDER.get(str(item.server), 9),
    )


def _problem(item: Finding) -> str | None:
    return next((value for name, value in item.params if name == "problem"), None)


def _explains(root: Finding, item: Finding) -> bool:
    """Whether `root` explains `item`; a typo risk explains only what its own field leads to."""
    if not any(code == root.cause and item.cause in explained for code, explained in _explaining()):
        return False
    if root.cause != "CREDENTIAL_TYPO_RISK":
        return True
    if root.param("field") == "host":
        return item.cause == "HOST_NOT_FOUND" and root.param("role") == str(item.server)
    return item.cause == "AUTH_FAILED"


def _unpromoted(item: Finding) -> Finding:
    """`item` with the severity its cause has before ranking raised it: ranked findings are ranked
    again after some are left out (resolver_trust), and a promotion must not outlive what it explained."""
    if item.cause == _PROMOTED:
        return dataclasses.replace(item, severity=get_cause(_PROMOTED).severity)
    return item


def _unusable_host(item: Finding) -> bool:
    kinds = {kind.strip() for kind in (item.param("kinds") or "").split(",")}
    return item.param("field") == "host" and not kinds.isdisjoint(_UNUSABLE_HOST_KINDS)


def rank(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """Sort by severity then layer; a finding explained by another follows it as a consequence.

    Ranking its own output again, or a part of it, decides every promotion anew."""
    unique: list[Finding] = []
    for item in map(_unpromoted, findings):
        # the domain's findings are told apart by their problem (two SPF faults are two findings)
        if not any(
            other.cause == item.cause and other.server == item.server and _problem(other) == _problem(item)
            for other in unique
        ):
            unique.append(item)
    roots: list[Finding] = []
    consequences: dict[str, list[Finding]] = {}
    for item in unique:
        root = next(
            (
                code
                for code, _ in _explaining()
                if any(other.cause == code and _explains(other, item) for other in unique)
            ),
            None,
        )
        if root is None:
            roots.append(item)
        else:
            consequences.setdefault(root, []).append(dataclasses.replace(item, consequence_of=root))
    # a typo risk that explains a refused login (or a name not found), or makes a host name
    # unusable as typed, is no longer a mere warning
    roots = [
        dataclasses.replace(item, severity=Severity.ERROR)
        if item.cause == _PROMOTED and (_PROMOTED in consequences or _unusable_host(item))
        else item
        for item in roots
    ]
    ordered: list[Finding] = []
    for item in sorted(roots, key=_key):
        ordered.append(item)
        ordered.extend(sorted(consequences.pop(item.cause, []), key=_key))
    return tuple(ordered)
