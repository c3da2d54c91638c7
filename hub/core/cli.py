"""Command-line jobs (P9). Features add periodic jobs to `tick`, loaders to `content load` and their
demo data to `demo` / `demo large` (demo steps), each with a decorator, at import time.

    @tick_job("events")                       def job(echo): ...
    @content_loader("events")                 def load(content_dir, echo) -> {"created": 3, ...}
    @demo_step("events", order=70)            def demo(ctx: DemoContext) -> {"events": 24, ...} | None
    @demo_step("events", order=70, large=True) def large(ctx: DemoContext) -> {...}

A demo step owns its feature's demo data. It runs after the steps of lower `order` (the accounts
and deals of the demo program come first), must be idempotent (a second `flask --app hub demo`
adds nothing: check for your own rows) and deterministic (use `ctx.rng`, seeded per step, and
`ctx.today` / `ctx.now`, never the wall clock directly). It writes through `db.session`; the demo
commits after each step. Large steps (`demo large`, for the benchmarks) get the sizes asked for in
`ctx.options` and bulk-insert (`bulk_insert(Model, rows, batch, label)`), adding to what is there.

What a step returns is reported: counts -> "<name> demo created: k: v, ..."; None -> "<name> demo
already present" (the step found its own rows); {} -> nothing (the step said itself why it did
nothing, e.g. missing content). `ctx.shared` is one dict for all the steps of a run: a step may leave
what later steps need there (the large accounts step leaves the organisations it added).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import insert

from ..database import write_intent
from ..extensions import db

# name -> function(echo) run by `flask --app hub tick`, in registration order.
TICK_JOBS: dict[str, Callable[[Callable[[str], None]], None]] = {}
# name -> function(content_dir, echo) -> dict of counts, run by `flask --app hub content load`.
CONTENT_LOADERS: dict[str, Callable] = {}


@dataclass
class DemoContext:
    rng: random.Random          # seeded from the demo's seed and the step's name
    today: date                 # the demo's "today" (program time zone)
    now: datetime               # the demo's "now" (UTC)
    echo: Callable[[str], None]
    options: dict[str, Any] = field(default_factory=dict)  # `demo large`: orgs, deals, batch, ...
    shared: dict[str, Any] = field(default_factory=dict)   # the same dict for every step of one run


@dataclass(frozen=True)
class DemoStep:
    name: str
    order: int
    run: Callable[[DemoContext], dict[str, int] | None]


# `flask --app hub demo` and `demo large` run these, by order then name.
DEMO_STEPS: dict[str, DemoStep] = {}
LARGE_DEMO_STEPS: dict[str, DemoStep] = {}


def demo_step(name: str, order: int = 50, large: bool = False):
    def decorator(func):
        (LARGE_DEMO_STEPS if large else DEMO_STEPS)[name] = DemoStep(name, order, func)
        return func
    return decorator


def run_demo_steps(steps: dict[str, DemoStep], *, seed: int, today: date, now: datetime,
                   echo: Callable[[str], None], options: dict[str, Any] | None = None) -> dict[str, dict]:
    """Each step in its own transaction, in order; returns what each reported ({} when present)."""
    reports = {}
    shared: dict[str, Any] = {}
    for step in sorted(steps.values(), key=lambda s: (s.order, s.name)):
        ctx = DemoContext(rng=random.Random(f"{seed}:{step.name}"), today=today, now=now, echo=echo,
                          options=dict(options or {}), shared=shared)
        with write_intent():
            report = step.run(ctx)
            db.session.commit()
        if report is None:
            echo(f"{step.name} demo already present")
        elif report:
            echo(f"{step.name} demo created: " + ", ".join(f"{k}: {v}" for k, v in report.items()))
        reports[step.name] = report or {}
    return reports


def bulk_insert(model, rows, batch: int, label: str, length: int | None = None) -> int:
    """Insert `rows` (dicts) in batches of `batch` with a progress bar; returns how many went in.

    The table's Core insert, one executemany per batch: the ORM's per-object work would take many
    minutes at benchmark sizes, and its bulk path splits batches into many statements when rows
    differ in which columns are NULL."""
    rows = iter(rows)
    if length is None:
        rows = list(rows)
        length = len(rows)
        rows = iter(rows)
    done = 0
    with click.progressbar(length=length, label=label) as bar:
        while True:
            chunk = [row for _, row in zip(range(batch), rows)]
            if not chunk:
                break
            db.session.execute(insert(model.__table__), chunk)
            bar.update(len(chunk))
            done += len(chunk)
    return done


def tick_job(name: str):
    def decorator(func):
        TICK_JOBS[name] = func
        return func
    return decorator


def content_loader(name: str):
    def decorator(func):
        CONTENT_LOADERS[name] = func
        return func
    return decorator


content_cli = AppGroup("content", help="Load content/ (Markdown + YAML) into the database.")
outbox_cli = AppGroup("outbox", help="The e-mail outbox.")


@content_cli.command("load")
@click.option("--dir", "directory", default=None, help="Content directory (default: HUB_CONTENT_DIR).")
def content_load(directory: str | None) -> None:
    """Upsert content/ by stable slug and report what changed."""
    from flask import current_app
    directory = directory or current_app.config["CONTENT_DIR"]
    for name, loader in CONTENT_LOADERS.items():
        report = loader(directory, click.echo)
        db.session.commit()
        summary = ", ".join(f"{k}: {v}" for k, v in report.items()) if report else "nothing"
        click.echo(f"{name}: {summary}")


@outbox_cli.command("send")
def outbox_send() -> None:
    """Deliver queued e-mail (SMTP when HUB_SMTP_HOST is set, else the console)."""
    from .services import send_outbox
    sent, failed = send_outbox(limit=10_000)
    click.echo(f"sent {sent}, failed {failed}")


@click.command("tick")
def tick() -> None:
    """Run the periodic jobs: expiries, reminders, event retries, outbox (run it from cron every few minutes).

    Each job runs on its own: one that fails is rolled back and reported, the others still run, and
    the command exits with status 1 at the end.
    """
    from .services import send_outbox
    failed = []

    def run(name: str, job) -> None:
        try:
            job()
            db.session.commit()
        except Exception as exc:  # isolate the job: report it, roll it back, go on with the next
            db.session.rollback()
            current_app.logger.exception("tick job %s failed", name)
            click.echo(f"{name}: FAILED: {type(exc).__name__}: {exc}", err=True)
            failed.append(name)

    for name, job in TICK_JOBS.items():
        run(name, lambda job=job, name=name: job(lambda text: click.echo(f"{name}: {text}")))

    # Last, so that the mail the jobs above queued goes out in the same run.
    def outbox_job() -> None:
        sent, failures = send_outbox(limit=1000)
        click.echo(f"outbox: sent {sent}, failed {failures}")
    run("outbox", outbox_job)
    if failed:
        click.echo(f"tick: {len(failed)} job(s) failed: {', '.join(failed)}", err=True)
        raise SystemExit(1)


def register(app: Flask) -> None:
    app.cli.add_command(content_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(tick)
