-- tracking.sql: the SQL twins of the tracking API: events, opens, clicks
-- and tracked links

CREATE FUNCTION conversion_tracking.track(
	account_id bigint,
	identity jsonb,
	event_name text,
	data jsonb DEFAULT '{}',
	extras jsonb DEFAULT '{}',
	occurred_at timestamptz DEFAULT now())
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	id_value jsonb := identity -> 'id';
	email_value jsonb := identity -> 'email';
	resolved_user text;
	user_email text;
	new_event_id bigint;
BEGIN
	-- The account must exist before anything is recorded for it.
	IF account_id IS NULL THEN
		RAISE EXCEPTION 'account id must not be NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF NOT EXISTS (SELECT FROM conversion_tracking.accounts AS a
					WHERE a.account_id = track.account_id) THEN
		RAISE EXCEPTION 'account % does not exist', account_id
			USING ERRCODE = 'foreign_key_violation',
				  HINT = 'Create it first with INSERT INTO conversion_tracking.accounts.';
	END IF;

	IF event_name IS NULL OR btrim(event_name, E' \t\n\r\f') = '' THEN
		RAISE EXCEPTION 'event name must not be empty'
			USING ERRCODE = CASE WHEN event_name IS NULL
								 THEN 'null_value_not_allowed'
								 ELSE 'invalid_parameter_value' END,
				  HINT = 'Name the event, such as ''Completed purchase''.';
	END IF;

	IF occurred_at IS NULL THEN
		RAISE EXCEPTION 'event time must not be NULL'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Leave occurred_at out to track the event at the current time.';
	END IF;

	IF identity IS NULL OR jsonb_typeof(identity) <> 'object' THEN
		RAISE EXCEPTION 'identity must be a JSON object'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass {"id": 42}, {"email": "ada@example.com"} or both.';
	END IF;

	-- An id may be a JSON number or a string: 42 and "42" are one user.
	IF id_value IS NOT NULL AND jsonb_typeof(id_value) <> 'null' THEN
		CASE jsonb_typeof(id_value)
			WHEN 'string' THEN
				resolved_user := id_value #>> '{}';
			WHEN 'number' THEN
				resolved_user := trim_scale((id_value #>> '{}')::numeric)::text;
			ELSE
				RAISE EXCEPTION 'identity "id" must be a string or a number'
					USING ERRCODE = 'invalid_parameter_value',
						  DETAIL = format('The id given was %s.', id_value);
		END CASE;
		IF resolved_user = '' THEN
			RAISE EXCEPTION 'identity "id" must not be empty'
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
	END IF;

	-- E-mail addresses compare without case and surrounding blanks.
	IF email_value IS NOT NULL AND jsonb_typeof(email_value) <> 'null' THEN
		IF jsonb_typeof(email_value) <> 'string' THEN
			RAISE EXCEPTION 'identity "email" must be a string'
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = format('The email given was %s.', email_value);
		END IF;
		user_email := lower(btrim(email_value #>> '{}'));
		IF user_email = '' THEN
			RAISE EXCEPTION 'identity "email" must not be empty'
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
	END IF;

	IF resolved_user IS NULL AND user_email IS NULL THEN
		RAISE EXCEPTION 'identity must have an "id" or an "email"'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass {"id": 42}, {"email": "ada@example.com"} or both.';
	END IF;

	-- An e-mail alone names the user last seen with it, or else a user
	-- whose id is the address.  It is no sighting of its own: it says
	-- nothing of whom the address belongs to, so it records nothing.
	IF resolved_user IS NULL THEN
		SELECT ue.user_id INTO resolved_user
		  FROM conversion_tracking.user_emails AS ue
		 WHERE ue.account_id = track.account_id
		   AND ue.email = user_email;
		resolved_user := coalesce(resolved_user, user_email);
	ELSIF user_email IS NOT NULL THEN
		INSERT INTO conversion_tracking.user_emails AS ue
			   (account_id, email, user_id, last_seen_at)
		VALUES (track.account_id, user_email, resolved_user,
				track.occurred_at)
		ON CONFLICT ON CONSTRAINT user_emails_pkey DO UPDATE
		   SET user_id = excluded.user_id,
			   last_seen_at = excluded.last_seen_at
		 WHERE ue.last_seen_at <= excluded.last_seen_at;
	END IF;

	INSERT INTO conversion_tracking.events AS e
		   (account_id, user_id, event_name, data, extras, occurred_at)
	VALUES (track.account_id, resolved_user, track.event_name,
			coalesce(track.data, '{}'), coalesce(track.extras, '{}'),
			track.occurred_at)
	RETURNING e.event_id INTO new_event_id;

	RETURN new_event_id;
END
$$;

COMMENT ON FUNCTION conversion_tracking.track(bigint, jsonb, text, jsonb, jsonb, timestamptz) IS
'Record an event of the user that the identity names, and attribute it; returns the event id';

CREATE FUNCTION conversion_tracking.record_interaction(
	account_id bigint,
	message_id bigint,
	happened_at timestamptz,
	is_click boolean)
RETURNS timestamptz
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	first_time timestamptz;
	is_held_out boolean;
	sent_time timestamptz;
	verb text := CASE WHEN is_click THEN 'clicked' ELSE 'opened' END;
BEGIN
	IF happened_at IS NULL THEN
		RAISE EXCEPTION 'time of the % must not be NULL',
			CASE WHEN is_click THEN 'click' ELSE 'open' END
			USING ERRCODE = 'null_value_not_allowed';
	END IF;

	-- A click is also an open; only earlier times move the first ones, and
	-- nothing is opened before it was sent.
	UPDATE conversion_tracking.messages AS m
	   SET opened_at = LEAST(m.opened_at, happened_at),
		   clicked_at = CASE WHEN is_click
							 THEN LEAST(m.clicked_at, happened_at)
							 ELSE m.clicked_at END
	 WHERE m.account_id = record_interaction.account_id
	   AND m.message_id = record_interaction.message_id
	   AND NOT m.held_out
	   AND m.sent_at <= happened_at
	   AND (m.opened_at IS NULL OR m.opened_at > happened_at
			OR (is_click AND (m.clicked_at IS NULL
							  OR m.clicked_at > happened_at)));

	SELECT CASE WHEN is_click THEN m.clicked_at ELSE m.opened_at END,
		   m.held_out, m.sent_at
	  INTO first_time, is_held_out, sent_time
	  FROM conversion_tracking.messages AS m
	 WHERE m.account_id = record_interaction.account_id
	   AND m.message_id = record_interaction.message_id;

	IF NOT FOUND THEN
		RAISE EXCEPTION 'message % of account % does not exist',
			message_id, account_id
			USING ERRCODE = 'no_data_found';
	ELSIF is_held_out THEN
		RAISE EXCEPTION 'message % of account % is a hold-out assignment',
			message_id, account_id
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('A held-out user was sent nothing, so nothing can be %s.',
								  verb);
	ELSIF happened_at < sent_time THEN
		RAISE EXCEPTION 'message % of account % cannot be % before it was sent',
			message_id, account_id, verb
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('It was sent at %s; the time given is %s.',
								  sent_time, happened_at);
	END IF;

	RETURN first_time;
END
$$;

COMMENT ON FUNCTION conversion_tracking.record_interaction(bigint, bigint, timestamptz, boolean) IS
'Record an open, or a click and the open it implies; returns the first time of that kind';

CREATE FUNCTION conversion_tracking.record_open(
	account_id bigint,
	message_id bigint,
	opened_at timestamptz DEFAULT now())
RETURNS timestamptz
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT conversion_tracking.record_interaction(account_id, message_id,
												  opened_at, false)
$$;

COMMENT ON FUNCTION conversion_tracking.record_open(bigint, bigint, timestamptz) IS
'Record an open of a message; returns the time of its first open';

CREATE FUNCTION conversion_tracking.record_click(
	account_id bigint,
	message_id bigint,
	clicked_at timestamptz DEFAULT now())
RETURNS timestamptz
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT conversion_tracking.record_interaction(account_id, message_id,
												  clicked_at, true)
$$;

COMMENT ON FUNCTION conversion_tracking.record_click(bigint, bigint, timestamptz) IS
'Record a click of a message, and an open if none came earlier; returns the time of its first click';

CREATE FUNCTION conversion_tracking.tracked_link(url text, token uuid)
RETURNS text
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'ct_tracked_link';

COMMENT ON FUNCTION conversion_tracking.tracked_link(text, uuid) IS
'Append vero_conv=<token> to a URL, keeping its query string and fragment';

CREATE FUNCTION conversion_tracking.tracked_link(
	url text,
	account_id bigint,
	message_id bigint)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	token uuid;
BEGIN
	SELECT m.conversion_token INTO token
	  FROM conversion_tracking.messages AS m
	 WHERE m.account_id = tracked_link.account_id
	   AND m.message_id = tracked_link.message_id;

	IF NOT FOUND THEN
		RAISE EXCEPTION 'message % of account % does not exist',
			message_id, account_id
			USING ERRCODE = 'no_data_found';
	END IF;

	RETURN conversion_tracking.tracked_link(url, token);
END
$$;

COMMENT ON FUNCTION conversion_tracking.tracked_link(text, bigint, bigint) IS
'Append the message''s token as vero_conv to a URL';
