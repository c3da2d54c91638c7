"""The Q&A demo: threads in Russian and English in both spaces, with replies from partners and the
vendor's managers, votes, accepted answers (their `answer_accepted` events give points and the
"helpful answer" badge) and one thread left unsolved, old enough for the tick's reminder."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from ... import signals
from ...accounts.models import PARTNER, PARTNER_ROLES, VENDOR_ROLES, Organisation, User
from ...content import render_markdown
from ...core.cli import DemoContext, demo_step
from ...extensions import db
from . import services
from .models import PRIVATE, QaPost, QaThread, QaVote

# (category, title, question, [(who, reply)], accepted reply index or None, days ago)
# who: "vendor" (a manager), "peer" (another partner), "asker" (the person who asked)
THREADS = [
    ("technical", "Как перенести справочники клиентов из 1С в Квант CRM?",
     "Клиент хочет перенести **12 000 контрагентов** из 1С:Бухгалтерии. Есть ли готовый шаблон обмена "
     "или лучше выгружать в CSV?",
     [("vendor", "Есть готовый шаблон обмена: *Администрирование → Импорт → 1С*. Для 12 000 записей "
                 "выгрузка займёт пару минут."),
      ("peer", "Мы делали через CSV, но шаблон удобнее: он сохраняет ИНН и КПП без потери ведущих нулей."),
      ("asker", "Спасибо, попробуем шаблон.")], 1, 21),
    ("sales", "How do you position Kvant CRM against a free CRM?",
     "A prospect in retail says a free CRM is *good enough*. What arguments worked for you?",
     [("peer", "Total cost of ownership: count the integrations they will pay for. Our last two wins were "
               "on the 1C integration alone."),
      ("vendor", "The ROI calculator in the library has a retail preset; it usually ends this discussion.")],
     0, 14),
    ("marketing", "Шаблон письма для приглашения на вебинар",
     "Поделитесь, пожалуйста, шаблоном приглашения клиентов на совместный вебинар.",
     [("vendor", "В библиотеке есть шаблон «Приглашение на вебинар» на русском и английском.")], 0, 10),
    ("general", "Who attends the partner summit this year?",
     "Planning the trip to Moscow — is anyone from Kazan or Novosibirsk going? Could share a car from the airport.",
     [("peer", "We are, from Kazan. Write to me closer to the date.")], None, 3),
    ("technical", "Ошибка синхронизации календаря с Exchange",
     "После обновления у двух клиентов перестал синхронизироваться календарь с Exchange 2016. "
     "Кто-нибудь сталкивался?",
     [("peer", "Было такое: помогло перевыпустить токен приложения в настройках интеграции."),
      ("peer", "У нас тоже, но токен не помог — ждём ответа поддержки.")], None, 12),
    ("roadmap", "Когда появится API для сделок партнёров?",
     "Нашим клиентам нужна выгрузка сделок в их BI. Есть ли сроки по публичному API?",
     [("vendor", "API сделок в бета-версии с следующего квартала; ключевые партнёры получат доступ первыми."),
      ("peer", "Будем рады участвовать в бете.")], 0, 9),
    ("key-accounts", "Joint bid for a federal retail chain",
     "We are bidding for a chain with 300 stores. Is anyone interested in a joint bid (we cover the Volga region)?",
     [("peer", "Interested for Siberia and the Far East — let's talk this week."),
      ("vendor", "The vendor can join the final presentation; register the deal so it is protected.")], 1, 6),
]


@demo_step("community-qa", order=86)
def demo(ctx: DemoContext) -> dict | None:
    if db.session.scalar(select(func.count()).select_from(QaThread)):
        return None
    manager = db.session.scalar(select(User).where(User.role.in_(VENDOR_ROLES)).order_by(User.id))
    people = list(db.session.execute(
        select(User, Organisation).join(Organisation, Organisation.id == User.organisation_id)
        .where(User.role.in_(PARTNER_ROLES), Organisation.kind == PARTNER).order_by(User.id)).all())
    if manager is None or len(people) < 2:
        return {}
    private_tiers = services.rules().private_tiers
    key = [u for u, o in people if o.tier in private_tiers]
    everyone = [u for u, _o in people]
    made = accepted = replies = 0
    for category, title, question, answers, accepted_index, days in THREADS:
        space = services.SPACE_OF[category]
        pool = key if space == PRIVATE else everyone
        if len(pool) < 2:
            continue
        asker, *peers = ctx.rng.sample(pool, min(len(pool), 4))
        start = ctx.now - timedelta(days=days)
        thread = QaThread(space=space, category=category, title=title, user_id=asker.id,
                          organisation_id=asker.organisation_id, created_at=start, last_post_at=start)
        db.session.add(thread)
        db.session.flush()
        db.session.add(QaPost(thread_id=thread.id, user_id=asker.id, organisation_id=asker.organisation_id,
                              is_question=True, body=question, body_html=render_markdown(question), created_at=start))
        posts = []
        for n, (who, text) in enumerate(answers):
            author = {"vendor": manager, "asker": asker}.get(who) or peers[n % len(peers)]
            at = start + timedelta(hours=3 + 5 * n)
            post = QaPost(thread_id=thread.id, user_id=author.id, organisation_id=author.organisation_id, body=text,
                          body_html=render_markdown(text), created_at=at)
            db.session.add(post)
            posts.append((post, author))
            thread.last_post_at = at
        db.session.flush()
        thread.reply_count = len(posts)
        replies += len(posts)
        for post, author in posts:
            voters = [u for u in pool if u.id not in (author.id,)][: ctx.rng.randint(0, 3)]
            for voter in voters:
                db.session.add(QaVote(post_id=post.id, user_id=voter.id, created_at=post.created_at + timedelta(hours=1)))
            post.votes = len(voters)
        if accepted_index is not None:
            post, author = posts[accepted_index]
            when = post.created_at + timedelta(hours=2)
            post.accepted_at, thread.accepted_post_id, thread.solved_at = when, post.id, when
            if author.is_partner and author.id != asker.id:
                signals.answer_accepted.emit(answer_id=post.id, question_id=thread.id, user_id=author.id,
                                             organisation_id=author.organisation_id, accepted_at=when)
            accepted += 1
        made += 1
    return {"threads": made, "replies": replies, "accepted": accepted}
