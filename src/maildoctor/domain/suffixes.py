"""The Public Suffix List, parsed once per run and quickly.

`publicsuffixlist` adds the A-label (punycode) form of every rule by running Python's IDNA codec
on each of its ~16,000 lines: ~90 ms for the two lists a check needs. Only the ~460 rules with
non-ASCII labels have another form, so we add those ourselves (punycode alone where IDNA's
nameprep would change nothing, which is every label of today's list; the codec otherwise), read
the file once for both lists, and let the library take the rules as they are. The lookups then
match exactly as with the library's own parsing (names are looked up as A-labels everywhere in
maildoctor); tests/unit/test_suffixes.py compares the two.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

from publicsuffixlist import PSLFILE, PublicSuffixList, encode_idn

_ICANN_END = "// ===END ICANN DOMAINS==="


def a_label_form(rule: str) -> str:
    """The rule with IDNA A-labels (what `publicsuffixlist.encode_idn` gives), its "!" kept."""
    exception = rule.startswith("!")
    name = rule.lstrip("!")
    labels: list[str] = []
    for label in name.split("."):
        if label.isascii():
            labels.append(label)
        elif unicodedata.normalize("NFKC", label.casefold()) == label:
            labels.append("xn--" + label.encode("punycode").decode("ascii"))
        else:
            return ("!" if exception else "") + encode_idn(name)
    return ("!" if exception else "") + ".".join(labels)


@cache
def _rules() -> tuple[tuple[str, ...], int]:
    """Every rule of the list with the A-label forms added, and how many of them are ICANN's (the
    ICANN section comes first)."""
    with Path(PSLFILE).open(encoding="utf-8") as file:
        text = file.read()
    rules: list[str] = []
    icann = 0
    for line in text.splitlines():
        if line.startswith(_ICANN_END):
            icann = len(rules)
        rule = line.lower().split(" ")[0].rstrip()
        if not rule or rule.startswith("//"):
            continue
        rules.append(rule)
        if not rule.isascii():
            rules.append(a_label_form(rule))
    return tuple(rules), icann


@cache
def public_suffix_list(only_icann: bool = False) -> PublicSuffixList:
    """The whole list, or only its ICANN section (what registries hand out)."""
    rules, icann = _rules()
    return PublicSuffixList(rules[:icann] if only_icann else rules, accept_encoded_idn=False)


__all__ = ["a_label_form", "public_suffix_list"]
