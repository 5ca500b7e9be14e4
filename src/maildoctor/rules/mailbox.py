"""The mailbox: how full it is."""

from __future__ import annotations

from maildoctor.facts import ServerFacts
from maildoctor.i18n import N_
from maildoctor.model import Evidence, Finding, Severity
from maildoctor.rules.base import finding
from maildoctor.rules.registry import server_rule

NEARLY_FULL = 0.9  # warn from 90 %: a few large attachments fill the rest


def mailbox_findings(server: ServerFacts) -> list[Finding]:
    session = server.session
    if session is None or session.mailbox is None:
        return []
    for quota in session.mailbox.quotas:
        if quota.limit <= 0:
            continue
        ratio = quota.usage / quota.limit
        if ratio < NEARLY_FULL:
            continue
        unit = " KB" if quota.resource.upper() == "STORAGE" else ""
        params = {
            "used": f"{quota.usage}{unit}",
            "limit": f"{quota.limit}{unit}",
            "percent": f"{int(ratio * 100)}",
        }
        evidence: list[str | Evidence] = [
            Evidence.of(
                N_("{resource}: {usage} of {limit} used ({percent} %)"),
                resource=quota.resource,
                usage=quota.usage,
                limit=quota.limit,
                percent=int(ratio * 100),
            )
        ]
        severity = Severity.ERROR if ratio >= 1 else Severity.WARNING
        return [finding("MAILBOX_FULL", server.role, params, evidence, severity=severity)]
    return []


server_rule("mailbox", 90, lambda _facts, server: mailbox_findings(server))
