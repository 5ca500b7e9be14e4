"""Issue 13: the demo's servers and the PDF renderer are optional extras, not runtime dependencies.

`pip install maildoctor` pulls neither (pyproject.toml says so, and maildoctor.extras names the
same packages); without the [demo] extra `maildoctor demo` names the install command and exits 3.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from maildoctor.extras import DEMO, EXTRAS, PDF, WEB, is_missing_package

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# the distribution each extra's modules come from (a module name is not always its package's name)
EXTRA_PACKAGES = {
    "demo": {"pymap", "aiosmtpd"},
    "pdf": {"weasyprint"},
    "postgresql": {"psycopg"},
    "web": {"starlette", "jinja2", "uvicorn", "segno", "python-multipart", "argon2-cffi"},  # issue 15
    "queue": {"procrastinate", "psycopg"},
}
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "FORCE_COLOR", "NO_COLOR")


def requirement_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match is not None, requirement
    return match.group(0).lower()


def test_the_runtime_dependencies_hold_no_demo_or_pdf_package() -> None:
    runtime = {requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
    assert runtime.isdisjoint(set().union(*EXTRA_PACKAGES.values())), runtime
    assert "maildoctor-lab" not in runtime


def test_each_extra_is_declared_with_its_packages() -> None:
    declared = PYPROJECT["project"]["optional-dependencies"]
    assert {extra.name for extra in EXTRAS} == set(declared) == set(EXTRA_PACKAGES)
    for name, packages in EXTRA_PACKAGES.items():
        assert {requirement_name(r) for r in declared[name]} == packages


def test_the_dev_group_installs_both_extras_and_the_lab() -> None:
    dev = PYPROJECT["dependency-groups"]["dev"]
    assert "maildoctor[demo,pdf,web]" in dev and "maildoctor-lab" in dev


def test_the_wheel_holds_only_the_runtime_package() -> None:
    assert PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == ["src/maildoctor"]
    assert not (ROOT / "src" / "maildoctor" / "lab").exists()


def test_install_commands() -> None:
    assert DEMO.install_command == "pip install 'maildoctor[demo]'"
    assert PDF.install_command == "pip install 'maildoctor[pdf]'"
    assert WEB.install_command == "pip install 'maildoctor[web]'"


@pytest.mark.parametrize(
    ("name", "missing"),
    [
        ("pymap", True),
        ("pymap.backend.dict", True),
        ("aiosmtpd.smtp", True),
        ("maildoctor.demo.world", False),  # our own module: a bug, never "install the extra"
        ("maildoctor", False),
        (None, False),
    ],
)
def test_a_missing_package_is_told_from_a_bug_of_ours(name: str | None, missing: bool) -> None:
    assert is_missing_package(ImportError("no", name=name)) is missing


def run_demo_without(modules: tuple[str, ...], language: str) -> subprocess.CompletedProcess[str]:
    """`maildoctor demo` in a fresh interpreter where importing `modules` fails as if not installed."""
    blocker = (
        "import sys\n"
        f"for name in {modules!r}:\n"
        "    sys.modules[name] = None\n"
        "from maildoctor.cli.app import main\n"
        "main()\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}
    env["COLUMNS"] = "200"
    return subprocess.run(
        [sys.executable, "-c", blocker, "demo", "--lang", language],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


@pytest.mark.parametrize(
    ("missing", "language", "says"),
    [
        (("pymap",), "ja", "デモで使う例のメールサーバーは maildoctor の追加部品"),
        (("aiosmtpd",), "en", "The demo's example mail servers are an optional part of maildoctor"),
    ],
)
def test_the_demo_without_its_extra_names_the_install_command(
    missing: tuple[str, ...], language: str, says: str
) -> None:
    completed = run_demo_without(missing, language)
    assert completed.returncode == 3, completed.stderr
    assert says in completed.stderr
    assert "\n  pip install 'maildoctor[demo]'\n" in completed.stderr  # on a line of its own
    assert "Traceback" not in completed.stderr
    assert completed.stdout == ""
