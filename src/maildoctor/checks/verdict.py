"""Where pass/fail is decided, once: the checks table made to agree with the findings, and the
report's verdict from both."""

from __future__ import annotations

from collections.abc import Sequence

from maildoctor.model import CheckResult, CheckStatus, Finding, Report, Severity, Verdict
from maildoctor.rules.checks import agree_with_findings


def verdict(findings: Sequence[Finding], checks: Sequence[CheckResult], *, complete: bool) -> Verdict:
    """Problems when an error or a warning was found; else incomplete when something could not be
    checked (nothing to check, a skipped check or one that could not run, findings left out); else ok."""
    if any(item.severity in (Severity.ERROR, Severity.WARNING) for item in findings):
        return Verdict.PROBLEMS
    if not complete or any(check.status == CheckStatus.SKIP for check in checks):
        return Verdict.INCOMPLETE
    return Verdict.OK


def settle(
    rows: Sequence[CheckResult], findings: Sequence[Finding], *, complete: bool
) -> tuple[tuple[CheckResult, ...], Verdict]:
    """The checks table as reported (a passed step with a problem found there fails) and the verdict."""
    checks = agree_with_findings(rows, findings)
    return checks, verdict(findings, checks, complete=complete)


def only_the_login_untried(report: Report) -> bool:
    """Nothing found and everything passed but a login not tried (--no-auth, no password, a
    remembered failure): the diagnosis did finish what it could do without the password."""
    unpassed = [check for check in report.checks if check.status != CheckStatus.PASS]
    return (
        report.verdict == Verdict.INCOMPLETE
        and not report.findings
        and bool(unpassed)
        and all(
            check.id == "login" and check.status == CheckStatus.SKIP and check.fault is None
            for check in unpassed
        )
    )
