# Shared set-up for scripts/app.sh, scripts/test.sh and benches/run.sh: installs what is missing, idempotently.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

# Debian/Ubuntu packages the desktop shell, its WebDriver tests and the builds need.
SYSTEM_PACKAGES=(build-essential pkg-config curl file libssl-dev libwebkit2gtk-4.1-dev libayatana-appindicator3-dev
                 librsvg2-dev libxdo-dev xvfb xauth webkit2gtk-driver python3-venv)
# The WebDriver bridge of the desktop app's end-to-end test, installed from crates.io into .tools/.
TAURI_DRIVER_VERSION=2.1.0

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else log "need root to run: $*  (install sudo or run as root)"; return 1
  fi
}

ensure_system_packages() {
  local missing=()
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    if ! command -v apt-get >/dev/null; then
      log "missing system packages (${missing[*]}) and no apt-get: install their equivalents by hand"; return 1
    fi
    log "installing system packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

ensure_rust_toolchain() {
  if ! command -v cargo >/dev/null; then
    log "cargo not found: install Rust 1.95 or newer (https://rustup.rs) and run this again"; return 1
  fi
}

# ensure_python_venv REQUIREMENTS...: a virtualenv at .venv holding the pinned packages of every file given.
ensure_python_venv() {
  local stamp="$VENV/.requirements"
  local wanted
  wanted="$(cat "$@" | sha256sum | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then return 0; fi
  log "preparing the Python virtualenv (.venv) with $*"
  [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check $(printf -- '-r %s ' "$@")
  echo "$wanted" > "$stamp"
}

# ensure_ui_packages: ui/node_modules as ui/package-lock.json pins it (npm ci, again when the lock changes).
ensure_ui_packages() {
  if ! command -v npm >/dev/null; then
    log "npm not found: install Node.js 20.19 or newer (with npm) and run this again"; return 1
  fi
  local stamp="$ROOT/ui/node_modules/.lock-hash"
  local wanted
  wanted="$(sha256sum "$ROOT/ui/package-lock.json" | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then return 0; fi
  log "installing the UI's npm packages (npm ci)"
  (cd "$ROOT/ui" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$wanted" > "$stamp"
}

# build_ui: the web UI into ui/dist, which the desktop binary embeds when it is compiled. Skipped when ui/dist was
# built from the same sources (a rebuild would touch ui/dist and make cargo recompile the app).
build_ui() {
  ensure_ui_packages
  local stamp="$ROOT/ui/dist/.sources-hash"
  local wanted
  wanted="$(cd "$ROOT/ui" && find . \( -path ./node_modules -o -path ./dist \) -prune -o -type f -print | LC_ALL=C sort \
    | xargs sha256sum | sha256sum | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then return 0; fi
  log "building the UI (ui/dist)"
  (cd "$ROOT/ui" && npm run --silent build >/dev/null)
  echo "$wanted" > "$stamp"
}

# build_release: the optimised desktop app and CLI (target/release/bedrock-batch-studio, target/release/bedrock-batch).
# The first build compiles every dependency with optimisations (35 min on 2 cores, clean-clone CI); later ones reuse it.
build_release() {
  if [[ ! -x "$ROOT/target/release/bedrock-batch-studio" ]]; then
    log "building the optimised app and CLI (release; the first time takes a while, later starts reuse it)"
  fi
  (cd "$ROOT" && cargo build --release -p bedrock-batch-studio -p batch-cli --locked)
}

# ensure_tauri_driver: .tools/bin/tauri-driver, for the WebDriver test of the desktop app.
ensure_tauri_driver() {
  local bin="$ROOT/.tools/bin/tauri-driver"
  if [[ -x "$bin" ]] && [[ -f "$ROOT/.tools/.version" ]] && [[ "$(cat "$ROOT/.tools/.version")" == "$TAURI_DRIVER_VERSION" ]]; then
    return 0
  fi
  log "installing tauri-driver $TAURI_DRIVER_VERSION into .tools/"
  cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked --root "$ROOT/.tools" --quiet --force
  echo "$TAURI_DRIVER_VERSION" > "$ROOT/.tools/.version"
}
