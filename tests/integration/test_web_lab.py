"""`maildoctor web` against the lab's real Dovecot, Postfix and Unbound on loopback: every page,
the wizard with and without JavaScript (the live stream of server-sent events), and the attacks
that must fail — XSS through a hostile banner and a pasted message, CSRF, oversized bodies, too
many requests, a foreign Host header."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytest.importorskip("starlette")

from starlette.testclient import TestClient
from test_check_hostile import FakeServer

from maildoctor.model import Secret, leak_forms
from maildoctor.net.resolver import Nameserver
from maildoctor.web.app import create_app
from maildoctor.web.config import WebConfig
from maildoctor.web.ratelimit import Rate
from maildoctor_lab.certs import LabPKI
from maildoctor_lab.dns import DnsServer, DnsZone, zone_from_records
from maildoctor_lab.dovecot import DovecotServer
from maildoctor_lab.postfix import PostfixServer

pytestmark = pytest.mark.lab

ZONES: list[DnsZone] = [
    zone_from_records(
        "example.test",
        [
            "@ MX 10 mail",
            "mail A 127.0.0.1",
            '@ TXT "v=spf1 ip4:127.0.0.1 -all"',
            '_dmarc TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@example.test"',
        ],
    )
]
HOSTILE = "<script>alert('banner')</script><img src=x onerror=alert(1)>"


def make_config(dns_server: DnsServer, pki: LabPKI, cache: Path, **changes: object) -> WebConfig:
    values: dict[str, object] = {
        "nameservers": (Nameserver.parse(dns_server.nameserver),),
        "ca_file": pki.ca.cert,
        "timeout": 8.0,
        "cache_dir": cache,
        "allowed_hosts": ("testserver",),
        **changes,
    }
    return WebConfig(**values)  # type: ignore[arg-type]


@pytest.fixture
def web(dns_server: DnsServer, pki: LabPKI, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(make_config(dns_server, pki, tmp_path / "cache"))) as client:
        yield client


def token(client: TestClient, path: str = "/") -> str:
    page = client.get(path)
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def lab_account(dovecot: DovecotServer, postfix: PostfixServer, password: str) -> dict[str, str]:
    return {
        "address": "alice@example.test",
        "username": "alice",
        "password": password,
        "consent": "yes",
        "incoming": f"imap+starttls://mail.example.test:{dovecot.ports['imap']}",
        "outgoing": f"smtp+starttls://mail.example.test:{postfix.ports['submission']}",
    }


class _Tags(HTMLParser):
    """Every start tag with its attributes, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def assert_page_is_safe(html: str) -> None:
    """No inline script, style or event handler anywhere (the CSP forbids them; nothing needs them)."""
    parser = _Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert not (tag == "script" and "src" not in attrs), "an inline script"
        assert tag != "style" and "style" not in attrs, "an inline style"
        assert not any(name.startswith("on") for name in attrs), f"an event handler on <{tag}>"
        assert not (tag == "img" and attrs.get("src") == "x"), "markup from a server was not escaped"


@pytest.mark.parametrize("path", ["/", "/settings", "/explain", "/domain", "/ledger"])
@pytest.mark.parametrize(("lang", "words"), [("ja", "メール"), ("en", "mail")])
def test_every_page_answers_in_both_languages_with_its_guards(
    web: TestClient, path: str, lang: str, words: str
) -> None:
    page = web.get(path, headers={"accept-language": f"{lang}-JP" if lang == "ja" else "en-US"})
    assert page.status_code == 200
    assert f'<html lang="{lang}">' in page.text
    assert words in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"
    cookie = page.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert_page_is_safe(page.text)


def test_ja_by_query_and_remembered(web: TestClient) -> None:
    assert "送れない" in web.get("/?lang=ja", headers={"accept-language": "en"}).text
    assert "送れない" in web.get("/settings", headers={"accept-language": "en"}).text  # remembered


def test_the_healthy_account_without_javascript(
    web: TestClient, dovecot: DovecotServer, postfix: PostfixServer
) -> None:
    form = {**lab_account(dovecot, postfix, "secret"), "csrf_token": token(web)}
    answer = web.post("/check", data=form, headers={"accept-language": "ja"})
    assert answer.status_code == 200, answer.text
    html = answer.text
    # the account works; the lab's domain has no DKIM key, which the recipient's side shows
    assert 'class="verdict problems"' in html, re.findall(r"<h3>.*?</h3>", html)
    assert re.findall(r'class="hop hop-broken" data-hop="(\w+)"', html) == ["recipient"]
    assert 'data-hop="login"' in html
    assert re.search(r'class="hop hop-ok" data-hop="login"', html)
    assert re.search(r'class="hop hop-ok" data-hop="sending"', html)
    for form_of_password in leak_forms(Secret("secret"), ("alice", "alice@example.test")):
        assert form_of_password not in html
    job = re.search(r'href="/check/([^/"]+)/transcript.txt"', html)
    assert job is not None
    transcript = web.get(f"/check/{job.group(1)}/transcript.txt")
    assert transcript.status_code == 200
    assert "attachment" in transcript.headers["content-disposition"]
    assert "alice@example.test" in transcript.text and "C: " in transcript.text
    for form_of_password in leak_forms(Secret("secret"), ("alice", "alice@example.test")):
        assert form_of_password not in transcript.text
    assert_page_is_safe(html)
    printable = web.get(f"/check/{job.group(1)}/print", headers={"accept-language": "ja"})
    assert printable.status_code == 200
    assert 'data-hop="login"' in printable.text and "<script" not in printable.text
    assert "script-src" not in printable.headers["content-security-policy"]
    assert "secret" not in printable.text


def test_the_live_check_streams_each_layer_then_the_answer(
    web: TestClient, dovecot: DovecotServer, postfix: PostfixServer
) -> None:
    form = {**lab_account(dovecot, postfix, "wrong-password"), "live": "1", "csrf_token": token(web)}
    running = web.post("/check", data=form, headers={"accept-language": "en"})
    assert running.status_code == 200
    stream = re.search(r'data-stream="(/check/[^"]+/events)"', running.text)
    assert stream is not None
    with web.stream("GET", stream.group(1)) as events:
        assert events.headers["content-type"].startswith("text/event-stream")
        body = "".join(events.iter_text())
    names = re.findall(r"^event: (\w+)$", body, flags=re.MULTILINE)
    assert names[0] == "step" and names[-1] == "answer"
    assert names.count("answer") == 1 and names.count("step") >= 4
    steps = [line for line in body.splitlines() if line.startswith("data: <li")]
    assert any("login" in line and "problem" in line for line in steps)
    answer = body[body.rindex("event: answer") :]
    assert 'class="hop hop-broken" data-hop="login"' in answer
    assert "wrong-password" not in body
    # the answer page, and the same answer for one mail program (the htmx fragment)
    job = stream.group(1).split("/")[2]
    page = web.get(f"/check/{job}", headers={"accept-language": "en"})
    assert 'data-hop="login"' in page.text
    fragment = web.get(f"/check/{job}/answer", params={"client": "iphone"}, headers={"accept-language": "ja"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "iPhone" in fragment.text or "設定" in fragment.text


async def hostile_imap(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """An IMAP server whose greeting and every answer are hostile markup."""
    writer.write(b"* OK " + HOSTILE.encode() + b"\r\n")
    await writer.drain()
    while line := await asyncio.wait_for(reader.readline(), 5):
        writer.write(line.split(b" ", 1)[0] + b" BAD " + HOSTILE.encode() + b"\r\n")
        await writer.drain()


def test_a_hostile_banner_and_a_hostile_paste_are_shown_as_text(web: TestClient) -> None:
    with FakeServer(hostile_imap) as server:
        form = {
            "address": "alice@example.test",
            "incoming": f"imap://127.0.0.1:{server.port}",
            "pasted": f"{HOSTILE} 535 5.7.8 Authentication failed",
            "csrf_token": token(web),
        }
        answer = web.post("/check", data=form, headers={"accept-language": "en"})
    assert answer.status_code == 200
    html = answer.text
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(" in html  # shown, as text (in the transcript at least)
    assert_page_is_safe(html)


def test_forms_without_the_right_token_are_refused(web: TestClient) -> None:
    good = token(web)
    data = {"address": "alice@example.test"}
    assert web.post("/check", data=data).status_code == 403  # no token
    assert web.post("/check", data={**data, "csrf_token": good + "x"}).status_code == 403
    foreign = web.post("/check", data={**data, "csrf_token": good}, headers={"origin": "http://evil.example"})
    assert foreign.status_code == 403
    for path in ("/settings", "/explain", "/domain"):
        assert web.post(path, data={"csrf_token": "x" * 43}).status_code == 403
    # another site's page cannot read the cookie, so cannot send the same token: a fresh browser
    with TestClient(web.app) as stranger:
        assert stranger.post("/check", data={**data, "csrf_token": good}).status_code == 403


def test_a_password_needs_the_consent(web: TestClient) -> None:
    form = {"address": "alice@example.test", "password": "secret", "csrf_token": token(web)}
    refused = web.post("/check", data=form, headers={"accept-language": "en"})
    assert refused.status_code == 400
    assert "Tick the box" in refused.text
    assert "secret" not in refused.text  # the typed password is not sent back into the form


def test_too_large_and_too_many_and_foreign_hosts(dns_server: DnsServer, pki: LabPKI, tmp_path: Path) -> None:
    config = make_config(
        dns_server, pki, tmp_path, max_body_bytes=10_000, check_rate=Rate(per_minute=1, burst=1)
    )
    with TestClient(create_app(config)) as client:
        big = client.post("/explain", data={"csrf_token": token(client), "text": "x" * 20_000})
        assert big.status_code == 413
        form = {"csrf_token": token(client), "address": "  "}
        assert client.post("/check", data=form).status_code == 400  # a usage problem, counted
        assert client.post("/check", data=form).status_code == 429
        assert client.get("/", headers={"host": "evil.example"}).status_code == 400


def test_one_server_is_not_checked_over_and_over(dns_server: DnsServer, pki: LabPKI, tmp_path: Path) -> None:
    config = make_config(dns_server, pki, tmp_path, target_rate=Rate(per_minute=1, burst=1))
    with TestClient(create_app(config)) as client:
        form = {"address": "a@example.test", "incoming": "imap://127.0.0.1:9", "csrf_token": token(client)}
        assert client.post("/check", data=form).status_code == 200
        again = client.post("/check", data=form, headers={"accept-language": "en"})
        assert again.status_code == 429 and "wait a minute" in again.text
        other = {**form, "incoming": "imap://127.0.0.2:9"}
        assert client.post("/check", data=other).status_code == 200  # another server: its own count


def test_explain_a_pasted_message_and_a_returned_mail(web: TestClient) -> None:
    pasted = web.post(
        "/explain",
        data={"csrf_token": token(web), "text": "535 5.7.8 Error: authentication failed " + HOSTILE},
        headers={"accept-language": "ja"},
    )
    assert pasted.status_code == 200
    assert "<script>alert" not in pasted.text
    assert 'class="finding' in pasted.text
    bounce = (Path(__file__).parents[1] / "unit" / "test_bounce.py").read_text()
    dsn = bounce[bounce.index('DSN = b"""') + 10 : bounce.index('"""\n\nQMAIL')].encode()
    uploaded = web.post(
        "/explain",
        data={"csrf_token": token(web)},
        files={"file": ("bounce.eml", dsn, "message/rfc822")},
        headers={"accept-language": "en"},
    )
    assert uploaded.status_code == 200
    assert "hanako@example.com" in uploaded.text and "5.1.1" in uploaded.text


def test_the_domain_page_shows_the_records(web: TestClient) -> None:
    page = web.post("/domain", data={"csrf_token": token(web), "domain": "example.test"})
    assert page.status_code == 200
    assert "v=spf1 ip4:127.0.0.1 -all" in page.text
    assert "mail.example.test" in page.text
    not_a_domain = web.post("/domain", data={"csrf_token": token(web), "domain": "<b>?</b>"})
    assert not_a_domain.status_code == 400 and "<b>?" not in not_a_domain.text


def test_the_settings_page_and_its_downloads(web: TestClient) -> None:
    # a provider maildoctor knows: its data gives the settings (the lab's DNS knows no gmail.com, so
    # nothing is asked of the internet)
    page = web.post("/settings", data={"csrf_token": token(web), "address": "taro@gmail.com"})
    assert page.status_code == 200
    assert "imap.gmail.com" in page.text and "smtp.gmail.com" in page.text
    assert "<svg" in page.text  # the QR code
    key = re.search(r'href="/settings/([^/"]+)/sheet"', page.text)
    assert key is not None
    sheet = web.get(f"/settings/{key.group(1)}/sheet")
    assert sheet.status_code == 200 and "script-src" not in sheet.headers["content-security-policy"]
    assert "<script" not in sheet.text
    memo = web.get(f"/settings/{key.group(1)}/memo.txt")
    assert memo.status_code == 200 and "taro@gmail.com" in memo.text
    profile = web.get(f"/settings/{key.group(1)}/profile.mobileconfig")
    assert profile.status_code == 200
    assert b"<plist" in profile.content and b"imap.gmail.com" in profile.content
    assert web.get("/settings/unknown/sheet").status_code == 404


def test_the_settings_page_when_nothing_is_found(web: TestClient) -> None:
    page = web.post("/settings", data={"csrf_token": token(web), "address": "alice@example.test"})
    assert page.status_code == 200
    assert "見つかりませんでした" in page.text


@pytest.mark.parametrize(
    ("change", "hop"),
    [
        ({"password": "wrong-password", "address": "bob@example.test", "username": "bob"}, "login"),
        ({"incoming": "imap+starttls://mail.example.test:{closed}"}, "port"),
        ({"incoming": "imaps://mail.example.test:{imap}"}, "port"),  # SSL/TLS on the STARTTLS port
        ({"incoming": "imap+starttls://nosuch.example.test:{imap}"}, "dns"),
    ],
    ids=["wrong-password", "closed-port", "ssl-on-starttls-port", "unknown-name"],
)
def test_each_broken_setting_paints_its_own_hop_red(
    web: TestClient, dovecot: DovecotServer, postfix: PostfixServer, change: dict[str, str], hop: str
) -> None:
    closed = _closed_port()
    values = {"closed": str(closed), "imap": str(dovecot.ports["imap"])}
    form = {
        **lab_account(dovecot, postfix, "secret"),
        **{key: value.format(**values) for key, value in change.items()},
    }
    answer = web.post("/check", data={**form, "csrf_token": token(web)}, headers={"accept-language": "ja"})
    assert answer.status_code == 200
    red = re.findall(r'class="hop hop-broken" data-hop="(\w+)"', answer.text)
    assert hop in red, (red, re.findall(r"<h3>.*?</h3>", answer.text))
    account_hops = ["device", "dns", "name", "port", "login", "mailbox", "sending"]
    assert red[0] == hop or red[0] not in account_hops[: account_hops.index(hop)], red


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # nothing listens there any more
