"""`maildoctor ledger …` through the real command line (main() with its arguments), in ja and en."""

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from maildoctor.cli.app import main

LOCALE_VARIABLES = (
    "LANGUAGE",
    "LC_ALL",
    "LC_MESSAGES",
    "LANG",
    "MAILDOCTOR_LEDGER_URL",
    "MAILDOCTOR_LEDGER_ACTOR",
)


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, object]:
        document = json.loads(self.stdout)
        assert isinstance(document, dict)
        return document


Ledger = Callable[..., Run]


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return tmp_path / "book.sqlite3"


@pytest.fixture
def ledger(monkeypatch: pytest.MonkeyPatch, book: Path) -> Ledger:
    for variable in LOCALE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str, db: Path | None = None) -> Run:
        stdout, stderr = io.StringIO(), io.StringIO()
        argv = ["ledger", *args, "--db", str(db or book)]
        with redirect_stdout(stdout), redirect_stderr(stderr), pytest.raises(SystemExit) as done:
            main(argv)
        code = done.value.code
        return Run(code if isinstance(code, int) else 0, stdout.getvalue(), stderr.getvalue())

    return run


def seed(ledger: Ledger, lang: str = "en") -> None:
    for args in (
        ["init"],
        [
            "company",
            "add",
            "yamada",
            "山田商事",
            "--provider",
            "sakura",
            "--incoming",
            "imaps://imap.example.jp",
            "--password-manager",
            "総務 佐藤",
        ],
        ["person", "add", "山田太郎", "--department", "営業部"],
        ["account", "add", "taro@example.jp", "--person", "山田太郎", "--user", "taro", "--by", "田中"],
    ):
        run = ledger(*args, "--lang", lang)
        assert run.code == 0, run.stderr


def test_a_book_from_init_to_history_in_english(ledger: Ledger) -> None:
    seed(ledger)
    shown = ledger("account", "show", "taro@example.jp", "--json").json()
    account = shown["account"]
    assert isinstance(account, dict)
    # the company's defaults filled what was not typed
    assert account["provider"] == "sakura" and account["incoming"] == "imaps://imap.example.jp:993"
    assert account["password_manager"] == "総務 佐藤" and account["username"] == "taro"

    run = ledger(
        "account",
        "edit",
        "taro@example.jp",
        "--incoming",
        "pop3s://pop.example.jp",
        "--by",
        "鈴木",
        "--reason",
        "POPに変更",
    )
    assert run.code == 0, run.stderr
    assert "imaps://imap.example.jp:993 → pop3s://pop.example.jp:995" in run.stdout
    again = ledger("account", "edit", "taro@example.jp", "--incoming", "pop3s://pop.example.jp:995")
    assert again.code == 0 and "Nothing changed" in again.stdout

    log = ledger("history", "--account", "taro@example.jp", "--json").json()["changes"]
    assert isinstance(log, list)
    edit = [entry for entry in log if entry["actor"] == "鈴木"]
    assert [(e["field"], e["old"], e["new"], e["note"]) for e in edit] == [
        ("incoming", "imaps://imap.example.jp:993", "pop3s://pop.example.jp:995", "POPに変更")
    ]
    assert log[0]["actor"] == "田中" and log[0]["field"] is None  # the account created by 田中

    for args in (
        [
            "device",
            "add",
            "山田のiPhone",
            "--account",
            "taro@example.jp",
            "--kind",
            "iPhone",
            "--protocol",
            "POP",
            "--leave-on-server",
            "yes",
            "--leave-days",
            "14",
            "--person",
            "山田太郎",
        ],
        ["domain", "add", "example.jp", "--registrar", "お名前.com", "--expires", "2027/03/31"],
        ["contact", "add", "さくらサポート", "--role", "provider", "--phone", "0120-000-000", "--order", "1"],
    ):
        assert ledger(*args).code == 0
    devices = ledger("device", "list", "--json").json()["rows"]
    assert devices == [
        {
            "company": "yamada",
            "name": "山田のiPhone",
            "person": "山田太郎",
            "account": "taro@example.jp",
            "kind": "iphone",
            "protocol": "pop3",
            "leave_on_server": "yes",
            "leave_days": "14",
            "last_seen": None,
            "note": None,
        }
    ]
    assert ledger("domain", "list", "--json").json()["rows"][0]["expires_on"] == "2027-03-31"  # type: ignore[index]
    table = ledger("account", "list")
    assert table.code == 0 and "taro@example.jp" in table.stdout and "Receiving server" in table.stdout
    shown_text = ledger("account", "show", "taro@example.jp").stdout
    assert "山田のiPhone" in shown_text  # the devices that read it


def test_japanese_messages_and_usage_errors(ledger: Ledger) -> None:
    seed(ledger, "ja")
    run = ledger("account", "add", "hanako@example.jp", "--lang", "ja")
    assert run.code == 0 and "アカウント hanako@example.jp を追加しました。" in run.stdout
    wrong = ledger("account", "add", "hanako.example.jp", "--lang", "ja")
    assert wrong.code == 2
    assert "「hanako.example.jp」はメールアドレスではありません。" in wrong.stderr
    role = ledger(
        "account", "edit", "hanako@example.jp", "--incoming", "smtps://smtp.example.jp", "--lang", "ja"
    )
    assert role.code == 2 and "送信（SMTP）サーバー" in role.stderr
    nobody = ledger("account", "add", "jiro@example.jp", "--person", "次郎", "--lang", "ja")
    assert nobody.code == 2 and "「次郎」さんは登録されていません" in nobody.stderr
    listing = ledger("account", "list", "--lang", "ja")
    assert "受信サーバー" in listing.stdout and "パスワード管理者" in listing.stdout
    history = ledger("history", "--lang", "ja")
    assert "アカウント「taro@example.jp」を登録" in history.stdout
    english = ledger("account", "add", "hanako.example.jp", "--lang", "en")
    assert english.code == 2 and "“hanako.example.jp” is not an email address." in english.stderr


def test_several_companies_need_company(ledger: Ledger) -> None:
    seed(ledger)
    assert ledger("company", "add", "sato", "佐藤工務店").code == 0
    run = ledger("account", "add", "a@sato.example.jp")
    assert run.code == 2 and "--company" in run.stderr and "sato, yamada" in run.stderr
    assert ledger("account", "add", "a@sato.example.jp", "--company", "sato").code == 0
    rows = ledger("account", "list", "--json", "--company", "sato").json()["rows"]
    assert [row["address"] for row in rows] == ["a@sato.example.jp"]  # type: ignore[index]


def test_no_book_yet_is_said_and_nothing_is_created(ledger: Ledger, tmp_path: Path) -> None:
    missing = tmp_path / "typo.sqlite3"
    run = ledger("account", "list", "--lang", "ja", db=missing)
    assert run.code == 3
    said = run.stderr.replace("\n", "")  # wrapped to the terminal: a sentence may span lines
    assert "まだ台帳がありません" in said and "maildoctor ledger init" in said
    assert run.stdout == "" and not missing.exists()


def test_export_import_and_backup(ledger: Ledger, tmp_path: Path) -> None:
    seed(ledger)
    folder = tmp_path / "export"
    assert ledger("export", "csv", str(folder)).code == 0
    assert sorted(path.name for path in folder.iterdir()) == [
        "accounts.csv",
        "changes.csv",
        "companies.csv",
        "contacts.csv",
        "devices.csv",
        "domains.csv",
        "people.csv",
    ]
    copy = tmp_path / "copy.sqlite3"
    assert ledger("init", db=copy).code == 0
    run = ledger("import", "csv", str(folder), db=copy)
    assert run.code == 0, run.stderr
    assert "3 rows added" in run.stdout and "restored" in run.stdout
    original = ledger("account", "list", "--json").json()
    assert ledger("account", "list", "--json", db=copy).json()["rows"][0]["address"] == "taro@example.jp"  # type: ignore[index]
    assert len(original["rows"]) == 1  # type: ignore[arg-type]

    exported = tmp_path / "book.json"
    assert ledger("export", "json", str(exported)).code == 0
    assert json.loads(exported.read_text(encoding="utf-8"))["schema"] == "maildoctor.ledger/1"
    on_screen = ledger("export", "json", "-")
    assert json.loads(on_screen.stdout)["tables"]["people"][0]["name"] == "山田太郎"

    backup = tmp_path / "backup.sqlite3"
    run = ledger("backup", str(backup))
    assert run.code == 0 and backup.stat().st_size > 0
    assert ledger("account", "list", "--json", db=backup).json()["rows"][0]["username"] == "taro"  # type: ignore[index]
    assert ledger("backup", str(backup)).code == 2  # never overwrites


def test_an_excel_csv_in_shift_jis(ledger: Ledger, tmp_path: Path) -> None:
    seed(ledger)
    sheet = tmp_path / "accounts.csv"
    sheet.write_bytes(
        "会社,メールアドレス,利用者,受信サーバー,ユーザー名,パスワード管理者\r\n"
        "yamada,sato@example.jp,山田太郎,pop3s://pop.example.jp,sato,総務 髙橋\r\n".encode("cp932")
    )
    run = ledger("import", "csv", str(sheet), "--lang", "ja")
    assert run.code == 0, run.stderr
    assert "1 行を追加" in run.stdout
    account = ledger("account", "show", "sato@example.jp", "--json").json()["account"]
    assert account["password_manager"] == "総務 髙橋" and account["person"] == "山田太郎"  # type: ignore[index]


def test_a_password_column_is_refused_and_never_written(ledger: Ledger, book: Path, tmp_path: Path) -> None:
    seed(ledger)
    sheet = tmp_path / "accounts.csv"
    sheet.write_text(
        "company,address,パスワード\r\nyamada,x@example.jp,Hunter2-secret\r\n", encoding="utf-8-sig"
    )
    run = ledger("import", "csv", str(sheet), "--lang", "ja")
    assert run.code == 2 and "パスワードを書きません" in run.stderr
    assert b"Hunter2-secret" not in book.read_bytes()
    assert "x@example.jp" not in ledger("account", "list", "--json").stdout


def test_shown_names_are_escaped(ledger: Ledger) -> None:
    seed(ledger)
    assert ledger("person", "add", "山田\u202e花子").code == 0  # a bidi override: kept, never acted on
    listing = ledger("person", "list")
    assert "\u202e" not in listing.stdout and "\\u202e" in listing.stdout
    refused = ledger("person", "add", "evil\x1b[31m")
    assert refused.code == 2 and "\x1b" not in refused.stderr


def test_retire_checklist_each_step_logged(ledger: Ledger, book: Path) -> None:
    seed(ledger)
    device = [
        "device",
        "add",
        "事務所PC",
        "--account",
        "taro@example.jp",
        "--kind",
        "outlook",
        "--protocol",
        "pop3",
    ]
    assert ledger(*device, "--person", "山田太郎").code == 0
    start = ledger("retire", "山田太郎", "--on", "2026/12/25", "--lang", "ja")
    assert start.code == 0, start.stderr
    assert "山田太郎さんの退職チェックリスト" in start.stdout and "最終出社日 2026-12-25" in start.stdout
    assert "[未] 端末からアカウントを削除する — 事務所PC" in start.stdout
    steps = ledger(
        "retire",
        "山田太郎",
        "--forward-to",
        "hanako@example.jp",
        "--keep-copy",
        "yes",
        "--password-changed",
        "--mailbox",
        "shared",
        "--by",
        "総務 佐藤",
        "--json",
    )
    state = steps.json()
    assert state["complete"] is False
    assert {s["step"]: s["status"] for s in state["steps"]} == {  # type: ignore[attr-defined]
        "forwarding": "done",
        "auto-reply": "open",
        "password-change": "done",
        "devices": "open",
        "mailbox": "done",
        "confirmed": "open",
    }
    finish = ledger(
        "retire",
        "山田太郎",
        "--mailbox",
        "delete",
        "--devices-removed",
        "--skip",
        "auto-reply",
        "--confirmed-by",
        "社長",
        "--lang",
        "ja",
    )
    assert finish.code == 0 and "すべての手順が済みました。" in finish.stdout
    assert "削除済み：事務所PC" in finish.stdout and "— 削除した" in finish.stdout

    log = ledger("history", "--person", "山田太郎", "--json").json()["changes"]
    retirement = [(e["field"], e["old"], e["new"]) for e in log if e["entity"] == "retirements"]  # type: ignore[union-attr,index]
    assert ("mailbox", "shared", "delete") in retirement  # the one choice changed, before → after
    assert ("password_changed", None, "yes") in retirement
    assert ("forward_to", None, "hanako@example.jp") in retirement
    assert [e["actor"] for e in log if e["field"] == "forward_to"] == ["総務 佐藤"]  # type: ignore[index]

    wrong = ledger("retire", "山田太郎", "--mailbox", "archive", "--lang", "ja")
    assert wrong.code == 2 and "keep, shared, delete" in wrong.stderr
    nobody = ledger("retire", "誰か")
    assert nobody.code == 2 and "There is no" in nobody.stderr


def test_check_does_not_load_the_database_layer() -> None:
    """The ledger is imported by its commands only: `check`'s start stays free of SQLAlchemy."""
    env = {**os.environ, "LANG": "C"}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "maildoctor", "check", "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert "maildoctor.cli.app" in imported  # the list is read right …
    assert not {name for name in imported if name.split(".")[0] in {"sqlalchemy", "alembic", "platformdirs"}}
    assert not {name for name in imported if name.startswith(("maildoctor.ledger", "maildoctor.cli.ledger"))}


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_command_in_a_refusal_is_on_a_line_of_its_own(
    language: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from maildoctor.cli.ledger_run import refuse
    from maildoctor.i18n import get_translator
    from maildoctor.ledger.errors import LedgerError, ProblemKind

    message = "There is no book at {path} yet. Start one with: maildoctor ledger init"
    error = LedgerError(message, ProblemKind.NOT_RUN, path="/x")
    assert refuse(get_translator(language), error) == 3
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1] == "  maildoctor ledger init"
    assert all("maildoctor ledger init" not in line for line in lines[:-1])
