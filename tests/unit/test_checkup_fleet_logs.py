"""Counting connections at once from the servers' own logs (maildoctor_lab.fleet), on log lines as
Dovecot 2.3 and Postfix write them; and the check day's connection gate, counted by a real server on
loopback (it is connections the server sees, not checks)."""

from __future__ import annotations

import asyncio
import base64
from datetime import datetime

from maildoctor.checkup.limits import ServerLimits
from maildoctor_lab.fleet import Session, anvil_peaks, dovecot_sessions, peak, peaks_per_user, session_start


def session_id(at: str, port: int = 40526) -> str:
    micro = int(datetime.fromisoformat(at).timestamp() * 1_000_000)
    raw = (micro & ((1 << 48) - 1)).to_bytes(6, "little") + port.to_bytes(2, "little") + bytes([127, 0, 0, 1])
    return base64.b64encode(raw).decode()


def test_a_real_session_id_holds_the_moment_the_connection_was_accepted() -> None:
    # logged by Dovecot 2.3.19 at 00:04:53.850457 (the login), the connection accepted just before
    near = datetime.fromisoformat("2026-12-08T00:04:53.850457").timestamp()
    started = session_start("V96GFxRiTp5/AAAB", near)
    assert datetime.fromtimestamp(started).isoformat() == "2026-12-08T00:04:53.846615"


def test_dovecot_sessions_from_accept_to_close_with_the_user_once_logged_in() -> None:
    a, b, c = (
        session_id("2026-12-08T10:00:00.100000"),
        session_id("2026-12-08T10:00:00.200000"),
        session_id("2026-12-08T10:00:00.250000"),
    )
    lines = [
        f"2026-12-08T10:00:00.150000 imap-login: Info: Login: user=<u01>, method=PLAIN, rip=127.0.0.1, "
        f"lip=127.0.0.11, mpid=10, TLS, session=<{a}>",
        f"2026-12-08T10:00:00.260000 pop3-login: Info: Disconnected: Connection closed "
        f"(no auth attempts in 0 secs): user=<>, rip=127.0.0.1, lip=127.0.0.11, TLS, session=<{c}>",
        f"2026-12-08T10:00:00.300000 imap(u01)<10><{a}>: Info: Disconnected: Logged out in=12 out=483",
        f"2026-12-08T10:00:00.400000 imap-login: Info: Login: user=<u01>, method=PLAIN, rip=127.0.0.1, "
        f"lip=127.0.0.11, mpid=11, TLS, session=<{b}>",
        f"2026-12-08T10:00:00.500000 imap(u01)<11><{b}>: Info: Disconnected: Logged out in=12 out=483",
    ]
    found = sorted(dovecot_sessions(lines), key=lambda s: s.start)
    assert [(round(s.end - s.start, 3), s.user) for s in found] == [(0.2, "u01"), (0.3, "u01"), (0.01, None)]
    assert peak(found) == 3  # a from .1 to .3, b from .2 to .5, c from .25 to .26
    assert peaks_per_user(found) == {"u01": 2}


def test_one_ending_as_another_starts_is_not_an_overlap() -> None:
    assert peak([Session(0, 1, None), Session(1, 2, None)]) == 1
    assert peak([Session(0, 1.5, None), Session(1, 2, None), Session(1.2, 3, None)]) == 3


def test_anvil_peaks_per_listener() -> None:
    lines = [
        "Dec 08 00:07:11 mail01 postfix/anvil[332]: statistics: max connection rate 8/60s for "
        "(127.0.0.11:48731:127.0.0.11) at Dec  8 00:07:10",
        "Dec 08 00:07:11 mail01 postfix/anvil[332]: statistics: max connection count 6 for "
        "(127.0.0.11:48731:127.0.0.11) at Dec  8 00:07:10",
        "Dec 08 00:07:12 mail01 postfix/anvil[332]: statistics: max connection count 4 for "
        "(127.0.0.11:48731:127.0.0.11) at Dec  8 00:07:12",
        "Dec 08 00:07:12 mail01 postfix/anvil[332]: statistics: max connection count 2 for "
        "(127.0.0.11:465:127.0.0.11) at Dec  8 00:07:12",
    ]
    assert anvil_peaks(lines) == {"127.0.0.11:48731": 6, "127.0.0.11:465": 2}


def test_the_connection_gate_holds_at_the_server() -> None:
    """Eight connections of two users opened at once through the gate (2 per server, 1 per user); the
    server counts how many it holds at once, and per user (the first line each client sends)."""

    async def scenario() -> tuple[int, dict[str, int], int]:
        open_now: dict[str, int] = {"": 0, "ann": 0, "ben": 0}
        most: dict[str, int] = {"": 0, "ann": 0, "ben": 0}

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            user = (await reader.readline()).decode().strip()
            for key in ("", user):
                open_now[key] += 1
                most[key] = max(most[key], open_now[key])
            await reader.read()  # until the client closes
            for key in ("", user):
                open_now[key] -= 1
            writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        limits = ServerLimits(per_user=1, per_server=2)

        async def client(user: str) -> None:
            _, _, writer = await limits.connector(user)("127.0.0.1", port, 5)
            assert writer is not None
            writer.write(f"{user}\n".encode())
            await writer.drain()
            await asyncio.sleep(0.05)
            writer.close()
            await writer.wait_closed()

        await asyncio.gather(*(client(user) for user in ("ann", "ben") * 4))
        await asyncio.sleep(0.05)
        server.close()
        await server.wait_closed()
        return (
            most[""],
            {user: most[user] for user in ("ann", "ben")},
            limits.connection_peak["127.0.0.1", ""],
        )

    server_peak, user_peaks, gate_peak = asyncio.run(scenario())
    assert server_peak == 2 and gate_peak == 2
    assert user_peaks == {"ann": 1, "ben": 1}
