"""Every journey of journey_table.py through the real CLI, checked against every property.

A failure lists each property that does not hold, then the command and what it printed.
"""

from __future__ import annotations

import pytest
from journey_properties import PROPERTIES, Outcome
from journey_table import JOURNEYS, journey_ids

# the first test's set-up runs every selected journey (journeys in parallel): minutes, not seconds
pytestmark = pytest.mark.timeout(900)

BY_ID = {journey.id: journey for journey in JOURNEYS}


def test_enough_journeys() -> None:
    """The issue asks for at least 150 first-run inputs."""
    assert len(journey_ids()) >= 150


@pytest.mark.parametrize("journey_id", journey_ids())
def test_journey(journey_id: str, outcomes: dict[str, Outcome]) -> None:
    journey, outcome = BY_ID[journey_id], outcomes[journey_id]
    problems = [f"{check.__name__}: {problem}" for check in PROPERTIES for problem in check(journey, outcome)]
    if problems:
        summary = "; ".join(sorted({problem.split(":")[0] for problem in problems}))
        pytest.fail(
            "\n".join(
                [
                    f"{summary} | {problems[0][:200]}",
                    outcome.text.describe(),
                    *problems,
                    "--- printed ---",
                    outcome.text.text[:4000],
                ]
            ),
            pytrace=False,
        )
