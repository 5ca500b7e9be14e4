"""The check day's limits at small scale, counted by the servers themselves: bench/checkup_bench.py
with 2 real Dovecot+Postfix pairs and tight limits (1 per server and user, 3 per server), in a
network namespace of its own. Dovecot's log gives every IMAP/POP3 connection's interval (and the
user once logged in), Postfix's anvil its peak per service, and Dovecot itself refuses a second
session of one user (mail_max_userip_connections = 1)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from maildoctor_lab.netns import netns_unavailable_reason

pytestmark = [pytest.mark.lab, pytest.mark.netns]

BENCH = Path(__file__).resolve().parents[2] / "bench" / "checkup_bench.py"


def test_the_servers_never_see_more_connections_than_the_limits() -> None:
    reason = netns_unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "--servers",
            "2",
            "--accounts",
            "24",
            "--per-user",
            "1",
            "--per-server",
            "3",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout[done.stdout.index("{") :])
    assert result["checked"] == 24 and result["could_not_test"] == 0
    assert result["dovecot_connections_in_logs"] >= 24  # one IMAP login per account at least
    assert 1 <= result["dovecot_peak_per_server"] <= 3
    assert result["dovecot_peak_per_user"] == 1
    assert 1 <= max(result["postfix_peak_per_service"].values()) <= 3
    assert result["dovecot_refusals"] == 0
    assert result["client_connections_peak_per_server"] == 3  # the gate was full: the limit bound
