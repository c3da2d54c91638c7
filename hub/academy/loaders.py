"""`flask --app hub content load` for the academy: content/academy/ and content/onboarding.yml.

Everything is read and validated before anything is written; an error names the file, the key and
the problem (format: content/academy/README.md). Rows are upserted by slug, compared by checksum, and
rows whose files are gone are removed (progress on a removed lesson goes with it; attempts and
certificates refer to slugs and stay).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import click
import yaml
from sqlalchemy import select

from ..content import ContentError, checksum, read_document, render_markdown
from ..content.sync import new_counts, remove_missing, upsert_by_slug
from ..core.cli import content_loader
from ..database import utcnow, write_intent
from ..extensions import db
from .models import Course, Lesson, OnboardingStepDef, Quiz, Track, TrackCourse

LANGS = ("ru", "en")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
QUIZ_SETTINGS = ("time_limit_minutes", "pass_percent", "questions_per_attempt", "max_attempts",
                 "cooldown_hours", "late_grace_seconds")
DONE_BY_FIXED = ("manual", "profile_completed", "team_invited", "first_deal_registered", "first_deal_won")


@dataclass
class Source:
    tracks: dict[str, dict] = field(default_factory=dict)
    courses: dict[str, dict] = field(default_factory=dict)
    quizzes: dict[str, dict] = field(default_factory=dict)
    steps: list[dict] = field(default_factory=list)
    ttfd_target_days: int | None = None


# --- reading and validating --------------------------------------------------------------------

def _yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ContentError(path, "is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        raise ContentError(path, f"is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ContentError(path, "must be a mapping of keys to values")
    return data


def _keys(path: Path, where: str, data: dict, required: set[str], optional: set[str] = frozenset()) -> None:
    prefix = f"{where}: " if where else ""
    for key in sorted(required):
        if key not in data:
            raise ContentError(path, f"{prefix}key '{key}' is required")
    unknown = sorted(set(data) - required - set(optional), key=str)
    if unknown:
        raise ContentError(path, f"{prefix}unknown key '{unknown[0]}' (known: "
                                 f"{', '.join(sorted(required | set(optional)))})")


def _text(path: Path, key: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ContentError(path, f"'{key}' must be bilingual text: {{ru: ..., en: ...}}")
    unknown = set(value) - set(LANGS)
    if unknown:
        raise ContentError(path, f"'{key}' has an unknown language {sorted(map(str, unknown))[0]!r}")
    out = {}
    for lang in LANGS:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            raise ContentError(path, f"'{key}.{lang}' is required and must be non-empty text")
        out[lang] = text.strip()
    return out


def _int(path: Path, key: str, value: Any, minimum: int, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ContentError(path, f"'{key}' must be a whole number, got {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise ContentError(path, f"'{key}' must be {bound}, got {value}")
    return value


def _slug(path: Path, key: str, value: Any) -> str:
    if not isinstance(value, str) or not SLUG.fullmatch(value):
        raise ContentError(path, f"'{key}' must be a slug (lower-case letters, digits, dashes), got {value!r}")
    return value


def _file_slug(path: Path, name: str) -> str:
    if not SLUG.fullmatch(name):
        raise ContentError(path, "the file or folder name is the slug: lower-case letters, digits and dashes")
    return name


def read_quiz(path: Path) -> dict:
    slug = _file_slug(path, path.stem)
    data = _yaml(path)
    _keys(path, "", data, {"title", *QUIZ_SETTINGS, "show_correct_answers", "questions"})
    quiz: dict[str, Any] = {"slug": slug, "title": _text(path, "title", data["title"])}
    for key in QUIZ_SETTINGS:
        minimum = 1 if key in ("time_limit_minutes", "questions_per_attempt", "pass_percent") else 0
        quiz[key] = _int(path, key, data[key], minimum, 100 if key == "pass_percent" else None)
    if not isinstance(data["show_correct_answers"], bool):
        raise ContentError(path, "'show_correct_answers' must be true or false")
    quiz["show_correct_answers"] = data["show_correct_answers"]
    bank = data["questions"]
    if not isinstance(bank, list) or not bank:
        raise ContentError(path, "'questions' must be a non-empty list")
    questions, seen = [], set()
    for n, q in enumerate(bank, 1):
        where = f"questions[{n}]"
        if not isinstance(q, dict):
            raise ContentError(path, f"{where} must be a mapping")
        _keys(path, where, q, {"id", "type", "text", "options", "explanation"})
        qid = _slug(path, f"{where}.id", q["id"])
        where = f"question '{qid}'"
        if qid in seen:
            raise ContentError(path, f"{where}: the id is used twice")
        seen.add(qid)
        if q["type"] not in ("single", "multiple"):
            raise ContentError(path, f"{where}: 'type' must be single or multiple, got {q['type']!r}")
        options = q["options"]
        if not isinstance(options, list) or not 3 <= len(options) <= 5:
            raise ContentError(path, f"{where}: 'options' must be a list of 3 to 5 options")
        opts, oids = [], set()
        for m, o in enumerate(options, 1):
            if not isinstance(o, dict):
                raise ContentError(path, f"{where}: option {m} must be a mapping")
            _keys(path, f"{where}, option {m}", o, {"id", "text"}, {"correct"})
            oid = _slug(path, f"{where}, option {m}: id", str(o["id"]) if isinstance(o["id"], (str, int)) else o["id"])
            if oid in oids:
                raise ContentError(path, f"{where}: option id '{oid}' is used twice")
            oids.add(oid)
            if "correct" in o and o["correct"] is not True:
                raise ContentError(path, f"{where}, option '{oid}': 'correct' is either true or absent")
            opts.append({"id": oid, "text": _text(path, f"{where}, option '{oid}': text", o["text"]),
                         "correct": o.get("correct") is True})
        right = sum(o["correct"] for o in opts)
        if q["type"] == "single" and right != 1:
            raise ContentError(path, f"{where}: a single-choice question has exactly one correct option, found {right}")
        if q["type"] == "multiple" and not (right >= 2 and right < len(opts)):
            raise ContentError(path, f"{where}: a multiple-choice question has at least two correct options "
                                     f"and at least one wrong one, found {right} of {len(opts)}")
        questions.append({"id": qid, "type": q["type"], "text": _text(path, f"{where}: text", q["text"]),
                          "options": opts, "explanation": _text(path, f"{where}: explanation", q["explanation"])})
    if quiz["questions_per_attempt"] > len(questions):
        raise ContentError(path, f"'questions_per_attempt' ({quiz['questions_per_attempt']}) is more than the "
                                 f"{len(questions)} questions in the bank")
    quiz["questions"] = questions
    quiz["checksum"] = checksum(path.read_text(encoding="utf-8"))
    return quiz


def read_course(folder: Path) -> dict:
    slug = _file_slug(folder, folder.name)
    path = folder / "course.yml"
    if not path.is_file():
        raise ContentError(folder, "a course folder needs a course.yml")
    data = _yaml(path)
    _keys(path, "", data, {"title", "summary", "lessons"}, {"quiz"})
    course: dict[str, Any] = {"slug": slug, "title": _text(path, "title", data["title"]),
                              "summary": _text(path, "summary", data["summary"]), "quiz": None}
    if "quiz" in data and data["quiz"] is not None:
        course["quiz"] = _slug(path, "quiz", data["quiz"])
    lessons = data["lessons"]
    if not isinstance(lessons, list) or not lessons:
        raise ContentError(path, "'lessons' must be a non-empty list of lesson slugs")
    listed = []
    for n, lesson in enumerate(lessons, 1):
        lesson = _slug(path, f"lessons[{n}]", lesson)
        if lesson in listed:
            raise ContentError(path, f"'lessons': '{lesson}' is listed twice")
        listed.append(lesson)
    files: dict[str, dict[str, Path]] = {}
    for file in sorted(folder.iterdir()):
        if file.name == "course.yml" or file.name.startswith("."):
            continue
        match = re.fullmatch(r"(?P<slug>.+)\.(?P<lang>[a-z]{2})\.md", file.name)
        if not match or match["lang"] not in LANGS or not SLUG.fullmatch(match["slug"]):
            raise ContentError(file, "a lesson file is named <lesson>.ru.md or <lesson>.en.md")
        if match["slug"] not in listed:
            raise ContentError(file, f"lesson '{match['slug']}' is not listed in {path.name} 'lessons'")
        files.setdefault(match["slug"], {})[match["lang"]] = file
    out = []
    for position, lesson in enumerate(listed, 1):
        docs = {}
        for lang in LANGS:
            file = files.get(lesson, {}).get(lang)
            if file is None:
                raise ContentError(path, f"'lessons': '{lesson}' has no {lesson}.{lang}.md in {folder.name}/")
            doc = read_document(file)
            _keys(file, "front matter", doc.meta, {"title", "minutes"})
            if not isinstance(doc.meta["title"], str) or not doc.meta["title"].strip():
                raise ContentError(file, "front matter 'title' must be non-empty text")
            _int(file, "minutes", doc.meta["minutes"], 1)
            if not doc.body.strip():
                raise ContentError(file, "the lesson has no text after the front matter")
            docs[lang] = doc
        minutes = {docs[lang].meta["minutes"] for lang in LANGS}
        if len(minutes) > 1:
            raise ContentError(files[lesson]["en"], f"'minutes' differs between the ru and en files: {sorted(minutes)}")
        out.append({"slug": lesson, "position": position, "minutes": minutes.pop(),
                    "title": {lang: docs[lang].meta["title"].strip() for lang in LANGS},
                    "body": {lang: docs[lang].body for lang in LANGS},
                    "checksum": checksum(*(docs[lang].raw for lang in LANGS))})
    course["lessons"] = out
    course["checksum"] = checksum(path.read_text(encoding="utf-8"))
    return course


def read_track(path: Path) -> dict:
    slug = _file_slug(path, path.stem)
    data = _yaml(path)
    _keys(path, "", data, {"title", "summary", "order", "validity_months", "courses", "final_exam"})
    courses = data["courses"]
    if not isinstance(courses, list) or not courses:
        raise ContentError(path, "'courses' must be a non-empty list of course slugs")
    listed = []
    for n, course in enumerate(courses, 1):
        course = _slug(path, f"courses[{n}]", course)
        if course in listed:
            raise ContentError(path, f"'courses': '{course}' is listed twice")
        listed.append(course)
    return {"slug": slug, "title": _text(path, "title", data["title"]),
            "summary": _text(path, "summary", data["summary"]), "order": _int(path, "order", data["order"], 0),
            "validity_months": _int(path, "validity_months", data["validity_months"], 1),
            "courses": listed, "final_exam": _slug(path, "final_exam", data["final_exam"]),
            "checksum": checksum(path.read_text(encoding="utf-8")), "path": path}


def read_onboarding(path: Path, tracks: set[str]) -> tuple[int, list[dict]]:
    data = _yaml(path)
    _keys(path, "", data, {"ttfd_target_days", "steps"})
    target = _int(path, "ttfd_target_days", data["ttfd_target_days"], 1)
    steps = data["steps"]
    if not isinstance(steps, list) or not steps:
        raise ContentError(path, "'steps' must be a non-empty list")
    out, seen, last_day = [], set(), 0
    for n, step in enumerate(steps, 1):
        if not isinstance(step, dict):
            raise ContentError(path, f"steps[{n}] must be a mapping")
        _keys(path, f"steps[{n}]", step, {"id", "title", "description", "due_day", "done_by"})
        sid = _slug(path, f"steps[{n}].id", step["id"])
        if sid in seen:
            raise ContentError(path, f"step '{sid}': the id is used twice")
        seen.add(sid)
        day = _int(path, f"step '{sid}': due_day", step["due_day"], 1, target)
        if day < last_day:
            raise ContentError(path, f"step '{sid}': due_day {day} is before the previous step's {last_day} "
                                     "(steps are in order)")
        last_day = day
        done_by = step["done_by"]
        if not isinstance(done_by, str) or not (
                done_by in DONE_BY_FIXED or (done_by.startswith("certificate:") and done_by[12:] in tracks)):
            raise ContentError(path, f"step '{sid}': done_by {done_by!r} is not one of "
                                     f"{', '.join(DONE_BY_FIXED)} or certificate:<track> of an existing track")
        out.append({"slug": sid, "position": n, "title": _text(path, f"step '{sid}': title", step["title"]),
                    "description": _text(path, f"step '{sid}': description", step["description"]),
                    "due_day": day, "done_by": done_by,
                    "checksum": checksum(repr(sorted(step.items(), key=lambda kv: kv[0])), str(n))})
    return target, out


def read_academy(directory: Path, ttfd_target_days: int | None = None) -> Source:
    """Read and cross-check the whole academy; raise ContentError at the first problem."""
    root = directory / "academy"
    source = Source()
    for path in sorted((root / "quizzes").glob("*")):
        if path.name.startswith("."):
            continue
        if path.suffix != ".yml":
            raise ContentError(path, "a quiz file is named <quiz>.yml")
        quiz = read_quiz(path)
        source.quizzes[quiz["slug"]] = quiz
    lesson_home: dict[str, str] = {}
    for folder in sorted((root / "courses").glob("*")):
        if folder.name.startswith("."):
            continue
        if not folder.is_dir():
            raise ContentError(folder, "courses/ holds one folder per course")
        course = read_course(folder)
        if course["quiz"] and course["quiz"] not in source.quizzes:
            raise ContentError(folder / "course.yml", f"'quiz': no quiz '{course['quiz']}' in quizzes/")
        for lesson in course["lessons"]:
            if lesson["slug"] in lesson_home:
                raise ContentError(folder / "course.yml", f"lesson '{lesson['slug']}' is also in course "
                                                          f"'{lesson_home[lesson['slug']]}' (lesson slugs are unique)")
            lesson_home[lesson["slug"]] = course["slug"]
        source.courses[course["slug"]] = course
    orders: dict[int, str] = {}
    for path in sorted((root / "tracks").glob("*")):
        if path.name.startswith("."):
            continue
        if path.suffix != ".yml":
            raise ContentError(path, "a track file is named <track>.yml")
        track = read_track(path)
        if track["order"] in orders:
            raise ContentError(path, f"'order' {track['order']} is also used by track '{orders[track['order']]}'")
        orders[track["order"]] = track["slug"]
        for course in track["courses"]:
            if course not in source.courses:
                raise ContentError(path, f"'courses': no course '{course}' in courses/")
        if track["final_exam"] not in source.quizzes:
            raise ContentError(path, f"'final_exam': no quiz '{track['final_exam']}' in quizzes/")
        source.tracks[track["slug"]] = track
    onboarding = directory / "onboarding.yml"
    if onboarding.is_file():
        target, steps = read_onboarding(onboarding, set(source.tracks))
        if ttfd_target_days is not None and target != ttfd_target_days:
            raise ContentError(onboarding, f"'ttfd_target_days' is {target} but program.yml says "
                                           f"{ttfd_target_days} (they must agree)")
        source.ttfd_target_days, source.steps = target, steps
    return source


# --- writing ---------------------------------------------------------------------------------

def sync_academy(source: Source) -> dict[str, int]:
    counts = new_counts()
    now = utcnow()
    with write_intent():
        quizzes = {q.slug: q for q in db.session.scalars(select(Quiz))}
        for slug, q in source.quizzes.items():
            def fill(row, q=q):
                row.title_ru, row.title_en = q["title"]["ru"], q["title"]["en"]
                for key in QUIZ_SETTINGS:
                    setattr(row, key, q[key])
                row.show_correct_answers = q["show_correct_answers"]
                row.questions = q["questions"]
                row.updated_at = now
            upsert_by_slug(Quiz, quizzes, slug, q["checksum"], counts, fill)

        courses = {c.slug: c for c in db.session.scalars(select(Course))}
        lessons = {lesson.slug: lesson for lesson in db.session.scalars(select(Lesson))}
        for slug, c in source.courses.items():
            def fill(row, c=c):
                row.title_ru, row.title_en = c["title"]["ru"], c["title"]["en"]
                row.summary_ru, row.summary_en = c["summary"]["ru"], c["summary"]["en"]
                row.quiz_slug = c["quiz"]
                row.updated_at = now
            course = upsert_by_slug(Course, courses, slug, c["checksum"], counts, fill)
            db.session.flush()
            for ls in c["lessons"]:
                digest = checksum(ls["checksum"], slug, str(ls["position"]))

                def fill(row, ls=ls, course=course):
                    row.course_id = course.id
                    row.position, row.minutes = ls["position"], ls["minutes"]
                    row.title_ru, row.title_en = ls["title"]["ru"], ls["title"]["en"]
                    row.body_html_ru = render_markdown(ls["body"]["ru"])
                    row.body_html_en = render_markdown(ls["body"]["en"])
                    row.updated_at = now
                upsert_by_slug(Lesson, lessons, ls["slug"], digest, counts, fill)

        tracks = {t.slug: t for t in db.session.scalars(select(Track))}
        db.session.flush()
        course_ids = {c.slug: c.id for c in db.session.scalars(select(Course))}
        for slug, t in source.tracks.items():
            def fill(row, t=t):
                row.sort_order = t["order"]
                row.title_ru, row.title_en = t["title"]["ru"], t["title"]["en"]
                row.summary_ru, row.summary_en = t["summary"]["ru"], t["summary"]["en"]
                row.validity_months, row.final_exam_slug = t["validity_months"], t["final_exam"]
                row.updated_at = now
                if row.links:
                    # Delete the old links before inserting new ones (the pair is unique).
                    row.links.clear()
                    db.session.flush()
                row.links = [TrackCourse(course_id=course_ids[c], position=i) for i, c in enumerate(t["courses"], 1)]
            upsert_by_slug(Track, tracks, slug, t["checksum"], counts, fill)

        steps = {s.slug: s for s in db.session.scalars(select(OnboardingStepDef))}
        for s in source.steps:
            def fill(row, s=s):
                row.position, row.due_day, row.done_by = s["position"], s["due_day"], s["done_by"]
                row.title_ru, row.title_en = s["title"]["ru"], s["title"]["en"]
                row.description_ru, row.description_en = s["description"]["ru"], s["description"]["en"]
            upsert_by_slug(OnboardingStepDef, steps, s["slug"], s["checksum"], counts, fill)

        # Removals: tracks first (their links go with them), then lessons, courses, quizzes, steps.
        for existing, wanted in ((tracks, source.tracks), (lessons, {ls["slug"] for c in source.courses.values()
                                                                     for ls in c["lessons"]}),
                                 (courses, source.courses), (quizzes, source.quizzes),
                                 (steps, {s["slug"] for s in source.steps})):
            remove_missing(existing, wanted, counts)
            db.session.flush()
    return counts


@content_loader("academy")
def load_academy(directory: str, echo: Callable[[str], None]) -> dict[str, int]:
    root = Path(directory)
    if not (root / "academy").is_dir():
        echo(f"academy: {root / 'academy'} does not exist, academy left as it is")
        return {}
    from ..program import rules as program_rules
    try:
        target = program_rules.current().ttfd_target_days
    except Exception:  # noqa: BLE001 - no app rules loaded (e.g. a bare script): skip the cross-check
        target = None
    try:
        source = read_academy(root, target)
        counts = sync_academy(source)
    except ContentError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    counts = {**counts, "tracks": len(source.tracks), "courses": len(source.courses),
              "lessons": sum(len(c["lessons"]) for c in source.courses.values()),
              "quizzes": len(source.quizzes), "questions": sum(len(q["questions"]) for q in source.quizzes.values()),
              "onboarding steps": len(source.steps)}
    from .services import ensure_plans
    created = ensure_plans()
    if created:
        counts["onboarding plans created"] = created
    return counts
