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
from typing import Annotated, Any, Callable, Literal

import click
import yaml
from pydantic import BeforeValidator, ValidationInfo, field_validator, model_validator
from sqlalchemy import select

from ..content import ContentError, checksum, read_document, render_markdown
from ..content.sync import new_counts, remove_missing, upsert_by_slug
from ..core.cli import content_loader
from ..database import utcnow, write_intent
from ..extensions import db
from ..program import rules as program_rules
from ..schema import Bool, Line, Model, NonEmptyList, OptionalSlug, Slug, Text, WholeNumber, problem_at, validate
from .models import Course, Lesson, OnboardingStepDef, Quiz, Track, TrackCourse

LANGS = ("ru", "en")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
QUIZ_SETTINGS = ("time_limit_minutes", "pass_percent", "questions_per_attempt", "max_attempts",
                 "cooldown_hours", "late_grace_seconds")
DONE_BY_FIXED = ("manual", "profile_completed", "team_invited", "first_deal_registered", "first_deal_won",
                 "event_attended")


@dataclass
class Source:
    tracks: dict[str, dict] = field(default_factory=dict)
    courses: dict[str, dict] = field(default_factory=dict)
    quizzes: dict[str, dict] = field(default_factory=dict)
    steps: list[dict] = field(default_factory=list)
    ttfd_target_days: int | None = None


# --- reading and validating --------------------------------------------------------------------
# The files' shapes are the models below (hub/schema.py gives the field types and the wording);
# what spans several files (a track's courses exist, lesson slugs are unique) is checked in
# read_academy.

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


def _file_slug(path: Path, name: str) -> str:
    if not SLUG.fullmatch(name):
        raise ContentError(path, "the file or folder name is the slug: lower-case letters, digits and dashes")
    return name


def _listed_once(values: tuple[str, ...], key: str) -> None:
    seen = set()
    for n, value in enumerate(values):
        if value in seen:
            raise problem_at((key, n), f"{value!r} is listed twice")
        seen.add(value)


def _true_or_absent(value):
    if value is not True:
        raise ValueError("is either true or absent")
    return value


def _three_to_five(value):
    if not isinstance(value, list) or not 3 <= len(value) <= 5:
        raise ValueError("must be a list of 3 to 5 options")
    return value


class Option(Model):
    id: Slug
    text: Text
    correct: Annotated[bool, BeforeValidator(_true_or_absent)] = False


class Question(Model):
    id: Slug
    type: Literal["single", "multiple"]
    text: Text
    options: Annotated[tuple[Option, ...], BeforeValidator(_three_to_five)]
    explanation: Text

    @model_validator(mode="after")
    def _answers(self):
        seen = set()
        for n, option in enumerate(self.options):
            if option.id in seen:
                raise problem_at(("options", n, "id"), f"{option.id!r} is used twice in question {self.id!r}")
            seen.add(option.id)
        right = sum(option.correct for option in self.options)
        if self.type == "single" and right != 1:
            raise ValueError(f"question {self.id!r}: a single-choice question has exactly one correct option, "
                             f"found {right}")
        if self.type == "multiple" and not 2 <= right < len(self.options):
            raise ValueError(f"question {self.id!r}: a multiple-choice question has at least two correct options "
                             f"and at least one wrong one, found {right} of {len(self.options)}")
        return self


class QuizFile(Model):
    title: Text
    time_limit_minutes: WholeNumber(1)
    pass_percent: WholeNumber(1, 100)
    questions_per_attempt: WholeNumber(1)
    max_attempts: WholeNumber(0)
    cooldown_hours: WholeNumber(0)
    late_grace_seconds: WholeNumber(0)
    show_correct_answers: Bool
    questions: NonEmptyList[Question]

    @model_validator(mode="after")
    def _bank(self):
        seen = set()
        for n, question in enumerate(self.questions):
            if question.id in seen:
                raise problem_at(("questions", n, "id"), f"{question.id!r} is used twice")
            seen.add(question.id)
        if self.questions_per_attempt > len(self.questions):
            raise problem_at(("questions_per_attempt",), f"{self.questions_per_attempt} is more than the "
                                                         f"{len(self.questions)} questions in the bank")
        return self


class CourseFile(Model):
    title: Text
    summary: Text
    lessons: NonEmptyList[Slug]
    quiz: OptionalSlug = None

    @model_validator(mode="after")
    def _lessons_once(self):
        _listed_once(self.lessons, "lessons")
        return self


class LessonMeta(Model):
    title: Line()
    minutes: WholeNumber(1)


class TrackFile(Model):
    title: Text
    summary: Text
    order: WholeNumber(0)
    validity_months: WholeNumber(1)
    courses: NonEmptyList[Slug]
    final_exam: Slug

    @model_validator(mode="after")
    def _courses_once(self):
        _listed_once(self.courses, "courses")
        return self


class Step(Model):
    id: Slug
    title: Text
    description: Text
    due_day: WholeNumber(1)
    done_by: str

    @field_validator("done_by", mode="before")
    @classmethod
    def _known_condition(cls, done_by, info: ValidationInfo):
        tracks = (info.context or {}).get("tracks", set())
        if not isinstance(done_by, str) or not (
                done_by in DONE_BY_FIXED or (done_by.startswith("certificate:") and done_by[12:] in tracks)):
            raise ValueError(f"{done_by!r} is not one of {', '.join(DONE_BY_FIXED)} "
                             "or certificate:<track> of an existing track")
        return done_by


class OnboardingFile(Model):
    ttfd_target_days: WholeNumber(1)
    steps: NonEmptyList[Step]

    @model_validator(mode="after")
    def _steps_in_order(self):
        seen, last_day = set(), 0
        for n, step in enumerate(self.steps):
            if step.id in seen:
                raise problem_at(("steps", n, "id"), f"{step.id!r} is used twice")
            seen.add(step.id)
            if step.due_day > self.ttfd_target_days:
                raise problem_at(("steps", n, "due_day"), f"must be at most ttfd_target_days "
                                                          f"({self.ttfd_target_days}), got {step.due_day}")
            if step.due_day < last_day:
                raise problem_at(("steps", n, "due_day"), f"{step.due_day} is before the previous step's "
                                                          f"{last_day} (steps are in order)")
            last_day = step.due_day
        return self


def read_quiz(path: Path) -> dict:
    slug = _file_slug(path, path.stem)
    quiz = validate(QuizFile, _yaml(path), path).model_dump(mode="json")
    return {"slug": slug, **quiz, "checksum": checksum(path.read_text(encoding="utf-8"))}


def read_course(folder: Path) -> dict:
    slug = _file_slug(folder, folder.name)
    path = folder / "course.yml"
    if not path.is_file():
        raise ContentError(folder, "a course folder needs a course.yml")
    data = validate(CourseFile, _yaml(path), path)
    course: dict[str, Any] = {"slug": slug, "title": data.title.model_dump(), "summary": data.summary.model_dump(),
                              "quiz": data.quiz}
    listed = list(data.lessons)
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
        docs, metas = {}, {}
        for lang in LANGS:
            file = files.get(lesson, {}).get(lang)
            if file is None:
                raise ContentError(path, f"'lessons': '{lesson}' has no {lesson}.{lang}.md in {folder.name}/")
            doc = read_document(file)
            metas[lang] = validate(LessonMeta, doc.meta, file, where="front matter")
            if not doc.body.strip():
                raise ContentError(file, "the lesson has no text after the front matter")
            docs[lang] = doc
        minutes = {metas[lang].minutes for lang in LANGS}
        if len(minutes) > 1:
            raise ContentError(files[lesson]["en"], f"'minutes' differs between the ru and en files: {sorted(minutes)}")
        out.append({"slug": lesson, "position": position, "minutes": minutes.pop(),
                    "title": {lang: metas[lang].title for lang in LANGS},
                    "body": {lang: docs[lang].body for lang in LANGS},
                    "checksum": checksum(*(docs[lang].raw for lang in LANGS))})
    course["lessons"] = out
    course["checksum"] = checksum(path.read_text(encoding="utf-8"))
    return course


def read_track(path: Path) -> dict:
    slug = _file_slug(path, path.stem)
    track = validate(TrackFile, _yaml(path), path).model_dump(mode="json")
    return {"slug": slug, **track, "courses": list(track["courses"]),
            "checksum": checksum(path.read_text(encoding="utf-8")), "path": path}


def read_onboarding(path: Path, tracks: set[str]) -> tuple[int, list[dict]]:
    data = _yaml(path)
    plan = validate(OnboardingFile, data, path, context={"tracks": tracks})
    out = []
    for n, (step, raw) in enumerate(zip(plan.steps, data["steps"]), 1):
        out.append({"slug": step.id, "position": n, "title": step.title.model_dump(),
                    "description": step.description.model_dump(), "due_day": step.due_day, "done_by": step.done_by,
                    "checksum": checksum(repr(sorted(raw.items(), key=lambda kv: kv[0])), str(n))})
    return plan.ttfd_target_days, out


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
    from .onboarding import ensure_plans
    created = ensure_plans()
    if created:
        counts["onboarding plans created"] = created
    return counts
