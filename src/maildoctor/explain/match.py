"""Find the catalogue entries a pasted error message or code belongs to (pure: no I/O).

The algorithm, in three steps:

1. Error codes: `0x800CCC0E`, `800ccc0e`, full-width `０ｘ８００ＣＣＣ０Ｅ`, inside a sentence;
   an entry with that code matches with score 1.0.
2. Whole patterns: text and patterns are reduced to a *compact* form (NFKC, lower case,
   only letters and digits: quotes, punctuation, spaces and line breaks go, and so does
   the Japanese long-vowel mark, so サーバ = サーバー). A pattern's `{placeholders}`
   become wildcards; a pattern found in the text scores 0.8-1.0 (more of the text
   explained by the pattern's own words scores higher), and the wildcards give the
   values (account, server, ...), cut from the NFKC text so dots and @ survive.
3. Fragments: otherwise, the longest common runs of the pattern's words and the text
   (difflib); a pasted part of a message matches when it is long enough and mostly made
   of the pattern's words, or holds one long run of them (a quote inside a question).
   It scores below any whole match (0.3-0.79), and is only looked for when no code and
   no whole pattern matched.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from maildoctor.causes import CauseCode
from maildoctor.explain.catalog import ClientMessage

_QUOTES: Final = "\"'`´‘’‚‛“”„‟「」『』〝〞〟‹›«»"
_QUOTE_TABLE: Final = str.maketrans(dict.fromkeys(_QUOTES, " "))
_DROPPED: Final = frozenset("ー")  # サーバ / サーバー, ユーザ / ユーザー
_PLACEHOLDER: Final = re.compile(r"\{([a-z]+)\}")
_CODE_0X: Final = re.compile(r"(?<![0-9a-z])0x([0-9a-f]{8})(?![0-9a-z])")
_CODE_BARE: Final = re.compile(
    r"(?<![0-9a-z])(800ccc[0-9a-f]{2}|800[4-7][0-9a-f]{4}|8019[0-9a-f]{4})(?![0-9a-z])"
)
_WILDCARD_MAX: Final = 120
_TRAILING_MAX: Final = 300
_MAX_TEXT: Final = 20_000  # characters of pasted text looked at

# Fragment matching: weights count a CJK character as 2, any other as 1.
_MIN_BLOCK: Final = 6  # a common run shorter than this is chance
_MIN_FRAGMENT: Final = 12  # the least a fragment must share with a pattern
_MIN_SHARE: Final = 0.6  # ... and the share of the text (or of the pattern) that must be shared
_MIN_QUOTE: Final = 20  # ... unless one run is this long: a message quoted inside other words


class MatchKind(StrEnum):
    CODE = "code"  # the error code was found in the text
    FULL = "full"  # a whole pattern was found in the text
    PARTIAL = "partial"  # a fragment of a pattern was found


@dataclass(frozen=True, slots=True)
class Match:
    entry: ClientMessage
    score: float  # 0..1, higher is surer; CODE 1.0, FULL 0.8-1.0, PARTIAL 0.3-0.79
    kind: MatchKind
    pattern: str | None  # the pattern that matched (None for a code)
    values: Mapping[str, str] = field(default_factory=dict)  # placeholder -> text; "code" for codes


@dataclass(frozen=True, slots=True)
class Explanation:
    text: str  # the pasted text, normalised
    codes: tuple[str, ...]  # error codes found, canonical (0x800CCC0E)
    unknown_codes: tuple[str, ...]  # of those, the ones no entry knows
    matches: tuple[Match, ...]  # best first

    @property
    def causes(self) -> tuple[CauseCode, ...]:
        """The matched entries' causes, best match first, each cause once."""
        seen: dict[CauseCode, None] = {}
        for match in self.matches:
            for cause in match.entry.causes:
                seen.setdefault(cause, None)
        return tuple(seen)


def normalise(text: str) -> str:
    """NFKC (full-width to half-width), quotes dropped, whitespace runs to one space, lower case."""
    nfkc = unicodedata.normalize("NFKC", text).translate(_QUOTE_TABLE)
    return " ".join(nfkc.split()).lower()


def find_codes(text: str) -> tuple[str, ...]:
    """Windows error codes in `text`, in order, each once, as `0x` + 8 upper-case hex digits."""
    plain = normalise(text)
    found = [(m.start(), m.group(1)) for m in _CODE_0X.finditer(plain)]
    found += [(m.start(), m.group(1)) for m in _CODE_BARE.finditer(plain)]
    codes: dict[str, None] = {}
    for _, digits in sorted(found):
        codes.setdefault("0x" + digits.upper(), None)
    return tuple(codes)


@dataclass(frozen=True, slots=True)
class _Compact:
    source: str  # the NFKC text
    text: str  # its compact form
    origin: tuple[int, ...]  # index in `source` of each character of `text`


def _keep(char: str) -> bool:
    return char.isalnum() and char not in _DROPPED


def _compact(text: str) -> _Compact:
    source = unicodedata.normalize("NFKC", text)
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(source):
        if _keep(char):
            for lower in char.lower():
                chars.append(lower)
                origin.append(index)
    return _Compact(source, "".join(chars), tuple(origin))


def _compact_literal(text: str) -> str:
    return _compact(text).text


def _weight(text: str) -> int:
    return sum(2 if ord(char) >= 0x2E80 else 1 for char in text)


@dataclass(frozen=True, slots=True)
class _Pattern:
    text: str
    regex: re.Pattern[str]
    names: tuple[str, ...]  # the placeholder of each regex group
    literal: str  # the compact literal parts, joined by NUL (for fragment matching)
    literal_length: int


def _compile(pattern: str) -> _Pattern:
    pieces = _PLACEHOLDER.split(pattern)  # literal, name, literal, name, ..., literal
    literals = [_compact_literal(piece) for piece in pieces[0::2]]
    names = pieces[1::2]
    parts: list[str] = []
    groups: list[str] = []
    for position, literal in enumerate(literals):
        if position > 0:
            name = names[position - 1]
            if position == len(literals) - 1 and not literal:  # a trailing {response}: the rest
                parts.append(f"(.{{0,{_TRAILING_MAX}}})")
            elif name == "response":  # a server's reply inside the message: as long as a trailing one
                parts.append(f"(.{{1,{_TRAILING_MAX}}}?)")
            else:
                parts.append(f"(.{{1,{_WILDCARD_MAX}}}?)")
            groups.append(name)
        parts.append(re.escape(literal))
    joined = "".join(parts)
    literal_text = "\0".join(literal for literal in literals if literal)
    return _Pattern(
        pattern, re.compile(joined), tuple(groups), literal_text, len(literal_text.replace("\0", ""))
    )


_COMPILED: dict[str, _Pattern] = {}


def _compiled(pattern: str) -> _Pattern:
    found = _COMPILED.get(pattern)
    if found is None:
        found = _COMPILED[pattern] = _compile(pattern)
    return found


def _value(text: _Compact, start: int, end: int) -> str:
    if start >= end:
        return ""
    raw = text.source[text.origin[start] : text.origin[end - 1] + 1]
    return " ".join(raw.split()).strip(_QUOTES + " .,:;、。")


def _full(pattern: _Pattern, text: _Compact, entry: ClientMessage) -> Match | None:
    found = pattern.regex.search(text.text)
    if found is None:
        return None
    values = {
        name: _value(text, found.start(group), found.end(group))
        for group, name in enumerate(pattern.names, start=1)
        if found.start(group) < found.end(group)
    }
    share = min(1.0, pattern.literal_length / max(1, len(text.text)))
    return Match(entry, round(0.8 + 0.2 * share, 4), MatchKind.FULL, pattern.text, values)


def _partial(pattern: _Pattern, text: _Compact, entry: ClientMessage) -> Match | None:
    if not pattern.literal:
        return None
    matcher = difflib.SequenceMatcher(None, pattern.literal, text.text, autojunk=False)
    weights = [
        _weight(pattern.literal[block.a : block.a + block.size]) for block in matcher.get_matching_blocks()
    ]
    shared = sum(weight for weight in weights if weight >= _MIN_BLOCK)
    if shared < _MIN_FRAGMENT:
        return None
    of_text = shared / max(1, _weight(text.text))
    of_pattern = shared / max(1, _weight(pattern.literal.replace("\0", "")))
    if of_text < _MIN_SHARE and of_pattern < _MIN_SHARE and max(weights) < _MIN_QUOTE:
        return None
    score = min(0.79, 0.3 + 0.35 * min(1.0, of_pattern) + 0.15 * min(1.0, of_text))
    return Match(entry, round(score, 4), MatchKind.PARTIAL, pattern.text, {})


def pattern_weight(pattern: str) -> int:
    """How much of its own wording a pattern holds: its letters and digits, a CJK character counted twice."""
    return _weight(_compiled(pattern).literal.replace("\0", ""))


def _best(matches: Iterable[Match | None]) -> Match | None:
    best: Match | None = None
    for match in matches:
        if match is not None and (best is None or match.score > best.score):
            best = match
    return best


def _whole_matches(
    entries: Sequence[ClientMessage], codes: tuple[str, ...], compact: _Compact
) -> list[tuple[float, int, Match]]:
    found: list[tuple[float, int, Match]] = []
    for order, entry in enumerate(entries):
        candidates: list[Match | None] = []
        if entry.code is not None and entry.code in codes:
            candidates.append(Match(entry, 1.0, MatchKind.CODE, None, {"code": entry.code}))
        candidates.extend(_full(_compiled(pattern), compact, entry) for pattern in entry.patterns)
        best = _best(candidates)
        if best is not None:
            found.append((-best.score, order, best))
    return found


def match_text(text: str, entries: Sequence[ClientMessage], *, limit: int = 5) -> Explanation:
    """The entries of `entries` that `text` (a pasted message, a code, or both) matches.

    Best first; ties keep the catalogue order. Fragments are looked for only when no
    code and no whole pattern matched. Text that matches nothing gives an Explanation with no matches.
    """
    text = text[:_MAX_TEXT]
    codes = find_codes(text)
    compact = _compact(text)
    known_codes = {entry.code for entry in entries if entry.code is not None and entry.code in codes}
    found = _whole_matches(entries, codes, compact)
    if not found and compact.text:  # the fallback: a fragment of a message
        for order, entry in enumerate(entries):
            best = _best(_partial(_compiled(pattern), compact, entry) for pattern in entry.patterns)
            if best is not None:
                found.append((-best.score, order, best))
    found.sort(key=lambda item: (item[0], item[1]))
    return Explanation(
        text=normalise(text),
        codes=codes,
        unknown_codes=tuple(code for code in codes if code not in known_codes),
        matches=tuple(match for _, _, match in found[: max(0, limit)]),
    )
