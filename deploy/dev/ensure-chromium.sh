#!/bin/sh
# Makes sure the console's browser tests have a headless Chromium: the one
# on PATH or at /usr/bin/chromium, or, on a bare Debian machine (as root),
# Debian's chromium package installed with apt-get. The tests fail, never
# skip, without it.
set -eu
if [ -n "${ORDINATOR_CHROMIUM:-}" ] && [ -x "$ORDINATOR_CHROMIUM" ]; then exit 0; fi
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "ensure-chromium: installing Chromium with apt-get" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
	exit 0
fi
echo "ensure-chromium: no Chromium found; install Debian's chromium package or set ORDINATOR_CHROMIUM to the browser binary" >&2
exit 1
