"""Runs one settings discovery in-process and prints its timing and probe count as JSON (used by
settings_bench.py inside a lab world). Arguments: ADDRESS DNS CA_FILE."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from maildoctor.discover.engine import DiscoveryRequest, discover
from maildoctor.net.resolver import Nameserver


def main() -> None:
    address, dns, ca_file = sys.argv[1:4]
    request = DiscoveryRequest(address, (Nameserver.parse(dns),), Path(ca_file), timeout=20.0)
    started = time.monotonic()
    settings, facts = asyncio.run(discover(request))
    elapsed_ms = int((time.monotonic() - started) * 1000)
    found = [
        f"{c.protocol.value} {c.host}:{c.port} {c.security.value}"
        for c in (*settings.incoming, *settings.outgoing)
    ]
    print(json.dumps({"elapsed_ms": elapsed_ms, "probes": facts.probes, "found": found}))


if __name__ == "__main__":
    main()
