"""bench/bounce_heldout.py: the folds and the held-out loop, on a tiny corpus whose answer is known.

The corpus: ten bounces of one family share a phrase no general rule knows (so only the fitted
table can read it); two bounces of another family share a second such phrase. Fitted on the
whole corpus, both phrases are learnt; held out, the second never is (a fold's training holds
at most one of its two bounces), so an honest loop scores 10 of 12 and a leaking one 12.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from maildoctor.explain.bounce_phrases import PhraseTable, fit_phrases

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


heldout = _load("bounce_heldout")

_DSN = """From: Mail Delivery System <MAILER-DAEMON@mx.example.jp>
To: taro@example.jp
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

The mail system could not deliver your message.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.jp

Final-Recipient: rfc822; user{number}@example.org
Action: failed
Status: 5.0.0
Diagnostic-Code: smtp; 550 5.0.0 {words}

--B--
"""


def _corpus(tmp_path: Path) -> tuple[Path, list[str]]:
    emails = tmp_path / "emails"
    emails.mkdir()
    expected: dict[str, object] = {}
    files = [(f"lhost-alpha-{n:02}.eml", "frobnicated wibblebox", "mailboxfull") for n in range(1, 11)]
    files += [(f"lhost-gamma-{n:02}.eml", "zorbly quuxed", "suspend") for n in (1, 2)]
    for number, (name, words, reason) in enumerate(files):
        (emails / name).write_text(_DSN.format(number=number, words=words))
        expected[name] = {"recipients": [{"status": "5.0.0", "replycode": "550", "reason": reason}]}
    (tmp_path / "expected.json").write_text(json.dumps(expected))
    return tmp_path, sorted(expected)


def test_folds_are_deterministic_and_spread_each_family() -> None:
    names = [f"lhost-alpha-{n:02}.eml" for n in range(1, 11)] + [f"rhost-one{n}-01.eml" for n in range(12)]
    folds = heldout.assign_folds(names)
    assert folds == heldout.assign_folds(list(reversed(names)))
    alpha = Counter(fold for name, fold in folds.items() if name.startswith("lhost-alpha"))
    assert alpha == dict.fromkeys(range(5), 2)  # ten of one family: two in every fold
    singles = {fold for name, fold in folds.items() if name.startswith("rhost-one")}
    assert len(singles) > 1  # one-file families do not all land in the same fold


def test_a_fold_is_fitted_without_its_own_bounces(tmp_path: Path) -> None:
    corpus, names = _corpus(tmp_path)
    folds = heldout.assign_folds(names)
    seen: list[set[str]] = []

    def spy(examples: list[tuple[str, str, str]]) -> PhraseTable:
        seen.append({bounce for bounce, _words, _reason in examples})
        return fit_phrases(examples)

    heldout.held_out(corpus, names, fit=spy)
    assert len(seen) == 5
    for fold, trained_on in enumerate(seen):
        assert trained_on == {name for name in names if folds[name] != fold}


def test_held_out_scores_only_what_the_training_folds_teach(tmp_path: Path) -> None:
    corpus, names = _corpus(tmp_path)
    results = heldout.held_out(corpus, names)
    assert sum(result.recipients for result in results) == 12
    assert sum(result.status_ok for result in results) == 12
    assert sum(result.cause_ok for result in results) == 10  # the two-bounce phrase is never learnt

    whole = heldout._accuracy().measure(corpus, None, fit_phrases(heldout.examples(corpus, names)))
    assert whole.cause_ok == 12  # fitted on everything, both phrases are known


def test_the_mean_of_folds() -> None:
    assert heldout.mean([0.5, 1.0]) == pytest.approx(0.75)
    assert heldout.mean([]) == 0.0
