#!/usr/bin/env bash
# Make sure headless Chromium is available for the browser tests (tests/browser/test_browser.py).
#
# Prints the path of the browser and exits 0 when it is there (or was installed);
# exits 0 with a note on stderr when it cannot be had (not root, no apt-get, no
# package), because the browser tests then skip with a clear reason instead of failing.
# Set ZWT_CHROMIUM to use a browser elsewhere; ZWT_NO_INSTALL=1 never installs.
set -uo pipefail

for candidate in "${ZWT_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
        echo "$candidate"
        exit 0
    fi
done

if [ "${ZWT_NO_INSTALL:-0}" = "1" ]; then
    echo "ensure_chromium: chromium not found and ZWT_NO_INSTALL=1; browser tests will skip" >&2
    exit 0
fi
if [ "$(id -u)" != "0" ]; then
    echo "ensure_chromium: chromium not found and not running as root; install it with" \
         "'sudo apt-get install chromium' (browser tests will skip)" >&2
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: chromium not found and no apt-get here; browser tests will skip" >&2
    exit 0
fi

log=${TMPDIR:-/tmp}/zwt-chromium-install.log
echo "ensure_chromium: installing Debian's chromium for the browser tests (apt-get; log: $log) ..." >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq --no-install-recommends chromium >"$log" 2>&1; then
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; } >>"$log" 2>&1
fi
if [ -x /usr/bin/chromium ]; then
    echo "ensure_chromium: chromium installed" >&2
    echo /usr/bin/chromium
    exit 0
fi
echo "ensure_chromium: installing chromium failed (see $log); browser tests will skip" >&2
exit 0
