"""The checks table made to agree with the findings: a check with a problem found there is not "pass"."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Final

from maildoctor.model import CheckResult, CheckStatus, Finding, Layer, Severity

# the check (diagnose._checks' ids) a finding of each layer is about
CHECK_OF_LAYER: Final[Mapping[Layer, str]] = {
    Layer.DNS: "dns",
    Layer.TRANSPORT: "tcp",
    Layer.TLS: "tls",
    Layer.SERVER: "greeting",
    Layer.AUTH: "login",
    Layer.SMTP: "send",
    Layer.MAILBOX: "mailbox",
}


def findings_at(check: CheckResult, findings: Sequence[Finding]) -> list[Finding]:
    """The errors and warnings found at `check`'s layer of its server."""
    return [
        item
        for item in findings
        if item.severity in (Severity.ERROR, Severity.WARNING)
        and str(item.server) == str(check.server)
        and CHECK_OF_LAYER.get(item.layer) == check.id
    ]


def agree_with_findings(
    checks: Sequence[CheckResult], findings: Sequence[Finding]
) -> tuple[CheckResult, ...]:
    """Each passed check at which an error or a warning was found becomes "fail" (JSON has no "warn")."""
    return tuple(
        dataclasses.replace(check, status=CheckStatus.FAIL)
        if check.status == CheckStatus.PASS and findings_at(check, findings)
        else check
        for check in checks
    )


def only_warnings(check: CheckResult, findings: Sequence[Finding]) -> bool:
    """A failed check whose findings are all warnings: shown as "warning", not as "problem"."""
    found = findings_at(check, findings)
    return bool(found) and all(item.severity == Severity.WARNING for item in found)
