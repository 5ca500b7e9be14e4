"""Journeys through `maildoctor web`'s pages: what a person types into the browser.

The start page's address field was a browser e-mail field: Chromium and Firefox refuse
"taro＠example.co.jp" (a full-width at sign, typed with the Japanese input method on) with their own
message, before maildoctor can say what is wrong, and the server refused anything without "@" as
"type the address". The field is plain text now (with the e-mail keyboard on phones), and whatever
is typed goes to the check, which names the wrong character.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("starlette")
from starlette.testclient import TestClient

from maildoctor.net.resolver import Nameserver
from maildoctor.web.app import create_app
from maildoctor.web.config import WebConfig

DEAD_DNS = "127.0.0.99:53"  # nothing listens there: no name is looked up anywhere else


@pytest.fixture
def web(tmp_path: Path) -> Iterator[TestClient]:
    config = WebConfig(
        nameservers=(Nameserver.parse(DEAD_DNS),),
        timeout=8.0,
        cache_dir=tmp_path / "cache",
        allowed_hosts=("testserver",),
    )
    with TestClient(create_app(config)) as client:
        yield client


def _token(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(("lang", "words"), [("ja", "半角"), ("en", "half-width")])
@pytest.mark.parametrize("typed", ["taro＠example.co.jp", "ｔａｒｏ@example.co.jp", "taro"])
def test_whatever_address_is_typed_the_check_says_what_is_wrong(
    web: TestClient, typed: str, lang: str, words: str
) -> None:
    start = web.get("/", headers={"accept-language": lang}).text
    field = re.search(r'<input id="address"[^>]*>', start)
    assert field is not None
    assert 'type="text"' in field.group(0) and 'inputmode="email"' in field.group(0)
    answer = web.post(
        "/check", data={"address": typed, "csrf_token": _token(web)}, headers={"accept-language": lang}
    )
    assert answer.status_code == 200, answer.text
    assert 'class="verdict problems"' in answer.text
    titles = " ".join(re.findall(r"<h3>(.*?)</h3>", answer.text))
    assert titles, answer.text
    if typed != "taro":
        assert words in answer.text, titles


def test_an_empty_address_is_asked_for_again(web: TestClient) -> None:
    answer = web.post(
        "/check", data={"address": "  ", "csrf_token": _token(web)}, headers={"accept-language": "ja"}
    )
    assert answer.status_code == 400
    assert 'role="alert"' in answer.text


def test_served_to_other_computers_before_anyone_can_log_in_it_says_so_in_whole_words(
    tmp_path: Path,
) -> None:
    # The refusal was printed with Rich's own wrap: "（127.0.0.1 " ended a line and "コマ|ンド" was
    # cut in two. It goes through maildoctor's wrap now, like every other message.
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "LANG": "ja_JP.UTF-8", "COLUMNS": "80"}
    run = subprocess.run(
        # refused before it binds: the point of the test
        [sys.executable, "-m", "maildoctor", "web", "--host", "0.0.0.0", "--port", "18099"],  # noqa: S104
        capture_output=True, text=True, env=env, timeout=60, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert run.returncode == 3
    lines = run.stderr.splitlines()
    assert any("（127.0.0.1 以外）" in line for line in lines), lines
    assert any("コマンド" in line for line in lines), lines
    assert "maildoctor web --create-admin 名前" in run.stderr
