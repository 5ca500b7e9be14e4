"""`maildoctor explain` matching, measured on data written by others:
../shared/data/client-errors (Outlook codes from Wine's imnxport.idl, LGPL-2.1; Thunderbird
strings from its .properties files, MPL-2.0). Every code and every string must map to a cause,
also when pasted the way people paste: full-width, broken over lines, in quotes, in lower case,
or only a part of it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from maildoctor.explain import explain_text, find_codes, load_catalog, match_text, normalise
from maildoctor.explain.match import MatchKind

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data" / "client-errors"
CODES_FILE = DATA / "ixp_codes_from_wine.json"
STRINGS_FILE = DATA / "tb_error_strings_en.json"


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _codes() -> list[tuple[str, str]]:
    data = _load(CODES_FILE)
    return [(item["hresult"], item["symbol"]) for item in data["codes"]] if data else []


def _strings() -> list[tuple[str, str]]:
    data = _load(STRINGS_FILE)
    return [(key, text) for group in data.values() for key, text in group.items()] if data else []


CODES = _codes()
STRINGS = _strings()
needs_codes = pytest.mark.skipif(not CODES, reason=f"{CODES_FILE} is not here")
needs_strings = pytest.mark.skipif(not STRINGS, reason=f"{STRINGS_FILE} is not here")


def render(template: str) -> str:
    """A Thunderbird string as shown: %S / %1$S / %s / %d filled in, \\n as a line break."""
    samples = {"1": "taro@example.co.jp", "2": "550 5.1.1 <hanako@example.jp>: User unknown", "3": "NO quota"}
    text = template.replace("\\n", "\n")
    text = re.sub(r"%(\d)\$S", lambda m: samples[m.group(1)], text)
    text = text.replace("%S", "mail.example.jp").replace("%s", "535 5.7.8 Authentication failed")
    return text.replace("%d", "10485760")


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


def test_the_counts() -> None:
    print(f"\nclient-errors: {len(CODES)} Outlook codes, {len(STRINGS)} Thunderbird strings")
    if CODES and STRINGS:
        assert (len(CODES), len(STRINGS)) == (51, 42)


@needs_codes
@pytest.mark.parametrize(("code", "symbol"), CODES, ids=[code for code, _ in CODES])
@pytest.mark.parametrize(
    "form",
    [
        "{code}",
        "{lower}",
        "{bare}",
        "{bare_lower}",
        "Sending reported error ({lower}): The connection to the server was interrupted.",
        "受信 'taro@example.jp' エラー ({code}) が報告されました",
        "{full_width}",
    ],
)
def test_every_outlook_code_maps_to_a_cause(code: str, symbol: str, form: str) -> None:
    text = form.format(
        code=code,
        lower=code.lower(),
        bare=code[2:],
        bare_lower=code[2:].lower(),
        full_width=full_width(code),
    )
    result = explain_text(text)
    assert result.codes[0] == code
    top = result.matches[0]
    assert (top.entry.code, top.entry.symbol, top.kind, top.score) == (code, symbol, MatchKind.CODE, 1.0)
    assert top.entry.causes


@needs_strings
@pytest.mark.parametrize(("key", "template"), STRINGS, ids=[key for key, _ in STRINGS])
def test_every_thunderbird_string_maps_to_a_cause(key: str, template: str) -> None:
    for text in (render(template), template):
        result = explain_text(text)
        assert result.matches, text
        top = result.matches[0]
        assert (top.entry.key, top.kind) == (key, MatchKind.FULL), text
        assert top.entry.causes


@needs_strings
@pytest.mark.parametrize(("key", "template"), STRINGS, ids=[key for key, _ in STRINGS])
def test_thunderbird_strings_pasted_badly(key: str, template: str) -> None:
    text = render(template)
    words = text.split()
    middle = len(words) // 2
    variants = {
        "full-width": full_width(text),
        "line breaks": "\n".join(" ".join(words[i : i + 4]) for i in range(0, len(words), 4)),
        "quoted": f"「{text}」",
        "upper case": text.upper(),
        "no final stop": text.rstrip(". "),
        "indented": "   " + text.replace(" ", "  \t"),
        "broken mid-sentence": " ".join(words[:middle]) + "\r\n" + " ".join(words[middle:]),
    }
    for how, variant in variants.items():
        result = explain_text(variant)
        assert result.matches and result.matches[0].entry.key == key, how


def test_account_name_in_the_placeholder_is_extracted() -> None:
    result = explain_text("IMAPアカウント“taro.yamada@example.co.jp”のパスワードが正しくありません。")
    top = result.matches[0]
    assert top.entry.id == "iphone-password-incorrect"
    assert top.values == {"account": "taro.yamada@example.co.jp"}

    result = explain_text("Could not connect to mail server imap.mail-box.ne.jp; the connection was refused.")
    assert result.matches[0].values == {"server": "imap.mail-box.ne.jp"}

    result = explain_text(
        "An error occurred while sending mail. The mail server responded:\n550 5.1.1 User unknown.\n"
        ' Please check the message recipient "hanako@example.jp" and try again.'
    )
    top = result.matches[0]
    assert top.entry.key == "errorSendingRcptCommand"
    assert top.values == {"response": "550 5.1.1 User unknown", "recipient": "hanako@example.jp"}


def test_full_width_account_in_japanese_message() -> None:
    result = explain_text(
        '「ＩＭＡＰアカウント"ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ"のパスワードが正しくありません」'
    )
    assert result.matches[0].entry.id == "iphone-password-incorrect"
    assert result.matches[0].values["account"] == "taro@example.jp"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("サーバの識別情報を検証できません", "iphone-cannot-verify-identity"),
        ("サーバーの識別情報を\n検証できません", "iphone-cannot-verify-identity"),  # long vowel, line break
        ("Cannot Verify Server Identity", "iphone-cannot-verify-identity"),
        ("メールを取得できません", "iphone-cannot-get-mail"),
        ("送信済みメールボックスにメッセージのコピーを保存できません。", "iphone-sent-copy-failed"),
        ("このメッセージはサーバによって拒否されました。", "iphone-rejected-by-server"),
        ("the connection was refused", "tb-imapConnectionRefusedError"),  # a fragment
        ("exceeded the maximum number of connections", "tb-imapServerDroppedConnection"),
        ("does not advertise that feature", "tb-startTlsFailed"),
        ("サーバへの接続に失敗", "iphone-connection-failed"),  # a fragment in Japanese
        (
            "Thunderbird says: the connection was refused when I start it, what to do? I tried twice.",
            "tb-imapConnectionRefusedError",
        ),
        ("iPhoneで「受信者はサーバによって拒否されました」と出て送れません", "iphone-rejected-by-server"),
    ],
)
def test_messages_and_fragments(text: str, expected: str) -> None:
    result = explain_text(text)
    assert result.matches and result.matches[0].entry.id == expected


def test_a_fragment_ranks_below_a_whole_message() -> None:
    result = explain_text("the connection was refused")
    assert result.matches[0].kind is MatchKind.PARTIAL
    assert result.matches[0].score < 0.8


def test_cannot_get_mail_with_its_reason_matches_both() -> None:
    result = explain_text("メールを取得できません\nサーバへの接続に失敗しました。")
    ids = [match.entry.id for match in result.matches[:2]]
    assert sorted(ids) == ["iphone-cannot-get-mail", "iphone-connection-failed"]
    assert result.causes[0] in {c for m in result.matches[:2] for c in m.entry.causes}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n ",
        "Hello, could you send me the minutes of yesterday's meeting?",
        "I would like to order a pizza with extra cheese.",
        "今日は良い天気ですね。",
        "会議の資料を送ってください",
        "server",
        "0x12",
        "the",
    ],
)
def test_text_that_is_no_error_gives_nothing(text: str) -> None:
    result = explain_text(text)
    assert result.matches == ()
    assert result.causes == ()


def test_unknown_codes_are_reported_not_matched() -> None:
    result = explain_text("Error 0x800CCC99 while sending")
    assert result.codes == ("0x800CCC99",)
    assert result.unknown_codes == ("0x800CCC99",)
    assert result.matches == ()


def test_find_codes() -> None:
    assert find_codes("(0x800ccc0e) then 800CCC0F, 0x800CCC0E again") == ("0x800CCC0E", "0x800CCC0F")
    assert find_codes("０ｘ８００４２１０Ｂ") == ("0x8004210B",)
    assert find_codes("order 12800ccc0e99 or abc800ccc0e") == ()


def test_normalise() -> None:
    assert normalise("「Ｃａｎｎｏｔ　Ｇｅｔ\nＭａｉｌ」") == "cannot get mail"


def test_match_text_takes_any_catalogue_and_a_limit() -> None:
    catalog = load_catalog()
    assert len(match_text("0x800CCC0E 0x800CCC0F 0x800CCC19", catalog, limit=2).matches) == 2
    assert match_text("0x800CCC0E", [], limit=5).matches == ()
