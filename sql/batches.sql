-- batches: goal events are queued by the row trigger and attributed at the
-- end of their statement, in batches, whatever the transaction does
CREATE EXTENSION IF NOT EXISTS conversion_tracking;
SET TimeZone = 'UTC';

-- The two triggers on events: the row trigger only lets goal events in.
SELECT tgname,
	   CASE WHEN tgtype & 1 = 1 THEN 'row' ELSE 'statement' END AS level,
	   tgqual IS NOT NULL AS has_when, tgenabled
  FROM pg_trigger
 WHERE tgrelid = 'conversion_tracking.events'::regclass
   AND tgname LIKE 'attribute%'
 ORDER BY tgname;

INSERT INTO conversion_tracking.accounts (account_id, name, conversion_window)
VALUES (65, 'Batches', '7 days');
INSERT INTO conversion_tracking.campaigns
	   (account_id, campaign_id, name, conversion_goal)
VALUES (65, 1, 'Sale', 'Purchase'),
	   (65, 2, 'Trials', 'Signup');

-- One message a day to user 'u', then events of that user in one statement,
-- latest first: each goes to the message sent last before it.
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, sent_at)
SELECT 65, d, 1, 'u', timestamptz '2026-05-01' + (d - 1) * interval '1 day'
  FROM generate_series(1, 5) AS d;
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
SELECT 65, 100 + d, 'u', 'Purchase',
	   timestamptz '2026-05-01 12:00' + (d - 1) * interval '1 day'
  FROM generate_series(5, 1, -1) AS d;
SELECT event_id, message_id, conversion_type
  FROM conversion_tracking.conversions
 WHERE account_id = 65 AND event_id BETWEEN 101 AND 105
 ORDER BY event_id;

-- A statement of 20,000 goal events, more than one batch, in an order
-- unlike the index's: every one is attributed, to its own user's message.
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, sent_at)
SELECT 65, 1000 + i, 1, 'batch' || i, '2026-05-01'
  FROM generate_series(1, 20000) AS i;
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
SELECT 65, 100000 + i, 'batch' || (20001 - i), 'Purchase', '2026-05-02'
  FROM generate_series(1, 20000) AS i;
SELECT count(*) AS conversions,
	   count(*) FILTER (WHERE message_id = 1000 + 20001 - (event_id - 100000)
						  AND user_id = 'batch' || (message_id - 1000))
	   AS to_their_own_message
  FROM conversion_tracking.conversions
 WHERE account_id = 65 AND event_id > 100000;

-- A savepoint rolled back takes its events and their conversions along;
-- the transaction's other events keep theirs.
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, sent_at)
VALUES (65, 50, 1, 'sp', '2026-05-01');
BEGIN;
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (65, 201, 'sp', 'Purchase', '2026-05-02');
SAVEPOINT before_second;
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (65, 202, 'sp', 'Purchase', '2026-05-02');
ROLLBACK TO SAVEPOINT before_second;
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (65, 203, 'sp', 'Purchase', '2026-05-02');
SAVEPOINT third;
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (65, 204, 'sp', 'Purchase', '2026-05-02');
RELEASE SAVEPOINT third;
COMMIT;
SELECT e.event_id, c.conversion_type
  FROM conversion_tracking.events e
  LEFT JOIN conversion_tracking.conversions c USING (account_id, event_id)
 WHERE e.account_id = 65 AND e.event_id BETWEEN 201 AND 204
 ORDER BY e.event_id;

-- A user's row trigger on events that inserts an event in a block that
-- fails: the inner event is rolled back with its conversion, while the
-- outer event, queued before the block began, is still attributed.
CREATE FUNCTION pg_temp.echo_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.event_id < 300 OR NEW.event_id >= 400 THEN
		RETURN NULL;
	END IF;
	BEGIN
		INSERT INTO conversion_tracking.events
			   (account_id, event_id, user_id, event_name, occurred_at)
		VALUES (65, NEW.event_id + 100, 'sp', 'Purchase', '2026-05-03');
		IF NEW.event_id = 301 THEN
			RAISE EXCEPTION 'echo of event % fails', NEW.event_id;
		END IF;
	EXCEPTION WHEN raise_exception THEN
		RAISE NOTICE 'rolled back: %', SQLERRM;
	END;
	RETURN NULL;
END
$$;
CREATE TRIGGER zz_echo_event AFTER INSERT ON conversion_tracking.events
	FOR EACH ROW EXECUTE FUNCTION pg_temp.echo_event();
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (65, 301, 'sp', 'Purchase', '2026-05-02'),
	   (65, 302, 'sp', 'Purchase', '2026-05-02');
DROP TRIGGER zz_echo_event ON conversion_tracking.events;
SELECT e.event_id, c.conversion_type
  FROM conversion_tracking.events e
  LEFT JOIN conversion_tracking.conversions c USING (account_id, event_id)
 WHERE e.account_id = 65 AND e.event_id BETWEEN 300 AND 499
 ORDER BY e.event_id;

-- An event queued by a statement that then fails is dropped with it, in a
-- subtransaction or not: the next statement does not attribute it.
\set VERBOSITY terse
CREATE FUNCTION pg_temp.refuse_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.event_id IN (801, 803) THEN
		RAISE EXCEPTION 'event % refused', NEW.event_id;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER zz_refuse_event AFTER INSERT ON conversion_tracking.events
	FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse_event();
BEGIN;
SAVEPOINT refused;
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (65, 801, 'sp', 'Purchase', '2026-05-02');
ROLLBACK TO SAVEPOINT refused;
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (65, 802, 'sp', 'Purchase', '2026-05-02');
COMMIT;
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (65, 803, 'sp', 'Purchase', '2026-05-02');
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (65, 804, 'sp', 'Purchase', '2026-05-02');
DROP TRIGGER zz_refuse_event ON conversion_tracking.events;
\set VERBOSITY default
SELECT event_id, conversion_type FROM conversion_tracking.conversions
 WHERE account_id = 65 AND event_id BETWEEN 800 AND 899
 ORDER BY event_id;

-- A user's trigger on conversions that inserts an event while a batch is
-- being attributed: that event is attributed by its own statement.
CREATE FUNCTION pg_temp.offer_trial() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.event_name = 'Purchase' THEN
		INSERT INTO conversion_tracking.events
			   (account_id, event_id, user_id, event_name, occurred_at)
		VALUES (65, NEW.event_id + 100, NEW.user_id, 'Signup',
				NEW.converted_at + interval '1 hour');
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER offer_trial AFTER INSERT ON conversion_tracking.conversions
	FOR EACH ROW EXECUTE FUNCTION pg_temp.offer_trial();
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, sent_at)
VALUES (65, 60, 2, 'trial1', '2026-05-01'),
	   (65, 61, 1, 'trial1', '2026-05-01'),
	   (65, 62, 2, 'trial2', '2026-05-01'),
	   (65, 63, 1, 'trial2', '2026-05-01');
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (65, 501, 'trial1', 'Purchase', '2026-05-02'),
	   (65, 502, 'trial2', 'Purchase', '2026-05-02');
DROP TRIGGER offer_trial ON conversion_tracking.conversions;
SELECT event_id, user_id, event_name, message_id, conversion_type
  FROM conversion_tracking.conversions
 WHERE account_id = 65 AND event_id BETWEEN 500 AND 699
 ORDER BY event_id;

-- Under session_replication_role = replica, as in the apply worker of
-- logical replication with the row trigger enabled ALWAYS, no statement
-- trigger follows the row triggers: each event is attributed at once.
ALTER TABLE conversion_tracking.events ENABLE ALWAYS TRIGGER attribute_event;
SET session_replication_role = replica;
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (65, 901, 'sp', 'Purchase', '2026-05-02'),
	   (65, 902, 'sp', 'Purchase', '2026-05-02');
RESET session_replication_role;
ALTER TABLE conversion_tracking.events ENABLE TRIGGER attribute_event;
SELECT event_id, conversion_type FROM conversion_tracking.conversions
 WHERE account_id = 65 AND event_id BETWEEN 900 AND 999
 ORDER BY event_id;

-- With the statement trigger disabled, goal events could not be
-- attributed: the transaction fails rather than commit them unattributed.
ALTER TABLE conversion_tracking.events
	DISABLE TRIGGER attribute_queued_events;
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (65, 701, 'sp', 'Purchase', '2026-05-02'),
	   (65, 702, 'sp', 'Purchase', '2026-05-02');
-- Events that are no goal are not queued, and go in.
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (65, 703, 'sp', 'Viewed page', '2026-05-02');
ALTER TABLE conversion_tracking.events
	ENABLE TRIGGER attribute_queued_events;
SELECT event_id FROM conversion_tracking.events
 WHERE account_id = 65 AND event_id BETWEEN 701 AND 799
 ORDER BY event_id;
