"""Import contracts (issue 9): features import each other only through hub/signals, hub/facts or a
feature's public module; the platform imports no feature; no import cycles, function-local imports
included. The rules and the layers are in tests/import_contracts.py."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests import import_contracts as contracts

HUB = Path(__file__).resolve().parents[2] / "hub"


def test_hub_keeps_its_import_contracts():
    problems = contracts.check(HUB)
    assert not problems, "broken import contracts:\n" + "\n".join(problems)


def test_every_unit_under_hub_is_platform_or_feature():
    """The features the app loads are features by the rule, the platform packages are not."""
    from hub import features
    for name in features.FEATURES:
        kind = contracts.is_feature(name)
        assert kind == (name not in contracts.PLATFORM), name
    assert contracts.is_feature("deals") and contracts.is_feature("community.events")
    assert contracts.is_feature("marketing.mdf") and contracts.is_feature("insights")
    assert not contracts.is_feature("marketing")  # a group package, like community
    assert not contracts.is_feature("accounts") and not contracts.is_feature("search")


# --- the checker itself, on small made-up trees: each rule can fail, naming the import ------------

def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "hub"
    for name, text in {"__init__.py": "", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


BASE = {
    "web.py": "",
    "signals.py": "",
    "accounts/__init__.py": "",
    "accounts/models.py": "from ..web import x\n",
    "deals/__init__.py": "from . import services\n",
    "deals/models.py": "",
    "deals/services.py": "from .. import signals\nfrom ..accounts.models import User\nfrom .models import Deal\n",
    "rewards/__init__.py": "",
    "rewards/listeners.py": "from .. import signals\n",
}


def test_a_clean_tree_passes(tmp_path):
    assert contracts.check(_tree(tmp_path, BASE), known={}) == []


def test_a_feature_reaching_into_another_is_named(tmp_path):
    root = _tree(tmp_path, {**BASE, "rewards/listeners.py": "from ..deals.models import Deal\n"})
    problems = contracts.check(root, known={})
    assert problems == [
        "hub/rewards/listeners.py:1 imports hub.deals.models: feature rewards reaches into feature deals; "
        "features meet through hub/signals.py, hub/facts.py or hub/deals/public.py"]


def test_a_public_module_is_the_way_in(tmp_path):
    root = _tree(tmp_path, {**BASE, "deals/public.py": "from .models import Deal\n",
                            "rewards/listeners.py": "from ..deals.public import Deal\n"})
    assert contracts.check(root, known={}) == []
    # ... but not the package itself (that is its whole __init__, blueprint and all).
    root = _tree(tmp_path / "b", {**BASE, "rewards/listeners.py": "from .. import deals\n"})
    assert [p.split(":")[0] for p in contracts.check(root, known={})] == ["hub/rewards/listeners.py"]


def test_a_function_local_import_counts(tmp_path):
    root = _tree(tmp_path, {**BASE, "accounts/services.py": """\
        def slugify(name):
            from ..deals.services import normalise
            return normalise(name)
        """})
    problems = contracts.check(root, known={})
    assert problems[0].startswith(
        "hub/accounts/services.py:2 (inside slugify()) imports hub.deals.services: "
        "the platform (accounts) must not import a feature (deals)")
    # And it closes a cycle: deals imports accounts at the top.
    assert problems[1] == ("import cycle hub.accounts -> hub.deals -> hub.accounts:\n"
                           "    hub/accounts/services.py:2 (inside slugify()) imports hub.deals.services\n"
                           "    hub/deals/services.py:2 imports hub.accounts.models")
    assert len(problems) == 2


def test_new_features_are_covered_without_being_named(tmp_path):
    root = _tree(tmp_path, {**BASE, "community/__init__.py": "",
                            "community/events/__init__.py": "",
                            "community/events/services.py": "from ...community.qa import models\n",
                            "community/qa/__init__.py": "",
                            "community/qa/models.py": "",
                            "marketing/__init__.py": "",
                            "marketing/mdf/__init__.py": "",
                            "marketing/mdf/services.py": "from ...rewards import listeners\n"})
    problems = contracts.check(root, known={})
    assert len(problems) == 2
    assert "feature community.events reaches into feature community.qa" in problems[0]
    assert "hub/community/qa/public.py" in problems[0]
    assert "feature marketing.mdf reaches into feature rewards" in problems[1]


def test_cycles_inside_the_platform_count_too(tmp_path):
    root = _tree(tmp_path, {**BASE, "drafts.py": "from .core import models\n",
                            "web.py": "from . import drafts\n",
                            "core/__init__.py": "", "core/models.py": "from ..web import render\n"})
    problems = contracts.check(root, known={})
    assert len(problems) == 1 and problems[0].startswith("import cycle hub.core -> hub.web -> hub.drafts -> hub.core")


def test_type_checking_imports_count(tmp_path):
    root = _tree(tmp_path, {**BASE, "rewards/listeners.py": """\
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from ..deals.models import Deal
        """})
    assert "hub/rewards/listeners.py:3 imports hub.deals.models" in contracts.check(root, known={})[0]


def test_the_composition_root_may_import_every_feature(tmp_path):
    root = _tree(tmp_path, {**BASE, "__init__.py": "def create_app():\n    from . import deals, rewards\n",
                            "features.py": "from . import deals\n"})
    assert contracts.check(root, known={}) == []


def test_an_exemption_no_longer_needed_fails(tmp_path):
    root = _tree(tmp_path, BASE)
    assert contracts.check(root, known={("search", "library"): "until the search package"}) == [
        "exemption search -> library in KNOWN is not needed any more: remove it"]


@pytest.mark.parametrize("line, target", [
    ("from . import models", "hub.deals.models"),         # a module
    ("from .models import Deal", "hub.deals.models"),     # a name in a module
    ("from .. import signals", "hub.signals"),
    ("import hub.accounts.models", "hub.accounts.models"),
    ("from hub.web import x", "hub.web"),
])
def test_imports_resolve_to_modules(tmp_path, line, target):
    root = _tree(tmp_path, {**BASE, "deals/extra.py": line + "\n"})
    found = [imp.imported for imp in contracts.collect(root) if imp.importer == "hub.deals.extra"]
    assert found == [target]
