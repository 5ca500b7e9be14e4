"""check_address: the mistakes people in Japan really make in an email address, and the clean cases."""

import dataclasses

import pytest

from maildoctor.lint.address import (
    AddressCheck,
    AddressProblem,
    AddressProblemKind,
    check_address,
    validate_domain,
)

K = AddressProblemKind


@pytest.mark.parametrize(
    ("address", "normalized"),
    [
        ("taro@example.jp", "taro@example.jp"),
        ("taro.yamada+news@mail.example.co.jp", "taro.yamada+news@mail.example.co.jp"),
        ("TARO@EXAMPLE.JP", "TARO@example.jp"),  # the domain is lower-cased, the local part kept
        ("taro@日本語.jp", "taro@日本語.jp"),  # a Japanese IDN is valid
        ("taro@xn--wgv71a119e.jp", "taro@日本語.jp"),  # and so is its ASCII form
        ("taro@メール.example.jp", "taro@メール.example.jp"),
        ("alice@example.test", "alice@example.test"),  # the lab's reserved names
        ("o'brien@example.jp", "o'brien@example.jp"),
    ],
)
def test_clean_addresses_have_no_problems(address: str, normalized: str) -> None:
    assert check_address(address) == AddressCheck(ok=True, normalized=normalized, problems=())


# (address, kinds found, positions at fault, suggestion)
MISTAKES = [
    # a Japanese IME left on
    ("taro＠example.jp", [K.FULLWIDTH_AT], [5], "taro@example.jp"),
    ("taro﹫example.jp", [K.FULLWIDTH_AT], [5], "taro@example.jp"),
    (
        "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ",
        [K.FULLWIDTH_CHARS, K.FULLWIDTH_AT],
        list(range(1, 16)),
        "taro@example.jp",
    ),
    ("taro@ｅｘａｍｐｌｅ.jp", [K.FULLWIDTH_CHARS], list(range(6, 13)), "taro@example.jp"),
    ("taro@example。jp", [K.FULLWIDTH_CHARS], [13], "taro@example.jp"),  # ideographic full stop
    ("taro@example.jp\u3000", [K.SPACE], [16], "taro@example.jp"),  # ideographic space
    # copy and paste
    ("taro@example.jp ", [K.SPACE], [16], "taro@example.jp"),
    (" taro@example.jp", [K.SPACE], [1], "taro@example.jp"),
    ("taro@example.jp\n", [K.SPACE], [16], "taro@example.jp"),
    ("taro\u200b@example.jp", [K.INVISIBLE], [5], "taro@example.jp"),  # ZWSP from a web page
    ("\ufefftaro@example.jp", [K.INVISIBLE], [1], "taro@example.jp"),  # BOM
    ("taro@exam\u00adple.jp", [K.INVISIBLE], [10], "taro@example.jp"),  # soft hyphen
    ("taro@exa\u2060mple.jp", [K.INVISIBLE], [9], "taro@example.jp"),  # word joiner
    ("taro@exa\u00a0mple.jp", [K.SPACE], [9], "taro@example.jp"),  # NBSP
    ("taro@exa mple.jp", [K.SPACE], [9], "taro@example.jp"),
    # the @
    ("taro@@example.jp", [K.SEVERAL_AT], [6], "taro@example.jp"),
    ("taro@mail@example.jp", [K.SEVERAL_AT], [10], None),
    ("taro＠@example.jp", [K.FULLWIDTH_AT, K.SEVERAL_AT], [5, 6], "taro@example.jp"),
    ("taro.example.jp", [K.NO_AT], [], None),
    ("", [K.NO_AT], [], None),
    # the domain
    ("taro@example..jp", [K.INVALID_DOMAIN], [14], "taro@example.jp"),
    ("taro@.example.jp", [K.INVALID_DOMAIN], [6], "taro@example.jp"),
    ("taro@example.jp.", [K.INVALID_DOMAIN], [16], "taro@example.jp"),
    ("taro@example", [K.INVALID_DOMAIN], [], None),
    ("taro@-example.jp", [K.INVALID_DOMAIN], [6], None),
    ("taro@example-.jp", [K.INVALID_DOMAIN], [13], None),
    ("taro@exa_mple.jp", [K.INVALID_DOMAIN], [9], None),
    ("taro@", [K.INVALID_DOMAIN], [5], None),
    ("taro@xn--zz.jp", [K.INVALID_DOMAIN], [], None),  # bad IDN
    ("taro@localhost", [K.INVALID_DOMAIN], [], None),
    # the local part
    ("@example.jp", [K.INVALID_LOCAL_PART], [1], None),
    ("taro.@example.jp", [K.INVALID_LOCAL_PART], [5], None),
    ("ta..ro@example.jp", [K.INVALID_LOCAL_PART], [4], None),
    ("太郎@example.jp", [K.INVALID_LOCAL_PART], [1, 2], None),  # IME on for the name
    ("taro,yamada@example.jp", [K.INVALID_LOCAL_PART], [5], None),
    # several at once
    ("taro＠example..jp ", [K.FULLWIDTH_AT, K.SPACE, K.INVALID_DOMAIN], [5, 14, 17], "taro@example.jp"),
]


@pytest.mark.parametrize(("address", "kinds", "positions", "suggestion"), MISTAKES)
def test_real_mistakes(address: str, kinds: list[K], positions: list[int], suggestion: str | None) -> None:
    check = check_address(address)
    assert not check.ok
    assert check.normalized is None
    assert set(check.kinds) == set(kinds)
    assert list(check.positions) == positions
    assert check.suggestion == suggestion
    assert all(problem.detail for problem in check.problems)


def test_each_character_at_fault_is_a_problem_of_its_own() -> None:
    check = check_address(" taro @example.jp\u3000")
    assert [(p.kind, p.position) for p in check.problems] == [(K.SPACE, 1), (K.SPACE, 6), (K.SPACE, 18)]
    assert [p.detail.split(":")[0] for p in check.problems] == [
        "space at the start",
        "space inside",
        "space at the end",
    ]


def test_details_name_the_character() -> None:
    (fullwidth_at,) = check_address("taro＠example.jp").problems
    assert "U+FF20" in fullwidth_at.detail
    (zwsp,) = check_address("taro\u200b@example.jp").problems
    assert "U+200B" in zwsp.detail
    assert "ZERO WIDTH SPACE" in zwsp.detail


def test_a_suggestion_is_only_given_when_it_is_valid() -> None:
    # full-width characters repaired, but the domain still has no dot
    check = check_address("ｔａｒｏ＠ｅｘａｍｐｌｅ")
    assert K.INVALID_DOMAIN in check.kinds
    assert check.suggestion is None


def test_the_kinds_are_the_public_names() -> None:
    assert [kind.value for kind in K] == [
        "fullwidth_at",
        "no_at",
        "several_at",
        "space",
        "fullwidth_chars",
        "invisible",
        "invalid_local_part",
        "invalid_domain",
    ]


def test_results_are_frozen() -> None:
    check = check_address("taro＠example.jp")
    with pytest.raises(dataclasses.FrozenInstanceError):
        check.ok = True  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        check.problems[0].position = 1  # type: ignore[misc]
    assert isinstance(check.problems[0], AddressProblem)


@pytest.mark.parametrize(
    ("domain", "ascii_domain"),
    [
        ("example.jp", "example.jp"),
        ("日本語.jp", "xn--wgv71a119e.jp"),
        ("example..jp", None),
        ("メ|ル.jp", None),
        ("example", None),
    ],
)
def test_validate_domain(domain: str, ascii_domain: str | None) -> None:
    assert validate_domain(domain) == ascii_domain


@pytest.mark.parametrize(
    "text",
    [
        "@",
        "@@",
        "\u3000",
        "\u200b",
        "..@..",
        "a@b",
        "＠",
        "\x00",
        "a" * 300 + "@example.jp",
        "x@" + "a." * 200 + "jp",
    ],
)
def test_odd_input_never_raises(text: str) -> None:
    check = check_address(text)
    assert not check.ok
    assert check.problems
