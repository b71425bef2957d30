#!/usr/bin/env bash
# Times each report (`tessera report …`, as a manager would run it) on a generated store of
# REPORT_MEMBERS members and REPORT_EVENTS events (default 100,000 and 2,000,000; the big
# chain is REPORT_MEMBERS=1000000 REPORT_EVENTS=20000000). The store is generated once from a
# fixed seed and kept under target/bench/ for the next run. Prints the best of three runs.
set -euo pipefail
members="${REPORT_MEMBERS:-100000}"
events="${REPORT_EVENTS:-2000000}"
tessera="${TESSERA:-target/debug/tessera}"
dir="target/bench"
db="$dir/reports-$members-$events.db"
mkdir -p "$dir"
export TESSERA_STAFF=Ana TESSERA_PIN=1234
if [ ! -f "$db" ]; then
    rm -f "$db.part" "$db.part-wal" "$db.part-shm"
    "$tessera" --db "$db.part" init --shop "Pékség" --manager Ana --pin 1234 --language fr >/dev/null
    "$tessera" --db "$db.part" shop set --time-zone Europe/Paris >/dev/null
    start=$(date +%s.%N)
    "$tessera" --db "$db.part" dev seed --members "$members" --events "$events"
    end=$(date +%s.%N)
    printf 'generated in %.0f s\n' "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')"
    # Renamed together: a WAL belongs to the file of its name.
    for suffix in -wal -shm; do
        if [ -f "$db.part$suffix" ]; then mv "$db.part$suffix" "$db$suffix"; fi
    done
    mv "$db.part" "$db"
fi
printf 'store: %s (%s)\n' "$db" "$(du -h "$db" | cut -f1)"
best() {
    local best=""
    for _ in 1 2 3; do
        local start end took
        start=$(date +%s.%N)
        "$tessera" --db "$db" --json "$@" >/dev/null
        end=$(date +%s.%N)
        took=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
        best=$(awk -v a="${best:-$took}" -v b="$took" 'BEGIN { print (b < a) ? b : a }')
    done
    printf '%-44s %7.2f s\n' "$*" "$best"
}
# The first report after an upgrade (or a change of time zone) counts the day tables once.
start=$(date +%s.%N)
"$tessera" --db "$db" --json report summary >/dev/null
end=$(date +%s.%N)
printf '%-44s %7.2f s\n' "first report (counts the days, once)" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')"
best report summary
best report summary --from "$(date -d '-1 year' +%F)"
best report retention
best report at-risk --limit 200
best report staff
