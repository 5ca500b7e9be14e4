"""Issue 12 item 5: a check report that does not contradict itself or repeat itself."""

from __future__ import annotations

import pytest
from rich.console import Console

from maildoctor.cli.render_check import render_report
from maildoctor.domain.dkim import DkimProblem, DkimProblemCode
from maildoctor.domain.findings import _record_problems, one_per_cause
from maildoctor.i18n import Language, get_translator
from maildoctor.lint.findings import lint_account
from maildoctor.model import (
    CheckResult,
    CheckStatus,
    Finding,
    MailSettings,
    Report,
    ServerRole,
    Severity,
    Verdict,
)
from maildoctor.rules.base import finding
from maildoctor.rules.checks import agree_with_findings
from maildoctor.rules.rank import rank


def test_dkim_missing_once_with_the_evidence_of_both_problems() -> None:
    problems = [
        DkimProblem(DkimProblemCode.DNS_ERROR, Severity.WARNING, None, selector="google", detail="timeout"),
        DkimProblem(
            DkimProblemCode.NO_KEY_FOUND,
            Severity.WARNING,
            None,
            'default._domainkey.example.jp TXT "v=DKIM1; k=rsa; p=…"',
            "default",
        ),
    ]
    found = _record_problems("DKIM_MISSING", "dkim", problems, "example.jp")
    assert [item.cause for item in found] == ["DKIM_MISSING", "DKIM_MISSING"]
    merged = one_per_cause(found)
    assert [item.cause for item in merged] == ["DKIM_MISSING"]
    assert merged[0].param("problem") == "dkim:dns_error"
    for item in found:
        for line in item.evidence:
            assert line in merged[0].evidence
    assert len(merged[0].evidence) == len(set(merged[0].evidence))


def test_one_per_cause_keeps_different_causes_in_order() -> None:
    problems = [DkimProblem(DkimProblemCode.NO_KEY_FOUND, Severity.WARNING, None, None, "default")]
    dkim = _record_problems("DKIM_MISSING", "dkim", problems, "example.jp")
    dmarc = _record_problems("DMARC_FAIL", "dmarc", [], "example.jp")
    assert one_per_cause([*dkim, *dmarc, *dkim]) == tuple(dkim)


def _mailbox_world() -> tuple[list[CheckResult], list[Finding]]:
    checks = [
        CheckResult("dns", ServerRole.INCOMING, CheckStatus.PASS, 3),
        CheckResult("login", ServerRole.INCOMING, CheckStatus.PASS, 20),
        CheckResult("mailbox", ServerRole.INCOMING, CheckStatus.PASS, 0),
        CheckResult("send", ServerRole.OUTGOING, CheckStatus.PASS, 0),
        CheckResult("tls", ServerRole.OUTGOING, CheckStatus.PASS, 0),
    ]
    found = [
        finding("MAILBOX_FULL", ServerRole.INCOMING, {"percent": "95"}, severity=Severity.WARNING),
        finding("TLS_CERT_EXPIRED", ServerRole.OUTGOING),
        finding("SPF_FAIL", ServerRole.DOMAIN, severity=Severity.WARNING),
    ]
    return checks, found


def test_a_check_with_a_finding_is_not_pass() -> None:
    checks, found = _mailbox_world()
    agreed = {(check.server, check.id): check.status for check in agree_with_findings(checks, found)}
    assert agreed == {
        (ServerRole.INCOMING, "dns"): CheckStatus.PASS,
        (ServerRole.INCOMING, "login"): CheckStatus.PASS,
        (ServerRole.INCOMING, "mailbox"): CheckStatus.FAIL,
        (ServerRole.OUTGOING, "send"): CheckStatus.PASS,
        (ServerRole.OUTGOING, "tls"): CheckStatus.FAIL,
    }


def _render(report: Report, lang: Language) -> str:
    console = Console(record=True, width=100, color_system=None)
    render_report(console, report, get_translator(lang))
    return console.export_text()


@pytest.mark.parametrize(
    ("lang", "warning", "problem", "ok"),
    [("ja", "要注意", "問題あり", "OK"), ("en", "warning", "problem", "OK")],
)
def test_the_checks_table_says_warning_and_problem_where_findings_are(
    lang: Language, warning: str, problem: str, ok: str
) -> None:
    checks, found = _mailbox_world()
    report = Report(
        address="taro@example.jp",
        verdict=Verdict.PROBLEMS,
        findings=rank(found),
        checks=agree_with_findings(checks, found),
        elapsed_ms=10,
        typed_settings=MailSettings(None, None, None, True),
        recommended_settings=None,
    )
    rows = {
        line.split("│")[2].strip(): line.split("│")[3].strip() for line in _table_rows(_render(report, lang))
    }
    translator = get_translator(lang)
    assert rows[translator.gettext("mailbox")] == warning
    assert rows[translator.gettext("encryption")] == problem
    assert rows["DNS"] == ok


def _table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("│") and line.count("│") == 5]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_invalid_address_shows_no_empty_table_and_no_doubled_label(lang: Language) -> None:
    found = lint_account("alice＠example.jp", None, {}, None)
    report = Report(
        address="alice＠example.jp",
        verdict=Verdict.PROBLEMS,
        findings=rank(found),
        checks=(),
        elapsed_ms=10,
        typed_settings=MailSettings(None, None, None, True),
        recommended_settings=None,
    )
    text = _render(report, lang)
    translator = get_translator(lang)
    assert translator.gettext("Checks") not in text
    label = translator.gettext("typed settings")
    assert label.casefold() in text.casefold()
    assert f"{label} · ".casefold() not in text.casefold()
    assert " · " not in text


def test_the_label_names_server_and_layer_when_they_differ() -> None:
    found = [finding("TLS_CERT_EXPIRED", ServerRole.OUTGOING)]
    report = Report(
        address="taro@example.jp",
        verdict=Verdict.PROBLEMS,
        findings=tuple(found),
        checks=(),
        elapsed_ms=10,
        typed_settings=MailSettings(None, None, None, True),
        recommended_settings=None,
    )
    assert "送信サーバー · 暗号化" in _render(report, "ja")
