"""Typo risks in a typed user name, password, host name or address.

None of these makes a value wrong by itself: a password may well contain a
space or an "l". They are what to look at first when the login or the
connection then fails, so each risk names the kind and the 1-based positions.

A password never appears in what comes out of here: its risks carry positions
and classes of characters ("l, 1, I, |"), never the characters themselves, and
`mark_password` draws bullets. `mark` is for every other field.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from maildoctor.lint._chars import (
    ascii_form,
    describe,
    is_dash_like,
    is_invisible,
    is_space,
    visible_form,
)
from maildoctor.lint.address import check_address, validate_domain

__all__ = [
    "MARK_CLOSE",
    "MARK_OPEN",
    "PASSWORD_BULLET",
    "TypedField",
    "TypoRisk",
    "TypoRiskKind",
    "check_typed_value",
    "mark",
    "mark_password",
]


class TypedField(StrEnum):
    USERNAME = "username"
    PASSWORD = "password"  # noqa: S105 -- a field name, not a password
    HOST = "host"
    ADDRESS = "address"


class TypoRiskKind(StrEnum):
    LEADING_SPACE = "leading_space"
    TRAILING_SPACE = "trailing_space"
    INNER_SPACE = "inner_space"
    FULLWIDTH = "fullwidth"  # a character NFKC turns into ASCII: ｐ, ＠, ．, the ideographic space
    INVISIBLE = "invisible"  # zero-width and format characters, controls, NBSP and other odd spaces
    NON_ASCII = "non_ascii"  # kana, kanji, accents: an IME left on (hosts: unless a valid IDN)
    LOOKALIKE = "lookalike"  # l/1/I/|, O/0, - and the dashes that look like it, rn for m
    CAPS_LOCK_LIKE = "caps_lock_like"  # SECRET123, sECRET
    SCHEME_IN_HOST = "scheme_in_host"  # imaps://, https:// pasted into the host field
    EMAIL_IN_HOST = "email_in_host"  # an @ in a host name
    DOUBLE_DOT = "double_dot"  # two dots in a row, or a dot at the start
    TRAILING_DOT = "trailing_dot"


@dataclass(frozen=True, slots=True)
class TypoRisk:
    kind: TypoRiskKind
    positions: tuple[int, ...]  # 1-based, sorted; empty when the risk is about the whole value
    detail: str  # plain English for logs and tests; for a password, never any of its characters
    # The characters at fault as a report may show them, language-neutral: for LOOKALIKE the
    # value's own ("I", "r, n"), or for a password the groups they belong to ("l, 1, I, |");
    # for SCHEME_IN_HOST the scheme typed ("imaps://"); empty for the other kinds.
    characters: str = ""


MARK_OPEN: Final = "⟦"
MARK_CLOSE: Final = "⟧"
PASSWORD_BULLET: Final = "•"  # noqa: S105 -- the bullet drawn for a hidden character

# A character of the value, mapped to ASCII where it has an ASCII form, with its 1-based position.
_Located = tuple[str, int]

_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_LETTER_DIGIT_CONFUSABLES: Final = frozenset("l1I0O")
# Labels of mail host names that a look-alike typo turns into something else (rnail, mai1, p0p3).
_KNOWN_LABELS: Final = frozenset({"mail", "smtp", "imap", "pop", "pop3", "imap4", "webmail", "mx"})
_LABEL_CONFUSABLES: Final = {"1": "l", "I": "l", "|": "l", "0": "o", "O": "o"}
# The classes a password's look-alike is reported as: the characters of the class, never the password's.
_CLASSES: Final = (
    (frozenset("l1I|"), "l, 1, I, |"),
    (frozenset("0O"), "O, 0"),
)
_DASH_CLASS: Final = "- and the dashes that look like it (‐ – — − ー)"
_DASH_CHARACTERS: Final = "-, ‐, –, —, −, ー"


def check_typed_value(field: TypedField, value: str, *, idn_expected: bool = True) -> tuple[TypoRisk, ...]:
    """The typo risks of one typed value, in the order of TypoRiskKind.

    `value` is the field as typed: a bare host name for HOST (what a mail
    program's "server" box holds), not a server URL. `idn_expected=False` says
    that the account's own domain is plain ASCII, so a host in Japanese
    characters is an IME accident even where it would be a valid IDN.
    """
    secret = field is TypedField.PASSWORD
    risks: list[TypoRisk] = []

    def add(kind: TypoRiskKind, positions: Iterable[int], detail: str, characters: str = "") -> None:
        risks.append(TypoRisk(kind, tuple(sorted(set(positions))), detail, characters))

    risks += _space_risks(value, secret)
    fullwidth = [p for p, char in enumerate(value, 1) if ascii_form(char) is not None]
    if fullwidth:
        add(TypoRiskKind.FULLWIDTH, fullwidth, _full_width_detail(value, fullwidth, secret))
    invisible = [p for p, char in enumerate(value, 1) if is_invisible(char)]
    if invisible:
        add(TypoRiskKind.INVISIBLE, invisible, _invisible_detail(value, invisible, secret))

    located = _ascii_mapped(value)
    lookalikes = set(_lookalikes(field, located)) - set(fullwidth)
    explained = {*fullwidth, *invisible, *lookalikes}
    others = [p for p, char in enumerate(value, 1) if not char.isascii() and p not in explained]
    if others and _non_ascii_is_risky(field, value, idn_expected=idn_expected):
        add(TypoRiskKind.NON_ASCII, others, _non_ascii_detail(value, others, field, secret))
    if lookalikes:
        ordered = sorted(lookalikes)
        add(
            TypoRiskKind.LOOKALIKE,
            ordered,
            _lookalike_detail(value, ordered, secret),
            _lookalike_characters(value, ordered, secret),
        )

    if field in (TypedField.USERNAME, TypedField.PASSWORD) and (caps := _caps_lock_detail(value)):
        add(TypoRiskKind.CAPS_LOCK_LIKE, (), caps)
    if field is TypedField.HOST:
        risks += _host_shape_risks(located)
    order = list(TypoRiskKind)
    return tuple(sorted(risks, key=lambda risk: order.index(risk.kind)))


# --------------------------------------------------------------------------- spaces and characters


def _space_risks(value: str, secret: bool) -> list[TypoRisk]:
    # "Leading" spans what the eye takes for the start: spaces mixed with invisible characters.
    blank = [is_space(char) or is_invisible(char) for char in value]
    start = next((index for index, is_blank in enumerate(blank) if not is_blank), len(value))
    end = next((index for index in reversed(range(len(value))) if not blank[index]), -1)
    spaces = [index for index, char in enumerate(value) if is_space(char)]
    groups = (
        (TypoRiskKind.LEADING_SPACE, [i + 1 for i in spaces if i < start], "space at the start"),
        (TypoRiskKind.TRAILING_SPACE, [i + 1 for i in spaces if i > end and i >= start], "space at the end"),
        (TypoRiskKind.INNER_SPACE, [i + 1 for i in spaces if start <= i <= end], "space inside the value"),
    )
    risks = []
    for kind, positions, words in groups:
        if positions:
            named = "" if secret else " (" + ", ".join(describe(value[p - 1]) for p in positions) + ")"
            risks.append(TypoRisk(kind, tuple(positions), f"{words} at {_positions_text(positions)}{named}"))
    return risks


def _full_width_detail(value: str, positions: list[int], secret: bool) -> str:
    words = f"full-width characters from Japanese input at {_positions_text(positions)}"
    if secret:
        return words
    forms = ", ".join(f"{describe(value[p - 1])} for {ascii_form(value[p - 1])!r}" for p in positions)
    return f"{words}: {forms}"


def _invisible_detail(value: str, positions: list[int], secret: bool) -> str:
    # the code points of invisible characters say nothing about the rest of a password,
    # but a password's own characters are still kept out on principle
    words = f"invisible characters at {_positions_text(positions)}"
    if secret:
        return words
    return f"{words}: " + ", ".join(describe(value[p - 1]) for p in positions)


def _non_ascii_is_risky(field: TypedField, value: str, *, idn_expected: bool) -> bool:
    if field is TypedField.HOST:
        return not idn_expected or validate_domain(value) is None
    if field is TypedField.ADDRESS:
        return not check_address(value).ok
    return True


def _non_ascii_detail(value: str, positions: list[int], field: TypedField, secret: bool) -> str:
    words = f"characters that are not half-width letters, digits or symbols at {_positions_text(positions)}"
    if field is TypedField.HOST:
        words += "; a server name is normally typed in half-width letters"
    if secret:
        return words
    return f"{words}: " + ", ".join(describe(value[p - 1]) for p in positions)


def _caps_lock_detail(value: str) -> str | None:
    cased = [char for char in value if char.isupper() or char.islower()]
    if cased and all(char.isupper() for char in cased):
        return "every letter is a capital, as if Caps Lock were on"
    if len(cased) >= 2 and cased[0].islower() and all(char.isupper() for char in cased[1:]):
        return "the first letter is small and the others are capitals, as if Caps Lock were on"
    return None


# --------------------------------------------------------------------------- look-alikes


def _ascii_mapped(value: str) -> list[_Located]:
    """The value as the characters it stands for: full-width forms as ASCII, invisible ones dropped."""
    located: list[_Located] = []
    for position, char in enumerate(value, 1):
        form = ascii_form(char)
        if form is not None:
            located.extend((mapped, position) for mapped in form)
        elif not is_invisible(char):
            located.append((char, position))
    return located


def _lookalikes(field: TypedField, located: list[_Located]) -> list[int]:
    if field is TypedField.HOST:
        return _host_lookalikes(_host_part(located))
    if field is TypedField.ADDRESS:
        ats = [index for index, (char, _) in enumerate(located) if char == "@"]
        return _host_lookalikes(located[ats[-1] + 1 :]) if ats else []
    return _code_lookalikes(located)


def _code_lookalikes(located: list[_Located]) -> list[int]:
    """l/1/I and O/0 inside a run that mixes letters and digits (an issued ID or password), | and dashes."""
    found = [
        position
        for index, (char, position) in enumerate(located)
        if char == "|" or is_dash_like(char, located[index - 1][0] if index else None)
    ]
    run: list[_Located] = []
    for char, position in [*located, (" ", 0)]:
        if char.isascii() and char.isalnum():
            run.append((char, position))
            continue
        if any(c.isalpha() for c, _ in run) and any(c.isdigit() for c, _ in run):
            found += [p for c, p in run if c in _LETTER_DIGIT_CONFUSABLES]
        run = []
    return found


def _host_lookalikes(host: list[_Located]) -> list[int]:
    """Characters of a host name that are probably not the ones meant: maiI, rnail, ma1l, mail_box."""
    letters = [char for char, _ in host if char.isascii() and char.isalpha()]
    has_lower = any(char.islower() for char in letters)
    upper_only = bool(letters) and all(char.isupper() for char in letters if char != "l")
    found: list[int] = []
    for index, (char, position) in enumerate(host):
        previous = host[index - 1][0] if index else None
        following = host[index + 1][0] if index + 1 < len(host) else None
        if (
            char in "|_"
            or is_dash_like(char, previous)
            or (char in "IO" and has_lower)
            or (char == "l" and upper_only and any(c.isupper() for c in letters))
            or (char in "01" and _is_ascii_letter(previous) and _is_ascii_letter(following))
            or (char in "lIOo" and _is_ascii_digit(previous) and _is_ascii_digit(following))
        ):
            found.append(position)
    for label in _split_labels(host):
        found += _known_label_lookalikes(label)
    return found


def _is_ascii_letter(char: str | None) -> bool:
    return char is not None and char.isascii() and char.isalpha()


def _is_ascii_digit(char: str | None) -> bool:
    return char is not None and char.isascii() and char.isdigit()


def _known_label_lookalikes(label: list[_Located]) -> list[int]:
    """The characters that keep a label from being a well-known one: "rn" in rnail, "1" in mai1."""
    meant: list[str] = []
    changed: list[int] = []
    index = 0
    while index < len(label):
        char, position = label[index]
        if char == "r" and index + 1 < len(label) and label[index + 1][0] == "n":
            meant.append("m")
            changed += [position, label[index + 1][1]]
            index += 2
            continue
        replacement = _LABEL_CONFUSABLES.get(char)
        if replacement is not None:
            changed.append(position)
        meant.append(replacement or char.lower())
        index += 1
    return changed if changed and "".join(meant) in _KNOWN_LABELS else []


def _lookalike_detail(value: str, positions: list[int], secret: bool) -> str:
    if not secret:
        named = ", ".join(f"{describe(value[p - 1])} at {p}" for p in positions)
        return f"characters that are easy to confuse with others: {named}"
    chars = {value[p - 1] for p in positions}
    classes = [words for members, words in _CLASSES if chars & members]
    if chars - set().union(*(members for members, _ in _CLASSES)):
        classes.append(_DASH_CLASS)
    where = _positions_text(positions)
    return f"contains characters that are easy to confuse ({' / '.join(classes)}) at {where}"


def _lookalike_characters(value: str, positions: list[int], secret: bool) -> str:
    """The look-alikes to name in a report: the characters themselves, or for a password their groups."""
    chars = [value[p - 1] for p in positions]
    if not secret:
        return ", ".join(dict.fromkeys(visible_form(char) for char in chars))
    groups = [words for members, words in _CLASSES if members.intersection(chars)]
    if set(chars) - set().union(*(members for members, _ in _CLASSES)):
        groups.append(_DASH_CHARACTERS)
    return ", ".join(groups)


# --------------------------------------------------------------------------- the shape of a host name


def _scheme_end(located: list[_Located]) -> int:
    """How many located characters a pasted "imaps://" takes at the start (after spaces), or 0."""
    text = "".join(char for char, _ in located)
    stripped = text.lstrip()
    match = _SCHEME.match(stripped)
    return len(text) - len(stripped) + match.end() if match else 0


def _host_part(located: list[_Located]) -> list[_Located]:
    """The host name proper: no scheme, nothing up to an @, no spaces, no port or path after it."""
    rest = located[_scheme_end(located) :]
    ats = [index for index, (char, _) in enumerate(rest) if char == "@"]
    if ats:
        rest = rest[ats[-1] + 1 :]
    rest = [(char, position) for char, position in rest if not is_space(char)]
    cut = next((index for index, (char, _) in enumerate(rest) if char in "/:?#"), len(rest))
    return rest[:cut]


def _split_labels(host: list[_Located]) -> list[list[_Located]]:
    labels: list[list[_Located]] = [[]]
    for item in host:
        if item[0] == ".":
            labels.append([])
        else:
            labels[-1].append(item)
    return labels


def _host_shape_risks(located: list[_Located]) -> list[TypoRisk]:
    risks: list[TypoRisk] = []
    scheme_end = _scheme_end(located)
    if scheme_end:
        positions = sorted({position for char, position in located[:scheme_end] if not is_space(char)})
        scheme = "".join(char for char, _ in located[:scheme_end]).strip()
        detail = f"{scheme!r} in front of the server name: type only the name, such as mail.example.jp"
        risks.append(TypoRisk(TypoRiskKind.SCHEME_IN_HOST, tuple(positions), detail, scheme))
    ats = sorted({position for char, position in located[scheme_end:] if char == "@"})
    if ats:
        detail = f"an @ at {_positions_text(ats)}: the server name is not an email address"
        risks.append(TypoRisk(TypoRiskKind.EMAIL_IN_HOST, tuple(ats), detail))

    host = _host_part(located)
    doubled = sorted(
        {
            position
            for index, (char, position) in enumerate(host)
            if char == "." and (index == 0 or host[index - 1][0] == ".")
        }
    )
    if doubled:
        detail = f"two dots in a row, or a dot at the start, at {_positions_text(doubled)}"
        risks.append(TypoRisk(TypoRiskKind.DOUBLE_DOT, tuple(doubled), detail))
    if len(host) > 1 and host[-1][0] == ".":
        detail = f"a dot at the end, at {_positions_text([host[-1][1]])}"
        risks.append(TypoRisk(TypoRiskKind.TRAILING_DOT, (host[-1][1],), detail))
    return risks


# --------------------------------------------------------------------------- display


def _positions_text(positions: Collection[int]) -> str:
    ordered = sorted(positions)
    if len(ordered) == 1:
        return f"position {ordered[0]}"
    return "positions " + ", ".join(str(p) for p in ordered)


def _runs(positions: Iterable[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for position in sorted(set(positions)):
        if runs and runs[-1][-1] == position - 1:
            runs[-1].append(position)
        else:
            runs.append([position])
    return runs


def _check_positions(length: int, positions: Collection[int]) -> None:
    for position in positions:
        if not 1 <= position <= length:
            raise ValueError(f"position {position} is outside a value of {length} characters")


def mark(value: str, positions: Collection[int]) -> str:
    """The value with the characters at `positions` (1-based) between ⟦ ⟧: "mail.exam⟦ｐ⟧le.jp".

    Neighbouring positions share one pair of brackets. An invisible character is
    always shown as its code point in its own brackets ("⟦U+200B⟧"), marked or
    not, so that the display never hides it. Never for a password: see mark_password.
    """
    _check_positions(len(value), positions)
    marked = set(positions)
    out: list[str] = []
    run: list[str] = []

    def close_run() -> None:
        if run:
            out.append(f"{MARK_OPEN}{''.join(run)}{MARK_CLOSE}")
            run.clear()

    for position, char in enumerate(value, 1):
        shown = visible_form(char)
        if shown != char:
            close_run()
            out.append(f"{MARK_OPEN}{shown}{MARK_CLOSE}")
        elif position in marked:
            run.append(char)
        else:
            close_run()
            out.append(char)
    close_run()
    return "".join(out)


def mark_password(length: int, positions: Collection[int], *, blanks: Collection[int] = ()) -> str:
    """A password drawn as one bullet per character, risky positions in ⟦ ⟧: "⟦ ⟧•••⟦•⟧••".

    Only the length and the positions go in, never a character. A position in
    `blanks` (a space, which the person cannot see anyway) is drawn as a blank,
    any other marked position as a bullet. This shows the password's length: use
    it on the screen of the person who typed it, never in a stored report.
    """
    if length < 0:
        raise ValueError("a length cannot be negative")
    _check_positions(length, [*positions, *blanks])
    marked = _runs([*positions, *blanks])
    blank = set(blanks)
    out: list[str] = []
    position = 1
    for run in marked:
        out.append(PASSWORD_BULLET * (run[0] - position))
        out.append(MARK_OPEN + "".join(" " if p in blank else PASSWORD_BULLET for p in run) + MARK_CLOSE)
        position = run[-1] + 1
    out.append(PASSWORD_BULLET * (length - position + 1))
    return "".join(out)
