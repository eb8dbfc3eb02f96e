#!/bin/sh
# Makes sure the PgBouncer tests have a pgbouncer binary: the one on PATH or
# at /usr/sbin/pgbouncer, or, on a bare Debian machine (as root), Debian's
# pgbouncer package installed with apt-get (its own service left stopped:
# the tests start their own). The tests fail, never skip, without it.
set -eu
if command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "ensure-pgbouncer: installing PgBouncer with apt-get" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null
	exit 0
fi
echo "ensure-pgbouncer: no pgbouncer found; install Debian's pgbouncer package" >&2
exit 1
