"""Unsolved threads remind the asker after `qa.remind_after_days`, once per thread."""
from datetime import timedelta

from hub.community.qa import services
from hub.community.qa.models import QaReminder
from hub.database import utcnow
from hub.extensions import db

from .conftest import ask, count, notes, reply


def _old(thread, days):
    thread.created_at = utcnow() - timedelta(days=days)
    db.session.commit()


def test_the_asker_is_reminded_once(app, w):
    open_thread = ask(w.b_member, title="Unsolved one")
    reply(w.a_member, open_thread)
    solved = ask(w.b_member, title="Solved one")
    services.accept(w.b_member, reply(w.a_member, solved).id)
    quiet = ask(w.b_member, title="Nobody answered")
    fresh = ask(w.b_member, title="Fresh")
    reply(w.a_member, fresh)
    for t in (open_thread, solved, quiet):
        _old(t, 8)
    _old(fresh, 6)
    assert services.remind_unsolved() == 1
    assert services.remind_unsolved() == 0
    result = app.test_cli_runner().invoke(args=["tick"])
    assert result.exit_code == 0 and "0 unsolved-thread reminder(s)" in result.output
    reminders = notes(w.b_member, "qa.unsolved")
    assert len(reminders) == 1 and reminders[0].object_id == open_thread.id
    assert count(QaReminder) == 1


def rules_with(app, tmp_path, **qa):
    """A copy of the program file with a `qa:` section (tests/rewards/test_commissions.py does the same)."""
    from pathlib import Path

    import yaml
    holder = app.extensions["program_rules"]
    data = yaml.safe_load(Path(holder["path"]).read_text(encoding="utf-8"))
    data["qa"] = qa
    path = tmp_path / "program.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    holder["path"], holder["mtime"] = str(path), None


def test_the_days_come_from_the_rules(app, w, tmp_path):
    thread = ask(w.b_member)
    reply(w.a_member, thread)
    _old(thread, 3)
    assert services.remind_unsolved() == 0
    rules_with(app, tmp_path, remind_after_days=2)
    assert services.rules().remind_after_days == 2
    assert services.remind_unsolved() == 1
