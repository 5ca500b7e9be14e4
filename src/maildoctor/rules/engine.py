"""All rules over one diagnosis' facts, in the order a person would check the layers."""

from __future__ import annotations

from collections.abc import Sequence

from maildoctor.facts import DiagnosisFacts, GreetingKind, LoginOutcome
from maildoctor.model import Finding
from maildoctor.rules.auth import auth_findings, outage_findings
from maildoctor.rules.mailbox import mailbox_findings
from maildoctor.rules.password import with_password_page
from maildoctor.rules.pop import pop_delete_risk
from maildoctor.rules.rank import rank
from maildoctor.rules.reachability import dns_findings, network_offline, transport_findings
from maildoctor.rules.settings import settings_findings
from maildoctor.rules.smtp import sending_findings
from maildoctor.rules.tls import certificate_findings, security_mismatch, starttls_findings


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
    found += network_offline(facts)
    found += settings_findings(facts)
    for server in facts.servers:
        found += dns_findings(facts, server)
        found += transport_findings(server)
        mismatch = security_mismatch(server)
        found += mismatch
        if not mismatch:
            found += starttls_findings(server)
            found += certificate_findings(server)
            found += auth_findings(server)
            found += outage_findings(server)
            found += sending_findings(server, facts.address)
            found += mailbox_findings(server)
    found += pop_delete_risk(facts)
    return rank(with_password_page(found, facts.settings))
