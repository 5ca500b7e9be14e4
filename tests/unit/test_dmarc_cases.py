"""checkdmarc's record cases (../shared/data/dmarc/checkdmarc-cases.json, Apache-2.0): DMARC,
MTA-STS and TLS-RPT records judged as they are marked.

A case marked ``raises <Error>`` must be reported broken: our parser raises the error class
that stands for checkdmarc's (the table below). A case marked "see test" must parse.

Three MTA-STS cases are judged by RFC 8461 instead of their mark, and counted apart: a field
given twice and an unknown policy key. RFC 8461 section 3.2 says "unknown fields SHALL be
ignored" and "If any non-repeated field [...] appears more than once, senders MUST ignore all
but the first", and checkdmarc's own tests now say the same (duplicates keep the first value
with a warning, unknown keys are ignored with a warning); the file was extracted from an older
version. Those records parse, and the problem is reported as a warning
(DUPLICATE_FIELD / UNKNOWN_FIELD), not as a broken record.

The SPF-syntax cases of the file belong to the SPF checks (tests of maildoctor.domain.spf*).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from maildoctor.domain.dmarc import (
    DmarcError,
    DmarcReportUriError,
    DmarcSyntaxError,
    DmarcTagError,
    DmarcTagValueError,
    NotDmarcRecordError,
    parse_dmarc_record,
)
from maildoctor.domain.mtasts import (
    StsError,
    StsPolicyError,
    StsProblemCode,
    StsRecordError,
    TlsRptError,
    check_sts_policy,
    check_sts_record,
    parse_sts_policy,
    parse_sts_record,
    parse_tlsrpt_record,
)

REPO = Path(__file__).resolve().parents[2]
CASES_FILE = REPO.parent / "shared" / "data" / "dmarc" / "checkdmarc-cases.json"
SECTIONS = ("test_dmarc", "test_mta_sts", "test_smtp_tls_reporting")

# checkdmarc's exception -> ours (the class the parser must raise, and the code when it matters)
ERRORS: dict[str, tuple[type[Exception], str | None]] = {
    "InvalidDMARCReportURI": (DmarcReportUriError, "invalid_report_uri"),
    "InvalidDMARCTagValue": (DmarcTagValueError, "invalid_tag_value"),
    "DMARCSyntaxError": (DmarcSyntaxError, "syntax"),
    "InvalidDMARCTag": (DmarcTagError, "duplicate_tag"),
    "SPFRecordFoundWhereDMARCRecordShouldBe": (NotDmarcRecordError, "spf_record_at_dmarc"),
    "MTASTSRecordSyntaxError": (StsRecordError, None),
    "SPFRecordFoundWhereMTASTSRecordShouldBe": (StsRecordError, "spf_record_at_sts"),
    "MTASTSPolicySyntaxError": (StsPolicyError, None),
    "InvalidSMTPTLSReportingTag": (TlsRptError, None),
    "SMTPTLSReportingSyntaxError": (TlsRptError, None),
    "SPFRecordFoundWhereTLSRPTShouldBe": (TlsRptError, "tlsrpt_spf_record"),
}

# judged by RFC 8461 section 3.2 rather than the mark (see the module): test name -> the warning
BY_RFC_8461: dict[str, StsProblemCode] = {
    "testParseMtaStsRecordDuplicateTag": StsProblemCode.DUPLICATE_FIELD,
    "testParseMtaStsPolicyDuplicateKey": StsProblemCode.DUPLICATE_FIELD,
    "testParseMtaStsPolicyUnexpectedKey": StsProblemCode.UNKNOWN_FIELD,
}

PARSERS: dict[str, Any] = {
    "parse_dmarc_record": parse_dmarc_record,
    "parse_mta_sts_record": parse_sts_record,
    "parse_mta_sts_policy": parse_sts_policy,
    "parse_smtp_tls_reporting_record": parse_tlsrpt_record,
}
OUR_ERRORS = (DmarcError, StsError, TlsRptError)


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    if not CASES_FILE.is_file():
        return []
    data = json.loads(CASES_FILE.read_text(encoding="utf-8"))
    return [(section, case) for section in SECTIONS for case in data[section]]


CASES = load_cases()
pytestmark = pytest.mark.skipif(not CASES, reason=f"{CASES_FILE} is not here")


def judge(case: dict[str, Any]) -> tuple[bool, str]:
    """(passed, how) for one case."""
    parser = PARSERS[case["function"]]
    text: str = case["input"]
    expect: str = case["expect"]
    try:
        parser(text)
    except OUR_ERRORS as exc:
        raised: Exception | None = exc
    else:
        raised = None
    if case["test"] in BY_RFC_8461:
        wanted = BY_RFC_8461[case["test"]]
        check = check_sts_record if case["function"] == "parse_mta_sts_record" else check_sts_policy
        _, problems = check(text)
        reported = any(problem.code is wanted for problem in problems)
        return raised is None and reported, f"parses, {wanted.value} reported (RFC 8461 3.2)"
    if expect.startswith("raises "):
        name = expect.removeprefix("raises ")
        cls, code = ERRORS[name]
        if raised is None:
            return False, f"parsed, but {name} was expected"
        if type(raised) is not cls:
            return False, f"raised {type(raised).__name__}, {cls.__name__} expected"
        if code is not None and getattr(raised, "code", None) != code:
            return False, f"raised {raised}, code {code} expected"
        return True, f"broken: {raised}"
    if raised is not None:
        return False, f"raised {raised!r}, should parse"
    return True, "parses"


@pytest.mark.parametrize(
    ("section", "case"), CASES, ids=[f"{section}:{case['test']}" for section, case in CASES]
)
def test_case(section: str, case: dict[str, Any]) -> None:
    passed, how = judge(case)
    assert passed, f"{case['input']!r}: {how}"


def test_counts() -> None:
    totals: Counter[str] = Counter()
    passed: Counter[str] = Counter()
    by_rfc: Counter[str] = Counter()
    for section, case in CASES:
        ok, _ = judge(case)
        totals[section] += 1
        if ok and case["test"] in BY_RFC_8461:
            by_rfc[section] += 1
        elif ok:
            passed[section] += 1
    names = {"test_dmarc": "DMARC", "test_mta_sts": "MTA-STS", "test_smtp_tls_reporting": "TLS-RPT"}
    parts = []
    for section in SECTIONS:
        extra = f" + {by_rfc[section]} by RFC 8461 3.2" if by_rfc[section] else ""
        parts.append(f"{names[section]} {passed[section]}/{totals[section]} as marked{extra}")
    print("checkdmarc cases: " + "; ".join(parts))
    assert totals == Counter(test_dmarc=39, test_mta_sts=17, test_smtp_tls_reporting=8)
    assert passed["test_dmarc"] == 39
    assert passed["test_mta_sts"] + by_rfc["test_mta_sts"] == 17
    assert by_rfc["test_mta_sts"] == len(BY_RFC_8461)
    assert passed["test_smtp_tls_reporting"] == 8
