"""The JSON report of ../shared/spec/interface.md (schema maildoctor.report/1): dicts only here."""

from __future__ import annotations

from typing import Any

from maildoctor.clients.guidance import Guidance
from maildoctor.i18n import Translator
from maildoctor.knowledge import render_evidence, render_finding
from maildoctor.model import Endpoint, Finding, MailSettings, Report

SCHEMA = "maildoctor.report/1"


def _endpoint(endpoint: Endpoint | None) -> dict[str, Any] | None:
    if endpoint is None:
        return None
    return {
        "url": endpoint.url,
        "protocol": str(endpoint.protocol),
        "host": endpoint.host,
        "port": endpoint.port,
        "security": str(endpoint.security),
    }


def _settings(settings: MailSettings | None) -> dict[str, Any]:
    if settings is None:
        return {}
    return {
        "incoming": _endpoint(settings.incoming),
        "outgoing": _endpoint(settings.outgoing),
        "username": settings.username,
        "outgoing_auth": settings.outgoing_auth,
    }


def finding_to_json(
    item: Finding, translator: Translator, guidance: Guidance | None = None
) -> dict[str, Any]:
    """One finding as the report's `findings` entries are (check, domain, explain).

    With a mail program named (`guidance.client`), `where` gives, per fix step, that
    program's menu path to each setting the step changes.
    """
    rendered = render_finding(
        item, translator, guidance if guidance is not None and guidance.client else None
    )
    entry: dict[str, Any] = {
        "cause": item.cause,
        "severity": str(item.severity),
        "layer": str(item.layer),
        "server": str(item.server),
        "title": rendered.title,
        "evidence": [render_evidence(line, translator) for line in item.evidence],
        "fix": list(rendered.fix),
        "consequence_of": item.consequence_of,
    }
    if rendered.do_not:
        entry["do_not"] = rendered.do_not
    if any(rendered.where):
        entry["where"] = [list(lines) for lines in rendered.where]
    entry["params"] = dict(item.params)
    return entry


def report_to_json(
    report: Report, translator: Translator, guidance: Guidance | None = None
) -> dict[str, Any]:
    findings = [finding_to_json(item, translator, guidance) for item in report.findings]
    return {
        "schema": SCHEMA,
        "address": report.address,
        "verdict": str(report.verdict),
        "findings": findings,
        "settings": {
            "typed": _settings(report.typed_settings),
            "recommended": _settings(report.recommended_settings),
            **({"filled": [role.value for role in report.filled]} if report.filled else {}),
        },
        "checks": [
            {
                "id": check.id,
                "server": str(check.server),
                "status": str(check.status),
                "ms": check.ms,
                # a check that could not run: "crashed" (a fault in maildoctor) or "timed_out"
                **({"could_not_run": str(check.fault)} if check.fault is not None else {}),
            }
            for check in report.checks
        ],
        "elapsed_ms": report.elapsed_ms,
        **({"roundtrip": _roundtrip(report)} if report.roundtrip is not None else {}),
        # the mail program the fixes are written for, when the person named it (--client)
        **({"client": str(guidance.client)} if guidance is not None and guidance.client is not None else {}),
    }


def _roundtrip(report: Report) -> dict[str, Any]:
    result = report.roundtrip
    assert result is not None
    return {
        "sent": result.sent,
        "arrived": result.arrived,
        "delay_ms": result.delay_ms,
        "removed": result.removed,
        "detail": result.detail,
    }
