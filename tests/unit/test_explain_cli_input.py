"""`maildoctor explain` through the real command: whatever is typed, pasted, piped or named ends calmly.

Text in arguments runs in this process (`cli` of test_cli); standard input and terminals run the
command as a subprocess, as a shell would.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli import CliRunner, Run, cli

from maildoctor.explain.bounce import MAX_BYTES

__all__ = ["cli"]

OUTLOOK_0F_JA = (
    "タスク 'taro@example.co.jp - 受信中' がエラー (0x800CCC0F) を報告しました: 'サーバーへの接続が中断され"
    "ました。"
    "問題が解決しない場合は、サーバー管理者またはインターネット サービス プロバイダー (ISP) に連絡してくだ"
    "さい。'"
)
OUTLOOK_0F_EN = (
    "Task 'taro@example.com - Receiving' reported error (0x800CCC0F) : 'The connection to the server was "
    "interrupted. If this problem continues, contact your server administrator or Internet service provider"
    " (ISP).'"
)
BOUNCE = (
    "From: MAILER-DAEMON@mx.example.jp\nTo: taro@example.jp\nSubject: Undelivered Mail Returned to Sender\n\n"
    "<hanako@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1 <hanako@example.com>: Recipient "
    "address rejected: User unknown (in reply to RCPT TO command)\n"
)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def calm(run: Run) -> None:
    """No traceback, no raw control character, an exit status of the contract."""
    assert "Traceback" not in run.output and "Errno" not in run.output, run.output
    assert not CONTROL.search(run.output), repr(run.output)
    assert run.code in (0, 1, 2, 3)


PASTES = {
    "outlook-ja": OUTLOOK_0F_JA,
    "outlook-en": OUTLOOK_0F_EN,
    "outlook-ja-long": OUTLOOK_0F_JA * 30,
    "multi-line": "送信エラー\r\n" + OUTLOOK_0F_JA + "\n\n\tエラー番号: 0x800CCC0F\r\n",
    "escapes": "\x1b[31m" + OUTLOOK_0F_JA + "\x1b]0;title\x07\x1b[0m\x9b2J",
    "nul": OUTLOOK_0F_JA.replace("0x800", "\x000x800"),
    "emoji": "😱 " + OUTLOOK_0F_JA + " 🙏🏻",
    "cp1252-mojibake": OUTLOOK_0F_JA.encode("utf-8").decode("cp1252", "replace"),
    "sjis-mojibake": OUTLOOK_0F_JA.encode("utf-8").decode("cp932", "replace"),
    "bidi": "\u202e" + OUTLOOK_0F_EN + "\u2066",
    "slash-sentence": "送信できません / サーバーの応答: 550 5.7.1 Unable to relay / エラー番号: 0x800CCC6A"
    * 5,
}


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("name", sorted(PASTES))
def test_a_paste_of_any_length_is_text_not_a_file(cli: CliRunner, name: str, lang: str) -> None:
    run = cli("explain", PASTES[name], "--lang", lang)
    calm(run)
    if "0x800CCC0F" in PASTES[name] or "0x800CCC6A" in PASTES[name]:
        assert run.code == 0, run.output
        assert "maildoctor check" in run.stdout
    assert "File not found" not in run.output and "ファイルが見つかりません" not in run.output


def test_the_outlook_paste_in_japanese_names_outlook_and_why(cli: CliRunner) -> None:
    run = cli("explain", OUTLOOK_0F_JA, "--lang", "ja")
    assert run.code == 0
    flat = "".join(run.stdout.split())
    assert "のメッセージと判断しました（0x800CCC0Fはこのソフトのエラー番号です）" in flat
    assert "(PORT_SECURITY_MISMATCH)" in run.stdout


@pytest.mark.parametrize(
    ("argument", "lang", "words"),
    [
        ("bounce.eml", "en", "File not found: bounce.eml"),
        ("bounce.eml", "ja", "ファイルが見つかりません：bounce.eml"),
        ("Undelivered Mail Returned to Sender.eml", "en", "File not found"),
        ("C:\\Users\\Taro Yamada\\Desktop\\bounce.eml", "ja", "ファイルが見つかりません"),
        ('"/nonexistent/dir/returned.eml"', "en", "File not found: /nonexistent/dir/returned.eml"),
        ("~/no-such-folder/mail", "en", "File not found"),
        ("/nonexistent", "en", "File not found"),
    ],
)
def test_a_missing_file_is_file_not_found(cli: CliRunner, argument: str, lang: str, words: str) -> None:
    run = cli("explain", argument, "--lang", lang)
    calm(run)
    assert run.code == 2
    assert words in " ".join(run.stderr.split())
    assert "knowledge" not in run.output and run.stdout == ""


def test_files_that_are_not_a_mail(cli: CliRunner, tmp_path: Path) -> None:
    cases = {
        "empty.eml": (b"", "is empty"),
        "blank.txt": (b"\n \r\n", "is empty"),
        "photo.eml": (b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)) * 4, "not a mail or a text"),
        "random.bin": (os.urandom(5000), "not a mail or a text"),
        "returned.msg": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000), "Outlook message file (.msg)"),
    }
    for name, (data, words) in cases.items():
        (tmp_path / name).write_bytes(data)
        for lang in ("en", "ja"):
            run = cli("explain", str(tmp_path / name), "--lang", lang)
            calm(run)
            assert run.code == 2, (name, run.output)
            assert run.stdout == ""
            if lang == "en":
                assert words in " ".join(run.stderr.split()), (name, run.stderr)
            else:
                assert not re.search(r"[A-Za-z]{3,} [a-z]{3,} [a-z]{3,}", run.stderr), run.stderr


def test_a_folder_is_a_calm_usage_error(cli: CliRunner, tmp_path: Path) -> None:
    for lang, words in (("en", "is a folder, not a file"), ("ja", "はフォルダーで、ファイルではありません")):
        run = cli("explain", str(tmp_path), "--lang", lang)
        calm(run)
        assert run.code == 2 and words in "".join(run.stderr.split("\n"))


@pytest.mark.parametrize("columns", ["40", "60", "80"])
def test_a_refusal_breaks_lines_the_japanese_way(cli: CliRunner, tmp_path: Path, columns: str) -> None:
    """The refusal is broken by `wrap` (no line starts with 」）。, no line ends with a lone space)."""
    folder = tmp_path / "folder.eml"
    folder.mkdir()
    run = cli("explain", str(folder), "--lang", "ja", env={"COLUMNS": columns})
    assert run.code == 2
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) >= 2
    for line in lines:
        assert line[0] not in "）」。、", lines
        assert line == line.rstrip(), lines


def test_a_file_that_may_not_be_read(cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "bounce.eml"
    secret.write_text(BOUNCE)

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)  # root reads every file: the refusal is played
    run = cli("explain", str(secret), "--lang", "ja")
    calm(run)
    assert run.code == 3 and "読む権限がありません" in run.stderr and "Permission denied" not in run.output


def test_a_text_file_is_explained_as_a_message(cli: CliRunner, tmp_path: Path) -> None:
    note = tmp_path / "error.txt"
    note.write_bytes(OUTLOOK_0F_JA.encode("cp932"))
    run = cli("explain", str(note), "--lang", "ja")
    calm(run)
    assert run.code == 0 and "0x800CCC0F" in run.stdout


def test_a_huge_file_is_read_in_part_and_says_so(cli: CliRunner, tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    huge.write_bytes((OUTLOOK_0F_EN + "\n").encode() * (MAX_BYTES // len(OUTLOOK_0F_EN) + 10))
    run = cli("explain", str(huge), "--lang", "en", "--json")
    calm(run)
    assert "Only the first 4 MB were read" in run.stderr
    document = json.loads(run.stdout)
    assert document["input"] == {"origin": "file", "truncated": True}
    assert document["findings"][0]["cause"] == "PORT_SECURITY_MISMATCH"


def test_a_returned_mail_file_is_still_a_bounce(cli: CliRunner, tmp_path: Path) -> None:
    bounce = tmp_path / "bounce.eml"
    bounce.write_text(BOUNCE)
    run = cli("explain", str(bounce), "--json", "--lang", "en")
    assert run.code == 0
    assert json.loads(run.stdout)["recipients"][0]["cause"] == "RECIPIENT_REJECTED"


# ------------------------------------------------------------------ standard input (as a shell runs it)


def shell(*args: str, data: bytes | None = None, stdin: int | None = None) -> Run:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    environment["COLUMNS"] = "200"
    done = subprocess.run(
        [sys.executable, "-m", "maildoctor", "explain", *args],
        input=data,
        stdin=stdin,
        capture_output=True,
        env=environment,
        timeout=60,
        check=False,
    )
    return Run(
        done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")
    )


@pytest.mark.parametrize("codec", ["utf-8", "cp932", "iso-2022-jp", "euc-jp", "utf-16"])
def test_standard_input_in_every_usual_encoding(codec: str) -> None:
    run = shell("-", "--lang", "ja", "--json", data=OUTLOOK_0F_JA.encode(codec))
    calm(run)
    assert run.code == 0, run.output
    document = json.loads(run.stdout)
    assert document["input"]["origin"] == "stdin"
    assert document["matches"][0]["code"] == "0x800CCC0F"


def test_standard_input_without_an_argument_when_piped() -> None:
    run = shell("--lang", "en", data=OUTLOOK_0F_EN.encode())
    calm(run)
    assert run.code == 0 and "0x800CCC0F" in run.stdout


def test_a_bounce_on_standard_input_is_read_as_a_bounce() -> None:
    run = shell("-", "--lang", "en", "--json", data=BOUNCE.encode())
    assert run.code == 0, run.output
    document = json.loads(run.stdout)
    assert document["kind"] == "bounce" and document["recipients"][0]["address"] == "hanako@example.com"


@pytest.mark.parametrize(
    ("data", "status", "words"),
    [
        (b"", 2, "Nothing came in on standard input"),
        (b"\n\n  \n", 2, "Nothing came in on standard input"),
        (b"\x89PNG\r\n\x1a\n" + bytes(300), 2, "not a mail or a text"),
    ],
)
def test_standard_input_with_nothing_to_explain(data: bytes, status: int, words: str) -> None:
    run = shell("-", "--lang", "en", data=data)
    calm(run)
    assert run.code == status and words in run.stderr and run.stdout == ""


def test_huge_standard_input_is_cut_and_says_so() -> None:
    run = shell("-", "--lang", "en", data=b"x" * (MAX_BYTES + 1000))
    calm(run)
    assert "Only the first 4 MB were read" in run.stderr
    assert run.code == 1  # a wall of x is nothing maildoctor knows


@pytest.mark.parametrize(
    ("lang", "words"), [("en", "Give the error message to explain"), ("ja", "引用符で囲んで")]
)
def test_no_argument_at_a_terminal_is_a_usage_message(lang: str, words: str) -> None:
    leader, follower = os.openpty()
    try:
        run = shell("--lang", lang, stdin=follower)
    finally:
        os.close(leader)
        os.close(follower)
    calm(run)
    assert run.code == 2 and words in run.stderr and "Missing argument" not in run.output


@pytest.mark.parametrize(
    "garbled",
    [
        "IMAPアカウント“taro@example.jp”のパスワードが正しくありません。".encode().decode("latin-1"),
        "IMAPアカウント“taro@example.jp”のパスワードが正しくありません。".encode().decode(
            "cp1252", "replace"
        ),
    ],
)
def test_a_garbled_paste_is_calm_and_read_back_when_it_can_be(cli: CliRunner, garbled: str) -> None:
    run = cli("explain", garbled, "--lang", "ja", "--json")
    calm(run)
    if "\ufffd" not in garbled:  # every byte kept: put right and understood
        assert "文字化け" in run.stderr
        assert json.loads(run.stdout)["findings"][0]["cause"] == "AUTH_FAILED"


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16"])
def test_a_returned_mail_saved_with_a_byte_order_mark(cli: CliRunner, tmp_path: Path, codec: str) -> None:
    bounce = tmp_path / "bounce.eml"
    bounce.write_bytes(("\n" + BOUNCE).encode(codec))
    run = cli("explain", str(bounce), "--json", "--lang", "en")
    assert run.code == 0, run.output
    assert json.loads(run.stdout)["recipients"][0]["address"] == "hanako@example.com"


PIECES = [
    "タスク 'taro@example.co.jp - 受信中' がエラー (0x800CCC0F) を報告しました: ",
    "535 5.7.139 Authentication unsuccessful",
    "blocked using zen.spamhaus.org",
    "0x800ccc0e",
    "/",
    "\\",
    "C:\\Users\\",
    "~/",
    "../",
    ".eml",
    ".msg",
    ".txt",
    "'",
    '"',
    "「",
    "」",
    " ",
    "\n",
    "\r\n",
    "\t",
    "\x00",
    "\x1b[2J",
    "\x9b",
    "\u202e",
    "😱",
    "ｻｰﾊﾞｰ",
    "ã‚µãƒ¼",
    "繧ｵ繝ｼ",
    "a" * 300,
    "-",
    "--",
    "-ERR",
    "%s%n{0}{account}",
    "[bold]x[/bold]",
]


def test_any_mix_of_pasted_pieces_ends_calmly(cli: CliRunner) -> None:
    import random

    chooser = random.Random(20261207)
    for _ in range(150):
        text = "".join(chooser.choice(PIECES) for _ in range(chooser.randint(1, 8)))
        if text.startswith("--"):  # an option to the command line, not a paste (it would need "--" first)
            text = " " + text
        run = cli("explain", text, "--lang", chooser.choice(["ja", "en"]))
        calm(run)
        assert run.code in ((3,) if text == "-" else (0, 1, 2)), (text, run.output)  # "-": pytest's stdin


def test_a_closed_standard_input_is_a_calm_could_not_run() -> None:
    done = subprocess.run(
        ["bash", "-c", 'exec 0<&-; exec "$0" -m maildoctor explain - --lang en', sys.executable],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    run = Run(done.returncode, done.stdout, done.stderr)
    calm(run)
    assert run.code in (2, 3) and run.stdout == "", run.output
