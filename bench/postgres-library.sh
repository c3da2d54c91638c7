#!/usr/bin/env bash
# The library benchmark on a throwaway PostgreSQL cluster (see bench/postgres.sh):
#   pg_virtualenv bash bench/postgres-library.sh [--items 10000]
set -euo pipefail
cd "$(dirname "$0")/.."
export HUB_BENCH_DATABASE_URL="postgresql+psycopg://${PGUSER}:${PGPASSWORD}@/${PGDATABASE}?host=${PGHOST}&port=${PGPORT}"
exec .venv/bin/python -m bench.library "$@"
