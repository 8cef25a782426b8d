#!/usr/bin/env bash
# test.sh: run every test of conversion_tracking on throwaway clusters.
#
# Regression tests and isolation specs run under pg_virtualenv; the TAP
# tests start their own servers.  The last line reads "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

if [ "$(id -u)" -eq 0 ]; then
	install_dependencies
fi
build_and_install

tree=$(copy_for_postgres)
log="$tree/../test.log"
status=0
# The three suites run one after the other, each whatever the last gave.
suites='
	status=0
	make installcheck ISOLATION= TAP_TESTS= || status=1
	make installcheck REGRESS= TAP_TESTS= || status=1
	make installcheck REGRESS= ISOLATION= PROVE_FLAGS=--verbose || status=1
	exit $status'
(cd "$tree" && as_postgres pg_virtualenv -v "$PG_MAJOR" \
	env PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config" \
	bash -c "$suites") 2>&1 | tee "$log" || status=1

# Show what failed, then count the tests.  pg_regress of PostgreSQL 15
# prints "test name ... ok" for each file and isolation spec; TAP (prove
# --verbose, and pg_regress from 16 on) prints "ok N" or "not ok N" for
# each assertion.
for diffs in "$tree/regression.diffs" "$tree/output_iso/regression.diffs"; do
	[ -s "$diffs" ] && { echo "== $diffs"; cat "$diffs"; }
done
count() { grep -cE "$1" "$log" || true; }
passed=$(( $(count '^ *(test|permutation)? *[A-Za-z0-9_]+ +\.\.\. ok') +
	$(count '^ok [0-9]+') ))
failed=$(( $(count '\.\.\. FAILED') + $(count '^not ok [0-9]+') ))
if [ "$failed" -eq 0 ] && [ "$status" -ne 0 ]; then
	failed=1
fi
echo "$passed passed, $failed failed"

# Keep the copy only when something failed, for its logs and diffs.
if [ "$failed" -eq 0 ]; then
	rm -rf "$(dirname "$tree")"
else
	echo "== test outputs are kept in $tree"
fi
[ "$failed" -eq 0 ]
