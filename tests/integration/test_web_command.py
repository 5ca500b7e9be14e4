"""`maildoctor web` as a command: it listens on loopback and says where; it refuses any address
beyond loopback while nobody can log in (exit status 3)."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("starlette")

from maildoctor_lab.web import running_web


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.jp"])  # noqa: S104 -- refused
def test_beyond_loopback_is_refused_while_nobody_can_log_in(host: str, tmp_path: Path) -> None:
    for lang, words in (("en", "login"), ("ja", "ログイン")):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "maildoctor",
                "web",
                "--host",
                host,
                "--db",
                str(tmp_path / "b"),
                "--lang",
                lang,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 3
        assert words in done.stderr and "127.0.0.1" in done.stderr


def test_it_serves_on_loopback_and_prints_the_url() -> None:
    with running_web("--dns", "127.0.0.1:9", "--lang", "ja") as server:
        assert server.url + "/" in server.announcement
        with urllib.request.urlopen(server.url + "/", timeout=5) as answer:  # noqa: S310 -- loopback
            assert "メールが送れない・受け取れない" in answer.read().decode()


def test_without_the_extra_it_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from maildoctor.cli.app import main

    for name in [name for name in sys.modules if name.startswith("maildoctor.web")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if the [web] extra were not installed
    with pytest.raises(SystemExit) as done:
        main(["web", "--lang", "en"])
    assert done.value.code == 3
    assert "pip install 'maildoctor[web]'" in capsys.readouterr().err
