#!/usr/bin/env bash
# The clock sweep: the clock-sensitive tests at many dates and hours, so that no test passes
# or fails by the day it runs (docs/development.md, "The clock sweep").
#   scripts/clock_sweep.sh [pytest args...]
# Each point runs pytest under libfaketime (Debian's faketime package) with the clock moved
# to that UTC moment; the tap and the emulator the tests start inherit the same moved clock.
# The offset is relative (FAKETIME="+N"), so every process agrees on the time and it ticks;
# monotonic clocks are left alone (timeouts and rate limits keep real time), and
# scripts/clock_sweep_site/ mends the one call libfaketime then breaks (time.sleep).
# CLOCK_SWEEP_POINTS="2027-01-01T00:00:00Z ..." replaces the points below.
# Needs .venv: run scripts/test.sh once first. Exits 1 if any point failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Month ends, 28/29 February (2028 is a leap year), 31 December -> 1 January, the hours
# just after a UTC midnight, 13:59/14:01 (Zoom may still add to a day until 14 h after its
# UTC end), and a point a year and a half ahead.
DEFAULT_POINTS="
2026-12-31T23:59:00Z 2027-01-01T00:00:00Z 2027-01-01T00:30:00Z 2027-01-01T01:15:00Z
2027-01-31T13:59:00Z 2027-02-01T14:01:00Z 2027-02-28T23:59:00Z 2027-03-01T00:00:00Z
2027-03-28T01:00:00Z 2027-03-31T00:30:00Z 2027-04-30T14:01:00Z 2027-05-01T02:00:00Z
2027-05-31T23:59:00Z 2027-06-30T13:59:00Z 2027-07-01T00:00:00Z 2027-07-31T14:01:00Z
2027-08-31T00:30:00Z 2027-09-30T23:59:00Z 2027-10-01T01:00:00Z 2027-10-31T13:59:00Z
2027-11-07T06:30:00Z 2027-11-30T00:00:00Z 2027-12-31T23:59:00Z 2028-01-01T00:30:00Z
2028-02-28T14:01:00Z 2028-02-29T00:00:00Z 2028-02-29T23:59:00Z 2028-03-01T00:30:00Z
2028-03-31T13:59:00Z 2028-06-30T23:59:00Z 2026-12-02T00:00:00Z 2026-12-02T14:01:00Z
"
POINTS="${CLOCK_SWEEP_POINTS:-$DEFAULT_POINTS}"

# Not clock-sensitive, and slow or outside the sweep's reach: the wheel build, the README
# and Hub checks, the pipeline tests (Meltano and PostgreSQL).
TESTS=(tests --ignore=tests/pipeline --ignore=tests/test_package.py
    --ignore=tests/test_docs.py --ignore=tests/test_hub.py)

LIB=""
for candidate in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1; do
    [ -e "$candidate" ] && LIB="$candidate" && break
done
if [ -z "$LIB" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "clock_sweep: installing Debian's faketime package"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null
        LIB="$(compgen -G '/usr/lib/*/faketime/libfaketime.so.1' | head -n 1)"
    else
        echo "clock_sweep: libfaketime is missing: apt-get install faketime" >&2
        exit 2
    fi
fi
if [ ! -x .venv/bin/python ]; then
    echo "clock_sweep: no .venv yet: run scripts/test.sh once first" >&2
    exit 2
fi

failed=()
for point in $POINTS; do
    offset=$(($(date -u -d "$point" +%s) - $(date -u +%s)))
    printf 'clock_sweep: %s (offset %+d s) ... ' "$point" "$offset"
    log="$(mktemp)"
    if PYTHONPATH="$PWD/scripts/clock_sweep_site" LD_PRELOAD="$LIB" \
        FAKETIME="$(printf '%+d' "$offset")" FAKETIME_DONT_FAKE_MONOTONIC=1 .venv/bin/python -m pytest -q -p no:cacheprovider --numprocesses 2 "${TESTS[@]}" "$@" \
        >"$log" 2>&1; then
        tail -n 1 "$log"
    else
        echo "FAILED"
        tail -n 30 "$log"
        failed+=("$point")
    fi
    rm -f "$log"
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "clock_sweep: failed at ${failed[*]}"
    exit 1
fi
echo "clock_sweep: every point passed"
