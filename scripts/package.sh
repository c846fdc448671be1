#!/usr/bin/env bash
# Builds the optimised desktop app and CLI and packs them as a Debian package:
#   target/package/bedrock-batch-studio_<version>_<arch>.deb
# It holds /usr/bin/bedrock-batch-studio (the app, in the desktop's menu with its icon) and /usr/bin/bedrock-batch
# (the CLI). Install it with `sudo apt install ./target/package/bedrock-batch-studio_*.deb`; removing the package
# leaves the user's data (job history, runs, logs) where it is.
#
# The .deb is assembled with dpkg-deb from the release binaries rather than by `tauri build`: the Tauri CLI is not
# a dependency of the workspace and compiling it would add minutes to every fresh machine for a package of a
# handful of files. AppImage is not built: its tooling (appimagetool, linuxdeploy) is downloaded from GitHub, which
# the offline registries this project builds from do not carry.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_system_packages
ensure_rust_toolchain
build_ui
build_release

version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
arch="$(dpkg --print-architecture)"
name=bedrock-batch-studio
out="$ROOT/target/package"
root="$out/root"
deb="$out/${name}_${version}_${arch}.deb"
rm -rf "$root" "$deb"
mkdir -p "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/applications" "$root/usr/share/doc/$name"

# Stripped: the symbols are two thirds of the release binaries (the package ships no debugger aids).
install -s -m 0755 target/release/bedrock-batch-studio target/release/bedrock-batch "$root/usr/bin/"
for icon in 32x32:32x32.png 128x128:128x128.png 256x256:128x128@2x.png 512x512:icon.png; do
  size="${icon%%:*}"
  install -D -m 0644 "icons/${icon#*:}" "$root/usr/share/icons/hicolor/$size/apps/$name.png"
done
cat > "$root/usr/share/applications/$name.desktop" <<EOF
[Desktop Entry]
Type=Application
Name=Bedrock Batch Studio
GenericName=Batch inference
Comment=Run Amazon Bedrock batch inference from a spreadsheet
Exec=$name
Icon=$name
Terminal=false
Categories=Office;Development;
Keywords=Bedrock;AWS;LLM;batch;spreadsheet;
StartupNotify=true
EOF
cat > "$root/usr/share/doc/$name/copyright" <<EOF
Bedrock Batch Studio $version
License: MIT OR Apache-2.0 (at your option)
EOF

# The libraries the binaries link, as Debian dependencies (dpkg-shlibdeps reads them from the ELF files; it wants
# a debian/control beside them). Without it, the known ones.
mkdir -p "$out/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$name" "$name" > "$out/debian/control"
depends="$(cd "$out" && dpkg-shlibdeps -O --ignore-missing-info "root/usr/bin/$name" root/usr/bin/bedrock-batch \
  | sed -n 's/^shlibs:Depends=//p')" || depends=""
rm -rf "$out/debian"
[[ -n "$depends" ]] || depends="libc6, libgtk-3-0t64 | libgtk-3-0, libwebkit2gtk-4.1-0"
cat > "$root/DEBIAN/control" <<EOF
Package: $name
Version: $version
Architecture: $arch
Maintainer: Bedrock Batch Studio developers <studio@bedrockbatch.dev>
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $depends
Section: utils
Priority: optional
Homepage: https://bedrockbatch.dev
Description: Run Amazon Bedrock batch inference from a spreadsheet
 A desktop app (bedrock-batch-studio) and a command-line tool (bedrock-batch):
 import a sheet, write a prompt template, check the IAM role, submit a batch
 inference job and get its answers back as typed columns. An offline sandbox
 runs the same flow without an AWS account.
EOF
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
log "built $deb ($(du -h "$deb" | cut -f1); installed $(sed -n 's/^Installed-Size: //p' "$root/DEBIAN/control") KiB)"
echo "$deb"
