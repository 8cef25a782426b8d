-- generate.sql: synthetic accounts, campaigns, messages, opens, clicks and
-- a pool of events for the benchmark
--
-- Run with psql on a database where conversion_tracking is installed:
--   psql -v messages=1000000 -v events=100000 -v seed=0.42 -f generate.sql
--
-- Everything the extension holds is replaced.  The data are deterministic:
-- one setseed() drives every random() below, and parallel query is off so
-- that rows are drawn in one order.  Tokens are md5-derived UUIDs rather
-- than gen_random_uuid(), for the same reason.
--
-- Shape, for :messages messages:
--   4 accounts with windows of 30, 14, 7 and 3 days;
--   24 campaigns per account: a quarter journeys (steps 1 to 3), the rest
--   broadcasts, half of those with A/B variants; two in five hold out 10 %
--   of their users; goals: 8 'Completed purchase', 4 'Started trial',
--   4 'Upgraded plan' and 8 campaigns with no goal;
--   :messages / 8 users, so about 8 messages a user over 12 weeks; about
--   20 % of the sent messages opened, 5 % clicked.
-- The event pool bench.event_pool holds :events events; each is drawn
-- around a random message (from a day before it to 35 days after, so that
-- the windows matter) or, one in ten, for a visitor with no messages.  A
-- goal event names a goal, mostly its message's own; about 9 % carry that
-- message's token in extras->'vero_conv', and a few carry one that earns
-- nothing (unknown, another user's, not a string, malformed).  The mixes
-- bench.events_0, _10 and _100 have 0 %, 10 % and 100 % goal events.

\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
SET TimeZone = 'UTC';

CREATE SCHEMA IF NOT EXISTS bench;

-- Conversions first, on their own: the extension's triggers empty them when
-- events or messages are truncated.
TRUNCATE conversion_tracking.conversions;
TRUNCATE conversion_tracking.accounts, conversion_tracking.campaigns,
	conversion_tracking.messages, conversion_tracking.events,
	conversion_tracking.user_emails
	RESTART IDENTITY;

SELECT setseed(:seed);

-- Accounts and campaigns go through their triggers, so that every session
-- drops its cached goals.
INSERT INTO conversion_tracking.accounts
	(account_id, name, conversion_window, time_zone)
VALUES (1, 'Acme Shop', '30 days', 'UTC'),
	   (2, 'Bolt SaaS', '14 days', 'Europe/Paris'),
	   (3, 'Cargo Travel', '7 days', 'America/New_York'),
	   (4, 'Delta Games', '3 days', 'Asia/Tokyo');

INSERT INTO conversion_tracking.campaigns
	(account_id, campaign_id, name, kind, conversion_goal)
SELECT a, (a - 1) * 24 + c,
	   format('Campaign %s of account %s', c, a),
	   CASE WHEN c % 4 = 0 THEN 'journey' ELSE 'broadcast' END,
	   CASE c % 3
		   WHEN 0 THEN NULL
		   WHEN 1 THEN 'Completed purchase'
		   ELSE CASE WHEN c % 2 = 0 THEN 'Started trial'
				ELSE 'Upgraded plan' END
	   END
  FROM generate_series(1, 4) AS a, generate_series(1, 24) AS c;

-- Messages: no events exist yet, so nothing needs the row triggers or the
-- foreign key checks, which the replica role skips.
SET session_replication_role = replica;

INSERT INTO conversion_tracking.messages
	(account_id, message_id, campaign_id, user_id, step, variant, held_out,
	 sent_at, opened_at, clicked_at, conversion_token)
SELECT r.account_id, r.i, r.campaign_id, 'user-' || r.u,
	   CASE WHEN r.c % 4 = 0 THEN 1 + floor(r.r_step * 3)::int END,
	   CASE WHEN r.c % 4 <> 0 AND r.c % 2 = 1
			THEN CASE WHEN r.r_variant < 0.5 THEN 'A' ELSE 'B' END END,
	   r.held_out, r.sent_at,
	   CASE WHEN NOT r.held_out AND r.r_seen < 0.20
			THEN r.sent_at + r.r_open * interval '48 hours' END,
	   CASE WHEN NOT r.held_out AND r.r_seen < 0.05
			THEN r.sent_at + r.r_open * interval '48 hours'
				 + r.r_click * interval '2 hours' END,
	   md5(:'seed' || ':' || r.i)::uuid
  FROM (SELECT i, u, 1 + u % 4 AS account_id, c,
			   (u % 4) * 24 + c AS campaign_id,
			   c % 5 IN (1, 2) AND r_hold < 0.10 AS held_out,
			   timestamptz '2026-01-05 00:00+00'
			   + r_sent * interval '84 days' AS sent_at,
			   r_step, r_variant, r_seen, r_open, r_click
		  FROM (SELECT i,
					   1 + floor(random() * greatest(:messages / 8, 1))::bigint
					   AS u,
					   1 + floor(random() * 24)::int AS c,
					   random() AS r_hold, random() AS r_sent,
					   random() AS r_step, random() AS r_variant,
					   random() AS r_seen, random() AS r_open,
					   random() AS r_click
				  FROM generate_series(1, :messages) AS i) AS d) AS r;

RESET session_replication_role;

-- The identity sequence goes on after the explicit ids.
SELECT setval(pg_get_serial_sequence('conversion_tracking.messages',
									 'message_id'), :messages);

-- The event pool, drawn around random messages.  n orders the events as
-- they will be ingested.
DROP TABLE IF EXISTS bench.event_pool;
CREATE TABLE bench.event_pool AS
WITH draw AS (
	SELECT n,
		   1 + floor(random() * :messages)::bigint AS k,
		   1 + floor(random() * :messages)::bigint AS other,
		   random() AS r_goal, random() AS r_name, random() AS r_value,
		   random() AS r_token, random() < 0.10 AS visitor, random() AS r_time
	  FROM generate_series(1, :events) AS n
)
SELECT d.n,
	   CASE WHEN d.visitor THEN 1 + d.n % 4 ELSE m.account_id END
	   AS account_id,
	   CASE WHEN d.visitor THEN 'visitor-' || d.n ELSE m.user_id END
	   AS user_id,
	   CASE WHEN d.visitor
			THEN timestamptz '2026-01-05 00:00+00'
				 + d.r_time * interval '90 days'
			ELSE m.sent_at + (d.r_time * 36 - 1) * interval '24 hours' END
	   AS occurred_at,
	   -- The name it has as a goal event: mostly its message's goal.
	   CASE WHEN d.r_goal < 0.7 AND c.conversion_goal IS NOT NULL
			THEN c.conversion_goal
			WHEN d.r_goal < 0.85 THEN 'Completed purchase'
			WHEN d.r_goal < 0.93 THEN 'Started trial'
			ELSE 'Upgraded plan' END AS goal_name,
	   -- The name it has otherwise; the last differs from a goal by case.
	   (ARRAY['Viewed product', 'Added to cart', 'Page viewed', 'Logged in',
			  'Searched', 'Completed Purchase'])[1 + floor(d.r_name * 6)::int]
	   AS other_name,
	   -- Data: a sequence number for the checks, and a revenue that is a
	   -- number, a numeric string, a word, or missing.
	   jsonb_strip_nulls(jsonb_build_object(
		   'seq', d.n,
		   'revenue', CASE
			   WHEN d.r_value < 0.75
			   THEN to_jsonb(round((d.r_value * 200)::numeric, 2))
			   WHEN d.r_value < 0.85
			   THEN to_jsonb(to_char(d.r_value * 100, 'FM990.00'))
			   WHEN d.r_value < 0.88 THEN to_jsonb('n/a'::text) END,
		   'currency', 'EUR')) AS goal_data,
	   jsonb_build_object('seq', d.n,
						  'product_id', floor(d.r_name * 5000)::int,
						  'path', '/products/' || floor(d.r_name * 5000))
	   AS other_data,
	   -- Extras: the token of a clicked link, or one that earns nothing.
	   CASE
		   WHEN m.clicked_at <=
			   (m.sent_at + (d.r_time * 36 - 1) * interval '24 hours')
				AND d.r_token < 0.60
		   THEN jsonb_build_object('vero_conv', m.conversion_token::text)
		   WHEN d.r_token < 0.03
		   THEN jsonb_build_object('vero_conv', m.conversion_token::text)
		   WHEN d.r_token < 0.04
		   THEN jsonb_build_object('vero_conv',
								   upper(replace(m.conversion_token::text,
												 '-', '')))
		   WHEN d.r_token < 0.07
		   THEN jsonb_build_object('vero_conv',
								   md5('unknown' || d.n)::uuid::text)
		   WHEN d.r_token < 0.09
		   THEN jsonb_build_object('vero_conv', o.conversion_token::text)
		   WHEN d.r_token < 0.10
		   THEN jsonb_build_object('vero_conv', 12345)
		   WHEN d.r_token < 0.11
		   THEN jsonb_build_object('vero_conv', 'not-a-token')
		   ELSE '{}'::jsonb
	   END AS goal_extras,
	   CASE WHEN d.r_token < 0.10
			THEN '{"utm_source": "newsletter"}'::jsonb
			ELSE '{}'::jsonb END AS other_extras
  FROM draw AS d
	   JOIN conversion_tracking.messages AS m
		 ON m.account_id IN (1, 2, 3, 4) AND m.message_id = d.k
	   JOIN conversion_tracking.messages AS o
		 ON o.account_id IN (1, 2, 3, 4) AND o.message_id = d.other
	   JOIN conversion_tracking.campaigns AS c
		 ON c.account_id = m.account_id AND c.campaign_id = m.campaign_id;

-- The three mixes, as rows ready to ingest: no goal event, one in ten
-- (every tenth n), and all.
DROP TABLE IF EXISTS bench.events_0, bench.events_10, bench.events_100;
CREATE TABLE bench.events_0 AS
SELECT n, account_id, user_id, other_name AS event_name, other_data AS data,
	   other_extras AS extras, occurred_at
  FROM bench.event_pool;
CREATE TABLE bench.events_10 AS
SELECT n, account_id, user_id,
	   CASE WHEN n % 10 = 0 THEN goal_name ELSE other_name END AS event_name,
	   CASE WHEN n % 10 = 0 THEN goal_data ELSE other_data END AS data,
	   CASE WHEN n % 10 = 0 THEN goal_extras ELSE other_extras END AS extras,
	   occurred_at
  FROM bench.event_pool;
CREATE TABLE bench.events_100 AS
SELECT n, account_id, user_id, goal_name AS event_name, goal_data AS data,
	   goal_extras AS extras, occurred_at
  FROM bench.event_pool;

-- Hint bits and statistics now, not during the first measured run.
VACUUM ANALYZE conversion_tracking.accounts, conversion_tracking.campaigns,
	conversion_tracking.messages;
CHECKPOINT;
