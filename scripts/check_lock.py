"""Does requirements.lock agree with pyproject.toml? `make` runs this before installing, so a pin
changed in pyproject.toml without `make lock` stops the build with a clear message instead of
installing something else than what pyproject.toml says (tests/core/test_dependencies.py too)."""
from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKED_EXTRAS = ("test",)  # the extras `make lock` compiles into requirements.lock
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(pyproject: Path = ROOT / "pyproject.toml", extras=LOCKED_EXTRAS) -> dict[str, str]:
    """name -> pinned version of every direct dependency (and of the locked extras)."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    lines = list(project["dependencies"])
    for extra in extras:
        lines += project.get("optional-dependencies", {}).get(extra, [])
    pins = {}
    for line in lines:
        match = _PIN.match(line.strip())
        if not match:
            raise SystemExit(f"pyproject.toml: {line!r} is not pinned with ==")
        pins[normalise(match.group(1))] = match.group(2)
    return pins


def locked(lock: Path = ROOT / "requirements.lock") -> dict[str, set[str]]:
    """name -> versions in the lock (a universal lock may hold two, under markers)."""
    out: dict[str, set[str]] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line)
        if match:
            out.setdefault(normalise(match.group(1)), set()).add(match.group(2))
    return out


def problems(pyproject: Path = ROOT / "pyproject.toml", lock: Path = ROOT / "requirements.lock") -> list[str]:
    if not lock.exists():
        return [f"{lock.name} is missing"]
    have = locked(lock)
    return [f"{name}=={version} is in pyproject.toml, the lock has {sorted(have.get(name, [])) or 'nothing'}"
            for name, version in sorted(declared(pyproject).items()) if version not in have.get(name, set())]


if __name__ == "__main__":
    found = problems()
    if found:
        print("requirements.lock does not match pyproject.toml:", *found, sep="\n  ", file=sys.stderr)
        print("Run `make lock` and commit requirements.lock with pyproject.toml.", file=sys.stderr)
        sys.exit(1)
