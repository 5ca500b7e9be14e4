"""The pure layers never reach the network, the event loop or the database (architecture.md, rule 7);
imports go one way through the layers, and no import cycle (issue 13).

Read from the source with `ast`, so nothing is imported to check it. Imports are
followed through maildoctor's own modules: a pure module that imports a helper
which imports `socket` breaks the rule just as much.
"""

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from maildoctor.extras import DEMO, EXTRAS, PDF, POSTGRESQL, QUEUE, WEB

REPO = Path(__file__).resolve().parents[2]
PACKAGE_DIR = REPO / "src" / "maildoctor"
# the lab: real servers for tests, a package of its own in the repository (issue 13)
LAB_DIR = REPO / "packages" / "maildoctor-lab" / "src" / "maildoctor_lab"

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
EXTRA_HOMES = {
    DEMO.modules: "demo/",
    PDF.modules: "export/sheet.py",
    POSTGRESQL.modules: "ledger/",
    WEB.modules: "web/",
    QUEUE.modules: "checkup/queue.py",
}


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


# ================================================================== direction and cycles (issue 13)
#
# The layers of maildoctor's own modules, lowest first (architecture.md, "Dependencies go one
# way"). A module may import its own layer and the layers below it, never a layer above. Each
# name stands for the module or package of that name and all below it; the longest name that
# fits decides (maildoctor.discover.candidates sits lower than the rest of maildoctor.discover).
# Every module of the package must fall under one of these names: a new package is declared here.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "foundation",
        (
            "maildoctor",  # the package's __init__: the version
            "maildoctor.model",
            "maildoctor.facts",
            "maildoctor.causes",
            "maildoctor.exitcode",
            "maildoctor.domainname",
            "maildoctor.i18n",
            "maildoctor.i18n_data",
            "maildoctor.datafile",
            "maildoctor.datacache",
            "maildoctor.loginguard",
            "maildoctor.escaping",  # safe(): untrusted text made displayable, pure
            "maildoctor.extras",  # the optional extras: names and install commands, pure
            "maildoctor.knowledge_data",  # the cause knowledge base (data/knowledge); causes.py uses it
            # the types of discovered settings; by their meaning model types (architecture.md)
            "maildoctor.discover.candidates",
            # the provider data and its readers (no network): explain's bounce reader uses them too
            "maildoctor.discover.curated",
            "maildoctor.discover.ispdb",
            "maildoctor.discover.domains",
            # the DKIM signers' and DNS hosts' tables (data); the provider files carry their rows
            "maildoctor.provider_tables",
            "maildoctor.discover.untrusted_xml",  # the guarded XML reader of ispdb and autodiscover
        ),
    ),
    ("parsers", ("maildoctor.protocol", "maildoctor.lint", "maildoctor.tlsfacts")),
    ("network", ("maildoctor.net",)),
    ("probes", ("maildoctor.probes",)),
    (
        "judgement",
        (
            "maildoctor.rules",
            "maildoctor.explain",
            "maildoctor.knowledge",
            "maildoctor.clients",
            "maildoctor.report",
        ),
    ),
    (
        "diagnosis",
        (
            "maildoctor.discover",
            "maildoctor.domain",
            "maildoctor.check_request",
            "maildoctor.checkplan",
            "maildoctor.resolver_guard",
            "maildoctor.diagnose",
            "maildoctor.checks",  # the check registry and runner (architecture.md), when it comes
        ),
    ),
    # the terminal's text helpers: nothing below the diagnosis imports a renderer (architecture.md)
    ("presentation", ("maildoctor.display", "maildoctor.wrap")),
    # the accounts book sits above the diagnosis: its check day runs diagnoses (issue 14)
    ("export", ("maildoctor.export", "maildoctor.ledger", "maildoctor.checkup")),
    # the demo's pieces, if they stay in the package as an optional extra, sit beside the CLI
    # the browser interface beside the CLI (issue 15): it shares the CLI's check names
    ("cli", ("maildoctor.cli", "maildoctor.__main__", "maildoctor.demo", "maildoctor.web")),
)
# The lab (packages/maildoctor-lab: real servers for tests) stands outside the layers: it may
# import anything of the package, and only tests and benchmarks import it, never the package
# itself (the demo has servers of its own since issue 13).
LAB = "maildoctor_lab"
# Imports that break a rule today, each with what removes it. Kept exact: an entry that no longer
# happens fails the test too, so the list shrinks as the code follows the layers.
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {}


@dataclass(frozen=True, slots=True)
class Edge:
    importer: str
    imported: str
    deferred: bool  # inside a function or under `if TYPE_CHECKING:`: not run at import time


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(body: list[ast.stmt], deferred: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement in `body`, and whether it is deferred (not run when the module is)."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, deferred
        elif isinstance(node, ast.If):
            yield from _import_nodes(node.body, deferred or _is_type_checking(node.test))
            yield from _import_nodes(node.orelse, deferred)
        elif isinstance(node, ast.Try):
            for block in (
                node.body,
                node.orelse,
                node.finalbody,
                *(handler.body for handler in node.handlers),
            ):
                yield from _import_nodes(block, deferred)
        elif isinstance(node, ast.With | ast.For | ast.While | ast.ClassDef):
            yield from _import_nodes(node.body, deferred)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from _import_nodes(node.body, True)


def own_modules(package_dir: Path = PACKAGE_DIR) -> dict[str, Path]:
    return {module_name(path, package_dir): path for path in sorted(package_dir.rglob("*.py"))}


def import_edges(package_dir: Path = PACKAGE_DIR, lab_dir: Path = LAB_DIR) -> list[Edge]:
    """Every import of one of maildoctor's modules by another, or of one of the lab's modules by
    one of maildoctor's (`from a import b` names a.b if b is one)."""
    modules = own_modules(package_dir)
    importable = set(modules) | set(own_modules(lab_dir))
    edges: set[Edge] = set()
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node, deferred in _import_nodes(tree.body, deferred=False):
            source = ast.unparse(node)
            for imported in imported_modules(source, package + ".x", is_package=False):
                if imported in importable and imported != name:
                    edges.add(Edge(name, imported, deferred))
    return sorted(edges, key=lambda edge: (edge.importer, edge.imported, edge.deferred))


def cycles(edges: list[Edge]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted: every import
    cycle lies within one of them."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.importer, set()).add(edge.imported)
        graph.setdefault(edge.imported, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def layer_of(module: str) -> int | None:
    """The index of `module`'s layer in LAYERS, -1 for the lab, None if no layer declares it."""
    if module == LAB or module.startswith(f"{LAB}."):
        return -1
    best: tuple[int, int] | None = None  # (length of the name that fits, layer)
    for level, (_, names) in enumerate(LAYERS):
        for declared in names:
            fits = module == declared or (module.startswith(f"{declared}.") and declared != "maildoctor")
            if fits and (best is None or len(declared) > best[0]):
                best = (len(declared), level)
    return None if best is None else best[1]


def wrong_way(edges: list[Edge]) -> list[str]:
    """Imports against the layers: upward, into the lab, or into the CLI from outside it."""
    found = []
    for edge in edges:
        low, high = layer_of(edge.importer), layer_of(edge.imported)
        assert low is not None and high is not None
        if high == -1 and low != -1:
            found.append(f"{edge.importer} -> {edge.imported}: only tests and bench use the lab")
        elif low != -1 and high > low:
            found.append(f"{edge.importer} ({LAYERS[low][0]}) -> {edge.imported} ({LAYERS[high][0]}): upward")
    return found


def _rule_breakers(edges: list[Edge]) -> dict[tuple[str, str], str]:
    by_pair = {(edge.importer, edge.imported): edge for edge in edges}
    return {
        (message.split(" ", 1)[0], message.split(" -> ", 1)[1].split(" ", 1)[0].rstrip(":")): message
        for message in wrong_way(list(by_pair.values()))
    }


def test_the_lab_is_where_the_graph_looks_for_it() -> None:
    # guards against a path mistake that would let an import of the lab go unseen
    lab = own_modules(LAB_DIR)
    assert {"maildoctor_lab", "maildoctor_lab.dns", "maildoctor_lab.dovecot"} <= set(lab)
    assert all(layer_of(name) == -1 for name in lab)


def test_every_module_has_a_layer() -> None:
    undeclared = [name for name in own_modules() if layer_of(name) is None]
    assert undeclared == [], "declare the layer of these modules in LAYERS"


def test_imports_go_one_way() -> None:
    """Deferred imports (in a function, under TYPE_CHECKING) count too: they are dependencies all the same."""
    breakers = _rule_breakers(import_edges())
    assert sorted(set(breakers) - set(KNOWN_EXCEPTIONS)) == [], sorted(
        breakers[pair] for pair in set(breakers) - set(KNOWN_EXCEPTIONS)
    )
    stale = sorted(set(KNOWN_EXCEPTIONS) - set(breakers))
    assert stale == [], "these no longer happen: take them out of KNOWN_EXCEPTIONS"


def test_nobody_in_the_package_imports_the_cli() -> None:
    importers = {
        edge.importer
        for edge in import_edges()
        if (edge.imported == "maildoctor.cli" or edge.imported.startswith("maildoctor.cli."))
        and layer_of(edge.importer) not in (-1, len(LAYERS) - 1)
    }
    assert importers == set()


@pytest.mark.parametrize("deferred", [False, True], ids=["at-import-time", "counting-deferred-imports"])
def test_no_import_cycles(deferred: bool) -> None:
    """No cycle among the imports run when a module is imported; and none either when the imports
    in functions and under TYPE_CHECKING count (they only hide a cycle: checkplan<->diagnose,
    discover.curated<->providers, net.errors<->tls and display<->wrap were such until issue 13)."""
    edges = [edge for edge in import_edges() if deferred or not edge.deferred]
    assert cycles(edges) == []


# ------------------------------------------------------------------ the graph checks themselves can fail


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    package_dir = tmp_path / "maildoctor"
    for name, text in files.items():
        path = package_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return package_dir


def test_the_graph_sees_cycles_hidden_in_functions_and_type_checking(tmp_path: Path) -> None:
    package_dir = _package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "from maildoctor import b\n",
            "b.py": "def f():\n    from maildoctor.a import x\n",
            "c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .d import y\n",
            "d.py": "from . import c\n",
            "e.py": "import maildoctor.f\n",
            "f.py": "import json\n",
        },
    )
    edges = import_edges(package_dir)
    assert cycles([edge for edge in edges if not edge.deferred]) == []
    assert cycles(edges) == [["maildoctor.a", "maildoctor.b"], ["maildoctor.c", "maildoctor.d"]]
    assert Edge("maildoctor.b", "maildoctor.a", deferred=True) in edges
    assert Edge("maildoctor.e", "maildoctor.f", deferred=False) in edges


def test_the_graph_sees_an_import_of_the_lab(tmp_path: Path) -> None:
    package_dir = _package(
        tmp_path,
        {
            "__init__.py": "",
            "cli/__init__.py": "",
            "cli/run.py": "from maildoctor_lab.dns import LabDns\nimport maildoctor_labs\n",
            "demo/world.py": "def start():\n    from maildoctor_lab import postfix\n",
        },
    )
    lab_dir = tmp_path / "lab" / "maildoctor_lab"
    lab_dir.mkdir(parents=True)
    (lab_dir / "__init__.py").write_text("")
    (lab_dir / "dns.py").write_text("from maildoctor.cli import run\n")  # the lab may import anything
    (lab_dir / "postfix.py").write_text("")
    edges = import_edges(package_dir, lab_dir)
    assert Edge("maildoctor.cli.run", "maildoctor_lab.dns", deferred=False) in edges
    assert Edge("maildoctor.demo.world", "maildoctor_lab.postfix", deferred=True) in edges
    lab_edges = [edge for edge in edges if edge.imported.startswith("maildoctor_lab")]
    assert set(wrong_way(lab_edges)) == {
        "maildoctor.cli.run -> maildoctor_lab.dns: only tests and bench use the lab",
        "maildoctor.demo.world -> maildoctor_lab: only tests and bench use the lab",
        "maildoctor.demo.world -> maildoctor_lab.postfix: only tests and bench use the lab",
    }
    assert not any(edge.importer.startswith("maildoctor_lab") for edge in edges)  # outside the layers


def test_the_graph_sees_a_cycle_at_import_time(tmp_path: Path) -> None:
    package_dir = _package(
        tmp_path,
        {
            "__init__.py": "",
            "x/__init__.py": "",
            "x/one.py": "from ..x import two\n",
            "x/two.py": "from maildoctor.y import three\n",
            "y.py": "try:\n    from maildoctor.x.one import z\nexcept ImportError:\n    pass\n",
        },
    )
    edges = [edge for edge in import_edges(package_dir) if not edge.deferred]
    assert cycles(edges) == [["maildoctor.x.one", "maildoctor.x.two", "maildoctor.y"]]


@pytest.mark.parametrize(
    ("importer", "imported", "wrong"),
    [
        ("maildoctor.model", "maildoctor.net.tls", True),  # foundation -> network
        ("maildoctor.rules.tls", "maildoctor.diagnose", True),
        ("maildoctor.export.sheet", "maildoctor.cli.app", True),
        ("maildoctor.diagnose", "maildoctor_lab.dns", True),
        ("maildoctor.demo.world", "maildoctor_lab.dns", True),  # the demo has servers of its own
        ("maildoctor.cli.app", "maildoctor_lab", True),
        ("maildoctor.knowledge", "maildoctor.discover.candidates", False),  # the longest name decides
        ("maildoctor.knowledge", "maildoctor.discover.engine", True),
        ("maildoctor.cli.app", "maildoctor.diagnose", False),
        ("maildoctor.probes.base", "maildoctor.net.tls", False),
        ("maildoctor_lab.scenario", "maildoctor.cli.render_check", False),  # the lab imports anything
        ("maildoctor.discover.engine", "maildoctor.domain.mx", False),  # one layer
        ("maildoctor.rules.engine", "maildoctor.display", True),  # a renderer below the diagnosis
        ("maildoctor.wrap", "maildoctor.escaping", False),
    ],
)
def test_the_direction_check_can_fail(importer: str, imported: str, wrong: bool) -> None:
    assert bool(wrong_way([Edge(importer, imported, deferred=False)])) == wrong
