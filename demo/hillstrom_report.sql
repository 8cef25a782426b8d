-- hillstrom_report.sql: print what conversion_tracking's insight views say
-- about the Hillstrom e-mail experiment that hillstrom_load.sql loaded.
--
--   psql -X -f demo/hillstrom_report.sql
--
-- It reads the latest load (the account named MineThatData with the
-- highest id) and prints the campaign's row of campaign_insights and its
-- rows of campaign_variant_insights.  Rates are shown in per cent, uplift
-- in percentage points, and values in dollars; nothing else is computed
-- here.

\set ON_ERROR_STOP on
\set QUIET on
\pset footer off
\pset null '-'

SELECT c.account_id AS report_account_id,
	   c.campaign_id AS report_campaign_id,
	   format('== %s: a %s, conversion goal ''%s'', window %s',
			  c.name, c.kind, c.conversion_goal, a.conversion_window)
		   AS report_title
  FROM conversion_tracking.campaigns AS c
  JOIN conversion_tracking.accounts AS a ON a.account_id = c.account_id
 WHERE a.name = 'MineThatData'
   AND c.name = 'Hillstrom e-mail experiment'
 ORDER BY c.account_id DESC, c.campaign_id DESC
 LIMIT 1 \gset

\echo
\echo :report_title
\echo
\echo '-- campaign_insights: recipients are the two e-mailed groups;'
\echo '-- the hold-out group is shown beside them'
\x on
SELECT i.recipients,
	   i.opened_users,
	   i.clicked_users,
	   i.conversions,
	   format('%s direct, %s view-through, %s indirect',
			  i.direct_conversions, i.view_through_conversions,
			  i.indirect_conversions) AS conversions_by_type,
	   i.converted_users,
	   to_char(100 * i.conversion_rate, 'FM990.000') || ' %'
		   AS conversion_rate,
	   '$' || to_char(i.value, 'FM999,999,990.00') AS value,
	   i.held_out_users,
	   i.held_out_conversions,
	   i.held_out_converted_users,
	   to_char(100 * i.held_out_conversion_rate, 'FM990.000') || ' %'
		   AS held_out_conversion_rate
  FROM conversion_tracking.campaign_insights AS i
 WHERE i.account_id = :report_account_id
   AND i.campaign_id = :report_campaign_id;
\x off

\echo '-- campaign_variant_insights: each e-mail against the hold-out group'
\echo '-- (uplift in percentage points; two-sided p-value of a'
\echo '-- two-proportion z-test)'
SELECT CASE WHEN v.held_out THEN 'No E-Mail (hold-out)'
			ELSE v.variant END AS "group",
	   v.users,
	   v.converted_users AS converted,
	   v.conversions,
	   round((100 * v.conversion_rate)::numeric, 3) AS "conv. rate %",
	   round((100 * v.uplift)::numeric, 3) AS "uplift pp",
	   round((100 * v.relative_uplift)::numeric, 1) AS "rel. uplift %",
	   to_char(v.p_value, '9.99EEEE') AS "p-value",
	   v.value AS "revenue $",
	   round(v.value / NULLIF(v.users, 0), 3) AS "revenue/user $"
  FROM conversion_tracking.campaign_variant_insights AS v
 WHERE v.account_id = :report_account_id
   AND v.campaign_id = :report_campaign_id
 ORDER BY v.held_out, v.variant;
