#!/usr/bin/env bash
# `make dist-test`: installs the packages `make dist` made into a scratch root (`dpkg -x`: a
# real `dpkg -i` would need a whole Debian in a chroot) and checks what a shop and a chain's
# IT person get:
#   the app: its binary, the `tessera` CLI beside it (`--version` and `about` run from the
#   installed copy), the menu entry (desktop-file-validate) and its icons;
#   the hub: its binary, its systemd unit (systemd-analyze verify), its settings file marked
#   as a conffile, maintainer scripts that parse, and the installed hub serving with the
#   packaged settings, then stopping cleanly on SIGTERM as `systemctl stop` sends it.
set -euo pipefail
cd "$(dirname "$0")/.."
dist=target/dist
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
passed=0
failed=0
check() { # check "what" command...
  local what=$1
  shift
  if "$@" >"$scratch/out" 2>&1; then
    passed=$((passed + 1))
    echo "  ok    $what"
  else
    failed=$((failed + 1))
    echo "  FAIL  $what"
    sed 's/^/        /' "$scratch/out"
  fi
}

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
app_deb=$(ls "$dist"/tessera_"$version"_*.deb)
hub_deb=$(ls "$dist"/tessera-hub_"$version"_*.deb)

echo "desktop app: $app_deb"
app="$scratch/app"
dpkg-deb -x "$app_deb" "$app"
check "the app's binary is installed" test -x "$app/usr/bin/tessera-app"
check "the tessera CLI is installed beside it" test -x "$app/usr/bin/tessera"
check "tessera --version names this version" \
  bash -c "'$app/usr/bin/tessera' --version | grep -qx 'tessera $version'"
check "tessera about runs from the installed copy" \
  bash -c "'$app/usr/bin/tessera' --db '$scratch/shop.db' --json about | grep -q '\"version\": \"$version\"'"
desktop=$(ls "$app"/usr/share/applications/*.desktop)
check "the licences are shipped" test -s "$app/usr/share/doc/tessera/licences.txt" -a -s "$app/usr/share/doc/tessera/LICENSE-DejaVu.txt"
check "the menu entry is valid" desktop-file-validate "$desktop"
check "the menu entry starts the installed app" grep -qx 'Exec=tessera-app' "$desktop"
for size in 32x32 64x64 128x128 256x256@2; do
  check "an icon of $size" test -s "$app/usr/share/icons/hicolor/$size/apps/tessera-app.png"
done
check "the app depends on WebKitGTK" \
  bash -c "dpkg-deb -f '$app_deb' Depends | grep -q libwebkit2gtk-4.1"
rpm=$(ls "$dist"/*.rpm 2>/dev/null | head -1 || true)
if [ -n "$rpm" ]; then
  check "the rpm is an rpm" bash -c "head -c 4 '$rpm' | od -An -tx1 | grep -q 'ed ab ee db'"
fi

echo "hub: $hub_deb"
hub="$scratch/hub"
dpkg-deb -x "$hub_deb" "$hub"
dpkg-deb -e "$hub_deb" "$hub/DEBIAN"
unit="$hub/lib/systemd/system/tessera-hub.service"
check "the hub's binary is installed" test -x "$hub/usr/bin/tessera-hub"
check "tessera-hub --version names this version" \
  bash -c "'$hub/usr/bin/tessera-hub' --version | grep -qx 'tessera-hub $version'"
check "the hub's licences are shipped" test -s "$hub/usr/share/doc/tessera-hub/licences.txt"
check "its settings are a conffile" grep -qx /etc/tessera-hub/hub.conf "$hub/DEBIAN/conffiles"
# The unit as installed, its paths pointed into the scratch root; any remark (an unknown key,
# a command that is not there) fails the check, not only errors.
verify_unit() {
  mkdir -p "$scratch/units"
  sed -e "s#/usr/bin/tessera-hub#$hub/usr/bin/tessera-hub#" \
      -e "s#/etc/tessera-hub/#$hub/etc/tessera-hub/#" "$unit" >"$scratch/units/tessera-hub.service"
  local said
  said=$(systemd-analyze verify "$scratch/units/tessera-hub.service" 2>&1) && [ -z "$said" ] || {
    echo "$said"
    return 1
  }
}
check "the systemd unit verifies" verify_unit
check "the unit runs the hub as its own user" grep -qx 'User=tessera-hub' "$unit"
check "the unit keeps the database under /var/lib" grep -qx 'StateDirectory=tessera-hub' "$unit"
for script in postinst prerm postrm; do
  check "$script parses" sh -n "$hub/DEBIAN/$script"
done
check "the removal never deletes the chain's data" bash -c "! grep -q 'rm .*/var/lib' '$hub/DEBIAN/postrm'"

# The installed hub, with the packaged settings but a scratch database and a free port.
serve() {
  set -a
  # shellcheck disable=SC1090
  . "$hub/etc/tessera-hub/hub.conf"
  set +a
  export TESSERA_HUB_DB="sqlite://$scratch/hub.db" TESSERA_HUB_LISTEN=127.0.0.1:0
  # Its first line says where it listens: read from a pipe, so the wait ends when it is said.
  mkfifo "$scratch/serve.out"
  "$hub/usr/bin/tessera-hub" serve >"$scratch/serve.out" 2>"$scratch/serve.err" &
  local pid=$! line url
  exec 3<"$scratch/serve.out"
  if ! read -r -t 20 -u 3 line; then
    kill "$pid"
    cat "$scratch/serve.err"
    return 1
  fi
  url=${line#listening on }
  curl -s -o /dev/null -w '%{http_code}' "$url/v1/health" | grep -q 200 || { kill "$pid"; return 1; }
  kill -TERM "$pid"
  wait "$pid" # its exit status: 0 only when it stopped on its own
}
check "the installed hub serves with the packaged settings and stops on SIGTERM" serve

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
