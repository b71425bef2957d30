#!/usr/bin/env bash
# Writes tests/fixtures/upgrade/schema-<N>-<commit>.db: a small till database made by the
# Tessera of an earlier commit, for the upgrade tests (crates/core/tests/upgrade.rs).
#
#   scripts/make-upgrade-fixture.sh COMMIT [LANGUAGE]
#
# The CLI of COMMIT is built in a worktree of its own (target/old-versions keeps the builds
# apart from ours); it sets up the demo café in LANGUAGE (its members, punches and rewards),
# then a few counter actions of its own. The database is then copied whole, compacted, with
# SQLite's VACUUM INTO (python3's sqlite3), so the fixture is one file without its WAL.
set -euo pipefail
trap 'echo "make-upgrade-fixture: failed at line $LINENO" >&2' ERR
cd "$(dirname "$0")/.."
root=$(pwd)
commit=$(git rev-parse --short "${1:?usage: $0 COMMIT [LANGUAGE]}")
language=${2:-en}
work=$(mktemp -d)
tree="$work/tree"
trap 'git -C "$root" worktree remove --force "$tree" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

git worktree add --detach "$tree" "$commit" >/dev/null
CARGO_TARGET_DIR="$root/target/old-versions" cargo build --quiet --manifest-path "$tree/Cargo.toml" -p tessera-cli
old="$root/target/old-versions/debug/tessera"
schema=$(ls "$tree/crates/core/migrations" | sed -n 's/^\([0-9]*\)_.*/\1/p' | sort -n | tail -1)

db="$work/tessera.db"
tessera() { LANG=C TESSERA_STAFF=Alex TESSERA_PIN=1234 "$old" --db "$db" --json "$@"; }
tessera demo --language "$language" >/dev/null
# A member of our own, punched, one punch voided: the kinds of event a till writes.
code=$(tessera member add --name "Zoé Ötvös-Țăran" | python3 -c 'import json,sys; print(json.load(sys.stdin)["code"])')
program=$(tessera program list | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["name"])')
for _ in 1 2 3; do tessera punch "$code" --program "$program" >/dev/null; done
event=$(tessera punch "$code" --program "$program" | python3 -c 'import json,sys; print(json.load(sys.stdin)["event"]["id"])')
tessera void "$event" --reason scanned-twice >/dev/null

out="tests/fixtures/upgrade/schema-$schema-$commit.db"
mkdir -p "$(dirname "$out")"
rm -f "$out"
python3 - "$db" "$out" <<'PY'
import sqlite3, sys
source, target = sys.argv[1], sys.argv[2]
with sqlite3.connect(source) as conn:
    conn.execute("VACUUM INTO ?", (target,))
PY
echo "$out ($(du -k "$out" | cut -f1) KB): schema $schema, made by $commit, demo in $language"
