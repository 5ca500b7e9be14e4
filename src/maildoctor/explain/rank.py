"""Which causes of a pasted message lead, and which mail program wrote it (pure).

A paste often holds two voices: the mail program's wrapper ("Sending of the message failed",
Outlook's task error with its 0x800CCC code) and, inside it, the server's own reply
("535 5.7.139 … basic authentication is disabled"). The wrapper says which step failed; the
reply says why. So the reply leads:

1. the causes of the provider's recognised words (the most specific evidence there is);
2. the reply's other causes (status detail, class, basic code), those the wrapper also names first;
3. the wrapper's causes the reply did not name.

The mail program is named only when the message itself shows it: one of its error codes, or a
long stretch of its own wording (taken from its source, `Confirmed.DATA`, or marked `identifies`
in the catalogue). Short, common phrases ("サーバーに接続できません", "Cannot Send Mail") are
said by many programs and name none.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from maildoctor.causes import CauseCode
from maildoctor.explain.catalog import Client, Confirmed
from maildoctor.explain.match import Explanation, Match, MatchKind, pattern_weight

_WORDING_WEIGHT: Final = 30  # the least of a program's own words (CJK counted twice) that names it
_NAMES: Final = {Client.OUTLOOK: "outlook", Client.THUNDERBIRD: "thunderbird"}


# Causes that rule others out when the provider's recognised words name them: a provider that
# takes no password at all (modern sign-in only) refuses app passwords too.
RULES_OUT: Final[dict[CauseCode, frozenset[CauseCode]]] = {
    CauseCode.MODERN_AUTH_REQUIRED: frozenset({CauseCode.APP_PASSWORD_REQUIRED}),
}


def ruled_out(specific: Iterable[CauseCode]) -> frozenset[CauseCode]:
    """The causes the provider's recognised words (`specific`) rule out."""
    return frozenset(excluded for cause in specific for excluded in RULES_OUT.get(cause, ()))


def ranked_causes(
    specific: Sequence[CauseCode], reply: Sequence[CauseCode], wrapper: Sequence[CauseCode]
) -> tuple[CauseCode, ...]:
    """The causes in the order above; each once. `specific`: the provider's words' causes;
    `reply`: all the reply's causes (most likely first); `wrapper`: the mail program message's.
    Causes the specific ones rule out (`RULES_OUT`) are left out."""
    wrapped = set(wrapper)
    excluded = ruled_out(specific)
    ordered = [
        *specific,
        *(cause for cause in reply if cause in wrapped),
        *reply,
        *wrapper,
    ]
    return tuple(cause for cause in dict.fromkeys(ordered) if cause not in excluded)


class RecognisedBy(StrEnum):
    CODE = "code"  # the program's own error code (0x800CCC0F)
    WORDING = "wording"  # the program's own wording, long enough to be its alone


@dataclass(frozen=True, slots=True)
class Recognition:
    client: Client
    by: RecognisedBy
    evidence: str  # the code, or the program's words as its pattern writes them


def _names_program(match: Match) -> bool:
    name = _NAMES.get(match.entry.client)
    return name is not None and match.pattern is not None and name in match.pattern.lower()


def _recognition(match: Match) -> Recognition | None:
    if match.kind is MatchKind.CODE and match.entry.code is not None:
        return Recognition(match.entry.client, RecognisedBy.CODE, match.entry.code)
    if match.kind is not MatchKind.FULL or match.pattern is None:
        return None
    own = match.entry.confirmed is Confirmed.DATA or match.entry.identifies
    if (own and pattern_weight(match.pattern) >= _WORDING_WEIGHT) or _names_program(match):
        return Recognition(match.entry.client, RecognisedBy.WORDING, match.pattern)
    return None


def recognised_client(explanation: Explanation) -> Recognition | None:
    """The mail program the message plainly comes from, or None (none shown, or several disagree)."""
    found: Iterable[Recognition | None] = (_recognition(match) for match in explanation.matches)
    recognitions = [item for item in found if item is not None]
    if not recognitions or len({item.client for item in recognitions}) > 1:
        return None
    return recognitions[0]


__all__ = ["RULES_OUT", "RecognisedBy", "Recognition", "ranked_causes", "recognised_client", "ruled_out"]
