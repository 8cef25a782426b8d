#!/usr/bin/env bash
# demo.sh: the main job.  Placeholder until the Hillstrom demo lands: it
# installs the extension on a throwaway cluster and tracks one event.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

if [ "$(id -u)" -eq 0 ]; then
	install_dependencies
fi
build_and_install

as_postgres pg_virtualenv -v "$PG_MAJOR" psql -X -v ON_ERROR_STOP=1 -q <<'SQL'
CREATE EXTENSION conversion_tracking;
INSERT INTO conversion_tracking.accounts (name) VALUES ('Demo');
INSERT INTO conversion_tracking.campaigns (account_id, name, conversion_goal)
VALUES (1, 'Welcome', 'Completed purchase');
INSERT INTO conversion_tracking.messages (account_id, campaign_id, user_id)
VALUES (1, 1, '42');
SELECT conversion_tracking.track(1, '{"id": 42}', 'Completed purchase',
								 '{"revenue": 25}') AS event_id;
SELECT * FROM conversion_tracking.conversions;
SQL
