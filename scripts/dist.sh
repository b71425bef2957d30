#!/usr/bin/env bash
# `make dist`: the release packages in target/dist/.
#
#   tessera_<version>_<arch>.deb / .rpm   the desktop app (Tauri's bundler), its menu entry and
#                                         icons, and the `tessera` CLI beside it in /usr/bin
#   tessera-hub_<version>_<arch>.deb      the chain's hub as a systemd service: its own user,
#                                         its database in /var/lib/tessera-hub, its settings in
#                                         /etc/tessera-hub/hub.conf, its logs in the journal
#
# The AppImage is left out: its bundler downloads linuxdeploy and its plugins while it builds,
# which a build from the package registries alone cannot do (docs/decisions/0028-packages.md).
# Expects the UI built (ui/dist) and the release binaries (`make dist` does both first).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=target/dist
release=target/release
rm -rf "$out" "$release/bundle"
mkdir -p "$out"

for binary in tessera-app tessera tessera-hub; do
  [ -x "$release/$binary" ] || { echo "dist: $release/$binary is missing (make dist builds it)" >&2; exit 1; }
done
version=$("$release/tessera-hub" --version | awk '{print $2}')
arch=$(dpkg --print-architecture)

# ---- The desktop app, through Tauri's bundler ----
# Tauri's CLI looks for the app's config next to the app's Cargo.toml; ours sits at the root
# (DESIGN.md), with paths relative to it. For the bundler's run only, src-tauri gets a link to
# it, and every path the bundler reads is given again, absolute.
link=src-tauri/tauri.conf.json
ln -sfn ../tauri.conf.json "$link"
trap 'rm -f "$root/$link"' EXIT
icons=""
for icon in 32x32.png 64x64.png 128x128.png 128x128@2x.png icon.png icon.icns icon.ico; do
  icons+="\"$root/icons/$icon\","
done
# The menu entry in the five languages, from the Fluent files like every other text.
mkdir -p target/dist-stage
desktop="$root/target/dist-stage/tessera.desktop"
python3 - "$desktop" <<'PY'
import pathlib, sys
def message(lang, key):
    for line in pathlib.Path(f"locales/{lang}/tessera.ftl").read_text().splitlines():
        if line.startswith(key + " = "):
            return line.split(" = ", 1)[1]
    sys.exit(f"locales/{lang}/tessera.ftl has no {key}")
lines = ["[Desktop Entry]", "Type=Application", "Name=Tessera"]
for key, field in (("desktop-generic-name", "GenericName"), ("desktop-comment", "Comment")):
    lines.append(f"{field}={message('en', key)}")
    lines += [f"{field}[{lang}]={message(lang, key)}" for lang in ("fr", "it", "ro", "hu")]
# Tauri's bundler fills in the binary and the icon.
lines += ["Exec={{exec}}", "StartupWMClass={{exec}}", "Icon={{icon}}", "Terminal=false",
          "Categories=Office;Finance;", "Keywords=loyalty;punch card;stamps;rewards;members;"]
pathlib.Path(sys.argv[1]).write_text("\n".join(lines) + "\n")
PY
# Symbols out of what ships (a third of its size); benchmarks build their own again.
strip "$release/tessera-app" "$release/tessera"
# Beside the binaries: the CLI, and the licences of what is inside (the font's own text too).
files=$(cat <<JSON
{
  "/usr/bin/tessera": "$root/$release/tessera",
  "/usr/share/doc/tessera/licences.txt": "$root/crates/core/assets/licences.txt",
  "/usr/share/doc/tessera/LICENSE-DejaVu.txt": "$root/crates/core/assets/fonts/LICENSE-DejaVu.txt"
}
JSON
)
bundle_config=$(cat <<JSON
{
  "bundle": {
    "active": true,
    "icon": [${icons%,}],
    "linux": {
      "deb": { "desktopTemplate": "$desktop", "files": $files },
      "rpm": { "desktopTemplate": "$desktop", "files": $files }
    }
  }
}
JSON
)
# The rpm is written by the bundler itself (no rpmbuild needed), so it is made here too.
TAURI_APP_PATH=src-tauri TAURI_FRONTEND_PATH=ui ui/node_modules/.bin/tauri bundle --ci --bundles deb,rpm --config "$bundle_config"
# Named as Debian names packages (the bundler uses the product's name, capitalised).
cp "$release/bundle/deb/Tessera_${version}_${arch}.deb" "$out/tessera_${version}_${arch}.deb"
for rpm in "$release"/bundle/rpm/Tessera-"$version"-*.rpm; do
  cp "$rpm" "$out/$(basename "$rpm" | sed 's/^Tessera/tessera/')"
done

# ---- The hub, a plain Debian package around one binary ----
stage=target/dist-stage/tessera-hub
rm -rf "$stage"
install -D -m 0755 "$release/tessera-hub" "$stage/usr/bin/tessera-hub"
strip "$stage/usr/bin/tessera-hub"
install -D -m 0644 packaging/hub/tessera-hub.service "$stage/lib/systemd/system/tessera-hub.service"
install -D -m 0640 packaging/hub/hub.conf "$stage/etc/tessera-hub/hub.conf"
install -D -m 0644 packaging/hub/copyright "$stage/usr/share/doc/tessera-hub/copyright"
install -D -m 0644 crates/core/assets/licences.txt "$stage/usr/share/doc/tessera-hub/licences.txt"
mkdir -p "$stage/DEBIAN"
install -m 0755 packaging/hub/postinst packaging/hub/prerm packaging/hub/postrm "$stage/DEBIAN/"
echo /etc/tessera-hub/hub.conf >"$stage/DEBIAN/conffiles"
size_kib=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<CONTROL
Package: tessera-hub
Version: $version
Architecture: $arch
Maintainer: ${DIST_MAINTAINER:-Tessera <support@tessera.invalid>}
Installed-Size: $size_kib
Depends: adduser, libc6 (>= 2.34), libgcc-s1
Section: net
Priority: optional
Description: Tessera's sync hub for a chain of shops
 The tills of a chain push their loyalty ledgers to the hub and pull each
 other's, so that a member's card works in every shop. SQLite for a small
 chain, PostgreSQL for a large one. Runs as the systemd service tessera-hub.
CONTROL
dpkg-deb --root-owner-group -Zxz --build "$stage" "$out/tessera-hub_${version}_${arch}.deb" >/dev/null

echo "packages in $out:"
ls -l "$out" | awk 'NR > 1 { printf "  %-45s %6.1f MB\n", $9, $5 / 1048576 }'
