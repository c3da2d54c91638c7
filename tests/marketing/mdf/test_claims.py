"""MDF claims: deadline, proof uploads, the manager's decision, payment and release; the ledger sums in
kopecks at every step; bad input saves nothing; another organisation gets 404; ROI and the adjustment token."""
from datetime import timedelta
from io import BytesIO

from sqlalchemy import func, select

from hub.core.models import AuditEntry, Notification
from hub.extensions import db
from hub.marketing.mdf import claims, roi, services
from hub.marketing.mdf.models import MdfClaim, MdfDeal, MdfEntry, MdfProof, MdfRequest
from tests.helpers import events

from .conftest import PDF, PNG, add_deal, approved, claim_data


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def fetch(client, path):
    response = client.get(path)
    try:
        return response.status_code, response.data
    finally:
        response.close()


def kinds(request_id):
    return dict(db.session.execute(select(MdfEntry.kind, MdfEntry.amount_kopecks)
                                   .where(MdfEntry.request_id == request_id)).all())


def file(w, r, actual=80_000_00, claimed=45_000_00, **kw):
    from hub.files import StoredFile  # noqa: F401 (the type store_proofs returns)
    from werkzeug.datastructures import FileStorage
    proofs = claims.store_proofs([("invoice", FileStorage(BytesIO(PDF), "invoice.pdf"))])
    return claims.file_claim(w.a_member, r.id, claims.ClaimInput(actual, claimed, "done", **kw), proofs)


def test_claim_approve_pay_release_ledger_sums(w):
    r = approved(w)
    q = r.quarter
    assert services.balance(w.org_a.id, q).available == 100_000_00
    c = file(w, r)                              # cost 80 000, claimed 45 000, share 50 %
    assert events("mdf_claim_submitted")[-1][1]["claimed_kopecks"] == 45_000_00
    claims.approve_claim(w.manager, c.id)
    c = db.session.get(MdfClaim, c.id)
    assert c.payable_kopecks == 40_000_00       # min(45 000, 80 000 x 50 %, 50 000)
    assert c.due_on == services.today() + timedelta(days=30)
    assert services.balance(w.org_a.id, q).committed == 50_000_00  # payable stays within the commitment
    claims.mark_paid(w.manager, c.id, services.today(), "PP-1207")
    db.session.expire_all()
    assert kinds(r.id) == {"commit": 50_000_00, "payable": 40_000_00, "paid": 40_000_00, "release": 10_000_00}
    b = services.balance(w.org_a.id, q)
    assert (b.committed, b.available) == (40_000_00, 110_000_00)
    assert db.session.get(MdfRequest, r.id).status == "closed"
    paid = events("mdf_paid")[-1][1]
    assert (paid["claim_id"], paid["amount_kopecks"]) == (c.id, 40_000_00)
    assert [p["decision"] for _n, p in events("mdf_claim_decided")] == ["approved"]
    assert {n.type for n in db.session.scalars(select(Notification))} >= {"mdf.claim_approved", "mdf.paid"}
    assert count(AuditEntry, AuditEntry.object_type == "mdf_claim") == 3  # submit, approved, paid
    # replays add nothing
    for again in (lambda: claims.approve_claim(w.manager, c.id),
                  lambda: claims.mark_paid(w.manager, c.id, services.today(), "PP-1207")):
        try:
            again()
            raise AssertionError("decided twice")
        except services.MdfError:
            pass
    assert count(MdfEntry, MdfEntry.request_id == r.id) == 4


def test_payable_is_capped_at_the_approved_amount(w):
    r = approved(w, requested=30_000_00)
    c = file(w, r, actual=200_000_00, claimed=30_000_00)
    claims.approve_claim(w.manager, c.id)
    assert db.session.get(MdfClaim, c.id).payable_kopecks == 30_000_00
    claims.mark_paid(w.manager, c.id, services.today(), "PP-1")
    assert "release" not in kinds(r.id)  # nothing left to give back


def test_claim_with_upload_plain_and_htmx(w, client, login):
    r = approved(w)
    add_deal(w, 501, amount=2_000_000_00, won=1_500_000_00)
    login(w.a_member)
    page = client.get(f"/mdf/requests/{r.id}")
    assert "File a claim" in page.get_data(as_text=True) and "Claim deadline" in page.get_data(as_text=True)
    form = client.get(f"/mdf/requests/{r.id}/claim").get_data(as_text=True)
    assert "#501" in form and 'enctype="multipart/form-data"' in form
    data = claim_data(deals="501", kind2="photo", file2=(BytesIO(PNG), "stand.png"))
    response = client.post(f"/mdf/requests/{r.id}/claim", data=data, content_type="multipart/form-data",
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.headers["HX-Location"].endswith(f"/mdf/requests/{r.id}")
    c = db.session.scalar(select(MdfClaim))
    assert [(p.kind, p.name) for p in c.proofs] == [("invoice", "invoice.pdf"), ("photo", "stand.png")]
    assert [(e.kind, e.ref_id) for e in c.evidence] == [("deal", 501)]
    assert db.session.get(MdfDeal, 501).request_id == r.id
    shown = client.get(f"/mdf/requests/{r.id}").get_data(as_text=True)
    assert "Claim filed" in shown and "invoice.pdf" in shown
    assert fetch(client, f"/files/mdf/{c.id}/invoice.pdf") == (200, PDF)
    login(w.b_member)
    assert fetch(client, f"/files/mdf/{c.id}/invoice.pdf")[0] == 404
    login(w.manager)
    assert fetch(client, f"/files/mdf/{c.id}/invoice.pdf")[0] == 200
    assert fetch(client, f"/files/mdf/{c.id}/other.pdf")[0] == 404
    assert "Claim filed" in client.get("/mdf/manage").get_data(as_text=True)
    # the manager decides plainly (no JavaScript): approve, then mark paid
    assert client.post(f"/mdf/manage/claims/{c.id}", data={"decision": "approve"}).status_code == 303
    assert client.post(f"/mdf/manage/claims/{c.id}/paid",
                       data={"paid_on": services.today().isoformat(), "reference": "PP-77"}).status_code == 303
    login(w.a_member)
    page = client.get(f"/mdf/requests/{r.id}").get_data(as_text=True)
    assert "PP-77" in page and "Paid on" in page


def test_bad_claims_save_nothing(w, client, login, monkeypatch):
    r = approved(w)
    soon = approved(w, ended_days_ago=-5, title="Future")
    late = approved(w, ended_days_ago=61, title="Late")
    login(w.a_member)
    cases = [(r, {"claimed": "50001"}, "above the approved amount"),
             (r, {"claimed": "-5"}, None), (r, {"actual_cost": "9" * 40}, None), (r, {"claimed": "0"}, None),
             (r, {"claimed": "70000", "actual_cost": "60000"}, "above the approved amount"),
             (r, {"claimed": "45000", "actual_cost": "40000"}, "above the actual cost"),
             (r, {"deals": "999"}, None), (r, {"kind1": "virus"}, None),
             (r, {"file1": (BytesIO(b"just text, not a pdf"), "invoice.pdf")}, "accepted type"),
             (r, {"file1": (BytesIO(b""), "")}, "at least one proof"),
             (r, {"note": "x\x00"}, None),
             (soon, {}, "after the activity"), (late, {}, "deadline")]
    for item, bad, message in cases:
        response = client.post(f"/mdf/requests/{item.id}/claim", data=claim_data(**bad),
                               content_type="multipart/form-data")
        assert response.status_code in (400, 409, 422), bad
        if message:
            assert message in response.get_data(as_text=True), bad
    monkeypatch.setattr(claims, "PROOFS", claims.files.UploadRule(types=("pdf",), max_bytes=20))
    response = client.post(f"/mdf/requests/{r.id}/claim", data=claim_data(), content_type="multipart/form-data")
    assert response.status_code == 422 and "too large" in response.get_data(as_text=True)
    assert count(MdfClaim) == 0 and count(MdfProof) == 0
    assert count(MdfEntry, MdfEntry.kind.in_(("payable", "paid", "release"))) == 0


def test_another_organisation_gets_404(w, client, login):
    r = approved(w)
    c = file(w, r)
    login(w.b_member)
    assert client.get(f"/mdf/requests/{r.id}/claim").status_code == 404
    assert client.post(f"/mdf/requests/{r.id}/claim", data=claim_data(),
                       content_type="multipart/form-data").status_code == 404
    assert client.post(f"/mdf/claims/{c.id}/proof", data={"kind1": "invoice"}).status_code == 404
    assert client.post(f"/mdf/requests/{r.id}/deals", data={}).status_code == 404
    assert client.post(f"/mdf/manage/claims/{c.id}", data={"decision": "approve"}).status_code == 403
    assert client.post(f"/mdf/manage/claims/{c.id}/paid", data={"paid_on": "2026-01-01", "reference": "x"}).status_code == 403
    login(w.manager)
    assert client.post("/mdf/manage/claims/99999", data={"decision": "approve"}).status_code == 404
    assert db.session.get(MdfClaim, c.id).status == "submitted"


def test_reject_then_claim_again_and_more_proof(w, client, login):
    r = approved(w)
    c = file(w, r)
    login(w.manager)
    assert client.post(f"/mdf/manage/claims/{c.id}", data={"decision": "rejected", "reason": ""}).status_code == 422
    assert client.post(f"/mdf/manage/claims/{c.id}",
                       data={"decision": "rejected", "reason": "No act"}).status_code == 303
    login(w.a_member)
    assert "No act" in client.get(f"/mdf/requests/{r.id}").get_data(as_text=True)
    assert client.post(f"/mdf/requests/{r.id}/claim", data=claim_data(kind1="act"),
                       content_type="multipart/form-data").status_code == 303
    second = db.session.scalar(select(MdfClaim).order_by(MdfClaim.id.desc()))
    assert second.id != c.id and second.status == "submitted"
    # a third claim while one is live is refused
    assert client.post(f"/mdf/requests/{r.id}/claim", data=claim_data(),
                       content_type="multipart/form-data").status_code == 422
    claims.send_back_claim(w.manager, second.id, "more_info", "Photos, please")
    response = client.post(f"/mdf/claims/{second.id}/proof",
                           data={"kind1": "photo", "file1": (BytesIO(PNG), "photo.png"), "note": "here"},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    db.session.expire_all()
    second = db.session.get(MdfClaim, second.id)
    assert second.status == "submitted" and len(second.proofs) == 2
    assert {n.type for n in db.session.scalars(select(Notification))} >= {"mdf.claim_rejected", "mdf.claim_more"}


def test_paid_form_bad_input(w, client, login):
    r = approved(w)
    c = file(w, r)
    claims.approve_claim(w.manager, c.id)
    login(w.manager)
    tomorrow = (services.today() + timedelta(days=1)).isoformat()
    for data in ({"paid_on": tomorrow, "reference": "x"}, {"paid_on": "2001-01-01", "reference": "x"},
                 {"paid_on": services.today().isoformat(), "reference": ""},
                 {"paid_on": services.today().isoformat(), "reference": "x" * 101},
                 {"paid_on": "9999-12-31", "reference": "x"}, {"paid_on": "garbage", "reference": "x"}):
        assert client.post(f"/mdf/manage/claims/{c.id}/paid", data=data).status_code in (400, 409, 422), data
    assert count(MdfEntry, MdfEntry.kind == "paid") == 0
    assert db.session.get(MdfClaim, c.id).status == "approved"


def test_unclaimed_request_is_released_after_the_deadline_once(w):
    stale = approved(w, ended_days_ago=61, title="Stale")
    fresh = approved(w, ended_days_ago=60, title="Fresh")  # deadline is today: still open
    filed = approved(w, ended_days_ago=30, title="Filed")
    c = file(w, filed)
    db.session.get(MdfRequest, filed.id).ends_on = services.today() - timedelta(days=70)
    db.session.commit()
    assert claims.release_unclaimed() == 1
    assert claims.release_unclaimed() == 0
    db.session.expire_all()
    assert db.session.get(MdfRequest, stale.id).status == "released"
    assert kinds(stale.id) == {"commit": 50_000_00, "release": 50_000_00}
    assert db.session.get(MdfRequest, fresh.id).status == "approved"
    assert db.session.get(MdfRequest, filed.id).status == "approved" and c.id
    assert count(Notification, Notification.type == "mdf.released") == 1
    assert services.balance(w.org_a.id, stale.quarter).available == 50_000_00  # 150 000 - fresh - filed


def test_manager_closes_an_unclaimed_request(w, client, login):
    r = approved(w, ended_days_ago=-3)
    login(w.manager)
    assert client.post(f"/mdf/manage/requests/{r.id}/close", data={"reason": ""}).status_code == 422
    assert client.post(f"/mdf/manage/requests/{r.id}/close", data={"reason": "Cancelled"}).status_code == 303
    assert kinds(r.id)["release"] == 50_000_00
    assert client.post(f"/mdf/manage/requests/{r.id}/close", data={"reason": "Again"}).status_code == 409
    assert count(MdfEntry, MdfEntry.kind == "release") == 1


def test_adjustment_token_makes_a_double_submit_one_entry(w, client, login):
    import re
    login(w.manager)
    page = client.get(f"/mdf/manage/organisations/{w.org_a.id}").get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', page) or \
        re.search(r'id="token" name="token" type="hidden" value="([0-9a-f]{32})"', page)
    token = token.group(1) if token else re.search(r'value="([0-9a-f]{32})"', page).group(1)
    data = {"quarter": services.quarter_of(services.today()), "direction": "add", "amount": "1000",
            "reason": "bonus", "token": token}
    assert client.post(f"/mdf/manage/organisations/{w.org_a.id}", data=data).status_code == 303
    assert client.post(f"/mdf/manage/organisations/{w.org_a.id}", data=data).status_code == 303
    assert count(MdfEntry, MdfEntry.kind == "adjust") == 1
    assert client.post(f"/mdf/manage/organisations/{w.org_a.id}", data={**data, "token": ""}).status_code == 422
    assert client.post(f"/mdf/manage/organisations/{w.org_a.id}", data={**data, "token": "x'"}).status_code == 422
    assert count(MdfEntry, MdfEntry.kind == "adjust") == 1


def test_deals_read_model_links_and_roi(w, client, login):
    r = approved(w)
    add_deal(w, 601, amount=3_000_000_00, won=2_000_000_00)
    add_deal(w, 602, amount=1_000_000_00)
    add_deal(w, 603, amount=5_000_000_00, org=w.org_b)      # another organisation's: never offered
    add_deal(w, 604, amount=1_000_000_00, days_ago=200)      # long before the activity: not offered
    assert db.session.get(MdfDeal, 601).won_kopecks == 2_000_000_00
    assert [d.deal_id for d in claims.window_deals(r)] == [602, 601]
    login(w.a_member)
    assert client.post(f"/mdf/requests/{r.id}/deals", data={"deals": ["601", "603"]}).status_code == 422
    assert client.post(f"/mdf/requests/{r.id}/deals", data={"deals": ["601", "602"]}).status_code == 303
    c = file(w, r, actual=100_000_00, claimed=50_000_00)
    claims.approve_claim(w.manager, c.id)
    claims.mark_paid(w.manager, c.id, services.today(), "PP-9")
    row = roi.activities(w.org_a.id)[0]
    assert (row.spent, row.deals, row.pipeline, row.won) == (50_000_00, 2, 4_000_000_00, 2_000_000_00)
    assert (row.pipeline_per_rouble, row.won_per_rouble) == (80.0, 40.0)
    page = client.get("/mdf/roi").get_data(as_text=True)
    assert "80.00" in page and "40.00" in page and "Utilisation by quarter" in page
    csv = client.get("/mdf/roi.csv")
    assert csv.status_code == 200 and "CRM webinar" in csv.get_data(as_text=True)
    login(w.b_member)
    assert "CRM webinar" not in client.get("/mdf/roi").get_data(as_text=True)
    assert "CRM webinar" not in client.get("/mdf/roi.csv").get_data(as_text=True)
    login(w.manager)
    page = client.get("/mdf/roi?quarter=" + r.quarter).get_data(as_text=True)
    assert "Utilisation by tier" in page and "Alpha Integration" in page
    use = {u.label: u for u in roi.utilisation_by_tier()}
    assert (use["silver"].allocated, use["silver"].paid) == (150_000_00, 50_000_00)
    assert client.get("/mdf/roi?quarter=bad\x00").status_code in (200, 400)
    assert client.get("/mdf/roi?quarter=2026-Q9").status_code == 422


def test_roi_and_request_pages_have_bounded_queries(w, client, login):
    from sqlalchemy import event as sa_event
    for n in range(6):
        r = approved(w, requested=10_000_00, title=f"Act {n}")
        add_deal(w, 700 + n, won=100_000_00)
        db.session.get(MdfDeal, 700 + n).request_id = r.id
        db.session.commit()
        file(w, r, actual=20_000_00, claimed=10_000_00, deal_ids=[700 + n])
    login(w.manager)
    for path in ("/mdf/roi", f"/mdf/requests/{r.id}", "/mdf/manage"):
        counted = []
        listener = lambda *a, **k: counted.append(1)  # noqa: E731
        sa_event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(path).status_code == 200
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", listener)
        assert len(counted) <= 20, (path, len(counted))


def test_demo_claims_step_makes_each_state_once(w):
    import random

    from hub.core.cli import DemoContext
    from hub.database import utcnow
    from hub.marketing.mdf import demo

    ctx = DemoContext(rng=random.Random(1), today=utcnow().date(), now=utcnow(), echo=lambda _t: None)
    assert demo.demo_claims(ctx) == {"requests": 12}
    db.session.commit()
    assert demo.demo_claims(ctx) is None
    assert set(db.session.scalars(select(MdfClaim.status))) == {"submitted", "approved", "paid", "more_info",
                                                                "rejected"}
    assert set(db.session.scalars(select(MdfRequest.status))) == {"approved", "closed", "released"}
    for org in (w.org_a, w.org_b):
        for quarter, b in services.balances(org.id):
            assert b.available >= 0 and b.committed >= 0, (org, quarter)
    assert count(MdfEntry, MdfEntry.kind == "paid") == 2


def test_release_into_an_ended_quarter_expires_at_once(w):
    r = approved(w)
    later = services.today() + timedelta(days=800)
    assert claims.release_unclaimed(later) == 1
    b = services.balance(w.org_a.id, r.quarter)
    assert (b.committed, b.expired, b.available) == (0, 50_000_00, 100_000_00)
    assert services.expire_ended(later) == 1      # the rest of the ended quarter, once
    assert services.balance(w.org_a.id, r.quarter).available == 0
