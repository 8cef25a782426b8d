-- attribution.sql: the trigger that attributes each inserted event, the
-- cache invalidation that keeps it current, and re-attribution

CREATE FUNCTION conversion_tracking.is_conversion_goal(
	account_id bigint,
	event_name text)
RETURNS boolean
LANGUAGE C VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'ct_is_conversion_goal';

COMMENT ON FUNCTION conversion_tracking.is_conversion_goal(bigint, text) IS
'True when the event name is the conversion goal of a campaign of the account';

CREATE FUNCTION conversion_tracking.attribute_event_trigger()
RETURNS trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'ct_attribute_event_trigger';

COMMENT ON FUNCTION conversion_tracking.attribute_event_trigger() IS
'Trigger on events: queue each new goal event, and attribute the queue at the end of the statement';

-- The WHEN condition keeps every other event out of the trigger queue.  The
-- row trigger only queues goal events; the statement trigger, which fires
-- after it, attributes them together, in the order of the messages index.
CREATE TRIGGER attribute_event
	AFTER INSERT ON conversion_tracking.events
	FOR EACH ROW
	WHEN (conversion_tracking.is_conversion_goal(NEW.account_id,
												 NEW.event_name))
	EXECUTE FUNCTION conversion_tracking.attribute_event_trigger();

CREATE TRIGGER attribute_queued_events
	AFTER INSERT ON conversion_tracking.events
	FOR EACH STATEMENT
	EXECUTE FUNCTION conversion_tracking.attribute_event_trigger();

CREATE FUNCTION conversion_tracking.invalidate_goals()
RETURNS trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'ct_invalidate_goals';

COMMENT ON FUNCTION conversion_tracking.invalidate_goals() IS
'Trigger on accounts and campaigns: make every session read goals and windows again';

CREATE TRIGGER invalidate_goals
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON conversion_tracking.accounts
	FOR EACH STATEMENT
	EXECUTE FUNCTION conversion_tracking.invalidate_goals();

CREATE TRIGGER invalidate_goals
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON conversion_tracking.campaigns
	FOR EACH STATEMENT
	EXECUTE FUNCTION conversion_tracking.invalidate_goals();

-- Caches must hear of changes made as a replica too (logical replication,
-- session_replication_role = replica).
ALTER TABLE conversion_tracking.accounts
	ENABLE ALWAYS TRIGGER invalidate_goals;
ALTER TABLE conversion_tracking.campaigns
	ENABLE ALWAYS TRIGGER invalidate_goals;

CREATE FUNCTION conversion_tracking.forget_conversions()
RETURNS trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'ct_forget_conversions';

COMMENT ON FUNCTION conversion_tracking.forget_conversions() IS
'Trigger on events and messages: delete the conversions of deleted or truncated rows';

CREATE TRIGGER forget_conversions
	AFTER DELETE ON conversion_tracking.events
	REFERENCING OLD TABLE AS deleted_rows
	FOR EACH STATEMENT
	EXECUTE FUNCTION conversion_tracking.forget_conversions();

CREATE TRIGGER forget_conversions_on_truncate
	AFTER TRUNCATE ON conversion_tracking.events
	FOR EACH STATEMENT
	EXECUTE FUNCTION conversion_tracking.forget_conversions();

-- XXX: rule 9 would attribute the events of a deleted message again; until
-- late data is handled, their conversions go with the message.
CREATE TRIGGER forget_conversions
	AFTER DELETE ON conversion_tracking.messages
	REFERENCING OLD TABLE AS deleted_rows
	FOR EACH STATEMENT
	EXECUTE FUNCTION conversion_tracking.forget_conversions();

CREATE TRIGGER forget_conversions_on_truncate
	AFTER TRUNCATE ON conversion_tracking.messages
	FOR EACH STATEMENT
	EXECUTE FUNCTION conversion_tracking.forget_conversions();

CREATE FUNCTION conversion_tracking.attribute_event(
	account_id bigint,
	event_id bigint)
RETURNS text
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'ct_attribute_event';

COMMENT ON FUNCTION conversion_tracking.attribute_event(bigint, bigint) IS
'Attribute a stored event again from the current data and settings; returns its conversion type';

CREATE FUNCTION conversion_tracking.reattribute(
	account_id bigint,
	occurred_from timestamptz DEFAULT '-infinity',
	occurred_to timestamptz DEFAULT 'infinity')
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	converted bigint := 0;
	event record;
BEGIN
	IF NOT EXISTS (SELECT FROM conversion_tracking.accounts AS a
					WHERE a.account_id = reattribute.account_id) THEN
		RAISE EXCEPTION 'account % does not exist', account_id
			USING ERRCODE = 'no_data_found';
	END IF;
	IF occurred_from IS NULL OR occurred_to IS NULL THEN
		RAISE EXCEPTION 'time range must not have a NULL bound'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Leave a bound out, or give ''-infinity'' or ''infinity''.';
	END IF;

	FOR event IN
		SELECT e.event_id
		  FROM conversion_tracking.events AS e
		 WHERE e.account_id = reattribute.account_id
		   AND e.occurred_at >= occurred_from
		   AND e.occurred_at < occurred_to
		 ORDER BY e.occurred_at, e.event_id
	LOOP
		IF conversion_tracking.attribute_event(account_id, event.event_id)
			IS NOT NULL THEN
			converted := converted + 1;
		END IF;
	END LOOP;

	RETURN converted;
END
$$;

COMMENT ON FUNCTION conversion_tracking.reattribute(bigint, timestamptz, timestamptz) IS
'Attribute again the account''s events that occurred in [from, to); returns how many converted';

-- Both write conversions as the tables' owner: only roles granted them may.
REVOKE EXECUTE ON FUNCTION
	conversion_tracking.attribute_event(bigint, bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION
	conversion_tracking.reattribute(bigint, timestamptz, timestamptz)
	FROM PUBLIC;
