#!/usr/bin/env bash
# `make fuzz`: each fuzz target of fuzz/ for FUZZ_SECONDS (60 by default), one after the other,
# starting from the committed corpus (fuzz/corpus/<target>, read only) and growing a working one
# under target/fuzz/corpus/<target>. A crash stops the run with libFuzzer's report; its input is
# under target/fuzz/artifacts/<target>/: copy it to fuzz/regressions/<target>/ (make test replays
# it, crates/core/tests/fuzz_corpus.rs) and fix the code.
#
# cargo-fuzz on the stable toolchain with `--sanitizer none`: the core forbids unsafe code, so
# AddressSanitizer (nightly only) would watch nothing of ours; libFuzzer's coverage guidance and
# the targets' own assertions are what find things.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-60}"
targets=(scan_decode token_verify member_code csv_import sync_request)
if [[ -n "${FUZZ_TARGETS:-}" ]]; then
  read -r -a targets <<<"$FUZZ_TARGETS"
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked --version 0.13.2
fi

(cd fuzz && cargo fuzz build --sanitizer none)
for target in "${targets[@]}"; do
  work="$PWD/target/fuzz/corpus/$target"
  artifacts="$PWD/target/fuzz/artifacts/$target/"
  mkdir -p "$work" "$artifacts"
  echo "== $target: ${seconds} s"
  log="$PWD/target/fuzz/$target.log"
  status=0
  (cd fuzz && cargo fuzz run --sanitizer none "$target" "$work" "corpus/$target" -- \
    -max_total_time="$seconds" -artifact_prefix="$artifacts" -print_final_stats=1) >"$log" 2>&1 ||
    status=$?
  if [[ "$status" != 0 ]]; then
    tail -n 40 "$log" >&2
    echo "fuzz target $target failed (exit $status); its input is in $artifacts" >&2
    exit "$status"
  fi
  grep -E '^(Done |stat::number_of_executed_units|stat::peak_rss_mb|stat::new_units_added)' "$log"
done
echo "fuzzing done: ${#targets[@]} targets, ${seconds} s each, nothing found"
