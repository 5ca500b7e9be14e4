"""Our quick parse of the Public Suffix List answers as the library's own parse does."""

from __future__ import annotations

from pathlib import Path

import pytest
from publicsuffixlist import PSLFILE, PublicSuffixList, encode_idn

from maildoctor.domain.suffixes import a_label_form, public_suffix_list


def _rules() -> list[str]:
    with Path(PSLFILE).open(encoding="utf-8") as file:
        lines = [line.lower().split(" ")[0].rstrip() for line in file]
    return [line for line in lines if line and not line.startswith("//")]


@pytest.mark.parametrize("only_icann", [False, True])
def test_same_answers_as_the_library(only_icann: bool) -> None:
    theirs = PublicSuffixList(only_icann=only_icann)
    names = ["example.co.jp", "mail.example.co.jp", "foo.blogspot.com", "a.b.example.test", "co.jp"]
    names += ["test", "example.unknowntld", "xn--zz.example", "x.xn--j6w193g", "EXAMPLE.CO.JP.", ""]
    for rule in _rules():
        base = rule.lstrip("!").removeprefix("*.")
        for form in {base, encode_idn(base)}:
            names += [form, f"x.{form}", f"y.x.{form}"]
    differing = [
        name
        for name in names
        if (
            (ours := public_suffix_list(name, only_icann)).publicsuffix(name),
            ours.privatesuffix(name),
            ours.is_public(name),
        )
        != (theirs.publicsuffix(name), theirs.privatesuffix(name), theirs.is_public(name))
    ]
    assert differing == []
    assert len(names) > 20000


@pytest.mark.parametrize(
    "rule", ["公司.cn", "!城市.kawasaki.jp", "*.個人.香港", "ｅｘａｍｐｌｅ.jp", "example.jp"]
)
def test_a_label_form_matches_the_codec(rule: str) -> None:
    exception = "!" if rule.startswith("!") else ""
    assert a_label_form(rule) == exception + encode_idn(rule.lstrip("!"))
