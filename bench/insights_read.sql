-- insights_read.sql: how long reading one campaign's row of
-- conversion_tracking.campaign_insights takes at a million recipients
--
-- psql -v recipients=1000000 -v seed=0.42 -f insights_read.sql
--
-- Adds a fifth account with one broadcast sent to :recipients users (a
-- tenth held out, variants A and B, about 20 % opened and 5 % clicked),
-- ingests goal events for some of them through the extension's trigger,
-- then reads the campaign's row five times.  Skipped, with a note, while
-- the view does not exist.

\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;

SELECT to_regclass('conversion_tracking.campaign_insights') IS NOT NULL
	   AS have_view \gset
\if :have_view
\else
\echo 'campaign_insights: skipped, the view does not exist yet'
\quit
\endif

SELECT setseed(:seed);

INSERT INTO conversion_tracking.accounts (account_id, name, conversion_window)
VALUES (5, 'Echo Media', '7 days');
INSERT INTO conversion_tracking.campaigns
	(account_id, campaign_id, name, kind, conversion_goal)
VALUES (5, 1000, 'Spring sale', 'broadcast', 'Completed purchase');

SELECT coalesce(max(message_id), 0) AS first_id
  FROM conversion_tracking.messages \gset

SET session_replication_role = replica;
INSERT INTO conversion_tracking.messages
	(account_id, message_id, campaign_id, user_id, variant, held_out,
	 sent_at, opened_at, clicked_at, conversion_token)
SELECT 5, :first_id + u, 1000, 'echo-' || u,
	   CASE WHEN r_variant < 0.5 THEN 'A' ELSE 'B' END, held_out, sent_at,
	   CASE WHEN NOT held_out AND r_seen < 0.20
			THEN sent_at + r_seen * interval '100 hours' END,
	   CASE WHEN NOT held_out AND r_seen < 0.05
			THEN sent_at + r_seen * interval '100 hours' END,
	   md5(:'seed' || ':echo:' || u)::uuid
  FROM (SELECT u, random() < 0.10 AS held_out, random() AS r_variant,
			   random() AS r_seen,
			   timestamptz '2026-03-02 09:00+00'
			   + random() * interval '3 hours' AS sent_at
		  FROM generate_series(1, :recipients) AS u) AS d;
RESET session_replication_role;

-- Purchases by about 3 % of the recipients, attributed as they come in.
INSERT INTO conversion_tracking.events
	(account_id, user_id, event_name, data, occurred_at)
SELECT 5, 'echo-' || (1 + floor(random() * :recipients)::bigint),
	   'Completed purchase',
	   jsonb_build_object('revenue', round((random() * 100)::numeric, 2)),
	   timestamptz '2026-03-02 12:00+00' + random() * interval '6 days'
  FROM generate_series(1, :recipients / 33);

VACUUM ANALYZE conversion_tracking.messages, conversion_tracking.events,
	conversion_tracking.conversions;

INSERT INTO bench.query_times
SELECT 'campaign_insights, one campaign of ' || :recipients || ' recipients',
	   rep, ms
  FROM bench.time_query(
	'SELECT * FROM conversion_tracking.campaign_insights'
	' WHERE account_id = 5 AND campaign_id = 1000', 5);

SELECT * FROM conversion_tracking.campaign_insights
 WHERE account_id = 5 AND campaign_id = 1000 \gx
