#!/usr/bin/env bash
# `make run`: serve the hub with gunicorn and, beside it, the domain-event worker
# (`flask --app hub worker`) that retries the deliveries a listener failed. When gunicorn exits,
# the worker is stopped; SIGTERM or Ctrl-C stop both. Arguments are gunicorn's.
set -uo pipefail
BIN=${BIN:-.venv/bin}

"$BIN/flask" --app hub worker &
worker=$!
"$BIN/gunicorn" "$@" &
server=$!

stop() {
    kill -TERM "$server" "$worker" 2>/dev/null
}
trap stop TERM INT

# `wait` returns early when a trapped signal arrives: wait again until gunicorn has really gone.
while kill -0 "$server" 2>/dev/null; do
    wait "$server"
    status=$?
done
kill -TERM "$worker" 2>/dev/null
wait "$worker" 2>/dev/null
exit "${status:-0}"
