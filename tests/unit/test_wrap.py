from rich.cells import cell_len

from maildoctor.wrap import wrap


def test_japanese_breaks_between_characters_and_keeps_ascii_words() -> None:
    text = (
        "日本語入力と Caps Lock（大文字に固定する機能）をオフにして、"
        "パスワードを半角でゆっくり1回だけ入力し直します。"
    )
    lines = wrap(text, 30)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(cell_len(line) <= 32 for line in lines)
    assert lines[0].startswith("日本語入力と Caps")
    assert not any(line.startswith(("、", "。", "）")) for line in lines)
    assert any("Lock" in line and "Caps" not in line for line in lines) or "Caps Lock" in "".join(lines)


def test_english_wraps_at_spaces_and_newlines_are_kept() -> None:
    assert wrap("one two three four", 9) == ["one two", "three", "four"]
    assert wrap("a\nb", 10) == ["a", "b"]
