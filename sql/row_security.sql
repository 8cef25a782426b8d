-- row_security: with the policies the README shows, a role that acts for
-- one account sees and writes that account's rows alone, and its events
-- are still attributed
CREATE EXTENSION IF NOT EXISTS conversion_tracking;
SET TimeZone = 'UTC';

INSERT INTO conversion_tracking.accounts (account_id, name)
VALUES (80, 'Acme'), (81, 'Globex');
INSERT INTO conversion_tracking.campaigns
	   (account_id, campaign_id, name, conversion_goal)
VALUES (80, 1, 'Acme sale', 'Buy'), (81, 1, 'Globex sale', 'Buy');
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, sent_at)
VALUES (80, 1, 1, 'ada', '2026-03-01 00:00+00'),
	   (81, 1, 1, 'ada', '2026-03-01 00:00+00');
INSERT INTO conversion_tracking.events
	   (account_id, event_id, user_id, event_name, occurred_at)
VALUES (81, 1, 'ada', 'Buy', '2026-03-02 00:00+00');

-- The README's recipe: the application grants, and one policy per table.
CREATE ROLE acme_app;
GRANT USAGE ON SCHEMA conversion_tracking TO acme_app;
GRANT SELECT ON conversion_tracking.accounts TO acme_app;
GRANT INSERT, SELECT (event_id) ON conversion_tracking.events TO acme_app;
GRANT SELECT, INSERT, UPDATE ON conversion_tracking.user_emails TO acme_app;
GRANT SELECT, UPDATE (opened_at, clicked_at)
	ON conversion_tracking.messages TO acme_app;
GRANT SELECT ON conversion_tracking.conversions,
	conversion_tracking.campaigns, conversion_tracking.campaign_insights
	TO acme_app;
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['accounts', 'campaigns', 'messages', 'events',
							 'conversions', 'user_emails']
	LOOP
		EXECUTE format('CREATE POLICY acme_only ON conversion_tracking.%I'
					   ' TO acme_app USING (account_id = 80)'
					   ' WITH CHECK (account_id = 80)', t);
		EXECUTE format('ALTER TABLE conversion_tracking.%I'
					   ' ENABLE ROW LEVEL SECURITY', t);
	END LOOP;
END
$$;

SET ROLE acme_app;

-- Its own account: tracked, clicked and attributed.
SELECT conversion_tracking.record_click(80, 1, '2026-03-01 01:00+00')
	   IS NOT NULL AS clicked;
SELECT conversion_tracking.track(80, '{"id": "ada"}', 'Buy', '{}', '{}',
								 '2026-03-02 00:00+00') > 0 AS tracked;
SELECT account_id, message_id, conversion_type
  FROM conversion_tracking.conversions;
SELECT account_id, campaign_name, recipients, conversions
  FROM conversion_tracking.campaign_insights;

-- The other account does not exist as far as this role can tell.
SELECT conversion_tracking.track(81, '{"id": "ada"}', 'Buy');
INSERT INTO conversion_tracking.events
	   (account_id, user_id, event_name, occurred_at)
VALUES (81, 'ada', 'Buy', '2026-03-02 00:00+00');
SELECT conversion_tracking.record_click(81, 1, '2026-03-01 01:00+00');
SELECT conversion_tracking.tracked_link('https://globex.example/', 81, 1);

RESET ROLE;

-- Globex's rows are as they were.
SELECT account_id, message_id, conversion_type
  FROM conversion_tracking.conversions
 WHERE account_id IN (80, 81) ORDER BY account_id;
SELECT account_id, clicked_at FROM conversion_tracking.messages
 WHERE account_id IN (80, 81) ORDER BY account_id;

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['accounts', 'campaigns', 'messages', 'events',
							 'conversions', 'user_emails']
	LOOP
		EXECUTE format('DROP POLICY acme_only ON conversion_tracking.%I', t);
		EXECUTE format('ALTER TABLE conversion_tracking.%I'
					   ' DISABLE ROW LEVEL SECURITY', t);
	END LOOP;
END
$$;
DROP OWNED BY acme_app;
DROP ROLE acme_app;
