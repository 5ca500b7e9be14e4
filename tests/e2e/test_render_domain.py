"""`maildoctor domain` as text on the lab's DNS: records to paste whole, in the reader's words."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from maildoctor_lab.scenario import load_scenario, run_scenario

pytestmark = [pytest.mark.lab, pytest.mark.netns, pytest.mark.usefixtures("netns_ready")]

WORLDS = Path(__file__).parents[1] / "domain_worlds"
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize("columns", ["60", "100"])
def test_the_records_to_paste_stay_whole_and_their_placeholders_are_japanese(
    columns: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    scenario = load_scenario(WORLDS / "broken.toml")
    args = ["maildoctor", "domain", "broken-shop.test", "--dns", "{dns}", "--ca-file", "{ca_file}"]
    completed = run_scenario(scenario, [*args, "--lang", "ja"], namespace=True, stdin="")
    assert completed.returncode == 1, completed.stderr
    lines = completed.stdout.splitlines()
    dkim = 'default._domainkey.broken-shop.test TXT "v=DKIM1; k=rsa; p=<プロバイダーから渡される公開鍵>"'
    assert any(line.strip() == dkim for line in lines), completed.stdout
    assert any(
        line.strip() == "v=DMARC1; p=none; rua=mailto:dmarc-reports@broken-shop.test" for line in lines
    ), completed.stdout
    assert "the public key" not in completed.stdout
    assert not RAW.search(completed.stdout)
    for line in lines:
        assert not line.lstrip(" │").startswith(("。", "、", "）", "」")), completed.stdout
    assert os.environ.get("COLUMNS") == columns
