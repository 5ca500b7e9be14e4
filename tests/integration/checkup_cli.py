"""`maildoctor checkup` as a separate process on the lab: its command line (the lab's resolver and
CA, no RDAP) and its environment (a cache of its own, no keyring), for the check-up tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from maildoctor_lab.certs import LabPKI
from maildoctor_lab.dns import DnsServer


def checkup_argv(url: str, dns: DnsServer, pki: LabPKI, timeout: float, *args: str) -> list[str]:
    lab = ["--dns", dns.nameserver, "--ca-file", str(pki.ca.cert), "--timeout", str(timeout), "--no-rdap"]
    return [sys.executable, "-m", "maildoctor", "checkup", "--db", url, *lab, *args]


def checkup_env(cache: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "XDG_CACHE_HOME": str(cache),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        "COLUMNS": "300",
        **extra,
    }
