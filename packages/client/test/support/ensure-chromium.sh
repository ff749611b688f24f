#!/usr/bin/env bash
# The browser test drives a local Chromium (playwright-core downloads no browser of its own). Install
# Debian's when missing and we may (root, apt-get), so `pnpm test` works on a fresh machine of that kind;
# anywhere else, say in one line what to install and how to point the test at it.
set -euo pipefail
chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$chromium_path" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian chromium for the browser test…" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
for name in chromium chromium-browser google-chrome google-chrome-stable; do
  found="$(command -v "$name" || true)"
  if [ -n "$found" ]; then
    echo "no Chromium at $chromium_path, but there is $found: run CHROMIUM_PATH=$found npx -y pnpm@12 test" >&2
    exit 1
  fi
done
echo "no Chromium at $chromium_path for the browser test: install Chromium or Chrome (Debian/Ubuntu: sudo apt-get install chromium; macOS: brew install --cask chromium), then run CHROMIUM_PATH=/path/to/chromium npx -y pnpm@12 test" >&2
exit 1
