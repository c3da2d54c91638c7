"""R2: badges by rules, awarded once; the signal path and tick's full re-evaluation agree."""
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from hub.extensions import db
from hub.rewards import badges
from hub.rewards.jobs import full_evaluation
from hub.rewards.models import BadgeAward

from .conftest import attended, certificate_ns, certified, win
from tests import factories


def scenario(world, fake_facts):
    fake_facts.tracks = ["sales", "presales"]
    fake_facts.by_track = {world.org_b.id: {"sales": 1, "presales": 2}}
    for i in range(5):
        win(world.org_a, world.a_member, amount=1_000_00 + i, closed_on=date(2026, 3, 10))
    for i in range(6):
        win(world.org_a, world.a_admin, amount=10_00, closed_on=date(2026, 3, 11))
    win(world.org_b, world.b_member, amount=500_00, closed_on=date(2026, 3, 12))
    certified(certificate_ns(world.b_member, "sales"))
    certified(certificate_ns(world.b_admin, "presales"))
    attended(1, world.a_member)
    # Twelve small partners: only the ten best of March get "top 10 of a month".
    for i in range(12):
        win(factories.create_org(f"Small {i:02d}"), amount=10 + i, closed_on=date(2026, 3, 20))


def test_signal_path_and_full_evaluation_give_the_same_badges(app, world, fake_facts, badges_loaded):
    scenario(world, fake_facts)
    by_signals = badges.award_set()
    now = datetime(2026, 4, 15, 9, 0, tzinfo=timezone.utc)
    full_evaluation(now)  # tick after the events: adds the periodic badges only
    db.session.commit()
    incremental = badges.award_set()
    assert {slug for slug, _ in incremental - by_signals} == {"top-ten-month"}

    db.session.execute(delete(BadgeAward))
    db.session.commit()
    full_evaluation(now)
    db.session.commit()
    assert badges.award_set() == incremental

    a, b = f"org:{world.org_a.id}", f"org:{world.org_b.id}"
    expected = {("first-deal", a), ("five-deals", a), ("first-deal", b), ("all-tracks", b),
                ("first-certificate", f"user:{world.b_member.id}"), ("first-certificate", f"user:{world.b_admin.id}"),
                ("first-event", f"user:{world.a_member.id}")}
    assert expected <= incremental
    assert ("all-tracks", a) not in incremental
    top = {holder for slug, holder in incremental if slug == "top-ten-month"}
    assert len(top) == 10 and a in top and b in top


def test_each_badge_is_awarded_once(world, fake_facts, badges_loaded):
    for _ in range(3):
        win(world.org_a, world.a_member)
    full_evaluation()
    full_evaluation()
    db.session.commit()
    count = db.session.scalar(select(func.count(BadgeAward.id)))
    held = badges.award_set()
    assert count == len(held) and ("first-deal", f"org:{world.org_a.id}") in held


def test_thousand_points(world, badges_loaded):
    for _ in range(10):
        win(world.org_a, world.a_member)
    assert ("thousand-points", f"user:{world.a_member.id}") in badges.award_set()


@pytest.mark.parametrize("change, key", [
    (lambda d: d["badges"][0].update(rule="nonsense"), "badges[first-deal].rule"),
    (lambda d: d["badges"][0]["params"].update(count=0), "badges[first-deal].params.count"),
    (lambda d: d["badges"][0]["name"].pop("ru"), "badges[first-deal].name.ru"),
    (lambda d: d["badges"][0].update(image="missing.svg"), "badges[first-deal].image"),
    (lambda d: d["badges"][1].update(slug="first-deal"), "badges[1].slug"),
])
def test_loader_names_file_key_and_problem(app, tmp_path, change, key):
    import yaml
    source = Path(app.config["CONTENT_DIR"]) / "badges.yml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    change(data)
    target = tmp_path / "badges.yml"
    target.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(badges.BadgeFileError) as info:
        badges.read_badges(target, Path(app.static_folder))
    assert str(target) in str(info.value) and key in str(info.value)


def test_loader_is_idempotent(app):
    source = badges.read_badges(Path(app.config["CONTENT_DIR"]) / "badges.yml", Path(app.static_folder))
    first = badges.sync_badges(source)
    second = badges.sync_badges(source)
    assert first["created"] == len(source) and second == {"created": 0, "updated": 0,
                                                          "unchanged": len(source), "removed": 0}
