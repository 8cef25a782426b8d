-- batch_attribution.sql: attribute the stored events after the fact with
-- one SQL query, as an analytics team would without the extension
--
-- It applies the SPEC's rules 1 to 8 to every event in
-- conversion_tracking.events and writes the conversions to
-- bench.batch_conversions, which run.sh then compares with the
-- extension's.  The window is taken as a plain duration (a day is 24
-- hours), and the SPEC is read as in plpgsql_baseline.sql, with the
-- README's choices where it is silent.

\set ON_ERROR_STOP 1

TRUNCATE bench.batch_conversions;

INSERT INTO bench.batch_conversions
	(account_id, event_id, campaign_id, message_id, user_id, event_name,
	 conversion_type, converted_at, message_sent_at, held_out, variant, step,
	 value)
SELECT DISTINCT ON (e.account_id, e.event_id)
	   e.account_id, e.event_id, m.campaign_id, m.message_id, e.user_id,
	   e.event_name, k.conversion_type, e.occurred_at, m.sent_at, m.held_out,
	   m.variant, m.step,
	   CASE WHEN jsonb_typeof(e.data -> 'revenue') = 'number'
			THEN (e.data ->> 'revenue')::numeric
			WHEN jsonb_typeof(e.data -> 'revenue') = 'string'
				 AND (e.data ->> 'revenue') ~ '^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$'
			THEN (e.data ->> 'revenue')::numeric END
  FROM conversion_tracking.events AS e
	   JOIN conversion_tracking.accounts AS a
		 ON a.account_id = e.account_id
	   -- Rule 1: the campaigns whose goal the event names.
	   JOIN conversion_tracking.campaigns AS c
		 ON c.account_id = e.account_id
		AND c.conversion_goal = e.event_name
	   -- Rules 2 and 3: the user's messages of those campaigns in the
	   -- window.
	   JOIN conversion_tracking.messages AS m
		 ON m.account_id = c.account_id
		AND m.campaign_id = c.campaign_id
		AND m.user_id = e.user_id
		AND m.sent_at <= e.occurred_at
		AND m.sent_at >= e.occurred_at
			- make_interval(secs => extract(epoch FROM a.conversion_window))
	   -- Rule 4: the token, when the extras carry one that reads as one.
	   CROSS JOIN LATERAL (
		   SELECT CASE
					  WHEN jsonb_typeof(e.extras -> 'vero_conv') = 'string'
						   AND (e.extras ->> 'vero_conv') ~ '^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{32})$'
					  THEN (e.extras ->> 'vero_conv')::uuid END AS token
	   ) AS t
	   -- Rules 4 to 6: what each message would earn, best first.
	   CROSS JOIN LATERAL (
		   SELECT CASE WHEN m.conversion_token = t.token AND NOT m.held_out
					   THEN 0
					   WHEN NOT m.held_out
							AND (m.opened_at <= e.occurred_at
								 OR m.clicked_at <= e.occurred_at)
					   THEN 1
					   ELSE 2 END AS rank
	   ) AS r
	   CROSS JOIN LATERAL (
		   SELECT (ARRAY['direct', 'view_through', 'indirect'])[r.rank + 1]
				  AS conversion_type
	   ) AS k
 WHERE isfinite(e.occurred_at)
 -- Rules 7 and 8: one conversion per event, the latest message on a tie.
 ORDER BY e.account_id, e.event_id, r.rank, m.sent_at DESC, m.message_id DESC;
