"""Once-only beta sign-up: 6 people of one organisation press "Sign up" at the same moment (threads
through the app, each its own request and session); exactly one sign-up is stored, the others are
told the organisation is already signed up. On SQLite and PostgreSQL (the unique key decides)."""
from datetime import timedelta

from sqlalchemy import func, select

from hub.community.care import services
from hub.community.care.models import CareBeta, CareBetaSignup
from hub.extensions import db
from tests import factories
from tests.race import login_key, post_together, statuses

N = 6


def test_racing_sign_ups_store_one(app, w):
    beta = CareBeta(title="Beta", description="Early", tiers="gold", created_by_id=w.manager.id,
                    signup_closes_on=services.today() + timedelta(days=5))
    db.session.add(beta)
    people = [w.a_admin, w.a_member] + [factories.create_user(w.org_a, "member", f"p{n}@alpha.test")
                                        for n in range(N - 2)]
    db.session.commit()
    beta_id = beta.id
    keys = [login_key(p.id) for p in people]
    answers = post_together(app, [(key, f"/care/betas/{beta_id}/signup", None) for key in keys])
    assert statuses(answers) == [303] + [409] * (N - 1)
    assert all("already signed up" in a.text for a in answers if a.status == 409)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(CareBetaSignup)) == 1
