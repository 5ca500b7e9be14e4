"""What changed since the last check day (pure): a function of the recorded runs only.

A finding's state (there / not there) changes only when it holds on two consecutive runs that
tested its account or domain: one bad morning is no "new problem", one lucky one no "fixed". The
first run that tests an account sets its state as seen (there is nothing to flap from yet). A run
that could not test an account changes nothing about it: unknown is neither "failed" nor "fine".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass

from maildoctor.checkup.model import ItemKind, Outcome, RecordedFinding, RecordedItem, RecordedRun

Key = tuple[ItemKind, str]


@dataclass(frozen=True, slots=True)
class Changes:
    new: tuple[RecordedFinding, ...]  # there now, not at the last check day
    gone: tuple[RecordedFinding, ...]  # there at the last check day, not any more
    still: tuple[RecordedFinding, ...]  # there on both
    unconfirmed: tuple[RecordedFinding, ...]  # seen this time only: confirmed if still there next time
    untested: tuple[RecordedItem, ...]  # could not be tested this time (and why)

    @property
    def changed(self) -> bool:
        return bool(self.new or self.gone)


def _confirmed(runs: Sequence[RecordedRun]) -> dict[Key, dict[str, RecordedFinding]]:
    """Per account or domain, the findings in the "there" state after `runs` (oldest first)."""
    state: dict[Key, dict[str, RecordedFinding]] = {}
    last: dict[Key, set[str]] = {}
    for run in runs:
        for item in run.items:
            if item.outcome is not Outcome.CHECKED:
                continue
            seen = {finding.id: finding for finding in item.findings}
            current = state.setdefault(item.key, dict(seen) if item.key not in last else {})
            previous = last.get(item.key)
            if previous is not None:
                for fid, finding in seen.items():
                    if fid in previous:
                        current[fid] = finding  # there twice in a row
                for fid in [fid for fid in current if fid not in seen and fid not in previous]:
                    del current[fid]  # not there twice in a row
            last[item.key] = set(seen)
    return state


def _flat(state: Mapping[Key, Mapping[str, RecordedFinding]], keys: Set[Key]) -> dict[str, RecordedFinding]:
    return {fid: finding for key, found in state.items() if key in keys for fid, finding in found.items()}


def changes(runs: Sequence[RecordedRun]) -> Changes:
    """What the last of `runs` (oldest first) changed against the runs before it."""
    if not runs:
        return Changes((), (), (), (), ())
    latest = runs[-1]
    before_state = _confirmed(runs[:-1])
    before = _flat(before_state, before_state.keys())
    # an account or domain no longer in the book: its problems are gone with it
    after = _flat(_confirmed(runs), {item.key for item in latest.items})
    seen_now = {
        finding.id: finding
        for item in latest.items
        if item.outcome is Outcome.CHECKED
        for finding in item.findings
    }
    return Changes(
        new=_sorted(after[fid] for fid in after.keys() - before.keys()),
        gone=_sorted(before[fid] for fid in before.keys() - after.keys()),
        still=_sorted(after[fid] for fid in after.keys() & before.keys()),
        unconfirmed=_sorted(seen_now[fid] for fid in seen_now.keys() - after.keys()),
        untested=tuple(
            sorted(
                (item for item in latest.items if item.outcome is Outcome.COULD_NOT_TEST),
                key=lambda item: item.key,
            )
        ),
    )


def _sorted(findings: Iterable[RecordedFinding]) -> tuple[RecordedFinding, ...]:
    return tuple(sorted(findings, key=lambda finding: finding.id))
