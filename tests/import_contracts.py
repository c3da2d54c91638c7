"""The import contracts of hub/ (issue 9): who may import whom, checked on the source.

Layers:

- **platform** — the modules and packages in PLATFORM: what every feature builds on (the app, the
  database, web helpers, forms, registries, signals, facts, files, content, core, program rules,
  accounts, search, the demo orchestrator). The platform imports no feature.
- **features** — every other package or module directly under hub/, and every package under
  a group package (GROUPS: hub/community/, hub/marketing/ — `community.events`, `marketing.mdf`, ...): a new feature is covered without naming it here.
  A feature imports the platform freely; another feature only through that feature's public module
  (`hub/<feature>/public.py`, or a `public` package), and better not at all: signals carry what
  happened, facts answer what is true now.
- the **composition root** — hub/__init__.py (create_app) and hub/features.py (the feature list)
  assemble the features and may import any of them.

And no import cycles between these units (platform ones included): accounts -> deals -> accounts
through a function-local import is a cycle like any other. Every import counts: module level,
inside functions, under `if TYPE_CHECKING:`.

Run it alone: `.venv/bin/python -m tests.import_contracts` (prints each broken rule, exits 1), or
`.venv/bin/pytest -p no:xdist tests/core/test_import_contracts.py -q` (part of `make test`).
tests/ and bench/ are not checked: they may import anything.
"""
from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

PLATFORM = frozenset({
    "config", "extensions", "database", "web", "i18n", "forms", "schema", "upsert", "csvexport", "inn",
    "normalize", "ui", "signals", "facts", "files", "domain_events", "content", "core", "program",
    "accounts", "search", "inputs", "drafts", "demo", "community", "marketing",
    "assets",  # hashed static file names (arriving with the "speed" work package)
    "memo",  # whole-program figures kept per state of the database (speed, issue 10)
})
# Packages that only group features: each package under them is a feature of its own.
GROUPS = frozenset({"community", "marketing"})
COMPOSITION = frozenset({"", "features"})  # hub/__init__.py (create_app) and hub/features.py
PUBLIC = "public"

# (importer unit, imported unit) -> why it is allowed for now. An entry that no import needs any
# more fails the check, so that it is removed as soon as the code is fixed.
KNOWN: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Import:
    path: str           # file, relative to the checked root's parent ("hub/deals/services.py")
    line: int
    function: str | None  # the enclosing function, for a function-local import
    importer: str       # module ("hub.deals.services")
    imported: str       # module ("hub.accounts.models")

    def where(self) -> str:
        inside = f" (inside {self.function}())" if self.function else ""
        return f"{self.path}:{self.line}{inside} imports {self.imported}"


def _modules(root: Path) -> dict[str, tuple[Path, bool]]:
    """Module name -> (file, is a package's __init__)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        package = parts[-1] == "__init__"
        if package:
            parts = parts[:-1]
        out[".".join(parts)] = (path, package)
    return out


class _Collector(ast.NodeVisitor):
    def __init__(self):
        self.stack: list[str] = []
        self.found: list[tuple[ast.AST, str | None]] = []

    def _function(self, node):
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_Import(self, node):
        self.found.append((node, self.stack[-1] if self.stack else None))

    visit_ImportFrom = visit_Import


def collect(root: Path) -> list[Import]:
    """Every import of a module of the package at `root` by another of its modules."""
    modules = _modules(root)
    top = root.name
    imports = []
    for name, (path, package) in modules.items():
        collector = _Collector()
        collector.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        here = name.split(".") if package else name.split(".")[:-1]
        for node, function in collector.found:
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                if node.level:
                    base = here[:len(here) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                for alias in node.names:
                    # `from . import demo` imports the module hub.demo; `from .models import Deal` a name.
                    candidate = f"{target}.{alias.name}"
                    targets.append(candidate if candidate in modules else target)
            for target in dict.fromkeys(targets):
                if target == top or target.startswith(top + "."):
                    imports.append(Import(str(path.relative_to(root.parent)), node.lineno, function, name, target))
    return imports


def unit(module: str) -> str:
    """The module's unit: "" (the root package), "deals", "community.events", ..."""
    parts = module.split(".")[1:]
    if not parts:
        return ""
    if parts[0] in GROUPS and len(parts) > 1:
        return f"{parts[0]}.{parts[1]}"
    return parts[0]


def is_feature(name: str) -> bool:
    if name.split(".")[0] in GROUPS and "." in name:
        return True  # each package under hub/community/ or hub/marketing/ is a feature of its own
    return name not in COMPOSITION and name.split(".")[0] not in PLATFORM


def _is_public(module: str, feature: str) -> bool:
    rest = module.split(".")[1:]
    depth = len(feature.split("."))
    return len(rest) > depth and rest[depth] == PUBLIC


def check(root: Path, known: dict[tuple[str, str], str] | None = None) -> list[str]:
    """Every broken rule, one readable message each (empty: the contracts hold)."""
    known = KNOWN if known is None else known
    imports = collect(root)
    problems: list[str] = []
    used: set[tuple[str, str]] = set()
    edges: dict[str, dict[str, Import]] = {}
    for imp in imports:
        src, dst = unit(imp.importer), unit(imp.imported)
        if src == dst:
            continue
        if (src, dst) in known:
            used.add((src, dst))
            continue
        if src not in COMPOSITION:
            edges.setdefault(src, {}).setdefault(dst, imp)
        if src in COMPOSITION or not is_feature(dst):
            continue
        if not is_feature(src):
            problems.append(f"{imp.where()}: the platform ({src}) must not import a feature ({dst}); "
                            f"move the code to the platform, or have {dst} provide a fact or listen to a signal")
        elif not _is_public(imp.imported, dst):
            problems.append(f"{imp.where()}: feature {src} reaches into feature {dst}; features meet "
                            f"through hub/signals.py, hub/facts.py or {root.name}/{dst.replace('.', '/')}/{PUBLIC}.py")
    for pair in sorted(set(known) - used):
        problems.append(f"exemption {pair[0]} -> {pair[1]} in KNOWN is not needed any more: remove it")
    problems += [_describe(cycle, group, edges, root.name) for cycle, group in _cycles(edges)]
    return problems


def _cycles(edges: dict[str, dict[str, Import]]) -> list[tuple[list[str], list[str]]]:
    """Each group of units that import each other in a circle (Tarjan's strongly connected
    components), with one shortest cycle through it."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, {})):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    cycles = []
    for group in groups:
        start, members = group[0], set(group)
        # Breadth-first from `start` back to it, inside the group.
        paths = {start: [start]}
        queue = [start]
        found = None
        while queue and found is None:
            node = queue.pop(0)
            for nxt in sorted(edges.get(node, {})):
                if nxt not in members:
                    continue
                if nxt == start:
                    found = paths[node] + [start]
                    break
                if nxt not in paths:
                    paths[nxt] = paths[node] + [nxt]
                    queue.append(nxt)
        cycles.append((found or group, group))
    return cycles


def _describe(cycle: list[str], group: list[str], edges: dict[str, dict[str, Import]], top: str) -> str:
    full = lambda name: f"{top}.{name}" if name else top  # noqa: E731
    steps = "".join(f"\n    {edges[a][b].where()}" for a, b in zip(cycle, cycle[1:]))
    others = [full(name) for name in group if name not in cycle]
    more = f" (the circle also takes in {', '.join(others)})" if others else ""
    return f"import cycle {' -> '.join(full(name) for name in cycle)}{more}:{steps}"


def main() -> int:
    root = Path(__file__).resolve().parents[1] / "hub"
    problems = check(root)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} broken import contract(s)" if problems else "import contracts hold")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
