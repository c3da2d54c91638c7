"""`flask --app hub worker`: delivers what the in-process dispatch could not, with backoff."""
from __future__ import annotations

import signal
import time
from datetime import datetime, timezone

import click

from ..core.cli import tick_job
from ..extensions import db
from . import bp, outbox


@bp.cli.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due now and exit (for cron).")
@click.option("--interval", default=5.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="Seconds to wait when nothing is due.")
@click.option("--replay", "replay_listener", metavar="LISTENER", default=None,
              help="First create LISTENER's missing deliveries for the events already stored.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="With --replay: only events since this day (UTC).")
@click.option("--listeners", "show_listeners", is_flag=True, help="List the registered listeners and exit.")
def worker(once: bool, interval: float, replay_listener: str | None, since: datetime | None,
           show_listeners: bool) -> None:
    """Deliver pending domain events to their listeners, retrying failures with backoff.

    Runs until stopped (SIGTERM or Ctrl-C finish the current delivery first). Several workers may
    run at once on PostgreSQL (they claim with FOR UPDATE SKIP LOCKED); on SQLite run one.
    """
    if show_listeners:
        for name, listener in sorted(outbox.LISTENERS.items()):
            click.echo(f"{name}: {', '.join(sorted(listener.events))}")
        return
    if replay_listener:
        try:
            added = outbox.replay(replay_listener, since.replace(tzinfo=timezone.utc) if since else None)
        except LookupError:
            raise click.UsageError(f"no listener named {replay_listener!r} (see --listeners)")
        click.echo(f"{replay_listener}: {added} delivery(ies) added")
    if once:
        report = outbox.run_due()
        click.echo(f"events: {report}")
        if report.failed:
            raise SystemExit(1)  # a delivery gave up: cron mails the output
        return

    stopping = []

    def stop(_signum, _frame):
        stopping.append(True)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(f"worker: delivering domain events (every {interval:g} s when idle; SIGTERM stops)")
    while not stopping:
        try:
            report = outbox.run_due()
        except Exception:  # the database went away: keep the worker alive and try again
            outbox._log().exception("worker: delivering failed")
            db.session.rollback()
            report = outbox.RunReport()
        finally:
            db.session.remove()  # no transaction (or connection) held while idle
        if report.total:
            click.echo(f"worker: {report}")
            continue
        deadline = time.monotonic() + interval
        while not stopping and time.monotonic() < deadline:
            time.sleep(min(0.2, interval))
    click.echo("worker: stopped")


@tick_job("events")
def deliver_due(echo) -> None:
    """Cron-only installations retry too: tick delivers what the worker would have."""
    echo(str(outbox.run_due()))
