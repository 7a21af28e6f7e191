#!/usr/bin/env bash
# Installs every system and npm package MediCall needs to build, run and test.
# Idempotent: skips what is already present. Debian 12, run as root (or with sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config git ccache
  libboost-dev libssl-dev libsrtp2-dev libopus-dev libvpx-dev
  libprotobuf-dev protobuf-compiler nlohmann-json3-dev
  libsqlite3-dev sqlite3 libhiredis-dev libfmt-dev libsodium-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev clang-format clang-tidy
  chromium chromium-driver firefox-esr python3-aiortc nftables
  iproute2 util-linux procps curl ca-certificates nginx-light coturn openssl
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: apt packages to install: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "install-deps: apt packages present"
fi

# npm packages: tests (AWS SDK, Chime SDK, Playwright, puppeteer-core for Firefox) and the web app.
npm_install() {
  local dir="$1"
  [ -f "$dir/package.json" ] || return 0
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package.json" -nt "$dir/node_modules/.install-stamp" ] \
     || { [ -f "$dir/package-lock.json" ] && [ "$dir/package-lock.json" -nt "$dir/node_modules/.install-stamp" ]; }; then
    echo "install-deps: npm install in $dir"
    if [ -f "$dir/package-lock.json" ]; then
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    else
      (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
    fi
    touch "$dir/node_modules/.install-stamp"
  else
    echo "install-deps: npm packages present in $dir"
  fi
}
npm_install tests
npm_install web
