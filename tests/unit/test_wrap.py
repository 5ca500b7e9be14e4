import itertools

from rich.cells import cell_len

from maildoctor.wrap import wrap


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
    for width in range(12, 50):
        lines = wrap(text, width)
        assert all(cell_len(line) <= width for line in lines), (width, lines)
        for upper, lower in itertools.pairwise(lines):
            assert not (upper[-1:].isdigit() and lower[:1].isdigit()), (width, lines)
