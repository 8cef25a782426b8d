-- attribution_random: a random mix of messages, opens, clicks and events,
-- loaded with plain INSERTs, against an independent reading of the rules
CREATE EXTENSION IF NOT EXISTS conversion_tracking;
SET TimeZone = 'Europe/London';
SELECT setseed(0.42);

INSERT INTO conversion_tracking.accounts (account_id, name, conversion_window)
VALUES (20, 'Random', '3 days'),
	   (21, 'Random neighbour', '3 days');
INSERT INTO conversion_tracking.campaigns
	   (account_id, campaign_id, name, kind, conversion_goal)
VALUES (20, 1, 'Goal A', 'broadcast', 'Purchase'),
	   (20, 2, 'Goal B', 'journey', 'Purchase'),
	   (20, 3, 'Goal C', 'broadcast', 'Purchase'),
	   (20, 4, 'Signups', 'broadcast', 'Signup'),
	   (20, 5, 'No goal', 'broadcast', NULL),
	   (21, 1, 'Neighbour', 'broadcast', 'Purchase');

-- 3,000 messages to 150 users over March 2026 (a daylight-saving change
-- in London), a tenth held out, a third opened, some clicked.
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, step, held_out,
		sent_at)
SELECT CASE WHEN i % 50 = 0 THEN 21 ELSE 20 END, i,
	   CASE WHEN i % 50 = 0 THEN 1 ELSE 1 + floor(random() * 5)::int END,
	   'u' || (random() * 149)::int,
	   CASE WHEN random() < 0.3 THEN 1 + (random() * 2)::int END,
	   random() < 0.1,
	   timestamptz '2026-03-01 00:00+00' +
	   (random() * 30 * 86400)::int * interval '1 second'
  FROM generate_series(1, 3000) AS i;

-- Opens and clicks, through the functions and plain UPDATEs alike; some
-- come after the events they could have earned.
SELECT count(conversion_tracking.record_open(account_id, message_id,
		   sent_at + (random() * 3 * 86400)::int * interval '1 second'))
		   AS opens
  FROM (SELECT * FROM conversion_tracking.messages
		 WHERE account_id IN (20, 21) AND NOT held_out
		 ORDER BY account_id, message_id) AS m
 WHERE random() < 0.2;
SELECT count(conversion_tracking.record_click(account_id, message_id,
		   sent_at + (random() * 3 * 86400)::int * interval '1 second'))
		   AS clicks
  FROM (SELECT * FROM conversion_tracking.messages
		 WHERE account_id IN (20, 21) AND NOT held_out
		 ORDER BY account_id, message_id) AS m
 WHERE random() < 0.1;
UPDATE conversion_tracking.messages
   SET opened_at = sent_at + (random() * 86400)::int * interval '1 second'
 WHERE account_id IN (20, 21) AND NOT held_out AND opened_at IS NULL
   AND message_id % 10 = 3;

-- 3,000 events, a third of each name; 30 % carry the token of one of the
-- user's latest messages, 10 % the token of anyone's message.
CREATE TEMP TABLE picks AS
SELECT i,
	   'u' || (random() * 149)::int AS user_id,
	   (ARRAY['Purchase', 'Signup', 'Viewed page'])[1 + floor(random() * 3)::int]
	   AS event_name,
	   timestamptz '2026-03-01 00:00+00' +
	   (random() * 33 * 86400)::int * interval '1 second' AS occurred_at,
	   random() AS token_roll,
	   1 + floor(random() * 3000)::int AS any_message
  FROM generate_series(1, 3000) AS i;

INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, extras, occurred_at)
SELECT 20, p.i, p.user_id, p.event_name,
	   CASE
		   WHEN p.token_roll < 0.3 THEN
			   coalesce((SELECT jsonb_build_object('vero_conv',
												   m.conversion_token::text)
						   FROM conversion_tracking.messages m
						  WHERE m.account_id = 20 AND m.user_id = p.user_id
							AND m.sent_at <= p.occurred_at
						  ORDER BY m.sent_at DESC
						  OFFSET (p.any_message % 3) LIMIT 1), '{}')
		   WHEN p.token_roll < 0.4 THEN
			   coalesce((SELECT jsonb_build_object('vero_conv',
												   m.conversion_token::text)
						   FROM conversion_tracking.messages m
						  WHERE m.account_id IN (20, 21)
							AND m.message_id = p.any_message), '{}')
		   ELSE '{}'
	   END,
	   p.occurred_at
  FROM picks p
 ORDER BY random();

-- The rules read straight from the SPEC: candidates are the user's
-- messages in a campaign whose goal is the event's name, sent at most one
-- window (in seconds) before it; direct, then view-through, then indirect,
-- latest sent_at first, then the higher message_id.  As the README says, a
-- hold-out row was never sent, so its token earns no direct conversion.
CREATE TEMP VIEW expected_conversions AS
WITH candidates AS (
	SELECT e.event_id, m.message_id, m.sent_at, m.held_out,
		   e.extras -> 'vero_conv' AS token,
		   m.conversion_token::text AS message_token,
		   least(m.opened_at, m.clicked_at) <= e.occurred_at AS seen
	  FROM conversion_tracking.events e
	  JOIN conversion_tracking.accounts a USING (account_id)
	  JOIN conversion_tracking.messages m
		ON m.account_id = e.account_id AND m.user_id = e.user_id
	  JOIN conversion_tracking.campaigns c
		ON c.account_id = m.account_id AND c.campaign_id = m.campaign_id
	 WHERE e.account_id = 20
	   AND c.conversion_goal = e.event_name
	   AND m.sent_at <= e.occurred_at
	   AND extract(epoch FROM e.occurred_at - m.sent_at)
		   <= extract(epoch FROM a.conversion_window)
), ranked AS (
	SELECT event_id, message_id, sent_at, 1 AS rank, 'direct' AS type
	  FROM candidates
	 WHERE NOT held_out
	   AND jsonb_typeof(token) = 'string' AND token #>> '{}' = message_token
	UNION ALL
	SELECT event_id, message_id, sent_at, 2, 'view_through'
	  FROM candidates WHERE NOT held_out AND seen
	UNION ALL
	SELECT event_id, message_id, sent_at, 3, 'indirect'
	  FROM candidates
)
SELECT DISTINCT ON (event_id) event_id, message_id, type
  FROM ranked
 ORDER BY event_id, rank, sent_at DESC, message_id DESC;

-- Every event gets exactly the conversion the rules give.
SELECT count(*) AS mismatches
  FROM expected_conversions x
  FULL JOIN (SELECT event_id, message_id, conversion_type AS type
			   FROM conversion_tracking.conversions
			  WHERE account_id = 20) c USING (event_id)
 WHERE (x.event_id, x.message_id, x.type)
	   IS DISTINCT FROM (c.event_id, c.message_id, c.type);

-- The mix exercises every outcome.
SELECT type, count(*) >= 20 AS at_least_twenty
  FROM expected_conversions
 GROUP BY type
 ORDER BY type;

-- Re-attributing everything changes nothing.
SELECT conversion_tracking.reattribute(20) =
	   (SELECT count(*) FROM expected_conversions) AS reattribute_agrees;
SELECT count(*) AS mismatches_after_reattribute
  FROM expected_conversions x
  FULL JOIN (SELECT event_id, message_id, conversion_type AS type
			   FROM conversion_tracking.conversions
			  WHERE account_id = 20) c USING (event_id)
 WHERE (x.event_id, x.message_id, x.type)
	   IS DISTINCT FROM (c.event_id, c.message_id, c.type);
