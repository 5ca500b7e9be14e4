"""The pure layers never reach the network, the event loop or the database (architecture.md, rule 7).

Read from the source with `ast`, so nothing is imported to check it. Imports are
followed through maildoctor's own modules: a pure module that imports a helper
which imports `socket` breaks the rule just as much.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from maildoctor.extras import DEMO, EXTRAS, PDF

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "src" / "maildoctor"

FORBIDDEN = ("socket", "ssl", "asyncio", "sqlite3", "maildoctor.net")
PURE_PACKAGES = ("protocol", "lint", "rules", "tlsfacts")  # may not exist yet; checked as soon as they do
PURE_MODULES = ("model.py", "causes.py", "facts.py", "knowledge.py")


def module_name(path: Path, package_dir: Path) -> str:
    parts = path.relative_to(package_dir.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, name: str, is_package: bool) -> Iterator[str]:
    """Every module an import statement in `source` names, relative imports resolved."""
    package = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            # `from maildoctor import net` imports the module maildoctor.net
            yield from (f"{base}.{alias.name}" for alias in node.names)


def source_path(module: str, package_dir: Path) -> Path | None:
    """The file of one of maildoctor's own modules, or None for anything else."""
    if module != "maildoctor" and not module.startswith("maildoctor."):
        return None
    relative = Path(*module.split(".")[1:])
    for candidate in (package_dir / relative / "__init__.py", (package_dir / relative).with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def is_forbidden(module: str) -> bool:
    return any(module == banned or module.startswith(f"{banned}.") for banned in FORBIDDEN)


def forbidden_imports(path: Path, package_dir: Path = PACKAGE_DIR) -> list[str]:
    """The forbidden modules `path` imports, directly or through maildoctor modules, with the chain."""
    found: list[str] = []
    seen: set[Path] = set()
    pending: list[tuple[Path, tuple[str, ...]]] = [(path, (module_name(path, package_dir),))]
    while pending:
        current, chain = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        name = module_name(current, package_dir)
        for module in imported_modules(
            current.read_text(encoding="utf-8"), name, current.name == "__init__.py"
        ):
            if is_forbidden(module):
                found.append(" -> ".join([*chain, module]))
            elif (next_path := source_path(module, package_dir)) is not None:
                pending.append((next_path, (*chain, module_name(next_path, package_dir))))
    return found


def pure_files() -> list[Path]:
    files = [PACKAGE_DIR / name for name in PURE_MODULES if (PACKAGE_DIR / name).is_file()]
    for package in PURE_PACKAGES:
        files += sorted((PACKAGE_DIR / package).rglob("*.py"))
    return files


def test_model_is_among_the_checked_modules() -> None:
    # guards against a path mistake that would make the test below check nothing
    assert PACKAGE_DIR / "model.py" in pure_files()
    assert PACKAGE_DIR / "causes.py" in pure_files()


@pytest.mark.parametrize("path", pure_files(), ids=lambda path: str(path.relative_to(PACKAGE_DIR)))
def test_pure_modules_do_not_import_io(path: Path) -> None:
    assert forbidden_imports(path) == []


# ------------------------------------------------------------------ the checker itself can fail


@pytest.mark.parametrize(
    ("source", "name", "expected"),
    [
        ("import socket", "maildoctor.rules.tls", ["socket"]),
        ("import ssl as _ssl", "maildoctor.rules.tls", ["ssl"]),
        ("from asyncio import wait_for", "maildoctor.rules.tls", ["asyncio"]),
        ("import asyncio.streams", "maildoctor.rules.tls", ["asyncio.streams"]),
        ("def f():\n    import sqlite3", "maildoctor.rules.tls", ["sqlite3"]),
        ("from maildoctor.net import resolver", "maildoctor.rules.tls", ["maildoctor.net"]),
        ("from maildoctor import net", "maildoctor.rules.tls", ["maildoctor.net"]),
        ("from ..net import resolver", "maildoctor.rules.tls", ["maildoctor.net"]),
        ("from ..net.tls import x", "maildoctor.rules.tls", ["maildoctor.net.tls"]),
        ("from . import net", "maildoctor.model", ["maildoctor.net"]),
        ("import socketserver, sslyze", "maildoctor.rules.tls", []),  # names that only start alike
        ("from maildoctor.network_words import x", "maildoctor.rules.tls", []),
    ],
)
def test_the_checker_finds_forbidden_imports(source: str, name: str, expected: list[str]) -> None:
    found = {module for module in imported_modules(source, name, is_package=False) if is_forbidden(module)}
    assert found >= set(expected)
    assert bool(found) == bool(expected)


def test_the_checker_follows_imports_through_the_package(tmp_path: Path) -> None:
    package_dir = tmp_path / "maildoctor"
    (package_dir / "rules").mkdir(parents=True)
    (package_dir / "__init__.py").write_text("")
    (package_dir / "rules" / "__init__.py").write_text("")
    (package_dir / "rules" / "tls.py").write_text("from ..helpers import when\n")
    (package_dir / "helpers.py").write_text("import json\nfrom maildoctor import clock\n")
    (package_dir / "clock.py").write_text("import asyncio\n")
    assert forbidden_imports(package_dir / "rules" / "tls.py", package_dir) == [
        "maildoctor.rules.tls -> maildoctor.helpers -> maildoctor.clock -> asyncio"
    ]


# ------------------------------------------------------------------ the runtime package and the lab

# Issue 13: the lab (packages/maildoctor-lab) is for tests; an optional extra's packages are
# imported only where that extra is asked for (maildoctor.extras names them).
EXTRA_HOMES = {DEMO.modules: "demo/", PDF.modules: "export/sheet.py"}


def import_violations(path: Path, package_dir: Path = PACKAGE_DIR) -> list[str]:
    """The lab, or an extra's package outside its home, imported by one file of the runtime package."""
    relative = path.relative_to(package_dir).as_posix()
    name = module_name(path, package_dir)
    found = []
    for module in imported_modules(path.read_text(encoding="utf-8"), name, path.name == "__init__.py"):
        top = module.partition(".")[0]
        if top == "maildoctor_lab":
            found.append(f"{relative}: {module} (the lab is for tests only)")
        for modules, home in EXTRA_HOMES.items():
            if top in modules and not relative.startswith(home):
                found.append(f"{relative}: {module} (only {home} may import it)")
    return found


def test_the_runtime_package_imports_no_lab_and_no_extra_outside_its_home() -> None:
    violations = [v for path in sorted(PACKAGE_DIR.rglob("*.py")) for v in import_violations(path)]
    assert violations == []


def test_every_extra_has_a_home() -> None:
    assert set(EXTRA_HOMES) == {extra.modules for extra in EXTRAS}


def test_the_lab_and_extra_checker_can_fail(tmp_path: Path) -> None:
    package_dir = tmp_path / "maildoctor"
    (package_dir / "cli").mkdir(parents=True)
    (package_dir / "demo").mkdir()
    (package_dir / "cli" / "run.py").write_text("from maildoctor_lab.dns import x\nimport weasyprint\n")
    (package_dir / "demo" / "imap.py").write_text("from pymap.imap import IMAPServer\n")
    assert import_violations(package_dir / "cli" / "run.py", package_dir) == [
        "cli/run.py: maildoctor_lab.dns (the lab is for tests only)",
        "cli/run.py: maildoctor_lab.dns.x (the lab is for tests only)",
        "cli/run.py: weasyprint (only export/sheet.py may import it)",
    ]
    assert import_violations(package_dir / "demo" / "imap.py", package_dir) == []
