"""The domain's facts, judged, as findings: cause codes, the record as it is and as it should be.

Pure: `DomainFacts` in, ranked findings out. Each module beside this one judges its own facts
(problem codes with the record now and a suggested record); this module only says which cause each
problem belongs to, how serious it is here, and puts the words of `texts.py` on it. Remarks meant
as information (a DMARC policy in monitoring mode, no MTA-STS at all) stay in the report's sections
and are not findings.
"""

from __future__ import annotations

import dataclasses
import string
from collections.abc import Iterable, Mapping, Sequence

from maildoctor.domain.blocklists import judge_blocklists
from maildoctor.domain.dkim import DkimProblem
from maildoctor.domain.dmarc import DmarcProblem
from maildoctor.domain.engine import DomainFacts
from maildoctor.domain.mtasts import StsProblem
from maildoctor.domain.mx import DomainProblem, MxProblem, judge_mx
from maildoctor.domain.registration import judge_registration
from maildoctor.domain.spf import PolicyIssue, PolicyProblem, SpfResult
from maildoctor.domain.texts import PROBLEM_TEXTS
from maildoctor.i18n import N_
from maildoctor.model import Evidence, Finding, ServerRole, Severity
from maildoctor.rules.base import finding
from maildoctor.rules.rank import rank

_PTR_PROBLEMS = frozenset({MxProblem.PTR_MISSING, MxProblem.PTR_NOT_CONFIRMED, MxProblem.PTR_GENERIC})
_SPF_ERRORS = frozenset({PolicyIssue.PASS_ALL}) | frozenset(i for i in PolicyIssue if i.permerror)
_SPF_WARNINGS = frozenset(
    {PolicyIssue.NO_RECORD, PolicyIssue.DNS_ERROR, PolicyIssue.NEUTRAL_ALL, PolicyIssue.NO_ALL}
)
RECORD_NOW = N_("The record now: {record}")
RECORD_FIXED = N_("The record as it should be: {suggested_record}")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def problem_evidence(key: str, values: Mapping[str, str]) -> Evidence | None:
    """The most exact text of `key` whose placeholders `values` fill, to be translated when shown."""
    for variant in PROBLEM_TEXTS.get(key, ()):
        if _fields(variant) <= set(values):
            return Evidence.of(variant, **{name: values[name] for name in _fields(variant)})
    return None


def _finding(
    cause: str,
    key: str,
    severity: Severity,
    domain: str,
    values: Mapping[str, str],
    now: str | None,
    fixed: str | None,
    extra: Iterable[str] = (),
) -> Finding:
    evidence: list[str | Evidence] = []
    if (said := problem_evidence(key, values)) is not None:
        evidence.append(said)
    evidence += list(extra)
    if now:
        evidence.append(Evidence.of(RECORD_NOW, record=now))
    if fixed:
        evidence.append(Evidence.of(RECORD_FIXED, suggested_record=fixed))
    params = {"domain": domain, "problem": key, "record": now, "suggested_record": fixed, **values}
    return finding(cause, ServerRole.DOMAIN, params, evidence, severity=severity)


def _from_domain_problems(module: str, problems: Iterable[DomainProblem], domain: str) -> list[Finding]:
    found = []
    for problem in problems:
        cause = str(problem.cause) if problem.cause is not None else None
        if module == "mx" and cause is None:
            cause = "REVERSE_DNS_MISSING" if problem.code in _PTR_PROBLEMS else "MX_MISCONFIGURED"
        if cause is None or problem.severity == Severity.INFO:
            continue  # "could not be asked" stays in the report's section; it is no fault
        values = dict(problem.params)
        found.append(
            _finding(
                cause,
                f"{module}:{problem.code}",
                problem.severity,
                domain,
                values,
                " / ".join(problem.record_now) or None,
                " / ".join(problem.record_fixed) or None,
                problem.evidence,
            )
        )
    return found


def suggested_spf(record: str | None, sender_ips: Sequence[str]) -> str:
    """The record with the sending addresses in it and a hard "-all" at the end."""
    additions = [f"ip6:{ip}" if ":" in ip else f"ip4:{ip}" for ip in sender_ips]
    if record is None:
        return " ".join(["v=spf1", *(additions or ["mx"]), "-all"])
    terms = record.split()
    kept = [t for t in terms[1:] if t.lower().lstrip("+-~?") != "all" and t not in additions]
    return " ".join([terms[0], *kept, *additions, "-all"])


def _spf_policy(facts: DomainFacts) -> list[Finding]:
    policy = facts.spf_policy
    senders = [check.ip for check in facts.spf_checks]
    found: list[Finding | None] = []
    if policy.failure is not None:  # the domain's own TXT lookup failed: nothing else is known
        values = {"domain": facts.domain}
        found.append(
            _finding("SPF_FAIL", "spf:dns-error", Severity.WARNING, facts.domain, values, None, None)
        )
    for problem in policy.problems:
        found.append(_spf_policy_finding(facts.domain, policy.record, problem, senders))
    return [item for item in found if item is not None]


def _spf_policy_finding(
    domain: str, record: str | None, problem: PolicyProblem, senders: Sequence[str]
) -> Finding | None:
    issue = problem.issue
    if issue in _SPF_ERRORS:
        severity = Severity.ERROR
    elif issue in _SPF_WARNINGS:
        severity = Severity.WARNING
    else:
        return None
    values = {"domain": problem.domain}
    if problem.term:
        values["term"] = problem.term
    if (top := problem.top_term) is not None and top.term:
        values["include"] = top.term
    fixed = None
    if issue in (PolicyIssue.NO_RECORD, PolicyIssue.PASS_ALL, PolicyIssue.NEUTRAL_ALL, PolicyIssue.NO_ALL):
        fixed = suggested_spf(record, senders)
    return _finding("SPF_FAIL", f"spf:{issue.value}", severity, domain, values, record, fixed)


def _spf_checks(facts: DomainFacts) -> list[Finding]:
    found = []
    for check in facts.spf_checks:
        if check.result in (SpfResult.PASS, SpfResult.PERMERROR, SpfResult.NONE):
            continue  # pass is fine; a broken or missing record is said by the policy findings
        severity = (
            Severity.ERROR if check.result in (SpfResult.FAIL, SpfResult.SOFTFAIL) else Severity.WARNING
        )
        values = {"domain": check.domain, "ip": check.ip, "result": check.result.value}
        fixed = suggested_spf(check.record, [check.ip]) if severity == Severity.ERROR else None
        found.append(
            _finding(
                "SPF_FAIL",
                f"spf-result:{check.result.value}",
                severity,
                facts.domain,
                values,
                check.record,
                fixed,
            )
        )
    return found


def _record_problems(
    cause: str, module: str, problems: Iterable[DmarcProblem | DkimProblem | StsProblem], domain: str
) -> list[Finding]:
    found = []
    for problem in problems:
        if problem.severity == Severity.INFO:
            continue
        values: dict[str, str] = {"domain": domain}
        for name in ("tag", "value", "selector", "field"):
            if (value := getattr(problem, name, None)) is not None:
                values[name] = str(value)
        found.append(
            _finding(
                cause,
                f"{module}:{problem.code.value}",
                problem.severity,
                domain,
                values,
                problem.record,
                problem.suggestion,
            )
        )
    return found


def one_per_cause(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """One finding per cause, for a report that names each cause once (`check`'s sending side).

    `findings` are ranked: the first of a cause is kept, with the evidence of the others of that
    cause added after its own (each line once), so nothing seen is lost.
    """
    kept: dict[str, Finding] = {}
    for item in findings:
        first = kept.get(item.cause)
        if first is None:
            kept[item.cause] = item
        else:
            evidence = (*first.evidence, *(line for line in item.evidence if line not in first.evidence))
            kept[item.cause] = dataclasses.replace(first, evidence=evidence)
    return tuple(kept.values())


def domain_findings(facts: DomainFacts) -> tuple[Finding, ...]:
    found: list[Finding] = []
    found += _from_domain_problems("mx", judge_mx(facts.mx), facts.domain)
    found += _spf_policy(facts)
    found += _spf_checks(facts)
    found += _record_problems("DMARC_FAIL", "dmarc", facts.dmarc.problems, facts.domain)
    found += _record_problems("DKIM_MISSING", "dkim", facts.dkim.problems, facts.domain)
    found += _record_problems("MTA_STS_BROKEN", "sts", facts.mta_sts.problems, facts.domain)
    found += _record_problems("MTA_STS_BROKEN", "sts", facts.tlsrpt.problems, facts.domain)
    if facts.blocklists is not None:
        found += _from_domain_problems("blocklist", judge_blocklists(facts.blocklists), facts.domain)
    if facts.registration is not None:
        resolves = facts.registration.nameservers.zone is not None
        judged = judge_registration(facts.registration.rdap, facts.checked_at, resolves=resolves)
        found += _from_domain_problems("registration", judged, facts.domain)
    return rank(found)
