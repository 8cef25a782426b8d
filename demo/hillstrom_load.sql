-- hillstrom_load.sql: load Kevin Hillstrom's e-mail experiment into
-- conversion_tracking through the extension's own tables and functions.
--
-- The CSV comes on psql's standard input, so that the caller chooses where
-- it lives:
--
--   xz -dc data/hillstrom/hillstrom.csv.xz |
--       psql -X -f demo/hillstrom_load.sql
--
-- Everything is loaded in one transaction into a new account; the
-- extension is created if the database lacks it.  Events are attributed by
-- the insert trigger as they are inserted: there is no batch step.  The
-- rules for what the data does not say (customer ids, times, opens) are
-- set out in docs/demo.md; in short:
--
--   customer id    the row number in the file, 1 for the first data row
--   sent_at        one fixed time for every message and hold-out row
--   visit          an e-mailed customer's visit is a click (and so an open)
--                  of the e-mail; every visit is also a 'Visited site' event
--   times          a visit at sent_at + 1 hour + (id * 7919 mod 13 days in
--                  seconds) seconds, a purchase 30 minutes after the visit:
--                  always inside the 14-day window

\set ON_ERROR_STOP on
\set QUIET on

\set sent_at '2008-03-03 09:00:00+00'
\set account_name 'MineThatData'
\set campaign_name 'Hillstrom e-mail experiment'
\set goal 'Completed purchase'

SELECT clock_timestamp() AS load_started \gset
\echo == loading the Hillstrom e-mail experiment

BEGIN;

CREATE EXTENSION IF NOT EXISTS conversion_tracking;

-- One row per customer, in file order: the identity column numbers the
-- rows as COPY reads them, and that number is the customer id.  The offset
-- spreads each customer's activity over the first 13 days after the send;
-- 7919 is prime to the 1,123,200 seconds of 13 days, so no two of the
-- customers share an offset.
CREATE TEMPORARY TABLE hillstrom_customers (
	customer_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	recency integer NOT NULL,
	history_segment text NOT NULL,
	history numeric NOT NULL,
	mens integer NOT NULL,
	womens integer NOT NULL,
	zip_code text NOT NULL,
	newbie integer NOT NULL,
	channel text NOT NULL,
	segment text NOT NULL
		CHECK (segment IN ('Mens E-Mail', 'Womens E-Mail', 'No E-Mail')),
	visit integer NOT NULL CHECK (visit IN (0, 1)),
	conversion integer NOT NULL CHECK (conversion IN (0, 1)),
	spend numeric NOT NULL CHECK (spend >= 0),
	activity_offset integer NOT NULL
		GENERATED ALWAYS AS (3600 + (customer_id * 7919) % 1123200) STORED
) ON COMMIT DROP;

-- (A backslash command must stand on one line.)
\copy hillstrom_customers (recency, history_segment, history, mens, womens, zip_code, newbie, channel, segment, visit, conversion, spend) FROM pstdin WITH (FORMAT csv, HEADER true)

-- Without statistics the planner would join customers to messages with a
-- nested loop of sequential scans.
ANALYZE hillstrom_customers;

SELECT format('%8s  %-56s %6s s', count(*), 'customers read from the CSV',
			  round(extract(epoch FROM clock_timestamp()
							- :'load_started'::timestamptz), 2))
	   AS progress
  FROM hillstrom_customers \gset
\echo :progress

-- The account, with the experiment's two-week window, and the broadcast.
INSERT INTO conversion_tracking.accounts (name)
VALUES (:'account_name')
RETURNING account_id \gset

-- (\gset swallows the empty result of the setters.)
SELECT conversion_tracking.set_conversion_window(:account_id,
												 interval '14 days') \gset

INSERT INTO conversion_tracking.campaigns (account_id, name, kind)
VALUES (:account_id, :'campaign_name', 'broadcast')
RETURNING campaign_id \gset

SELECT conversion_tracking.set_conversion_goal(:account_id, :campaign_id,
											   :'goal') \gset

-- One message per e-mailed customer, its variant the e-mail it got; one
-- hold-out row, with no variant, per customer of the "No E-Mail" group.
INSERT INTO conversion_tracking.messages
	   (account_id, campaign_id, user_id, variant, held_out, sent_at)
SELECT :account_id, :campaign_id, h.customer_id::text,
	   CASE WHEN h.segment <> 'No E-Mail' THEN h.segment END,
	   h.segment = 'No E-Mail',
	   :'sent_at'::timestamptz
  FROM hillstrom_customers AS h
 ORDER BY h.customer_id;

SELECT format('%8s  %-56s %6s s', count(*),
			  format('messages: %s Mens, %s Womens, %s held out',
					 count(*) FILTER (WHERE m.variant = 'Mens E-Mail'),
					 count(*) FILTER (WHERE m.variant = 'Womens E-Mail'),
					 count(*) FILTER (WHERE m.held_out)),
			  round(extract(epoch FROM clock_timestamp()
							- :'load_started'::timestamptz), 2))
	   AS progress
  FROM conversion_tracking.messages AS m
 WHERE m.account_id = :account_id
   AND m.campaign_id = :campaign_id \gset
\echo :progress

ANALYZE conversion_tracking.messages;

-- An e-mailed customer's visit is a click of the e-mail, which is also
-- its first open.
SELECT format('%8s  %-56s %6s s',
			  count(conversion_tracking.record_click(
				  :account_id, m.message_id,
				  :'sent_at'::timestamptz
				  + make_interval(secs => h.activity_offset))),
			  'clicks (and so opens) of e-mailed visitors',
			  round(extract(epoch FROM clock_timestamp()
							- :'load_started'::timestamptz), 2))
	   AS progress
  FROM hillstrom_customers AS h
  JOIN conversion_tracking.messages AS m
	ON m.account_id = :account_id
   AND m.campaign_id = :campaign_id
   AND m.user_id = h.customer_id::text
 WHERE h.visit = 1
   AND NOT m.held_out \gset
\echo :progress

-- Every visit, in all three groups, is also an event; it is no conversion
-- goal, so the trigger's WHEN filter lets it through untouched.
INSERT INTO conversion_tracking.events
	   (account_id, user_id, event_name, occurred_at)
SELECT :account_id, h.customer_id::text, 'Visited site',
	   :'sent_at'::timestamptz + make_interval(secs => h.activity_offset)
  FROM hillstrom_customers AS h
 WHERE h.visit = 1
 ORDER BY h.customer_id;

SELECT format('%8s  %-56s %6s s', count(*), '''Visited site'' events',
			  round(extract(epoch FROM clock_timestamp()
							- :'load_started'::timestamptz), 2))
	   AS progress
  FROM conversion_tracking.events AS e
 WHERE e.account_id = :account_id
   AND e.event_name = 'Visited site' \gset
\echo :progress

-- One purchase per converted customer, 30 minutes after the visit, worth
-- what the customer spent.  The insert trigger attributes each one.
INSERT INTO conversion_tracking.events
	   (account_id, user_id, event_name, data, occurred_at)
SELECT :account_id, h.customer_id::text, :'goal',
	   pg_catalog.jsonb_build_object('revenue', h.spend),
	   :'sent_at'::timestamptz + make_interval(secs => h.activity_offset)
	   + interval '30 minutes'
  FROM hillstrom_customers AS h
 WHERE h.conversion = 1
 ORDER BY h.customer_id;

SELECT format('%8s  %-56s %6s s', count(e.event_id),
			  format('''%s'' events, %s attributed', :'goal',
					 count(c.conversion_id)),
			  round(extract(epoch FROM clock_timestamp()
							- :'load_started'::timestamptz), 2))
	   AS progress
  FROM conversion_tracking.events AS e
  LEFT JOIN conversion_tracking.conversions AS c
	ON c.account_id = e.account_id
   AND c.event_id = e.event_id
 WHERE e.account_id = :account_id
   AND e.event_name = :'goal' \gset
\echo :progress

-- Check the load before committing it: every converted customer converted
-- once, for the message of their own group, with what they spent.
CREATE TEMPORARY TABLE hillstrom_check ON COMMIT DROP AS
SELECT count(*) FILTER (WHERE h.conversion = 1) AS converters,
	   count(c.conversion_id) AS conversions,
	   count(c.conversion_id) FILTER (
		   WHERE c.campaign_id = :campaign_id
			 AND c.held_out = (h.segment = 'No E-Mail')
			 AND c.variant IS NOT DISTINCT FROM
				 nullif(h.segment, 'No E-Mail')
			 AND c.value = h.spend) AS as_expected
  FROM hillstrom_customers AS h
  LEFT JOIN conversion_tracking.conversions AS c
	ON c.account_id = :account_id
   AND c.user_id = h.customer_id::text;

DO $check$
DECLARE
	result record;
BEGIN
	SELECT * INTO result FROM pg_temp.hillstrom_check;
	IF result.conversions <> result.converters
		OR result.as_expected <> result.conversions THEN
		RAISE EXCEPTION 'the Hillstrom load did not attribute as expected'
			USING DETAIL = format('%s customers converted; %s conversions were recorded, %s of them for the message of the customer''s own group with the customer''s spend.',
								  result.converters, result.conversions,
								  result.as_expected);
	END IF;
END
$check$;

COMMIT;

ANALYZE conversion_tracking.messages, conversion_tracking.events,
	conversion_tracking.conversions;

SELECT format('== loaded in %s s',
			  round(extract(epoch FROM clock_timestamp()
							- :'load_started'::timestamptz), 2))
	   AS progress \gset
\echo :progress
