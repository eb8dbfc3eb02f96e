#!/bin/sh
# Makes sure the reports' PDF tests have pdftotext (Debian's poppler-utils)
# to read back the text of the PDFs they export: the one on PATH, or, on a
# bare Debian machine (as root), poppler-utils installed with apt-get. The
# tests fail, never skip, without it.
set -eu
if command -v pdftotext >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "ensure-poppler: installing poppler-utils with apt-get" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null
	exit 0
fi
echo "ensure-poppler: no pdftotext found; install Debian's poppler-utils package" >&2
exit 1
