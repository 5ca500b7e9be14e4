"""The book's typed values (pure): what is accepted, how it is kept, what is refused."""

from datetime import date

import pytest

from maildoctor.ledger import values
from maildoctor.ledger.changes import FieldChange, field_changes, is_secret_name, refuse_secrets
from maildoctor.ledger.errors import LedgerError, ProblemKind


def test_address_keeps_the_local_part_and_lowers_the_domain() -> None:
    assert values.address(" Taro@EXAMPLE.JP ") == "Taro@example.jp"
    assert (
        values.address("ｔａｒｏ＠ｅｘａｍｐｌｅ.ｊｐ") == "taro@example.jp"
    )  # full-width typed on a Japanese IME


@pytest.mark.parametrize("typed", ["taro", "taro@", "taro @example.jp", "a@b@example.jp", ""])
def test_not_an_address(typed: str) -> None:
    with pytest.raises(LedgerError) as raised:
        values.address(typed)
    assert raised.value.kind is ProblemKind.USAGE
    assert raised.value.params["value"] == typed


def test_server_urls_are_kept_canonical_and_in_their_role() -> None:
    assert values.server_url("imaps://IMAP.example.jp", incoming=True) == "imaps://imap.example.jp:993"
    assert values.server_url("smtp+starttls://smtp.example.jp", incoming=False) == (
        "smtp+starttls://smtp.example.jp:587"
    )
    assert values.server_url("  ", incoming=True) is None
    with pytest.raises(LedgerError, match="sending"):
        values.server_url("smtps://smtp.example.jp", incoming=True)
    with pytest.raises(LedgerError, match="receiving"):
        values.server_url("pop3s://pop.example.jp", incoming=False)
    with pytest.raises(LedgerError, match="not a server URL"):
        values.server_url("imap.example.jp", incoming=True)


def test_provider_ids_come_from_the_provider_data() -> None:
    assert values.provider("Sakura", {"sakura", "xserver"}) == "sakura"
    assert values.provider("", {"sakura"}) is None
    with pytest.raises(LedgerError) as raised:
        values.provider("sakurra", {"sakura", "xserver"})
    assert raised.value.params["known"] == "sakura, xserver"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("2026-12-31", date(2026, 12, 31)),
        ("2026/1/5", date(2026, 1, 5)),
        ("２０２６／０３／３１", date(2026, 3, 31)),
    ],
)
def test_dates(typed: str, kept: date) -> None:
    assert values.day(typed, "expires_on") == kept


@pytest.mark.parametrize("typed", ["2026-02-30", "31.12.2026", "next year", "2026-12"])
def test_not_dates(typed: str) -> None:
    with pytest.raises(LedgerError):
        values.day(typed, "expires_on")


def test_yes_no_and_counts() -> None:
    assert values.flag("はい", "f") is True
    assert values.flag("No", "f") is False
    assert values.flag("", "f") is None
    assert values.count("１４", "days") == 14
    for wrong in ("-1", "1.5", "many"):
        with pytest.raises(LedgerError):
            values.count(wrong, "days")
    with pytest.raises(LedgerError):
        values.flag("maybe", "f")


def test_choices_take_the_usual_spellings() -> None:
    assert values.choice("POP", values.MailboxProtocol, "protocol") is values.MailboxProtocol.POP3
    assert values.choice("ｉｍａｐ", values.MailboxProtocol, "protocol") is values.MailboxProtocol.IMAP
    assert values.choice("iPhone", values.DeviceKind, "kind") is values.DeviceKind.IPHONE
    with pytest.raises(LedgerError) as raised:
        values.choice("blackberry", values.DeviceKind, "kind")
    assert "thunderbird" in raised.value.params["choices"]


def test_codes_and_text() -> None:
    assert values.code("Yamada-Shoji") == "yamada-shoji"
    with pytest.raises(LedgerError):
        values.code("山田商事")
    assert values.text("  山田 太郎 ", "name") == "山田 太郎"
    with pytest.raises(LedgerError):
        values.text("line\nbreak", "name")
    with pytest.raises(LedgerError):
        values.required_text(" ", "name")


def test_domains() -> None:
    assert values.domain("Example.CO.JP.") == "example.co.jp"
    assert values.domain("例え.jp") == "xn--r8jz45g.jp"
    with pytest.raises(LedgerError):
        values.domain("not a domain")


def test_field_changes_list_only_what_differs() -> None:
    old = {"incoming": "imaps://a:993", "username": "taro", "note": None}
    new = {"incoming": "pop3s://a:995", "username": "taro", "note": "moved"}
    assert field_changes(old, new) == (
        FieldChange("incoming", "imaps://a:993", "pop3s://a:995"),
        FieldChange("note", None, "moved"),
    )
    assert field_changes(new, new) == ()


@pytest.mark.parametrize("name", ["password", "Password", "PASS", "app-password", "パスワード", " secret "])
def test_secret_names_are_refused(name: str) -> None:
    assert is_secret_name(name)
    with pytest.raises(LedgerError, match="never keeps passwords"):
        refuse_secrets(["address", name])
    with pytest.raises(LedgerError):
        field_changes({}, {name: "hunter2"})


def test_who_holds_the_password_is_not_a_secret() -> None:
    refuse_secrets(["password_manager", "password_location", "パスワード管理者"])
    assert not is_secret_name("password_manager")


# ------------------------------------------------------------------ the retirement checklist (pure)


def test_a_new_checklist_is_open_except_devices_when_there_are_none() -> None:
    from maildoctor.ledger.retirement import Step, StepStatus, checklist

    empty = checklist([], devices=())
    assert not empty.started and not empty.complete
    assert empty.status(Step.DEVICES) is StepStatus.DONE  # nothing to remove
    assert checklist([], devices=("事務所PC",)).status(Step.DEVICES) is StepStatus.OPEN
    assert {empty.status(step) for step in Step if step is not Step.DEVICES} == {StepStatus.OPEN}


def test_the_latest_logged_value_wins_and_the_mailbox_has_one_choice() -> None:
    from maildoctor.ledger.retirement import Step, StepStatus, checklist

    log = [
        ("scheduled_on", "2026-12-25"),
        ("mailbox", "shared"),
        ("forward_to", "hanako@example.jp"),
        ("mailbox", "delete"),
        (None, "山田太郎"),  # an entry without a field (a row created) is not a step
        ("skip_auto-reply", "yes"),
        ("password_changed", "yes"),
    ]
    state = checklist(log, devices=("事務所PC",))
    assert state.values["mailbox"] == "delete"
    assert state.status(Step.AUTO_REPLY) is StepStatus.SKIPPED
    assert state.status(Step.FORWARDING) is StepStatus.DONE
    assert state.status(Step.DEVICES) is StepStatus.OPEN
    assert not state.complete
    done = checklist([*log, ("devices_removed", "事務所PC"), ("confirmed_by", "社長")], devices=("事務所PC",))
    assert done.complete


# ------------------------------------------------------------------ layering


PURE_LEDGER_MODULES = ("values", "changes", "errors", "retirement", "csvtext", "printables", "schedule")


@pytest.mark.parametrize("name", PURE_LEDGER_MODULES)
def test_the_pure_parts_of_the_ledger_load_no_database(name: str) -> None:
    """The typed values, the change diff, the retirement state and the CSV text are decided without
    SQLAlchemy, sqlite3 or the network (architecture.md: storage apart from the logic), imports of
    imports included: the module is imported alone in a fresh interpreter."""
    import subprocess
    import sys

    probe = (  # what importing the module adds to what `import maildoctor` loads anyway
        "import sys, maildoctor; before = set(sys.modules); "
        f"import maildoctor.ledger.{name}; "
        "print(sorted({m.split('.')[0] for m in set(sys.modules) - before} & "
        "{'sqlalchemy', 'alembic', 'sqlite3', 'socket', 'ssl', 'asyncio'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]", done.stdout
