#!/usr/bin/env bash
# demo.sh: the main job.  Load Kevin Hillstrom's e-mail experiment (64,000
# customers: Mens E-Mail, Womens E-Mail, No E-Mail hold-out) into
# conversion_tracking on a throwaway cluster, and print what the insight
# views say about it.
#
# The data ships with the tree (data/hillstrom/); the loader and the report
# are demo/hillstrom_load.sql and demo/hillstrom_report.sql, described in
# docs/demo.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

if [ "$(id -u)" -eq 0 ]; then
	install_dependencies
fi
build_and_install

# The "postgres" user runs psql, so it must be able to read the tree.
tree=$(copy_for_postgres)
trap 'rm -rf "$(dirname "$tree")"' EXIT

# The loader reads the CSV from psql's standard input, in one session with
# the report.
echo "== starting a throwaway cluster"
(cd "$tree" && as_postgres pg_virtualenv -v "$PG_MAJOR" bash -c '
	xz -dc data/hillstrom/hillstrom.csv.xz |
		psql -X -v ON_ERROR_STOP=1 \
			-f demo/hillstrom_load.sql -f demo/hillstrom_report.sql')
