-- insights: the insight views and the statistics behind them
--
-- Every expected figure below is computed by hand from the data this file
-- inserts; the comment above each query says how.
CREATE EXTENSION IF NOT EXISTS conversion_tracking;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

--
-- The statistics, on known values of the standard normal distribution.
--

-- Phi(0) = 0.5, Phi(1.959964) = 0.975, Phi(-1) = 0.158655.
SELECT round(conversion_tracking.normal_cdf(0)::numeric, 6) AS phi_0,
	   round(conversion_tracking.normal_cdf(1.959964)::numeric, 6)
	   AS phi_1_96,
	   round(conversion_tracking.normal_cdf(-1)::numeric, 6) AS phi_minus_1,
	   round((2 * (1 - conversion_tracking.normal_cdf(1.959964)))::numeric, 6)
	   AS two_sided_1_96;

-- Far in the tail, Phi(-10) = 7.6199e-24, where 1 - Phi(10) would be 0.
SELECT conversion_tracking.normal_cdf(-10) BETWEEN 7.6198e-24 AND 7.6199e-24
	   AS tail_kept,
	   conversion_tracking.normal_cdf(NULL) IS NULL AS strict;

-- 105/200 against 95/200: pooled p = 200/400 = 0.5, so the standard error
-- is sqrt(0.5 * 0.5 * (1/200 + 1/200)) = sqrt(0.0025) = 0.05, and
-- z = (0.525 - 0.475) / 0.05 = 1: p = 2 (1 - Phi(1)) = 0.317311, whichever
-- group comes first.
-- 30/50 against 20/50: pooled p = 0.5, standard error
-- sqrt(0.25 * 0.04) = 0.1, z = (0.6 - 0.4) / 0.1 = 2: p = 0.045500.
-- 20/50 against 20/50: z = 0, p = 1.
SELECT round(conversion_tracking.two_proportion_p_value(105, 200, 95, 200)
			 ::numeric, 6) AS z_1,
	   round(conversion_tracking.two_proportion_p_value(95, 200, 105, 200)
			 ::numeric, 6) AS z_minus_1,
	   round(conversion_tracking.two_proportion_p_value(30, 50, 20, 50)
			 ::numeric, 6) AS z_2,
	   round(conversion_tracking.two_proportion_p_value(20, 50, 20, 50)
			 ::numeric, 6) AS z_0;

-- Undefined, hence NULL: no successes at all and nothing but successes
-- (pooled variance zero), an empty group, a NULL argument.
SELECT conversion_tracking.two_proportion_p_value(0, 10, 0, 10)
	   AS no_successes,
	   conversion_tracking.two_proportion_p_value(10, 10, 5, 5)
	   AS all_successes,
	   conversion_tracking.two_proportion_p_value(0, 0, 3, 10)
	   AS first_group_empty,
	   conversion_tracking.two_proportion_p_value(3, 10, 0, 0)
	   AS second_group_empty,
	   conversion_tracking.two_proportion_p_value(NULL, 10, 3, 10)
	   AS null_argument;

-- Counts that cannot be are refused.
SELECT conversion_tracking.two_proportion_p_value(11, 10, 3, 10);
SELECT conversion_tracking.two_proportion_p_value(3, 10, -1, 10);
SELECT conversion_tracking.two_proportion_p_value(0, -1, 3, 10);

--
-- The data.  Account 100 counts days in UTC, account 101 in New York.
--
INSERT INTO conversion_tracking.accounts (account_id, name, time_zone)
VALUES (100, 'Insights', 'UTC'),
	   (101, 'Night owls', 'America/New_York');
INSERT INTO conversion_tracking.campaigns
	   (account_id, campaign_id, name, kind, conversion_goal)
VALUES (100, 10, 'A/B sale', 'broadcast', 'Purchase'),
	   (100, 20, 'Onboarding', 'journey', 'Signup'),
	   (100, 30, 'Upsell', 'broadcast', 'Upgrade'),
	   (100, 40, 'Newsletter', 'broadcast', NULL),
	   (100, 50, 'Draft', 'broadcast', 'Purchase'),
	   (101, 60, 'Late sale', 'broadcast', 'Purchase');

-- Campaign 10, sent 2024-01-01 00:00 UTC: variant A to a01..a50,
-- variant B to b01..b50, no variant to n01..n10, and a hold-out group of
-- h01..h50.
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, variant, held_out,
		sent_at)
SELECT 100, g.base + i, 10, g.prefix || lpad(i::text, 2, '0'), g.variant,
	   g.held_out, '2024-01-01 00:00+00'
  FROM (VALUES (1000, 'a', 'A', false, 50),
			   (2000, 'b', 'B', false, 50),
			   (3000, 'n', NULL, false, 10),
			   (4000, 'h', NULL, true, 50)) AS g (base, prefix, variant,
												 held_out, size),
	   generate_series(1, g.size) AS i;

-- a01..a10 click at 01:00 (a click is also an open), a11..a20 and
-- b21..b25 only open.
SELECT count(conversion_tracking.record_click(100, 1000 + i,
											  '2024-01-01 01:00+00'))
  FROM generate_series(1, 10) AS i;
SELECT count(conversion_tracking.record_open(100, m.message_id,
											 '2024-01-01 01:00+00'))
  FROM conversion_tracking.messages AS m
 WHERE m.account_id = 100
   AND m.message_id IN (SELECT 1000 + i FROM generate_series(11, 20) AS i
						UNION ALL
						SELECT 2000 + i FROM generate_series(21, 25) AS i);

-- Purchases on 2024-01-02 12:00: a01..a10 through their links (direct),
-- a11..a20 after an open (view-through), a21..a30 without either
-- (indirect), all worth 10.50; b01..b20 (indirect) worth 0.001 each;
-- h01..h20 (indirect, held out) worth 5 each.  a01 buys again on
-- 2024-01-03 12:00 for 19.99, with no token: view-through, since its
-- click of 2024-01-01 is also an open.
INSERT INTO conversion_tracking.events
	   (account_id, user_id, event_name, data, extras, occurred_at)
SELECT 100, m.user_id, 'Purchase',
	   jsonb_build_object('revenue',
						  CASE left(m.user_id, 1) WHEN 'a' THEN 10.50
												  WHEN 'b' THEN 0.001
												  ELSE 5 END),
	   CASE WHEN m.user_id <= 'a10'
			THEN jsonb_build_object('vero_conv', m.conversion_token::text)
			ELSE '{}' END,
	   '2024-01-02 12:00+00'
  FROM conversion_tracking.messages AS m
 WHERE m.account_id = 100
   AND m.campaign_id = 10
   AND (m.user_id BETWEEN 'a01' AND 'a30'
		OR m.user_id BETWEEN 'b01' AND 'b20'
		OR m.user_id BETWEEN 'h01' AND 'h20')
 ORDER BY m.message_id;
INSERT INTO conversion_tracking.events
	   (account_id, user_id, event_name, data, occurred_at)
VALUES (100, 'a01', 'Purchase', '{"revenue": 19.99}', '2024-01-03 12:00+00');

-- Campaign 20, a journey of three steps to j1..j4, each a day apart from
-- 2024-01-01 00:00: step 1 to all four, step 2 to j1..j3, step 3 to j1, j2.
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, step, sent_at)
VALUES (100, 5011, 20, 'j1', 1, '2024-01-01 00:00+00'),
	   (100, 5012, 20, 'j2', 1, '2024-01-01 00:00+00'),
	   (100, 5013, 20, 'j3', 1, '2024-01-01 00:00+00'),
	   (100, 5014, 20, 'j4', 1, '2024-01-01 00:00+00'),
	   (100, 5021, 20, 'j1', 2, '2024-01-02 00:00+00'),
	   (100, 5022, 20, 'j2', 2, '2024-01-02 00:00+00'),
	   (100, 5023, 20, 'j3', 2, '2024-01-02 00:00+00'),
	   (100, 5031, 20, 'j1', 3, '2024-01-03 00:00+00'),
	   (100, 5032, 20, 'j2', 3, '2024-01-03 00:00+00');

-- j1 opens step 1, j3 clicks step 2, j2 opens step 3.
SELECT conversion_tracking.record_open(100, 5011, '2024-01-01 02:00+00');
SELECT conversion_tracking.record_click(100, 5023, '2024-01-02 01:00+00');
SELECT conversion_tracking.record_open(100, 5032, '2024-01-03 01:00+00');

-- Signups: j1 after its open of step 1 (view-through, step 1), j3 through
-- the link of step 2 (direct, step 2), j2 after its open of step 3
-- (view-through, step 3), j1 again, having opened step 1 only
-- (view-through, step 1), j4 with nothing opened (indirect, step 1).
INSERT INTO conversion_tracking.events
	   (account_id, user_id, event_name, extras, occurred_at)
VALUES (100, 'j1', 'Signup', '{}', '2024-01-01 03:00+00'),
	   (100, 'j3', 'Signup',
		(SELECT jsonb_build_object('vero_conv', conversion_token::text)
		   FROM conversion_tracking.messages
		  WHERE account_id = 100 AND message_id = 5023),
		'2024-01-02 02:00+00'),
	   (100, 'j2', 'Signup', '{}', '2024-01-03 02:00+00'),
	   (100, 'j1', 'Signup', '{}', '2024-01-04 00:00+00'),
	   (100, 'j4', 'Signup', '{}', '2024-01-05 00:00+00');

-- Campaign 30 converts nobody: z1..z3 are sent it (z1 opens), z4 is held
-- out, and nobody upgrades.  Campaign 40 has no goal: a01 and a02, who
-- buy, get it the day before campaign 10, and it earns nothing.  Campaign
-- 50 sends nothing.
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, held_out, sent_at)
VALUES (100, 6001, 30, 'z1', false, '2024-01-01 00:00+00'),
	   (100, 6002, 30, 'z2', false, '2024-01-01 00:00+00'),
	   (100, 6003, 30, 'z3', false, '2024-01-01 00:00+00'),
	   (100, 6004, 30, 'z4', true, '2024-01-01 00:00+00'),
	   (100, 7001, 40, 'a01', false, '2023-12-31 00:00+00'),
	   (100, 7002, 40, 'a02', false, '2023-12-31 00:00+00');
SELECT conversion_tracking.record_open(100, 6001, '2024-01-01 05:00+00');
INSERT INTO conversion_tracking.events
	   (account_id, user_id, event_name, occurred_at)
VALUES (100, 'z1', 'Browse', '2024-01-02 00:00+00');

-- The conversions the trigger wrote, by campaign, group and type: the
-- figures the views below add up.
SELECT campaign_id, held_out, variant, step, conversion_type, count(*),
	   sum(value) AS value
  FROM conversion_tracking.conversions
 WHERE account_id = 100
 GROUP BY campaign_id, held_out, variant, step, conversion_type
 ORDER BY campaign_id, held_out, variant, step, conversion_type;

--
-- campaign_insights
--

-- Campaign 10: recipients a, b and n users, 50 + 50 + 10 = 110, hold-out
-- users never among them; opened a01..a20 and b21..b25 = 25; clicked
-- a01..a10 = 10.  Conversions of sent messages: 31 of variant A (a01 twice)
-- + 20 of B = 51, of which direct 10 (a01..a10), view-through 10
-- (a11..a20) + 1 (a01's second) = 11, indirect 10 (a21..a30) + 20 (B)
-- = 30.
-- Converted users 30 + 20 = 50; rate 50 / 110 = 0.454545.  Value
-- 30 * 10.50 + 19.99 + 20 * 0.001 = 335.010, the hold-out's 100 apart.
-- Hold-out: 50 users, 20 conversions by 20 users, rate 20 / 50 = 0.4.
-- Campaign 20: 4 recipients; opened j1, j2, j3 = 3; clicked j3 = 1; 5
-- conversions (direct 1, view-through 3, indirect 1) by 4 users, rate
-- 4 / 4 = 1; no hold-out group, so its rate is NULL.
-- Campaign 30: 3 recipients, 1 opened, 0 conversions, rate 0; 1 held out
-- with rate 0 / 1 = 0.
-- Campaign 40: no goal, 2 recipients, nothing converts: rate 0.
-- Campaign 50: nobody sent, so both rates are NULL.
SELECT campaign_id, campaign_name, kind, conversion_goal, recipients,
	   opened_users, clicked_users, conversions, direct_conversions,
	   view_through_conversions, indirect_conversions, converted_users,
	   round(conversion_rate::numeric, 6) AS conversion_rate, value
  FROM conversion_tracking.campaign_insights
 WHERE account_id = 100
 ORDER BY campaign_id;

-- The hold-out group beside the recipients.
SELECT campaign_id, recipients, converted_users,
	   round(conversion_rate::numeric, 6) AS conversion_rate, held_out_users,
	   held_out_conversions, held_out_converted_users,
	   round(held_out_conversion_rate::numeric, 6) AS held_out_conversion_rate
  FROM conversion_tracking.campaign_insights
 WHERE account_id = 100
 ORDER BY campaign_id;

--
-- campaign_variant_insights
--

-- Campaign 10, against the hold-out rate 20 / 50 = 0.4:
--   A: 30 / 50 = 0.6, uplift 0.2, relative 0.2 / 0.4 = 0.5; z = 2 as
--	  computed above: p = 0.045500.  Value 30 * 10.50 + 19.99 = 334.99.
--   B: 20 / 50 = 0.4, uplift 0, relative 0; z = 0: p = 1.
--   no variant: 0 / 10 = 0, uplift -0.4, relative -1; pooled p =
--	  20 / 60 = 1/3, standard error sqrt(2/9 * (1/10 + 1/50)) =
--	  sqrt(2/75), z = -0.4 / sqrt(2/75) = -sqrt(6) = -2.449490:
--	  p = 2 (1 - Phi(2.449490)) = 0.014306.
--   hold-out: 50 users, 20 converted, value 20 * 5 = 100; no uplift and
--	  no p-value against itself.
-- Campaign 20 has no hold-out group: no uplift, no p-value.
-- Campaign 30: the hold-out rate is 0 / 1, so the relative uplift is NULL,
-- and the pooled variance is 0 (no conversions at all): p-value NULL.
-- Campaign 40 has one group; campaign 50 has none.
SELECT campaign_id, variant, held_out, users, converted_users, conversions,
	   round(conversion_rate::numeric, 6) AS rate, value,
	   round(uplift::numeric, 6) AS uplift,
	   round(relative_uplift::numeric, 6) AS relative_uplift,
	   round(p_value::numeric, 6) AS p_value
  FROM conversion_tracking.campaign_variant_insights
 WHERE account_id = 100
 ORDER BY campaign_id, held_out, variant NULLS LAST;

--
-- campaign_message_insights
--

-- Campaign 10 is a broadcast: one row, step NULL, with the 110 sent
-- messages, 25 opened, 10 clicked and the 51 conversions of campaign
-- insights; the 50 hold-out rows and their 20 conversions are not there.
-- Campaign 20, step 1: sent 4, opened 1 (j1), conversions j1 twice
-- (view-through) and j4 (indirect); step 2: sent 3, opened and clicked 1
-- (j3), 1 direct conversion; step 3: sent 2, opened 1 (j2), 1
-- view-through.  Campaign 30: 3 sent, 1 opened, nothing else.  Campaign
-- 50 sent nothing: no row.
SELECT campaign_id, step, sent, opened, clicked, conversions,
	   direct_conversions, view_through_conversions, indirect_conversions
  FROM conversion_tracking.campaign_message_insights
 WHERE account_id = 100
 ORDER BY campaign_id, step;

--
-- campaign_daily_conversions
--

-- Account 100 counts in UTC.  Campaign 10: on 2024-01-02 the 50 first
-- purchases of sent messages (direct 10, view-through 10, indirect 30),
-- worth 30 * 10.50 + 20 * 0.001 = 315.020; on 2024-01-03 a01's second
-- (view-through), 19.99.  Campaign 20: one signup a day from 2024-01-01
-- to 2024-01-05, of the types given above.
SELECT campaign_id, day, conversions, direct_conversions,
	   view_through_conversions, indirect_conversions, value
  FROM conversion_tracking.campaign_daily_conversions
 WHERE account_id = 100
 ORDER BY campaign_id, day;

-- Account 101 counts in New York, across the start of summer time on
-- 2024-03-10 at 02:00 local.  Campaign 60, sent 2024-03-01 to t1..t3:
--   t1 buys at 2024-03-10 04:30 UTC = 03-09 23:30 EST (UTC-5): 2024-03-09.
--   t2 buys at 2024-03-10 05:30 UTC = 03-10 00:30 EST: 2024-03-10.
--   t3 buys at 2024-03-11 03:30 UTC = 03-10 23:30 EDT (UTC-4): 2024-03-10.
-- So 2024-03-09 has 1 conversion worth 1.25 and 2024-03-10 has 2 worth 2
-- (t3's revenue is no number, so it has no value).  In UTC the days would
-- be 03-10, 03-10 and 03-11.
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, sent_at)
VALUES (101, 8001, 60, 't1', '2024-03-01 00:00+00'),
	   (101, 8002, 60, 't2', '2024-03-01 00:00+00'),
	   (101, 8003, 60, 't3', '2024-03-01 00:00+00');
INSERT INTO conversion_tracking.events
	   (account_id, user_id, event_name, data, occurred_at)
VALUES (101, 't1', 'Purchase', '{"revenue": 1.25}', '2024-03-10 04:30+00'),
	   (101, 't2', 'Purchase', '{"revenue": "2"}', '2024-03-10 05:30+00'),
	   (101, 't3', 'Purchase', '{"revenue": "n/a"}', '2024-03-11 03:30+00');

-- The same days whatever the session's time zone.
SET TimeZone = 'UTC';
SELECT campaign_id, day, conversions, indirect_conversions, value
  FROM conversion_tracking.campaign_daily_conversions
 WHERE account_id = 101
 ORDER BY day;
SET TimeZone = 'Asia/Tokyo';
SELECT campaign_id, day, conversions, indirect_conversions, value
  FROM conversion_tracking.campaign_daily_conversions
 WHERE account_id = 101
 ORDER BY day;
SET TimeZone = 'UTC';

-- A zone whose name is also an abbreviation is the tz database's zone,
-- summer time included, whatever the session's timezone_abbreviations:
-- in zone CET (UTC+2 in summer), 2026-07-01 22:30 UTC is 07-02 00:30, and
-- 2026-01-01 22:30 UTC (UTC+1 in winter) is 01-01 23:30; zone EST is
-- UTC-5 all year, so 07-01 17:30.  Read as abbreviations, CET would be a
-- fixed UTC+1 (07-01 23:30), and Australia's EST UTC+10 (07-02 08:30).
INSERT INTO conversion_tracking.accounts (account_id, name, time_zone)
VALUES (103, 'Central Europe', 'CET');
INSERT INTO conversion_tracking.campaigns
	   (account_id, campaign_id, name, conversion_goal)
VALUES (103, 1, 'Summer sale', 'Purchase');
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, sent_at)
VALUES (103, 1, 1, 'c1', '2026-07-01 00:00+00');
INSERT INTO conversion_tracking.events
	   (account_id, user_id, event_name, occurred_at)
VALUES (103, 'c1', 'Purchase', '2026-07-01 22:30+00');
SELECT day, conversions FROM conversion_tracking.campaign_daily_conversions
 WHERE account_id = 103;
SELECT conversion_tracking.local_date('2026-07-01 22:30+00', 'CET') AS summer,
	   conversion_tracking.local_date('2026-01-01 22:30+00', 'CET') AS winter,
	   conversion_tracking.local_date('2026-07-01 22:30+00', 'EST') AS est;
SET timezone_abbreviations = 'Australia';
SELECT day, conversions FROM conversion_tracking.campaign_daily_conversions
 WHERE account_id = 103;
SELECT conversion_tracking.local_date('2026-07-01 22:30+00', 'CET') AS summer,
	   conversion_tracking.local_date('2026-01-01 22:30+00', 'CET') AS winter,
	   conversion_tracking.local_date('2026-07-01 22:30+00', 'EST') AS est;
RESET timezone_abbreviations;
SELECT conversion_tracking.local_date('infinity', 'UTC') AS end_of_time,
	   conversion_tracking.local_date('-infinity', 'UTC') AS start_of_time;
SELECT conversion_tracking.local_date(now(), 'Atlantis/Capital');

--
-- activity_log
--

-- a01: sent campaign 40 on 2023-12-31 and campaign 10 on 2024-01-01,
-- clicked (and so opened) campaign 10 at 01:00, bought through its link on
-- 01-02 (direct) and again on 01-03 (view-through).  h01: held out on
-- 2024-01-01, then bought (indirect, to the hold-out row).  j3: sent
-- steps 1 and 2, clicked step 2, converted directly.
SELECT user_id, occurred_at, kind, campaign_id, message_id, event_name,
	   conversion_type
  FROM conversion_tracking.activity_log
 WHERE account_id = 100
   AND user_id IN ('a01', 'h01', 'j3')
 ORDER BY user_id, occurred_at, kind;


--
-- The views run as the role that reads them, so row-level security on the
-- tables holds: a role whose policies show it account 100 alone sees
-- account 100's five campaigns and none of account 101's, in every view:
-- the 5, 8, 6 and 7 rows shown above, and an activity log of 175 messages
-- sent or held out, 29 first opens (a01..a20, b21..b25, j1, j2, j3, z1),
-- 11 first clicks (a01..a10, j3) and 76 conversions (71 of campaign 10,
-- 5 of campaign 20): 291 rows.
--
CREATE ROLE ct_insights_viewer;
GRANT USAGE ON SCHEMA conversion_tracking TO ct_insights_viewer;
GRANT SELECT ON conversion_tracking.accounts, conversion_tracking.campaigns,
	conversion_tracking.messages, conversion_tracking.events,
	conversion_tracking.conversions,
	conversion_tracking.campaign_insights,
	conversion_tracking.campaign_variant_insights,
	conversion_tracking.campaign_message_insights,
	conversion_tracking.campaign_daily_conversions,
	conversion_tracking.activity_log
	TO ct_insights_viewer;
CREATE POLICY one_account ON conversion_tracking.accounts
	TO ct_insights_viewer USING (account_id = 100);
CREATE POLICY one_account ON conversion_tracking.campaigns
	TO ct_insights_viewer USING (account_id = 100);
CREATE POLICY one_account ON conversion_tracking.messages
	TO ct_insights_viewer USING (account_id = 100);
CREATE POLICY one_account ON conversion_tracking.events
	TO ct_insights_viewer USING (account_id = 100);
CREATE POLICY one_account ON conversion_tracking.conversions
	TO ct_insights_viewer USING (account_id = 100);
ALTER TABLE conversion_tracking.accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE conversion_tracking.campaigns ENABLE ROW LEVEL SECURITY;
ALTER TABLE conversion_tracking.messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE conversion_tracking.events ENABLE ROW LEVEL SECURITY;
ALTER TABLE conversion_tracking.conversions ENABLE ROW LEVEL SECURITY;
SET ROLE ct_insights_viewer;
SELECT 'campaign_insights' AS view, array_agg(DISTINCT account_id) AS accounts,
	   count(*) AS rows
  FROM conversion_tracking.campaign_insights
UNION ALL
SELECT 'campaign_variant_insights', array_agg(DISTINCT account_id), count(*)
  FROM conversion_tracking.campaign_variant_insights
UNION ALL
SELECT 'campaign_message_insights', array_agg(DISTINCT account_id), count(*)
  FROM conversion_tracking.campaign_message_insights
UNION ALL
SELECT 'campaign_daily_conversions', array_agg(DISTINCT account_id), count(*)
  FROM conversion_tracking.campaign_daily_conversions
UNION ALL
SELECT 'activity_log', array_agg(DISTINCT account_id), count(*)
  FROM conversion_tracking.activity_log;
RESET ROLE;
ALTER TABLE conversion_tracking.accounts DISABLE ROW LEVEL SECURITY;
ALTER TABLE conversion_tracking.campaigns DISABLE ROW LEVEL SECURITY;
ALTER TABLE conversion_tracking.messages DISABLE ROW LEVEL SECURITY;
ALTER TABLE conversion_tracking.events DISABLE ROW LEVEL SECURITY;
ALTER TABLE conversion_tracking.conversions DISABLE ROW LEVEL SECURITY;
DROP POLICY one_account ON conversion_tracking.accounts;
DROP POLICY one_account ON conversion_tracking.campaigns;
DROP POLICY one_account ON conversion_tracking.messages;
DROP POLICY one_account ON conversion_tracking.events;
DROP POLICY one_account ON conversion_tracking.conversions;
DROP OWNED BY ct_insights_viewer;
DROP ROLE ct_insights_viewer;

--
-- Reading one campaign touches that campaign's rows alone: the filter
-- reaches the index scans of messages and conversions, under the
-- aggregates.  Campaign 20 holds 9 of the account's 175 messages and 5 of
-- its 76 conversions, so that the indexes on campaigns are the clear
-- choice; sequential and bitmap scans are off so that the plan does not
-- hang on how few rows the tables hold.  The plans are shown scan by scan
-- and sorted, so that the join order, which may change with the data the
-- other tests leave, does not matter: what matters is that every scan
-- reads by an index condition on the campaign (or, for the activity log,
-- on the user), never the whole table.
--
CREATE FUNCTION pg_temp.scans_of(query text)
RETURNS TABLE (scan text, condition text)
LANGUAGE plpgsql AS $$
DECLARE
	plan text[] := '{}';
	line text;
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
		plan := plan || btrim(line, ' ->');
	END LOOP;
	FOR i IN 1 .. cardinality(plan) LOOP
		CONTINUE WHEN plan[i] !~ '^(Seq|Index|Index Only|Bitmap Heap) Scan';
		scan := plan[i];
		condition := CASE WHEN plan[i + 1] ~ '^Index Cond: '
						  THEN plan[i + 1] END;
		RETURN NEXT;
	END LOOP;
END
$$;
ANALYZE conversion_tracking.campaigns, conversion_tracking.messages,
	conversion_tracking.conversions;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT v.view, s.*
  FROM unnest(ARRAY['campaign_insights', 'campaign_variant_insights',
					'campaign_message_insights',
					'campaign_daily_conversions']) AS v (view),
	   pg_temp.scans_of(format('SELECT * FROM conversion_tracking.%I'
							   ' WHERE account_id = 100 AND campaign_id = 20',
							   v.view)) AS s
UNION ALL
SELECT 'activity_log', s.*
  FROM pg_temp.scans_of('SELECT * FROM conversion_tracking.activity_log'
						' WHERE account_id = 100 AND user_id = ''j3''') AS s
 ORDER BY 1, 2;
RESET enable_seqscan;
RESET enable_bitmapscan;

RESET DateStyle;
RESET TimeZone;

--
-- A click recorded by a plain UPDATE, with no open recorded, is also an
-- open, as record_click() would have made it: 1 recipient, 1 opened, 1
-- clicked, and the activity log opens and clicks it at the same time.
--
INSERT INTO conversion_tracking.accounts (account_id, name) VALUES (102, 'Clicks');
INSERT INTO conversion_tracking.campaigns
	   (account_id, campaign_id, name, conversion_goal)
VALUES (102, 1, 'Click only', 'Buy');
INSERT INTO conversion_tracking.messages
	   (account_id, message_id, campaign_id, user_id, sent_at)
VALUES (102, 1, 1, 'k1', '2026-01-01 00:00+00');
UPDATE conversion_tracking.messages SET clicked_at = '2026-01-01 01:00+00'
 WHERE account_id = 102 AND message_id = 1;
SELECT recipients, opened_users, clicked_users
  FROM conversion_tracking.campaign_insights WHERE account_id = 102;
SELECT step, sent, opened, clicked
  FROM conversion_tracking.campaign_message_insights WHERE account_id = 102;
SELECT kind, occurred_at AT TIME ZONE 'UTC' AS occurred_at_utc
  FROM conversion_tracking.activity_log
 WHERE account_id = 102 ORDER BY occurred_at, kind;
