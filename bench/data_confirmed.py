"""Confirmed and recalled entries per curated data file (issue 17).

    python3 -m uv run --frozen python bench/data_confirmed.py [--json]

An entry is what carries its own provenance: a provider file's entry (its servers and notes), its
`[dkim_selectors]` and `[dns_provider]` tables; a mail-program file's `[security]` table, each
`[field.*]`, and each older version's `[[variant]]` with its own `[variant.field.*]`. "confirmed" =
read on a stored copy of the cited page (`stored-page`), with the words it confirmed; "recalled" =
from memory (possibly agreeing with third-party copies). Reads the files through the strict
loaders, so a file the loaders refuse is an error here too. No network.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass

from maildoctor.clients.catalog import load_clients
from maildoctor.clients.model import Confirmed
from maildoctor.discover.curated import load_curated


@dataclass(frozen=True, slots=True)
class Row:
    file: str
    entries: int
    confirmed: int
    recalled: int
    seen_today: int  # entries read or re-read on 2026-12-07 (this review)


_TODAY = "2026-12-07"


def _provider_rows() -> list[Row]:
    rows = []
    for entry in load_curated():
        flags = [entry.confirmed == "stored-page"]
        if entry.dkim_selectors is not None:
            flags.append(entry.dkim_selectors.confirmed == "stored-page")
        if entry.dns_provider is not None:
            flags.append(not entry.dns_provider.recalled)
        today = 1 if entry.checked == _TODAY else 0  # the file's own entry; its tables carry no date
        rows.append(Row(f"providers/{entry.id}.toml", len(flags), sum(flags), flags.count(False), today))
    return rows


def _client_rows() -> list[Row]:
    rows = []
    for client, profile in load_clients().items():
        provenances = [profile.security_provenance] + [field.provenance for field in profile.fields.values()]
        for variant in profile.variants:
            provenances += [variant.provenance, *(field.provenance for field in variant.fields.values())]
        confirmed = sum(p.confirmed is Confirmed.STORED_PAGE for p in provenances)
        today = sum(p.seen is not None and p.seen.isoformat() == _TODAY for p in provenances)
        recalled = len(provenances) - confirmed
        rows.append(Row(f"clients/{client}.toml", len(provenances), confirmed, recalled, today))
    return rows


def count_rows() -> list[Row]:
    """One row per file, providers first, each group in file-name order."""
    return sorted(_provider_rows(), key=lambda r: r.file) + sorted(_client_rows(), key=lambda r: r.file)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    rows = count_rows()
    if parser.parse_args().json:
        print(json.dumps([asdict(row) for row in rows], indent=1))
        return
    print(f"{'file':40} {'entries':>7} {'confirmed':>9} {'recalled':>8} {'seen 12-07':>10}")
    for row in rows:
        print(f"{row.file:40} {row.entries:7} {row.confirmed:9} {row.recalled:8} {row.seen_today:10}")
    for group in ("providers/", "clients/"):
        part = [row for row in rows if row.file.startswith(group)]
        entries = sum(row.entries for row in part)
        confirmed = sum(row.confirmed for row in part)
        files = sum(row.confirmed > 0 for row in part)
        print(
            f"{group:40} {entries:7} {confirmed:9} {entries - confirmed:8} "
            f"{sum(r.seen_today for r in part):10}   files with a confirmed entry: {files}/{len(part)}"
        )


if __name__ == "__main__":
    main()
