"""maildoctor's bounce reader on Sisimai's corpus (shared/data/bounces): the figures issue 6 asks for.

For every message: the recipients found must be as many as expected.json lists, each with a
well-formed address (the file has no addresses: Sisimai's tests check only their form), the
status and the reply code must equal the file's, and the reason, mapped through the one fixed
table `maildoctor.explain.bounce_reason.REASON_CAUSES`, must give the same cause as the
expected reason does. The two non-bounces must give no bounce.

    python3 -m uv run python bench/bounce_accuracy.py [-v]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from maildoctor.explain.bounce import parse_bounces
from maildoctor.explain.bounce_phrases import PhraseTable
from maildoctor.explain.bounce_reason import cause_of_reason

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "bounces"
_WELL_FORMED = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass
class Figures:
    messages: int = 0
    detected: int = 0
    expected_recipients: int = 0
    count_exact_messages: int = 0
    address_ok: int = 0
    status_ok: int = 0
    reply_ok: int = 0
    address_status_ok: int = 0
    reason_ok: int = 0
    cause_ok: int = 0
    not_bounces_taken: int = 0
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)


_PSEUDO = re.compile(r"([45])\.0\.9\d\d")


def _same_status(mine: str, implied: bool, expected: str) -> bool:
    """Equal, or both "none written": Sisimai writes its own pseudo-code X.0.9NN for a reason it
    found in words alone; maildoctor then gives the RFC 3463 code the reason implies (5.1.1 for
    user unknown), marked as implied. Those agree when the class (4 or 5) does."""
    pseudo = _PSEUDO.fullmatch(expected)
    if pseudo is not None:
        return (implied and mine[:1] == pseudo.group(1)) or not mine
    return mine == expected


def measure(
    corpus: Path = CORPUS, names: Collection[str] | None = None, phrases: PhraseTable | None = None
) -> Figures:
    """The figures on the messages `names` (all when None), the words judged with `phrases` (the
    shipped phrase table when None). The non-bounces are read only for the whole corpus."""
    expected = json.loads((corpus / "expected.json").read_text())
    figures = Figures()
    for name, want in sorted(expected.items()):
        if names is not None and name not in names:
            continue
        data = (corpus / "emails" / name).read_bytes()
        started = time.perf_counter()
        bounces = parse_bounces(data, phrases)  # a file may be an mbox of several messages
        figures.seconds += time.perf_counter() - started
        figures.messages += 1
        wanted = want["recipients"]
        figures.expected_recipients += len(wanted)
        got = [recipient for bounce in bounces for recipient in bounce.recipients]
        if bounces:
            figures.detected += 1
        if len(got) == len(wanted):
            figures.count_exact_messages += 1
        for index, expect in enumerate(wanted):
            mine = got[index] if index < len(got) and len(got) == len(wanted) else None
            if mine is None:
                figures.misses.append(
                    f"{name}#{index + 1}: found {len(got)} recipients, expected {len(wanted)}"
                )
                continue
            address = bool(_WELL_FORMED.fullmatch(mine.address))
            status = _same_status(mine.status, mine.status_implied, expect["status"])
            reply = mine.reply_code == expect["replycode"]
            figures.address_ok += address
            figures.status_ok += status
            figures.reply_ok += reply
            figures.address_status_ok += address and status
            figures.reason_ok += mine.reason == expect["reason"]
            cause = mine.cause == cause_of_reason(expect["reason"])
            figures.cause_ok += cause
            if not (address and status and reply and cause):
                figures.misses.append(
                    f"{name}#{index + 1}: got {mine.address} {mine.status or '-'} {mine.reply_code or '-'} "
                    f"{mine.reason} | want {expect['status'] or '-'} {expect['replycode'] or '-'} "
                    f"{expect['reason']}"
                    f" | {mine.diagnostic[:140]}"
                )
    for path in sorted((corpus / "not-bounces").glob("*.eml")) if names is None else ():
        if parse_bounces(path.read_bytes()):
            figures.not_bounces_taken += 1
            figures.misses.append(f"{path.name}: taken for a bounce")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args()
    f = measure()
    n = f.expected_recipients
    print(f"messages {f.messages}, taken as bounces {f.detected}, recipients expected {n}")
    print(f"recipient count exact: {f.count_exact_messages}/{f.messages} messages")
    for label, value in (
        ("address well-formed", f.address_ok),
        ("status exact", f.status_ok),
        ("reply code exact", f.reply_ok),
        ("address and status", f.address_status_ok),
        ("reason (Sisimai's) exact", f.reason_ok),
        ("cause (mapped reason) right", f.cause_ok),
    ):
        print(f"{label:30} {value:4}/{n} = {100 * value / n:5.1f}%")
    print(f"non-bounces taken for bounces: {f.not_bounces_taken}")
    print(f"time: {1000 * f.seconds / f.messages:.2f} ms per message")
    if args.verbose:
        for miss in f.misses:
            print(miss)
    return 0


if __name__ == "__main__":
    sys.exit(main())
