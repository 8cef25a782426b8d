-- bad_input: what cannot be stored is refused with a clear error, and
-- nothing else is lost
CREATE EXTENSION IF NOT EXISTS conversion_tracking;
SET TimeZone = 'UTC';

INSERT INTO conversion_tracking.accounts (account_id, name) VALUES (60, 'Bad input');
INSERT INTO conversion_tracking.campaigns
	   (account_id, campaign_id, name, conversion_goal)
VALUES (60, 1, 'Sale', 'Purchase');
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, sent_at,
		conversion_token)
VALUES (60, 1, 1, 'ada', '2026-03-01 00:00+00',
		'11111111-2222-4333-8444-555555555555');

-- The SQLSTATE, message, detail and hint of the error that a statement
-- raises, one per line; "no error" if it raises none.
CREATE FUNCTION pg_temp.error_of(statement text)
RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
	state text;
	message text;
	detail text;
	hint text;
BEGIN
	EXECUTE statement;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE,
		message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL,
		hint = PG_EXCEPTION_HINT;
	RETURN concat_ws(E'\n', state || ': ' || message,
					 'DETAIL: ' || nullif(detail, ''),
					 'HINT: ' || nullif(hint, ''));
END
$fn$;

-- An unknown account, through track() and through INSERT.
SELECT pg_temp.error_of($$SELECT conversion_tracking.track(999, '{"id": 1}', 'Purchase')$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.track(NULL, '{"id": 1}', 'Purchase')$$);
SELECT pg_temp.error_of($$INSERT INTO conversion_tracking.events (account_id, user_id, event_name)
VALUES (999, 'ada', 'Purchase')$$);

-- A missing user, a missing or empty event name.
SELECT pg_temp.error_of($$INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (60, 1, NULL, 'Purchase', '2026-03-02 00:00+00')$$);
SELECT pg_temp.error_of($$INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (60, 1, '', 'Purchase', '2026-03-02 00:00+00')$$);
SELECT pg_temp.error_of($$INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (60, 1, 'ada', NULL, '2026-03-02 00:00+00')$$);
SELECT pg_temp.error_of($$INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (60, 1, 'ada', ' ', '2026-03-02 00:00+00')$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.track(60, '{"id": 1}', NULL)$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.track(60, '{"id": 1}', '   ')$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.track(60, '{"id": 1}', E'\t\n')$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.track(60, '{"id": 1}', 'Purchase', '{}', '{}', NULL)$$);

-- An identity with neither id nor email, or with ones of the wrong kind.
SELECT pg_temp.error_of($$SELECT conversion_tracking.track(60, '{}', 'Purchase')$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.track(60, '{"id": null, "name": "Ada"}', 'Purchase')$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.track(60, '"ada"', 'Purchase')$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.track(60, NULL, 'Purchase')$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.track(60, '{"id": true}', 'Purchase')$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.track(60, '{"id": {"n": 1}}', 'Purchase')$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.track(60, '{"id": ""}', 'Purchase')$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.track(60, '{"email": 42}', 'Purchase')$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.track(60, '{"email": " "}', 'Purchase')$$);

-- Settings out of range: a window of zero, negative, over 365 days; an
-- empty goal; an unknown time zone; through the functions and through
-- plain UPDATEs.
SELECT pg_temp.error_of($$SELECT conversion_tracking.set_conversion_window(60, '0')$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.set_conversion_window(60, '-1 day')$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.set_conversion_window(60, '366 days')$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.set_conversion_window(60, '1 mon')$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.set_conversion_window(60, '1 year')$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.set_conversion_window(60, NULL)$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.set_conversion_window(999, '1 day')$$);
SELECT pg_temp.error_of($$UPDATE conversion_tracking.accounts SET conversion_window = '0'
 WHERE account_id = 60$$);
SELECT pg_temp.error_of($$UPDATE conversion_tracking.accounts SET conversion_window = '1 mon'
 WHERE account_id = 60$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.set_conversion_goal(60, 1, '')$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.set_conversion_goal(60, 1, '  ')$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.set_conversion_goal(60, 1, E'\t')$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.set_conversion_goal(60, 99, 'Purchase')$$);
SELECT pg_temp.error_of($$UPDATE conversion_tracking.campaigns SET conversion_goal = ''
 WHERE account_id = 60$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.set_time_zone(60, 'Mars/Olympus_Mons')$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.set_time_zone(60, '')$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.set_time_zone(60, 'localtime')$$);
SELECT pg_temp.error_of($$INSERT INTO conversion_tracking.accounts (account_id, name, time_zone)
VALUES (61, 'Nowhere', 'Atlantis/Capital')$$);
SELECT pg_temp.error_of($$INSERT INTO conversion_tracking.campaigns (account_id, campaign_id, name, kind)
VALUES (60, 2, 'Unknown kind', 'newsletter')$$);

-- A user id too long for an index entry, through INSERT and track().
SELECT pg_temp.error_of($$INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (60, 1, repeat('u', 1025), 'Purchase', '2026-03-02 00:00+00')$$);
SELECT pg_temp.error_of($$INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, sent_at,
		conversion_token)
VALUES (60, 2, 1, repeat('u', 1025), '2026-03-01 00:00+00',
		'11111111-2222-4333-8444-666666666666')$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.track(60, jsonb_build_object('id', repeat('é', 513)), 'Purchase', '{}', '{}', '2026-03-02 00:00+00')$$);

-- An open or a click before the message was sent.
SELECT pg_temp.error_of($$SELECT conversion_tracking.record_open(60, 1, '2026-02-28 23:59:59+00')$$);
SELECT pg_temp.error_of($$SELECT conversion_tracking.record_click(60, 1, '2026-02-28 23:59:59+00')$$);
SELECT pg_temp.error_of($$UPDATE conversion_tracking.messages SET clicked_at = '2026-02-28 00:00+00'
 WHERE account_id = 60 AND message_id = 1$$);

-- Re-attribution over a range with a NULL bound.
SELECT pg_temp.error_of($$SELECT conversion_tracking.reattribute(60, NULL, '2026-03-01')$$);

-- Nothing was changed by the refused statements.
SELECT conversion_window, time_zone FROM conversion_tracking.accounts
 WHERE account_id = 60;
SELECT conversion_goal FROM conversion_tracking.campaigns
 WHERE account_id = 60;
SELECT count(*) AS events FROM conversion_tracking.events
 WHERE account_id IN (60, 61, 999);
SELECT message_id, user_id, opened_at, clicked_at
  FROM conversion_tracking.messages
 WHERE account_id = 60;

-- A vero_conv that is not a string, or is no token at all, never refuses
-- the event: it is stored, and attributed without the token.
SELECT conversion_tracking.track(60, '{"id": "ada"}', 'Purchase', '{}',
								 extras, '2026-03-02 00:00+00') > 0 AS stored
  FROM (VALUES ('{"vero_conv": 11112222}'::jsonb),
			   ('{"vero_conv": {"token": "11111111-2222-4333-8444-555555555555"}}'),
			   ('{"vero_conv": true}'),
			   ('{"vero_conv": "11111111-2222-4333-8444-55555555555"}'),
			   ('{"vero_conv": "11111111-2222-4333-8444-5555555555555"}'),
			   ('{"vero_conv": "zz111111-2222-4333-8444-555555555555"}'),
			   ('{"vero_conv": ""}'),
			   ('"not an object"')) AS t(extras);
SELECT e.extras, c.conversion_type
  FROM conversion_tracking.events e
  LEFT JOIN conversion_tracking.conversions c USING (account_id, event_id)
 WHERE e.account_id = 60
 ORDER BY e.event_id;

-- A message of another user, or a goal nobody set, is no error either.
SELECT conversion_tracking.track(60, '{"id": "bob"}', 'Purchase', '{}',
		'{"vero_conv": "11111111-2222-4333-8444-555555555555"}',
		'2026-03-02 00:00+00') > 0 AS stored;
SELECT conversion_tracking.track(60, '{"id": "ada"}', 'Refund', '{}', '{}',
		'2026-03-02 00:00+00') > 0 AS stored;
SELECT count(*) AS events, count(c.conversion_id) AS conversions
  FROM conversion_tracking.events e
  LEFT JOIN conversion_tracking.conversions c USING (account_id, event_id)
 WHERE e.account_id = 60;
