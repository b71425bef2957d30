#!/usr/bin/env bash
# Runs a command on a private X display (Xvfb) in a process group of its own, and makes sure
# nothing it started (tauri-driver, WebKitWebDriver, the app) outlives it, even when a test
# fails or the run is interrupted.
set -uo pipefail

setsid xvfb-run -a -s "-screen 0 1280x800x24" "$@" &
group=$!

stop_group() {
  # SIGTERM, not SIGKILL: tauri-driver then stops WebKitWebDriver, which frees its port.
  kill -TERM -- "-$group" 2>/dev/null || true
}
trap 'stop_group; exit 130' INT TERM

wait "$group"
status=$?
stop_group
exit "$status"
