#!/usr/bin/env bash
# Installs the Debian packages Tessera needs to build, run and test the desktop app.
# Idempotent: does nothing when every package is already there (a warm machine).
set -euo pipefail

packages=(
  build-essential pkg-config libssl-dev curl file
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev
  xvfb xauth webkit2gtk-driver x11-xkb-utils xdotool
  poppler-utils zbar-tools            # the printed-card test renders the PDF and decodes its QRs
  xkb-data x11proto-dev               # scripts/gen-keyboard-tables.py reads the keyboard layouts
  postgresql                          # the hub's PostgreSQL tests start a throwaway cluster
  openssl                             # the hub's HTTPS test makes a self-signed certificate
  cups-client                         # printing: `lp` sends a PDF to the system's print queue
  cups-daemon                         # the printing test runs a private CUPS with a queue to a file
  python3-aiosmtpd                    # the campaign test's mail server receives the emails sent
  chromium chromium-driver            # the survey page is tested in a real browser, headless
  desktop-file-utils systemd          # `make dist-test` checks the menu entry and the hub's unit
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "Installing system packages: ${missing[*]}"
# A fresh machine's package lists are stale: update first, or the install fails on unmet dependencies.
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
