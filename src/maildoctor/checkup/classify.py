"""A diagnosis as the check-up records it (pure): findings with stable ids, the numbers the trends
need, and "could not test" apart from "failed" — a broken resolver, a timeout or a server that
refused for too many connections says nothing about the account."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from maildoctor.checks.verdict import only_the_login_untried
from maildoctor.checkup.model import (
    ItemKind,
    LoginMode,
    Outcome,
    RecordedFinding,
    RecordedItem,
    Untested,
)
from maildoctor.facts import DiagnosisFacts, LoginOutcome, LoginSkip
from maildoctor.model import CheckFault, Finding, Report, Verdict

# A finding with one of these causes means the test itself could not be done.
_UNTESTED_CAUSES: Mapping[str, Untested] = {
    "NETWORK_OFFLINE": Untested.OFFLINE,
    "DNS_RESOLVER_BROKEN": Untested.RESOLVER_BROKEN,
    "TOO_MANY_CONNECTIONS": Untested.RATE_LIMITED,  # seen live: the server refused us, not the account
}


def recorded(subject: str, finding: Finding) -> RecordedFinding:
    server = finding.param("host") or finding.server.value
    return RecordedFinding(finding.cause, subject, server, finding.severity.value, finding.params)


def _untested(report: Report) -> Untested | None:
    for finding in report.findings:
        if (reason := _UNTESTED_CAUSES.get(finding.cause)) is not None:
            return reason
    if report.verdict is not Verdict.INCOMPLETE or only_the_login_untried(report):
        return None  # a login not tried (no password kept) leaves the rest of the account tested
    faults = {row.fault for row in report.checks if row.fault is not None}
    return Untested.CRASHED if faults == {CheckFault.CRASHED} else Untested.TIMEOUT


def _certificate_facts(facts: DiagnosisFacts) -> dict[str, str]:
    found: dict[str, str] = {}
    for server in facts.servers:
        tls = server.session.tls if server.session else None
        if tls is not None and tls.not_after:
            # "2027-03-01 12:00 UTC": the day is what the report counts in
            found[f"cert_expires:{server.endpoint.host.lower()}"] = tls.not_after[:10]
    return found


def _quota_facts(facts: DiagnosisFacts) -> dict[str, str]:
    for server in facts.servers:
        mailbox = server.session.mailbox if server.session else None
        for quota in mailbox.quotas if mailbox else ():
            if quota.resource.upper() == "STORAGE" and quota.limit > 0:
                return {"quota_used_kib": str(quota.usage), "quota_limit_kib": str(quota.limit)}
    return {}


def _unlogged_roles(facts: DiagnosisFacts) -> set[str]:
    """The servers maildoctor did not log in to (no password, or a remembered failure)."""
    return {
        server.role.value
        for server in facts.servers
        if server.session is None
        or server.session.login is None
        or server.session.login.outcome is LoginOutcome.SKIPPED
    }


def _artefact(finding: Finding, unlogged: set[str]) -> bool:
    """ "The server asks for a login" where maildoctor did not log in says nothing about the
    account: its mail program logs in."""
    return finding.cause == "SMTP_AUTH_REQUIRED" and finding.server.value in unlogged


def _not_repeated(facts: DiagnosisFacts) -> bool:
    """A login this run had already attempted (the guard in the book said so): not tried again."""
    return any(
        server.session is not None
        and server.session.login is not None
        and server.session.login.skip_reason is LoginSkip.ALREADY_TRIED
        for server in facts.servers
    )


def account_item(address: str, report: Report, facts: DiagnosisFacts, login: LoginMode) -> RecordedItem:
    if login is LoginMode.LOGGED_IN and _not_repeated(facts):
        login = LoginMode.NOT_REPEATED
    reason = _untested(report)
    if reason is not None:
        return RecordedItem(ItemKind.ACCOUNT, address, Outcome.COULD_NOT_TEST, reason=reason, login=login)
    return RecordedItem(
        ItemKind.ACCOUNT,
        address,
        Outcome.CHECKED,
        findings=tuple(
            recorded(address, finding)
            for finding in report.findings
            if not _artefact(finding, _unlogged_roles(facts))
        ),
        login=login,
        facts={**_certificate_facts(facts), **_quota_facts(facts)},
    )


def untested_item(
    kind: ItemKind, subject: str, reason: Untested, login: LoginMode | None = None
) -> RecordedItem:
    return RecordedItem(kind, subject, Outcome.COULD_NOT_TEST, reason=reason, login=login)


def domain_item(
    name: str,
    findings: Iterable[Finding],
    *,
    untested: Untested | None,
    typed_expiry: date | None,
    rdap_expiry: datetime | None,
) -> RecordedItem:
    """A domain: its DNS findings, and its expiry — the date typed into the book wins (.jp has no
    RDAP; the book is the source of truth), else what RDAP said."""
    if untested is not None:  # DNS did not answer, or lied: nothing can be said about the domain
        return untested_item(ItemKind.DOMAIN, name, untested)
    expiry = typed_expiry or (rdap_expiry.date() if rdap_expiry else None)
    return RecordedItem(
        ItemKind.DOMAIN,
        name,
        Outcome.CHECKED,
        findings=tuple(recorded(name, finding) for finding in findings if finding.cause != "DOMAIN_EXPIRING"),
        facts={"domain_expires": expiry.isoformat()} if expiry else {},
    )
