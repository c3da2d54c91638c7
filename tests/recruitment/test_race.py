"""Once only: 6 simultaneous approvals of one qualified application (threads through the app, two managers)
make one organisation and one invitation; 6 simultaneous applications for one INN keep one. On SQLite and
PostgreSQL (the application row is locked; the open INN is unique)."""
from sqlalchemy import select

from hub.accounts.models import Invitation, Organisation
from hub.extensions import db
from hub.recruitment import services
from hub.recruitment.models import APPROVED, Application
from hub.recruitment.rules import CHECKLIST
from tests.race import login_key, post_together, statuses

from .conftest import INN, count, form_data, values

N = 6


def test_racing_approvals_make_one_organisation(app, w):
    application = services.submit(values())
    services.qualify(w.manager, application.id, list(CHECKLIST))
    keys = [login_key(m) for m in (w.manager.id, w.manager2.id)]
    path = f"/recruitment/applications/{application.id}/approve"
    application_id = application.id
    answers = post_together(app, [(keys[n % 2], path, {"segment": "sales"}) for n in range(N)])
    assert statuses(answers) == [303] + [409] * (N - 1)
    db.session.expire_all()
    assert db.session.get(Application, application_id).status == APPROVED
    assert count(Organisation, Organisation.inn == INN) == 1
    assert count(Invitation) == 1


def test_racing_applications_for_one_inn_keep_one(app, w):
    answers = post_together(app, [(None, "/recruitment/apply", form_data(contact_email=f"p{n}@new-partner.example"))
                                  for n in range(N)])
    assert statuses(answers) == [303] + [422] * (N - 1)
    assert count(Application) == 1
    assert db.session.scalar(select(Application)).open_inn == INN
