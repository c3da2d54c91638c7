"""Library rules without HTTP: the loader, visibility, the ROI arithmetic."""
from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.content import ContentError
from hub.extensions import db
from hub.library import loaders, services
from hub.library.models import LibraryFile, LibraryItem, LibraryTag

from .conftest import CONTENT


def test_loader_is_idempotent(app, library):
    assert library == {"created": 46, "updated": 0, "unchanged": 0, "removed": 0}
    assert loaders.sync_library(CONTENT) == {"created": 0, "updated": 0, "unchanged": 46, "removed": 0}
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(LibraryFile)) == 56
    assert db.session.scalar(select(func.count()).select_from(LibraryItem).where(LibraryItem.tier_rank == 0)) == 28


def _copy(tmp_path: Path, slugs=("crm-roi-payback-calculator", "deal-desk-special-pricing")) -> Path:
    folder = tmp_path / "library"
    for slug in slugs:
        shutil.copytree(CONTENT / slug, folder / slug)
    return folder


def test_loader_updates_and_removes(app, tmp_path):
    folder = _copy(tmp_path)
    assert loaders.sync_library(folder)["created"] == 2
    db.session.commit()
    yml = folder / "crm-roi-payback-calculator" / "item.yml"
    yml.write_text(yml.read_text().replace("min_tier: bronze", "min_tier: gold"))
    shutil.rmtree(folder / "deal-desk-special-pricing")
    assert loaders.sync_library(folder) == {"created": 0, "updated": 1, "unchanged": 0, "removed": 1}
    db.session.commit()
    item = db.session.scalar(select(LibraryItem))
    assert (item.slug, item.min_tier, item.tier_rank) == ("crm-roi-payback-calculator", "gold", 2)


@pytest.mark.parametrize("edit, problem", [
    (lambda t: t.replace("kind: price_list", "kind: brochure"), "kind: unknown value 'brochure'"),
    (lambda t: t + "colour: red\n", "colour: is not a known key"),
    (lambda t: t.replace("min_tier: bronze", "min_tier: iron"), "min_tier: unknown value 'iron'"),
    (lambda t: t.replace("industry: [any]", "industry: [any, retail]"), "'any' is not combined"),
    (lambda t: t.replace("kvant-crm-roi-calculator.xlsx", "missing.xlsx"), "missing.xlsx does not exist"),
    (lambda t: t.replace("published: 2026-02-16", "published: 2999-01-01"), "is in the future"),
    (lambda t: t.replace('  en: "Kvant CRM payback', '  de: "Kvant CRM payback'), "title.de: is not a known key (known: ru, en)"),
])
def test_loader_names_file_key_and_problem(app, tmp_path, edit, problem):
    folder = _copy(tmp_path, ("crm-roi-payback-calculator",))
    yml = folder / "crm-roi-payback-calculator" / "item.yml"
    yml.write_text(edit(yml.read_text()))
    with pytest.raises(ContentError) as info:
        loaders.sync_library(folder)
    assert problem in str(info.value) and "crm-roi-payback-calculator" in str(info.value)
    assert db.session.scalar(select(func.count()).select_from(LibraryItem)) == 0


def test_unlisted_file_is_refused(app, tmp_path):
    folder = _copy(tmp_path, ("crm-roi-payback-calculator",))
    (folder / "crm-roi-payback-calculator" / "stray.pdf").write_bytes(b"%PDF")
    with pytest.raises(ContentError, match="is not listed under 'files'"):
        loaders.sync_library(folder)


def test_content_load_command_reports(app):
    result = app.test_cli_runner().invoke(args=["content", "load"])
    assert result.exit_code == 0, result.output
    assert "library: created: 46, updated: 0, unchanged: 0, removed: 0" in result.output


def test_visibility(app, world, library):
    assert services.visible_item(world.a_member, "deal-desk-special-pricing") is None
    assert services.visible_item(world.manager, "deal-desk-special-pricing") is not None
    world.org_a.tier = "platinum"
    db.session.commit()
    assert services.visible_item(world.a_member, "deal-desk-special-pricing") is not None


def test_roi_arithmetic():
    result = services.roi(services.RoiInput(licences=50, price_kopecks=3_600_000, implementation_kopecks=90_000_000,
                                            monthly_savings_kopecks=32_000_000))
    assert result.licences_per_year_kopecks == 180_000_000
    assert result.first_year_cost_kopecks == 270_000_000
    assert result.payback_months == Decimal("8.5")
    assert result.three_year_cost_kopecks == 630_000_000
    assert result.three_year_savings_kopecks == 1_152_000_000
    assert result.roi_percent == Decimal("82.9")  # (11.52 - 6.3) / 6.3


def test_tags_replaced_not_duplicated(app, world, library):
    item = services.visible_item(world.manager, "crm-roi-payback-calculator")
    before = db.session.scalar(select(func.count()).select_from(LibraryTag))
    loaders.set_tags(item, {"industry": ["retail"], "partner_type": ["agent"], "product": ["crm"], "language": ["ru"]})
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(LibraryTag)) < before


def test_demo_adds_library_usage_within_tiers(app, library):
    from hub.accounts.models import Organisation
    from hub.library.models import TIERS, LibraryUsage
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "library demo created: usage rows" in result.output
    rows = db.session.execute(select(LibraryUsage, LibraryItem, Organisation)
                              .join(LibraryItem, LibraryItem.id == LibraryUsage.item_id)
                              .join(Organisation, Organisation.id == LibraryUsage.organisation_id)).all()
    assert len(rows) > 30
    assert all(item.tier_rank <= TIERS.index(org.tier) for _, item, org in rows)
    most, least = services.usage_report()
    assert most[0].views + most[0].downloads >= least[0].views + least[0].downloads
