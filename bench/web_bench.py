"""Benchmark of `maildoctor web` on the lab's real servers (loopback, no namespace): time to the
first byte of the start page, time to the first streamed layer of a live check and to its
answer, for the healthy lab account — beside the CLI's time for the same check. Needs the lab's
Debian servers (Dovecot, Postfix, Unbound) and root.

    python3 -m uv run python bench/web_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from maildoctor_lab.certs import LabPKI
from maildoctor_lab.common import make_lab_dir
from maildoctor_lab.dns import running_dns, zone_from_records
from maildoctor_lab.dovecot import start_dovecot
from maildoctor_lab.postfix import start_postfix
from maildoctor_lab.web import running_web

ZONES = [
    zone_from_records(
        "example.test", ["@ MX 10 mail", "mail A 127.0.0.1", '@ TXT "v=spf1 ip4:127.0.0.1 -all"']
    )
]


def first_byte(client: httpx.Client, url: str) -> float:
    started = time.perf_counter()
    with client.stream("GET", url) as answer:
        next(answer.iter_raw(1))
        return (time.perf_counter() - started) * 1000


def live_check(client: httpx.Client, url: str, account: dict[str, str]) -> tuple[float, float]:
    """(ms to the first streamed layer, ms to the answer), from pressing the button."""
    page = client.get(url + "/")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    started = time.perf_counter()
    running = client.post(url + "/check", data={**account, "csrf_token": found.group(1), "live": "1"})
    stream = re.search(r'data-stream="([^"]+)"', running.text)
    assert stream is not None, running.text[:500]
    first = total = 0.0
    with client.stream("GET", url + stream.group(1), timeout=60) as events:
        for line in events.iter_lines():
            if line.startswith("event: step") and not first:
                first = (time.perf_counter() - started) * 1000
            if line.startswith("event: answer"):
                total = (time.perf_counter() - started) * 1000
                break
    return first, total


def cli_check(account: dict[str, str], nameserver: str, ca_file: Path, cache: Path) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "maildoctor",
            "check",
            account["address"],
            "--incoming",
            account["incoming"],
            "--outgoing",
            account["outgoing"],
            "--user",
            account["username"],
            "--password-stdin",
            "--dns",
            nameserver,
            "--ca-file",
            str(ca_file),
            "--json",
        ],
        input=account["password"] + "\n",
        capture_output=True,
        text=True,
        env={**os.environ, "XDG_CACHE_HOME": str(cache)},
        check=False,
    )
    wall = (time.perf_counter() - started) * 1000
    return wall, int(json.loads(done.stdout)["elapsed_ms"])


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} ms ({min(values):.0f}-{max(values):.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    lab = make_lab_dir("maildoctor-web-bench-")
    cache = Path(tempfile.mkdtemp(prefix="maildoctor-web-bench-cache-"))
    try:
        certs = LabPKI(lab / "tls").standard_set()
        ca_file = LabPKI(lab / "tls").ca.cert
        dovecot = start_dovecot(lab / "dovecot", certs.good)
        postfix = start_postfix(lab / "postfix", dovecot, certs.good)
        account = {
            "address": "alice@example.test",
            "username": "alice",
            "password": "secret",
            "consent": "yes",
            "incoming": f"imap+starttls://mail.example.test:{dovecot.ports['imap']}",
            "outgoing": f"smtp+starttls://mail.example.test:{postfix.ports['submission']}",
        }
        try:
            with running_dns(lab / "dns", ZONES) as dns:
                options = ("--dns", dns.nameserver, "--ca-file", str(ca_file), "--lang", "ja")
                with running_web(*options, env={"XDG_CACHE_HOME": str(cache)}) as web:
                    url = web.url
                    client = httpx.Client(headers={"accept-language": "ja"})
                    first_bytes = [first_byte(client, url + "/") for _ in range(args.runs)]
                    # the pages allow 6 checks a minute per client (and 10 per server): at most 5 here
                    live = [live_check(client, url, account) for _ in range(min(args.runs, 5))]
                cli = [cli_check(account, dns.nameserver, ca_file, cache) for _ in range(args.runs)]
        finally:
            postfix.stop()
            dovecot.stop()
        print(f"maildoctor web benchmark, healthy lab account, {args.runs} runs (median; min-max)")
        print(f"  start page, time to first byte:       {summary(first_bytes)}")
        print(f"  live check, first streamed layer:     {summary([first for first, _ in live])}")
        print(f"  live check, answer complete:          {summary([total for _, total in live])}")
        print(f"  CLI `maildoctor check --json`, wall:  {summary([wall for wall, _ in cli])}")
        print(f"  CLI report's elapsed_ms:              {summary([float(ms) for _, ms in cli])}")
    finally:
        shutil.rmtree(lab, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
