-- warm.sql: one COPY of goal events timed in a backend that has already
-- ingested the same events once
--
-- psql -v size=N -v variant=c|off -v file=PATH -v events=N -f warm.sql
--
-- A backend maps each page of shared memory the first time it touches it,
-- and a new connection per run pays that again for every index page the
-- candidate scan reaches; the larger the messages table, the more pages.
-- A pooled connection pays it once.  Here the first COPY warms the backend
-- up, and only the second is timed (recorded as variant "c warm" or
-- "off warm").

\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SELECT CASE :'variant' WHEN 'off' THEN 'off' ELSE 'on' END AS attribution
\gset
SET conversion_tracking.attribution = :attribution;

COPY conversion_tracking.events
	(account_id, user_id, event_name, data, extras, occurred_at)
	FROM :'file';
TRUNCATE conversion_tracking.conversions;
TRUNCATE conversion_tracking.events RESTART IDENTITY;
CHECKPOINT;

SELECT clock_timestamp() AS started, bench.cpu_ns() AS cpu_started \gset
COPY conversion_tracking.events
	(account_id, user_id, event_name, data, extras, occurred_at)
	FROM :'file';
SELECT extract(epoch FROM clock_timestamp() - :'started'::timestamptz)
	   AS seconds,
	   (bench.cpu_ns() - :cpu_started) / 1e9 AS cpu_seconds \gset

SELECT bench.record_run(:size, 100, 'copy', 1, :'variant' || ' warm',
						:events, :seconds, :cpu_seconds,
						'conversion_tracking.conversions', false);
