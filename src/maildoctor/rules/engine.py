"""All rules over one diagnosis' facts, in the order a person would check the layers.

The rules register themselves (rules/registry.py): this module runs what is registered, so a
new rule needs no line here.
"""

from __future__ import annotations

from collections.abc import Sequence

from maildoctor.facts import DiagnosisFacts, GreetingKind, LoginOutcome
from maildoctor.model import Finding
from maildoctor.rules.password import with_password_page
from maildoctor.rules.rank import rank
from maildoctor.rules.registry import DiagnosisRule, ServerRule, registered


def _still_relevant(item: Finding, facts: DiagnosisFacts) -> bool:
    """A typo risk in a value that demonstrably worked is no longer worth a word."""
    if item.cause != "CREDENTIAL_TYPO_RISK":
        return True
    field = item.param("field")
    sessions = [server.session for server in facts.servers if server.session is not None]
    if field in ("password", "username"):
        return not any(s.login is not None and s.login.outcome == LoginOutcome.SUCCESS for s in sessions)
    if field == "host":
        role = item.param("role")
        return not any(s.greeting_kind == GreetingKind.OK for s in sessions if str(s.role) == role)
    return True


def evaluate(facts: DiagnosisFacts, input_findings: Sequence[Finding] = ()) -> tuple[Finding, ...]:
    found: list[Finding] = [item for item in input_findings if _still_relevant(item, facts)]
    rules = registered()
    diagnosis = [rule for rule in rules if isinstance(rule, DiagnosisRule)]
    per_server = [rule for rule in rules if isinstance(rule, ServerRule)]
    for rule in diagnosis:
        if not rule.after_servers:
            found += rule.run(facts)
    for server in facts.servers:
        for server_rule in per_server:
            seen = server_rule.run(facts, server)
            found += seen
            if server_rule.gate and seen:
                break
    for rule in diagnosis:
        if rule.after_servers:
            found += rule.run(facts)
    return rank(with_password_page(found, facts.settings))
