"""`maildoctor domain --json`: the `maildoctor.domain/1` document of ../shared/spec/interface.md.

interface.md fixes `domain`, `mx`, `spf`, `dmarc` and `findings`; the other sections (`dkim`,
`mta_sts`, `tlsrpt`, `blocklists`, `registration`) are additions the document may grow by.
"""

from __future__ import annotations

from typing import Any, Final

from maildoctor.domain.engine import DomainFacts
from maildoctor.domain.mx import mx_entries
from maildoctor.domain.spf import spf_json
from maildoctor.i18n import Translator
from maildoctor.model import Finding, Severity
from maildoctor.report import finding_to_json

SCHEMA: Final = "maildoctor.domain/1"


def verdict(findings: tuple[Finding, ...]) -> str:
    return "problems" if any(f.severity in (Severity.ERROR, Severity.WARNING) for f in findings) else "ok"


def _dkim(facts: DomainFacts) -> dict[str, Any]:
    return {
        "selectors_tried": [result.selector for result in facts.dkim.results],
        "keys": [
            {
                "selector": result.selector,
                "name": result.name,
                "usable": result.check.usable if result.check is not None else False,
                "key_type": str(result.check.key.key_type) if result.check and result.check.key else None,
                "key_bits": result.check.key.key_bits if result.check and result.check.key else None,
                "testing": "y" in result.check.key.flags if result.check and result.check.key else False,
            }
            for result in facts.dkim.found
        ],
    }


def _mta_sts(facts: DomainFacts) -> dict[str, Any]:
    sts = facts.mta_sts
    return {
        "outcome": str(sts.outcome),
        "record": sts.records[0] if len(sts.records) == 1 else None,
        "mode": str(sts.mode) if sts.mode is not None else None,
        "mx_covered": {item.host: item.pattern is not None for item in sts.coverage},
        "tlsrpt": facts.tlsrpt.records[0] if len(facts.tlsrpt.records) == 1 else None,
    }


def _blocklists(facts: DomainFacts) -> list[dict[str, Any]] | None:
    if facts.blocklists is None:
        return None
    return [
        {
            "list": answer.blocklist.name,
            "zone": answer.blocklist.zone,
            "address": answer.address,
            "status": str(answer.status),
            "codes": [code.address for code in answer.codes] + list(answer.unknown),
        }
        for answer in facts.blocklists.answers
    ]


def _registration(facts: DomainFacts) -> dict[str, Any] | None:
    check = facts.registration
    if check is None:
        return None
    record = check.rdap.record
    return {
        "registered_domain": check.registered,
        "rdap": str(check.rdap.outcome),
        "expires": record.expires.isoformat() if record and record.expires else None,
        "registrar": record.registrar if record else None,
        "statuses": list(record.statuses) if record else [],
        "nameservers": list(check.hosting.nameservers),
        "dns_providers": [match.provider.name for match in check.hosting.providers],
    }


def unseen_to_json(domain: str, broken: Finding, translator: Translator) -> dict[str, Any]:
    """The document when the resolver lies: nothing about the domain, only why (verdict incomplete)."""
    return {
        "schema": SCHEMA,
        "domain": domain,
        "verdict": "incomplete",
        "findings": [finding_to_json(broken, translator)],
    }


def domain_to_json(
    facts: DomainFacts, findings: tuple[Finding, ...], translator: Translator
) -> dict[str, Any]:
    checks = facts.spf_checks
    return {
        "schema": SCHEMA,
        "domain": facts.domain,
        "verdict": verdict(findings),
        "mx": mx_entries(facts.mx),
        "spf": spf_json(facts.spf_policy, checks[0] if checks else None),
        **(
            {"spf_checks": [spf_json(facts.spf_policy, check) for check in checks]} if len(checks) > 1 else {}
        ),
        "dmarc": facts.dmarc.as_json(),
        "dkim": _dkim(facts),
        "mta_sts": _mta_sts(facts),
        "blocklists": _blocklists(facts),
        "registration": _registration(facts),
        "findings": [finding_to_json(item, translator) for item in findings],
        "elapsed_ms": facts.elapsed_ms,
    }
