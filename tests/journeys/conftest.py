"""The journeys' world: the two broken resolvers, the files a person gives `explain`, and the runs.

All selected journeys are run once per session, in parallel (subprocesses, so threads are
enough): the runs that wait on the dead resolver in a pool of their own, so that they do not
hold up the others. Each test then only checks its journey's outcome.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import random
import shutil
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import settings
from journey_properties import Outcome
from journey_resolvers import dead_resolver, lying_resolver
from journey_runner import run_cli
from journey_table import BOUNCES, FILES_FROM_CORPUS, JOURNEYS, SHARED, Journey

from maildoctor_lab.common import LabUnavailableError

LAB_REQUIRED = os.environ.get("MAILDOCTOR_LAB_REQUIRED") == "1"

# no .hypothesis/ directory in the checkout: every run starts from fresh examples; in CI
# (MAILDOCTOR_LAB_REQUIRED) the same examples every time, so that a landing never hinges on the draw
# (the random runs on developers' machines are the ones that explore)
settings.register_profile("journeys", database=None, derandomize=LAB_REQUIRED)
settings.load_profile("journeys")
from maildoctor.ledger.location import sqlite_url  # noqa: E402 -- the empty book of the check-up journeys
from maildoctor.ledger.store import open_book  # noqa: E402

HUGE_BYTES = 4 * 1024 * 1024 + 512 * 1024


def write_files(directory: Path) -> None:
    """The files of the journeys: empty, huge, binary, a folder, and real returned mails."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "empty.eml").write_bytes(b"")
    header = (
        b"From: MAILER-DAEMON@example.org\r\nTo: taro@example.co.jp\r\nSubject: Undelivered Mail Returned to "
        b"Sender\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    )
    line = b"550 5.1.1 <hanako@example.org>: Recipient address rejected: User unknown " * 2 + b"\r\n"
    (directory / "huge.eml").write_bytes(header + line * (HUGE_BYTES // len(line) + 1))
    rng = random.Random(12)
    (directory / "binary.eml").write_bytes(
        b"\x1b[2J\x00\x9b" + bytes(rng.randrange(256) for _ in range(64 * 1024)) + b"\x1b]0;owned\x07"
    )
    (directory / "folder.eml").mkdir(exist_ok=True)
    empty_book = directory / "empty-book.sqlite3"
    if not empty_book.exists():  # a book just started with `ledger init`: no company yet
        open_book(sqlite_url(empty_book), create=True).dispose()
    if SHARED is not None:
        for name in BOUNCES:
            shutil.copyfile(SHARED / "bounces" / "emails" / name, directory / name)
        for name, source in FILES_FROM_CORPUS.items():
            shutil.copyfile(SHARED / "bounces" / source, directory / name)


def _inputs(journey: Journey, files: Path) -> str:
    parts = list(journey.argv)
    if journey.stdin:
        parts.append(journey.stdin.decode("utf-8", errors="replace"))
    for name in journey.files:
        with contextlib.suppress(OSError):
            parts.append(_mail_text((files / name).read_bytes()[:300_000]))
    return "\n".join(parts)


def _mail_text(data: bytes) -> str:
    """A mail file's text as the person would read it: raw, and every part decoded."""
    texts = [data.decode("utf-8", errors="replace")]
    for part in email.message_from_bytes(data, policy=email.policy.compat32).walk():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            texts.append(payload.decode(part.get_content_charset() or "utf-8", errors="replace"))
    return "\n".join(texts)


def _argv(argv: tuple[str, ...], resolvers: dict[str, str]) -> tuple[str, ...]:
    for name, address in resolvers.items():
        argv = tuple(arg.replace(f"{{{name}}}", address) for arg in argv)
    return argv


@pytest.fixture(scope="session")
def lying_dns(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The lying resolver's --dns value (skipped, or failed under CI, without Unbound)."""
    try:
        with lying_resolver(tmp_path_factory.mktemp("unbound")) as address:
            yield address
    except LabUnavailableError as exc:
        if LAB_REQUIRED:
            pytest.fail(f"lab required but unavailable: {exc}")
        pytest.skip(f"Unbound is not installed: {exc}")


@pytest.fixture(scope="session")
def dead_dns() -> Iterator[str]:
    with dead_resolver() as address:
        yield address


def _selected(session: pytest.Session) -> list[Journey]:
    chosen = {
        item.callspec.params["journey_id"]
        for item in session.items
        if hasattr(item, "callspec") and "journey_id" in item.callspec.params
    }
    return [journey for journey in JOURNEYS if journey.id in chosen]


@pytest.fixture(scope="session")
def outcomes(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Outcome]]:
    journeys = _selected(request.session)
    root = tmp_path_factory.mktemp("journeys")
    files, home = root / "files", root / "home"
    write_files(files)
    home.mkdir()
    wanted = {
        name
        for journey in journeys
        for name in ("lying", "dead")
        if any(f"{{{name}}}" in a for a in journey.argv)
    }
    resolvers = {name: request.getfixturevalue(f"{name}_dns") for name in sorted(wanted)}
    with (
        ThreadPoolExecutor(max_workers=16) as waiting,
        ThreadPoolExecutor(max_workers=2 * (os.cpu_count() or 2)) as working,
    ):
        futures: dict[str, tuple[Future[object], Future[object] | None]] = {}
        for journey in journeys:
            pool = waiting if journey.resolver == "dead" else working

            def start(
                argv: tuple[str, ...], journey: Journey = journey, pool: ThreadPoolExecutor = pool
            ) -> Future[object]:
                return pool.submit(
                    run_cli,
                    _argv(argv, resolvers),
                    lang=journey.lang,
                    stdin=journey.stdin,
                    cwd=files,
                    home=home,
                )

            futures[journey.id] = (
                start(journey.argv),
                start(journey.json_argv) if journey.json_argv else None,
            )
        results = {}
        for journey in journeys:
            text, twin = futures[journey.id]
            results[journey.id] = Outcome(
                text.result(),  # type: ignore[arg-type]
                twin.result() if twin is not None else None,  # type: ignore[arg-type]
                _inputs(journey, files),
            )
        yield results
