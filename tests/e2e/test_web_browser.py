"""`maildoctor web` in a real headless Chromium (Debian's package, driven by Playwright through its
executable path: nothing downloaded) against the lab's real Dovecot, Postfix and Unbound.

The wizard on a phone (390×844) and a desk (1366×768) window, by keyboard alone: a wrong password
leads to the red login hop and its fix, the right one to a green login; no Content-Security-Policy
violation on the way (nothing inline is needed); axe-core (vendored under tests/e2e/vendor) finds
no serious or critical violation on any page. Screenshots are saved in the test's tmp directory.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from maildoctor_lab.certs import LabPKI
from maildoctor_lab.common import LabUnavailableError
from maildoctor_lab.dns import DnsServer, running_dns, zone_from_records
from maildoctor_lab.dovecot import DovecotServer
from maildoctor_lab.postfix import PostfixServer
from maildoctor_lab.web import running_web

pytest.importorskip("starlette")
playwright_sync = pytest.importorskip("playwright.sync_api")


pytestmark = pytest.mark.lab

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ZONES = [zone_from_records("example.test", ["@ MX 10 mail", "mail A 127.0.0.1"])]
WINDOWS = [(390, 844), (1366, 768)]


def _unavailable(reason: str) -> None:
    """A lab part missing: a skip here, a failure where the lab is required (CI)."""
    if os.environ.get("MAILDOCTOR_LAB_REQUIRED") == "1":
        pytest.fail(f"lab required but unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def lab_dns(lab_root: Path) -> Iterator[DnsServer]:
    try:
        with running_dns(lab_root / "web-browser-dns", ZONES) as server:
            yield server
    except LabUnavailableError as exc:
        _unavailable(f"Unbound is not installed: {exc}")


VIEWER = ("viewer", "viewer password 1")


def _book(path: Path) -> str:
    """A book with a viewer who may sign in, a company, a person and an account (never the user's own)."""
    from maildoctor.ledger.book import Book
    from maildoctor.ledger.location import sqlite_url
    from maildoctor.ledger.records import ACCOUNTS, COMPANIES, PEOPLE
    from maildoctor.ledger.store import open_book, transaction
    from maildoctor.web.users import Role, add_user

    path.unlink(missing_ok=True)
    url = sqlite_url(path)
    engine = open_book(url, create=True)
    add_user(engine, *VIEWER, Role.VIEWER)
    with transaction(engine) as session:
        book = Book(session, "test", providers=frozenset())
        company = book.add(COMPANIES, None, {"code": "acme", "name": "株式会社アクメ"})
        book.add(PEOPLE, company, {"name": "田中 太郎", "department": "総務"})
        book.add(ACCOUNTS, company, {"address": "taro@example.jp", "person": "田中 太郎"})
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def web_url(lab_dns: DnsServer, pki: LabPKI, lab_root: Path) -> Iterator[str]:
    options = ("--dns", lab_dns.nameserver, "--ca-file", str(pki.ca.cert), "--timeout", "10")
    env = {
        "XDG_CACHE_HOME": str(lab_root / "web-browser-cache"),
        "MAILDOCTOR_LEDGER_URL": _book(lab_root / "web-browser-book.sqlite3"),
    }
    with running_web(*options, env=env) as server:
        yield server.url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _unavailable("Debian's chromium is not installed (scripts/install-lab-packages)")
    with playwright_sync.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def tab_to(page: Any, selector: str, limit: int = 60) -> None:
    """Press Tab until `selector` has the focus: the keyboard alone, as a person without a mouse."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"{selector} cannot be reached with the Tab key")


def sign_in(page: Any, base: str) -> None:
    page.goto(base + "/login")
    page.fill("#name", VIEWER[0])
    page.fill("#password", VIEWER[1])
    page.press("#password", "Enter")
    page.wait_for_url(base + "/")


def no_serious_violations(browser: Any, url: str, size: tuple[int, int], signed_in_at: str = "") -> None:
    """axe-core on `url`, in a context that lets the test inject it (the page's CSP would not)."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, bypass_csp=True)
    page = context.new_page()
    if signed_in_at:
        sign_in(page, signed_in_at)
    page.goto(url)
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document)")
    text = page.content()
    serious = [
        (item["id"], item["impact"], [node["target"] for node in item["nodes"]][:3])
        for item in result["violations"]
        if item["impact"] in ("serious", "critical")
    ]
    context.close()
    assert serious == [], f"{url}: {serious} {text[:300]}"


@pytest.mark.parametrize("size", WINDOWS, ids=lambda size: f"{size[0]}x{size[1]}")
# bob and alice: a failed login is remembered per server and user (and then not tried again)
@pytest.mark.parametrize(
    ("user", "password", "hop", "state"),
    [("bob", "wrong-password", "login", "broken"), ("alice", "secret", "login", "ok")],
)
def test_the_wizard_by_keyboard_leads_to_the_right_hop(
    browser: Any,
    web_url: str,
    dovecot: DovecotServer,
    postfix: PostfixServer,
    tmp_path: Path,
    size: tuple[int, int],
    user: str,
    password: str,
    hop: str,
    state: str,
) -> None:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="ja-JP")
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{message.text} at {message.location}")
            if "Content Security Policy" in message.text or message.text.startswith("CSP violation")
            else None
        ),
    )
    # every CSP violation, with the element that caused it (Playwright's init scripts are not the page's)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.log('CSP violation: ' + "
        "e.violatedDirective + ' ' + "
        "(e.target && e.target.outerHTML ? e.target.outerHTML.slice(0, 200) : '')))"
    )
    page.goto(web_url + "/")
    assert page.title().startswith("メールが送れない")
    page.keyboard.press("Tab")
    tab_to(page, "#address")
    page.keyboard.type(f"{user}@example.test")
    tab_to(page, "input[name=consent]")
    page.keyboard.press("Space")
    tab_to(page, "#password")
    page.keyboard.type(password)
    tab_to(page, "#username")
    page.keyboard.type(user)
    tab_to(page, "details summary")
    page.keyboard.press("Enter")  # opens the servers' part
    tab_to(page, "#incoming")
    page.keyboard.type(f"imap+starttls://mail.example.test:{dovecot.ports['imap']}")
    tab_to(page, "#outgoing")
    page.keyboard.type(f"smtp+starttls://mail.example.test:{postfix.ports['submission']}")
    page.keyboard.press("Enter")  # submits the form
    page.wait_for_selector("#answer .verdict", timeout=40_000)
    page.screenshot(path=str(tmp_path / f"answer-{size[0]}x{size[1]}-{state}.png"), full_page=True)
    assert page.locator(f'#answer [data-hop="{hop}"]').get_attribute("class") == f"hop hop-{state}"
    assert page.locator("#steps li").count() >= 4  # the layers streamed in as they finished
    if state == "broken":
        assert page.locator("#answer .finding h3").count() >= 1
        assert page.locator("#answer ol.fix li").count() >= 1
    assert password not in page.content()
    # the mail program's own menus, swapped in by htmx
    page.select_option("#answer-client", "iphone")
    page.wait_for_function("document.querySelector('#answer-client').value === 'iphone'")
    assert violations == []
    stream = page.locator("#live").get_attribute("data-stream")
    context.close()
    assert stream is not None and stream.endswith("/events")
    no_serious_violations(browser, web_url + stream.removesuffix("/events"), size)  # the answer page


@pytest.mark.parametrize("size", WINDOWS, ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize("path", ["/", "/settings", "/explain", "/domain", "/ledger", "/?lang=en"])
def test_every_page_has_no_serious_accessibility_violation(
    browser: Any, web_url: str, tmp_path: Path, size: tuple[int, int], path: str
) -> None:
    no_serious_violations(browser, web_url + path, size)
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.goto(web_url + path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= size[0], "the page scrolls sideways"
    name = path.strip("/?").replace("=", "-") or "start"
    page.screenshot(path=str(tmp_path / f"{name}-{size[0]}x{size[1]}.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("size", WINDOWS, ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize(
    "path",
    [
        "/login",
        "/ledger",
        "/ledger/accounts",
        "/ledger/people",
        "/ledger/devices",
        "/ledger/retirement?company=acme&person=%E7%94%B0%E4%B8%AD%20%E5%A4%AA%E9%83%8E",
        "/ledger/checkups",
    ],
)
def test_the_book_pages_signed_in_have_no_serious_violation(
    browser: Any, web_url: str, tmp_path: Path, size: tuple[int, int], path: str
) -> None:
    no_serious_violations(browser, web_url + path, size, signed_in_at=web_url)
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="ja-JP")
    page = context.new_page()
    csp_violations: list[str] = []
    page.on(
        "console",
        lambda message: csp_violations.append(message.text) if "Content Security" in message.text else None,
    )
    sign_in(page, web_url)
    page.goto(web_url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0], "the page scrolls sideways"
    if path.startswith("/ledger/") and "checkups" not in path:
        assert page.locator("main table").count() >= 1, page.content()[:300]
    name = path.strip("/").partition("?")[0].replace("/", "-")
    page.screenshot(path=str(tmp_path / f"{name}-{size[0]}x{size[1]}.png"), full_page=True)
    context.close()
    assert csp_violations == []
