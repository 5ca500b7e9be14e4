"""How long to wait for a silent port when another port of the same server already answered (pure).

A port that drops packets answers nothing: the only way to tell it is to stop waiting. Without other
knowledge that is the full connect timeout. But when another port of the same address accepted a
connection, the network path and the server are up and that port's connect time is the round trip
to the server: a port that is open answers in about that time too. So the wait becomes a few round
trips, never less than a floor that lets one lost SYN be sent again (Linux and macOS resend it after
one second), never more than the full timeout.
"""

from __future__ import annotations

from typing import Final

FLOOR_SECONDS: Final = 1.5
ROUND_TRIPS: Final = 10


def patience(answer_ms: int, full_timeout: float) -> float:
    """Seconds to wait for a connect, when another port of the same address answered in `answer_ms`."""
    return min(full_timeout, max(FLOOR_SECONDS, ROUND_TRIPS * max(answer_ms, 0) / 1000))


__all__ = ["FLOOR_SECONDS", "ROUND_TRIPS", "patience"]
