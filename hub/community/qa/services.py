"""The Q&A rules (SPEC C5): who reads which space, asking, replying, mentions, votes, the accepted
answer, moderation, reports and the reminder for unsolved threads. No `request` here.

Authorisation in one place: every read and write goes through `_thread_for` / `_post_for`, which
raise NotFound both for what does not exist and for what the viewer may not read (a private thread
is not even confirmed to exist to someone outside the space).
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, literal, or_, select, update
from sqlalchemy.orm import joinedload

from ... import search, signals
from ...accounts.models import User
from ...content import render_markdown
from ...core import notifications
from ...database import utcnow, write_intent
from ...extensions import db
from ...program import rules as program_rules
from ...upsert import dialect_insert
from ...web import Page
from . import search_index
from .models import PRIVATE, PUBLIC, SPACES, QaPost, QaReminder, QaReport, QaThread, QaVote

CATEGORIES = {PUBLIC: ("general", "sales", "technical", "marketing"), PRIVATE: ("roadmap", "key-accounts")}
SPACE_OF = {category: space for space, categories in CATEGORIES.items() for category in categories}
MAX_MENTIONS = 10
# "@" + an e-mail address: people have no user names in the hub, their address is what colleagues know.
MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")


class NotFound(Exception):
    """Nothing the viewer may see by that id (absent, or in a space the viewer may not read)."""


class QaError(Exception):
    def __init__(self, message, field: str | None = None, status: int = 409):
        super().__init__(str(message))
        self.message, self.field, self.status = message, field, status


def rules():
    return program_rules.current().qa


@contextmanager
def _writing():
    """A writing transaction; a refused change leaves nothing behind."""
    with write_intent():
        try:
            yield
        except Exception:
            db.session.rollback()
            raise


# --- who reads what ------------------------------------------------------------------------------

def can_read(user, space: str) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or space not in SPACES:
        return False
    if space == PUBLIC or user.is_vendor:
        return True
    org = user.organisation
    return bool(user.is_partner and org is not None and org.tier in rules().private_tiers)


def readable_spaces(user) -> list[str]:
    return [space for space in SPACES if can_read(user, space)]


def is_moderator(user) -> bool:
    return bool(user.is_authenticated and user.is_manager)


def may_accept(user, thread: QaThread) -> bool:
    return is_moderator(user) or (thread.user_id is not None and thread.user_id == user.id)


def search_keys(user) -> tuple[str, ...]:
    """The viewer's access keys for the search index (documents of the private space carry both)."""
    keys = []
    if user.is_vendor:
        keys.append("vendor")
    if can_read(user, PRIVATE):
        keys.append("space:private")
    return tuple(keys)


def _thread_for(user, thread_id: int, lock: bool = False) -> QaThread:
    query = select(QaThread).where(QaThread.id == thread_id)
    if lock:
        # Re-read under the lock: the row may have been loaded (and changed by a racing request) before.
        query = query.with_for_update().execution_options(populate_existing=True)
    thread = db.session.scalar(query)
    if thread is None or not can_read(user, thread.space) or (thread.hidden and not is_moderator(user)):
        raise NotFound(thread_id)
    return thread


def _post_for(user, post_id: int) -> tuple[QaPost, QaThread]:
    post = db.session.get(QaPost, post_id)
    if post is None:
        raise NotFound(post_id)
    thread = _thread_for(user, post.thread_id)
    if post.hidden and not is_moderator(user):
        raise NotFound(post_id)
    return post, thread


def get_thread(user, thread_id: int) -> QaThread:
    return _thread_for(user, thread_id)


def get_post(user, post_id: int) -> tuple[QaPost, QaThread]:
    return _post_for(user, post_id)


# --- reading -------------------------------------------------------------------------------------

def list_threads(user, space: str, category: str | None = None, page: int = 1, per_page: int = 20,
                 unsolved: bool = False) -> Page:
    if not can_read(user, space):
        raise NotFound(space)
    conditions = [QaThread.space == space]
    if category:
        conditions.append(QaThread.category == category)
    if unsolved:
        conditions.append(QaThread.accepted_post_id.is_(None))
    if not is_moderator(user):
        conditions.append(QaThread.hidden.is_(False))
    total = db.session.scalar(select(func.count()).select_from(QaThread).where(*conditions)) or 0
    items = list(db.session.scalars(
        select(QaThread).options(joinedload(QaThread.user)).where(*conditions)
        .order_by(QaThread.last_post_at.desc(), QaThread.id.desc()).limit(per_page).offset((page - 1) * per_page)))
    return Page(items, page, per_page, total)


REPLIES_PER_PAGE = 50


@dataclass
class ThreadView:
    thread: QaThread
    question: QaPost | None
    replies: list[QaPost]
    voted: set[int] = field(default_factory=set)
    reported: set[int] = field(default_factory=set)
    pages: Page | None = None        # the replies' pager: page, total replies, has_next ...


def _reply_conditions(user, thread: QaThread) -> list:
    conditions = [QaPost.thread_id == thread.id, QaPost.is_question.is_(False)]
    if not is_moderator(user):
        conditions.append(QaPost.hidden.is_(False))
    return conditions


def thread_view(user, thread_id: int, page: int = 1, per_page: int = REPLIES_PER_PAGE) -> ThreadView:
    """The thread's question and one page of its replies (the accepted answer first, then by time,
    as discourse-solved shows it under the question), their authors, and the viewer's own votes and
    reports: six queries whatever the number of replies, and a page of a 500-reply thread renders
    50 posts, not 500. A page past the last is NotFound."""
    thread = _thread_for(user, thread_id)
    author = joinedload(QaPost.user).joinedload(User.organisation)
    question = db.session.scalar(select(QaPost).options(author).where(
        QaPost.thread_id == thread.id, QaPost.is_question.is_(True)).order_by(QaPost.id).limit(1))
    if question is not None and question.hidden and not is_moderator(user):
        question = None
    conditions = _reply_conditions(user, thread)
    total = db.session.scalar(select(func.count()).select_from(QaPost).where(*conditions)) or 0
    pages = Page([], page, per_page, total)
    if page > pages.pages:
        raise NotFound(page)
    accepted_first = case((QaPost.id == thread.accepted_post_id, 0), else_=1) if thread.accepted_post_id \
        else literal(1)
    replies = list(db.session.scalars(select(QaPost).options(author).where(*conditions)
                                      .order_by(accepted_first, QaPost.created_at, QaPost.id)
                                      .limit(per_page).offset((page - 1) * per_page)))
    pages.items = replies
    ids = [p.id for p in replies] + ([question.id] if question is not None else [])
    voted = set(db.session.scalars(select(QaVote.post_id).where(QaVote.user_id == user.id, QaVote.post_id.in_(ids)))) \
        if ids else set()
    reported = set(db.session.scalars(select(QaReport.post_id).where(QaReport.user_id == user.id,
                                                                     QaReport.post_id.in_(ids)))) if ids else set()
    return ThreadView(thread, question, replies, voted, reported, pages)


def page_of_reply(user, thread_id: int, post_id: int, per_page: int = REPLIES_PER_PAGE) -> int:
    """The page of the thread on which a reply shows (where to send its author after posting)."""
    thread = _thread_for(user, thread_id)
    post = db.session.get(QaPost, post_id)
    if post is None or post.thread_id != thread.id or post.is_question or post.id == thread.accepted_post_id:
        return 1
    conditions = _reply_conditions(user, thread)
    before = db.session.scalar(select(func.count()).select_from(QaPost).where(
        *conditions, or_(QaPost.created_at < post.created_at,
                         and_(QaPost.created_at == post.created_at, QaPost.id < post.id)))) or 0
    if thread.accepted_post_id and thread.accepted_post_id != post.id:
        accepted = db.session.get(QaPost, thread.accepted_post_id)
        shown = accepted is not None and (not accepted.hidden or is_moderator(user))
        if shown and not (accepted.created_at, accepted.id) < (post.created_at, post.id):
            before += 1       # the accepted answer shows first although it came later
    return before // per_page + 1


# --- writing -------------------------------------------------------------------------------------

def _check_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise QaError(_l("Write something first."), field="body", status=422)
    limit = rules().max_post_chars
    if len(body) > limit:
        raise QaError(_l("At most %(limit)s characters, this text has %(count)s.", limit=limit, count=len(body)),
                      field="body", status=422)
    return body


def mentioned_addresses(body: str) -> list[str]:
    seen: list[str] = []
    for match in MENTION.finditer(body or ""):
        address = match.group(1).lower().rstrip(".")
        if address not in seen:
            seen.append(address)
    return seen[:MAX_MENTIONS]


def _mention(author, thread: QaThread, post: QaPost) -> list[str]:
    """Notify the people the post mentions who can read the thread; the addresses that reached nobody
    are returned (the same for an unknown address and for someone outside the space, so that
    mentions cannot be used to find out who has an account)."""
    addresses = mentioned_addresses(post.body)
    if not addresses:
        return []
    people = {u.email.lower(): u for u in db.session.scalars(
        select(User).options(joinedload(User.organisation)).where(func.lower(User.email).in_(addresses)))}
    missed, reached = [], []
    for address in addresses:
        person = people.get(address)
        if person is None or not person.is_active or not can_read(person, thread.space):
            missed.append(address)
        elif person.id != author.id:
            reached.append(person)
    if reached:
        notifications.send(reached, "qa.mentioned", obj=thread, params={"by": author.name, "thread": thread.title},
                           link_endpoint="qa.thread", link_values={"thread_id": thread.id, "_anchor": f"post-{post.id}"})
    return missed


@dataclass
class Posted:
    thread: QaThread
    post: QaPost
    missed_mentions: list[str]


def ask(user, category: str, title: str, body: str, now: datetime | None = None) -> Posted:
    now = now or utcnow()
    space = SPACE_OF.get(category or "")
    if space is None:
        raise QaError(_l("Choose a category."), field="category", status=422)
    if not can_read(user, space):
        raise NotFound(category)
    title = (title or "").strip()
    if not title:
        raise QaError(_l("Give the question a title."), field="title", status=422)
    body = _check_body(body)
    with _writing():
        thread = QaThread(space=space, category=category, title=title[:200], user_id=user.id,
                          organisation_id=user.organisation_id, created_at=now, last_post_at=now)
        db.session.add(thread)
        db.session.flush()
        post = QaPost(thread_id=thread.id, user_id=user.id, organisation_id=user.organisation_id, is_question=True,
                      body=body, body_html=render_markdown(body), created_at=now)
        db.session.add(post)
        db.session.flush()
        missed = _mention(user, thread, post)
        signals.question_asked.emit(question_id=thread.id, user_id=user.id, organisation_id=user.organisation_id,
                                    private=space == PRIVATE, asked_at=now)
        db.session.commit()
    return Posted(thread, post, missed)


def reply(user, thread_id: int, body: str, now: datetime | None = None) -> Posted:
    now = now or utcnow()
    body = _check_body(body)
    with _writing():
        thread = _thread_for(user, thread_id, lock=True)
        if thread.locked:
            raise QaError(_l("This thread is locked: no new replies."))
        post = QaPost(thread_id=thread.id, user_id=user.id, organisation_id=user.organisation_id, body=body,
                      body_html=render_markdown(body), created_at=now)
        db.session.add(post)
        thread.reply_count = QaThread.reply_count + 1
        thread.last_post_at = now
        db.session.flush()
        missed = _mention(user, thread, post)
        asker = db.session.get(User, thread.user_id) if thread.user_id else None
        if asker is not None and asker.id != user.id and asker.is_active and can_read(asker, thread.space):
            notifications.send([asker], "qa.replied", obj=thread, params={"by": user.name, "thread": thread.title},
                               link_endpoint="qa.thread",
                               link_values={"thread_id": thread.id, "_anchor": f"post-{post.id}"})
        signals.answer_posted.emit(answer_id=post.id, question_id=thread.id, user_id=user.id,
                                   organisation_id=user.organisation_id, question_organisation_id=thread.organisation_id,
                                   by_vendor=bool(user.is_vendor), posted_at=now)
        db.session.commit()
    return Posted(thread, post, missed)


def vote(user, post_id: int, now: datetime | None = None) -> QaPost:
    """One vote per person and reply (the unique key decides under a race); never on one's own post."""
    now = now or utcnow()
    with _writing():
        post, thread = _post_for(user, post_id)
        if post.is_question:
            raise QaError(_l("Only replies are voted on."))
        if post.user_id == user.id:
            raise QaError(_l("You cannot vote for your own reply."))
        added = db.session.execute(dialect_insert(QaVote).values(post_id=post.id, user_id=user.id, created_at=now)
                                   .on_conflict_do_nothing().returning(QaVote.id)).scalar()
        if added is None:
            db.session.rollback()
            raise QaError(_l("You have already voted for this reply."))
        db.session.execute(update(QaPost).where(QaPost.id == post.id).values(votes=QaPost.votes + 1))
        db.session.commit()
    db.session.refresh(post)
    return post


def accept(user, post_id: int, now: datetime | None = None) -> QaThread:
    """The asker (or a manager) marks a reply as the answer. `answer_accepted` goes out each time an
    answer becomes accepted; rewards credits it once per answer (its unique key), so accepting,
    taking back and accepting again gives the points once. Accepting one's own reply, or a vendor's
    reply, gives no points: the event is not sent."""
    now = now or utcnow()
    with _writing():
        post, thread = _post_for(user, post_id)
        if post.is_question:
            raise QaError(_l("Only a reply can be the answer."))
        if not may_accept(user, thread):
            raise QaError(_l("Only the person who asked, or a manager, chooses the answer."), status=403)
        thread = _thread_for(user, thread.id, lock=True)
        if thread.accepted_post_id == post.id:
            db.session.rollback()
            return thread
        if thread.accepted_post_id is not None:
            db.session.execute(update(QaPost).where(QaPost.id == thread.accepted_post_id).values(accepted_at=None))
        post.accepted_at = now
        thread.accepted_post_id = post.id
        thread.solved_at = now
        author = db.session.get(User, post.user_id) if post.user_id else None
        if author is not None and author.is_partner and author.id != thread.user_id:
            signals.answer_accepted.emit(answer_id=post.id, question_id=thread.id, user_id=author.id,
                                         organisation_id=author.organisation_id, accepted_at=now)
        if author is not None and author.id != user.id and author.is_active:
            notifications.send([author], "qa.accepted", obj=thread, params={"thread": thread.title},
                               link_endpoint="qa.thread",
                               link_values={"thread_id": thread.id, "_anchor": f"post-{post.id}"})
        db.session.commit()
    return thread


def unaccept(user, thread_id: int) -> QaThread:
    with _writing():
        thread = _thread_for(user, thread_id, lock=True)
        if not may_accept(user, thread):
            raise QaError(_l("Only the person who asked, or a manager, chooses the answer."), status=403)
        if thread.accepted_post_id is not None:
            db.session.execute(update(QaPost).where(QaPost.id == thread.accepted_post_id).values(accepted_at=None))
        thread.accepted_post_id = None
        thread.solved_at = None
        db.session.commit()
    return thread


def report(user, post_id: int, reason: str, now: datetime | None = None) -> QaReport:
    now = now or utcnow()
    reason = (reason or "").strip()[:500]
    with _writing():
        post, _thread = _post_for(user, post_id)
        if post.user_id == user.id:
            raise QaError(_l("You cannot report your own post."))
        added = db.session.execute(dialect_insert(QaReport).values(post_id=post.id, user_id=user.id, reason=reason,
                                                                   created_at=now).on_conflict_do_nothing()
                                   .returning(QaReport.id)).scalar()
        if added is None:
            db.session.rollback()
            raise QaError(_l("You have already reported this post; a manager will look at it."))
        db.session.commit()
    return db.session.scalar(select(QaReport).where(QaReport.post_id == post_id, QaReport.user_id == user.id))


# --- moderation (managers) -----------------------------------------------------------------------

def _moderator(user) -> None:
    if not is_moderator(user):
        raise NotFound("moderation")


def set_hidden(user, post_id: int, hidden: bool) -> QaPost:
    _moderator(user)
    with _writing():
        post, thread = _post_for(user, post_id)
        post.hidden = hidden
        post.hidden_by_id = user.id if hidden else None
        if post.is_question:
            thread.hidden = hidden
        elif hidden and thread.accepted_post_id == post.id:
            thread.accepted_post_id, thread.solved_at, post.accepted_at = None, None, None
        if hidden:  # hiding answers the reports about the post
            db.session.execute(update(QaReport).where(QaReport.post_id == post.id, QaReport.resolved_at.is_(None))
                               .values(resolved_at=utcnow(), resolved_by_id=user.id))
        db.session.commit()
    return post


def set_locked(user, thread_id: int, locked: bool) -> QaThread:
    _moderator(user)
    with _writing():
        thread = _thread_for(user, thread_id, lock=True)
        thread.locked = locked
        db.session.commit()
    return thread


def move(user, thread_id: int, category: str) -> QaThread:
    """Move to another category; a category of the other space moves the thread into that space."""
    _moderator(user)
    space = SPACE_OF.get(category or "")
    if space is None:
        raise QaError(_l("Choose a category."), field="category", status=422)
    with _writing():
        thread = _thread_for(user, thread_id, lock=True)
        thread.category, thread.space = category, space
        db.session.commit()
    return thread


def report_queue(user, limit: int = 100) -> list[QaReport]:
    _moderator(user)
    return list(db.session.scalars(
        select(QaReport).options(joinedload(QaReport.user), joinedload(QaReport.post).joinedload(QaPost.thread),
                                 joinedload(QaReport.post).joinedload(QaPost.user))
        .where(QaReport.resolved_at.is_(None)).order_by(QaReport.created_at, QaReport.id).limit(limit)))


def resolve_report(user, report_id: int) -> None:
    _moderator(user)
    with _writing():
        found = db.session.get(QaReport, report_id)
        if found is None:
            raise NotFound(report_id)
        if found.resolved_at is None:
            found.resolved_at, found.resolved_by_id = utcnow(), user.id
        db.session.commit()


# --- the reminder for unsolved threads (tick) ----------------------------------------------------

def remind_unsolved(now: datetime | None = None) -> int:
    """Askers of threads open for `remind_after_days` with replies but no accepted answer are
    reminded once per thread: the reminder row's key is the thread (inserted before the notice, in
    the same transaction; a second tick, or a racing one, inserts nothing and sends nothing)."""
    now = now or utcnow()
    cutoff = now - timedelta(days=rules().remind_after_days)
    sent = 0
    with _writing():
        candidates = list(db.session.scalars(
            select(QaThread).options(joinedload(QaThread.user).joinedload(User.organisation)).where(
                QaThread.accepted_post_id.is_(None), QaThread.hidden.is_(False), QaThread.reply_count > 0,
                QaThread.created_at <= cutoff, QaThread.user_id.is_not(None),
                ~select(QaReminder.thread_id).where(QaReminder.thread_id == QaThread.id).exists())
            .order_by(QaThread.id).limit(1000)))
        for thread in candidates:
            added = db.session.execute(dialect_insert(QaReminder).values(thread_id=thread.id, sent_at=now)
                                       .on_conflict_do_nothing().returning(QaReminder.thread_id)).scalar()
            asker = thread.user
            if added is None or asker is None or not asker.is_active or not can_read(asker, thread.space):
                continue
            notifications.send([asker], "qa.unsolved", obj=thread,
                               params={"thread": thread.title, "replies": thread.reply_count},
                               link_endpoint="qa.thread", link_values={"thread_id": thread.id})
            sent += 1
        db.session.commit()
    return sent


# --- search --------------------------------------------------------------------------------------

@dataclass
class SearchPage:
    page: Page
    entries: list  # (thread, hit)
    corrected: str | None = None
    suggestion: str | None = None
    unavailable: bool = False


def search_threads(user, text: str, space: str | None = None, page: int = 1, locale: str = "ru",
                   per_page: int = 20) -> SearchPage:
    """Threads matching the words, in the spaces the viewer reads (asking for a space one may not
    read is NotFound, as for its list)."""
    if space and not can_read(user, space):
        raise NotFound(space)
    query = search.SearchQuery(text=(text or "").strip()[:200], filters={"space": space} if space else {},
                               page=page, per_page=per_page, locale=locale, keys=search_keys(user))
    unavailable = False
    try:
        result = search.search(search_index.NAME, query)
    except search.SearchUnavailable:
        unavailable = True
        try:
            result = search.browse(search_index.NAME, query)
        except Exception:  # the database itself failing: still a page that says so
            db.session.rollback()
            result = search.SearchResult(hits=[], total=0, counts={}, query=query)
    ids = [hit.id for hit in result.hits]
    spaces = readable_spaces(user)
    threads = {t.id: t for t in db.session.scalars(
        select(QaThread).options(joinedload(QaThread.user))
        .where(QaThread.id.in_(ids), QaThread.space.in_(spaces), QaThread.hidden.is_(False)))} if ids else {}
    # A second check on the rows: a hit the index still holds from before a move is never shown.
    entries = [(threads[hit.id], hit) for hit in result.hits if hit.id in threads]
    return SearchPage(Page(entries, page, per_page, result.total), entries, result.corrected, result.suggestion,
                      unavailable)
