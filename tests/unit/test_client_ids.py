"""The mail programs are their data files: adding one is adding its file."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from maildoctor.cli.client_option import known_clients
from maildoctor.clients.catalog import ClientDataError, listed_clients, parse_client
from maildoctor.clients.model import ClientId, client_ids
from maildoctor.i18n import get_translator


def test_the_enum_is_the_data_files() -> None:
    folder = resources.files("maildoctor").joinpath("data").joinpath("clients")
    names = (item.name for item in folder.iterdir())
    files = sorted(name.removesuffix(".toml") for name in names if name.endswith(".toml"))
    assert [client.value for client in ClientId] == files
    assert ClientId("mac-mail") is ClientId.MAC_MAIL


def test_a_new_file_is_a_new_program(tmp_path: Path) -> None:
    for name in ("thunderbird", "becky", "airmail-2"):
        (tmp_path / f"{name}.toml").write_text("[client]\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("not a program", encoding="utf-8")
    assert client_ids(tmp_path) == ("airmail-2", "becky", "thunderbird")


@pytest.mark.parametrize("bad", ["Becky", "becky_2", "ベッキー"])
def test_a_file_name_that_is_no_id_is_refused(tmp_path: Path, bad: str) -> None:
    (tmp_path / f"{bad}.toml").write_text("[client]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=bad):
        client_ids(tmp_path)


def test_lists_follow_the_files_order_not_the_alphabet() -> None:
    listed = [profile.id for profile in listed_clients()]
    assert listed[:3] == [ClientId.IPHONE, ClientId.MAC_MAIL, ClientId.OUTLOOK_CLASSIC]
    assert sorted(listed) == sorted(ClientId)
    shown = known_clients(get_translator("en"))
    assert shown.startswith("iphone (iPhone / iPad Mail), mac-mail")
    assert shown.index("thunderbird") < shown.index("android-mail")


@pytest.mark.parametrize("order", ["0", "1001", "'first'", "true", "2.5"])
def test_an_order_out_of_range_is_refused(order: str) -> None:
    source = resources.files("maildoctor").joinpath("data/clients/iphone.toml").read_text(encoding="utf-8")
    broken = source.replace("order = 10\n", f"order = {order}\n", 1)
    assert broken != source
    with pytest.raises(ClientDataError, match="order"):
        parse_client(broken, "iphone.toml")
