"""check_typed_value, mark and mark_password: typo risks in what a person typed."""

import dataclasses

import pytest

from maildoctor.lint.typed import (
    TypedField,
    TypoRisk,
    TypoRiskKind,
    check_typed_value,
    mark,
    mark_password,
)

F = TypedField
K = TypoRiskKind


def risks_of(field: TypedField, value: str, **options: bool) -> dict[TypoRiskKind, tuple[int, ...]]:
    return {risk.kind: risk.positions for risk in check_typed_value(field, value, **options)}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (F.HOST, "mail.example.jp"),
        (F.HOST, "smtp.example.co.jp"),
        (F.HOST, "sv1234.xserver.jp"),  # digits in a rental server's name are normal
        (F.HOST, "mail01.example.jp"),
        (F.HOST, "imap4.example.jp"),
        (F.HOST, "MAIL.EXAMPLE.JP"),  # capitals alone are no risk: host names ignore case
        (F.HOST, "mail-server.example.jp"),
        (F.HOST, "mail.日本語.jp"),  # a valid IDN, where IDN is expected
        (F.HOST, "192.0.2.10"),
        (F.USERNAME, "taro@example.jp"),
        (F.USERNAME, "taro"),
        (F.USERNAME, "Taro.Yamada"),
        (F.USERNAME, "12345678"),
        (F.PASSWORD, "hello"),
        (F.PASSWORD, "Secret"),
        (F.PASSWORD, "correct-horse"),
        (F.PASSWORD, "23894756"),
        (F.PASSWORD, "Tr7ub4dr&3"),  # letters and digits, none of them look-alikes
        (F.ADDRESS, "taro@example.jp"),
        (F.ADDRESS, "taro@日本語.jp"),
    ],
)
def test_clean_values_have_no_risks(field: TypedField, value: str) -> None:
    assert check_typed_value(field, value) == ()


# (field, value, the risks by kind with their positions)
MISTAKES = [
    # spaces from copy and paste, and the ideographic space of a Japanese IME
    (F.USERNAME, "taro@example.jp ", {K.TRAILING_SPACE: (16,)}),
    (F.USERNAME, " taro", {K.LEADING_SPACE: (1,)}),
    (F.USERNAME, "ta ro", {K.INNER_SPACE: (3,)}),
    (F.HOST, "mail.example.jp\u3000", {K.TRAILING_SPACE: (16,), K.FULLWIDTH: (16,)}),
    (F.PASSWORD, "\u3000abcdefg", {K.LEADING_SPACE: (1,), K.FULLWIDTH: (1,)}),
    (F.PASSWORD, "abcdefg\n", {K.TRAILING_SPACE: (8,), K.INVISIBLE: (8,)}),
    # invisible characters pasted from a web page or a PDF
    (F.HOST, "mail.exam\u200bple.jp", {K.INVISIBLE: (10,)}),
    (F.USERNAME, "\ufefftaro", {K.INVISIBLE: (1,)}),
    (F.USERNAME, "taro\u00a0", {K.TRAILING_SPACE: (5,), K.INVISIBLE: (5,)}),  # NBSP
    (F.PASSWORD, "abc\u00addef", {K.INVISIBLE: (4,)}),  # soft hyphen
    (F.PASSWORD, "abc\u200d\u200cdef", {K.INVISIBLE: (4, 5)}),
    # a Japanese IME left on
    (F.HOST, "ｍａｉｌ．example.jp", {K.FULLWIDTH: (1, 2, 3, 4, 5)}),
    (F.HOST, "mail.examｐle.jp", {K.FULLWIDTH: (10,)}),
    (F.HOST, "mail。example。jp", {K.FULLWIDTH: (5, 13)}),  # the ideographic full stop
    (F.USERNAME, "ｔａｒｏ", {K.FULLWIDTH: (1, 2, 3, 4)}),
    (F.USERNAME, "たろう", {K.NON_ASCII: (1, 2, 3)}),  # "taro" typed in kana mode
    (F.PASSWORD, "ぱsswo", {K.NON_ASCII: (1,)}),
    (F.HOST, "メール.example.jp", {}),  # a valid IDN where IDN is expected...
    (F.HOST, "メ|ル.example.jp", {K.NON_ASCII: (1, 3), K.LOOKALIKE: (2,)}),  # ...this one is not
    (F.HOST, "smtpーauth.example.jp", {K.LOOKALIKE: (5,)}),  # ー typed for "-"
    # look-alikes
    (F.HOST, "maiI.example.jp", {K.LOOKALIKE: (4,)}),  # a capital I for the l
    (F.HOST, "rnail.example.jp", {K.LOOKALIKE: (1, 2)}),  # rn for m
    (F.HOST, "mai1.example.jp", {K.LOOKALIKE: (4,)}),
    (F.HOST, "ma1l.example.jp", {K.LOOKALIKE: (3,)}),
    (F.HOST, "p0p3.example.jp", {K.LOOKALIKE: (2,)}),
    (F.HOST, "mail.exampIe.jp", {K.LOOKALIKE: (11,)}),
    (F.HOST, "MAlL.EXAMPLE.JP", {K.LOOKALIKE: (3,)}),  # a small l among capitals
    (F.HOST, "mail_box.example.jp", {K.LOOKALIKE: (5,)}),
    (F.HOST, "mail\u2010box.example.jp", {K.LOOKALIKE: (5,)}),  # a Unicode hyphen
    (F.USERNAME, "fza1l0O2", {K.LOOKALIKE: (4, 5, 6, 7)}),  # an ID from the provider's paper
    (F.USERNAME, "ab|c", {K.LOOKALIKE: (3,)}),
    (F.PASSWORD, "k7lP0x2q", {K.LOOKALIKE: (3, 5)}),
    # Caps Lock
    (F.PASSWORD, "SECRET123", {K.CAPS_LOCK_LIKE: (), K.LOOKALIKE: (7,)}),
    (F.PASSWORD, "sECRET", {K.CAPS_LOCK_LIKE: ()}),
    (F.USERNAME, "TARO", {K.CAPS_LOCK_LIKE: ()}),
    (F.USERNAME, "tARO@EXAMPLE.JP", {K.CAPS_LOCK_LIKE: ()}),
    # what does not belong in a host field
    (F.HOST, "imaps://mail.example.jp", {K.SCHEME_IN_HOST: tuple(range(1, 9))}),
    (F.HOST, "https://mail.example.jp/", {K.SCHEME_IN_HOST: tuple(range(1, 9))}),
    (F.HOST, "taro@mail.example.jp", {K.EMAIL_IN_HOST: (5,)}),
    (F.HOST, "taro＠example.jp", {K.EMAIL_IN_HOST: (5,), K.FULLWIDTH: (5,)}),
    (F.HOST, "mail.example.jp.", {K.TRAILING_DOT: (16,)}),
    (F.HOST, "mail..example.jp", {K.DOUBLE_DOT: (6,)}),
    (F.HOST, ".mail.example.jp", {K.DOUBLE_DOT: (1,)}),
    (F.HOST, "mail．．example.jp", {K.FULLWIDTH: (5, 6), K.DOUBLE_DOT: (6,)}),
    # the address field: the domain is checked like a host
    (F.ADDRESS, "taro@maiI.example.jp", {K.LOOKALIKE: (9,)}),
    (F.ADDRESS, "taro@example.jp ", {K.TRAILING_SPACE: (16,)}),
]


@pytest.mark.parametrize(("field", "value", "expected"), MISTAKES)
def test_real_mistakes(field: TypedField, value: str, expected: dict[TypoRiskKind, tuple[int, ...]]) -> None:
    assert risks_of(field, value) == expected


def test_an_idn_host_is_a_risk_when_the_mail_domain_is_ascii() -> None:
    assert risks_of(F.HOST, "メール.example.jp", idn_expected=False) == {K.NON_ASCII: (1, 2, 3)}
    assert risks_of(F.HOST, "メール.example.jp", idn_expected=True) == {}


def test_risks_come_in_the_order_of_the_kinds() -> None:
    risks = check_typed_value(F.HOST, " imaps://ｍail..example.jp.\u200b ")
    kinds = [risk.kind for risk in risks]
    assert kinds == sorted(kinds, key=list(TypoRiskKind).index)
    assert set(kinds) == {
        K.LEADING_SPACE,
        K.TRAILING_SPACE,
        K.FULLWIDTH,
        K.INVISIBLE,
        K.SCHEME_IN_HOST,
        K.DOUBLE_DOT,
        K.TRAILING_DOT,
    }


def test_details_of_other_fields_name_the_characters() -> None:
    (risk,) = check_typed_value(F.HOST, "maiI.example.jp")
    assert "'I'" in risk.detail
    assert "at 4" in risk.detail
    (risk,) = check_typed_value(F.USERNAME, "taro\u200b")
    assert "U+200B" in risk.detail


def test_a_password_lookalike_is_reported_as_a_class() -> None:
    (risk,) = check_typed_value(F.PASSWORD, "Zq4l9x")
    assert risk.kind is K.LOOKALIKE
    assert risk.positions == (4,)
    assert risk.detail == "contains characters that are easy to confuse (l, 1, I, |) at position 4"
    (risk,) = check_typed_value(F.PASSWORD, "Zq4O9x")
    assert "(O, 0)" in risk.detail


def test_the_characters_a_report_may_name() -> None:
    (risk,) = check_typed_value(F.HOST, "maiI.example.jp")
    assert risk.characters == "I"
    (risk,) = check_typed_value(F.HOST, "rnail.example.jp")
    assert risk.characters == "r, n"
    # a password's look-alikes by their groups, never the password's own characters
    (risk,) = check_typed_value(F.PASSWORD, "Zq4l9x")
    assert risk.characters == "l, 1, I, |"
    (risk,) = check_typed_value(F.PASSWORD, "Zq4O9x‐v")
    assert risk.characters == "O, 0, -, ‐, –, —, −, ー"
    risks = check_typed_value(F.HOST, "imaps://mail.example.jp")
    assert [(risk.kind, risk.characters) for risk in risks] == [(K.SCHEME_IN_HOST, "imaps://")]
    assert all(risk.characters == "" for risk in check_typed_value(F.USERNAME, " ｔａｒｏ\u200b"))


def test_caps_lock_has_no_positions() -> None:
    (risk,) = check_typed_value(F.PASSWORD, "HUNTER")
    assert risk == TypoRisk(K.CAPS_LOCK_LIKE, (), "every letter is a capital, as if Caps Lock were on")


def test_caps_lock_is_only_about_user_names_and_passwords() -> None:
    assert check_typed_value(F.HOST, "MAIL.EXAMPLE.JP") == ()
    assert K.CAPS_LOCK_LIKE not in risks_of(F.ADDRESS, "TARO@EXAMPLE.JP")


@pytest.mark.parametrize(
    "value",
    ["", " ", "\u3000", "\u200b", "@", "://", "imaps://", ".", "..", "|", "ー", "a" * 1000, "\x00\x01"],
)
@pytest.mark.parametrize("field", list(TypedField))
def test_odd_input_never_raises(field: TypedField, value: str) -> None:
    for risk in check_typed_value(field, value):
        assert all(1 <= position <= len(value) for position in risk.positions)
        assert list(risk.positions) == sorted(set(risk.positions))


def test_risks_are_frozen() -> None:
    (risk,) = check_typed_value(F.USERNAME, " taro")
    with pytest.raises(dataclasses.FrozenInstanceError):
        risk.positions = ()  # type: ignore[misc]


# --------------------------------------------------------------------------- display


@pytest.mark.parametrize(
    ("value", "positions", "shown"),
    [
        ("mail.example.jp", [], "mail.example.jp"),
        ("mail.examｐle.jp", [10], "mail.exam⟦ｐ⟧le.jp"),
        ("ｍａｉｌ．example.jp", [1, 2, 3, 4, 5], "⟦ｍａｉｌ．⟧example.jp"),
        ("mail.exam\u200bple.jp", [10], "mail.exam⟦U+200B⟧ple.jp"),
        ("mail.exam\u200bple.jp", [], "mail.exam⟦U+200B⟧ple.jp"),  # never hidden, marked or not
        ("taro\u00a0", [5], "taro⟦U+00A0⟧"),
        (" taro ", [1, 6], "⟦ ⟧taro⟦ ⟧"),
        ("taro\u3000", [5], "taro⟦\u3000⟧"),
        ("ab\u200bc", [2, 3, 4], "a⟦b⟧⟦U+200B⟧⟦c⟧"),
        ("imaps://mail", range(1, 9), "⟦imaps://⟧mail"),
    ],
)
def test_mark(value: str, positions: list[int], shown: str) -> None:
    assert mark(value, positions) == shown


def test_mark_refuses_positions_outside_the_value() -> None:
    with pytest.raises(ValueError, match="outside"):
        mark("abc", [4])
    with pytest.raises(ValueError, match="outside"):
        mark("abc", [0])


@pytest.mark.parametrize(
    ("length", "positions", "blanks", "shown"),
    [
        (6, [], [], "••••••"),
        (6, [5], [], "••••⟦•⟧•"),
        (7, [], [5], "••••⟦ ⟧••"),
        (8, [1, 8], [1], "⟦ ⟧••••••⟦•⟧"),
        (6, [2, 3], [], "•⟦••⟧•••"),
        (0, [], [], ""),
    ],
)
def test_mark_password(length: int, positions: list[int], blanks: list[int], shown: str) -> None:
    assert mark_password(length, positions, blanks=blanks) == shown


def test_mark_password_refuses_positions_outside_the_length() -> None:
    with pytest.raises(ValueError, match="outside"):
        mark_password(3, [4])
    with pytest.raises(ValueError, match="negative"):
        mark_password(-1, [])
