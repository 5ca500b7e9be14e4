"""The CLI's argument handling on any input, in-process (Typer's CliRunner) for speed.

For any address, server URL, explanation text or standard input: no exception escapes (a
usage error is exit 2, never a traceback), the exit status is one of interface.md's
(0, 1, 2, 3), and no traceback is printed. `check` asks only the lying resolver on 127.0.0.1.
"""

from __future__ import annotations

from typing import Final

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from maildoctor.cli.app import build_app
from maildoctor.cli.typer_texts import translated_typer_texts
from maildoctor.i18n import Language, get_translator

STATUSES: Final = {0, 1, 2, 3}
SOME: Final = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

ADDRESSES: Final = st.one_of(
    st.text(max_size=80),
    st.tuples(
        st.text(max_size=12),
        st.sampled_from(["@", "＠", "@@", ""]),
        st.text(max_size=20),
        st.sampled_from([".jp", ".co.jp", "．ｊｐ", ".", "", "\u200b", "\x1b[0m"]),
    ).map("".join),
)
URLS: Final = st.tuples(
    st.sampled_from(["imaps://", "smtp+starttls://", "pop3://", "smtps://", "https://", "", "ｉｍａｐｓ://"]),
    st.text(max_size=30),
    st.sampled_from(["", ":993", ":0", ":99999", ":９９３", "/", "/x"]),
).map("".join)


def invoke(args: list[str], *, lang: Language = Language.JA, stdin: bytes | None = None) -> tuple[int, str]:
    translator = get_translator(lang)
    app = build_app(translator)
    with translated_typer_texts(translator):
        result = CliRunner().invoke(app, args, input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args!r} raised {result.exception!r}") from result.exception
    output = result.stdout + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback (most recent call last)" not in output, output
    assert result.exit_code in STATUSES, f"{args!r} exited {result.exit_code}"
    return result.exit_code, output


@pytest.fixture(scope="module")
def dns(lying_dns: str) -> str:
    return lying_dns


@SOME
@given(address=ADDRESSES, incoming=st.one_of(st.none(), URLS), lang=st.sampled_from(list(Language)))
def test_check_any_address_and_url(dns: str, address: str, incoming: str | None, lang: Language) -> None:
    args = ["check", address, "--no-auth", "--dns", dns, "--timeout", "5", "--json"]
    if incoming is not None:
        args += ["--incoming", incoming]
    invoke(args, lang=lang)


@SOME
@given(address=ADDRESSES)
def test_settings_any_address(dns: str, address: str) -> None:
    invoke(["settings", address, "--dns", dns, "--timeout", "5"])


@SOME
@given(name=st.one_of(st.text(max_size=60), URLS))
def test_domain_any_name(dns: str, name: str) -> None:
    invoke(["domain", name, "--dns", dns, "--timeout", "5"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=600), as_json=st.booleans(), lang=st.sampled_from(list(Language)))
@example(
    text="サーバーへの接続が中断されました。" * 6, as_json=False, lang=Language.JA
)  # > 255 bytes, no "/"
@example(text="x" * 300, as_json=True, lang=Language.EN)
@example(text="\x00", as_json=False, lang=Language.JA)
def test_explain_any_text(text: str, as_json: bool, lang: Language) -> None:
    invoke(["explain", text, *(["--json"] if as_json else [])], lang=lang)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=3000))
def test_explain_any_standard_input(data: bytes) -> None:
    invoke(["explain", "-"], stdin=data)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    args=st.lists(
        st.one_of(
            st.text(max_size=20),
            st.sampled_from(
                [
                    "check",
                    "settings",
                    "domain",
                    "explain",
                    "--timeout",
                    "0",
                    "-1",
                    "--json",
                    "--lang",
                    "--client",
                    "--incoming",
                    "--format",
                    "--help",
                    "chek",
                    "--dns",
                ]
            ),
        ),
        max_size=6,
    )
)
def test_any_command_line(args: list[str]) -> None:
    """Any words at all (commands, options, values in any order) end in a status, never a traceback.

    Runs that would reach the network or wait are left out: the other tests cover those with a
    resolver of ours.
    """
    assume(
        "--help" in args or not any(word in args for word in ("check", "settings", "domain", "demo", "web"))
    )
    invoke(args)
