"""MDF at scale (issue 12 point 7): the MDF pages at 5,000 organisations x 8 quarters.

    .venv/bin/python -m bench.mdf [--orgs 5000] [--requests 50]

From an empty SQLite database in a fresh temporary data directory (or HUB_BENCH_DATABASE_URL, whose
tables are all dropped first: a throwaway PostgreSQL database): migrate, load content/, create the
demo, then `demo large` organisations and people (no deals) with every large demo step, MDF's among
them (hub/marketing/mdf/demo_large.py: eight quarters of ledger per allocated organisation, a paid
claim in each past quarter, the expiries, a queue of requests). It times requests through the Flask
test client (routing, login, SQL, templates; no network): the partner's fund page, its ROI page and
a request, the managers' queue, an organisation's ledger and the program-wide ROI / utilisation page.
"""
from __future__ import annotations

import argparse
import os
import platform

from . import build_program, client_as, fresh_data_dir, print_times, time_get


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mdf", description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=5000)
    parser.add_argument("--users-per-org", type=int, default=4)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args(argv)
    print(f"Partner Hub MDF benchmark: {args.orgs:,} organisations x 8 quarters; Python "
          f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs")
    with fresh_data_dir("hub-bench-mdf-", "HUB_BENCH_DATABASE_URL"):
        from sqlalchemy import func, select

        from hub.accounts.models import User
        from hub.extensions import db
        from hub.marketing.mdf.models import MdfEntry, MdfRequest

        app = build_program(args.orgs, args.users_per_org)
        with app.app_context():
            entries = db.session.scalar(select(func.count()).select_from(MdfEntry))
            requests = db.session.scalar(select(func.count()).select_from(MdfRequest))
            print(f"  {entries:,} ledger entries, {requests:,} requests ({db.engine.dialect.name})")
            partner_email = "admin@volgasoft.demo"
            org_id = db.session.scalar(select(User.organisation_id).where(User.email == partner_email))
            request_id = db.session.scalar(select(MdfRequest.id).where(MdfRequest.organisation_id == org_id)
                                           .order_by(MdfRequest.id.desc()).limit(1))
        partner, manager = client_as(app, partner_email), client_as(app, "manager@kvant.demo")
        pages = [
            ("partner: fund page", partner, "/mdf/"),
            ("partner: ROI", partner, "/mdf/roi"),
            ("partner: a request", partner, f"/mdf/requests/{request_id}"),
            ("manager: queue", manager, "/mdf/manage"),
            ("manager: an organisation's ledger", manager, f"/mdf/manage/organisations/{org_id}"),
            ("manager: ROI and utilisation", manager, "/mdf/roi"),
        ]
        for name, client, path in pages:
            print_times(name, time_get(client, path, args.requests), width=36)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
