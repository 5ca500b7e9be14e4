"""Whole check reports as a person reads them, in each mail program's own menus (golden files).

Four representative reports × every client in Japanese, the same four in English for one
client, and in Japanese without a client (the three common programs). The expected text is in
tests/golden/clients/<report>.<client>.<lang>.txt; after a deliberate change of wording or data,
rewrite them with

    MAILDOCTOR_UPDATE_GOLDEN=1 python3 -m uv run pytest tests/unit/test_client_golden.py

and read the diff before committing it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console

from maildoctor.cli.render_check import render_report
from maildoctor.clients import COMMON_CLIENTS, Client, ClientId, ClientVersion, load_client
from maildoctor.clients.guidance import Guidance
from maildoctor.clients.model import Lang
from maildoctor.clients.versions import choose_variant
from maildoctor.facts import DiagnosisFacts, ServerFacts, SettingsKnowledge
from maildoctor.i18n import N_, get_translator
from maildoctor.knowledge import render_finding
from maildoctor.model import (
    CheckResult,
    CheckStatus,
    Evidence,
    Finding,
    MailSettings,
    Report,
    ServerRole,
    Verdict,
    parse_server_url,
)
from maildoctor.rules.base import finding
from maildoctor.rules.password import with_password_page
from maildoctor.rules.pop import pop_delete_risk
from maildoctor.wrap import wrap

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "golden" / "clients"
UPDATE = os.environ.get("MAILDOCTOR_UPDATE_GOLDEN") == "1"
ENGLISH_CLIENT = ClientId.OUTLOOK_CLASSIC
GENERIC = "common"  # no --client: the three most common programs


def _checks(*rows: tuple[str, ServerRole, CheckStatus, int]) -> tuple[CheckResult, ...]:
    return tuple(CheckResult(check, role, status, ms) for check, role, status, ms in rows)


PASS, FAIL, SKIP = CheckStatus.PASS, CheckStatus.FAIL, CheckStatus.SKIP
IN, OUT = ServerRole.INCOMING, ServerRole.OUTGOING


def imap_port_security() -> Report:
    """SSL/TLS typed on IMAP's port 143: the server greets in plain text; 993 answers TLS."""
    typed = MailSettings(
        incoming=parse_server_url("imaps://imap.example.jp:143"),
        outgoing=parse_server_url("smtp+starttls://smtp.example.jp:587"),
        username="taro@example.jp",
    )
    item = finding(
        "PORT_SECURITY_MISMATCH",
        IN,
        {
            "role": "incoming",
            "host": "imap.example.jp",
            "port": 143,
            "typed_security": "ssl",
            "right_port": 993,
            "right_security": "ssl",
        },
        [
            Evidence.of(N_("Port {port} greeted without encryption:"), port=143),
            "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] Dovecot ready.",
        ],
    )
    return Report(
        address="taro@example.jp",
        verdict=Verdict.PROBLEMS,
        findings=(item,),
        checks=_checks(("dns", IN, PASS, 12), ("tcp", IN, PASS, 20), ("tls", IN, FAIL, 31)),
        elapsed_ms=1234,
        typed_settings=typed,
        recommended_settings=None,
    )


def smtp_auth_required() -> Report:
    """The outgoing server refuses to relay: "My outgoing server requires authentication" is off."""
    typed = MailSettings(
        incoming=parse_server_url("imaps://imap.example.jp:993"),
        outgoing=parse_server_url("smtp+starttls://smtp.example.jp:587"),
        username="taro@example.jp",
        outgoing_auth=False,
    )
    item = finding(
        "SMTP_AUTH_REQUIRED",
        OUT,
        {"host": "smtp.example.jp", "port": 587},
        [
            Evidence.of(N_("Reply to {command}:"), command="RCPT TO:<jiro@example.com>"),
            "530 5.7.0 Authentication required",
        ],
    )
    return Report(
        address="taro@example.jp",
        verdict=Verdict.PROBLEMS,
        findings=(item,),
        checks=_checks(
            ("dns", OUT, PASS, 10), ("tcp", OUT, PASS, 18), ("tls", OUT, PASS, 40), ("send", OUT, FAIL, 55)
        ),
        elapsed_ms=2345,
        typed_settings=typed,
        recommended_settings=None,
    )


def auth_failed_password_page() -> Report:
    """Gmail refuses the password; the provider data names the page where it is made."""
    typed = MailSettings(
        incoming=parse_server_url("imaps://imap.gmail.com:993"),
        outgoing=parse_server_url("smtps://smtp.gmail.com:465"),
        username="taro@gmail.com",
    )
    items: list[Finding] = [
        finding(
            "AUTH_FAILED",
            IN,
            {"role": "incoming", "host": "imap.gmail.com", "username": "taro@gmail.com"},
            ["a1 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)"],
        )
    ]
    settings = SettingsKnowledge(provider="Gmail", password_page="https://myaccount.google.com/apppasswords")
    return Report(
        address="taro@gmail.com",
        verdict=Verdict.PROBLEMS,
        findings=tuple(with_password_page(items, settings)),
        checks=_checks(
            ("dns", IN, PASS, 9), ("tcp", IN, PASS, 15), ("tls", IN, PASS, 38), ("login", IN, FAIL, 120)
        ),
        elapsed_ms=3456,
        typed_settings=typed,
        recommended_settings=None,
    )


def pop_delete() -> Report:
    """Everything works over POP3; with --client the program's delete-from-server habit is a warning."""
    typed = MailSettings(
        incoming=parse_server_url("pop3s://pop.example.jp:995"),
        outgoing=parse_server_url("smtp+starttls://smtp.example.jp:587"),
        username="taro@example.jp",
    )
    assert typed.incoming is not None
    facts = DiagnosisFacts(
        address="taro@example.jp",
        domain="example.jp",
        servers=(ServerFacts(IN, typed.incoming, "taro@example.jp"),),
        client="any",  # the rule only asks whether a program was named
    )
    return Report(
        address="taro@example.jp",
        verdict=Verdict.PROBLEMS,
        findings=tuple(pop_delete_risk(facts)),
        checks=_checks(
            ("dns", IN, PASS, 8),
            ("tcp", IN, PASS, 14),
            ("tls", IN, PASS, 35),
            ("login", IN, PASS, 90),
            ("mailbox", IN, PASS, 12),
        ),
        elapsed_ms=4567,
        typed_settings=typed,
        recommended_settings=None,
    )


REPORTS: dict[str, Callable[[], Report]] = {
    "imap-port-security": imap_port_security,
    "smtp-auth-required": smtp_auth_required,
    "auth-failed-password-page": auth_failed_password_page,
    "pop-delete-risk": pop_delete,
}

# older versions whose menus differ (`--client iphone@17`): the report that shows their changed paths
VERSIONED = ("iphone@17", "thunderbird@128")

CASES = [
    *[(name, client.value, "ja") for name in REPORTS for client in ClientId],
    *[("pop-delete-risk", client, "ja") for client in VERSIONED],
    *[(name, ENGLISH_CLIENT.value, "en") for name in REPORTS],
    *[(name, GENERIC, "ja") for name in REPORTS],
]


def named(client: str) -> Client | None:
    """A case's client: None (the common three), a program, or a program at a version ("iphone@17")."""
    if client == GENERIC:
        return None
    program, _, version = client.partition("@")
    if not version:
        return ClientId(program)
    variant = choose_variant(version, load_client(ClientId(program)).variants)
    assert variant is not None, f"{client}: no older menus kept for this version"
    return ClientVersion(ClientId(program), variant.name)


def render(name: str, client: str, lang: Lang) -> str:
    report = REPORTS[name]()
    buffer = StringIO()
    console = Console(file=buffer, width=100, color_system=None)
    guidance = Guidance(named(client), account=report.address)
    render_report(console, report, get_translator(lang), guidance)
    return buffer.getvalue()


def golden_path(name: str, client: str, lang: str) -> Path:
    return GOLDEN_DIR / f"{name}.{client}.{lang}.txt"


@pytest.mark.parametrize(("name", "client", "lang"), CASES, ids=[".".join(case) for case in CASES])
def test_report_matches_its_golden_file(name: str, client: str, lang: Lang) -> None:
    output = render(name, client, lang)
    path = golden_path(name, client, lang)
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(output, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with MAILDOCTOR_UPDATE_GOLDEN=1 to write it"
    assert output == path.read_text(encoding="utf-8")


def test_every_golden_file_belongs_to_a_case() -> None:
    # a renamed report or client must not leave a stale file behind that nothing compares
    expected = {golden_path(*case).name for case in CASES}
    present = {path.name for path in GOLDEN_DIR.glob("*.txt")}
    assert present == expected


# ------------------------------------------------------------------ what the goldens must say
# independent of the stored files, so that a wrong rewrite of them is caught too


def unwrapped(text: str) -> str:
    """The text without line breaks, indents, spaces or the panel's side borders."""
    return "".join(text.replace("│", " ").split())


@pytest.mark.parametrize(("name", "client", "lang"), CASES, ids=[".".join(case) for case in CASES])
def test_report_speaks_in_the_programs_menus(name: str, client: str, lang: Lang) -> None:
    report = REPORTS[name]()
    guidance = Guidance(named(client), account=report.address)
    output = render(name, client, lang)
    assert "{" not in output and "}" not in output
    flat = unwrapped(output)
    where = [
        line
        for lines in render_finding(report.findings[0], get_translator(lang), guidance).where
        for line in lines
    ]
    assert where, "the top finding has a step that changes a setting"
    for line in where:
        assert unwrapped(line) in flat, line  # every line of where is printed, whole
    separator = ": " if lang == "en" else "："
    prefixes = {other: load_client(other).name.get(lang) + separator for other in ClientId}
    if client == GENERIC:
        assert all(line.startswith(tuple(prefixes[common] for common in COMMON_CLIENTS)) for line in where)
        assert "--client" in output  # the hint to name the program
    else:
        assert not any(line.startswith(tuple(prefixes.values())) for line in where)
        assert "--client" not in output  # the hint is for those who named no program


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_password_page_is_in_the_report(lang: Lang) -> None:
    output = render("auth-failed-password-page", ENGLISH_CLIENT.value, lang)
    assert "https://myaccount.google.com/apppasswords" in output
    assert "Gmail" in output


def test_wrapping_keeps_numbers_whole() -> None:
    report = imap_port_security()
    text = render_finding(report.findings[0], get_translator("ja")).fix[2]
    words = re.findall(r"[\x21-\x7e]+", text)
    assert "465" in words
    broken = [
        (width, word)
        for width in range(30, 100)
        for word in words
        if len(word) <= width and not any(word in line for line in wrap(text, width))
    ]
    assert not broken


def test_the_versioned_goldens_differ_from_the_current_menus_where_the_program_changed() -> None:
    iphone17 = render("pop-delete-risk", "iphone@17", "ja")
    assert "設定 → メール → アカウント" in iphone17 and "アプリ" not in iphone17.replace("メールアプリ", "")
    assert "設定 → アプリ → メール → メールアカウント" in render("pop-delete-risk", "iphone", "ja")
    assert "既存のメールアドレス" in unwrapped(render("pop-delete-risk", "thunderbird@128", "ja"))
    assert "既存のメールアドレス" not in unwrapped(render("pop-delete-risk", "thunderbird", "ja"))
