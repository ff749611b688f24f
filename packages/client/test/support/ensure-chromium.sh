#!/usr/bin/env bash
# The browser test drives Debian's chromium (playwright cannot download its own browser here).
# Install it when missing so `pnpm test` works on a fresh machine of this kind.
set -euo pipefail
chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$chromium_path" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian chromium for the browser test…" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "chromium not found at $chromium_path: install it (apt-get install chromium) or set CHROMIUM_PATH" >&2
  exit 1
fi
