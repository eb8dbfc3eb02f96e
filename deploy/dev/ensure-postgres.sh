#!/bin/sh
# Makes sure the tests can get a PostgreSQL: a server already answering, or
# the initdb/pg_ctl binaries they start a throwaway cluster from. On a bare
# Debian machine (as root) it installs the binaries. It never starts a
# long-lived server; deploy/testenv does what the tests need.
#
# The tests also start streaming standbys of that server (pg_basebackup,
# deploy/testenv.NewStandby), so a server on 127.0.0.1:5432 must accept
# replication connections from 127.0.0.1 as postgres; as root, a server
# whose pg_hba.conf lacks the rule gets it (wal_level replica, the
# default, is needed too, which only a restart could change).
set -eu

# allow_replication makes sure the server on 127.0.0.1:5432 lets the tests
# replicate from it.
allow_replication() {
	sql="psql -X -Atq -h 127.0.0.1 -p 5432 -U postgres -d postgres -c"
	$sql "SELECT 1" >/dev/null 2>&1 || return 0 # not a server the tests use
	if [ "$($sql "SHOW wal_level")" = minimal ]; then
		echo "ensure-postgres: the server on 127.0.0.1:5432 has wal_level minimal; set it to replica and restart it" >&2
		exit 1
	fi
	if replicates; then return 0; fi
	hba=$($sql "SHOW hba_file")
	if [ "$(id -u)" != 0 ] || [ ! -w "$hba" ]; then
		echo "ensure-postgres: $hba does not allow replication from 127.0.0.1; add: host replication all 127.0.0.1/32 trust" >&2
		exit 1
	fi
	echo "ensure-postgres: allowing replication from 127.0.0.1 in $hba" >&2
	# First, so that no stricter replication rule above it wins.
	sed -i '1i host replication all 127.0.0.1/32 trust # ordinator tests: streaming standbys' "$hba"
	$sql "SELECT pg_reload_conf()" >/dev/null
	if ! replicates; then
		echo "ensure-postgres: still no replication connection to 127.0.0.1:5432 after reloading $hba" >&2
		exit 1
	fi
}

replicates() {
	psql -X -Atq "host=127.0.0.1 port=5432 user=postgres dbname=postgres replication=true" -c "IDENTIFY_SYSTEM" >/dev/null 2>&1
}

if [ -n "${DATABASE_URL:-}" ]; then exit 0; fi
if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then
	allow_replication
	exit 0
fi
if command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "ensure-postgres: installing PostgreSQL binaries with apt-get" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
	exit 0
fi
echo "ensure-postgres: no PostgreSQL on 127.0.0.1:5432 and no initdb; install PostgreSQL or set DATABASE_URL" >&2
exit 1
