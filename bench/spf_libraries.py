"""The official SPF test suites against the Python SPF libraries and maildoctor's own evaluator.

Runs every test of ../shared/data/spf/rfc7208-tests.yml and rfc4408-tests.yml (openspf, as
shipped in pyspf's test/ folder) offline, each scenario's zonedata served by a stub:

* pyspf: its module-level ``spf.DNSLookup`` is replaced by a function with the semantics of
  pyspf's own driver (test/testspf.py: TIMEOUT entries, SPF records copied to TXT, one level of
  CNAME as additional data), and ``spf.query(...).check()`` runs with the test's ``strict``
  (default True) and the default explanation "DEFAULT", as that driver does;
* checkdmarc: ``checkdmarc.utils._resolve_with_failover`` (the one place its lookups go through)
  answers from the zonedata with dnspython rdata. checkdmarc checks a *domain's* records; it
  has no check_host() for an IP, so it cannot produce pass/fail/softfail/neutral at all. Its
  ``get_spf_record(domain)`` is run for the test's domain and read as: SPFRecordNotFound for
  that domain -> none (for an include/redirect target -> permerror; temperror when the cause
  was a timeout), any other SPFError -> permerror, a parsed
  record -> "valid" (no result). A test counts as passed when that reading is one of the
  test's results; "valid" is also counted as *consistent* when the test expects
  pass/fail/softfail/neutral;
* maildoctor: ``maildoctor.domain.spf.check_mail_from`` on ``maildoctor.domain.spf_suite``'s
  zonedata source.

Run it with the libraries at hand, e.g.

    python3 -m uv run --with pyspf --with checkdmarc python bench/spf_libraries.py [-v]

or with any Python that has pyyaml, dnspython and the libraries (maildoctor's source is put on
the path). A library that is not installed is skipped with a message.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import socket
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SUITES = REPO.parent / "shared" / "data" / "spf"
SUITE_FILES = ("rfc7208-tests.yml", "rfc4408-tests.yml")

sys.path.insert(0, str(REPO / "src"))


@dataclass
class Tally:
    passed: int = 0
    total: int = 0
    consistent: int = 0  # checkdmarc: "valid" where the suite expects a non-error result
    decidable: int = 0  # tests whose results are all none/permerror/temperror (no IP needed)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


def load(path: Path) -> list[Any]:
    import yaml

    from maildoctor.domain.spf_suite import load_suite

    with path.open("rb") as handle:
        return load_suite(yaml.safe_load_all(handle))


def optional(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        print(f"  ({name} is not installed: {exc}; skipped)")
        return None


# ----------------------------------------------------------------------------- pyspf


def _pyspf_entries(raw: list[Any]) -> list[tuple[str, Any]]:
    """testspf.getrdata: entries in order, SPF copied to TXT when the name has no TXT, NONE dropped."""
    entries: list[tuple[str, Any]] = []
    copies: list[tuple[str, Any]] = []
    generate = True
    for item in raw or []:
        if isinstance(item, str):
            entries.append((item, None))
            continue
        for rdtype, value in item.items():
            if rdtype in ("TXT", "SPF") and isinstance(value, str):
                value = (value,)
            if rdtype == "TXT":
                generate = False
            elif rdtype == "SPF" and generate:
                copies.append(("TXT", value))
            if value != ("NONE",):
                entries.append((rdtype, value))
    return entries + copies if generate else entries


def pyspf_lookup(spf: ModuleType, zone: Mapping[str, list[tuple[str, Any]]]) -> Callable[..., list[Any]]:
    """The DNSLookup of pyspf's test/testspf.py, reimplemented over `zone`."""

    def lookup(name: str, qtype: str, strict: Any = True, timeout: Any = None, level: int = 0) -> list[Any]:
        labels = [label for label in name.split(".") if label]
        if any(len(label) > 63 for label in labels):
            raise spf.TempError("DNS label too long")
        name = ".".join(labels)
        entries = zone.get(name.lower())
        if entries is None:
            return []
        out: list[Any] = []
        nothing_yet = True
        for rdtype, value in entries:
            if rdtype == "TIMEOUT":
                if nothing_yet:
                    raise spf.TempError("DNS timeout")
                break
            if rdtype == qtype:
                nothing_yet = False
            data = value
            if rdtype == "AAAA":
                data = socket.inet_pton(socket.AF_INET6, value)
            elif rdtype in ("TXT", "SPF"):
                data = tuple(part.encode("utf-8") for part in value)
            out.append(((name, rdtype), data))
            if not level and rdtype == "CNAME":
                out.extend(lookup(value, qtype, strict, timeout, 1))
        return out

    return lookup


def run_pyspf(scenarios: list[Any], verbose: bool) -> Tally | None:
    spf = optional("spf")
    if spf is None:
        return None
    tally = Tally()
    original = spf.DNSLookup
    try:
        for scenario in scenarios:
            zone = {str(name).lower(): _pyspf_entries(raw) for name, raw in scenario.zonedata.items()}
            spf.DNSLookup = pyspf_lookup(spf, zone)
            for test in scenario.tests:
                tally.total += 1
                strict = scenario_strict(scenario, test)
                query = spf.query(i=test.host, s=test.mailfrom, h=test.helo, strict=strict)
                query.set_default_explanation("DEFAULT")
                try:
                    result, _, explanation = query.check()
                except Exception as exc:
                    tally.failures.append(f"{test.name}: raised {exc!r}")
                    continue
                result = {"unknown": "permerror", "error": "temperror"}.get(result, result)
                if result in test.results and (test.explanation is None or test.explanation == explanation):
                    tally.passed += 1
                else:
                    tally.failures.append(
                        f"{test.name}: got {result} {explanation!r}, "
                        f"want {list(test.results)} {test.explanation!r}"
                    )
    finally:
        spf.DNSLookup = original
    return tally


_STRICT: dict[tuple[str, str], Any] = {}


def scenario_strict(scenario: Any, test: Any) -> Any:
    return _STRICT.get((scenario.description, test.name), True)


def read_strict(path: Path) -> None:
    """The `strict:` field of a test (pyspf-only; the suite loader ignores it)."""
    import yaml

    with path.open("rb") as handle:
        for document in yaml.safe_load_all(handle):
            for name, data in (document or {}).get("tests", {}).items():
                if "strict" in data:
                    _STRICT[(str(document.get("description", "")), str(name))] = data["strict"]


# ----------------------------------------------------------------------------- checkdmarc


def _rdata(rdtype: str, value: Any) -> Any:
    import dns.name
    import dns.rdataclass
    import dns.rdatatype
    from dns.rdtypes.ANY.MX import MX
    from dns.rdtypes.ANY.PTR import PTR
    from dns.rdtypes.ANY.SPF import SPF
    from dns.rdtypes.ANY.TXT import TXT
    from dns.rdtypes.IN.A import A
    from dns.rdtypes.IN.AAAA import AAAA

    rdclass = dns.rdataclass.IN
    if rdtype in ("TXT", "SPF"):
        kind = TXT if rdtype == "TXT" else SPF
        return kind(rdclass, dns.rdatatype.from_text(rdtype), list(value) or [b""])
    if rdtype == "A":
        return A(rdclass, dns.rdatatype.A, value)
    if rdtype == "AAAA":
        return AAAA(rdclass, dns.rdatatype.AAAA, value)
    if rdtype == "MX":
        return MX(rdclass, dns.rdatatype.MX, value[0], dns.name.from_text(value[1] or "."))
    return PTR(rdclass, dns.rdatatype.PTR, dns.name.from_text(value))


@contextmanager
def checkdmarc_dns(checkdmarc_utils: ModuleType, source: Any) -> Iterator[None]:
    import dns.exception
    import dns.resolver

    from maildoctor.domain.spf import DnsFailure

    def resolve(domain: str, record_type: str, **_: Any) -> list[Any]:
        answer = source._lookup(domain, record_type.upper())
        if answer.failure is DnsFailure.NXDOMAIN:
            raise dns.resolver.NXDOMAIN
        if answer.failure is DnsFailure.NODATA:
            raise dns.resolver.NoAnswer
        if answer.failure is DnsFailure.TIMEOUT:
            raise dns.exception.Timeout(timeout=2.0)
        if answer.failure is not None:
            raise dns.resolver.NoNameservers
        rdtype = record_type.upper()
        if rdtype == "MX":
            return [_rdata("MX", record) for record in answer.records]
        return [_rdata(rdtype, record) for record in answer.records]

    original = checkdmarc_utils._resolve_with_failover
    checkdmarc_utils._resolve_with_failover = resolve
    try:
        yield
    finally:
        checkdmarc_utils._resolve_with_failover = original


def _checkdmarc_reading(checkdmarc_spf: ModuleType, domain: str) -> str:
    try:
        checkdmarc_spf.get_spf_record(domain)
    except checkdmarc_spf.SPFRecordNotFound as exc:
        if "timed out" in str(exc).lower():
            return "temperror"
        # raised for an include/redirect target too: that is permerror, only the domain's own is none
        return (
            "none"
            if str(getattr(exc, "domain", domain)).lower().rstrip(".") == domain.lower()
            else "permerror"
        )
    except checkdmarc_spf.SPFError as exc:
        return "temperror" if "timed out" in str(exc).lower() else "permerror"
    except Exception as exc:
        return f"crash: {exc!r}"
    return "valid"


def run_checkdmarc(scenarios: list[Any], verbose: bool) -> Tally | None:
    checkdmarc = optional("checkdmarc")
    if checkdmarc is None:
        return None
    import checkdmarc.spf as checkdmarc_spf
    import checkdmarc.utils as checkdmarc_utils

    from maildoctor.domain.spf import spf_identity
    from maildoctor.domain.spf_suite import ZoneDataSource

    tally = Tally()
    for scenario in scenarios:
        source = ZoneDataSource(scenario.zonedata)
        with checkdmarc_dns(checkdmarc_utils, source):
            for test in scenario.tests:
                tally.total += 1
                tally.decidable += set(test.results) <= {"none", "permerror", "temperror"}
                checkdmarc_utils.DNS_CACHE.clear()
                _, domain = spf_identity(test.mailfrom, test.helo)
                reading = _checkdmarc_reading(checkdmarc_spf, domain)
                if reading in test.results:
                    tally.passed += 1
                elif reading == "valid" and set(test.results) & {"pass", "fail", "softfail", "neutral"}:
                    tally.consistent += 1
                    tally.failures.append(f"{test.name}: no result (record valid), want {list(test.results)}")
                else:
                    tally.failures.append(f"{test.name}: read as {reading}, want {list(test.results)}")
    return tally


# ----------------------------------------------------------------------------- maildoctor


def run_maildoctor(scenarios: list[Any], verbose: bool) -> Tally:
    from maildoctor.domain.spf import check_mail_from
    from maildoctor.domain.spf_suite import ZoneDataSource

    async def run() -> Tally:
        tally = Tally()
        for scenario in scenarios:
            for test in scenario.tests:
                tally.total += 1
                check = await check_mail_from(
                    ZoneDataSource(scenario.zonedata),
                    test.host,
                    mail_from=test.mailfrom,
                    helo=test.helo,
                    default_explanation="DEFAULT",
                )
                ok = check.result.value in test.results
                if ok and (test.explanation is None or test.explanation == check.explanation):
                    tally.passed += 1
                else:
                    tally.failures.append(
                        f"{test.name}: got {check.result.value} {check.explanation!r}, "
                        f"want {list(test.results)} {test.explanation!r}"
                    )
        return tally

    return asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list every failed test")
    args = parser.parse_args()
    if optional("yaml") is None:
        raise SystemExit("pyyaml is needed to read the suites")
    if not SUITES.is_dir():
        raise SystemExit(f"the suites are not at {SUITES}")
    runners: list[tuple[str, Callable[[list[Any], bool], Tally | None]]] = [
        ("pyspf", run_pyspf),
        ("checkdmarc", run_checkdmarc),
        ("maildoctor", run_maildoctor),
    ]
    versions = {}
    for name, module in (("pyspf", "spf"), ("checkdmarc", "checkdmarc")):
        try:
            from importlib.metadata import version

            versions[name] = version(name)
        except Exception:
            versions[name] = "not installed"
        del module
    print(f"SPF test suites ({SUITES}); pyspf {versions['pyspf']}, checkdmarc {versions['checkdmarc']}")
    for suite in SUITE_FILES:
        path = SUITES / suite
        read_strict(path)
        scenarios = load(path)
        print(f"\n{suite}: {sum(len(s.tests) for s in scenarios)} tests in {len(scenarios)} scenarios")
        for name, runner in runners:
            started = time.monotonic()
            tally = runner(scenarios, args.verbose)
            if tally is None:
                continue
            seconds = time.monotonic() - started
            extra = ""
            if name == "checkdmarc":
                extra = (
                    f" ({tally.decidable} tests expect only none/permerror/temperror;"
                    f" in {tally.consistent} more it finds the record valid but has no result)"
                )
            print(f"  {name:11} {tally.passed:3}/{tally.total} passed{extra}  [{seconds:.2f} s]")
            if args.verbose:
                for failure in tally.failures:
                    print(f"      {failure}")


if __name__ == "__main__":
    main()
