"""Runs one diagnosis in-process and prints its timing and round trips as JSON (used by check_bench.py
inside a lab world). Arguments: the `maildoctor check` arguments of the world, then the password on stdin."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path

from maildoctor.check_request import CheckRequest
from maildoctor.diagnose import run_check
from maildoctor.model import Secret, parse_server_url
from maildoctor.net.resolver import Nameserver

# The fewest sequential round trips that can gather the same facts, per (protocol, security):
# connect, TLS, then each command whose answer the next step needs. The greeting comes with the
# connect (or the TLS handshake); closing is not waited for.
MINIMUM = {
    ("imap", "ssl"): 1 + 1 + 1 + 1,  # TCP, TLS, AUTHENTICATE (SASL-IR), GETQUOTAROOT+EXAMINE pipelined
    ("imap", "starttls"): 1 + 1 + 1 + 1 + 1,  # + STARTTLS (capabilities come with the greeting)
    ("smtp", "starttls"): 1 + 1 + 1 + 1 + 1 + 1,  # TCP, EHLO, STARTTLS, TLS, EHLO, AUTH+MAIL+RCPT pipelined
    ("smtp", "ssl"): 1 + 1 + 1 + 1,  # TCP, TLS, EHLO, AUTH+MAIL+RCPT pipelined
}


def main() -> None:
    args = sys.argv[1:]
    options: dict[str, str] = {}
    address = args[0]
    index = 1
    while index < len(args):
        if args[index] in ("--incoming", "--outgoing", "--user", "--dns", "--ca-file"):
            options[args[index]] = args[index + 1]
            index += 2
        else:
            index += 1
    request = CheckRequest(
        address=address,
        incoming=parse_server_url(options["--incoming"]) if "--incoming" in options else None,
        outgoing=parse_server_url(options["--outgoing"]) if "--outgoing" in options else None,
        username=options.get("--user"),
        password=Secret(sys.stdin.readline().rstrip("\n")),
        nameservers=(Nameserver.parse(options["--dns"]),),
        ca_file=Path(options["--ca-file"]),
        cache_dir=Path(tempfile.mkdtemp()),
    )
    report, facts = asyncio.run(run_check(request))
    servers = []
    for server in facts.servers:
        session = server.session
        transcript = session.transcript if session else ()
        sent = sum(1 for line in transcript if line.direction == "C")
        tls = sum(1 for line in transcript if line.direction == "*" and line.text == "TLS handshake")
        connected = 1 if session and session.connect and session.connect.outcome == "open" else 0
        waited = 1 + connected + tls + sent  # DNS, TCP, TLS, each command answered
        endpoint = server.endpoint
        minimum = 1 + MINIMUM.get((str(endpoint.protocol), str(endpoint.security)), 0)
        servers.append(
            {
                "role": str(server.role),
                "ms": session.ms if session else None,
                "round_trips": waited if connected else 1 + 1,
                "minimum": minimum if connected else 1 + 1,
            }
        )
    print(
        json.dumps(
            {
                "elapsed_ms": report.elapsed_ms,
                "causes": [f.cause for f in report.findings],
                "servers": servers,
            }
        )
    )


if __name__ == "__main__":
    main()
