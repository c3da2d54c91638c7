"""Page speed under a real server: the hub and a bare Flask "hello" under gunicorn, measured by wrk.

    .venv/bin/python -m bench.pages [--backend sqlite|postgresql] [--small] [--duration 8] [--keep DIR]
    make bench-pages            # SQLite, then PostgreSQL on a throwaway pg_virtualenv cluster

It builds the large data set in a fresh data directory (or reuses the one --keep names): the
migrations, `content load`, `demo`, `demo large` (5,000 organisations, 20,000 people, 200,000
deals, and whatever large demo steps the features register), then the bulk helpers of the other
benchmarks: 1,000,000 points-ledger entries (bench/rewards.py) and 10,000 library items
(bench/library.py), the rewards aggregates, the search index and ANALYZE. --small measures the
demo program alone (a quick check of the script, not the benchmark).

It serves the hub with gunicorn `-w 2` (sync workers) and bench/hello.py on the same settings,
logs in through the app's own server-side sessions (hub/accounts/sessions.py: open_session) and
alternates `wrk -t2 -c20 -d8s` rounds, hello before and after every page, in one run. For each
page it prints req/s, p50 and p99 latency and the ratio to hello (the mean of the two hello rounds
around it): a shared machine's noise moves both. Load average is printed before and after.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"


@dataclass(frozen=True)
class Page:
    url: str
    who: str | None  # None: anonymous; else a key of _viewers(): "partner" (Gold admin), "manager"
    goal: float      # the ratio to hello this page must reach (issue 10)


# One line per page: every page issue 10 names, then those later issues added (events, MDF, co-marketing,
# community, care, NPS, recruitment). A feature adding a page worth measuring adds its line here.
PAGES: list[Page] = [
    Page("/login", None, 0.5),
    Page("/program", None, 0.5),
    Page("/rewards/leaderboard", "partner", 0.2),
    Page("/academy/", "partner", 0.2),
    Page("/deals/", "partner", 0.2),
    Page("/", "partner", 0.2),
    Page("/deals/queue", "manager", 0.2),
    Page("/deals/", "manager", 0.2),
    Page("/library/?q=демо", "partner", 0.2),
    Page("/events/", "partner", 0.2),
    Page("/events/month", "partner", 0.2),
    Page("/events/webinar-crm-5-2", "partner", 0.2),
    Page("/events/feed/{feed_token}.ics", None, 0.2),  # the Gold admin's secret feed (no cookie)
    Page("/mdf/", "partner", 0.2),
    Page("/mdf/roi", "partner", 0.2),
    Page("/mdf/manage", "manager", 0.2),
    Page("/cobrand/", "partner", 0.2),
    Page("/leads/", "partner", 0.2),
    Page("/leads/pool", "manager", 0.2),
    Page("/community/", "partner", 0.2),
    Page("/care/", "manager", 0.2),
    Page("/nps/manage/results", "manager", 0.2),
    Page("/recruitment/", "manager", 0.2),
    Page("/recruitment/apply", None, 0.2),
    Page("/insights/kpi", "manager", 0.2),
    Page("/insights/kpi?period=year", "manager", 0.2),
    Page("/insights/my", "partner", 0.2),
    Page("/insights/funnel/", "manager", 0.2),
    Page("/insights/funnel/weekly", "manager", 0.2),
]

# The viewers: the Gold partner admin and the channel manager of the demo program (README logins).
VIEWERS = {"partner": "admin@volgasoft.demo", "manager": "manager@kvant.demo"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite",
                        help="PostgreSQL needs HUB_BENCH_DATABASE_URL (bench/postgres-pages.sh sets it)")
    parser.add_argument("--small", action="store_true", help="the demo program only (a quick check)")
    parser.add_argument("--orgs", type=int, default=5000)
    parser.add_argument("--users-per-org", type=int, default=4)
    parser.add_argument("--deals", type=int, default=200_000)
    parser.add_argument("--entries", type=int, default=1_000_000, help="points-ledger entries")
    parser.add_argument("--items", type=int, default=10_000, help="library items in all")
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk round (default 8)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--port", type=int, default=5590)
    parser.add_argument("--keep", metavar="DIR", help="data directory to build once and reuse (SQLite)")
    parser.add_argument("--only", action="append", default=[], help="measure only pages whose URL starts so")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    if not shutil.which("wrk"):
        parser.error("wrk is not installed (`make bench-pages` installs Debian's package)")
    env = dict(os.environ)
    pg_url = os.environ.get("HUB_BENCH_DATABASE_URL")
    if args.backend == "postgresql":
        if not pg_url:
            parser.error("--backend postgresql needs HUB_BENCH_DATABASE_URL")
        env["HUB_DATABASE_URL"] = pg_url
    else:
        env.pop("HUB_DATABASE_URL", None)
        env.pop("DATABASE_URL", None)
    data_dir = Path(args.keep).resolve() if args.keep else Path(tempfile.mkdtemp(prefix="hub-pages-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    env["HUB_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = str(ROOT)
    # Production settings: no debug, templates not re-checked on every render.
    env.pop("FLASK_DEBUG", None)

    print(f"Partner Hub page benchmark ({args.backend}{', demo program only' if args.small else ''}); "
          f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs; "
          f"gunicorn -w {args.workers} (sync); wrk -t{args.threads} -c{args.connections} -d{args.duration}s")
    marker = data_dir / ".bench-pages-built"
    if not (args.keep and marker.exists()):
        _build(args, env)
        marker.write_text("built\n")
    else:
        print(f"  reusing the data set in {data_dir}")
    cookies = _cookies(env)
    feed_token = cookies.pop("feed_token")
    pages = [Page(p.url.format(feed_token=feed_token), p.who, p.goal) for p in PAGES]
    pages = [p for p in pages if not args.only or any(p.url.startswith(o) for o in args.only)]
    try:
        _serve_and_measure(args, env, pages, cookies)
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


# --- the data set -------------------------------------------------------------------------------

def _flask(env, *command: str) -> None:
    started = time.perf_counter()
    subprocess.run([str(BIN / "flask"), "--app", "hub", *command], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    print(f"  flask {' '.join(command)}: {time.perf_counter() - started:.1f} s")


def _build(args, env) -> None:
    _flask(env, "db", "upgrade")
    _flask(env, "content", "load")
    _flask(env, "demo")
    if args.small:
        return
    _flask(env, "demo", "large", "--orgs", str(args.orgs), "--deals", str(args.deals),
           "--users-per-org", str(args.users_per_org))
    # The rest in a child process with the bench's environment (the hub reads it at import).
    code = (
        "import time, sys\n"
        "from hub import create_app, search\n"
        "from hub.database import write_intent\n"
        "from hub.extensions import db\n"
        "from hub.rewards import services\n"
        "from hub.rewards.jobs import full_evaluation\n"
        "from bench.rewards import seed_ledger\n"
        "from bench.library import seed_items\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        f"    seed_ledger({args.entries}, {args.seed})\n"
        "    t = time.perf_counter()\n"
        "    with write_intent():\n"
        "        services.rebuild_stats(); full_evaluation(); db.session.commit()\n"
        "    print(f'  rewards aggregates and evaluation: {time.perf_counter() - t:.1f} s')\n"
        f"    seed_items({args.items}, {args.seed})\n"
        "    t = time.perf_counter(); n = search.rebuild()\n"
        "    print(f'  search index: {n:,} documents in {time.perf_counter() - t:.1f} s')\n"
        "    db.session.execute(db.text('ANALYZE')); db.session.commit()\n"
    )
    subprocess.run([str(BIN / "python"), "-c", code], env=env, cwd=ROOT, check=True)


def _cookies(env) -> dict[str, str]:
    """A Cookie header per viewer: a real server-side login made by the app, signed with its key."""
    code = (
        "import json\n"
        "from sqlalchemy import select\n"
        "from hub import create_app\n"
        "from hub.accounts import sessions\n"
        "from hub.accounts.models import User\n"
        "from hub.extensions import db\n"
        "app = create_app()\n"
        "out = {}\n"
        f"for who, email in {VIEWERS!r}.items():\n"
        "    with app.app_context():\n"
        "        key = sessions.open_session(db.session.scalar(select(User).where(User.email == email)))\n"
        "    client = app.test_client()\n"
        "    with client.session_transaction() as s:\n"
        "        s['_user_id'] = key; s['_fresh'] = True\n"
        "    name = app.config['SESSION_COOKIE_NAME']\n"
        "    out[who] = f'{name}={client.get_cookie(name).value}'\n"
        "from hub.community.events import services as events\n"
        "with app.app_context():\n"
        f"    out['feed_token'] = events.feed_token(db.session.scalar(select(User).where(User.email == {VIEWERS['partner']!r})))\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run([str(BIN / "python"), "-c", code], env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- serving and measuring ----------------------------------------------------------------------

def _gunicorn(args, env, app: str, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(args.workers), "-k", "sync", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", app], env=env, cwd=ROOT, start_new_session=True)


def _quoted(url: str) -> str:
    return quote(url, safe="/?=&%")


def _get(port: int, url: str, cookie: str | None) -> tuple[int, int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", _quoted(url), headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return response.status, len(response.read())
    finally:
        connection.close()


def _wait(port: int, url: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            _get(port, url, None)
            return
        except OSError:
            if time.monotonic() > deadline:
                sys.exit(f"bench: nothing answers on port {port}")
            time.sleep(0.3)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk(args, port: int, url: str, cookie: str | None) -> dict:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(f"http://127.0.0.1:{port}{_quoted(url)}")
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def latency(percent: str) -> float:
        value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * _UNITS[unit]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {"rps": rps, "p50": latency("50"), "p99": latency("99"),
            "bad": int(bad.group(1)) if bad else 0, "errors": errors.group(0) if errors else ""}


def _serve_and_measure(args, env, pages: list[Page], cookies: dict[str, str]) -> None:
    hub_port, hello_port = args.port, args.port + 1
    servers = [_gunicorn(args, env, "hub:create_app()", hub_port), _gunicorn(args, env, "bench.hello:app", hello_port)]
    try:
        _wait(hub_port, "/login")
        _wait(hello_port, "/")
        for page in pages:  # every page answers 200 to its viewer, and the workers are warm
            for _ in range(4):
                status, size = _get(hub_port, page.url, cookies.get(page.who))
            if status != 200:
                sys.exit(f"bench: GET {page.url} as {page.who or 'anonymous'} answered {status}")
        print(f"  load average before measuring: {_load()}")
        results = []
        hello_before = _wrk(args, hello_port, "/", None)
        for page in pages:
            measured = _wrk(args, hub_port, page.url, cookies.get(page.who))
            hello_after = _wrk(args, hello_port, "/", None)
            hello = (hello_before["rps"] + hello_after["rps"]) / 2
            results.append((page, measured, hello))
            _row(page, measured, hello, len(results) == 1)
            hello_before = hello_after
        print(f"  load average after measuring: {_load()}")
        met = [r for r in results if r[1]["rps"] / r[2] >= r[0].goal]
        print(f"  goals met: {len(met)} of {len(results)} (public pages >= 0.5 of hello, personalised >= 0.2)")
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)


def _row(page: Page, m: dict, hello: float, header: bool) -> None:
    if header:
        print(f"\n  {'page':<22} {'viewer':<10} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
              f"{'hello req/s':>11} {'÷ hello':>7} {'goal':>5}")
    note = f"  {m['bad']} non-2xx!" if m["bad"] else ""
    note += f"  {m['errors']}" if m["errors"] else ""
    print(f"  {page.url:<22} {page.who or 'anonymous':<10} {m['rps']:8,.0f} {m['p50']:7.1f} {m['p99']:7.1f} "
          f"{hello:11,.0f} {m['rps'] / hello:7.3f} {page.goal:5.1f}{note}", flush=True)


def _load() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


if __name__ == "__main__":
    sys.exit(main())
