"""The monthly check day on a timer: a systemd timer (user or system), or a crontab line without systemd.

The units and the cron line are generated purely (job_for, service_unit, timer_unit, cron_line);
install() and remove() write and delete them under a unit folder they are given and run systemctl
or crontab through a runner they are given, so tests use a temporary folder and a fake runner.
Both return exactly what they did (files with their text, commands, the cron line), for the person
to see. Nothing secret goes into a unit or a crontab: a database URL with a password is refused.
A systemd timer runs with no keyring: its service reads an EnvironmentFile= that only its user can
read (0600), made empty (comments saying what to put there) and never overwritten, for the
passwords' key and the sending account's password.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from maildoctor.i18n import N_
from maildoctor.ledger.errors import LedgerError, ProblemKind

PREFIX: Final = "maildoctor-checkup"
ON_CALENDAR: Final = "*-*-01 07:17:00"  # the 1st of each month, early morning, off the full hour
CRON_TIMES: Final = "17 7 1 * *"  # the same moment for cron
RANDOM_DELAY: Final = "15min"  # many books on one machine do not all start at once
COMMAND_TIMEOUT: Final = 30.0  # seconds for one systemctl or crontab call
SYSTEM_UNIT_DIR: Final = Path("/etc/systemd/system")
SECRETS_FILE: Final = "checkup.env"
SECRETS_TEMPLATE: Final = """\
# maildoctor's monthly check-up reads this file (only you can read it: keep it mode 0600).
# A timer has no keyring: put here, one per line as NAME=value, without quotes,
#   MAILDOCTOR_PASSWORDS_KEY=   the key of the encrypted password file (maildoctor checkup --help)
#   MAILDOCTOR_NOTIFY_PASSWORD= the password of the account that sends the report (--send --mail-from)
"""

# (status, standard output); `input` goes to the command's standard input
Runner = Callable[[Sequence[str], str | None], tuple[int, str]]


class Scheduler(StrEnum):
    SYSTEMD = "systemd"
    CRON = "cron"


class ScheduleError(LedgerError):
    """The timer could not be made, installed or removed (the message id says why)."""


@dataclass(frozen=True, slots=True)
class Job:
    """One monthly check-up: of one company (`company`) or of all companies (None)."""

    company: str | None
    command: tuple[str, ...]  # the whole command line, program first
    environment: Mapping[str, str] = field(default_factory=dict)
    system: bool = False  # a system timer (root) rather than the user's own
    secrets_file: Path | None = None  # the service's EnvironmentFile= (systemd only), for passwords

    @property
    def name(self) -> str:
        return f"{PREFIX}-{self.company}" if self.company else f"{PREFIX}-all"


@dataclass(frozen=True, slots=True)
class Done:
    """What install() or remove() did (or, with dry_run, would do)."""

    scheduler: Scheduler
    name: str
    written: tuple[tuple[Path, str], ...] = ()  # each file and its text
    removed: tuple[Path, ...] = ()
    commands: tuple[tuple[str, ...], ...] = ()
    cron_lines: tuple[str, ...] = ()  # the line added (install) or the lines taken out (remove)
    dry_run: bool = False
    secrets_file: Path | None = None  # where the timer reads its passwords from (installed: 0600)


def _checked(text: str) -> str:
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in text):
        raise ScheduleError(
            N_("A value for the timer contains a control character: {value}"), value=repr(text)
        )
    return text


def job_for(
    company: str | None,
    *,
    db: str | None = None,
    lang: str | None = None,
    system: bool = False,
    program: Sequence[str] | None = None,
    extra: Sequence[str] = (),
    secrets_file: Path | None = None,
) -> Job:
    """The check-up of `company` (None: every company) as the timer will run it.

    `program` is how maildoctor is started (default: this Python with `-m maildoctor`, which needs
    no PATH); `db` the book (kept in the environment, never a URL with a password); `extra` more
    options of `checkup` (where to send the report); `secrets_file` the file a systemd service reads
    its passwords from (default_secrets_file)."""
    base = tuple(program) if program is not None else (sys.executable, "-m", "maildoctor")
    target = ("--company", company) if company else ("--all",)
    command = (*base, "checkup", *target, *(("--lang", lang) if lang else ()), *extra)
    environment: dict[str, str] = {}
    if db:
        if urlsplit(db).password:
            raise ScheduleError(
                N_(
                    "The book's URL holds a password, which would be written into the timer. Keep it in "
                    "~/.pgpass (or the service's environment file) and give the URL without the password."
                ),
                ProblemKind.USAGE,
            )
        environment["MAILDOCTOR_LEDGER_URL"] = db
    for text in (*command, *environment.values()):
        _checked(text)
    if secrets_file is not None:
        _checked(str(secrets_file))
    return Job(company, command, environment, system, secrets_file)


# ------------------------------------------------------------------ generated text (pure)


def systemd_quote(word: str, *, exec_line: bool = True) -> str:
    """One word for a unit file: quoted C-style, `%` specifiers and (on Exec lines) `$` kept literal."""
    escaped = word.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")
    if exec_line:
        escaped = escaped.replace("$", "$$")
    plain = escaped == word and word and not any(char.isspace() or char in "'\";" for char in word)
    return word if plain else f'"{escaped}"'


def service_unit(job: Job) -> str:
    who = job.company or "all companies"
    lines = [
        "# Made by maildoctor (maildoctor ledger schedule). Remove with: maildoctor ledger schedule off",
        "[Unit]",
        f"Description=maildoctor monthly mail check-up ({who})",
        "Wants=network-online.target",
        "After=network-online.target",
        "",
        "[Service]",
        "Type=oneshot",
    ]
    lines += [
        f"Environment={systemd_quote(f'{key}={value}', exec_line=False)}"
        for key, value in sorted(job.environment.items())
    ]
    if job.secrets_file is not None:  # "-": a missing file is no error
        lines.append(f"EnvironmentFile=-{systemd_quote(str(job.secrets_file), exec_line=False)}")
    lines += [
        "ExecStart=" + " ".join(systemd_quote(word) for word in job.command),
        # exit 1 means "problems found", which the report tells: not a failure of the unit
        "SuccessExitStatus=1",
        "Nice=10",
        "",
    ]
    return "\n".join(lines)


def timer_unit(job: Job) -> str:
    return "\n".join(
        [
            "# Made by maildoctor (maildoctor ledger schedule). Remove with: maildoctor ledger schedule off",
            "[Unit]",
            f"Description=maildoctor monthly mail check-up ({job.company or 'all companies'})",
            "",
            "[Timer]",
            f"OnCalendar={ON_CALENDAR}",
            "Persistent=true",  # a computer that was off on the 1st runs it when it starts
            f"RandomizedDelaySec={RANDOM_DELAY}",
            f"Unit={job.name}.service",
            "",
            "[Install]",
            "WantedBy=timers.target",
            "",
        ]
    )


def cron_marker(name: str) -> str:
    return f"# {name}"


def cron_line(job: Job) -> str:
    """One crontab line (cron has no unit files): the environment first, `%` escaped as cron needs."""
    words = [f"{key}={shlex.quote(value)}" for key, value in sorted(job.environment.items())]
    words += [shlex.quote(word) for word in job.command]
    return f"{CRON_TIMES} " + " ".join(words).replace("%", "\\%") + f" {cron_marker(job.name)}"


def crontab_without(table: str, name: str) -> tuple[str, tuple[str, ...]]:
    """The crontab without the lines maildoctor added for `name`, and those lines."""
    kept: list[str] = []
    taken: list[str] = []
    for line in table.splitlines():
        (taken if line.rstrip().endswith(cron_marker(name)) else kept).append(line)
    text = "\n".join(kept)
    return (text + "\n" if text else ""), tuple(taken)


# ------------------------------------------------------------------ the system


def has_systemd(run_dir: Path = Path("/run/systemd/system")) -> bool:
    """Booted with systemd and systemctl at hand (the test systemd itself uses: sd_booted)."""
    return run_dir.is_dir() and shutil.which("systemctl") is not None


def default_unit_dir(system: bool, environ: Mapping[str, str] = os.environ) -> Path:
    if system:
        return SYSTEM_UNIT_DIR
    config = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "systemd" / "user"


def default_secrets_file(system: bool, environ: Mapping[str, str] = os.environ) -> Path:
    if system:
        return Path("/etc/maildoctor") / SECRETS_FILE
    config = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "maildoctor" / SECRETS_FILE


def ensure_secrets_file(path: Path) -> str | None:
    """The secrets file, readable by its owner only: made with the template (its text returned), or
    an existing one kept as it is (its text never read) with any access for others taken away."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        return None
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(SECRETS_TEMPLATE)
    return SECRETS_TEMPLATE


def run_command(args: Sequence[str], stdin: str | None) -> tuple[int, str]:
    """The real runner: a command with a time limit; its output is read, never shown raw."""
    try:
        done = subprocess.run(
            list(args), input=stdin, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return 127, type(exc).__name__
    return done.returncode, done.stdout


def _systemctl(job_system: bool, *args: str) -> tuple[str, ...]:
    return ("systemctl", *(() if job_system else ("--user",)), *args)


def _must(runner: Runner, command: tuple[str, ...], stdin: str | None = None) -> str:
    status, out = runner(command, stdin)
    if status != 0:
        raise ScheduleError(
            N_("The command “{command}” did not succeed (status {status})."),
            ProblemKind.NOT_RUN,
            command=" ".join(command),
            status=status,
        )
    return out


def _crontab(runner: Runner) -> str:
    status, out = runner(("crontab", "-l"), None)
    return out if status == 0 else ""  # status 1: "no crontab for this user" — an empty one


def install(job: Job, *, scheduler: Scheduler, unit_dir: Path, runner: Runner, dry_run: bool = False) -> Done:
    """Install the monthly timer for `job` (replacing one of the same name); what was done."""
    if scheduler is Scheduler.CRON:
        line = cron_line(job)
        commands: tuple[tuple[str, ...], ...] = (("crontab", "-l"), ("crontab", "-"))
        if not dry_run:
            table, _old = crontab_without(_crontab(runner), job.name)
            _must(runner, ("crontab", "-"), table + line + "\n")
        return Done(scheduler, job.name, commands=commands, cron_lines=(line,), dry_run=dry_run)
    files: tuple[tuple[Path, str], ...] = (
        (unit_dir / f"{job.name}.service", service_unit(job)),
        (unit_dir / f"{job.name}.timer", timer_unit(job)),
    )
    commands = (
        _systemctl(job.system, "daemon-reload"),
        _systemctl(job.system, "enable", "--now", f"{job.name}.timer"),
    )
    if not dry_run:
        unit_dir.mkdir(parents=True, exist_ok=True)
        for path, text in files:
            path.write_text(text, encoding="utf-8")
        if job.secrets_file is not None and (made := ensure_secrets_file(job.secrets_file)) is not None:
            files += ((job.secrets_file, made),)
        for command in commands:
            _must(runner, command)
    return Done(
        scheduler, job.name, written=files, commands=commands, dry_run=dry_run, secrets_file=job.secrets_file
    )


def remove(job: Job, *, scheduler: Scheduler, unit_dir: Path, runner: Runner, dry_run: bool = False) -> Done:
    """Take the timer of `job` away (nothing to do is not an error); what was done."""
    if scheduler is Scheduler.CRON:
        table, taken = crontab_without(_crontab(runner), job.name)
        commands: tuple[tuple[str, ...], ...] = (("crontab", "-l"),)
        if taken:
            commands += (("crontab", "-"),)
            if not dry_run:
                _must(runner, ("crontab", "-"), table)
        return Done(scheduler, job.name, commands=commands, cron_lines=taken, dry_run=dry_run)
    present = tuple(
        path for path in (unit_dir / f"{job.name}.timer", unit_dir / f"{job.name}.service") if path.exists()
    )
    if not present:
        return Done(scheduler, job.name, dry_run=dry_run)
    commands = (_systemctl(job.system, "disable", "--now", f"{job.name}.timer"),)
    reload = _systemctl(job.system, "daemon-reload")
    if not dry_run:
        runner(commands[0], None)  # a timer already disabled by hand is fine
        for path in present:
            path.unlink()
        _must(runner, reload)
    return Done(scheduler, job.name, removed=present, commands=(*commands, reload), dry_run=dry_run)
