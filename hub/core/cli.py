"""Command-line jobs (P9). Features add periodic jobs to `tick` and loaders to `content load`."""
from __future__ import annotations

from typing import Callable

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from ..extensions import db

# name -> function(echo) run by `flask --app hub tick`, in registration order.
TICK_JOBS: dict[str, Callable[[Callable[[str], None]], None]] = {}
# name -> function(content_dir, echo) -> dict of counts, run by `flask --app hub content load`.
CONTENT_LOADERS: dict[str, Callable] = {}


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
    from .. import demo
    app.cli.add_command(demo.demo_command)
