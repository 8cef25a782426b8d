-- insights.sql: per-campaign views of sends, opens, clicks and conversions
--
-- Every view reads the conversions table as the attribution wrote it: the
-- held_out, variant and step of a conversion are those of the message that
-- earned it.  A conversion earned by a sent message counts for the
-- recipients; one earned by a hold-out row counts for the hold-out group.
-- Each view aggregates in a subquery grouped by account_id and campaign_id
-- (or partitioned by them), so that a filter on those two columns reaches
-- the index scans of messages and conversions.
--
-- The views run with the privileges of the role that reads them
-- (security_invoker), so that the row-level security policies of the
-- tables apply: a role that sees one account's rows sees that account's
-- insights alone.

CREATE FUNCTION conversion_tracking.local_date(
	ts timestamptz,
	time_zone text)
RETURNS date
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'ct_local_date';

COMMENT ON FUNCTION conversion_tracking.local_date(timestamptz, text) IS
'The date in the time zone at the given time, the zone read as accounts.time_zone is, never as an abbreviation';

CREATE FUNCTION conversion_tracking.normal_cdf(x double precision)
RETURNS double precision
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'ct_normal_cdf';

COMMENT ON FUNCTION conversion_tracking.normal_cdf(double precision) IS
'The standard normal distribution''s cumulative probability at x';

CREATE FUNCTION conversion_tracking.two_proportion_p_value(
	x1 bigint,
	n1 bigint,
	x2 bigint,
	n2 bigint)
RETURNS double precision
LANGUAGE C IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'ct_two_proportion_p_value';

COMMENT ON FUNCTION conversion_tracking.two_proportion_p_value(bigint, bigint, bigint, bigint) IS
'Two-sided p-value of the pooled z-test of x1 successes in n1 against x2 in n2; NULL when a group is empty or the pooled variance is zero';

CREATE VIEW conversion_tracking.campaign_insights
	WITH (security_invoker = true) AS
SELECT c.account_id,
	   c.campaign_id,
	   c.name AS campaign_name,
	   c.kind,
	   c.conversion_goal,
	   coalesce(m.recipients, 0) AS recipients,
	   coalesce(m.opened_users, 0) AS opened_users,
	   coalesce(m.clicked_users, 0) AS clicked_users,
	   coalesce(v.conversions, 0) AS conversions,
	   coalesce(v.direct_conversions, 0) AS direct_conversions,
	   coalesce(v.view_through_conversions, 0) AS view_through_conversions,
	   coalesce(v.indirect_conversions, 0) AS indirect_conversions,
	   coalesce(v.converted_users, 0) AS converted_users,
	   coalesce(v.converted_users, 0)::double precision
		   / NULLIF(m.recipients, 0) AS conversion_rate,
	   coalesce(v.value, 0) AS value,
	   coalesce(m.held_out_users, 0) AS held_out_users,
	   coalesce(v.held_out_conversions, 0) AS held_out_conversions,
	   coalesce(v.held_out_converted_users, 0) AS held_out_converted_users,
	   coalesce(v.held_out_converted_users, 0)::double precision
		   / NULLIF(m.held_out_users, 0) AS held_out_conversion_rate
  FROM conversion_tracking.campaigns AS c
  LEFT JOIN (
	SELECT ms.account_id,
		   ms.campaign_id,
		   count(DISTINCT ms.user_id) FILTER (WHERE NOT ms.held_out)
			   AS recipients,
		   count(DISTINCT ms.user_id)
			   FILTER (WHERE NOT ms.held_out
							 AND least(ms.opened_at, ms.clicked_at) IS NOT NULL)
			   AS opened_users,
		   count(DISTINCT ms.user_id)
			   FILTER (WHERE NOT ms.held_out AND ms.clicked_at IS NOT NULL)
			   AS clicked_users,
		   count(DISTINCT ms.user_id) FILTER (WHERE ms.held_out)
			   AS held_out_users
	  FROM conversion_tracking.messages AS ms
	 GROUP BY ms.account_id, ms.campaign_id
  ) AS m ON m.account_id = c.account_id AND m.campaign_id = c.campaign_id
  LEFT JOIN (
	SELECT cv.account_id,
		   cv.campaign_id,
		   count(*) FILTER (WHERE NOT cv.held_out) AS conversions,
		   count(*) FILTER (WHERE NOT cv.held_out
								AND cv.conversion_type = 'direct')
			   AS direct_conversions,
		   count(*) FILTER (WHERE NOT cv.held_out
								AND cv.conversion_type = 'view_through')
			   AS view_through_conversions,
		   count(*) FILTER (WHERE NOT cv.held_out
								AND cv.conversion_type = 'indirect')
			   AS indirect_conversions,
		   count(DISTINCT cv.user_id) FILTER (WHERE NOT cv.held_out)
			   AS converted_users,
		   sum(cv.value) FILTER (WHERE NOT cv.held_out) AS value,
		   count(*) FILTER (WHERE cv.held_out) AS held_out_conversions,
		   count(DISTINCT cv.user_id) FILTER (WHERE cv.held_out)
			   AS held_out_converted_users
	  FROM conversion_tracking.conversions AS cv
	 GROUP BY cv.account_id, cv.campaign_id
  ) AS v ON v.account_id = c.account_id AND v.campaign_id = c.campaign_id;

COMMENT ON VIEW conversion_tracking.campaign_insights IS
'One row per campaign: recipients, opens, clicks and conversions, beside its hold-out group';
COMMENT ON COLUMN conversion_tracking.campaign_insights.recipients IS
'Distinct users sent at least one message of the campaign; hold-out rows never count';
COMMENT ON COLUMN conversion_tracking.campaign_insights.opened_users IS
'Distinct recipients who opened at least one message of the campaign';
COMMENT ON COLUMN conversion_tracking.campaign_insights.clicked_users IS
'Distinct recipients who clicked at least one message of the campaign';
COMMENT ON COLUMN conversion_tracking.campaign_insights.conversions IS
'Conversions earned by the campaign''s sent messages, every one counted (a user may convert twice)';
COMMENT ON COLUMN conversion_tracking.campaign_insights.converted_users IS
'Distinct recipients with at least one conversion earned by a sent message';
COMMENT ON COLUMN conversion_tracking.campaign_insights.conversion_rate IS
'converted_users / recipients, from 0 to 1; NULL when there are no recipients';
COMMENT ON COLUMN conversion_tracking.campaign_insights.value IS
'Sum of the value of the conversions counted in conversions; 0 when none has a value';
COMMENT ON COLUMN conversion_tracking.campaign_insights.held_out_users IS
'Distinct users with a hold-out assignment in the campaign';
COMMENT ON COLUMN conversion_tracking.campaign_insights.held_out_conversions IS
'Conversions earned by the campaign''s hold-out rows (always indirect)';
COMMENT ON COLUMN conversion_tracking.campaign_insights.held_out_converted_users IS
'Distinct held-out users with at least one conversion earned by a hold-out row';
COMMENT ON COLUMN conversion_tracking.campaign_insights.held_out_conversion_rate IS
'held_out_converted_users / held_out_users; NULL when there is no hold-out group';

CREATE VIEW conversion_tracking.campaign_variant_insights
	WITH (security_invoker = true) AS
SELECT g.account_id,
	   g.campaign_id,
	   g.variant,
	   g.held_out,
	   g.users,
	   g.converted_users,
	   g.conversions,
	   g.converted_users::double precision / NULLIF(g.users, 0)
		   AS conversion_rate,
	   g.value,
	   CASE WHEN NOT g.held_out THEN
		   g.converted_users::double precision / NULLIF(g.users, 0)
		   - g.held_out_converted_users::double precision
		   / NULLIF(g.held_out_users, 0)
	   END AS uplift,
	   CASE WHEN NOT g.held_out THEN
		   (g.converted_users::double precision / NULLIF(g.users, 0)
			- g.held_out_converted_users::double precision
			/ NULLIF(g.held_out_users, 0))
		   / NULLIF(g.held_out_converted_users::double precision
					/ NULLIF(g.held_out_users, 0), 0)
	   END AS relative_uplift,
	   -- A group can only count more converted users than users when
	   -- conversions rows disagree with their messages; show no p-value
	   -- then rather than fail the whole view.
	   CASE WHEN NOT g.held_out
			 AND g.converted_users <= g.users
			 AND g.held_out_converted_users <= g.held_out_users THEN
		   conversion_tracking.two_proportion_p_value(
			   g.converted_users, g.users,
			   g.held_out_converted_users, g.held_out_users)
	   END AS p_value
  FROM (
	SELECT r.account_id,
		   r.campaign_id,
		   r.variant,
		   r.held_out,
		   r.users,
		   r.converted_users,
		   r.conversions,
		   r.value,
		   max(r.users) FILTER (WHERE r.held_out) OVER campaign
			   AS held_out_users,
		   max(r.converted_users) FILTER (WHERE r.held_out) OVER campaign
			   AS held_out_converted_users
	  FROM (
		SELECT u.account_id,
			   u.campaign_id,
			   u.variant,
			   u.held_out,
			   count(DISTINCT u.user_id) FILTER (WHERE NOT u.is_conversion)
				   AS users,
			   count(DISTINCT u.user_id) FILTER (WHERE u.is_conversion)
				   AS converted_users,
			   count(*) FILTER (WHERE u.is_conversion) AS conversions,
			   coalesce(sum(u.value), 0) AS value
		  FROM (
			-- Hold-out rows form one group whatever their variant.
			SELECT ms.account_id,
				   ms.campaign_id,
				   CASE WHEN NOT ms.held_out THEN ms.variant END AS variant,
				   ms.held_out,
				   ms.user_id,
				   false AS is_conversion,
				   NULL::numeric AS value
			  FROM conversion_tracking.messages AS ms
			UNION ALL
			SELECT cv.account_id,
				   cv.campaign_id,
				   CASE WHEN NOT cv.held_out THEN cv.variant END,
				   cv.held_out,
				   cv.user_id,
				   true,
				   cv.value
			  FROM conversion_tracking.conversions AS cv
		  ) AS u
		 GROUP BY u.account_id, u.campaign_id, u.variant, u.held_out
	  ) AS r
	WINDOW campaign AS (PARTITION BY r.account_id, r.campaign_id)
  ) AS g;

COMMENT ON VIEW conversion_tracking.campaign_variant_insights IS
'One row per campaign and A/B variant, and one for the hold-out group, with the uplift over the hold-out group and its p-value';
COMMENT ON COLUMN conversion_tracking.campaign_variant_insights.variant IS
'The variant of the messages; NULL for messages without one and on the hold-out row';
COMMENT ON COLUMN conversion_tracking.campaign_variant_insights.held_out IS
'True on the row of the hold-out group';
COMMENT ON COLUMN conversion_tracking.campaign_variant_insights.users IS
'Distinct users sent a message of the variant, or assigned to the hold-out group';
COMMENT ON COLUMN conversion_tracking.campaign_variant_insights.converted_users IS
'Distinct users with a conversion earned by a message of the group';
COMMENT ON COLUMN conversion_tracking.campaign_variant_insights.conversions IS
'Conversions earned by the messages of the group';
COMMENT ON COLUMN conversion_tracking.campaign_variant_insights.conversion_rate IS
'converted_users / users, from 0 to 1';
COMMENT ON COLUMN conversion_tracking.campaign_variant_insights.uplift IS
'conversion_rate minus the hold-out group''s; NULL without a hold-out group and on its row';
COMMENT ON COLUMN conversion_tracking.campaign_variant_insights.relative_uplift IS
'uplift / the hold-out group''s conversion rate; NULL when that rate is 0 or undefined';
COMMENT ON COLUMN conversion_tracking.campaign_variant_insights.p_value IS
'Two-sided p-value of the pooled two-proportion z-test of the group against the hold-out group; NULL when undefined and on the hold-out row';

CREATE VIEW conversion_tracking.campaign_message_insights
	WITH (security_invoker = true) AS
SELECT u.account_id,
	   u.campaign_id,
	   u.step,
	   count(*) FILTER (WHERE u.conversion_type IS NULL) AS sent,
	   count(*) FILTER (WHERE u.opened) AS opened,
	   count(*) FILTER (WHERE u.clicked) AS clicked,
	   count(u.conversion_type) AS conversions,
	   count(*) FILTER (WHERE u.conversion_type = 'direct')
		   AS direct_conversions,
	   count(*) FILTER (WHERE u.conversion_type = 'view_through')
		   AS view_through_conversions,
	   count(*) FILTER (WHERE u.conversion_type = 'indirect')
		   AS indirect_conversions
  FROM (
	SELECT ms.account_id,
		   ms.campaign_id,
		   ms.step,
		   least(ms.opened_at, ms.clicked_at) IS NOT NULL AS opened,
		   ms.clicked_at IS NOT NULL AS clicked,
		   NULL::text AS conversion_type
	  FROM conversion_tracking.messages AS ms
	 WHERE NOT ms.held_out
	UNION ALL
	SELECT cv.account_id,
		   cv.campaign_id,
		   cv.step,
		   false,
		   false,
		   cv.conversion_type
	  FROM conversion_tracking.conversions AS cv
	 WHERE NOT cv.held_out
  ) AS u
 GROUP BY u.account_id, u.campaign_id, u.step;

COMMENT ON VIEW conversion_tracking.campaign_message_insights IS
'One row per step of a campaign (a broadcast has one, step NULL): messages sent, opened, clicked, and the conversions they earned';
COMMENT ON COLUMN conversion_tracking.campaign_message_insights.sent IS
'Messages sent at this step; hold-out rows never count';
COMMENT ON COLUMN conversion_tracking.campaign_message_insights.opened IS
'Messages of this step opened at least once';
COMMENT ON COLUMN conversion_tracking.campaign_message_insights.clicked IS
'Messages of this step clicked at least once';
COMMENT ON COLUMN conversion_tracking.campaign_message_insights.conversions IS
'Conversions earned by the messages of this step';

CREATE VIEW conversion_tracking.campaign_daily_conversions
	WITH (security_invoker = true) AS
SELECT cv.account_id,
	   cv.campaign_id,
	   conversion_tracking.local_date(cv.converted_at, a.time_zone) AS day,
	   count(*) AS conversions,
	   count(*) FILTER (WHERE cv.conversion_type = 'direct')
		   AS direct_conversions,
	   count(*) FILTER (WHERE cv.conversion_type = 'view_through')
		   AS view_through_conversions,
	   count(*) FILTER (WHERE cv.conversion_type = 'indirect')
		   AS indirect_conversions,
	   coalesce(sum(cv.value), 0) AS value
  FROM conversion_tracking.conversions AS cv
  JOIN conversion_tracking.accounts AS a ON a.account_id = cv.account_id
 WHERE NOT cv.held_out
 GROUP BY cv.account_id, cv.campaign_id,
		  conversion_tracking.local_date(cv.converted_at, a.time_zone);

COMMENT ON VIEW conversion_tracking.campaign_daily_conversions IS
'One row per campaign and day with conversions earned by its sent messages, days in the account''s time zone';
COMMENT ON COLUMN conversion_tracking.campaign_daily_conversions.day IS
'The date of converted_at in the account''s time_zone, whatever the session''s TimeZone';
COMMENT ON COLUMN conversion_tracking.campaign_daily_conversions.value IS
'Sum of the value of the day''s conversions; 0 when none has a value';

CREATE VIEW conversion_tracking.activity_log
	WITH (security_invoker = true) AS
SELECT ms.account_id,
	   ms.user_id,
	   t.occurred_at,
	   t.kind,
	   ms.campaign_id,
	   ms.message_id,
	   NULL::text AS event_name,
	   NULL::text AS conversion_type
  FROM conversion_tracking.messages AS ms
 CROSS JOIN LATERAL (
	VALUES (ms.sent_at,
			CASE WHEN ms.held_out THEN 'held_out' ELSE 'sent' END),
		   (least(ms.opened_at, ms.clicked_at), 'opened'),
		   (ms.clicked_at, 'clicked')
 ) AS t (occurred_at, kind)
 WHERE t.occurred_at IS NOT NULL
UNION ALL
SELECT ev.account_id,
	   ev.user_id,
	   cv.converted_at,
	   'converted',
	   cv.campaign_id,
	   cv.message_id,
	   cv.event_name,
	   cv.conversion_type
  FROM conversion_tracking.events AS ev
  JOIN conversion_tracking.conversions AS cv
	ON cv.account_id = ev.account_id AND cv.event_id = ev.event_id;

COMMENT ON VIEW conversion_tracking.activity_log IS
'One row per thing that happened to a user: a message sent, a hold-out assignment, a first open, a first click, a conversion';
COMMENT ON COLUMN conversion_tracking.activity_log.kind IS
'sent, held_out (assigned to the hold-out group, sent nothing), opened (first open), clicked (first click) or converted';
COMMENT ON COLUMN conversion_tracking.activity_log.event_name IS
'For a conversion, the name of the event; else NULL';
COMMENT ON COLUMN conversion_tracking.activity_log.conversion_type IS
'For a conversion, direct, view_through or indirect; else NULL';
