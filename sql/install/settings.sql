-- settings.sql: an account's conversion window and time zone, and a
-- campaign's conversion goal

CREATE FUNCTION conversion_tracking.is_valid_time_zone(name text)
RETURNS boolean
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'ct_is_valid_time_zone';

COMMENT ON FUNCTION conversion_tracking.is_valid_time_zone(text) IS
'True when PostgreSQL knows a time zone by this name';

CREATE FUNCTION conversion_tracking.set_conversion_window(
	account_id bigint,
	conversion_window interval)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF conversion_window IS NULL
		OR conversion_window <= interval '0'
		OR conversion_window > interval '365 days' THEN
		RAISE EXCEPTION 'conversion window must be more than 0 and at most 365 days'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('The window given was %L.', conversion_window),
				  HINT = 'Give an interval such as ''30 days'' or ''12 hours''.';
	END IF;

	-- A month has no fixed length; a window is an absolute duration.
	IF date_part('month', conversion_window) <> 0
		OR date_part('year', conversion_window) <> 0 THEN
		RAISE EXCEPTION 'conversion window must not be given in months or years'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('The window given was %L.', conversion_window),
				  HINT = 'Give it in days, hours, minutes or seconds, such as ''30 days''.';
	END IF;

	UPDATE conversion_tracking.accounts AS a
	   SET conversion_window = set_conversion_window.conversion_window
	 WHERE a.account_id = set_conversion_window.account_id;

	IF NOT FOUND THEN
		RAISE EXCEPTION 'account % does not exist', account_id
			USING ERRCODE = 'no_data_found';
	END IF;
END
$$;

COMMENT ON FUNCTION conversion_tracking.set_conversion_window(bigint, interval) IS
'Set how long after a message an event of the account can be its conversion';

CREATE FUNCTION conversion_tracking.set_time_zone(
	account_id bigint,
	time_zone text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF time_zone IS NULL
		OR NOT conversion_tracking.is_valid_time_zone(time_zone) THEN
		RAISE EXCEPTION 'time zone "%" not recognized', time_zone
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use a name from pg_timezone_names, such as ''Europe/Paris''.';
	END IF;

	UPDATE conversion_tracking.accounts AS a
	   SET time_zone = set_time_zone.time_zone
	 WHERE a.account_id = set_time_zone.account_id;

	IF NOT FOUND THEN
		RAISE EXCEPTION 'account % does not exist', account_id
			USING ERRCODE = 'no_data_found';
	END IF;
END
$$;

COMMENT ON FUNCTION conversion_tracking.set_time_zone(bigint, text) IS
'Set the time zone of an account''s daily insight buckets';

CREATE FUNCTION conversion_tracking.set_conversion_goal(
	account_id bigint,
	campaign_id bigint,
	conversion_goal text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF btrim(conversion_goal, E' \t\n\r\f') = '' THEN
		RAISE EXCEPTION 'conversion goal must not be empty'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give an event name, or NULL to remove the goal.';
	END IF;

	UPDATE conversion_tracking.campaigns AS c
	   SET conversion_goal = set_conversion_goal.conversion_goal
	 WHERE c.account_id = set_conversion_goal.account_id
	   AND c.campaign_id = set_conversion_goal.campaign_id;

	IF NOT FOUND THEN
		RAISE EXCEPTION 'campaign % of account % does not exist',
			campaign_id, account_id
			USING ERRCODE = 'no_data_found';
	END IF;
END
$$;

COMMENT ON FUNCTION conversion_tracking.set_conversion_goal(bigint, bigint, text) IS
'Set the event name that counts as the campaign''s conversion; NULL removes it';
