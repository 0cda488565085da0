#!/usr/bin/env bash
# What a new user's `make run` meets, from the runtime dependencies alone: a fresh venv with
# `pip install .` (no extras), every module of the installed package importable, `migrate`,
# the demo corpus, then `dailypapers serve` (web and job worker) answering the front door.
# Run from outside the checkout so the installed package, not the source tree, is imported.
# CI runs it before `make test` (.ci/run); `make smoke` runs it by hand.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="${SMOKE_DIR:-$ROOT/var/smoke}"
PYTHON="${PYTHON:-python3}"
rm -rf "$WORK"
mkdir -p "$WORK/data"
"$PYTHON" -m venv "$WORK/venv"
BIN="$WORK/venv/bin"
PYTHONWARNINGS=ignore "$BIN/pip" install --quiet --disable-pip-version-check "$ROOT"

cd "$WORK"
# The laptop defaults: SQLite in the data dir, the database cache, no Redis, no arXiv at start.
unset DATABASE_URL REDIS_URL
export DAILYPAPERS_DATA_DIR="$WORK/data" DAILYPAPERS_ARXIV_EVERY_HOURS=0
"$BIN/python" "$ROOT/tests/smoke/check_imports.py"
"$BIN/dailypapers" migrate --no-input --verbosity 0
"$BIN/dailypapers" demo --if-empty

PORT="$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$BIN/dailypapers" serve --port "$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill -TERM "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null || true' EXIT
if ! "$BIN/python" "$ROOT/tests/smoke/probe.py" "http://127.0.0.1:$PORT"; then
    echo "--- serve.log (last 40 lines) ---" >&2
    tail -n 40 "$WORK/serve.log" >&2
    exit 1
fi
