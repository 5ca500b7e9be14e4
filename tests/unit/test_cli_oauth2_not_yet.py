"""`check --oauth2` is not built into `check` yet: it says so, checks nothing (exit 3), prints nothing on
standard output (not even with --json), and ships no other program's client ID as a default."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from test_cli import CliRunner, cli  # noqa: F401 -- the `cli` fixture of the other CLI tests

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "flags",
    [
        ("--oauth2",),
        ("--oauth2", "--json"),
        ("--oauth2-client-id", "00000000-0000-0000-0000-000000000000"),
        ("--oauth2", "--keep-token"),
    ],
)
@pytest.mark.parametrize(("lang", "words"), [("en", "not available"), ("ja", "まだ")])
def test_oauth2_says_not_yet_and_checks_nothing(
    cli: CliRunner,  # noqa: F811 -- the imported fixture
    monkeypatch: pytest.MonkeyPatch,
    flags: tuple[str, ...],
    lang: str,
    words: str,
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("check --oauth2 must not connect anywhere yet")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    run = cli("check", "taro@outlook.jp", *flags, "--dns", "127.0.0.1:9", "--lang", lang)
    assert run.code == 3
    assert run.stdout == ""
    assert words in run.stderr and "--no-auth" in run.stderr


def test_the_help_marks_the_oauth2_options_not_yet(cli: CliRunner) -> None:  # noqa: F811
    run = cli("check", "--help", "--lang", "en")
    flat = " ".join(run.stdout.split())
    for option in ("--oauth2 ", "--oauth2-client-id", "--keep-token"):
        assert option in flat
    assert flat.count("(Not available yet.)") == 3


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
