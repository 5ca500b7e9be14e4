"""Journeys through `maildoctor web`'s pages: what a person types into the browser.

The start page's address field was a browser e-mail field: Chromium and Firefox refuse
"taro＠example.co.jp" (a full-width at sign, typed with the Japanese input method on) with their own
message, before maildoctor can say what is wrong, and the server refused anything without "@" as
"type the address". The field is plain text now (with the e-mail keyboard on phones), and whatever
is typed goes to the check, which names the wrong character.
"""

from __future__ import annotations

import re
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
