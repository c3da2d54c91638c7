"""Co-branded material through the pages: the catalogue and preview for every partner role, the PDF
download counted per organisation (one row per download), the managers' counts and CSV, custom
requests from ask to delivery, and every unhappy path (other organisation: 404; bad input: a message
next to the field, nothing saved, never a 500)."""
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from hub import facts
from hub.core.models import Notification
from hub.database import utcnow
from hub.extensions import db
from hub.marketing.cobrand import services
from hub.marketing.cobrand.models import DECLINED, DELIVERED, IN_PROGRESS, NEW, CobrandDownload, CobrandRequest
from hub.marketing.cobrand.public import downloads_of

from .conftest import ORG_NAME, pdf_text, png, request_form, set_logo

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def download_link(client, slug, **args) -> str:
    """The preview page's "Download PDF" link for these contacts (it carries them signed)."""
    html = client.get(f"/cobrand/t/{slug}", query_string=args).get_data(as_text=True)
    match = re.search(r'id="cobrand-download" href="([^"]+)"', html)
    assert match, "no download link"
    return match.group(1).replace("&amp;", "&")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- catalogue and preview ---------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["a_member", "a_admin"])
def test_every_partner_role_browses_the_catalogue(client, login, w, who):
    login(getattr(w, who))
    html = client.get("/cobrand/").get_data(as_text=True)
    for title in ("Kvant CRM one-pager", "Kvant platform brochure", "Kvant Analytics e-mail banner",
                  "Kvant Service Desk seminar invitation"):
        assert title in html
    assert "2 pages" in html


def test_managers_and_visitors_do_not_get_the_partner_catalogue(client, login, w):
    assert client.get("/cobrand/").status_code in (302, 303)
    login(w.manager)
    assert client.get("/cobrand/").status_code == 403


def test_preview_shows_the_stamp_and_links_the_pdf(client, login, w):
    set_logo(w.org_a)
    login(w.a_member)
    response = client.get("/cobrand/t/one-pager-crm")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ORG_NAME.replace("«", "&laquo;") in html or ORG_NAME in html or "Альфа Интеграция" in html
    assert "member@alpha.test" in html and "alpha.example.test" in html  # defaults: the user and the profile
    assert 'src="data:image/png;base64,' in html
    assert "/cobrand/t/one-pager-crm/pdf?" in html
    assert "/cobrand/assets/one-pager-crm/style.css" in html
    assert count(CobrandDownload) == 0  # a preview is not a download


def test_preview_with_chosen_contacts_plain_and_htmx(client, login, w):
    login(w.a_member)
    args = {"lang": "ru", "person": "<b>Алла</b>", "phone": "+7 (495) 123-45-67", "email": "sales@alpha.test",
            "website": "alpha.example.test"}
    html = client.get("/cobrand/t/one-pager-crm", query_string=args).get_data(as_text=True)
    assert "Все продажи — в одном окне" in html and "&lt;b&gt;Алла&lt;/b&gt;" in html and "<b>Алла</b>" not in html
    assert "<nav" in html
    response = client.get("/cobrand/t/one-pager-crm", query_string=args,
                          headers={"HX-Request": "true", "HX-Target": "cobrand-preview"})
    part = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="cobrand-preview"' in part and "<nav" not in part
    assert "sales%40alpha.test" in part or "sales@alpha.test" in part
    assert response.headers["Vary"].count("HX-Request")


@pytest.mark.parametrize("field, value", [("phone", "call me <now>"), ("email", "not-an-email"),
                                          ("person", "x" * 121), ("website", "a\x01b"), ("details", "x" * 501),
                                          ("person", "bad\x00nul")])
def test_bad_contacts_are_refused_next_to_the_field(client, login, w, field, value):
    login(w.a_member)
    for path in ("/cobrand/t/one-pager-crm", "/cobrand/t/invitation-servicedesk/pdf"):
        response = client.get(path, query_string={"lang": "en", field: value})
        assert response.status_code in (400, 422), (path, response.status_code)
        if response.status_code == 422:
            assert 'class="error"' in response.get_data(as_text=True)
    assert count(CobrandDownload) == 0


def test_a_tampered_or_foreign_download_link_is_refused(client, login, w):
    login(w.a_member)
    link = download_link(client, "one-pager-crm", lang="en", phone="+7 900 000-00-00")
    token = link.split("s=", 1)[1]
    payload, mac = token.rsplit(".", 1)
    import base64
    import json
    forged = base64.urlsafe_b64encode(json.dumps({"lang": "en", "person": "<b>x</b>" * 50}).encode()).decode()
    for bad in (f"{forged}.{mac}", f"{payload}.{'0' * 32}", "-1", "9" * 40, payload, "", "a.b.c"):
        response = client.get("/cobrand/t/one-pager-crm/pdf", query_string={"s": bad})
        assert response.status_code == 400, bad
        assert "This download link is not valid" in response.get_data(as_text=True)
    assert client.get("/cobrand/t/one-pager-crm/pdf", query_string=[("s", token), ("s", token)]).status_code == 400
    assert count(CobrandDownload) == 0
    assert client.get(link).status_code == 200
    assert count(CobrandDownload) == 1


def test_unknown_template_is_404(client, login, w):
    login(w.a_member)
    for path in ("/cobrand/t/nope", "/cobrand/t/nope/pdf", "/cobrand/t/..%2F..%2Fetc/pdf"):
        assert client.get(path).status_code == 404


def test_assets_serve_styles_only_from_the_templates_folder(client, login, w):
    login(w.a_member)
    response = client.get("/cobrand/assets/one-pager-crm/style.css")
    assert response.status_code == 200 and response.mimetype == "text/css"
    response.close()
    for name in ("one-pager-crm/template.yml", "one-pager-crm/template.html", "../program.yml",
                 "..%2F..%2Fhub%2Fconfig.py", "%2Fetc%2Fpasswd", "_shared/../../program.yml"):
        response = client.get(f"/cobrand/assets/{name}")
        assert response.status_code in (404, 308), name  # 308: Werkzeug merging the slashes of "//etc"
        assert b"root:" not in response.data and b"kind:" not in response.data


# --- downloads ---------------------------------------------------------------------------------------

def test_download_is_a_pdf_counted_per_event(client, login, w):
    set_logo(w.org_a)
    login(w.a_member)
    link = download_link(client, "brochure-platform", lang="ru", phone="+7 900 000-00-00")
    assert link.startswith("/cobrand/t/brochure-platform/pdf?s=")
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"%PDF-")
    text = pdf_text(response.data)
    assert "Альфа Интеграция" in text and "+7 900 000-00-00" in text
    client.get("/cobrand/t/brochure-platform/pdf")  # the same person again (defaults): a second download event
    login(w.b_member)
    client.get(download_link(client, "email-banner-analytics", lang="en"))
    rows = db.session.scalars(select(CobrandDownload).order_by(CobrandDownload.id)).all()
    assert [(r.organisation_id, r.template, r.language) for r in rows] == [
        (w.org_a.id, "brochure-platform", "ru"), (w.org_a.id, "brochure-platform", "en"),
        (w.org_b.id, "email-banner-analytics", "en")]
    now = utcnow()
    assert downloads_of(w.org_a.id, now - timedelta(hours=1), now + timedelta(hours=1)) == {"brochure-platform": 2}
    assert downloads_of(w.org_a.id, now + timedelta(hours=1), now + timedelta(days=1)) == {}
    assert facts.get("cobrand_downloads", w.org_b.id, now - timedelta(hours=1), now + timedelta(hours=1)) == {
        "total": 1, "by_template": {"email-banner-analytics": 1}}


def test_managers_see_counts_per_template_and_organisation_and_csv(client, login, w):
    now = datetime.now(timezone.utc)
    for org, slug, n in ((w.org_a, "one-pager-crm", 3), (w.org_b, "one-pager-crm", 1), (w.org_b, "brochure-platform", 2)):
        for _ in range(n):
            db.session.add(CobrandDownload(organisation_id=org.id, template=slug, language="ru", created_at=now))
    db.session.commit()
    login(w.manager)
    html = client.get("/cobrand/manage").get_data(as_text=True)
    assert "Co-branded requests" in html and ">4<" in html  # the one-pager, 3 + 1
    html = client.get("/cobrand/manage/downloads").get_data(as_text=True)
    assert ORG_NAME in html and "Beta Distribution" in html
    csv = client.get("/cobrand/manage/downloads.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    text = csv.data.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("Template")
    assert any("Kvant CRM one-pager" in line and ORG_NAME in line and "3" in line for line in lines)
    assert len(lines) == 4
    login(w.a_admin)
    assert client.get("/cobrand/manage/downloads.csv").status_code == 403
    assert client.get("/cobrand/manage/downloads").status_code == 403


def test_pages_make_a_bounded_number_of_queries(client, login, w, count_queries):
    def make(n):
        for i in range(n):
            db.session.add(CobrandRequest(organisation_id=w.org_a.id if i % 2 else w.org_b.id, user_id=w.a_member.id,
                                          template="one-pager-crm", description="", deadline=utcnow().date(),
                                          notes="", status=NEW, due_on=utcnow().date(), decline_reason=""))
            db.session.add(CobrandDownload(organisation_id=w.org_a.id, template="one-pager-crm", language="ru"))
        db.session.commit()
    counts = {}
    for n in (2, 12):
        make(n)
        for who, path in ((w.manager, "/cobrand/manage"), (w.manager, "/cobrand/manage/downloads"),
                          (w.a_member, "/cobrand/")):
            login(who)
            with count_queries() as counter:
                assert client.get(path).status_code == 200
            counts.setdefault(path, []).append(counter.count)
    for path, (small, large) in counts.items():
        assert large == small, (path, small, large)


# --- custom requests ---------------------------------------------------------------------------------

def test_a_custom_piece_from_ask_to_delivery(client, login, w):
    login(w.a_member)
    response = client.post("/cobrand/requests/new", data={
        **request_form(), "logo": (io.BytesIO(png()), "bank.png")}, content_type="multipart/form-data")
    assert response.status_code == 303
    item = db.session.scalars(select(CobrandRequest)).one()
    assert (item.status, item.organisation_id, item.template) == (NEW, w.org_a.id, "one-pager-crm")
    assert item.due_on == utcnow().date() + timedelta(days=5)  # the rules' default SLA
    assert item.logo_sha256
    told = db.session.scalars(select(Notification).where(Notification.type == "cobrand.requested")).all()
    assert {n.user_id for n in told} == {w.manager.id, w.manager2.id}
    logo = client.get(f"/cobrand/requests/{item.id}/logo")
    assert logo.status_code == 200 and logo.mimetype == "image/png"
    logo.close()

    login(w.manager)
    html = client.get("/cobrand/manage").get_data(as_text=True)
    assert ORG_NAME in html and "Kvant CRM one-pager" in html
    assert client.post(f"/cobrand/manage/requests/{item.id}/decision", data={"decision": "in_progress"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(CobrandRequest, item.id).status == IN_PROGRESS
    response = client.post(f"/cobrand/manage/requests/{item.id}/deliver",
                           data={"file": (io.BytesIO(PDF), "alpha one-pager.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 303
    db.session.expire_all()
    item = db.session.get(CobrandRequest, item.id)
    assert item.status == DELIVERED and item.file_name.endswith(".pdf") and item.delivered_at
    note = db.session.scalars(select(Notification).where(Notification.type == "cobrand.delivered")).all()
    assert {n.user_id for n in note} == {w.a_member.id, w.a_admin.id}
    assert note[0].link == f"/cobrand/requests/{item.id}"

    login(w.a_member)
    html = client.get(f"/cobrand/requests/{item.id}").get_data(as_text=True)
    assert "Delivered" in html and f"/cobrand/requests/{item.id}/file" in html
    got = client.get(f"/cobrand/requests/{item.id}/file")
    assert got.status_code == 200 and got.data == PDF and got.mimetype == "application/pdf"
    got.close()

    # another organisation sees none of it
    login(w.b_admin)
    for path in (f"/cobrand/requests/{item.id}", f"/cobrand/requests/{item.id}/file", f"/cobrand/requests/{item.id}/logo",
                 f"/files/cobrand-delivery/{item.id}", f"/files/cobrand-request-logo/{item.id}"):
        assert client.get(path).status_code == 404, path
    assert ORG_NAME not in client.get("/cobrand/").get_data(as_text=True)


def test_overdue_is_flagged_for_managers(client, login, w):
    asked = utcnow() - timedelta(days=9)
    db.session.add(CobrandRequest(organisation_id=w.org_a.id, user_id=w.a_member.id, template=None,
                                  description="A roll-up banner", deadline=utcnow().date() + timedelta(days=2),
                                  notes="", status=NEW, due_on=asked.date() + timedelta(days=5), created_at=asked,
                                  decline_reason=""))
    db.session.commit()
    login(w.manager)
    html = client.get("/cobrand/manage").get_data(as_text=True)
    assert "A roll-up banner" in html and "Overdue" in html


def test_sla_comes_from_the_rules(app, w, monkeypatch):
    class Rules:
        sla_days = 2
    monkeypatch.setattr(services, "rules", lambda: Rules())
    item = services.submit_request(w.a_member, {"template": None, "description": "A poster",
                                                "deadline": utcnow().date() + timedelta(days=3), "notes": ""})
    assert item.due_on == utcnow().date() + timedelta(days=2)


@pytest.mark.parametrize("changes, field", [
    ({"deadline": (utcnow().date() - timedelta(days=1)).isoformat()}, "deadline"),
    ({"deadline": "9999-12-31"}, "deadline"),
    ({"deadline": ""}, "deadline"),
    ({"notes": "x" * 4001}, "notes"),
    ({"description": "x" * 2001}, "description"),
    ({"description": "bad\x00byte"}, "description"),
    ({"template": "", "description": "  "}, "description"),
    ({"template": "no-such-template"}, "template"),
])
def test_bad_requests_save_nothing(client, login, w, changes, field):
    login(w.a_member)
    response = client.post("/cobrand/requests/new", data=request_form(**changes))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="field-{field}"' in html and 'class="error"' in html
    assert count(CobrandRequest) == 0


@pytest.mark.parametrize("content, name", [(b"just some text", "logo.png"), (PDF, "logo.jpg"),
                                           (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.svg"),
                                           (png() + b"\0" * 2048, "big.png")])
def test_a_logo_that_is_not_an_image_or_too_large_is_refused(client, login, w, content, name, monkeypatch):
    from hub import files
    from hub.accounts import profile
    monkeypatch.setattr(profile, "LOGO", files.UploadRule(types=("png", "jpeg"), max_bytes=1024))  # small upload
    login(w.a_member)
    response = client.post("/cobrand/requests/new", data={**request_form(), "logo": (io.BytesIO(content), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="field-logo"' in html and ("not of an accepted type" in html or "too large" in html)
    assert count(CobrandRequest) == 0


def test_decline_needs_a_reason_then_notifies_and_is_final(client, login, w):
    item = services.submit_request(w.a_member, {"template": "brochure-platform", "description": "",
                                                "deadline": utcnow().date() + timedelta(days=3), "notes": ""})
    login(w.manager)
    path = f"/cobrand/manage/requests/{item.id}/decision"
    response = client.post(path, data={"decision": "declined", "reason": ""})
    assert response.status_code == 422 and "Say why" in response.get_data(as_text=True)
    assert client.post(path, data={"decision": "declined", "reason": "Use the standard brochure"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(CobrandRequest, item.id).status == DECLINED
    assert db.session.scalars(select(Notification).where(Notification.type == "cobrand.declined",
                                                         Notification.user_id == w.a_member.id)).one()
    # decided once: a second decision or a delivery is refused, nothing changes
    assert client.post(path, data={"decision": "in_progress"}).status_code == 409
    response = client.post(f"/cobrand/manage/requests/{item.id}/deliver", data={"file": (io.BytesIO(PDF), "x.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(CobrandRequest, item.id).status == DECLINED
    login(w.a_member)
    assert client.get(f"/cobrand/requests/{item.id}/file").status_code == 404


def test_delivery_refuses_a_wrong_file(client, login, w):
    item = services.submit_request(w.a_member, {"template": None, "description": "A poster",
                                                "deadline": utcnow().date() + timedelta(days=3), "notes": ""})
    login(w.manager)
    for data in ({}, {"file": (io.BytesIO(b"MZ\x90\x00 an exe"), "piece.pdf")}):
        response = client.post(f"/cobrand/manage/requests/{item.id}/deliver", data=data, content_type="multipart/form-data")
        assert response.status_code == 422
        assert 'id="field-file"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CobrandRequest, item.id).status == NEW


def test_partners_cannot_manage_and_ids_out_of_range_are_404(client, login, w):
    item = services.submit_request(w.a_member, {"template": None, "description": "A poster",
                                                "deadline": utcnow().date() + timedelta(days=3), "notes": ""})
    login(w.a_admin)
    assert client.get(f"/cobrand/manage/requests/{item.id}").status_code == 403
    assert client.post(f"/cobrand/manage/requests/{item.id}/decision", data={"decision": "declined",
                                                                             "reason": "x"}).status_code == 403
    for rid in ("99999", str(2**31), str(2**63), "9" * 40):
        assert client.get(f"/cobrand/requests/{rid}").status_code == 404
    login(w.manager)
    assert client.get(f"/cobrand/manage/requests/{item.id}").status_code == 200
    assert client.get("/cobrand/manage/requests/99999").status_code == 404


def test_new_request_form_preselects_a_template(client, login, w):
    login(w.a_member)
    html = client.get("/cobrand/requests/new", query_string={"template": "brochure-platform"}).get_data(as_text=True)
    assert 'value="brochure-platform" selected' in html or 'selected value="brochure-platform"' in html
    assert client.get("/cobrand/requests/new", query_string={"template": "../x"}).status_code == 200
