"""Is the email address written correctly, and if not, where and what did the person mean?

email-validator decides the RFC syntax (IDN domains allowed, no deliverability
lookups); the checks here name what a person in Japan actually mistypes, at the
character where it happens: the full-width ＠ of a Japanese IME, an ideographic
or copy-pasted space, a zero-width character from a web page, full-width
letters, two @, an empty or hyphen-edged domain label. Positions are 1-based,
counted in characters of the text as given.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from email_validator import EmailNotValidError, ValidatedEmail, validate_email

from maildoctor.lint._chars import ascii_form, describe, is_invisible, is_space

__all__ = ["AddressCheck", "AddressProblem", "AddressProblemKind", "check_address", "validate_domain"]


class AddressProblemKind(StrEnum):
    FULLWIDTH_AT = "fullwidth_at"  # ＠ (U+FF20) or ﹫ (U+FE6B) typed with a Japanese IME on
    NO_AT = "no_at"
    SEVERAL_AT = "several_at"
    SPACE = "space"  # any space or line break: ASCII, ideographic (U+3000), NBSP...
    FULLWIDTH_CHARS = "fullwidth_chars"  # Ｆｕｌｌ－ｗｉｄｔｈ letters, digits, dots
    INVISIBLE = "invisible"  # zero-width and other format characters, soft hyphen, controls
    INVALID_LOCAL_PART = "invalid_local_part"
    INVALID_DOMAIN = "invalid_domain"


@dataclass(frozen=True, slots=True)
class AddressProblem:
    kind: AddressProblemKind
    position: int | None  # 1-based; None when the fault is not at one character
    detail: str  # plain English for logs and tests; the report renders `kind`


@dataclass(frozen=True, slots=True)
class AddressCheck:
    ok: bool
    normalized: str | None  # email-validator's normalized form (domain lower-cased), when ok
    problems: tuple[AddressProblem, ...]
    suggestion: str | None = None  # a corrected address that is valid, when one follows from the faults

    @property
    def kinds(self) -> tuple[AddressProblemKind, ...]:
        """The kinds of the problems, each once, in the order they were found."""
        return tuple(dict.fromkeys(problem.kind for problem in self.problems))

    @property
    def positions(self) -> tuple[int, ...]:
        """Every position at fault, sorted, each once."""
        return tuple(sorted({p.position for p in self.problems if p.position is not None}))


_FULLWIDTH_ATS: Final = frozenset("\uff20\ufe6b")
# RFC 5322 atext; a dot is allowed between atoms
_ATEXT: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~")
_HOSTNAME_ASCII: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.")
# A valid domain to check a local part against, and a valid local part to check a domain with.
_PROBE_DOMAIN: Final = "example.jp"
_PROBE_LOCAL: Final = "x"

# A typed character with the 1-based position of the character it came from.
_Located = tuple[str, int]


def _validate(address: str) -> ValidatedEmail:
    # No SMTPUTF8: Japanese providers do not offer mailboxes with non-ASCII local parts, so "太郎@"
    # is a mistake in practice. test_environment admits the reserved ".test" names of the lab.
    return validate_email(
        address,
        check_deliverability=False,
        allow_smtputf8=False,
        test_environment=True,
    )


def validate_domain(domain: str) -> str | None:
    """The IDNA ASCII form of a domain that may follow an @ (IDN allowed), or None if it cannot."""
    try:
        return _validate(f"{_PROBE_LOCAL}@{domain}").ascii_domain
    except EmailNotValidError:
        return None


def check_address(text: str) -> AddressCheck:
    """Check an email address as typed; never raises for any text."""
    if not text:
        return AddressCheck(
            False, None, (AddressProblem(AddressProblemKind.NO_AT, None, "the address is empty"),)
        )

    problems, cleaned = _character_problems(text)
    problems += _structure_problems(cleaned)
    if not problems:
        try:
            validated = _validate(text)
        except EmailNotValidError as exc:
            # what the parts pass but the whole does not: the length of the whole address
            kind = (
                AddressProblemKind.INVALID_DOMAIN
                if "after the @" in str(exc)
                else AddressProblemKind.INVALID_LOCAL_PART
            )
            problems.append(AddressProblem(kind, None, str(exc)))
        else:
            return AddressCheck(True, validated.normalized, ())

    return AddressCheck(False, None, tuple(problems), _suggest(cleaned, text))


def _character_problems(text: str) -> tuple[list[AddressProblem], list[_Located]]:
    """The faults of single characters, and the text with each fault repaired (NFKC, no spaces)."""
    content = [
        position for position, char in enumerate(text, 1) if not (is_space(char) or is_invisible(char))
    ]
    first, last = (content[0], content[-1]) if content else (len(text) + 1, 0)
    problems: list[AddressProblem] = []
    cleaned: list[_Located] = []
    for position, char in enumerate(text, 1):
        if char in _FULLWIDTH_ATS:
            detail = f"full-width at sign {describe(char)} instead of @"
            problems.append(AddressProblem(AddressProblemKind.FULLWIDTH_AT, position, detail))
            cleaned.append(("@", position))
        elif is_space(char):
            where = "at the start" if position < first else "at the end" if position > last else "inside"
            detail = f"space {where}: {describe(char)}"
            problems.append(AddressProblem(AddressProblemKind.SPACE, position, detail))
        elif is_invisible(char):
            detail = f"invisible character {describe(char)}"
            problems.append(AddressProblem(AddressProblemKind.INVISIBLE, position, detail))
        elif (form := ascii_form(char)) is not None:
            detail = f"full-width character {describe(char)} instead of {form!r}"
            problems.append(AddressProblem(AddressProblemKind.FULLWIDTH_CHARS, position, detail))
            cleaned.extend((mapped, position) for mapped in form)
        else:
            cleaned.append((char, position))
    return problems, cleaned


def _structure_problems(cleaned: list[_Located]) -> list[AddressProblem]:
    """The faults of the address once its characters are repaired: the @, then each part."""
    ats = [index for index, (char, _) in enumerate(cleaned) if char == "@"]
    if not ats:
        return [
            AddressProblem(AddressProblemKind.NO_AT, None, "there is no @ between the name and the domain")
        ]
    if len(ats) > 1:
        return [
            AddressProblem(AddressProblemKind.SEVERAL_AT, cleaned[index][1], "a second @")
            for index in ats[1:]
        ]
    at = ats[0]
    return _local_part_problems(cleaned[:at], cleaned[at][1]) + _domain_problems(
        cleaned[at + 1 :], cleaned[at][1]
    )


def _text(located: list[_Located]) -> str:
    return "".join(char for char, _ in located)


def _local_part_problems(local: list[_Located], at_position: int) -> list[AddressProblem]:
    kind = AddressProblemKind.INVALID_LOCAL_PART
    if not local:
        return [AddressProblem(kind, at_position, "nothing before the @")]
    try:
        _validate(f"{_text(local)}@{_PROBE_DOMAIN}")
    except EmailNotValidError as exc:
        found = [
            AddressProblem(kind, position, f"{describe(char)} cannot be used before the @")
            for char, position in local
            if char != "." and char not in _ATEXT
        ]
        found += _dot_problems(local, kind, "before the @")
        return found or [AddressProblem(kind, None, str(exc))]
    return []


def _domain_problems(domain: list[_Located], at_position: int) -> list[AddressProblem]:
    kind = AddressProblemKind.INVALID_DOMAIN
    if not domain:
        return [AddressProblem(kind, at_position, "nothing after the @")]
    text = _text(domain)
    if validate_domain(text) is not None:
        return []
    found = [
        AddressProblem(kind, position, f"{describe(char)} cannot be part of a domain")
        for char, position in domain
        if char.isascii() and char not in _HOSTNAME_ASCII
    ]
    found += _dot_problems(domain, kind, "in the domain")
    for label in _labels(domain):
        if label and label[0][0] == "-":
            found.append(AddressProblem(kind, label[0][1], "a part of the domain starts with a hyphen"))
        if label and label[-1][0] == "-" and len(label) > 1:
            found.append(AddressProblem(kind, label[-1][1], "a part of the domain ends with a hyphen"))
    if "." not in text:
        found.append(AddressProblem(kind, None, "the domain has no dot (it should look like example.jp)"))
    if found:
        return found
    try:
        _validate(f"{_PROBE_LOCAL}@{text}")
    except EmailNotValidError as exc:
        return [AddressProblem(kind, None, str(exc))]
    return [
        AddressProblem(kind, None, "the domain is not valid")
    ]  # pragma: no cover -- validate_domain failed


def _labels(located: list[_Located]) -> list[list[_Located]]:
    labels: list[list[_Located]] = [[]]
    for item in located:
        if item[0] == ".":
            labels.append([])
        else:
            labels[-1].append(item)
    return labels


def _dot_problems(located: list[_Located], kind: AddressProblemKind, where: str) -> list[AddressProblem]:
    """Dots at the start or the end, and dots in a row: each marks the dot that is too many."""
    found: list[AddressProblem] = []
    for index, (char, position) in enumerate(located):
        if char != ".":
            continue
        if index == 0:
            found.append(AddressProblem(kind, position, f"a dot at the start {where}"))
        elif index == len(located) - 1:
            found.append(AddressProblem(kind, position, f"a dot at the end {where}"))
        elif located[index - 1][0] == ".":
            found.append(AddressProblem(kind, position, f"two dots in a row {where}"))
    return found


def _suggest(cleaned: list[_Located], text: str) -> str | None:
    """A valid address that the repaired characters give, with a doubled @ or dot undone; else None."""
    candidate = _text(cleaned)
    while "@@" in candidate:
        candidate = candidate.replace("@@", "@")
    local, at, domain = candidate.partition("@")
    while ".." in domain:
        domain = domain.replace("..", ".")
    candidate = f"{local}{at}{domain.strip('.')}"
    try:
        suggestion = _validate(candidate).normalized
    except EmailNotValidError:
        return None
    return suggestion if suggestion != text else None
