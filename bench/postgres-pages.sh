#!/usr/bin/env bash
# The page benchmark on a throwaway PostgreSQL cluster (Debian's pg_virtualenv creates it, runs
# this script with PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE set, then removes it):
#   pg_virtualenv -t -o fsync=off bash bench/postgres-pages.sh [--duration 8]
set -euo pipefail
cd "$(dirname "$0")/.."
export HUB_BENCH_DATABASE_URL="postgresql+psycopg://${PGUSER}:${PGPASSWORD}@/${PGDATABASE}?host=${PGHOST}&port=${PGPORT}"
exec .venv/bin/python -m bench.pages --backend postgresql "$@"
