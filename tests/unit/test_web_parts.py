"""maildoctor web's pure parts: the SSRF guard, the CSRF token, the rate limiter, the page
language, the path of a mail hop by hop and its SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

pytest.importorskip("starlette")

from maildoctor.i18n import get_translator
from maildoctor.model import CheckResult, CheckStatus, Finding, Layer, ServerRole, Severity
from maildoctor.web import csrf
from maildoctor.web.hops import HopState, broken, checks_from_steps, hops_of
from maildoctor.web.language import from_accept_language, page_language
from maildoctor.web.picture import path_svg
from maildoctor.web.ratelimit import Rate, RateLimiter
from maildoctor.web.targets import TargetRefusal, is_loopback_host, target_refusal

SVG = "{http://www.w3.org/2000/svg}"


# ------------------------------------------------------------------ SSRF guard
@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "fc00::1",
        "0.0.0.0",  # noqa: S104 -- an address to refuse, not bound
        "100.64.0.1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "224.0.0.1",
    ],
)
def test_internal_targets_are_refused_beyond_loopback(address: str) -> None:
    assert target_refusal([address], beyond_loopback=True, allow_internal=False) == TargetRefusal.INTERNAL
    # …unless the operator allowed them, and never on loopback (the person's own network)
    assert target_refusal([address], beyond_loopback=True, allow_internal=True) is None
    assert target_refusal([address], beyond_loopback=False, allow_internal=False) is None


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700::1111"])
def test_public_targets_go_ahead(address: str) -> None:
    assert target_refusal([address], beyond_loopback=True, allow_internal=False) is None


def test_one_internal_address_among_public_ones_refuses() -> None:
    found = target_refusal(["8.8.8.8", "10.0.0.1"], beyond_loopback=True, allow_internal=False)
    assert found == TargetRefusal.INTERNAL
    assert target_refusal(["mail.example"], beyond_loopback=True, allow_internal=False) == (
        TargetRefusal.NOT_AN_ADDRESS
    )


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),  # noqa: S104 -- a host to refuse, not bound
        ("192.168.1.5", False),
        ("example.jp", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


# ------------------------------------------------------------------ CSRF, rate limit, language
def test_csrf_tokens() -> None:
    token = csrf.new_token()
    assert csrf.tokens_match(token, token)
    assert not csrf.tokens_match(token, csrf.new_token())
    assert not csrf.tokens_match(None, token)
    assert not csrf.tokens_match("", "")
    assert not csrf.tokens_match("x", "x")  # too short to be ours
    assert csrf.same_origin(None, "127.0.0.1:8025", "http")
    assert csrf.same_origin("http://127.0.0.1:8025", "127.0.0.1:8025", "http")
    assert not csrf.same_origin("http://evil.example", "127.0.0.1:8025", "http")


def test_rate_limiter_refills_with_time() -> None:
    now = [0.0]
    limiter = RateLimiter(Rate(per_minute=6, burst=2), lambda: now[0])
    assert [limiter.allow("a") for _ in range(3)] == [True, True, False]
    assert limiter.allow("b")  # per client
    now[0] += 10  # one token back after 10 s at 6 a minute
    assert limiter.allow("a")
    assert not limiter.allow("a")


def test_rate_limiter_table_is_bounded() -> None:
    limiter = RateLimiter(Rate(per_minute=1, burst=1), lambda: 0.0, max_clients=3)
    for client in "abcde":
        limiter.allow(client)
    assert limiter.allow("a")  # forgotten, so a fresh bucket: the table kept only 3


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ja-JP,ja;q=0.9,en;q=0.8", "ja"),
        ("en-US,en;q=0.9", "en"),
        ("en;q=0.5, ja;q=0.9", "ja"),
        ("fr-FR", None),
        ("", None),
        ("ja_JP", "ja"),
        ("ja;q=0", None),
    ],
)
def test_accept_language(header: str, expected: str | None) -> None:
    found = from_accept_language(header)
    assert (found.value if found else None) == expected


def test_page_language_order() -> None:
    assert page_language("en", "ja", "ja").value == "en"
    assert page_language(None, "en", "ja").value == "en"
    assert page_language("xx", None, "en").value == "en"
    assert page_language(None, None, None).value == "ja"  # Japanese first


# ------------------------------------------------------------------ the path, hop by hop
def _check(check_id: str, status: CheckStatus, server: ServerRole = ServerRole.INCOMING) -> CheckResult:
    return CheckResult(check_id, server, status, 5)


def _finding(cause: str, layer: Layer, consequence_of: str | None = None) -> Finding:
    return Finding(
        cause=cause,
        severity=Severity.ERROR,
        layer=layer,
        server=ServerRole.INCOMING,
        consequence_of=consequence_of,
    )


def _states(checks: list[CheckResult], findings: list[Finding]) -> dict[str, HopState]:
    return {
        hop.kind.id: hop.state for hop in hops_of(checks, findings, lambda item: f"title of {item.cause}")
    }


def test_healthy_account_is_green_where_tested_and_grey_elsewhere() -> None:
    checks = [
        _check(step, CheckStatus.PASS) for step in ("dns", "tcp", "tls", "greeting", "login", "mailbox")
    ]
    checks += [_check(step, CheckStatus.PASS, ServerRole.OUTGOING) for step in ("dns", "tcp", "tls", "send")]
    states = _states(checks, [])
    assert set(states.values()) == {HopState.OK, HopState.UNTESTED}
    assert states["login"] == states["mailbox"] == states["sending"] == HopState.OK
    assert states["recipient"] == HopState.UNTESTED


def test_wrong_password_makes_only_the_login_red() -> None:
    checks = [_check(step, CheckStatus.PASS) for step in ("dns", "tcp", "tls", "greeting")]
    checks += [_check("login", CheckStatus.FAIL), _check("mailbox", CheckStatus.SKIP)]
    hops = hops_of(checks, [_finding("AUTH_FAILED", Layer.AUTH)], lambda item: "The password is wrong")
    assert [hop.kind.id for hop in broken(hops)] == ["login"]
    assert broken(hops)[0].cause_title == "The password is wrong"
    states = {hop.kind.id: hop.state for hop in hops}
    assert states["mailbox"] == HopState.UNTESTED  # could not test: grey, never red
    assert states["port"] == HopState.OK


def test_a_consequence_does_not_paint_its_hop_red() -> None:
    checks = [
        _check("dns", CheckStatus.PASS),
        _check("tcp", CheckStatus.PASS),
        _check("tls", CheckStatus.FAIL),
    ]
    findings = [_finding("CERT_EXPIRED", Layer.TLS), _finding("AUTH_FAILED", Layer.AUTH, "CERT_EXPIRED")]
    states = _states(checks, findings)
    assert states["port"] == HopState.BROKEN
    assert states["login"] == HopState.UNTESTED


def test_nothing_tested_is_all_grey() -> None:
    assert set(_states([], []).values()) == {HopState.UNTESTED}


def test_steps_so_far_become_checks() -> None:
    checks = checks_from_steps([("incoming", "dns", True), ("outgoing", "tcp", False)])
    assert [(c.id, c.server, c.status) for c in checks] == [
        ("dns", ServerRole.INCOMING, CheckStatus.PASS),
        ("tcp", ServerRole.OUTGOING, CheckStatus.FAIL),
    ]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_svg_is_accessible_and_says_each_state_in_words(lang: str) -> None:
    translator = get_translator(lang)
    checks = [_check(step, CheckStatus.PASS) for step in ("dns", "tcp", "tls", "greeting")]
    hops = hops_of(
        [*checks, _check("login", CheckStatus.FAIL)],
        [_finding("AUTH_FAILED", Layer.AUTH)],
        lambda item: "<script>alert(1)</script>",
    )
    svg = path_svg(hops, translator)
    root = ET.fromstring(svg)  # noqa: S314 -- our own output, well-formed XML
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.text
    assert desc is not None and desc.text
    assert root.get("aria-labelledby") == title.get("id")
    groups = root.findall(f"{SVG}g")
    assert len(groups) == 8
    assert [g.get("class") for g in groups].count("hop hop-broken") == 1
    words = translator.gettext("problem here")
    assert words in desc.text and "<script>" in desc.text  # as text, escaped in the markup
    assert "<script>" not in svg
    assert "style=" not in svg  # the page's CSP has no inline styles
    broken_texts = "".join(t.text or "" for t in groups[4].iter(f"{SVG}text"))
    assert words in broken_texts  # the state as text, not only colour


# ------------------------------------------------------------------ the printable answer
def test_the_printable_answer_has_the_picture_and_escapes_everything() -> None:
    from maildoctor.web.printable import printable_answer

    translator = get_translator("ja")
    svg = path_svg(hops_of([], [], lambda item: ""), translator)
    finding = {"title": "<b>t</b>", "fix": ["<script>x</script>"], "evidence": ["S: * OK <img src=x>"]}
    page = printable_answer(
        "a@example.jp", "問題が見つかりました", svg, [finding], "C: <script>\n", translator
    )
    assert svg in page  # the same picture as on the screen
    assert "Content-Security-Policy" in page and "script-src" not in page
    assert "<script>" not in page and "<img src=x>" not in page and "<b>t</b>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "&lt;b&gt;t&lt;/b&gt;" in page
    assert page.startswith("<!DOCTYPE html>") and '<html lang="ja">' in page


def test_a_long_japanese_cause_title_is_cut_to_fit_and_kept_whole_in_the_description() -> None:
    translator = get_translator("ja")
    title = "ユーザー名またはパスワードが間違っています。メールソフトの設定を確かめてください"
    checks = [_check("login", CheckStatus.FAIL)]
    svg = path_svg(hops_of(checks, [_finding("AUTH_FAILED", Layer.AUTH)], lambda item: title), translator)
    root = ET.fromstring(svg)  # noqa: S314 -- our own output, well-formed XML
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    cut = [text for text in texts if text.startswith("ユーザー名")]
    assert len(cut) == 1 and cut[0].endswith("…") and len(cut[0]) <= 23  # 44 half-width cells
    desc = root.find(f"{SVG}desc")
    assert desc is not None and title in (desc.text or "")


# ------------------------------------------------------------------ SSRF guard for names
def test_the_names_a_check_may_reach_from_dns_answers() -> None:
    from maildoctor.web.resolved_targets import guessed_names, named_in

    assert named_in(["10 mail.example.jp.", "0 1 993 IMAP.example.jp.", "", "0 ."]) == [
        "mail.example.jp",
        "imap.example.jp",
    ]
    assert "example.jp" in guessed_names("example.jp") and "autoconfig.example.jp" in guessed_names(
        "example.jp"
    )
    assert guessed_names(None) == []


def test_the_explain_page_reads_a_pasted_message_as_explain_does() -> None:
    """The page and `maildoctor explain` give the same causes in the same order: a bare "login
    failed" naming an Exchange Online server leads with the sign-in (the text names the server)."""
    from maildoctor.explain import explain_text
    from maildoctor.explain.reply import explain_reply
    from maildoctor.explain.report import message_findings
    from maildoctor.web.explaining import message_explanation

    text = "Login to server outlook.office365.com with username taro@contoso.com failed."
    page = message_explanation(text, get_translator("en"), None)
    cli = message_findings(explain_text(text), explain_reply(text), text)
    assert [finding["cause"] for finding in page["findings"]] == [finding.cause for finding in cli]
    assert page["findings"][0]["cause"] == "MODERN_AUTH_REQUIRED"
