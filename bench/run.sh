#!/usr/bin/env bash
# run.sh: measure how fast events are ingested while the extension
# attributes them, against the same events with no attribution, with a
# PL/pgSQL trigger, and with a batch query after the fact.
#
#   bash bench/run.sh           default size: 100 thousand and 1 million
#                               messages, under 5 minutes on 2 cores
#   bash bench/run.sh --full    also 10 million messages, and 10 million
#                               events through one backend for its memory
#   bash bench/run.sh --profile also profile the extension's COPY runs at
#                               1 million messages (every size with --full)
#                               with perf, and say where the time goes
#   bash bench/run.sh --against REV
#                               also time goal events in a warm backend with
#                               the extension built from git revision REV,
#                               in turn with this tree's, on the same data
#   bash bench/run.sh --huge-pages
#                               put the shared buffers in huge pages (as
#                               root: it reserves them for the run)
#
# It builds and installs the extension, starts a throwaway cluster of its
# own (a socket in a temporary directory, no TCP port), generates the data
# with generate.sql, runs every case and prints the tables that README.md
# quotes.  Environment: BENCH_PORT (5503) names the socket, BENCH_KEEP=1
# keeps the directory and the cluster's log, BENCH_SIZES replaces the
# sizes (the last one gets every case), BENCH_REPEATS the number of
# repetitions of each case (2, or 3 with --full, and one more for
# single-row INSERTs; the best one counts).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

full=false
profile=false
against=
huge_pages=false
while [ $# -gt 0 ]; do
	case "$1" in
		--full) full=true ;;
		--profile) profile=true ;;
		--against) against=${2:?--against needs a git revision}; shift ;;
		--huge-pages) huge_pages=true ;;
		*) echo "usage: bash bench/run.sh [--full] [--profile]" \
			"[--against REV] [--huge-pages]" >&2; exit 2 ;;
	esac
	shift
done

# The sizes of the messages table.  The first gets the cases that show how
# the cost grows with it; the main size gets every case; --full gives every
# size every case.
if $full; then
	sizes="100000 1000000 10000000"
	main_size=1000000
	memory_events=10000000
	repeats=3
	single_events=10000
else
	sizes="100000 1000000"
	main_size=1000000
	memory_events=200000
	repeats=2
	single_events=6000
fi
# For a quick try of the script itself: BENCH_SIZES="10000 20000".
if [ -n "${BENCH_SIZES:-}" ]; then
	sizes=$BENCH_SIZES
	main_size=${sizes##* }
	memory_events=40000
fi
repeats=${BENCH_REPEATS:-$repeats}
copy_events=40000			# events per COPY and multi-row run; single-row
							# runs take $single_events, set above
rows_per_insert=100			# rows per multi-row INSERT
batch_size=10000			# rows per statement of the memory run
recipients=1000000			# of the campaign whose insights are read
seed=0.42
port=${BENCH_PORT:-5503}
columns="account_id, user_id, event_name, data, extras, occurred_at"

if [ "$(id -u)" -eq 0 ]; then
	install_dependencies
fi
build_and_install

# The installed module is shared with whoever else builds on this machine:
# note it, to tell if it was replaced during the run.
libdir=$("/usr/lib/postgresql/$PG_MAJOR/bin/pg_config" --pkglibdir)
module="$libdir/conversion_tracking.so"
module_sum=$(md5sum <"$module")

# A directory the server's user owns, for the cluster and the event files.
work=$(mktemp -d /tmp/ct_bench.XXXXXX)
cp bench/*.sql "$work/"
mkdir "$work/files"

# The build to compare with: its module, and whether it has the statement
# trigger that attributes queued events (before it, the row trigger did
# all the work, and the statement trigger must be off while it runs).
base_queues=true
if [ -n "$against" ]; then
	git worktree add --detach -f "$work/base" "$against" >/dev/null
	make -C "$work/base" -s >/dev/null
	cp "$work/base/conversion_tracking.so" "$work/base.so"
	grep -q attribute_queued_events "$work/base/sql/install/attribution.sql" ||
		base_queues=false
	git worktree remove -f "$work/base"
	echo "== comparing with $(git rev-parse --short "$against")"
fi
cp "$module" "$work/tree.so"

if [ "$(id -u)" -eq 0 ]; then
	chown -R postgres: "$work"
fi

# Stop the cluster however the script ends; show its log if it failed.
cleanup() {
	local status=$?
	# --against swaps the installed module: leave this tree's in place.
	if [ -f "$work/tree.so" ]; then
		cp "$work/tree.so" "$module"
	fi
	if [ "$status" -ne 0 ] && [ -f "$work/server.log" ]; then
		echo "== the run failed; the end of the server's log:"
		tail -20 "$work/server.log"
	fi
	as_postgres pg_ctl -D "$work/data" -m fast stop >/dev/null 2>&1 || true
	if [ -n "${reserved_huge_pages:-}" ]; then
		sysctl -q vm.nr_hugepages="$reserved_huge_pages"
	fi
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "== kept $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

# A quarter of the memory, at most 4 GB, holds the messages of the largest
# size and their indexes.
mem_mb=$(awk '/^MemTotal/ { print int($2 / 1024) }' /proc/meminfo)
shared_mb=$((mem_mb / 4 > 4096 ? 4096 : mem_mb / 4))

# With --huge-pages, reserve enough huge pages for the shared buffers and
# the rest of the server's shared memory; give the old number back at the
# end.  A backend then maps shared memory a huge page at a time.
huge_setting=off
if $huge_pages; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "--huge-pages reserves huge pages, which needs root" >&2
		exit 2
	fi
	page_kb=$(awk '/^Hugepagesize/ { print $2 }' /proc/meminfo)
	reserved_huge_pages=$(cat /proc/sys/vm/nr_hugepages)
	sysctl -q vm.nr_hugepages=$(((shared_mb + 512) * 1024 / page_kb))
	huge_setting=on
fi

echo "== starting a cluster in $work"
as_postgres initdb -D "$work/data" -A trust -U postgres >/dev/null
cat >>"$work/data/postgresql.conf" <<EOF
listen_addresses = ''
port = $port
unix_socket_directories = '$work'
shared_buffers = ${shared_mb}MB
synchronous_commit = off
autovacuum = off
max_wal_size = 20GB
checkpoint_timeout = 1h
jit = off
huge_pages = $huge_setting
EOF
as_postgres pg_ctl -D "$work/data" -l "$work/server.log" -w start >/dev/null

psql_() {
	as_postgres env PGOPTIONS="${PGOPTIONS:-}" psql -X -q -v ON_ERROR_STOP=1 \
		-h "$work" -p "$port" -U postgres -d bench "$@"
}
sql() {
	local args=()
	for statement in "$@"; do
		args+=(-c "$statement")
	done
	psql_ "${args[@]}" >/dev/null
}
value() {
	psql_ -At -c "$1"
}

as_postgres psql -X -q -h "$work" -p "$port" -U postgres -d postgres \
	-c "CREATE DATABASE bench"
sql "CREATE EXTENSION conversion_tracking"
psql_ -f "$work/harness.sql"
psql_ -f "$work/plpgsql_baseline.sql"

# Write the event files of one mix: COPY data, multi-row INSERTs and
# single-row INSERTs, whole for one client and in halves for two.
write_files() {
	local mix=$1 f="$work/files/$1"
	local values="format('(%s, %L, %L, %L, %L, %L)', $columns)"
	local insert="INSERT INTO conversion_tracking.events ($columns) VALUES "

	sql "COPY (SELECT $columns FROM bench.events_$mix
				WHERE n <= $copy_events ORDER BY n) TO '${f}_copy_1_1'"
	psql_ -At -o "${f}_multi_1_1" -c "
		SELECT '$insert' || string_agg($values, ', ' ORDER BY n) || ';'
		  FROM bench.events_$mix WHERE n <= $copy_events
		 GROUP BY (n - 1) / $rows_per_insert ORDER BY (n - 1) / $rows_per_insert"
	psql_ -At -o "${f}_single_1_1" -c "
		SELECT '$insert' || $values || ';'
		  FROM bench.events_$mix WHERE n <= $single_events ORDER BY n"
	for method in copy multi single; do
		as_postgres awk -v out="${f}_${method}_2_" \
			'{ print > (out (NR % 2 ? 1 : 2)) }' "${f}_${method}_1_1"
	done
}

# The statements that put a variant's attribution in place, or take it
# away again.
variant_sql() {
	local variant=$1 action=$2
	case "$variant/$action" in
		notrig/on | plpgsql/on)
			echo "ALTER TABLE conversion_tracking.events
				  DISABLE TRIGGER attribute_event,
				  DISABLE TRIGGER attribute_queued_events;" ;;&
		plpgsql/on)
			echo "CREATE TRIGGER attribute_event_plpgsql
				  AFTER INSERT ON conversion_tracking.events FOR EACH ROW
				  EXECUTE FUNCTION bench.attribute_event_plpgsql();" ;;
		plpgsql/off)
			echo "DROP TRIGGER attribute_event_plpgsql
				  ON conversion_tracking.events;" ;;&
		notrig/off | plpgsql/off)
			echo "ALTER TABLE conversion_tracking.events
				  ENABLE TRIGGER attribute_event,
				  ENABLE TRIGGER attribute_queued_events;" ;;
	esac
}

# Put a build's module in place, for the connections that start after.
use_module() {
	cp "$work/$1.so" "$module"
	if ! $base_queues; then
		case $1 in
			base) sql "ALTER TABLE conversion_tracking.events
					   DISABLE TRIGGER attribute_queued_events" ;;
			tree) sql "ALTER TABLE conversion_tracking.events
					   ENABLE TRIGGER attribute_queued_events" ;;
		esac
	fi
}

# Seconds since a start taken with date +%s.%N.
since() {
	awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { print b - a }'
}

# Run psql on one client's work, between two readings of its backend's
# CPU time; the readings go to a file.
timed_psql() {
	local out=$1
	shift
	psql_ -At -c "SELECT bench.cpu_ns()" "$@" -c "SELECT bench.cpu_ns()" \
		>"$out"
}

# Seconds of CPU that the backends spent, from the files of timed_psql.
cpu_seconds() {
	cat "$@" | awk 'NR % 2 { start = $1; next } { sum += $1 - start }
		END { print sum / 1e9 }'
}

# Record a run, keeping its conversions when it is checked, and print it.
record() {
	local size=$1 mix=$2 method=$3 clients=$4 variant=$5 events=$6 \
		seconds=$7 cpu=$8 source=$9 checked=${10} before=${11:-}
	sql "$before SELECT bench.record_run($size, $mix, '$method', $clients,
			'$variant', $events, $seconds, $cpu, '$source', $checked)"
	printf '%5ss %9s msgs  mix %3s %%  %-6s  %s client(s)  %-7s  %8.0f %s\n' \
		"$SECONDS" "$size" "$mix" "$method" "$clients" "$variant" \
		"$(awk -v e="$events" -v s="$seconds" 'BEGIN { print e / s }')" \
		"$(awk -v e="$events" -v s="$cpu" \
			'BEGIN { printf "events/s  %6.1f us CPU", s * 1e6 / e }')"
}

# Ingest one case's events with one variant of attribution, timed.  The
# first repetition's conversions are kept for the checks.
run_case() {
	local size=$1 mix=$2 method=$3 clients=$4 variant=$5 rep=$6
	local events=$copy_events options="" pids=() start seconds file
	local checked=false
	[ "$method" = single ] && events=$single_events
	[ "$variant" = off ] && options="-c conversion_tracking.attribution=off"
	[ "$rep" = 1 ] && checked=true

	sql "$(variant_sql "$variant" on)
		 TRUNCATE conversion_tracking.conversions;
		 TRUNCATE conversion_tracking.events RESTART IDENTITY" "CHECKPOINT"

	rm -f "$work"/cpu.*
	start=$(date +%s.%N)
	for k in $(seq 1 "$clients"); do
		file="$work/files/${mix}_${method}_${clients}_$k"
		if [ "$method" = copy ]; then
			PGOPTIONS=$options timed_psql "$work/cpu.$k" \
				-c "COPY conversion_tracking.events ($columns) FROM '$file'" &
		else
			PGOPTIONS=$options timed_psql "$work/cpu.$k" -f "$file" &
		fi
		pids+=($!)
	done
	for pid in "${pids[@]}"; do
		wait "$pid"
	done
	seconds=$(since "$start")

	record "$size" "$mix" "$method" "$clients" "$variant" "$events" \
		"$seconds" "$(cpu_seconds "$work"/cpu.*)" \
		conversion_tracking.conversions "$checked" \
		"$(variant_sql "$variant" off)"

	# The batch query attributes what the run without trigger stored.
	if [ "$variant" = notrig ] && [ "$method" = copy ] &&
		[ "$clients" = 1 ] && [ "$mix" != 0 ]; then
		start=$(date +%s.%N)
		timed_psql "$work/cpu.batch" -f "$work/batch_attribution.sql"
		record "$size" "$mix" "$method" "$clients" batch "$events" \
			"$(since "$start")" "$(cpu_seconds "$work/cpu.batch")" \
			bench.batch_conversions "$checked"
	fi
}

# Profile one COPY of the extension's at the main size: where its
# backend's time goes, by part (fold_profile.py), and the top functions.
profile_copy() {
	local mix=$1 perf_pid psql_pid
	sql "TRUNCATE conversion_tracking.conversions;
		 TRUNCATE conversion_tracking.events RESTART IDENTITY" "CHECKPOINT"
	rm -f "$work/backend.pid"
	printf '%s\n' "SELECT pg_backend_pid() \\g '$work/backend.pid'" \
		"SELECT pg_sleep(2);" \
		"COPY conversion_tracking.events ($columns)
		 FROM '$work/files/${mix}_copy_1_1';" >"$work/profile.sql"
	psql_ -At -f "$work/profile.sql" >/dev/null &
	psql_pid=$!
	for _ in $(seq 1 100); do
		[ -s "$work/backend.pid" ] && break
		sleep 0.1
	done
	perf record -q -F 1000 -e cpu-clock --call-graph dwarf,16384 \
		-p "$(cat "$work/backend.pid")" -o "$work/perf.data" \
		>/dev/null 2>&1 &
	perf_pid=$!
	wait "$psql_pid"
	kill -INT "$perf_pid"
	wait "$perf_pid" || true
	echo "== profile of the extension's COPY, $mix % goal events, $size messages"
	perf script -i "$work/perf.data" 2>/dev/null |
		python3 bench/fold_profile.py || true
	echo "top functions by own time:"
	perf report -i "$work/perf.data" --no-children --sort symbol -g none \
		--stdio 2>/dev/null | grep -E '^ +[0-9]' | head -12 || true
}

if $profile && ! perf stat -e cpu-clock true >/dev/null 2>&1; then
	echo "== --profile: perf does not work here, no profile" >&2
	profile=false
fi

for size in $sizes; do
	echo "== ${SECONDS}s: $size messages: generating"
	psql_ -v messages="$size" -v events="$copy_events" -v seed="$seed" \
		-f "$work/generate.sql" >/dev/null
	for mix in 0 10 100; do
		write_files "$mix"
	done

	if $full || [ "$size" = "$main_size" ]; then
		methods="copy multi single"
		client_counts="1 2"
		variants="notrig off c plpgsql"
	else
		methods="copy single"
		client_counts="1"
		variants="notrig off c"
	fi
	for mix in 0 10 100; do
		for method in $methods; do
			for clients in $client_counts; do
				# Two clients of multi-row INSERTs only with --full, for time.
				if ! $full && [ "$method/$clients" = multi/2 ]; then
					continue
				fi
				# Single-row runs wait on each round trip, and vary more.
				reps=$repeats
				[ "$method" = single ] && reps=$((repeats + 1))
				for rep in $(seq 1 "$reps"); do
					for variant in $variants; do
						run_case "$size" "$mix" "$method" "$clients" \
							"$variant" "$rep"
					done
				done
			done
		done
	done
	# Goal events by COPY again, each timed in a backend that ingested them
	# once already; with --against, also with the other build's module.
	for rep in $(seq 1 "$repeats"); do
		for variant in off c ${against:+base}; do
			sql "TRUNCATE conversion_tracking.conversions;
				 TRUNCATE conversion_tracking.events RESTART IDENTITY"
			[ "$variant" = base ] && use_module base
			psql_ -v size="$size" -v variant="$variant" \
				-v file="$work/files/100_copy_1_1" -v events="$copy_events" \
				-f "$work/warm.sql" >/dev/null
			[ "$variant" = base ] && use_module tree
			printf '%5ss %9s msgs  mix 100 %%  copy    1 client(s)  %-7s  %s\n' \
				"$SECONDS" "$size" "$variant" \
				"$(value "SELECT format('%s events/s  %s us CPU, warm',
						round(events / seconds),
						round((cpu_seconds * 1e6 / events)::numeric, 1))
					FROM bench.runs ORDER BY run_id DESC LIMIT 1")"
		done
	done

	if $profile && { $full || [ "$size" = "$main_size" ]; }; then
		profile_copy 100
		profile_copy 10
	fi
done

# The last size stays loaded for the memory run and the insights.
last_size=${sizes##* }
echo "== ${SECONDS}s: memory of one backend ingesting $memory_events" \
	"goal events"
psql_ -v messages="$last_size" -v batches=$((memory_events / batch_size)) \
	-v batch_size="$batch_size" -v pool="$copy_events" \
	-f "$work/memory.sql"

echo "== ${SECONDS}s: reading campaign_insights at $recipients recipients"
psql_ -v recipients="$recipients" -v seed="$seed" \
	-f "$work/insights_read.sql" ||
	echo "campaign_insights: the read failed, see above"

if [ "$(md5sum <"$module")" != "$module_sum" ]; then
	echo "== WARNING: $module was replaced during the run;" \
		"runs after that used another build"
fi
echo
echo "== results ($(date -u +%Y-%m-%d), $(nproc) cores," \
	"$((mem_mb / 1024)) GB," \
	"$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)," \
	"$(value 'SHOW server_version'), huge pages $huge_setting)"
psql_ -v main_size="$main_size" -v first_size="${sizes%% *}" \
	-v last_size="$last_size" -f "$work/report.sql"
