-- altered_tables: the C code reads the extension's tables by column name
-- and type, so a user's ALTER TABLE gives a clear error or still works,
-- and never crashes the server
CREATE EXTENSION IF NOT EXISTS conversion_tracking;
SET TimeZone = 'UTC';

INSERT INTO conversion_tracking.accounts (account_id, name) VALUES (70, 'Altered');
INSERT INTO conversion_tracking.campaigns
	   (account_id, campaign_id, name, conversion_goal)
VALUES (70, 1, 'Sale', 'Buy');
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, sent_at,
		conversion_token)
VALUES (70, 1, 1, 'ada', '2026-03-01 00:00+00',
		'70000000-0000-4000-8000-000000000001');

-- NULL data, extras or user once the NOT NULLs are gone: the event is
-- stored; without a user it cannot convert.
ALTER TABLE conversion_tracking.events
	ALTER COLUMN data DROP NOT NULL,
	ALTER COLUMN extras DROP NOT NULL,
	ALTER COLUMN user_id DROP NOT NULL;
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, data, extras, occurred_at)
VALUES (70, 1, 'ada', 'Buy', NULL, '{}', '2026-03-02 00:00+00'),
	   (70, 2, 'ada', 'Buy', '{"revenue": 5}', NULL, '2026-03-02 00:00+00'),
	   (70, 3, NULL, 'Buy', '{}', '{}', '2026-03-02 00:00+00');
SELECT e.event_id, c.conversion_type, c.value
  FROM conversion_tracking.events e
  LEFT JOIN conversion_tracking.conversions c USING (account_id, event_id)
 WHERE e.account_id = 70 ORDER BY e.event_id;
DELETE FROM conversion_tracking.events WHERE account_id = 70;
ALTER TABLE conversion_tracking.events
	ALTER COLUMN data SET NOT NULL,
	ALTER COLUMN extras SET NOT NULL,
	ALTER COLUMN user_id SET NOT NULL;

-- A message without a token, and an event that brings one.
ALTER TABLE conversion_tracking.messages
	ALTER COLUMN conversion_token DROP NOT NULL;
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, sent_at,
		conversion_token)
VALUES (70, 2, 1, 'ada', '2026-03-01 12:00+00', NULL);
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, extras, occurred_at)
VALUES (70, 4, 'ada', 'Buy',
		'{"vero_conv": "70000000-0000-4000-8000-000000000001"}',
		'2026-03-02 00:00+00');
SELECT event_id, message_id, conversion_type
  FROM conversion_tracking.conversions
 WHERE account_id = 70 AND event_id = 4;
DELETE FROM conversion_tracking.messages WHERE account_id = 70 AND message_id = 2;
ALTER TABLE conversion_tracking.messages
	ALTER COLUMN conversion_token SET NOT NULL;

-- A column of another type: a clear error, which names the column.
ALTER TABLE conversion_tracking.events ALTER COLUMN data TYPE json;
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, data, occurred_at)
VALUES (70, 5, 'ada', 'Buy', '{"revenue": 5}', '2026-03-02 00:00+00');
ALTER TABLE conversion_tracking.events ALTER COLUMN data TYPE jsonb;

-- A column dropped and added again moves to the end of the row; the
-- trigger and attribute_event() find it by name.
ALTER TABLE conversion_tracking.events ADD COLUMN source text;
ALTER TABLE conversion_tracking.events DROP COLUMN data;
ALTER TABLE conversion_tracking.events
	ADD COLUMN data jsonb NOT NULL DEFAULT '{}';
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, data, occurred_at)
VALUES (70, 6, 'ada', 'Buy', '{"revenue": 6}', '2026-03-02 00:00+00');
SELECT conversion_tracking.attribute_event(70, 6);
SELECT event_id, conversion_type, value FROM conversion_tracking.conversions
 WHERE account_id = 70 AND event_id = 6;
ALTER TABLE conversion_tracking.events DROP COLUMN source;

-- A constraint of the user's on conversions applies to the conversions
-- that attribution writes: a CHECK, and a NOT NULL on a column that a
-- conversion may leave NULL.  The event's statement fails with it.  (The
-- conversions of earlier tests would violate both: the CHECK is NOT
-- VALID, and the NOT NULL is set after deleting them, in a transaction
-- that rolls back.)
ALTER TABLE conversion_tracking.conversions
	ADD CONSTRAINT only_direct CHECK (conversion_type = 'direct') NOT VALID;
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (70, 7, 'ada', 'Buy', '2026-03-02 00:00+00');
ALTER TABLE conversion_tracking.conversions DROP CONSTRAINT only_direct;
BEGIN;
DELETE FROM conversion_tracking.conversions;
ALTER TABLE conversion_tracking.conversions
	ALTER COLUMN value SET NOT NULL;
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (70, 7, 'ada', 'Buy', '2026-03-02 00:00+00');
ROLLBACK;
-- Without them, the same event converts.
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (70, 7, 'ada', 'Buy', '2026-03-02 00:00+00');
SELECT event_id, conversion_type, value FROM conversion_tracking.conversions
 WHERE account_id = 70 AND event_id = 7;

-- An account's goals cost memory in proportion to its campaigns: 4,000
-- distinct goals fit in well under a megabyte of cache.
INSERT INTO conversion_tracking.campaigns (account_id, campaign_id, name,
										   conversion_goal)
SELECT 70, 100 + g, 'Campaign ' || g, 'Goal ' || g
  FROM generate_series(1, 4000) AS g;
SELECT conversion_tracking.is_conversion_goal(70, 'Goal 3999') AS goal,
	   conversion_tracking.is_conversion_goal(70, 'Goal 4001') AS no_goal;
SELECT total_bytes < 1024 * 1024 AS under_a_megabyte
  FROM pg_backend_memory_contexts
 WHERE name = 'conversion_tracking cache';

-- A VACUUM of the events table invalidates its relcache entry, which makes
-- the extension look its relations up again; the goals cached stay.  This
-- session has cached account 70, with its 4,000 goals; an event of account
-- 60 adds that account to the cache, or would leave it alone in it.
CREATE TEMP TABLE cache_use AS
SELECT used_bytes FROM pg_backend_memory_contexts
 WHERE name = 'conversion_tracking cache';
VACUUM conversion_tracking.events;
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (60, 1000, 'ada', 'Viewed page', '2026-03-02 00:00+00');
SELECT c.used_bytes >= u.used_bytes AS goals_still_cached
  FROM pg_backend_memory_contexts c, cache_use u
 WHERE c.name = 'conversion_tracking cache';

-- A change to a campaign drops them all.
UPDATE conversion_tracking.campaigns SET name = 'Sale'
 WHERE account_id = 70 AND campaign_id = 1;
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (60, 1001, 'ada', 'Viewed page', '2026-03-02 00:00+00');
SELECT c.used_bytes < u.used_bytes AS goals_dropped
  FROM pg_backend_memory_contexts c, cache_use u
 WHERE c.name = 'conversion_tracking cache';
