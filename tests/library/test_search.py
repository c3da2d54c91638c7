"""Search (L2) on both backends: stemming in Russian and English, ё = е, typos, tier gating in hits
and counts, filters with counts, title matches first, and the index following every change."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from hub import search
from hub.extensions import db
from hub.library import services
from hub.library.models import TIERS, LibraryItem

from .. import factories

pytestmark = pytest.mark.usefixtures("library")


def slugs(text: str, tier: str = "platinum", filters: dict | None = None, per_page: int = 50, locale="ru"):
    result = search.search("library", search.SearchQuery(text=text, max_rank=TIERS.index(tier), filters=filters or {},
                                              per_page=per_page, locale=locale))
    by_id = dict(db.session.execute(select(LibraryItem.id, LibraryItem.slug)).all())
    return [by_id[hit.id] for hit in result.hits], result


def test_russian_stemming_and_yo(backend):
    found, _ = slugs("партнёрская программа")
    assert "implementation-rate-card" in found  # its body says only «партнерских программ»
    found, _ = slugs("расчёт")
    assert "case-3pl-operator-crm" in found      # spelt «расчет», «расчеты» throughout
    found_e, _ = slugs("расчет")
    assert set(found_e) == set(found)


def test_english_stemming(backend):
    found, _ = slugs("running")
    assert {"bi-objection-handling", "crm-banking-demo-kit"} <= set(found)  # they say "runs"


def test_title_matches_first(backend):
    found, result = slugs("окупаемость")
    assert found[0] == "crm-roi-payback-calculator"
    assert result.hits[0].title is not None and "<mark" in result.hits[0].title


def test_snippets_are_highlighted_and_escaped(backend):
    _, result = slugs("окупаемость")
    snippet = str(result.hits[0].snippet)
    assert "<mark" in snippet and "<script" not in snippet


@pytest.mark.parametrize("typo, right, expected", [
    ("окупаемсть", "окупаемость", "crm-roi-payback-calculator"),
    ("paybak", "payback", "crm-roi-payback-calculator"),
])
def test_typo_tolerance(backend, typo, right, expected):
    found, result = slugs(typo)
    assert result.corrected == right
    assert found[0] == expected


def test_tier_gating_in_hits_and_counts(backend):
    found, result = slugs("deal desk", tier="platinum")
    assert found[0] == "deal-desk-special-pricing"
    found, result = slugs("deal desk", tier="gold")
    assert "deal-desk-special-pricing" not in found
    found, result = slugs("дорожная карта", tier="gold")
    assert "roadmap-2027-deck" in found
    found, result = slugs("дорожная карта", tier="silver")
    assert "roadmap-2027-deck" not in found
    # Counts never include what the viewer may not see.
    _, everything = slugs("", tier="platinum")
    _, bronze = slugs("", tier="bronze")
    assert everything.total == 46 and bronze.total == 28
    assert sum(bronze.counts["kind"].values()) == 28
    assert sum(everything.counts["kind"].values()) == 46
    hidden = db.session.scalar(select(LibraryItem).where(LibraryItem.slug == "deal-desk-special-pricing"))
    assert bronze.counts["kind"].get("price_list", 0) == 7 - 4  # 7 price lists, 4 above Bronze
    assert hidden.kind == "price_list"


def test_filters_and_counts(backend):
    _, all_items = slugs("")
    retail = all_items.counts["industry"]["retail"]
    found, filtered = slugs("", filters={"industry": "retail"})
    assert filtered.total == retail == len(found)
    for slug in found:
        item = db.session.scalar(select(LibraryItem).where(LibraryItem.slug == slug))
        assert "retail" in item.tag_values("industry")
    # The counts of a facet ignore that facet's own filter (so other values stay reachable) but
    # follow the others.
    assert filtered.counts["industry"] == all_items.counts["industry"]
    assert sum(filtered.counts["kind"].values()) == retail
    _, both = slugs("", filters={"industry": "retail", "kind": "demo_kit"})
    assert both.total == filtered.counts["kind"]["demo_kit"]


def test_pagination(backend):
    first, result = slugs("", per_page=10)
    second = search.search("library", search.SearchQuery(text="", max_rank=3, page=2, per_page=10))
    assert result.total == 46 and len(first) == 10 and len(second.hits) == 10
    assert not {h.id for h in result.hits} & {h.id for h in second.hits}


def _item(slug="test-widget-kit", title_en="Zanzibar widget kit", min_tier="bronze"):
    data = services.ItemInput(
        slug=slug, kind="demo_kit", min_tier=min_tier, title_ru="Набор «Занзибар»", title_en=title_en,
        summary_ru="Кратко.", summary_en="Briefly.", body_ru="Тело про квазары.", body_en="A body about quasars.",
        tags={"industry": ["retail"], "partner_type": ["integrator"], "product": ["crm"], "language": ["ru"]},
        published=date(2026, 1, 10))
    return data


def test_index_follows_create_update_delete(backend, world):
    assert slugs("zanzibar")[0] == []
    item = services.save_item(None, _item(), world.manager)
    assert slugs("zanzibar")[0] == ["test-widget-kit"]
    assert slugs("квазары")[0] == ["test-widget-kit"]
    data = _item(title_en="Mauritius widget kit")
    services.save_item(item, data, world.manager)
    assert slugs("zanzibar")[0] == []
    assert slugs("mauritius")[0] == ["test-widget-kit"]
    # a tag change alone reaches the index too
    data.tags["industry"] = ["banking"]
    services.save_item(item, data, world.manager)
    assert slugs("mauritius", filters={"industry": "banking"})[0] == ["test-widget-kit"]
    db.session.delete(item)
    db.session.commit()
    assert slugs("mauritius")[0] == []


def test_rollback_leaves_the_index_alone(backend, world):
    item = LibraryItem(slug="rolled-back", kind="demo_kit", min_tier="bronze", tier_rank=0, title_ru="Откат",
                       title_en="Rollbackish", summary_ru="-", summary_en="-", body_ru="-", body_en="-",
                       body_html_ru="", body_html_en="", published=date(2026, 1, 1))
    item.refresh_plain()
    db.session.add(item)
    db.session.flush()
    db.session.rollback()
    assert slugs("rollbackish")[0] == []


def test_rebuild_after_the_index_file_is_deleted(app):
    path = search.index_path("library")
    path.unlink()
    found, _ = slugs("окупаемость")  # rebuilt on demand, never a crash
    assert found[0] == "crm-roi-payback-calculator"
    assert search.check()[0]


def test_corrupt_index_is_rebuilt(app, caplog):
    path = search.index_path("library")
    path.write_bytes(b"this is not an SQLite database" * 200)
    ok, message = search.check()
    assert not ok and "unreadable" in message
    found, _ = slugs("окупаемость")
    assert found[0] == "crm-roi-payback-calculator"
    assert "rebuilding" in caplog.text
    assert search.check()[0]


def test_an_index_of_another_shape_is_rebuilt(app, caplog):
    """A file written for other facets (an older release, a changed declaration) is rebuilt on open."""
    import sqlite3
    path = search.index_path("library")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = 'fts5-0:kind' WHERE key = 'schema'")
    conn.close()
    app.extensions.pop("search_backend", None)
    assert "outdated" in search.check("library")[1]
    found, _ = slugs("окупаемость")
    assert found[0] == "crm-roi-payback-calculator"
    assert search.check("library")[0]


def test_startup_rebuilds_a_missing_index(app):
    from hub import create_app
    from tests.conftest import make_config
    path = search.index_path("library")
    path.unlink()
    db.session.remove()
    started = create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"], app.config["DATA_DIR"],
                                     SEARCH_INDEX_DIR=str(path.parent)))
    with started.app_context():
        db.engine.dispose()  # its pool's connections, closed now rather than when collected
    ok, message = search.check("library")
    assert ok and "46 documents" in message


def test_reindex_command(app, backend):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "indexed 46 items" in result.output
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 0


def test_postgres_setting_falls_back_to_fts5_on_sqlite(app, database_url):
    if database_url.startswith("postgresql"):
        pytest.skip("SQLite only")
    app.extensions.pop("search_backend", None)
    app.config["SEARCH_BACKEND"] = "postgres"
    assert search.backend().name == "fts5"


def test_stop_words_only_find_nothing_without_error(backend):
    found, result = slugs("и the")
    assert result.total == 0


def test_query_syntax_is_plain_text(backend):
    found, _ = slugs('окупаемость: "(*')
    assert found and found[0] == "crm-roi-payback-calculator"


def test_stop_words_are_not_required(backend):
    with_stop, _ = slugs("калькулятор для заказчика")
    without, _ = slugs("калькулятор заказчика")
    assert with_stop and set(with_stop) == set(without)
    assert slugs("the payback")[0] == slugs("payback")[0]
