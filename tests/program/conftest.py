"""Program tests run against a private copy of content/program.yml, so a test can change a value
and see the page follow the file."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

RULES_FILE = Path(__file__).resolve().parents[2] / "content" / "program.yml"


@pytest.fixture
def rules_copy(tmp_path) -> Path:
    path = tmp_path / "rules" / "program.yml"
    path.parent.mkdir()
    shutil.copy(RULES_FILE, path)
    return path


@pytest.fixture
def app_config(rules_copy):
    return {"PROGRAM_RULES": str(rules_copy)}


@pytest.fixture
def app_with_rules(app, rules_copy):
    """app_with_rules(mutate): change the app's rules file (mutate gets the parsed YAML)."""
    def change(mutate):
        data = yaml.safe_load(rules_copy.read_text(encoding="utf-8"))
        mutate(data)
        before = rules_copy.stat().st_mtime
        rules_copy.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        # The app re-reads the file when its mtime changes; make sure it does even on coarse clocks.
        os.utime(rules_copy, (before + 10, before + 10))
        return data
    return change
