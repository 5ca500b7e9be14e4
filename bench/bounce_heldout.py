"""The bounce reader measured honestly: 5-fold held-out figures on the shared corpus, then the whole.

What is fitted to the corpus — the phrase table of `maildoctor.explain.bounce_phrases` — is
fitted inside the fold loop on the four training folds only and scored on the fold it did not
see; the folds rotate so every message is scored once, unseen. Everything else (RFC 3464
fields, RFC 3463 codes, the SMTP step, the providers' documented codes, the general wordings
with their sources) is general knowledge and the same in every fold.

Folds are deterministic and stratified: the messages of one family (the file name without its
number: lhost-postfix, rhost-google, arf, …) are ordered by a SHA-256 of their name and dealt
round the five folds from a starting fold that a hash of the family name picks, so every
family is spread over the folds and a one-file family does not always land in fold 0.

Scoring is that of bench/bounce_accuracy.py: "status" is address well-formed and status right,
where Sisimai's pseudo-codes X.0.9NN (a reason it found in words alone, no code written) count
as right when maildoctor wrote no status either, or gave the status its reason implies (marked
implied) in the same class (4 or 5) — as the bench has counted them since issue 6. "cause" is
the reason mapped through the one fixed table REASON_CAUSES equal to the expected reason's.

    python3 -m uv run python bench/bounce_heldout.py [-v] [--write]

--write fits the table on the whole corpus and writes it to src/maildoctor/data/bounce_phrases.json
(the table `maildoctor explain` ships with).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from maildoctor.explain.bounce import parse_bounces
from maildoctor.explain.bounce_phrases import PhraseTable, family, fit_phrases, table_to_json

HERE = Path(__file__).resolve().parent
FOLDS = 5
SHIPPED = HERE.parent / "src" / "maildoctor" / "data" / "bounce_phrases.json"


def _accuracy() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bounce_accuracy", HERE / "bounce_accuracy.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bounce_accuracy", module)
    spec.loader.exec_module(module)
    return module


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def assign_folds(names: Iterable[str], folds: int = FOLDS) -> dict[str, int]:
    """Each name's fold: per family, names ordered by hash and dealt round from a hashed start."""
    by_family: dict[str, list[str]] = defaultdict(list)
    for name in names:
        by_family[family(name)].append(name)
    fold_of: dict[str, int] = {}
    for fam, members in by_family.items():
        start = _digest(fam) % folds
        for index, name in enumerate(sorted(members, key=_digest)):
            fold_of[name] = (start + index) % folds
    return fold_of


Example = tuple[str, str, str]  # (bounce id, server's words, expected reason)


def examples(corpus: Path, names: Iterable[str]) -> list[Example]:
    """Labelled words of the messages `names`, read with an empty phrase table (so nothing of
    the shipped table, fitted on every fold, leaks into a fold's training)."""
    expected = json.loads((corpus / "expected.json").read_text())
    found: list[Example] = []
    empty = PhraseTable()
    for name in sorted(names):
        wanted = expected[name]["recipients"]
        got = [
            one
            for bounce in parse_bounces((corpus / "emails" / name).read_bytes(), empty)
            for one in bounce.recipients
        ]
        if len(got) != len(wanted):
            continue
        found.extend((name, mine.diagnostic, want["reason"]) for mine, want in zip(got, wanted, strict=True))
    return found


@dataclass(frozen=True)
class FoldResult:
    fold: int
    recipients: int
    status_ok: int
    cause_ok: int
    phrases: int
    misses: tuple[str, ...]

    @property
    def status(self) -> float:
        return self.status_ok / self.recipients if self.recipients else 0.0

    @property
    def cause(self) -> float:
        return self.cause_ok / self.recipients if self.recipients else 0.0


Fitter = Callable[[Sequence[Example]], PhraseTable]
Scorer = Callable[[Path, set[str], PhraseTable], tuple[int, int, int, Sequence[str]]]


def _score(corpus: Path, names: set[str], table: PhraseTable) -> tuple[int, int, int, Sequence[str]]:
    figures = _accuracy().measure(corpus, names, table)
    return (figures.expected_recipients, figures.address_status_ok, figures.cause_ok, figures.misses)


def held_out(
    corpus: Path,
    names: Sequence[str],
    fit: Fitter = fit_phrases,
    score: Scorer = _score,
    folds: int = FOLDS,
    reader: Callable[[Path, Iterable[str]], list[Example]] = examples,
) -> list[FoldResult]:
    """Per fold: fit on the other folds' examples, score on this fold's messages."""
    fold_of = assign_folds(names, folds)
    labelled = reader(corpus, names)
    results = []
    for fold in range(folds):
        test = {name for name in names if fold_of[name] == fold}
        table = fit([example for example in labelled if example[0] not in test])
        recipients, status_ok, cause_ok, misses = score(corpus, test, table)
        results.append(FoldResult(fold, recipients, status_ok, cause_ok, len(table.phrases), tuple(misses)))
    return results


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def _families(fold_of: Mapping[str, int]) -> str:
    spread: dict[int, int] = defaultdict(int)
    for fold in fold_of.values():
        spread[fold] += 1
    return ", ".join(f"fold {fold}: {count}" for fold, count in sorted(spread.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list every held-out miss")
    parser.add_argument("--write", action="store_true", help="write the table fitted on the whole corpus")
    args = parser.parse_args()
    accuracy = _accuracy()
    corpus: Path = accuracy.CORPUS
    names = sorted(json.loads((corpus / "expected.json").read_text()))
    print(f"5-fold held-out (stratified by family; messages per fold: {_families(assign_folds(names))})")
    print(
        "status = address well-formed and status right; Sisimai's pseudo-codes X.0.9NN count as right when "
        "we wrote none or an implied one of the same class (as bench/bounce_accuracy.py)"
    )
    results = held_out(corpus, names)
    for result in results:
        print(
            f"  fold {result.fold}: {result.recipients:3} recipients  status {100 * result.status:5.1f}%  "
            f"cause {100 * result.cause:5.1f}%  ({result.phrases} phrases fitted on the other folds)"
        )
    total = sum(result.recipients for result in results)
    print(
        f"held-out mean of folds: status {100 * mean(r.status for r in results):5.1f}%  "
        f"cause {100 * mean(r.cause for r in results):5.1f}%"
    )
    print(
        f"held-out pooled:        status {100 * sum(r.status_ok for r in results) / total:5.1f}%  "
        f"cause {100 * sum(r.cause_ok for r in results) / total:5.1f}%  ({total} recipients)"
    )
    whole_table = fit_phrases(examples(corpus, names))
    if args.write:
        SHIPPED.write_text(table_to_json(whole_table), encoding="utf-8")
        print(f"wrote {len(whole_table.phrases)} phrases to {SHIPPED}")
    whole = accuracy.measure(corpus, None, whole_table)
    n = whole.expected_recipients
    print(
        f"whole corpus (table fitted on all of it): status {100 * whole.address_status_ok / n:5.1f}%  "
        f"cause {100 * whole.cause_ok / n:5.1f}%  ({n} recipients, "
        f"non-bounces taken: {whole.not_bounces_taken})"
    )
    if args.verbose:
        for result in results:
            for miss in result.misses:
                print(f"fold {result.fold}: {miss}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
