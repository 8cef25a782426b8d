-- tracking: track() with identity resolution, and opens and clicks
CREATE EXTENSION IF NOT EXISTS conversion_tracking;
SET TimeZone = 'UTC';

INSERT INTO conversion_tracking.accounts (account_id, name)
VALUES (30, 'Tracking'), (31, 'Other');
INSERT INTO conversion_tracking.campaigns
	   (account_id, campaign_id, name, conversion_goal)
VALUES (30, 1, 'Sale', 'Purchase');

-- An id as a JSON number or as a string is the same user; an integral
-- number is written without a fraction.
CREATE TEMP TABLE tracked (identity jsonb, event_id bigint);
INSERT INTO tracked
SELECT identity, conversion_tracking.track(30, identity, 'Viewed page')
  FROM (VALUES ('{"id": 42}'::jsonb), ('{"id": "42"}'), ('{"id": 42.0}'),
			   ('{"id": 4.5}'), ('{"id": "user-7"}'), ('{"id": " 42"}'))
	   AS t(identity);
SELECT t.identity, e.user_id
  FROM tracked t JOIN conversion_tracking.events e USING (event_id)
 ORDER BY e.event_id;

-- An e-mail alone resolves to the user last seen with it, in the same
-- account only, ignoring case and blanks; an unknown one becomes the id.
-- An older sighting arriving late does not take the address back.  Only
-- sightings with an id are recorded.
TRUNCATE tracked;
INSERT INTO tracked
SELECT identity, conversion_tracking.track(account_id, identity, 'Signed in',
										   '{}', '{}', occurred_at)
  FROM (VALUES (30, '{"id": 1, "email": "ada@example.com"}'::jsonb,
				timestamptz '2026-03-01 10:00+00'),
			   (30, '{"id": 2, "email": "ada@example.com"}',
				'2026-03-02 10:00+00'),
			   (30, '{"id": 3, "email": "ada@example.com"}',
				'2026-02-01 10:00+00')) AS t(account_id, identity, occurred_at);
INSERT INTO tracked
SELECT identity, conversion_tracking.track(account_id, identity, 'Opened app',
										   '{}', '{}', '2026-03-02 11:00+00')
  FROM (VALUES (30, '{"email": "  ADA@Example.com "}'::jsonb),
			   (31, '{"email": "ada@example.com"}'),
			   (30, '{"email": "grace@example.com"}')) AS t(account_id, identity);
SELECT t.identity, e.account_id, e.user_id
  FROM tracked t JOIN conversion_tracking.events e USING (event_id)
 ORDER BY e.event_id;
SELECT account_id, email, user_id, last_seen_at
  FROM conversion_tracking.user_emails ORDER BY account_id, email;

-- An e-mail alone records nothing, so a sighting with an id that arrives
-- after it, but happened in between, still takes the address.
TRUNCATE tracked;
INSERT INTO tracked
SELECT identity, conversion_tracking.track(30, identity, 'Opened app',
										   '{}', '{}', occurred_at)
  FROM (VALUES ('{"id": 4, "email": "lin@example.com"}'::jsonb,
				timestamptz '2026-03-10 10:00+00'),
			   ('{"email": "lin@example.com"}', '2026-03-20 10:00+00'),
			   ('{"id": 5, "email": "lin@example.com"}', '2026-03-15 10:00+00'),
			   ('{"email": "lin@example.com"}', '2026-03-25 10:00+00'))
	   AS t(identity, occurred_at);
SELECT t.identity, e.user_id, e.occurred_at
  FROM tracked t JOIN conversion_tracking.events e USING (event_id)
 WHERE e.account_id = 30
 ORDER BY e.event_id;

-- track() returns the event id and attributes the event.
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, sent_at)
VALUES (30, 1, 1, '2', '2026-03-01 00:00+00');
TRUNCATE tracked;
INSERT INTO tracked
SELECT NULL, conversion_tracking.track(30, '{"email": "ada@example.com"}',
									   'Purchase', '{"revenue": 9.90}', '{}',
									   '2026-03-03 00:00+00');
SELECT c.user_id, c.message_id, c.conversion_type, c.value
  FROM tracked t
  JOIN conversion_tracking.conversions c
	ON c.account_id = 30 AND c.event_id = t.event_id;

-- Opens: the first one stays, an earlier one arriving late replaces it.
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, sent_at, held_out)
VALUES (30, 2, 1, 'reader', '2026-03-01 00:00+00', false),
	   (30, 3, 1, 'reader', '2026-03-01 00:00+00', false),
	   (30, 4, 1, 'held', '2026-03-01 00:00+00', true);
SELECT conversion_tracking.record_open(30, 2, '2026-03-01 09:00+00');
SELECT conversion_tracking.record_open(30, 2, '2026-03-01 11:00+00');
SELECT conversion_tracking.record_open(30, 2, '2026-03-01 08:00+00');

-- Clicks: a click implies an open at the same time when none came
-- earlier; later clicks move neither.
SELECT conversion_tracking.record_click(30, 3, '2026-03-02 09:00+00');
SELECT conversion_tracking.record_click(30, 3, '2026-03-02 10:00+00');
SELECT conversion_tracking.record_click(30, 2, '2026-03-02 09:00+00');
SELECT message_id, opened_at, clicked_at
  FROM conversion_tracking.messages
 WHERE account_id = 30 AND message_id IN (2, 3)
 ORDER BY message_id;

-- A hold-out row was sent nothing, so it cannot be opened or clicked.
SELECT conversion_tracking.record_open(30, 4, '2026-03-02 09:00+00');
SELECT conversion_tracking.record_click(30, 4, '2026-03-02 09:00+00');
SELECT conversion_tracking.record_open(30, 999, '2026-03-02 09:00+00');

-- An application role with the grants the README lists can track events,
-- opens and clicks, but cannot read or write conversions.
CREATE ROLE ct_app;
GRANT USAGE ON SCHEMA conversion_tracking TO ct_app;
GRANT SELECT ON conversion_tracking.accounts TO ct_app;
GRANT INSERT, SELECT (event_id) ON conversion_tracking.events TO ct_app;
GRANT SELECT, INSERT, UPDATE ON conversion_tracking.user_emails TO ct_app;
GRANT SELECT, UPDATE (opened_at, clicked_at)
	ON conversion_tracking.messages TO ct_app;
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, sent_at)
VALUES (30, 5, 1, 'app user', '2026-03-10 00:00+00');
SET ROLE ct_app;
SELECT conversion_tracking.record_click(30, 5, '2026-03-10 01:00+00');
SELECT conversion_tracking.track(30, '{"id": "app user", "email": "app@example.com"}',
								 'Purchase', '{}', '{}',
								 '2026-03-10 02:00+00') > 0 AS tracked;
SELECT count(*) FROM conversion_tracking.conversions;
-- Re-attribution writes conversions: it is for roles granted it.
SELECT conversion_tracking.reattribute(30);
SELECT conversion_tracking.attribute_event(30, 1);
RESET ROLE;
SELECT message_id, conversion_type
  FROM conversion_tracking.conversions
 WHERE account_id = 30 AND user_id = 'app user';
DROP OWNED BY ct_app;
DROP ROLE ct_app;
