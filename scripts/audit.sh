#!/usr/bin/env bash
# pip-audit against requirements.lock (every package the hub installs, hashes included), run by
# `make test` / `make audit`. pip-audit's vulnerability service is PyPI's JSON API, one page per
# release (https://pypi.org/pypi/<name>/<version>/json). Where that page cannot be had (no network,
# or a package mirror that serves only the index), pip-audit would report every package as "not
# found on PyPI" and pass without auditing anything: we probe first and say so plainly instead.
# HUB_AUDIT_REQUIRED=1 turns that skip into a failure (for CI that must audit).
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS=${TOOLS:-.tools}
LOCK=requirements.lock

probe=$("$TOOLS/bin/python" - "$LOCK" <<'PY'
import re, sys, urllib.request, json
name, version = next(m.groups() for m in (re.match(r"^([a-z0-9][a-z0-9._-]*)==([^\s;\\]+)", l)
                                          for l in open(sys.argv[1])) if m)
url = f"https://pypi.org/pypi/{name}/{version}/json"
try:
    with urllib.request.urlopen(url, timeout=20) as response:
        ok = "vulnerabilities" in json.load(response)
        print("ok" if ok else f"{url} answered without a 'vulnerabilities' field")
except Exception as exc:  # any failure means: no audit possible from here
    print(f"{url}: {exc}")
PY
)
if [ "$probe" != "ok" ]; then
    echo "pip-audit SKIPPED: its vulnerability service (PyPI's JSON API) cannot be reached from here: $probe"
    echo "  Nothing was audited. Run \`make audit\` where https://pypi.org/pypi/ answers."
    if [ "${HUB_AUDIT_REQUIRED:-0}" = 1 ]; then exit 1; fi
    exit 0
fi
echo "== pip-audit on $LOCK =="
exec "$TOOLS/bin/pip-audit" --requirement "$LOCK" --require-hashes --disable-pip --progress-spinner off
