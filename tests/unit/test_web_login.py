"""The web pages' login: argon2 users in the book, roles, the session cookie, logout, the gate in
front of the book (and of every page beyond loopback), and brute force that must fail."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("argon2")

from sqlalchemy import select
from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from maildoctor.ledger.location import sqlite_url
from maildoctor.ledger.schema import WebUser
from maildoctor.ledger.store import open_book, transaction
from maildoctor.web.admin import read_new_password
from maildoctor.web.app import create_app
from maildoctor.web.config import WebConfig
from maildoctor.web.gate import needs_login
from maildoctor.web.login_pages import safe_next
from maildoctor.web.loginguard import Backoff, LoginGuard
from maildoctor.web.sessions import IDLE, SessionStore
from maildoctor.web.users import Role, UserError, add_user, authenticate, user_count

PASSWORD = "correct horse battery"


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Engine]:
    engine = open_book(sqlite_url(tmp_path / "book.sqlite3"), create=True)
    add_user(engine, "admin", PASSWORD, Role.ADMIN)
    add_user(engine, "viewer", "viewer password 1", Role.VIEWER)
    yield engine
    engine.dispose()


def client_for(book: Engine | None, **changes: object) -> TestClient:
    config = WebConfig(allowed_hosts=("testserver",), **changes)  # type: ignore[arg-type]
    return TestClient(create_app(config, book))


def token(client: TestClient, path: str = "/login") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str, next_path: str = "/") -> object:
    return client.post(
        "/login",
        data={"csrf_token": token(client), "name": name, "password": password, "next": next_path},
        follow_redirects=False,
    )


# ------------------------------------------------------------------ users and hashes
def test_passwords_are_kept_as_argon2_hashes_only(book: Engine) -> None:
    with transaction(book) as session:
        hashes = list(session.scalars(select(WebUser.password_hash)))
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert not any(PASSWORD in h for h in hashes)
    assert authenticate(book, "admin", PASSWORD) is Role.ADMIN
    assert authenticate(book, "viewer", "viewer password 1") is Role.VIEWER
    assert authenticate(book, "admin", PASSWORD + "x") is None
    assert authenticate(book, "nobody", PASSWORD) is None
    assert user_count(book) == 2


@pytest.mark.parametrize(("name", "password"), [("", PASSWORD), ("a\x1b[2J", PASSWORD), ("x", "short")])
def test_unusable_users_are_refused(book: Engine, name: str, password: str) -> None:
    with pytest.raises(UserError):
        add_user(book, name, password, Role.VIEWER)


def test_a_name_is_taken_once(book: Engine) -> None:
    with pytest.raises(UserError):
        add_user(book, "admin", "another password", Role.VIEWER)


def test_the_new_password_is_typed_twice_on_a_terminal_or_read_from_a_pipe() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    answers = iter(["one password!!", "another one!!"])
    with pytest.raises(UserError):
        read_new_password(str, Tty(), lambda _prompt: next(answers))
    same = iter(["one password!!", "one password!!"])
    assert read_new_password(str, Tty(), lambda _prompt: next(same)) == "one password!!"
    assert read_new_password(str, io.StringIO("piped secret 123\nmore\n")) == "piped secret 123"


# ------------------------------------------------------------------ pure parts
def test_backoff_doubles_after_the_free_tries_and_stops_at_the_lockout() -> None:
    backoff = Backoff(free=3, first_wait=2.0, longest_wait=60.0)
    assert [backoff.wait(n) for n in range(7)] == [0.0, 0.0, 0.0, 2.0, 4.0, 8.0, 16.0]
    assert backoff.wait(50) == 60.0


def test_the_guard_waits_per_user_and_per_client_and_forgets_on_success() -> None:
    now = [0.0]
    guard = LoginGuard(lambda: now[0], Backoff(2, 10.0, 100.0), Backoff(4, 10.0, 100.0))
    for _ in range(2):
        guard.failed("Admin", "192.0.2.1")
    assert guard.wait_left("admin", "198.51.100.9") == 10.0  # the user, from anywhere (case folded)
    assert guard.wait_left("viewer", "192.0.2.1") == 0.0
    guard.failed("viewer", "192.0.2.1")
    guard.failed("third", "192.0.2.1")
    assert guard.wait_left("fourth", "192.0.2.1") == 10.0  # the client, whatever name it tries
    now[0] = 10.0
    assert guard.wait_left("fourth", "192.0.2.1") == 0.0
    guard.succeeded("admin", "192.0.2.1")
    assert guard.wait_left("admin", "192.0.2.1") == 0.0


def test_sessions_end_on_logout_and_when_idle() -> None:
    now = [0.0]
    store = SessionStore(lambda: now[0])
    first = store.start("admin", "admin")
    assert store.start("admin", "admin") != first
    signed = store.get(first)
    assert signed is not None and signed.role == "admin"
    store.end(first)
    assert store.get(first) is None
    second = store.start("viewer", "viewer")
    now[0] = IDLE + 1
    assert store.get(second) is None
    assert "HttpOnly" in store.cookie("t", secure=False) and "SameSite=Strict" in store.cookie(
        "t", secure=False
    )
    assert "; Secure" in store.cookie("t", secure=True) and "Secure" not in store.cookie("t", secure=False)


@pytest.mark.parametrize(
    ("path", "beyond", "needed"),
    [
        ("/", False, False),
        ("/ledger", False, True),
        ("/ledger/accounts", False, True),
        ("/ledgers", False, False),
        ("/", True, True),
        ("/check", True, True),
        ("/login", True, False),
        ("/static/style.css", True, False),
    ],
)
def test_which_pages_need_the_login(path: str, beyond: bool, needed: bool) -> None:
    assert needs_login(path, beyond_loopback=beyond) is needed


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/ledger", "/ledger"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil", "/"),
        ("", "/"),
    ],
)
def test_after_sign_in_only_paths_here(target: str, expected: str) -> None:
    assert safe_next(target) == expected


# ------------------------------------------------------------------ the pages
def test_the_book_needs_a_sign_in_and_the_cookie_is_safe(book: Engine) -> None:
    with client_for(book) as client:
        assert client.get("/").status_code == 200  # the wizard on loopback: no login
        gone = client.get("/ledger", follow_redirects=False)
        assert gone.status_code == 303 and gone.headers["location"] == "/login?next=/ledger"
        answer = sign_in(client, "admin", PASSWORD, "/ledger")
        assert answer.status_code == 303 and answer.headers["location"] == "/ledger"  # type: ignore[attr-defined]
        cookie = answer.headers["set-cookie"]  # type: ignore[attr-defined]
        assert "maildoctor_session=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert PASSWORD not in cookie
        ledger = client.get("/ledger")
        assert ledger.status_code == 200 and "admin" in ledger.text
        out = client.post("/logout", data={"csrf_token": token(client, "/ledger")}, follow_redirects=False)
        assert out.status_code == 303 and "Max-Age=0" in out.headers["set-cookie"]
        assert client.get("/ledger", follow_redirects=False).status_code == 303


def test_logout_needs_the_csrf_token(book: Engine) -> None:
    with client_for(book) as client:
        sign_in(client, "viewer", "viewer password 1")
        assert client.post("/logout", data={}).status_code == 403
        assert client.get("/ledger", follow_redirects=False).status_code == 200


def test_a_wrong_password_is_refused_in_plain_words(book: Engine) -> None:
    with client_for(book) as client:
        answer = client.post(
            "/login",
            data={"csrf_token": token(client), "name": "admin", "password": "guess"},
            headers={"accept-language": "en"},
        )
        assert answer.status_code == 401 and "not right" in answer.text
        assert "maildoctor_session=" not in answer.headers.get("set-cookie", "")


def test_without_users_the_page_says_how_to_create_the_first(tmp_path: Path) -> None:
    with client_for(None) as client:
        page = client.get("/login", headers={"accept-language": "en"})
        assert "maildoctor web --create-admin NAME" in page.text


def test_brute_force_fails_even_with_the_right_password_at_the_end(book: Engine) -> None:
    with client_for(book) as client:
        for attempt in range(5):
            assert sign_in(client, "admin", f"guess {attempt}").status_code == 401  # type: ignore[attr-defined]
        locked = sign_in(client, "admin", PASSWORD)
        assert locked.status_code == 429  # type: ignore[attr-defined]
        assert int(locked.headers["retry-after"]) >= 1  # type: ignore[attr-defined]
        assert "maildoctor_session=" not in locked.headers.get("set-cookie", "")  # type: ignore[attr-defined]
        assert client.get("/ledger", follow_redirects=False).status_code == 303


def test_spraying_many_names_from_one_client_is_slowed_too(book: Engine) -> None:
    with client_for(book) as client:
        for attempt in range(10):
            sign_in(client, f"user{attempt}", "guess guess guess")
        assert sign_in(client, "viewer", "viewer password 1").status_code == 429  # type: ignore[attr-defined]


def test_beyond_loopback_every_page_needs_the_login(book: Engine) -> None:
    with client_for(book, host="192.0.2.10", beyond_loopback=True) as client:
        for path in ("/", "/settings", "/explain", "/domain", "/check/x"):
            assert client.get(path, follow_redirects=False).status_code == 303, path
        assert client.post("/check", data={}, follow_redirects=False).headers["location"] == "/login"
        assert client.get("/static/style.css").status_code == 200
        assert sign_in(client, "viewer", "viewer password 1").status_code == 303  # type: ignore[attr-defined]
        start = client.get("/", headers={"accept-language": "en"})
        assert start.status_code == 200
        assert "shared computer" in start.text and "runs on this computer" not in start.text
