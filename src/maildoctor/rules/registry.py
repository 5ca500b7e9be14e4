"""The rules over one diagnosis' facts, registered by the rule modules themselves.

A rule module in this package registers its rules when it is imported; `registered()` imports
every module of the package once (`discover`), so a new rule is a new function (in a new or an
existing module here) with one `server_rule(...)` or `diagnosis_rule(...)` line beside it —
no list in engine.py, facts.py or diagnose.py to extend.

The order is explicit, not the order of imports: diagnosis rules with `after_servers=False` run
first, then for each server its server rules, then the diagnosis rules with `after_servers=True`;
within each, by `order` (then name). The order matters only where findings tie in rank.py's sort.
A `gate` server rule stops the later server rules of that server when it finds something (a
wrong encryption for the port makes every later step's failure a consequence of it).

    order  server rule            order  diagnosis rule
    10     dns                    10     network-offline
    20     transport              20     settings
    30     security-mismatch gate 10     pop-delete-risk (after the servers)
    40     starttls
    50     certificate
    55     tls-cipher
    60     auth
    65     login-only
    70     outage
    80     sending
    90     mailbox
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from maildoctor.facts import DiagnosisFacts, ServerFacts
from maildoctor.model import Finding

ServerCheck = Callable[[DiagnosisFacts, ServerFacts], Sequence[Finding]]
DiagnosisCheck = Callable[[DiagnosisFacts], Sequence[Finding]]


@dataclass(frozen=True, slots=True)
class ServerRule:
    """A rule run once per server of the diagnosis."""

    name: str
    order: int
    run: ServerCheck
    gate: bool = False  # findings from it skip the later server rules of that server


@dataclass(frozen=True, slots=True)
class DiagnosisRule:
    """A rule run once per diagnosis, before the servers' rules or after them."""

    name: str
    order: int
    run: DiagnosisCheck
    after_servers: bool = False


Rule = ServerRule | DiagnosisRule

_RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    """Adds a rule; a second rule of the same name is a programming error."""
    if rule.name in _RULES and _RULES[rule.name] != rule:
        raise ValueError(f"a rule named {rule.name!r} is registered already")
    _RULES[rule.name] = rule
    return rule


def unregister(name: str) -> None:
    """Removes a rule (tests that register one of their own)."""
    _RULES.pop(name, None)


def server_rule(name: str, order: int, run: ServerCheck, *, gate: bool = False) -> ServerRule:
    rule = ServerRule(name, order, run, gate)
    register(rule)
    return rule


def diagnosis_rule(
    name: str, order: int, run: DiagnosisCheck, *, after_servers: bool = False
) -> DiagnosisRule:
    rule = DiagnosisRule(name, order, run, after_servers)
    register(rule)
    return rule


@functools.cache
def discover(package: str = "maildoctor.rules") -> tuple[str, ...]:
    """Imports every module of the rules package once (each registers its rules); their names."""
    module = importlib.import_module(package)
    names = tuple(sorted(f"{package}.{info.name}" for info in pkgutil.iter_modules(module.__path__)))
    for name in names:
        importlib.import_module(name)
    return names


def registered() -> tuple[Rule, ...]:
    """Every rule of the package, in the order they run (see the module docstring)."""
    discover()

    def key(rule: Rule) -> tuple[int, int, str]:
        stage = 1 if isinstance(rule, ServerRule) else 2 if rule.after_servers else 0
        return (stage, rule.order, rule.name)

    return tuple(sorted(_RULES.values(), key=key))


__all__ = [
    "DiagnosisRule",
    "Rule",
    "ServerRule",
    "diagnosis_rule",
    "discover",
    "register",
    "registered",
    "server_rule",
    "unregister",
]
