#!/bin/sh
# Runs the congress load against N `ordinator serve` processes on one
# PostgreSQL, as the README's Performance → Congress figures were measured:
#
#   deploy/dev/congress.sh SERVERS RATE DURATION [ordinator load flags...]
#   deploy/dev/congress.sh 1 60/s 5m --session 60s --prepare 20000
#
# A fresh database (DB, default ordinator_congress) on PG (default
# postgres://postgres@127.0.0.1:5432) is created, the servers listen on
# 127.0.0.1:18081… (metrics on 19461…), share one blob directory, and are
# stopped when the run ends. The report goes to congress-SERVERS-RATE.json
# in OUT (default the current directory); a 30-second CPU profile of the
# first server, taken half-way through, beside it.
set -eu
[ $# -ge 3 ] || { sed -n '2,13p' "$0" >&2; exit 2; }
servers=$1 rate=$2 duration=$3
shift 3
pg=${PG:-postgres://postgres@127.0.0.1:5432}
db=${DB:-ordinator_congress}
out=${OUT:-.}
work=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

go build -o "$work/ordinator" ./cmd/ordinator
psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
url="$pg/$db"
urls= metrics=
i=1
while [ "$i" -le "$servers" ]; do
	"$work/ordinator" serve --database-url "$url" --blob-dir "$work/blobs" --data-dir "$work/data$i" \
		--addr "127.0.0.1:$((18080 + i))" --metrics-addr "127.0.0.1:$((19460 + i))" --log-level warn \
		>"$work/serve$i.log" 2>&1 &
	pids="$pids $!"
	urls="$urls --url http://127.0.0.1:$((18080 + i))"
	metrics="$metrics --metrics-url http://127.0.0.1:$((19460 + i))/metrics"
	i=$((i + 1))
done
i=1
while [ "$i" -le "$servers" ]; do
	n=0
	until curl -sf "http://127.0.0.1:$((19460 + i))/metrics" >/dev/null; do
		n=$((n + 1))
		[ "$n" -lt 120 ] || { cat "$work/serve$i.log" >&2; exit 1; }
		sleep 0.5
	done
	i=$((i + 1))
done

name="$out/congress-$servers-$(echo "$rate" | tr / _)"
case $duration in
*m) secs=$((${duration%m} * 60)) ;;
*s) secs=${duration%s} ;;
*) secs=0 ;;
esac
# The profile is taken half-way through the arrivals (preparing the
# doctors comes first), when the load is on.
(
	until grep -q 'sessions started' "$name.log" 2>/dev/null; do sleep 1; done
	sleep $((secs / 2))
	curl -sf -o "$name.cpu.pprof" "http://127.0.0.1:19461/debug/pprof/profile?seconds=30" || true
) &
pids="$pids $!"
# shellcheck disable=SC2086
"$work/ordinator" load $urls $metrics --database-url "$url" --blob-dir "$work/blobs" \
	--rate "$rate" --duration "$duration" --json-out "$name.json" "$@" 2>&1 | tee "$name.log"
