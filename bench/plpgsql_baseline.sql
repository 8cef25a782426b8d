-- plpgsql_baseline.sql: the attribution trigger a user would write in
-- PL/pgSQL, for the benchmark to compare the extension against
--
-- It follows the SPEC's rules 1 to 8 like the extension's C trigger, the
-- plain way: an AFTER INSERT ... FOR EACH ROW trigger with no WHEN
-- condition, which looks the account's goals up for every row.  run.sh
-- installs it in place of the C trigger for its runs:
--   ALTER TABLE conversion_tracking.events DISABLE TRIGGER attribute_event,
--       DISABLE TRIGGER attribute_queued_events;
--   CREATE TRIGGER attribute_event_plpgsql AFTER INSERT
--       ON conversion_tracking.events FOR EACH ROW
--       EXECUTE FUNCTION bench.attribute_event_plpgsql();
--
-- Where the SPEC is silent it follows the rules the README chose, so that
-- both must give the same conversions: a token is 32 hex digits with or
-- without the usual dashes, and the token of a hold-out row earns nothing
-- (nothing was sent to it); a revenue is a JSON number or a string holding
-- a plain decimal number; an event at an infinite time earns nothing.
--
-- The function pins no search_path, unlike the extension's own SQL
-- functions: a SET clause costs a configuration save and restore on every
-- call, which a user's trigger would not pay; every name is qualified
-- instead.

SET client_min_messages = warning;

CREATE SCHEMA IF NOT EXISTS bench;

CREATE OR REPLACE FUNCTION bench.attribute_event_plpgsql()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
	window_usecs double precision;
	window_start timestamptz;
	token_text text;
	token uuid;
	revenue jsonb;
	best record;
BEGIN
	-- Rule 1: only an event that names a goal of the account can convert.
	IF NOT EXISTS (SELECT FROM conversion_tracking.campaigns AS c
					WHERE c.account_id = NEW.account_id
					  AND c.conversion_goal = NEW.event_name)
		OR NOT isfinite(NEW.occurred_at) THEN
		RETURN NULL;
	END IF;

	-- Rule 2: the window as a plain duration, a day being 24 hours.
	-- XXX: extract() counts a year as 365.25 days where the extension
	-- counts 12 months of 30 days; no benchmark account has such a window.
	SELECT extract(epoch FROM a.conversion_window) INTO window_usecs
	  FROM conversion_tracking.accounts AS a
	 WHERE a.account_id = NEW.account_id;
	window_start := NEW.occurred_at - make_interval(secs => window_usecs);

	-- Rule 4: a token that does not read as one is no token.
	IF jsonb_typeof(NEW.extras -> 'vero_conv') = 'string' THEN
		token_text := NEW.extras ->> 'vero_conv';
		IF token_text ~ '^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{32})$' THEN
			token := token_text::uuid;
		END IF;
	END IF;

	-- Rules 3 to 7: the user's messages of goal campaigns in the window,
	-- the token's first (unless held out), then the seen ones, then the
	-- latest.
	SELECT m.message_id, m.campaign_id, m.sent_at, m.held_out, m.variant,
		   m.step,
		   CASE WHEN m.conversion_token = token AND NOT m.held_out
				THEN 'direct'
				WHEN NOT m.held_out
					 AND (m.opened_at <= NEW.occurred_at
						  OR m.clicked_at <= NEW.occurred_at)
				THEN 'view_through'
				ELSE 'indirect' END AS conversion_type
	  INTO best
	  FROM conversion_tracking.messages AS m
		   JOIN conversion_tracking.campaigns AS c
			 ON c.account_id = m.account_id AND c.campaign_id = m.campaign_id
	 WHERE m.account_id = NEW.account_id
	   AND m.user_id = NEW.user_id
	   AND m.sent_at >= window_start
	   AND m.sent_at <= NEW.occurred_at
	   AND c.conversion_goal = NEW.event_name
	 ORDER BY CASE WHEN m.conversion_token = token AND NOT m.held_out
				   THEN 0
				   WHEN NOT m.held_out
						AND (m.opened_at <= NEW.occurred_at
							 OR m.clicked_at <= NEW.occurred_at)
				   THEN 1
				   ELSE 2 END,
			  m.sent_at DESC, m.message_id DESC
	 LIMIT 1;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;

	-- Rule 8: one conversion, with its value.
	revenue := NEW.data -> 'revenue';
	INSERT INTO conversion_tracking.conversions
		(account_id, event_id, campaign_id, message_id, user_id, event_name,
		 conversion_type, converted_at, message_sent_at, held_out, variant,
		 step, value)
	VALUES (NEW.account_id, NEW.event_id, best.campaign_id, best.message_id,
			NEW.user_id, NEW.event_name, best.conversion_type,
			NEW.occurred_at, best.sent_at, best.held_out, best.variant,
			best.step,
			CASE WHEN jsonb_typeof(revenue) = 'number'
				 THEN (revenue #>> '{}')::numeric
				 WHEN jsonb_typeof(revenue) = 'string'
					  AND (revenue #>> '{}') ~ '^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$'
				 THEN (revenue #>> '{}')::numeric END);
	RETURN NULL;
END
$$;

COMMENT ON FUNCTION bench.attribute_event_plpgsql() IS
'Benchmark baseline: the attribution rules as a PL/pgSQL row trigger';
