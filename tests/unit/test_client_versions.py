"""`--client NAME@VERSION` parsing and the 'older than the menu data' test (clients/versions.py)."""

from __future__ import annotations

import pytest

from maildoctor.clients import ClientId, load_client
from maildoctor.clients.versions import older_than_covered, oldest_covered, split_version, version_number


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("iphone@18", ("iphone", "18")),
        ("iphone", ("iphone", None)),
        ("tb@", ("tb", None)),
        ("tb@ 128 ", ("tb", "128")),
    ],
)
def test_split_version(name: str, expected: tuple[str, str | None]) -> None:
    assert split_version(name) == expected


def test_version_numbers() -> None:
    assert version_number("iOS 17.5") == 17
    assert version_number("ESR") is None
    assert oldest_covered(["iOS 18", "iOS 26", "iPadOS 18"]) == 18
    assert oldest_covered(["current"]) is None


@pytest.mark.parametrize(
    ("client", "version", "older"),
    [
        (ClientId.IPHONE, "17", True),
        (ClientId.IPHONE, "18", False),
        (ClientId.IPHONE, "26.1", False),
        (ClientId.THUNDERBIRD, "115", True),
        (ClientId.THUNDERBIRD, "128", False),
        (ClientId.IPHONE, "latest", False),  # no number: nothing to compare, no claim
    ],
)
def test_older_than_the_data(client: ClientId, version: str, older: bool) -> None:
    assert older_than_covered(version, load_client(client).versions) is older
