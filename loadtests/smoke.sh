#!/usr/bin/env bash
# CI smoke of the locust suite, in two runs, each against its own `chrono serve` on a
# free port, stopped whatever happens:
#   1. limits: a 2 s idle timeout (so the idle probe runs), every user class; fails when
#      a limit probe failed or did not run, or a feed user saw a failure.
#   2. faults: the server drops, duplicates and reorders updates and drops connections;
#      feed users only, with --faults; fails unless every loss is accounted for.
# Exits non-zero if either run fails.
#
# Tools come from $VENV/bin when set, else .venv/bin when it has locust, else PATH.
# SMOKE_USERS (default 30) and SMOKE_TIME (default 8s) size the run.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=""
if [[ -n "${VENV:-}" ]]; then
    bin="$VENV/bin/"
elif [[ -x .venv/bin/locust ]]; then
    bin=".venv/bin/"
fi
users="${SMOKE_USERS:-30}"
run_time="${SMOKE_TIME:-8s}"
idle=2

log="$(mktemp)"
server=""
runner=""
stop() { # the processes this script started, by pid
    for pid in "$@"; do
        if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid"
            wait "$pid" 2>/dev/null || true
        fi
    done
}
trap 'stop "$runner" "$server"; rm -f "$log"' EXIT
trap 'exit 130' INT TERM # through the EXIT trap, so locust and the server go too

# run NAME "SERVER OPTIONS" LOCUST ARGS...: one server, one locust run; locust's status.
run() {
    local name="$1" server_options="$2"
    shift 2
    # shellcheck disable=SC2086 # the options are words on purpose
    "${bin}chrono" serve --keys loadtests/keys.toml --host 127.0.0.1 --port 0 \
        $server_options >"$log" 2>&1 &
    server=$!
    # --port 0: the server picks a free port and logs it (no race with another process).
    local port=""
    for _ in $(seq 100); do
        port="$(sed -n 's|.*listening on ws://127\.0\.0\.1:\([0-9]*\)/stream.*|\1|p' "$log")"
        [[ -n "$port" ]] && break
        if ! kill -0 "$server" 2>/dev/null; then
            cat "$log" >&2
            echo "smoke ($name): chrono serve exited before listening" >&2
            return 1
        fi
        sleep 0.1
    done
    if [[ -z "$port" ]]; then
        cat "$log" >&2
        echo "smoke ($name): chrono serve did not listen within 10 s" >&2
        return 1
    fi
    # In the background and waited for, so that a signal to this script acts at once.
    "${bin}locust" -f loadtests/locustfile.py --headless --only-summary \
        -u "$users" -r "$users" -t "$run_time" --host "ws://127.0.0.1:$port/stream" "$@" &
    runner=$!
    local status=0
    wait "$runner" || status=$?
    runner=""
    stop "$server"
    server=""
    if [[ "$status" -ne 0 ]]; then
        echo "smoke ($name): locust exited $status; the server's log:" >&2
        tail -n 20 "$log" >&2
    fi
    return "$status"
}

status=0
run limits "--idle-timeout $idle" --idle-timeout "$idle" || status=1
run faults "--interval 0.2 --seed 7 --fault drop=0.05,duplicate=0.02,reorder=0.02,disconnect=every:3s" \
    --faults FeedUser || status=1
exit "$status"
