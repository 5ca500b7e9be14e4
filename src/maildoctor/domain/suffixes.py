"""The Public Suffix List, parsed quickly: only the rules of the top-level domain asked about.

`publicsuffixlist` parses the whole list (~16,000 lines) and runs Python's IDNA codec on every
rule, ~45 ms per list, and a check needs two lists (the whole one for DMARC, the ICANN section
for registries). But a name can only match rules that end in its own top-level label, so the
lines ending in the one top-level label asked about are found in the text (a regular-expression
search), and a `PublicSuffixList` is made of their few rules, with the A-label (punycode) form of its
non-ASCII rules added as the library would add them. The answers are the library's own for the
whole list (names are looked up as A-labels everywhere in maildoctor); tests/unit/test_suffixes.py
compares the two over every rule of the list.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from functools import cache
from pathlib import Path

from publicsuffixlist import PSLFILE, PublicSuffixList, encode_idn

_ICANN_END = "// ===END ICANN DOMAINS==="


def a_label_form(rule: str) -> str:
    """The rule with IDNA A-labels (what `publicsuffixlist.encode_idn` gives), its "!" kept."""
    exception = "!" if rule.startswith("!") else ""
    name = rule.lstrip("!")
    labels: list[str] = []
    for label in name.split("."):
        if label.isascii():
            labels.append(label)
        elif unicodedata.normalize("NFKC", label.casefold()) == label:
            labels.append("xn--" + label.encode("punycode").decode("ascii"))
        else:
            return exception + encode_idn(name)
    return exception + ".".join(labels)


@cache
def _sections() -> tuple[str, str]:
    """The list's text in lower case: (ICANN's section, the private section)."""
    text = Path(PSLFILE).read_text(encoding="utf-8")
    icann, _, private = text.partition(_ICANN_END)
    return icann.lower(), private.lower()


def _rules_ending_in(section: str, top_label: str) -> list[str]:
    """The rules of one section whose last label is `top_label`, each line read as the library reads it.

    Only the lines where `top_label` is followed by a space or the line's end are read (found by a
    regular-expression search, ~1 ms, instead of splitting ~16,000 lines in Python, ~9 ms); each
    of them is read as before (`line.lower().split(" ")[0].rstrip()`, lower case being the section's).
    """
    rules: list[str] = []
    starts: set[int] = set()
    for match in re.finditer(rf"{re.escape(top_label)}(?=\s|\Z)", section):
        start = section.rfind("\n", 0, match.start()) + 1
        if start in starts:
            continue
        starts.add(start)
        end = section.find("\n", match.end())
        for line in section[start : end if end >= 0 else len(section)].splitlines():
            if not line or line.startswith("//"):
                continue
            rule = line.split(" ")[0].rstrip()
            if rule and not rule.startswith("//") and rule.rpartition(".")[2] == top_label:
                rules.append(rule)
    return rules


@cache
def _list_of(top_label: str, only_icann: bool) -> PublicSuffixList:
    icann, private = _sections()
    found = _rules_ending_in(icann, top_label)
    if not only_icann:
        found += _rules_ending_in(private, top_label)
    rules: list[str] = []
    for rule in found:
        rules.append(rule)
        if not rule.isascii():
            rules.append(a_label_form(rule))
    return PublicSuffixList(rules, accept_encoded_idn=False)


def public_suffix_list(name: str, only_icann: bool = False) -> PublicSuffixList:
    """A list that answers for `name` as the whole list would (or its ICANN section alone)."""
    top = name.strip().rstrip(".").rpartition(".")[2].lower()
    if top.startswith("xn--"):
        with contextlib.suppress(UnicodeError):
            top = top[4:].encode("ascii").decode("punycode")
    return _list_of(top, only_icann)


__all__ = ["a_label_form", "public_suffix_list"]
