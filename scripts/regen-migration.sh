#!/usr/bin/env bash
# Regenerate the initial migration from the models (only while nothing has been released:
# once a release exists, add new migrations with `flask --app hub db migrate -m ...` instead).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -f migrations/versions/*.py
HUB_DATA_DIR="$tmp" HUB_DATABASE_URL="sqlite:///$tmp/empty.db" .venv/bin/flask --app hub db migrate -m "initial schema" --rev-id 0001_initial
ls migrations/versions
