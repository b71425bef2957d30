#!/usr/bin/env bash
# Times `tessera member import` of a generated file of N members (default 50,000) as Excel
# writes it in France: semicolons, Windows-1252, CRLF. A dry run first (the preview), then
# the import itself, on a fresh shop in a temp dir. Prints both times.
set -euo pipefail
rows="${IMPORT_ROWS:-50000}"
tessera="${TESSERA:-target/debug/tessera}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
export TESSERA_STAFF=Ana TESSERA_PIN=1234
db=(--db "$dir/tessera.db")
"$tessera" "${db[@]}" init --shop "Boulangerie" --manager Ana --pin 1234 --language fr >/dev/null
# Unique names, emails and phone numbers; é and è written as Windows-1252 bytes.
awk -v n="$rows" 'BEGIN {
    printf "Nom;Courriel;T\xe9l\xe9phone;email_consent\r\n";
    for (i = 1; i <= n; i++)
        printf "Client%d L\xe8vre;client%d@example.fr;06 %02d %02d %02d %02d;%s\r\n",
            i, i, int(i / 1000000) % 100, int(i / 10000) % 100, int(i / 100) % 100, i % 100,
            (i % 3 == 0) ? "oui" : "";
}' > "$dir/clients.csv"
for mode in --dry-run ""; do
    start=$(date +%s.%N)
    "$tessera" "${db[@]}" --json member import "$dir/clients.csv" $mode > "$dir/report.json"
    end=$(date +%s.%N)
    added=$(grep -o '"added": [0-9]*' "$dir/report.json")
    printf 'import %s rows %-10s %6.1f s  (%s)\n' "$rows" "${mode:-(write)}" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "$added"
done
