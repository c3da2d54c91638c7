"""Demo program (P4, P9): `flask --app hub demo`, `demo logins`, `demo large`.

The demo data belongs to the features: each registers demo steps (`@demo_step` in hub/core/cli.py,
in its own `demo.py`), and this module only runs them. `flask --app hub demo` builds the realistic,
bilingual partner program of the vendor Kvant Soft, in this order:

    accounts (10)       the vendor, thirty partner organisations, their people  hub/accounts/demo.py
    rewards.tiers (20)  how the partners climbed to their tiers                  hub/rewards/demo.py
    deals (30)          deals in every status, claims, audit trail, events       hub/deals/demo.py
    library (40)        views and downloads for the usage report                 hub/library/demo.py
    rewards (50)        evaluation, commission lines approved and paid           hub/rewards/demo.py
    academy (60)        plans, progress, exams, certificates                     hub/academy/demo.py

Each step checks its own presence, so a second run adds nothing (and says so). The data is the same
on every run (fixed seeds). `demo large` runs the large steps (accounts, then deals) that bulk-insert
thousands of organisations and hundreds of thousands of deals for the benchmarks (bench/deals.py,
bench/rewards.py, bench/library.py); it adds to what is there.
"""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from .accounts.demo import SEED, logins_table
from .core.cli import DEMO_STEPS, LARGE_DEMO_STEPS, run_demo_steps
from .database import utcnow


@click.group("demo", invoke_without_command=True)
@click.pass_context
@with_appcontext
def demo_command(ctx: click.Context) -> None:
    """Create the realistic bilingual demo program (idempotent); see also `logins` and `large`."""
    if ctx.invoked_subcommand is None:
        create_demo(echo=click.echo)


def run_feature_steps(echo=print, seed: int = SEED) -> dict[str, dict]:
    """Every registered demo step, in order; what each created ({} when it was present)."""
    now = utcnow()
    return run_demo_steps(DEMO_STEPS, seed=seed, today=now.date(), now=now, echo=echo)


def create_demo(echo=print, seed: int = SEED) -> dict[str, int]:
    """The demo program, once. Returns the counts of what its steps created (empty when present)."""
    reports = run_feature_steps(echo=echo, seed=seed)
    counts = {f"{step} {name}": value for step, report in reports.items() for name, value in report.items()}
    if counts:
        echo("demo program created: " + ", ".join(step for step, report in reports.items() if report))
    else:
        echo("demo program already present")
    return counts


def create_large(orgs: int = 5000, deals: int = 200_000, users_per_org: int = 4, batch: int = 5000,
                 seed: int = SEED, echo=print) -> dict[str, int]:
    """The large steps: `orgs` partner organisations with their people, `deals` deals among them.
    Returns the counts by name (organisations, users, deals, claims, and what other steps add)."""
    now = utcnow()
    reports = run_demo_steps(LARGE_DEMO_STEPS, seed=seed, today=now.date(), now=now, echo=echo,
                             options={"orgs": orgs, "deals": deals, "users_per_org": users_per_org,
                                      "batch": batch})
    counts: dict[str, int] = {}
    for report in reports.values():
        counts.update(report)
    return counts


@demo_command.command("logins")
@with_appcontext
def demo_logins() -> None:
    """Print the demo logins, one per role."""
    click.echo(logins_table())


@demo_command.command("large")
@click.option("--orgs", default=5000, show_default=True, help="Partner organisations to add.")
@click.option("--deals", default=200_000, show_default=True, help="Deals to add.")
@click.option("--users-per-org", default=4, show_default=True, help="People per organisation.")
@click.option("--batch", default=5000, show_default=True, help="Rows per INSERT batch.")
@click.option("--seed", default=SEED, show_default=True)
@with_appcontext
def demo_large(orgs: int, deals: int, users_per_org: int, batch: int, seed: int) -> None:
    """Bulk-insert a large program for benchmarks (adds to what is there)."""
    counts = create_large(orgs=orgs, deals=deals, users_per_org=users_per_org, batch=batch, seed=seed,
                          echo=click.echo)
    click.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))
