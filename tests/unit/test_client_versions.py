"""`--client NAME@VERSION` parsing and the 'older than the menu data' test (clients/versions.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from maildoctor.clients import ClientField, ClientId, ClientVersion, field_step, load_client
from maildoctor.clients.catalog import ClientDataError, parse_client
from maildoctor.clients.model import Client
from maildoctor.clients.versions import (
    choose_variant,
    older_than_covered,
    oldest_covered,
    split_version,
    version_number,
)


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
        (ClientId.IPHONE, "12", True),  # older than iOS 14, the oldest menus kept
        (ClientId.IPHONE, "17", False),
        (ClientId.IPHONE, "18", False),
        (ClientId.IPHONE, "26.1", False),
        (ClientId.THUNDERBIRD, "115", True),
        (ClientId.THUNDERBIRD, "128", False),
        (ClientId.IPHONE, "latest", False),  # no number: nothing to compare, no claim
    ],
)
def test_older_than_the_data(client: ClientId, version: str, older: bool) -> None:
    variant = choose_variant(version, load_client(client).variants)
    chosen: Client = client if variant is None else ClientVersion(client, variant.name)
    assert older_than_covered(version, load_client(chosen).versions) is older


@pytest.mark.parametrize(
    ("client", "version", "variant"),
    [
        (ClientId.IPHONE, "17", "ios17"),
        (ClientId.IPHONE, "17.5", "ios17"),
        (ClientId.IPHONE, "iOS 15", "ios17"),
        (ClientId.IPHONE, "18", None),
        (ClientId.IPHONE, "26", None),
        (ClientId.IPHONE, "latest", None),
        (ClientId.THUNDERBIRD, "128", "128"),
        (ClientId.THUNDERBIRD, "132", "128"),
        (ClientId.THUNDERBIRD, "133", None),
        (ClientId.THUNDERBIRD, "140", None),
        (ClientId.GMAIL_ANDROID, "1", None),  # no variants: always the current menus
    ],
)
def test_choose_variant(client: ClientId, version: str, variant: str | None) -> None:
    chosen = choose_variant(version, load_client(client).variants)
    assert (chosen.name if chosen else None) == variant


def test_a_variant_changes_the_paths_it_names_and_nothing_else() -> None:
    ios17 = ClientVersion(ClientId.IPHONE, "ios17")
    for field in ClientField:
        old = field_step(ios17, field, "en")
        new = field_step(ClientId.IPHONE, field, "en")
        assert old.startswith("Settings → Mail → Accounts → ") and "Apps" not in old, old
        assert new.startswith("Settings → Apps → Mail → Mail Accounts → "), new
        assert old.split(" → ")[3:] == new.split(" → ")[4:]  # the same screens below
    tb128 = ClientVersion(ClientId.THUNDERBIRD, "128")
    assert (
        field_step(tb128, ClientField.ADD_ACCOUNT, "ja")
        == "≡ (アプリケーションメニュー) → 新しいアカウント → 既存のメールアドレス"
    )
    assert field_step(ClientId.THUNDERBIRD, ClientField.ADD_ACCOUNT, "ja").endswith(
        "新しいアカウント → メール"
    )
    assert "既存のメールアドレス" in field_step(tb128, ClientField.PROTOCOL, "ja")
    for field in set(ClientField) - {ClientField.ADD_ACCOUNT, ClientField.PROTOCOL}:
        assert field_step(tb128, field, "ja") == field_step(ClientId.THUNDERBIRD, field, "ja")
    assert load_client(tb128).versions == ("128 ESR",)
    assert load_client(tb128).variant == "128" and load_client(ClientId.THUNDERBIRD).variant is None
    assert str(tb128) == "thunderbird"  # reports name the program, as for the current menus


def _with_variant(variant: str) -> str:
    base = (Path(__file__).parents[2] / "src/maildoctor/data/clients/gmail-ios.toml").read_text(
        encoding="utf-8"
    )
    return base + variant


@pytest.mark.parametrize(
    ("variant", "error"),
    [
        ('[[variant]]\nid = "old"\nversions = ["5"]\nbefore = 6\n', "changes steps"),
        ('[[variant]]\nid = "old"\nversions = ["5"]\nbefore = 6\nsteps_from = ["Gmail"]\n', "go together"),
        (
            '[[variant]]\nid = "old"\nversions = ["5"]\nbefore = "6"\nsteps_from = ["a"]\nsteps_to = ["b"]\n',
            "before",
        ),
        (
            '[[variant]]\nid = "old"\nversions = ["5"]\nbefore = 6\nsteps_from = ["a"]\nsteps_to = ["b"]\n',
            "source",
        ),
    ],
)
def test_a_broken_variant_is_refused(variant: str, error: str) -> None:
    with pytest.raises(ClientDataError, match=error):
        parse_client(_with_variant(variant), "gmail-ios.toml")


def test_variants_must_come_newest_first() -> None:
    one = (
        '[[variant]]\nid = "{id}"\nversions = ["{id}"]\nbefore = {before}\n'
        'steps_from = ["a"]\nsteps_to = ["b"]\nsource = "https://example.org/"\n'
        'confirmed = "recalled"\nconfirmed_note = "test"\nseen = 2026-12-07\n'
    )
    parse_client(
        _with_variant(one.format(id="five", before=6) + one.format(id="three", before=4)), "gmail-ios.toml"
    )
    with pytest.raises(ClientDataError, match="newest first"):
        parse_client(
            _with_variant(one.format(id="three", before=4) + one.format(id="five", before=6)),
            "gmail-ios.toml",
        )
