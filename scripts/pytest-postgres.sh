#!/usr/bin/env bash
# Runs inside pg_virtualenv, which exports PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE.
set -euo pipefail
cd "$(dirname "$0")/.."
export HUB_TEST_DATABASE_URL="postgresql+psycopg://${PGUSER}:${PGPASSWORD}@/${PGDATABASE}?host=${PGHOST}&port=${PGPORT}"
echo "== test suite on PostgreSQL (${PGHOST}:${PGPORT}) =="
exec .venv/bin/pytest "$@"
