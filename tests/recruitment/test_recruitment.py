"""Recruitment (G4): the target list (form and CSV import, all or nothing), costs per quarter and campaign,
and the referral bonus when a referred partner wins its first deal (once, however often the event comes)."""
import io

from sqlalchemy import select

from hub import signals
from hub.extensions import db
from hub.recruitment import services
from hub.recruitment import targets as target_rules
from hub.recruitment.models import Application, Cost, ReferralBonus, Target
from hub.recruitment.rules import CHECKLIST
from tests import factories
from tests.helpers import events

from .conftest import INN, INN2, count, text, values

GOOD_CSV = ("company;inn;domain;segment;region;offer;stage;owner\n"
            f"ООО «Первый»;{INN};first.example;sales;moscow;Пилот CRM;identified;manager@example.test\n"
            "ООО «Второй»;;www.second.example;;;;contacted;\n")


def upload(client, content: bytes, name="targets.csv"):
    return client.post("/recruitment/targets/import", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def test_csv_import_creates_every_row(w, client, login):
    login(w.manager)
    response = upload(client, GOOD_CSV.encode("utf-8-sig"))
    assert response.status_code == 303
    rows = list(db.session.scalars(select(Target).order_by(Target.id)))
    assert [(t.company, t.inn, t.domain, t.stage) for t in rows] == [
        ("ООО «Первый»", INN, "first.example", "identified"), ("ООО «Второй»", None, "second.example", "contacted")]
    assert rows[0].owner_id == w.manager.id and rows[0].region == "moscow"
    page = text(client.get("/recruitment/targets"))
    assert "ООО «Первый»" in page and "Пилот CRM" in page


def test_csv_with_broken_rows_imports_nothing_and_names_each(w, client, login):
    login(w.manager)
    broken = (GOOD_CSV + "ООО «Третий»;7707083894;;;;;;\n"       # INN checksum
              + ";;;;;;;\n"                                          # empty line: skipped
              + "ООО «Четвёртый»;;first.example;;;;won;\n"         # duplicate domain, unknown stage
              + "ООО «Пятый»;;;;;;;nobody@example.test\n"           # unknown owner
              + "ООО «Шестой»;;;;;;;;extra\n")                       # too many values
    response = upload(client, broken.encode())
    assert response.status_code == 422
    page = text(response)
    assert "Nothing was imported" in page
    for line in ("Line 4", "Line 6", "Line 7", "Line 8"):
        assert line in page, line
    assert "Line 2" not in page and "Line 5" not in page
    assert count(Target) == 0
    for content, message in ((b"\xff\xfe\x00bad", "not UTF-8"), (b"name,inn\nx,1\n", "must name the columns"),
                             (b"company\n", "no rows"), ("company\nООО\x00\n".encode(), "not a CSV")):
        response = upload(client, content)
        assert response.status_code == 422 and message in text(response), message
    assert upload(client, b"").status_code == 422
    assert count(Target) == 0


def test_target_form_and_stage_change(w, client, login):
    login(w.manager)
    response = client.post("/recruitment/targets", data={"company": "ООО «Ручной»", "inn": INN2, "stage": "contacted",
                                                         "owner_id": str(w.manager.id), "offer": "Скидка"})
    assert response.status_code == 303
    target = db.session.scalar(select(Target))
    assert (target.inn, target.stage, target.owner_id) == (INN2, "contacted", w.manager.id)
    bad = client.post("/recruitment/targets", data={"company": "ООО «Двойник»", "inn": INN2, "stage": "contacted"})
    assert bad.status_code == 422 and "Another target has this value" in text(bad)
    for data in ({"company": "x", "stage": "forged"}, {"company": "x", "stage": "identified", "owner_id": "99999"},
                 {"company": "x", "stage": "identified", "inn": "123"}, {"company": "", "stage": "identified"}):
        assert client.post("/recruitment/targets", data=data).status_code == 422, data
    assert count(Target) == 1
    response = client.post(f"/recruitment/targets/{target.id}", data={"company": "ООО «Ручной»", "inn": INN2,
                                                                       "stage": "interested"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Target, target.id).stage == "interested"
    assert client.get(f"/recruitment/targets/{target.id}").status_code == 200
    assert client.get("/recruitment/targets/999999").status_code == 404
    assert client.get("/recruitment/targets?stage=forged").status_code == 400
    login(w.a_admin)
    assert client.post(f"/recruitment/targets/{target.id}", data={"company": "x", "stage": "dropped"}).status_code == 403
    assert upload(client, GOOD_CSV.encode()).status_code == 403


def test_application_links_to_target_by_inn(w):
    db.session.add(Target(company="По ИНН", inn=INN, stage="identified"))
    db.session.commit()
    application = services.submit(values(website=""))
    assert application.target.company == "По ИНН" and application.target.stage == "applied"


def test_costs_per_quarter_and_campaign(w, client, login):
    login(w.manager)
    assert client.post("/recruitment/costs", data={"period": "2026-Q3", "campaign": "Выставка",
                                                   "amount": "450000"}).status_code == 303
    assert client.post("/recruitment/costs", data={"period": "2026-Q3", "campaign": "Рассылка",
                                                   "amount": "1 000,50"}).status_code == 303
    assert db.session.scalar(select(Cost).where(Cost.campaign == "Рассылка")).amount_kopecks == 100_050
    for data in ({"period": "2026-Q5", "campaign": "x", "amount": "1"}, {"period": "1999-Q1", "campaign": "x", "amount": "1"},
                 {"period": "2026-Q1", "campaign": "", "amount": "1"}, {"period": "2026-Q1", "campaign": "x", "amount": "-5"},
                 {"period": "2026-Q1", "campaign": "x", "amount": "1e309"}, {"period": "2026-Q1", "campaign": "x"},
                 {"campaign": "x", "amount": "1"}):
        assert client.post("/recruitment/costs", data=data).status_code == 422, data
    assert count(Cost) == 2
    page = text(client.get("/recruitment/costs"))
    assert "2026-Q3" in page and "Выставка" in page
    assert target_rules.cost_totals() == [("2026-Q3", 450_000_00 + 100_050)]
    login(w.a_member)
    assert client.post("/recruitment/costs", data={"period": "2026-Q3", "campaign": "x", "amount": "1"}).status_code == 403


def _won(org, user=None):
    deal = factories.create_deal(org, user, status="won")
    signals.deal_won.emit(deal_id=deal.id, organisation_id=org.id, created_by_id=None, product="crm",
                          amount_kopecks=deal.amount_kopecks, closed_on=None, actor_id=None)
    db.session.commit()
    return deal


def test_referral_bonus_once_on_the_first_won_deal(w):
    application = services.submit(values(), referrer=w.org_a)
    services.qualify(w.manager, application.id, list(CHECKLIST))
    org = services.approve(w.manager, application.id).organisation
    first = _won(org)
    _won(org)
    _won(w.org_b)  # not referred: nothing
    [bonus] = db.session.scalars(select(ReferralBonus)).all()
    assert (bonus.referrer_id, bonus.referred_id, bonus.deal_id, bonus.points) == (w.org_a.id, org.id, first.id, 500)
    [earned] = [p for _n, p in events("referral_bonus_earned")]
    assert earned["referrer_id"] == w.org_a.id and earned["points"] == 500
    # a replayed delivery adds nothing
    assert services.record_first_win(org.id, first.id) is False
    assert count(ReferralBonus) == 1


def test_application_without_referrer_earns_nothing(w):
    application = services.submit(values(inn=INN2))
    services.qualify(w.manager, application.id, list(CHECKLIST))
    org = services.approve(w.manager, application.id).organisation
    _won(org)
    assert count(ReferralBonus) == 0
    assert db.session.scalar(select(Application)).referrer_id is None


def test_demo_has_every_status_targets_and_two_quarters_of_costs(demo, client, login):
    from sqlalchemy import func
    statuses = dict(db.session.execute(select(Application.status, func.count()).group_by(Application.status)).all())
    assert set(statuses) == {"submitted", "info_requested", "qualified", "approved", "declined"}
    assert count(Target) == 20
    assert len({t.stage for t in db.session.scalars(select(Target))}) == 6
    assert len({c.period for c in db.session.scalars(select(Cost))}) == 2
    manager = db.session.scalar(select(factories.User).where(factories.User.email == "manager@kvant.demo"))
    login(manager)
    for path in ("/recruitment/", "/recruitment/?status=approved", "/recruitment/targets", "/recruitment/costs"):
        assert client.get(path).status_code == 200, path
