"""A hostile or broken server cannot flood, hang or paint the terminal: reads are bounded in size and
time, and its words are shown escaped."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], "asyncio.Future[None] | object"]


class FakeServer:
    """A TCP server on 127.0.0.1 whose behaviour the test scripts (in a thread of its own)."""

    def __init__(self, script: Callable[[asyncio.StreamReader, asyncio.StreamWriter], object]) -> None:
        self.script = script
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                await self.script(reader, writer)  # type: ignore[misc]
            except (ConnectionError, OSError):
                pass
            finally:
                writer.close()

        async def start() -> None:
            server = await asyncio.start_server(handle, "127.0.0.1", 0)
            self.port = server.sockets[0].getsockname()[1]
            self._ready.set()
            async with server:
                await server.serve_forever()

        with contextlib.suppress(RuntimeError, asyncio.CancelledError):
            self._loop.run_until_complete(start())

    def __enter__(self) -> FakeServer:
        self._thread.start()
        self._ready.wait(5)
        return self

    def __exit__(self, *_: object) -> None:
        for task in asyncio.all_tasks(self._loop):
            self._loop.call_soon_threadsafe(task.cancel)
        self._thread.join(5)


def run_check(
    port: int, cache: Path, *extra: str, password: str | None = None
) -> subprocess.CompletedProcess[str]:
    argv = [
        sys.executable,
        "-m",
        "maildoctor",
        "check",
        "alice@example.test",
        "--incoming",
        f"imap://127.0.0.1:{port}",
        "--dns",
        "127.0.0.1:9",
        "--timeout",
        "8",
        *extra,
    ]
    argv.append("--password-stdin" if password is not None else "--no-auth")
    return subprocess.run(
        argv,
        input=(password or "") + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "XDG_CACHE_HOME": str(cache), "COLUMNS": "200"},
        check=False,
    )


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


async def _ansi_banner(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"* OK \x1b[2J\x1b[31mHACKED\x07 \x9b31m ready\r\n")
    await writer.drain()
    while line := await reader.readline():
        tag = line.split(b" ", 1)[0]
        if b"CAPABILITY" in line.upper():
            writer.write(b"* CAPABILITY IMAP4rev1 \x1b]0;title\x07\r\n" + tag + b" OK done\r\n")
        else:
            writer.write(tag + b" OK \x1b[5mbye\r\n")
        await writer.drain()


def test_escape_sequences_from_a_banner_never_reach_the_terminal(cache: Path) -> None:
    with FakeServer(_ansi_banner) as server:
        for extra in ((), ("--transcript",), ("--json",)):
            completed = run_check(server.port, cache, *extra)
            for stream in (completed.stdout, completed.stderr):
                assert "\x1b" not in stream
                assert "\x07" not in stream
                assert "\x9b" not in stream
            if extra == ("--transcript",):
                assert "HACKED" in completed.stdout  # shown, but defused
                assert "\\x1b" in completed.stdout
            if extra == ("--json",):
                json.loads(completed.stdout)


async def _endless_line(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    del reader
    writer.write(b"* OK ")
    for _ in range(4096):  # 4 MiB without a line end
        writer.write(b"A" * 1024)
        await writer.drain()


async def _silent_after_greeting(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] slow server\r\n")
    await writer.drain()
    await reader.read(100)
    await asyncio.sleep(60)


@pytest.mark.parametrize("script", [_endless_line, _silent_after_greeting], ids=["flood", "silence"])
def test_a_flooding_or_silent_server_costs_bounded_time(cache: Path, script: object) -> None:
    with FakeServer(script) as server:  # type: ignore[arg-type]
        started = time.monotonic()
        completed = run_check(server.port, cache, "--json")
        elapsed = time.monotonic() - started
    assert elapsed < 20
    report = json.loads(completed.stdout)
    assert report["schema"] == "maildoctor.report/1"
    assert completed.returncode in (0, 1)
