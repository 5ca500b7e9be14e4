import itertools
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from maildoctor.wrap import NO_LINE_END, NO_LINE_START, copyable_spans, wrap


def test_japanese_breaks_between_characters_and_keeps_ascii_words() -> None:
    text = (
        "日本語入力と Caps Lock（大文字に固定する機能）をオフにして、"
        "パスワードを半角でゆっくり1回だけ入力し直します。"
    )
    lines = wrap(text, 30)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(cell_len(line) <= 30 for line in lines)
    assert lines[0].startswith("日本語入力と Caps")
    assert not any(line.startswith(("、", "。", "）")) for line in lines)
    assert any("Lock" in line and "Caps" not in line for line in lines) or "Caps Lock" in "".join(lines)


def test_english_wraps_at_spaces_and_newlines_are_kept() -> None:
    assert wrap("one two three four", 9) == ["one two", "three", "four"]
    assert wrap("a\nb", 10) == ["a", "b"]


def test_no_line_is_wider_than_the_width_even_with_closing_punctuation() -> None:
    text = "Microsoft 365がログインを拒否しました。パスワード、多要素認証、または組織の方針が原因です。" * 3
    for width in range(12, 60):
        lines = wrap(text, width)
        assert all(cell_len(line) <= width for line in lines), (width, lines)
        assert not any(line.startswith(("、", "。", "）")) for line in lines)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_closing_marks_in_a_row_stay_together() -> None:
    text = "「SSL/TLS」。「STARTTLS」）。" * 6
    for width in range(16, 40):  # from the width the longest unbreakable run (「STARTTLS」）。) needs
        lines = wrap(text, width)
        assert all(cell_len(line) <= width for line in lines), (width, lines)
        assert not any(line.startswith(("」", "。", "）")) for line in lines), (width, lines)


def test_an_opening_mark_does_not_end_a_line() -> None:
    text = "詳細設定 → 「送信サーバー」タブ → 次のアカウントとパスワードでログオンする → 「パスワード」" * 3
    for width in range(10, 40):
        lines = wrap(text, width)
        assert all(cell_len(line) <= width for line in lines), (width, lines)
        assert not any(line.rstrip().endswith(("「", "（")) for line in lines), (width, lines)


def test_a_number_before_a_closing_mark_is_not_split() -> None:
    text = "SSL/TLS に変えます（465・993・995 なら「SSL/TLS」、587・143・110 なら「STARTTLS」）。"
    for width in range(16, 50):  # 「STARTTLS」）。 cannot be broken: narrower, the line gets wider
        lines = wrap(text, width)
        assert all(cell_len(line) <= width for line in lines), (width, lines)
        for upper, lower in itertools.pairwise(lines):
            assert not (upper[-1:].isdigit() and lower[:1].isdigit()), (width, lines)


# --- copyable tokens, phrases, 禁則 ---------------------------------------------------------------

COMMAND = "maildoctor check taro@example.jp --incoming imaps://imap.example.jp:993 --no-auth"
URL = "https://www.nttdocomo.co.jp/service/docomo_mail/other/security/"
DMARC = '_dmarc.example.jp TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.jp"'
DKIM = 'sel._domainkey.example.jp TXT "v=DKIM1; k=rsa; p=<プロバイダーから渡される公開鍵>"'
SPF = "v=spf1 include:_spf.google.com ip4:192.0.2.1 ~all"


@pytest.mark.parametrize("token", [COMMAND, URL, DMARC, DKIM, SPF, "taro.yamada@example.co.jp"])
@pytest.mark.parametrize(
    "template",
    [
        "次のコマンドで調べます: {token} を実行してください。",
        "パスワードの確認・変更はこちら: {token}",
        "レコードを次のように変えます：{token}（最初は様子を見ます）。",
        "Run this to check again: {token}",
    ],
)
def test_a_copyable_token_stays_whole_on_one_line(template: str, token: str) -> None:
    text = template.format(token=token)
    for width in range(12, 120, 7):
        lines = wrap(text, width)
        assert any(token in line for line in lines), (width, lines)
        for line in lines:
            assert cell_len(line) <= width or token in line, (width, lines)


def test_a_command_is_not_split_before_its_url() -> None:
    text = f"設定を確かめるには {COMMAND} を実行します。"
    lines = wrap(text, 40)
    assert COMMAND in lines[1], lines


def test_japanese_breaks_at_phrases_not_inside_words() -> None:
    text = "Thunderbirdの.emlファイルを開き、日本語入力と Caps Lock（大文字に固定する機能）をオフにします。"
    for width in range(14, 60):
        joined = "\n".join(wrap(text, width))
        for word in ("Thunderbird", ".eml", "ファイル", "Caps"):
            assert word in joined, (width, joined)


def test_text_is_made_safe_before_it_is_wrapped() -> None:
    lines = wrap("taro\x1b[31m@example.jp\u202e のパスワード\x07", 20)
    joined = "".join(lines)
    assert "\x1b" not in joined and "\u202e" not in joined and "\x07" not in joined
    assert "\\x1b" in joined and "\\u202e" in joined


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see https://example.jp/a).", "https://example.jp/a"),
        ("(https://en.wikipedia.org/wiki/A_(b))", "https://en.wikipedia.org/wiki/A_(b)"),
        ("送信者: taro@example.jp。", "taro@example.jp"),
        ("`sudo apt install fonts-noto-cjk` で入れます", "`sudo apt install fonts-noto-cjk`"),
        ("調べる: maildoctor domain example.jp で", "maildoctor domain example.jp"),
        ("次のコマンドで調べます: maildoctor domain あなたのドメイン", "maildoctor domain あなたのドメイン"),
    ],
)
def test_copyable_spans(text: str, expected: str) -> None:
    assert [text[a:b] for a, b in copyable_spans(text)] == [expected]


_JA_WORDS = [
    "パスワード",
    "を",
    "入力",
    "します",
    "。",
    "、",
    "（大文字）",
    "「送信サーバー」",
    "受信サーバー",
    "の",
    "設定",
    "Outlook",
    " ",
    "が",
    "ログイン",
    "を拒否しました",
    "993",
]
_TOKENS = [URL, COMMAND, DMARC, DKIM, "imap.example.jp", "taro@example.jp"]


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(st.sampled_from(_JA_WORDS + _TOKENS), min_size=1, max_size=40),
    width=st.integers(min_value=8, max_value=100),
)
def test_wrap_properties(words: list[str], width: int) -> None:
    # a command takes the ASCII words after it as its arguments: a word of Japanese ends it
    text = "".join(
        f" {word} を実行します。" if word == COMMAND else f" {word} " if word in _TOKENS else word
        for word in words
    )
    assume(not re.search(r"^\s*[、。]|[、。]\s*[、。]", text))  # real sentences: one mark at a time
    lines = wrap(text, width)
    # nothing lost but spaces
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for token in {word for word in words if word in _TOKENS}:
        assert any(token in line for line in lines), (token, lines)
    for index, line in enumerate(lines):
        if index > 0 and line:
            assert line[0] not in NO_LINE_START, (width, lines)
        if index < len(lines) - 1 and line:
            assert line[-1] not in NO_LINE_END, (width, lines)
        if cell_len(line) > width:  # only one unbreakable token (with the marks glued to it) overflows
            unbreakable = [t for t in _TOKENS if t in line] or re.findall(
                r"[\x21-\x7e]+|[\u30a1-\u30fc]+|\S", line
            )
            rest = line.replace(max(unbreakable, key=len), "", 1)
            assert set(rest) <= NO_LINE_START | NO_LINE_END | {" "}, (width, lines)
