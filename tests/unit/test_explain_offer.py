"""Offering the confirming checks: asked once, run without a shell, only with the person's yes."""

from __future__ import annotations

import io
import sys
from typing import Any

import pytest
from rich.console import Console

from maildoctor.cli import explain_bounce
from maildoctor.explain import confirm
from maildoctor.explain.bounce import parse_bounce
from maildoctor.i18n import get_translator

DMARC_BOUNCE = b"""From: MAILER-DAEMON@mx.example.jp
To: taro@example.jp
Subject: Undelivered Mail Returned to Sender

<hanako@gmail.example>: host gmail-smtp-in.l.google.com[192.0.2.1] said:
    550-5.7.26 Unauthenticated email from example.jp is not accepted due to domain's
    550 5.7.26 DMARC policy. (in reply to end of DATA command)
"""


def test_confirming_commands_name_the_senders_domain() -> None:
    bounce = parse_bounce(DMARC_BOUNCE)
    assert bounce is not None
    assert confirm.confirming_commands(bounce) == [["maildoctor", "domain", "example.jp"]]


@pytest.mark.parametrize("answer", [True, False])
def test_checks_run_only_after_a_yes(monkeypatch: pytest.MonkeyPatch, answer: bool) -> None:
    calls: list[list[str]] = []

    def fake_run(args: list[str], **kwargs: Any) -> None:
        assert "shell" not in kwargs
        calls.append(args)

    monkeypatch.setattr(explain_bounce.Confirm, "ask", lambda *a, **k: answer)
    monkeypatch.setattr(confirm.subprocess, "run", fake_run)
    console = Console(file=io.StringIO())
    explain_bounce.offer_checks(console, [["maildoctor", "domain", "example.jp"]], get_translator("en"))
    expected = (
        [[sys.executable, "-m", "maildoctor", "domain", "example.jp", "--lang", "en"]] if answer else []
    )
    assert calls == expected
