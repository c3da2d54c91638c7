"""pyproject.toml declares exactly what the code imports, and requirements.lock (what `make`
installs, hashes checked) agrees with it."""
from __future__ import annotations

import ast
import importlib.util
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("hub", "scripts", "bench", "tests", "migrations")
LOCAL = {"hub", "tests", "bench", "scripts", "migrations", "i18n"}  # i18n: scripts/i18n.py, imported by the tests

# Declared but never imported by name: used all the same, and why.
USED_WITHOUT_IMPORT = {
    "jinja2": "the language of templates/ (rendered through Flask and jinja2-fragments)",
    "gunicorn": "the application server `make run` starts",
    "psycopg": "the PostgreSQL driver SQLAlchemy loads for postgresql:// URLs",
    "email-validator": "WTForms' Email() validator imports it when a form is validated",
    "tzdata": "time-zone data for zoneinfo where the system has none",
    "pytest-xdist": "pytest plugin: the parallel test run (`make test`)",
    "pytest-playwright": "pytest plugin: the browser fixtures of tests/browser",
}
# Imported by scripts/make_library_files.py only (the `library-files` extra, not installed here).
NOT_INSTALLED = {"docx": "python-docx", "pptx": "python-pptx", "openpyxl": "openpyxl"}


def _check_lock():
    spec = importlib.util.spec_from_file_location("check_lock", ROOT / "scripts" / "check_lock.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _imported_modules() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for folder in SCANNED:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in LOCAL:
                        found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def _declared() -> set[str]:
    check_lock = _check_lock()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = tuple(project.get("optional-dependencies", {}))
    return set(check_lock.declared(extras=extras))


def test_every_import_is_declared_and_every_declared_package_is_used():
    normalise = _check_lock().normalise
    distributions = packages_distributions()
    imported: dict[str, set[str]] = {}
    for module, files in _imported_modules().items():
        names = distributions.get(module) or [NOT_INSTALLED.get(module, module)]
        for name in names:
            imported.setdefault(normalise(name), set()).update(files)
    declared = _declared()
    undeclared = {name: sorted(files)[:3] for name, files in imported.items() if name not in declared}
    assert not undeclared, f"imported but not declared in pyproject.toml (add it pinned, then `make lock`): {undeclared}"
    unused = declared - set(imported) - set(USED_WITHOUT_IMPORT)
    assert not unused, f"declared in pyproject.toml but never imported (remove it, then `make lock`): {sorted(unused)}"


def test_the_lock_agrees_with_pyproject():
    problems = _check_lock().problems()
    assert problems == [], "run `make lock` and commit requirements.lock:\n" + "\n".join(problems)


def test_the_lock_pins_every_package_with_hashes():
    lines = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    pins = [line for line in lines if line and not line[0].isspace() and not line.startswith("#")]
    assert len(pins) > 40  # the transitive packages too, not only the direct ones
    for n, line in enumerate(lines):
        if line in pins:
            assert "==" in line and lines[n + 1].lstrip().startswith("--hash=sha256:"), line
