"""`check --oauth2` without a client ID says how to get one and checks nothing (exit 2); Google accounts
are not built yet (exit 3); nothing goes to standard output (not even with --json); no
other program's client ID ships as a default."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from test_cli import CliRunner, cli  # noqa: F401 -- the `cli` fixture of the other CLI tests

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("address", "flags", "code"),
    [
        ("taro@outlook.jp", ("--oauth2",), 2),
        ("taro@outlook.jp", ("--oauth2", "--json"), 2),
        ("taro@outlook.jp", ("--oauth2", "--keep-token"), 2),
        ("taro@gmail.com", ("--oauth2", "--oauth2-client-id", "x"), 3),
        ("taro@outlook.jp", ("--oauth2", "--oauth2-client-id", "x", "--oauth2-authority", "http://a"), 2),
    ],
)
@pytest.mark.parametrize(("lang", "words"), [("en", "README"), ("ja", "README")])
def test_oauth2_without_what_it_needs_checks_nothing(
    cli: CliRunner,  # noqa: F811 -- the imported fixture
    monkeypatch: pytest.MonkeyPatch,
    address: str,
    flags: tuple[str, ...],
    code: int,
    lang: str,
    words: str,
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("check --oauth2 must not connect anywhere yet")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.delenv("MAILDOCTOR_OAUTH2_CLIENT_ID", raising=False)
    monkeypatch.delenv("MAILDOCTOR_OAUTH2_AUTHORITY", raising=False)
    run = cli("check", address, *flags, "--dns", "127.0.0.1:9", "--lang", lang)
    assert run.code == code, run.stderr
    assert run.stdout == ""
    if code == 3 or "--oauth2-authority" in flags:
        assert "--no-auth" in run.stderr or "https://" in run.stderr
    else:
        assert words in run.stderr and "--oauth2-client-id" in run.stderr


def test_the_help_marks_no_oauth2_option_not_yet(cli: CliRunner) -> None:  # noqa: F811
    run = cli("check", "--help", "--lang", "en")
    flat = " ".join(run.stdout.split())
    for option in ("--oauth2 ", "--oauth2-client-id", "--oauth2-authority", "--keep-token"):
        assert option in flat
    assert flat.count("(Not available yet.)") == 0


# Public client IDs of other programs (their owners ask that they are not reused, and sign-ins would be
# attributed to them): none may appear in the package as a default.
OTHER_PROGRAMS_CLIENT_IDS = (
    "9e5f94bc-e8a4-4e73-b8be-63364c29d753",  # Thunderbird (Microsoft)
    "d3590ed6-52b3-4102-aeff-aad2292ab01c",  # Microsoft Office
    "406964657835-aq8lmia8j95dhl1a2bvharmfk3t1hgqj.apps.googleusercontent.com",  # Thunderbird (Google)
)


def test_no_other_programs_client_id_is_shipped() -> None:
    for path in (REPO / "src" / "maildoctor").rglob("*"):
        if path.is_file() and path.suffix in (".py", ".toml", ".json", ".po"):
            text = path.read_text(encoding="utf-8", errors="replace")
            for client_id in OTHER_PROGRAMS_CLIENT_IDS:
                assert client_id not in text, f"{client_id} in {path}"
