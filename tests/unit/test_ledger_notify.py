"""Sending a check-up report: the mail built, the password found, nothing sent when nothing changed,
and Apprise's json:// and form:// targets against a loopback HTTP server started here (never the
internet). The mail path against the lab's Postfix is in tests/integration/test_ledger_notify_lab.py."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import default
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar
from urllib.parse import parse_qs

import pytest

from maildoctor.i18n import get_translator
from maildoctor.ledger import notify
from maildoctor.ledger.notify import MailRoute, Outcome, Report, Sent
from maildoctor.model import Security

REPORT = Report("点検日: 2 件の変化\r\nBcc: evil@example.jp", "受信箱が 90% です。", "<p>受信箱</p>", True)
ROUTE = MailRoute(
    "127.0.0.1", 9, Security.STARTTLS, "it", "it@yamada.example.jp", ("boss@yamada.example.jp",)
)


def test_the_mail_has_text_and_html_and_no_header_can_be_smuggled_in() -> None:
    message = message_from_bytes(bytes(notify.build_message(REPORT, ROUTE, now=0)), policy=default)
    assert message["Subject"] == "点検日: 2 件の変化 Bcc: evil@example.jp"
    assert message["Bcc"] is None and message["To"] == "boss@yamada.example.jp"
    assert message["Auto-Submitted"] == "auto-generated" and message["Date"].endswith("1970 00:00:00 -0000")
    assert message["Message-ID"].endswith("@yamada.example.jp>")
    parts = [part.get_content_type() for part in message.walk()]
    assert parts == ["multipart/alternative", "text/plain", "text/html"]
    assert "受信箱が 90% です。" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_the_password_comes_from_the_environment_first_then_the_keyring() -> None:
    asked: list[tuple[str, str]] = []

    def keyring_get(service: str, user: str) -> str | None:
        asked.append((service, user))
        return "from-keyring"

    assert notify.find_password(ROUTE, {"MAILDOCTOR_NOTIFY_PASSWORD": "from-env"}, keyring_get) == "from-env"
    assert asked == []
    assert notify.find_password(ROUTE, {}, keyring_get) == "from-keyring"
    assert asked == [("maildoctor-notify", "it@127.0.0.1")]
    assert notify.find_password(ROUTE, {}, lambda service, user: None) is None


def test_nothing_changed_sends_nothing_and_asks_for_no_password() -> None:
    def no_password_wanted(route: MailRoute) -> str | None:
        raise AssertionError("the password was looked up")

    quiet = Report("s", "t", "<p>t</p>", changed=False)
    outcome = notify.send_report(
        quiet, mail=ROUTE, apprise_urls=["json://127.0.0.1:9/"], password=no_password_wanted
    )
    assert outcome == Outcome((), skipped=True) and outcome.ok
    assert outcome.describe(get_translator("ja")) == [
        "前回の点検日から変化がないため、報告は送っていません。"
    ]
    assert outcome.describe(get_translator("en")) == [notify.NOTHING_CHANGED]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            "Mail to smtp+starttls://it@127.0.0.1:9 → boss@yamada.example.jp: "
            "not sent: no password for the mail account (keep it in the keyring as service "
            "maildoctor-notify, user it@127.0.0.1, or in the variable MAILDOCTOR_NOTIFY_PASSWORD)",
        ),
        ("ja", "メール（smtp+starttls://it@127.0.0.1:9 → boss@yamada.example.jp）: 送っていません。"),
    ],
)
def test_without_a_password_nothing_is_sent_and_it_says_where_to_keep_one(lang: str, expected: str) -> None:
    outcome = notify.send_report(REPORT, mail=ROUTE, password=lambda route: None)
    assert not outcome.ok and outcome.sent[0].reason == notify.NO_PASSWORD
    assert outcome.describe(get_translator(lang))[0].startswith(expected)


# ------------------------------------------------------------------ Apprise against loopback


class Catcher(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, str, bytes]]] = []
    status: ClassVar[int] = 200

    def do_POST(self) -> None:
        body = self.rfile.read(min(int(self.headers.get("Content-Length", "0")), 1 << 20))
        type(self).received.append((self.path, self.headers.get("Content-Type", ""), body))
        self.send_response(type(self).status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def catcher() -> Iterator[tuple[int, type[Catcher]]]:
    handler = type("Handler", (Catcher,), {"received": [], "status": 200})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], handler
    server.shutdown()
    server.server_close()


def test_apprise_json_and_form_targets_receive_the_report(catcher: tuple[int, type[Catcher]]) -> None:
    port, handler = catcher
    urls = [f"json://127.0.0.1:{port}/hook", f"form://desk:pw-123@127.0.0.1:{port}/form"]
    outcome = notify.send_report(REPORT, apprise_urls=urls)
    assert outcome.ok and [item.ok for item in outcome.sent] == [True, True]
    (json_path, json_type, json_body), (form_path, form_type, form_body) = handler.received
    assert json_path == "/hook" and json_type.startswith("application/json")
    payload = json.loads(json_body)
    assert payload["title"] == "点検日: 2 件の変化 Bcc: evil@example.jp"
    assert payload["message"] == "受信箱が 90% です。"
    assert form_path == "/form" and "form-urlencoded" in form_type
    assert parse_qs(form_body.decode())["message"] == ["受信箱が 90% です。"]
    assert "pw-123" not in outcome.sent[1].target and "****" in outcome.sent[1].target
    line = outcome.describe(get_translator("ja"))[0]
    assert line.startswith(f"通知（json://127.0.0.1:{port}/hook") and line.endswith("）: 送りました")


def test_a_channel_that_refuses_and_an_unknown_url_are_reported_not_sent(
    catcher: tuple[int, type[Catcher]],
) -> None:
    port, handler = catcher
    handler.status = 500
    outcome = notify.send_report(REPORT, apprise_urls=[f"json://127.0.0.1:{port}/", "nonsense://token@x"])
    refused, unknown = outcome.sent
    assert not outcome.ok and not refused.ok and refused.reason == notify.NOT_ACCEPTED
    assert unknown.reason == notify.NOT_APPRISE and unknown.target == "nonsense://…"
    assert unknown.describe(get_translator("ja")).endswith("Apprise が知らない通知先です")
    assert refused.describe(get_translator("en")).endswith("not sent: the channel did not accept it")


def test_a_sent_line_in_both_languages() -> None:
    done = Sent("mail", "smtps://it@mail.example.jp:465 → boss@example.jp", True)
    assert (
        done.describe(get_translator("en"))
        == "Mail to smtps://it@mail.example.jp:465 → boss@example.jp: sent"
    )
    assert (
        done.describe(get_translator("ja"))
        == "メール（smtps://it@mail.example.jp:465 → boss@example.jp）: 送りました"
    )


def test_check_and_the_notify_module_load_neither_apprise_nor_keyring() -> None:
    probe = (
        "import sys; import maildoctor.cli.app, maildoctor.ledger.notify; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'apprise', 'keyring', 'sqlalchemy'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


def test_a_route_from_the_sending_server_as_the_book_keeps_it() -> None:
    route = notify.route_from_url(
        "smtp+starttls://Mail.Yamada.example.jp",
        username="it",
        sender="it@yamada.example.jp",
        recipients=["b@x.jp"],
    )
    assert (route.host, route.port, route.security) == ("mail.yamada.example.jp", 587, Security.STARTTLS)
    assert (
        notify.route_from_url("smtps://m.example.jp", username="u", sender="u@x.jp", recipients=[]).port
        == 465
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [("imaps://imap.example.jp", notify.NOT_SENDING), ("smtp://smtp.example.jp:587", notify.UNENCRYPTED)],
)
def test_a_receiving_or_unencrypted_server_is_refused(url: str, message: str) -> None:
    with pytest.raises(notify.RouteError) as refused:
        notify.route_from_url(url, username="u", sender="u@example.jp", recipients=["b@example.jp"])
    assert refused.value.message == message
    assert "暗号化" in get_translator("ja").gettext(notify.UNENCRYPTED)
