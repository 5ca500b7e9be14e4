"""A returned mail is untrusted input: cut, garbled or crafted files must not break the reader."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from maildoctor.explain.bounce import parse_bounces

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "data" / "bounces" / "emails"
SAMPLES = sorted(CORPUS.glob("*.eml"))[::7] if CORPUS.is_dir() else []

CRAFTED = [
    b"",
    b"\x00\xff" * 1000,
    b"From: MAILER-DAEMON@x\nContent-Type: multipart/report; boundary=\n\n--\n",
    b"From: MAILER-DAEMON@x\nSubject: failure\n\n" + b"<" * 100_000,
    b"From: MAILER-DAEMON@x\nSubject: failure\n\n" + b"a@b.c " * 20_000,
    b'From: no-reply@sns.amazonaws.com\n\n{"notificationType":"Bounce","bounce":[1,2]}',
    b'From: no-reply@sns.amazonaws.com\n\n{"notificationType":"Bounce",'
    b'"bounce":{"bouncedRecipients":{"a":1}}}',
    b'From: no-reply@sns.amazonaws.com\n\n{"notificationType":"Bounce",' + b'"x":' * 50_000,
    b"Content-Type: message/delivery-status\n\nFinal-Recipient: rfc822;\nStatus: 9.9.9\n",
    b"Content-Type: message/feedback-report\n\nFeedback-Type:\n",
]


@pytest.mark.parametrize("data", CRAFTED, ids=range(len(CRAFTED)))
def test_crafted_input_gives_an_answer_not_an_error(data: bytes) -> None:
    bounces = parse_bounces(data)
    for bounce in bounces:
        assert len(bounce.recipients) <= 500


@pytest.mark.skipif(not SAMPLES, reason="shared/data/bounces is not beside the project")
@pytest.mark.parametrize("path", SAMPLES, ids=[path.name for path in SAMPLES])
def test_cut_and_garbled_bounces_do_not_break_the_reader(path: Path) -> None:
    data = path.read_bytes()
    chance = random.Random(path.name)
    for _ in range(12):
        cut = data[: chance.randrange(len(data) + 1)]
        garbled = bytearray(data)
        for _ in range(20):
            garbled[chance.randrange(len(garbled))] = chance.randrange(256)
        for variant in (cut, bytes(garbled)):
            for bounce in parse_bounces(variant):
                assert all(isinstance(r.address, str) for r in bounce.recipients)
