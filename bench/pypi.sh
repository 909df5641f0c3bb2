#!/usr/bin/env bash
# PyPI benchmark: binaryrepo (WAR in Tomcat) in front of this machine's file-based simple index, served over
# HTTP by python3 -m http.server. Measures (1) simple-page hits per second (wrk, pip's Accept header, a cached
# project page) and (2) a warm `pip install` (fresh venv, --no-cache-dir) through binaryrepo against the same
# install straight from the upstream. Prints a Markdown section on stdout; bench/run can append it.
#
# usage: bench/pypi.sh [--war FILE] [--package NAME] [--secs N] [--reps N] [--keep]
#   --war FILE      the WAR (default: target/binaryrepo.war, built with mvn -q package -DskipTests if missing)
#   --package NAME  what pip installs (default: flask, which has six dependencies)
#   --secs N        wrk duration per run (default 10)
#   --reps N        repetitions of each pip install (default 3; the median is reported)
#   --keep          keep the work directory afterwards
#
# Everything listens on 127.0.0.1 on free ports; everything started is stopped on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WAR="" PACKAGE=flask SECS=10 REPS=3 KEEP=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --war) WAR="$2"; shift 2 ;;
        --package) PACKAGE="$2"; shift 2 ;;
        --secs) SECS="$2"; shift 2 ;;
        --reps) REPS="$2"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h | --help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
        *) echo "pypi.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
log() { echo "pypi.sh: $*" >&2; }
die() { log "$*"; exit 1; }
command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
PYTHON=$(python3 -c 'import sys; print(sys.executable)')

WORK=$(mktemp -d /tmp/brbench-pypi.XXXXXX)
HTTP_PID=""
cleanup() {
    [[ -n "$HTTP_PID" ]] && kill "$HTTP_PID" 2>/dev/null || true
    [[ -d "$WORK/tomcat" ]] && "$ROOT/scripts/tomcat" stop --base "$WORK/tomcat" >/dev/null 2>&1 || true
    if ((KEEP)); then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

if [[ -z "$WAR" ]]; then
    WAR="$ROOT/target/binaryrepo.war"
    [[ -f "$WAR" ]] || (cd "$ROOT" && mvn -B -q package -DskipTests) || die "cannot build the WAR"
fi
free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The upstream: the first file:// simple index in pip's configuration, its parent served over HTTP.
INDEX_DIR=$("$PYTHON" -m pip config list 2>/dev/null | grep -o "file://[^ ']*/simple" | head -1 | sed 's|^file://||')
[[ -n "$INDEX_DIR" && -d "$INDEX_DIR/$PACKAGE" ]] || die "no file-based simple index with $PACKAGE in pip's configuration"
UP_PORT=$(free_port)
"$PYTHON" -m http.server --bind 127.0.0.1 --directory "$(dirname "$INDEX_DIR")" "$UP_PORT" >"$WORK/upstream.log" 2>&1 &
HTTP_PID=$!
UPSTREAM="http://127.0.0.1:$UP_PORT/simple"
for _ in $(seq 100); do curl -fso /dev/null "$UPSTREAM/" && break; sleep 0.1; done

cat >"$WORK/repositories.yml" <<YAML
repositories:
  - name: pypi
    type: pypi
    url: $UPSTREAM
    metadataTtl: 10m
YAML
BR_PORT=$(free_port)
"$ROOT/scripts/tomcat" start --base "$WORK/tomcat" --port "$BR_PORT" --war "$WAR" --storage "$WORK/cache" \
    --config "$WORK/repositories.yml" >"$WORK/tomcat-start.log" 2>&1 || { cat "$WORK/tomcat-start.log" >&2; die "Tomcat did not start"; }
BR="http://127.0.0.1:$BR_PORT/repo/pypi/simple"

pip_install() {   # INDEX_URL: seconds of one pip install into a fresh venv (venv creation not counted)
    local venv="$WORK/venv-$RANDOM$RANDOM"
    "$PYTHON" -m venv "$venv"
    local t0 t1
    t0=$(date +%s.%N)
    env -i PATH=/usr/bin:/bin HOME="$WORK" PIP_CONFIG_FILE=/dev/null "$venv/bin/pip" install -q --no-cache-dir \
        --disable-pip-version-check --no-input --index-url "$1/" "$PACKAGE" >"$WORK/pip.log" 2>&1 \
        || { cat "$WORK/pip.log" >&2; die "pip install from $1 failed"; }
    t1=$(date +%s.%N)
    rm -rf "$venv"
    echo "$t1 - $t0" | bc -l
}
median() { sort -g | awk '{ a[NR] = $1 } END { printf "%.2f", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

log "filling the cache (one pip install of $PACKAGE through binaryrepo)"
pip_install "$BR" >/dev/null
log "warm pip install x $REPS through binaryrepo, then straight from upstream"
WARM_BR=$(for _ in $(seq "$REPS"); do pip_install "$BR"; done | median)
DIRECT=$(for _ in $(seq "$REPS"); do pip_install "$UPSTREAM"; done | median)

ACCEPT="application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01"
log "simple-page hits: wrk 16 connections, ${SECS}s"
wrk -t2 -c16 -d1s -H "Accept: $ACCEPT" "$BR/$PACKAGE/" >/dev/null
wrk -t2 -c16 -d"${SECS}s" --latency -H "Accept: $ACCEPT" "$BR/$PACKAGE/" >"$WORK/wrk.txt"
RPS=$(awk '/Requests\/sec/ { print $2 }' "$WORK/wrk.txt")
P99=$(awk '$1 == "99%" { print $2 }' "$WORK/wrk.txt")
ERRORS=$(grep -E "Non-2xx|Socket errors" "$WORK/wrk.txt" || true)

cat <<MD
## PyPI (bench/pypi.sh, $(date -u +%Y-%m-%d), package $PACKAGE)

| measurement | result |
|---|---|
| simple-page hits per second (wrk, 16 connections, ${SECS}s, cached /simple/$PACKAGE/) | $RPS req/s (p99 $P99)${ERRORS:+ — $ERRORS} |
| warm \`pip install $PACKAGE\` through binaryrepo (fresh venv, --no-cache-dir, median of $REPS) | ${WARM_BR} s |
| the same install straight from the upstream (python3 -m http.server) | ${DIRECT} s |
MD
