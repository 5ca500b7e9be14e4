"""The Public Suffix List, parsed quickly: only the rules of the top-level domain asked about.

`publicsuffixlist` parses the whole list (~16,000 lines) and runs Python's IDNA codec on every
rule, ~45 ms per list, and a check needs two lists (the whole one for DMARC, the ICANN section
for registries). But a name can only match rules that end in its own top-level label, so the
list is split by that label once (a cheap pass, no IDNA), and a `PublicSuffixList` is made of the
few rules of the one top-level domain asked about, with the A-label (punycode) form of its
non-ASCII rules added as the library would add them. The answers are the library's own for the
whole list (names are looked up as A-labels everywhere in maildoctor); tests/unit/test_suffixes.py
compares the two over every rule of the list.
"""

from __future__ import annotations

import contextlib
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
def _by_top_label() -> dict[str, tuple[list[str], list[str]]]:
    """The rules by their last label (as written in the list): (ICANN's, the private section's)."""
    text = Path(PSLFILE).read_text(encoding="utf-8")
    icann, _, private = text.partition(_ICANN_END)
    groups: dict[str, tuple[list[str], list[str]]] = {}
    for section, part in enumerate((icann, private)):
        for line in part.splitlines():
            if not line or line.startswith("//"):
                continue
            rule = line.lower().split(" ")[0].rstrip()  # as the library reads a line
            if not rule or rule.startswith("//"):
                continue
            groups.setdefault(rule.rpartition(".")[2], ([], []))[section].append(rule)
    return groups


@cache
def _list_of(top_label: str, only_icann: bool) -> PublicSuffixList:
    icann, private = _by_top_label().get(top_label, ([], []))
    rules: list[str] = []
    for rule in icann if only_icann else (*icann, *private):
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
