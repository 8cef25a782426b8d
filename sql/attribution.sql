-- attribution: rules 1 to 8 of the SPEC, applied by the events trigger
CREATE EXTENSION IF NOT EXISTS conversion_tracking;
SET TimeZone = 'UTC';

-- One account with a 7-day window; campaign 1 and 2 share the goal
-- 'Purchase', campaign 3 converts on 'Signup', campaign 4 has no goal.
INSERT INTO conversion_tracking.accounts (account_id, name, conversion_window)
VALUES (10, 'Attribution', '7 days'),
	   (11, 'Other account', '7 days');
INSERT INTO conversion_tracking.campaigns
	   (account_id, campaign_id, name, kind, conversion_goal)
VALUES (10, 1, 'Spring sale', 'broadcast', 'Purchase'),
	   (10, 2, 'Onboarding', 'journey', 'Purchase'),
	   (10, 3, 'Newsletter', 'broadcast', 'Signup'),
	   (10, 4, 'No goal', 'broadcast', NULL),
	   (11, 1, 'Elsewhere', 'broadcast', 'Purchase');

-- Show an event's conversion, or 'none'.
CREATE FUNCTION pg_temp.conversion_of(event bigint)
RETURNS text LANGUAGE sql AS $$
	SELECT coalesce((SELECT format('%s message %s campaign %s',
								   conversion_type, message_id, campaign_id)
					   FROM conversion_tracking.conversions
					  WHERE account_id = 10 AND event_id = event), 'none')
$$;

-- Rule 1: an event that is no goal costs nothing and converts nothing,
-- and an event of a user with no message converts nothing either.
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, sent_at)
VALUES (10, 100, 1, 'rule1', '2026-03-01 12:00+00'),
	   (10, 101, 4, 'rule1', '2026-03-01 12:00+00');
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (10, 1000, 'rule1', 'Viewed page', '2026-03-02 12:00+00'),
	   (10, 1001, 'rule1', 'purchase', '2026-03-02 12:00+00'),
	   (10, 1002, 'nobody', 'Purchase', '2026-03-02 12:00+00'),
	   (10, 1003, 'rule1', 'Purchase', '2026-03-02 12:00+00');
SELECT event_id, pg_temp.conversion_of(event_id)
  FROM generate_series(1000, 1003) AS event_id;

-- Rule 3, the window's edges: exactly at sent_at, exactly at sent_at + W,
-- one microsecond past it, and one microsecond before the send.
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, sent_at)
VALUES (10, 110, 1, 'edges', '2026-03-01 12:00+00');
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (10, 1100, 'edges', 'Purchase', '2026-03-01 12:00+00'),
	   (10, 1101, 'edges', 'Purchase', '2026-03-08 12:00+00'),
	   (10, 1102, 'edges', 'Purchase', '2026-03-08 12:00:00.000001+00'),
	   (10, 1103, 'edges', 'Purchase', '2026-03-01 11:59:59.999999+00');
SELECT event_id, pg_temp.conversion_of(event_id)
  FROM generate_series(1100, 1103) AS event_id;

-- Rule 4, direct: the token of a candidate message wins over a later
-- opened message.  Rule 5, view-through: the latest opened (or clicked)
-- message wins over a later unopened one; a clicked message whose token did
-- not come back counts as opened; an open after the event does not count.
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, sent_at, opened_at,
		clicked_at, conversion_token)
VALUES (10, 120, 1, 'rules', '2026-03-01 12:00+00', NULL, NULL,
		'abcdef00-0000-4000-8000-000000000120'),
	   (10, 121, 2, 'rules', '2026-03-02 12:00+00', '2026-03-02 13:00+00',
		NULL, '00000000-0000-4000-8000-000000000121'),
	   (10, 122, 1, 'rules', '2026-03-03 12:00+00', NULL,
		'2026-03-03 13:00+00', '00000000-0000-4000-8000-000000000122'),
	   (10, 123, 2, 'rules', '2026-03-04 12:00+00', '2026-03-06 12:00+00',
		NULL, '00000000-0000-4000-8000-000000000123');
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, extras, occurred_at)
VALUES (10, 1200, 'rules', 'Purchase',
		'{"vero_conv": "abcdef00-0000-4000-8000-000000000120"}',
		'2026-03-05 12:00+00'),
	   (10, 1201, 'rules', 'Purchase', '{}', '2026-03-05 12:00+00'),
	   (10, 1202, 'rules', 'Purchase', '{}', '2026-03-03 12:30+00'),
	   (10, 1203, 'rules', 'Purchase', '{}', '2026-03-02 12:30+00'),
	   (10, 1204, 'rules', 'Purchase', '{}', '2026-03-07 12:00+00');
SELECT event_id, pg_temp.conversion_of(event_id)
  FROM generate_series(1200, 1204) AS event_id;

-- The token is read in either case and without dashes, as links may
-- carry it.
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, extras, occurred_at)
VALUES (10, 1210, 'rules', 'Purchase',
		'{"vero_conv": "abcdef00000040008000000000000120"}',
		'2026-03-05 12:00+00'),
	   (10, 1211, 'rules', 'Purchase',
		'{"vero_conv": "ABCDEF00-0000-4000-8000-000000000120"}',
		'2026-03-05 12:00+00');
SELECT event_id, pg_temp.conversion_of(event_id)
  FROM generate_series(1210, 1211) AS event_id;

-- Token failures fall through to view-through, without an error: unknown,
-- of another account, of another user, of a campaign whose goal is another
-- event, of a message outside the window, not a string, malformed, and
-- extras that are not an object.
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, sent_at,
		conversion_token)
VALUES (11, 130, 1, 'rules', '2026-03-01 12:00+00',
		'00000000-0000-4000-8000-000000000130'),
	   (10, 131, 1, 'someone else', '2026-03-01 12:00+00',
		'00000000-0000-4000-8000-000000000131'),
	   (10, 132, 3, 'rules', '2026-03-01 12:00+00',
		'00000000-0000-4000-8000-000000000132'),
	   (10, 133, 1, 'rules', '2026-02-01 12:00+00',
		'00000000-0000-4000-8000-000000000133');
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, extras, occurred_at)
VALUES (10, 1300, 'rules', 'Purchase',
		'{"vero_conv": "00000000-0000-4000-8000-00000000ffff"}',
		'2026-03-05 12:00+00'),
	   (10, 1301, 'rules', 'Purchase',
		'{"vero_conv": "00000000-0000-4000-8000-000000000130"}',
		'2026-03-05 12:00+00'),
	   (10, 1302, 'rules', 'Purchase',
		'{"vero_conv": "00000000-0000-4000-8000-000000000131"}',
		'2026-03-05 12:00+00'),
	   (10, 1303, 'rules', 'Purchase',
		'{"vero_conv": "00000000-0000-4000-8000-000000000132"}',
		'2026-03-05 12:00+00'),
	   (10, 1304, 'rules', 'Purchase',
		'{"vero_conv": "00000000-0000-4000-8000-000000000133"}',
		'2026-03-05 12:00+00'),
	   (10, 1305, 'rules', 'Purchase', '{"vero_conv": 120}',
		'2026-03-05 12:00+00'),
	   (10, 1306, 'rules', 'Purchase',
		'{"vero_conv": ["abcdef00-0000-4000-8000-000000000120"]}',
		'2026-03-05 12:00+00'),
	   (10, 1307, 'rules', 'Purchase',
		'{"vero_conv": "{abcdef00-0000-4000-8000-000000000120}"}',
		'2026-03-05 12:00+00'),
	   (10, 1308, 'rules', 'Purchase', '{"vero_conv": "not a token"}',
		'2026-03-05 12:00+00'),
	   (10, 1309, 'rules', 'Purchase',
		'["abcdef00-0000-4000-8000-000000000120"]', '2026-03-05 12:00+00'),
	   (10, 1310, 'rules', 'Purchase', '{"vero_conv": null}',
		'2026-03-05 12:00+00');
SELECT event_id, pg_temp.conversion_of(event_id)
  FROM generate_series(1300, 1310) AS event_id;

-- Rule 6, indirect: with nothing opened, the latest message wins, hold-out
-- rows included; rule 7: a tie on sent_at goes to the higher message_id.
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, sent_at, held_out)
VALUES (10, 140, 1, 'indirect', '2026-03-01 12:00+00', false),
	   (10, 141, 2, 'indirect', '2026-03-02 12:00+00', true),
	   (10, 150, 1, 'ties', '2026-03-01 12:00+00', false),
	   (10, 152, 2, 'ties', '2026-03-01 12:00+00', false),
	   (10, 151, 1, 'ties', '2026-03-01 12:00+00', false),
	   (10, 160, 1, 'opened ties', '2026-03-01 12:00+00', false),
	   (10, 161, 2, 'opened ties', '2026-03-01 12:00+00', false);
UPDATE conversion_tracking.messages
   SET opened_at = '2026-03-01 13:00+00'
 WHERE account_id = 10 AND message_id IN (160, 161);
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (10, 1400, 'indirect', 'Purchase', '2026-03-03 12:00+00'),
	   (10, 1401, 'indirect', 'Purchase', '2026-03-01 18:00+00'),
	   (10, 1500, 'ties', 'Purchase', '2026-03-03 12:00+00'),
	   (10, 1600, 'opened ties', 'Purchase', '2026-03-03 12:00+00');
SELECT event_id, pg_temp.conversion_of(event_id)
  FROM unnest('{1400, 1401, 1500, 1600}'::bigint[]) AS event_id;

-- A held-out user never earns a view-through, even if a row claims an
-- open; the CHECK constraint refuses such a row.
\set VERBOSITY terse
UPDATE conversion_tracking.messages SET opened_at = '2026-03-02 13:00+00'
 WHERE account_id = 10 AND message_id = 141;
\set VERBOSITY default

-- A hold-out row was never sent, so its token cannot earn a direct
-- conversion: the event falls through to an indirect one.
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, sent_at, held_out,
		conversion_token)
VALUES (10, 142, 1, 'held out', '2026-03-01 12:00+00', true,
		'00000000-0000-4000-8000-000000000142');
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, extras, occurred_at)
VALUES (10, 1420, 'held out', 'Purchase',
		'{"vero_conv": "00000000-0000-4000-8000-000000000142"}',
		'2026-03-02 12:00+00');
SELECT pg_temp.conversion_of(1420);

-- Journeys: several messages of one campaign to one user; the latest step
-- before the event earns it.
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, step, variant, sent_at)
VALUES (10, 170, 2, 'journey', 1, 'A', '2026-03-01 12:00+00'),
	   (10, 171, 2, 'journey', 2, 'A', '2026-03-02 12:00+00'),
	   (10, 172, 2, 'journey', 3, 'A', '2026-03-03 12:00+00');
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, data, occurred_at)
VALUES (10, 1700, 'journey', 'Purchase', '{"revenue": 30}',
		'2026-03-02 18:00+00'),
	   (10, 1701, 'journey', 'Purchase', '{"revenue": "12.50"}',
		'2026-03-04 18:00+00');

-- Rule 8: every goal event counts, once each, and a conversion explains
-- itself without a join.
SELECT event_id, campaign_id, message_id, user_id, event_name,
	   conversion_type, converted_at, message_sent_at, held_out, variant,
	   step, value
  FROM conversion_tracking.conversions
 WHERE account_id = 10 AND event_id IN (1400, 1700, 1701)
 ORDER BY event_id;

-- An event that matches the goals of two campaigns: the one message that
-- wins is chosen across both, and the event converts once.
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, sent_at)
VALUES (10, 180, 1, 'two goals', '2026-03-01 12:00+00'),
	   (10, 181, 2, 'two goals', '2026-03-02 12:00+00'),
	   (10, 182, 3, 'two goals', '2026-03-03 12:00+00');
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (10, 1800, 'two goals', 'Purchase', '2026-03-04 12:00+00'),
	   (10, 1801, 'two goals', 'Signup', '2026-03-04 12:00+00');
SELECT event_id, pg_temp.conversion_of(event_id)
  FROM generate_series(1800, 1801) AS event_id;

-- Value: a JSON number or a decimal string; anything else is NULL.
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, sent_at)
VALUES (10, 190, 1, 'values', '2026-03-01 12:00+00');
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, data, occurred_at)
VALUES (10, 1900, 'values', 'Purchase',
		'{"revenue": 12345678901234567890.123456789}', '2026-03-02 12:00+00'),
	   (10, 1901, 'values', 'Purchase', '{"revenue": "-3.5"}',
		'2026-03-02 12:00+00'),
	   (10, 1902, 'values', 'Purchase', '{"revenue": "12 euros"}',
		'2026-03-02 12:00+00'),
	   (10, 1903, 'values', 'Purchase', '{"revenue": true}',
		'2026-03-02 12:00+00'),
	   (10, 1904, 'values', 'Purchase', '{"amount": 5}',
		'2026-03-02 12:00+00'),
	   (10, 1905, 'values', 'Purchase', '[1, 2]', '2026-03-02 12:00+00'),
	   (10, 1906, 'values', 'Purchase', '{"revenue": "1e3"}',
		'2026-03-02 12:00+00');
SELECT event_id, value
  FROM conversion_tracking.conversions
 WHERE account_id = 10 AND event_id BETWEEN 1900 AND 1906
 ORDER BY event_id;

-- Several events of one user in one statement, and through COPY.
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, sent_at)
VALUES (10, 200, 1, 'batch', '2026-03-01 12:00+00'),
	   (10, 201, 2, 'batch', '2026-03-03 12:00+00');
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
SELECT 10, 2000 + i, 'batch', 'Purchase',
	   timestamptz '2026-03-01 12:00+00' + i * interval '1 day'
  FROM generate_series(0, 8) AS i;
COPY conversion_tracking.events
	 (account_id, event_id, user_id, event_name, occurred_at) FROM stdin;
10	2100	batch	Purchase	2026-03-02 12:00:00+00
10	2101	batch	Viewed page	2026-03-02 12:00:00+00
10	2102	batch	Purchase	2026-03-04 12:00:00+00
\.
SELECT event_id, pg_temp.conversion_of(event_id)
  FROM conversion_tracking.events
 WHERE account_id = 10 AND user_id = 'batch'
 ORDER BY event_id;

-- Infinite times attribute nothing.
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (10, 2200, 'batch', 'Purchase', 'infinity'),
	   (10, 2201, 'batch', 'Purchase', '-infinity');
SELECT event_id, pg_temp.conversion_of(event_id)
  FROM generate_series(2200, 2201) AS event_id;

-- The result depends on no session setting: the same data under UTC and
-- under America/New_York, across the daylight-saving change of
-- 2026-03-08, with a 2-day window written as days, gives the same
-- conversions, to the microsecond.
INSERT INTO conversion_tracking.accounts (account_id, name, conversion_window)
VALUES (12, 'Time zones', '2 days');
INSERT INTO conversion_tracking.campaigns
	   (account_id, campaign_id, name, conversion_goal)
VALUES (12, 1, 'DST', 'Purchase');

CREATE FUNCTION pg_temp.load_dst_case(base bigint)
RETURNS void LANGUAGE sql AS $$
	INSERT INTO conversion_tracking.messages
		   (account_id, message_id, campaign_id, user_id, sent_at)
	VALUES (12, base, 1, 'dst' || base, '2026-03-07 12:00:00-05');
	-- 48 hours after the send is 2026-03-09 13:00 in New York (EDT).
	INSERT INTO conversion_tracking.events
		   (account_id, event_id, user_id, event_name, occurred_at)
	VALUES (12, base, 'dst' || base, 'Purchase', '2026-03-09 13:00:00-04'),
		   (12, base + 1, 'dst' || base, 'Purchase',
			'2026-03-09 13:00:00.000001-04'),
		   (12, base + 2, 'dst' || base, 'Purchase', '2026-03-09 12:30:00-04');
$$;

SET TimeZone = 'UTC';
SELECT pg_temp.load_dst_case(3000);
SET TimeZone = 'America/New_York';
SELECT pg_temp.load_dst_case(4000);
SET TimeZone = 'UTC';
SELECT e.event_id - 3000 AS case_event,
	   a.conversion_type AS under_utc, b.conversion_type AS under_new_york,
	   a.converted_at = b.converted_at AS same_time
  FROM generate_series(3000, 3002) AS e(event_id)
  LEFT JOIN conversion_tracking.conversions a
	ON a.account_id = 12 AND a.event_id = e.event_id
  LEFT JOIN conversion_tracking.conversions b
	ON b.account_id = 12 AND b.event_id = e.event_id + 1000
 ORDER BY 1;

-- The role that ingests events needs no privilege on conversions, and its
-- search_path cannot redirect what the trigger calls.
CREATE ROLE ct_ingest;
GRANT USAGE ON SCHEMA conversion_tracking TO ct_ingest;
GRANT SELECT ON conversion_tracking.accounts TO ct_ingest;
GRANT INSERT ON conversion_tracking.events TO ct_ingest;
CREATE SCHEMA ct_trap;
GRANT USAGE, CREATE ON SCHEMA ct_trap TO ct_ingest;
CREATE TABLE ct_trap.conversions (LIKE conversion_tracking.conversions);
GRANT ALL ON ct_trap.conversions TO ct_ingest;
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, sent_at)
VALUES (10, 210, 1, 'privileges', '2026-03-01 12:00+00');
-- Make the ingesting role's session read the goals itself.
UPDATE conversion_tracking.campaigns SET name = name
 WHERE account_id = 10 AND campaign_id = 1;
SET ROLE ct_ingest;
SET search_path = ct_trap, pg_catalog;
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (10, 2300, 'privileges', 'Purchase', '2026-03-02 12:00+00');
SELECT count(*) AS trapped FROM ct_trap.conversions;
SELECT count(*) FROM conversion_tracking.conversions;
RESET search_path;
RESET ROLE;
SELECT pg_temp.conversion_of(2300);

-- Re-attribution: a wider window applies to the past only when asked, and
-- attribute_event() re-runs one event.
SELECT pg_temp.conversion_of(1102) AS before;
SELECT conversion_tracking.set_conversion_window(10, '8 days');
SELECT pg_temp.conversion_of(1102) AS after_window_change;
SELECT conversion_tracking.attribute_event(10, 1102);
SELECT pg_temp.conversion_of(1102) AS after_attribute_event;
SELECT conversion_tracking.set_conversion_window(10, '7 days');
SELECT conversion_tracking.reattribute(10, '2026-03-01', '2026-03-09') =
	   (SELECT count(*) FROM conversion_tracking.conversions
		 WHERE account_id = 10
		   AND converted_at >= '2026-03-01' AND converted_at < '2026-03-09')
	   AS counts_what_it_converted;
SELECT pg_temp.conversion_of(1102) AS after_reattribute;

-- A role that may rewrite history needs the grants the README lists: the
-- functions, and reading the events and accounts it names.
CREATE ROLE ct_ops;
GRANT USAGE ON SCHEMA conversion_tracking TO ct_ops;
GRANT EXECUTE ON FUNCTION
	conversion_tracking.attribute_event(bigint, bigint),
	conversion_tracking.reattribute(bigint, timestamptz, timestamptz)
	TO ct_ops;
SET ROLE ct_ops;
SELECT conversion_tracking.attribute_event(10, 1102);
RESET ROLE;
GRANT SELECT ON conversion_tracking.accounts, conversion_tracking.events
	TO ct_ops;
SET ROLE ct_ops;
SELECT conversion_tracking.attribute_event(10, 1102);
SELECT conversion_tracking.reattribute(10, '2026-03-01', '2026-03-09') > 0
	   AS reattributed;
RESET ROLE;
DROP OWNED BY ct_ops;
DROP ROLE ct_ops;

-- A trigger of the user's on conversions, or a column added to it, still
-- applies: the conversion then goes through a plain INSERT.
CREATE TABLE conversion_log (event_id bigint, conversion_type text,
							 source text);
CREATE FUNCTION log_conversion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO conversion_log VALUES (NEW.event_id, NEW.conversion_type,
									   NEW.source);
	RETURN NEW;
END
$$;
ALTER TABLE conversion_tracking.conversions
	ADD COLUMN source text DEFAULT 'trigger';
CREATE TRIGGER log_conversion AFTER INSERT ON conversion_tracking.conversions
	FOR EACH ROW EXECUTE FUNCTION log_conversion();
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (10, 2500, 'rules', 'Purchase', '2026-03-05 12:00+00');
DROP TRIGGER log_conversion ON conversion_tracking.conversions;
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (10, 2501, 'rules', 'Purchase', '2026-03-05 12:00+00');
SELECT * FROM conversion_log;
SELECT event_id, conversion_type, source FROM conversion_tracking.conversions
 WHERE account_id = 10 AND event_id IN (2500, 2501) ORDER BY event_id;
ALTER TABLE conversion_tracking.conversions DROP COLUMN source;
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (10, 2502, 'rules', 'Purchase', '2026-03-05 12:00+00');
SELECT pg_temp.conversion_of(2502);

-- Turning attribution off stores events without conversions; asking for
-- attribution still attributes.
SET conversion_tracking.attribution = off;
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (10, 2400, 'rules', 'Purchase', '2026-03-05 12:00+00');
SELECT pg_temp.conversion_of(2400);
SELECT conversion_tracking.reattribute(10, '2026-03-05 12:00+00',
									   '2026-03-05 12:00:00.000001+00') > 0
	   AS reattributed;
RESET conversion_tracking.attribution;
SELECT pg_temp.conversion_of(2400);

-- Deleting an event deletes its conversion; deleting a message deletes the
-- conversions it earned; deleting an account deletes all of its own.
DELETE FROM conversion_tracking.events WHERE account_id = 10 AND event_id = 1003;
SELECT count(*) FROM conversion_tracking.conversions
 WHERE account_id = 10 AND event_id = 1003;
SELECT count(*) FROM conversion_tracking.conversions
 WHERE account_id = 10 AND message_id = 201;
DELETE FROM conversion_tracking.messages
 WHERE account_id = 10 AND message_id = 201;
SELECT count(*) FROM conversion_tracking.conversions
 WHERE account_id = 10 AND message_id = 201;
SELECT account_id, count(*) FROM conversion_tracking.conversions
 WHERE account_id IN (10, 12) GROUP BY account_id ORDER BY account_id;
DELETE FROM conversion_tracking.accounts WHERE account_id = 12;
SELECT account_id, count(*) FROM conversion_tracking.conversions
 WHERE account_id IN (10, 12) GROUP BY account_id ORDER BY account_id;

-- A conversion is known by its event's id, which it keeps when attributed
-- again.
SELECT conversion_id = event_id AS same_id, count(*)
  FROM conversion_tracking.conversions GROUP BY 1;

-- Truncating events truncates conversions.
BEGIN;
TRUNCATE conversion_tracking.events;
SELECT count(*) FROM conversion_tracking.conversions;
ROLLBACK;

DROP SCHEMA ct_trap CASCADE;
DROP OWNED BY ct_ingest;
DROP ROLE ct_ingest;
