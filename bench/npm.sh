#!/usr/bin/env bash
# npm benchmark: packument hits per second of binaryrepo (WAR in Tomcat), and the time of a warm `npm ci`
# through binaryrepo against the same `npm ci` straight from the upstream registry, side by side.
#
# usage: bench/npm.sh [--quick] [--war FILE] [--out FILE] [--keep]
#   --quick      3 s wrk runs and 1 npm ci per side instead of 10 s and 3
#   --war FILE   benchmark this WAR instead of building target/binaryrepo.war
#   --out FILE   append the markdown result table to FILE (default: print it only)
#   --keep       keep the work directory (/tmp/brnpm.*) afterwards
#
# The upstream is the registry this machine's npm is configured with (`npm config get registry`); its
# host name is never written anywhere. Every npm run has its own --userconfig, --globalconfig and an empty
# --cache, so "warm" means binaryrepo's cache is warm, never npm's. Needs npm, wrk, curl and python3;
# bench/run can call it as one more section. Everything listens on 127.0.0.1 and is stopped on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
QUICK=0 WAR="" OUT="" KEEP=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) QUICK=1; shift ;;
        --war) WAR="$2"; shift 2 ;;
        --out) OUT="$2"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h | --help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
        *) echo "bench/npm.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
if ((QUICK)); then WRK_SECS=3 REPS=1; else WRK_SECS=10 REPS=3; fi
WRK_CONNS=64
CORGI='application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*'

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }
for c in npm wrk curl python3; do command -v "$c" >/dev/null || die "$c is not installed"; done

WORK="$(mktemp -d /tmp/brnpm.XXXXXX)"
STOPS=()
cleanup() {
    local s
    for s in "${STOPS[@]}"; do eval "$s" >/dev/null 2>&1 || true; done
    ((KEEP)) || rm -rf "$WORK"
}
trap cleanup EXIT

UPSTREAM="$(npm config get registry)"
UPSTREAM="${UPSTREAM%/}"
if [[ -z $WAR ]]; then
    log "building the WAR"
    (cd "$ROOT" && mvn -B -q package -DskipTests) || die "mvn package failed"
    WAR="$ROOT/target/binaryrepo.war"
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

PORT="$(free_port)"
printf 'repositories:\n  - name: npm-remote\n    type: npm\n    url: %s\n    metadataTtl: 1h\n' "$UPSTREAM" \
    >"$WORK/repositories.yaml"
STOPS+=("'$ROOT/scripts/tomcat' stop --base '$WORK/tomcat'")
BINARYREPO_HEAP=256m "$ROOT/scripts/tomcat" start --base "$WORK/tomcat" --port "$PORT" --war "$WAR" \
    --storage "$WORK/cache" --config "$WORK/repositories.yaml" >&2
REGISTRY="http://127.0.0.1:$PORT/repo/npm-remote/"

# npm with its own configuration and an empty cache: npm_run DIR REGISTRY PROJECT ARGS...
# (The cache directory is made fresh per run with mktemp, not from a counter: ci_time runs in a subshell.)
npm_run() {
    local dir="$1" registry="$2" project="$3" run
    shift 3
    mkdir -p "$dir/home"
    run="$(mktemp -d "$dir/run.XXXXXX")"
    printf 'registry=%s\naudit=false\nfund=false\nupdate-notifier=false\n' "$registry" >"$run/npmrc"
    : >"$run/global-npmrc"
    HOME="$dir/home" npm --userconfig "$run/npmrc" --globalconfig "$run/global-npmrc" \
        --cache "$run/cache" --prefix "$project" "$@" >"$run/npm.log" 2>&1 \
        || { tail -20 "$run/npm.log" >&2; die "npm $* failed"; }
}
project() {   # DIR: a project of express and @types/node (73 packages)
    mkdir -p "$1"
    printf '{"name":"bench","version":"1.0.0","private":true,"dependencies":{"express":"^4.21.0","@types/node":"^20.0.0"}}\n' \
        >"$1/package.json"
}

log "warming binaryrepo: npm install through it"
project "$WORK/through"
npm_run "$WORK/npm" "$REGISTRY" "$WORK/through" install
log "lockfile straight from upstream"
project "$WORK/direct"
npm_run "$WORK/npm" "$UPSTREAM/" "$WORK/direct" install
packages=$(python3 -c 'import json,sys; print(len([k for k in json.load(open(sys.argv[1]))["packages"] if k]))' \
    "$WORK/through/package-lock.json")

rps() {   # URL ACCEPT: requests per second over WRK_SECS, after a 1 s warm-up
    wrk -t2 -c"$WRK_CONNS" -d1s -H "Accept: $2" "$1" >/dev/null 2>&1 || true
    wrk -t2 -c"$WRK_CONNS" -d"${WRK_SECS}s" --timeout 10s -H "Accept: $2" "$1" 2>&1 \
        | awk '/Requests\/sec/ { print int($2) } /Non-2xx/ { print "non-2xx:" $4 > "/dev/stderr" }'
}
log "packument hits: wrk $WRK_CONNS connections, ${WRK_SECS}s each"
curl -sf -o /dev/null "${REGISTRY}express" || die "binaryrepo does not answer the express packument"
size_full=$(curl -s -o /dev/null -w '%{size_download}' -H 'Accept: application/json' "${REGISTRY}express")
size_corgi=$(curl -s -o /dev/null -w '%{size_download}' -H "Accept: $CORGI" "${REGISTRY}express")
etag=$(curl -s -D - -o /dev/null -H "Accept: $CORGI" "${REGISTRY}express" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag" { print $2 }')
full_rps=$(rps "${REGISTRY}express" "application/json")
corgi_rps=$(rps "${REGISTRY}express" "$CORGI")
cond_rps=$(wrk -t2 -c"$WRK_CONNS" -d"${WRK_SECS}s" -H "Accept: $CORGI" -H "If-None-Match: $etag" "${REGISTRY}express" 2>&1 \
    | awk '/Requests\/sec/ { print int($2) }')

median() { python3 -c 'import sys,statistics; print("%.1f" % statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
ci_time() {   # PROJECT REGISTRY: seconds of one npm ci with an empty npm cache
    local t0 t1
    rm -rf "$1/node_modules"
    t0=$(date +%s.%N)
    npm_run "$WORK/npm" "$2" "$1" ci
    t1=$(date +%s.%N)
    python3 -c "print($t1 - $t0)"
}
log "npm ci x $REPS per side (empty npm cache each time)"
through=() direct=()
for ((i = 0; i < REPS; i++)); do
    through+=("$(ci_time "$WORK/through" "$REGISTRY")")
    direct+=("$(ci_time "$WORK/direct" "$UPSTREAM/")")
done

table=$(cat <<MD
### npm ($(date -u +%Y-%m-%d), $(npm --version | sed 's/^/npm /'), $packages packages: express + @types/node)

| measurement | binaryrepo (Tomcat, warm cache) | straight from upstream |
|---|---|---|
| packument \`express\`, full ($size_full bytes), hits/s, $WRK_CONNS connections | $full_rps | - |
| packument \`express\`, abbreviated ($size_corgi bytes), hits/s | $corgi_rps | - |
| packument \`express\`, abbreviated, \`If-None-Match\` → 304, hits/s | $cond_rps | - |
| \`npm ci\`, empty npm cache, median of $REPS (s) | $(median "${through[@]}") | $(median "${direct[@]}") |
MD
)
printf '%s\n' "$table"
if [[ -n $OUT ]]; then printf '\n%s\n' "$table" >>"$OUT"; fi
