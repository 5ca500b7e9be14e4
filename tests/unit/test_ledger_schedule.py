"""The monthly check day on a timer: the generated units and cron line (pure), install and remove
against a temporary folder and a fake runner (the real system is never touched), and the command."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from maildoctor.ledger import schedule
from maildoctor.ledger.errors import ProblemKind
from maildoctor.ledger.schedule import Job, ScheduleError, Scheduler

PROGRAM = ("/opt/maildoctor/bin/python", "-m", "maildoctor")

LedgerCli = Callable[..., tuple[int, str, str]]  # the ledger_cli fixture (tests/unit/conftest.py)


class FakeRunner:
    """systemctl and crontab as a recording: crontab keeps its table, any command can be made to fail."""

    def __init__(self, crontab: str | None = None, failing: str | None = None) -> None:
        self.calls: list[tuple[tuple[str, ...], str | None]] = []
        self.crontab = crontab
        self.failing = failing

    def __call__(self, args: Sequence[str], stdin: str | None) -> tuple[int, str]:
        command = tuple(args)
        self.calls.append((command, stdin))
        if self.failing is not None and self.failing in command:
            return 1, ""
        if command == ("crontab", "-l"):
            return (0, self.crontab) if self.crontab is not None else (1, "")
        if command == ("crontab", "-"):
            self.crontab = stdin
        return 0, ""

    @property
    def commands(self) -> list[tuple[str, ...]]:
        return [command for command, _ in self.calls]


def job(company: str | None = "yamada", **options: object) -> Job:
    return schedule.job_for(company, program=PROGRAM, **options)  # type: ignore[arg-type]


# ------------------------------------------------------------------ generated text


def test_the_service_runs_the_checkup_of_one_company() -> None:
    unit = schedule.service_unit(job(db="/srv/book 1.sqlite3", lang="ja"))
    assert "ExecStart=/opt/maildoctor/bin/python -m maildoctor checkup --company yamada --lang ja" in unit
    assert 'Environment="MAILDOCTOR_LEDGER_URL=/srv/book 1.sqlite3"' in unit
    assert "Type=oneshot" in unit and "SuccessExitStatus=1" in unit
    assert job().name == "maildoctor-checkup-yamada" and job(None).name == "maildoctor-checkup-all"
    assert "checkup --all" in schedule.service_unit(job(None))


def test_unit_words_are_quoted_so_systemd_keeps_them_literal() -> None:
    assert schedule.systemd_quote("plain-word") == "plain-word"
    assert schedule.systemd_quote("two words") == '"two words"'
    assert schedule.systemd_quote("100%$HOME") == '"100%%$$HOME"'
    assert schedule.systemd_quote('a"b\\c') == '"a\\"b\\\\c"'
    assert schedule.systemd_quote("50%", exec_line=False) == '"50%%"'
    assert schedule.systemd_quote("") == '""'


def test_the_timer_is_monthly_and_catches_up_after_a_day_off() -> None:
    timer = schedule.timer_unit(job())
    assert "OnCalendar=*-*-01 07:17:00" in timer
    assert "Persistent=true" in timer and "Unit=maildoctor-checkup-yamada.service" in timer
    assert "WantedBy=timers.target" in timer


def test_the_cron_line_escapes_percent_and_carries_a_marker() -> None:
    line = schedule.cron_line(job(db="/srv/100% book.sqlite3"))
    assert line.startswith("17 7 1 * * MAILDOCTOR_LEDGER_URL='/srv/100\\% book.sqlite3' ")
    assert line.endswith(" checkup --company yamada # maildoctor-checkup-yamada")
    assert shlex.split(line.split(" # ")[0])[6:] == [*PROGRAM, "checkup", "--company", "yamada"]


def test_a_url_with_a_password_is_never_written_into_a_timer() -> None:
    with pytest.raises(ScheduleError) as refused:
        job(db="postgresql://desk:s3cret@db.example.jp/book")
    assert refused.value.kind is ProblemKind.USAGE and "s3cret" not in str(refused.value.params)
    assert (
        job(db="postgresql://desk@db.example.jp/book").environment["MAILDOCTOR_LEDGER_URL"].endswith("/book")
    )


def test_a_control_character_is_refused() -> None:
    with pytest.raises(ScheduleError):
        job(db="/tmp/book\nExecStartPre=/bin/evil")


# ------------------------------------------------------------------ systemd, in a temporary folder


def test_install_writes_both_units_and_enables_the_timer(tmp_path: Path) -> None:
    runner = FakeRunner()
    done = schedule.install(job(), scheduler=Scheduler.SYSTEMD, unit_dir=tmp_path / "units", runner=runner)
    service = tmp_path / "units" / "maildoctor-checkup-yamada.service"
    timer = tmp_path / "units" / "maildoctor-checkup-yamada.timer"
    assert [path for path, _ in done.written] == [service, timer]
    assert service.read_text(encoding="utf-8") == schedule.service_unit(job())
    assert timer.read_text(encoding="utf-8") == dict(done.written)[timer]
    assert runner.commands == [
        ("systemctl", "--user", "daemon-reload"),
        ("systemctl", "--user", "enable", "--now", "maildoctor-checkup-yamada.timer"),
    ]
    assert list(done.commands) == runner.commands


def test_the_timer_reads_its_passwords_from_a_file_only_its_user_can_read(tmp_path: Path) -> None:
    secrets = tmp_path / "config" / "maildoctor" / "checkup.env"
    with_file = job(secrets_file=secrets)
    assert f"EnvironmentFile=-{secrets}" in schedule.service_unit(with_file)
    assert "EnvironmentFile" not in schedule.service_unit(job())
    done = schedule.install(
        with_file, scheduler=Scheduler.SYSTEMD, unit_dir=tmp_path / "units", runner=FakeRunner()
    )
    assert done.secrets_file == secrets and (secrets, schedule.SECRETS_TEMPLATE) in done.written
    assert secrets.stat().st_mode & 0o777 == 0o600
    assert (
        "MAILDOCTOR_PASSWORDS_KEY=" in secrets.read_text()
        and "MAILDOCTOR_NOTIFY_PASSWORD=" in secrets.read_text()
    )
    # filled in by its user, loosened by mistake: installed again, kept as it is and never shown
    secrets.write_text("MAILDOCTOR_PASSWORDS_KEY=k3y\n")
    secrets.chmod(0o644)
    again = schedule.install(
        with_file, scheduler=Scheduler.SYSTEMD, unit_dir=tmp_path / "units", runner=FakeRunner()
    )
    assert secrets.read_text() == "MAILDOCTOR_PASSWORDS_KEY=k3y\n"
    assert secrets.stat().st_mode & 0o777 == 0o600
    assert secrets not in dict(again.written) and "k3y" not in repr(again)
    assert schedule.remove(
        with_file, scheduler=Scheduler.SYSTEMD, unit_dir=tmp_path / "units", runner=FakeRunner()
    )
    assert secrets.exists()  # the person's own file: taking the timer away does not delete it
    assert schedule.default_secrets_file(False, {"XDG_CONFIG_HOME": "/home/u/.config"}) == Path(
        "/home/u/.config/maildoctor/checkup.env"
    )


def test_a_system_timer_has_no_user_flag_and_a_dry_run_changes_nothing(tmp_path: Path) -> None:
    runner = FakeRunner()
    done = schedule.install(
        job(system=True), scheduler=Scheduler.SYSTEMD, unit_dir=tmp_path, runner=runner, dry_run=True
    )
    assert done.dry_run and runner.calls == [] and list(tmp_path.iterdir()) == []
    assert done.commands[1] == ("systemctl", "enable", "--now", "maildoctor-checkup-yamada.timer")


def test_remove_disables_and_deletes_and_twice_is_harmless(tmp_path: Path) -> None:
    runner = FakeRunner()
    schedule.install(job(), scheduler=Scheduler.SYSTEMD, unit_dir=tmp_path, runner=runner)
    other = schedule.install(job("other"), scheduler=Scheduler.SYSTEMD, unit_dir=tmp_path, runner=runner)
    runner.calls.clear()
    done = schedule.remove(job(), scheduler=Scheduler.SYSTEMD, unit_dir=tmp_path, runner=runner)
    assert {path.name for path in done.removed} == {
        "maildoctor-checkup-yamada.timer",
        "maildoctor-checkup-yamada.service",
    }
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(path.name for path, _ in other.written)
    assert runner.commands == [
        ("systemctl", "--user", "disable", "--now", "maildoctor-checkup-yamada.timer"),
        ("systemctl", "--user", "daemon-reload"),
    ]
    runner.calls.clear()
    again = schedule.remove(job(), scheduler=Scheduler.SYSTEMD, unit_dir=tmp_path, runner=runner)
    assert again.removed == () and runner.calls == []


def test_a_failing_systemctl_is_an_error_that_names_the_command(tmp_path: Path) -> None:
    with pytest.raises(ScheduleError) as failed:
        schedule.install(
            job(), scheduler=Scheduler.SYSTEMD, unit_dir=tmp_path, runner=FakeRunner(failing="enable")
        )
    assert failed.value.kind is ProblemKind.NOT_RUN
    assert "systemctl --user enable --now" in failed.value.params["command"]


# ------------------------------------------------------------------ cron


def test_cron_install_keeps_other_lines_and_replaces_its_own(tmp_path: Path) -> None:
    mine_before = "0 0 1 * * old-maildoctor checkup # maildoctor-checkup-yamada"
    runner = FakeRunner(crontab=f"MAILTO=it@example.jp\n30 2 * * * backup.sh\n{mine_before}\n")
    done = schedule.install(job(), scheduler=Scheduler.CRON, unit_dir=tmp_path, runner=runner)
    assert runner.crontab == f"MAILTO=it@example.jp\n30 2 * * * backup.sh\n{done.cron_lines[0]}\n"
    assert list(tmp_path.iterdir()) == []  # cron has no unit files
    removed = schedule.remove(job(), scheduler=Scheduler.CRON, unit_dir=tmp_path, runner=runner)
    assert removed.cron_lines == done.cron_lines
    assert runner.crontab == "MAILTO=it@example.jp\n30 2 * * * backup.sh\n"


def test_cron_without_a_crontab_yet_and_removing_what_is_not_there(tmp_path: Path) -> None:
    runner = FakeRunner(crontab=None)  # `crontab -l` fails: "no crontab for user"
    done = schedule.install(job(None), scheduler=Scheduler.CRON, unit_dir=tmp_path, runner=runner)
    assert runner.crontab == done.cron_lines[0] + "\n"
    writes = len(runner.calls)
    nothing = schedule.remove(job(), scheduler=Scheduler.CRON, unit_dir=tmp_path, runner=runner)
    assert nothing.cron_lines == () and len(runner.calls) == writes + 1  # only `crontab -l`


def test_systemd_is_detected_by_its_run_folder(tmp_path: Path) -> None:
    assert not schedule.has_systemd(tmp_path / "missing")


def test_the_user_unit_folder_follows_xdg(tmp_path: Path) -> None:
    assert (
        schedule.default_unit_dir(False, {"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "systemd" / "user"
    )
    assert schedule.default_unit_dir(True, {}) == Path("/etc/systemd/system")


# ------------------------------------------------------------------ the command


@pytest.fixture
def book(tmp_path: Path, ledger_cli: LedgerCli) -> Path:
    path = tmp_path / "book.sqlite3"
    assert ledger_cli(path, "init")[0] == 0
    assert ledger_cli(path, "company", "add", "yamada", "山田商事")[0] == 0
    return path


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ja", "毎月の点検 maildoctor-checkup-yamada を入れます（crontab の1行）"),
        ("en", "Would install the monthly check-up maildoctor-checkup-yamada (a line in the crontab)."),
    ],
)
def test_schedule_dry_run_shows_the_line(ledger_cli: LedgerCli, book: Path, lang: str, expected: str) -> None:
    code, out, _ = ledger_cli(book, "schedule", "monthly", "--cron", "--dry-run", "--lang", lang)
    assert code == 0
    assert expected in out
    assert f"MAILDOCTOR_LEDGER_URL={book}" in out and "checkup --company yamada" in out


def test_schedule_installs_and_removes_with_the_runner_and_folder_replaced(
    ledger_cli: LedgerCli, book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = FakeRunner()
    monkeypatch.setattr(schedule, "run_command", runner)
    monkeypatch.setattr(schedule, "has_systemd", lambda: True)
    monkeypatch.setattr(schedule, "default_unit_dir", lambda system: tmp_path / "units")
    code, out, _ = ledger_cli(book, "schedule", "monthly", "--lang", "en")
    assert code == 0 and "Installed the monthly check-up maildoctor-checkup-yamada" in out
    assert "OnCalendar=*-*-01 07:17:00" in out and "loginctl enable-linger" in out
    assert (tmp_path / "units" / "maildoctor-checkup-yamada.timer").is_file()
    code, out, _ = ledger_cli(book, "schedule", "off", "--lang", "ja")
    assert code == 0 and "maildoctor-checkup-yamada" in out
    assert list((tmp_path / "units").iterdir()) == []
    assert runner.commands[-1] == ("systemctl", "--user", "daemon-reload")


def test_schedule_for_a_company_not_in_the_book_is_refused(ledger_cli: LedgerCli, book: Path) -> None:
    code, out, err = ledger_cli(book, "schedule", "monthly", "--company", "nope", "--dry-run", "--lang", "en")
    assert code == 2 and "nope" in err and out == ""


def test_systemd_itself_accepts_the_generated_units(tmp_path: Path) -> None:
    """`systemd-analyze verify` reads unit files offline (no running systemd needed) and fails on a bad
    calendar, a missing program or a broken setting; a space and a % in the book's path included."""
    analyze = shutil.which("systemd-analyze")
    true = shutil.which("true")
    if analyze is None or true is None:
        pytest.skip("systemd-analyze is not installed here")
    unit_job = schedule.job_for("yamada", db=str(tmp_path / "my book 100%.sqlite3"), program=[true])
    schedule.install(unit_job, scheduler=Scheduler.SYSTEMD, unit_dir=tmp_path, runner=FakeRunner())
    units = [str(tmp_path / f"{unit_job.name}.{suffix}") for suffix in ("service", "timer")]
    done = subprocess.run(
        [analyze, "verify", "--man=no", *units], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    (tmp_path / "broken.timer").write_text(
        schedule.timer_unit(unit_job).replace("*-*-01 07:17:00", "not-a-day"), encoding="utf-8"
    )
    broken = subprocess.run(
        [analyze, "verify", "--man=no", str(tmp_path / "broken.timer"), units[0]],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert broken.returncode != 0  # the check above can fail
