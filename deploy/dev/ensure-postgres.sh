#!/bin/sh
# Makes sure the tests can get a PostgreSQL: a server already answering, or
# the initdb/pg_ctl binaries they start a throwaway cluster from. On a bare
# Debian machine (as root) it installs the binaries. It never starts a
# long-lived server; deploy/testenv does what the tests need.
set -eu
if [ -n "${DATABASE_URL:-}" ]; then exit 0; fi
if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then exit 0; fi
if command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "ensure-postgres: installing PostgreSQL binaries with apt-get" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
	exit 0
fi
echo "ensure-postgres: no PostgreSQL on 127.0.0.1:5432 and no initdb; install PostgreSQL or set DATABASE_URL" >&2
exit 1
