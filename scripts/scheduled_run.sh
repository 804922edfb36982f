#!/usr/bin/env bash
# Scheduled zwt run: fresh exports -> dated processed folder -> indicators -> dated reports.
#
#   data/processed/YYYY-MM-DD/        what `zwt clean` and `zwt indicators` wrote
#   reports/YYYY-MM-DD/index.html     the report suite of that day
#   reports/YYYY-MM-DD.log            this script's log (every step, with times)
#   reports/latest -> YYYY-MM-DD      updated only after a fully successful run
#
# Exit status: 0 when every step and every report succeeded, non-zero otherwise
# (the failing step is named in the log; a failed notebook still leaves the
# other reports and an index that marks it). See docs/reports.md and deploy/.
#
# Settings (environment variables; defaults in brackets):
#   ZWT_EXPORTS        folder with the fresh exports, read-only   [<repo>/data/raw]
#   ZWT_DATA           data folder                                 [<repo>/data]
#   ZWT_REPORTS        reports folder                              [<repo>/reports]
#   ZWT_RUN_DATE       date that names the run, YYYY-MM-DD         [today]
#   ZWT_KEY_FILE       file holding the pseudonym key (or set ZWT_PSEUDONYM_KEY)
#   ZWT_JOBS           parallel notebooks                          [number of cores]
#   ZWT_ZWT / ZWT      the zwt command                             [<repo>/.venv/bin/zwt]
#   ZWT_NOTEBOOKS_DIR  report notebooks folder                     [<repo>/notebooks]
#   ZWT_DISCLOSURE     fail: a run whose tables leak a small count is not published (the
#                      step fails); warn: published with a warning        [fail]
#
# The report step writes one line per finished notebook run into the log
# ("zwt report: 3/20 03_prevention DOCK ok 12 s"), so a long run is never silent.
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DATE="${ZWT_RUN_DATE:-$(date +%F)}"
EXPORTS="${ZWT_EXPORTS:-$ROOT/data/raw}"
DATA="${ZWT_DATA:-$ROOT/data}"
REPORTS="${ZWT_REPORTS:-$ROOT/reports}"
ZWT_BIN="${ZWT:-${ZWT_ZWT:-$ROOT/.venv/bin/zwt}}"
JOBS="${ZWT_JOBS:-}"
KEY_FILE="${ZWT_KEY_FILE:-}"
DISCLOSURE="${ZWT_DISCLOSURE:-fail}"
if [[ -n "${ZWT_NOTEBOOKS:-}" ]]; then export ZWT_NOTEBOOKS_DIR="$ZWT_NOTEBOOKS"; fi

if ! [[ "$RUN_DATE" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]]; then
    echo "scheduled_run: ZWT_RUN_DATE must be YYYY-MM-DD, got '$RUN_DATE'" >&2
    exit 2
fi
PROCESSED="$DATA/processed/$RUN_DATE"
OUT="$REPORTS/$RUN_DATE"
LOG="$REPORTS/$RUN_DATE.log"
mkdir -p "$REPORTS" "$DATA/processed"

# One run at a time (a slow run must not overlap the next one).
exec 9>"$REPORTS/.scheduled_run.lock"
if ! flock -n 9; then
    echo "scheduled_run: another run holds $REPORTS/.scheduled_run.lock" >&2
    exit 75
fi

exec >>"$LOG" 2>&1
log() { echo "$(date '+%Y-%m-%dT%H:%M:%S%z') $*"; }
trap 'rc=$?; log "FAILED (exit $rc) in: $BASH_COMMAND"; exit $rc' ERR

log "start run $RUN_DATE: exports=$EXPORTS processed=$PROCESSED reports=$OUT"
[[ -d "$EXPORTS" ]] || { log "FAILED: exports folder $EXPORTS not found"; exit 2; }

log "step 1/3: zwt clean"
"$ZWT_BIN" clean --raw "$EXPORTS" --out "$PROCESSED" ${KEY_FILE:+--key-file "$KEY_FILE"}

log "step 2/3: zwt indicators"
"$ZWT_BIN" indicators --processed "$PROCESSED" --out "$PROCESSED/indicators.csv"

log "step 3/3: zwt report"
"$ZWT_BIN" report --processed "$PROCESSED" --out "$OUT" ${JOBS:+--jobs "$JOBS"} \
    --disclosure "$DISCLOSURE"

ln -sfn "$RUN_DATE" "$REPORTS/latest"
log "finished OK: open $OUT/index.html"
