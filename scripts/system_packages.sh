#!/usr/bin/env bash
# The Debian packages the tests need beyond Python's: Chromium (browser tests), Pango (WeasyPrint's
# PDFs), DejaVu fonts (the PDFs' glyphs) and gettext (the catalogue check of `make lint`).
# Installs what is missing when it can (root, as `.ci/run` is); otherwise stops at once and prints
# the exact command, rather than letting the browser tests fail one by one.
set -euo pipefail

missing=()
# The browser tests use $CERTEEF_CHROMIUM when set (tests/e2e/conftest.py), else /usr/bin/chromium.
[ -x "${CERTEEF_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
ldconfig -p 2>/dev/null | grep -q libpango-1.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
command -v xgettext >/dev/null 2>&1 || missing+=(gettext)

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${missing[*]} (Debian packages the tests need)…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    exit 0
fi

echo "The tests need Debian packages that are not installed: ${missing[*]}" >&2
echo "Run, as root:  apt-get update && apt-get install -y ${missing[*]}" >&2
exit 1
