"""The official SPF test suites against maildoctor's evaluator: every test must pass.

../shared/data/spf/rfc7208-tests.yml (203 tests) and rfc4408-tests.yml (191 tests), the
openspf suites as pyspf ships them. Each test runs check_host() for the MAIL FROM identity
(postmaster@HELO when MAIL FROM is empty) on its scenario's zonedata, served by
`maildoctor.domain.spf_suite.ZoneDataSource` with the suite driver's conventions (TIMEOUT
entries, SPF type 99 records copied to TXT when a name has no TXT, ``TXT: NONE``, strings as
lists). The result must be one of the test's results, and the explanation must equal the
test's where it gives one (the driver's default explanation is "DEFAULT"). Each test runs with
the look-ahead and without it: the RFC result may not depend on it.

bench/spf_libraries.py runs the same suites against pyspf and checkdmarc.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml

from maildoctor.domain.spf import check_mail_from
from maildoctor.domain.spf_suite import SuiteScenario, SuiteTest, ZoneDataSource, load_suite

SUITES = Path(__file__).resolve().parents[3] / "shared" / "data" / "spf"
EXPECTED_COUNTS = {"rfc7208-tests.yml": 203, "rfc4408-tests.yml": 191}


def _load(name: str) -> list[SuiteScenario]:
    with (SUITES / name).open("rb") as handle:
        return load_suite(yaml.safe_load_all(handle))


def _cases() -> list[object]:
    if not SUITES.is_dir():
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=f"no SPF suites at {SUITES}"))]
    cases: list[object] = []
    for name in EXPECTED_COUNTS:
        for scenario in _load(name):
            for test in scenario.tests:
                cases.append(
                    pytest.param(
                        scenario,
                        test,
                        id=f"{name.removesuffix('-tests.yml')}/{scenario.description}/{test.name}",
                    )
                )
    return cases


async def _run(scenario: SuiteScenario, test: SuiteTest, *, prefetch: bool) -> tuple[str, str | None]:
    check = await check_mail_from(
        ZoneDataSource(scenario.zonedata),
        test.host,
        mail_from=test.mailfrom,
        helo=test.helo,
        default_explanation="DEFAULT",
        prefetch=prefetch,
    )
    return check.result.value, check.explanation


@pytest.mark.parametrize(("scenario", "test"), _cases())
def test_suite(scenario: SuiteScenario, test: SuiteTest) -> None:
    result, explanation = asyncio.run(_run(scenario, test, prefetch=True))
    assert result in test.results, f"{test.spec}: {test.description}"
    if test.explanation is not None:
        assert explanation == test.explanation
    assert asyncio.run(_run(scenario, test, prefetch=False)) == (result, explanation)


@pytest.mark.skipif(not SUITES.is_dir(), reason=f"no SPF suites at {SUITES}")
def test_suite_counts_and_preferred_results(capsys: pytest.CaptureFixture[str]) -> None:
    """All tests of both suites are here; where a test accepts several results, report which
    ones maildoctor answers with one other than the preferred (the first)."""
    for name, expected in EXPECTED_COUNTS.items():
        scenarios = _load(name)
        tests = [(scenario, test) for scenario in scenarios for test in scenario.tests]
        assert len(tests) == expected
        passed = 0
        not_preferred: list[str] = []
        for scenario, test in tests:
            result, explanation = asyncio.run(_run(scenario, test, prefetch=True))
            if result in test.results and (test.explanation is None or explanation == test.explanation):
                passed += 1
                if result != test.results[0]:
                    not_preferred.append(f"{test.name} ({result}, preferred {test.results[0]})")
        with capsys.disabled():
            print(f"\n{name}: {passed}/{len(tests)} passed")
            print(f"  accepted, not the preferred result: {', '.join(not_preferred) or 'none'}")
        assert passed == expected
