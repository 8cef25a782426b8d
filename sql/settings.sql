-- settings: conversion windows, time zones and goals, and their limits
CREATE EXTENSION IF NOT EXISTS conversion_tracking;

INSERT INTO conversion_tracking.accounts (account_id, name) VALUES (50, 'Settings');
INSERT INTO conversion_tracking.campaigns (account_id, campaign_id, name)
VALUES (50, 1, 'Sale');

-- Windows from a microsecond to 365 days.
SELECT conversion_tracking.set_conversion_window(50, '0.000001 seconds');
SELECT conversion_tracking.set_conversion_window(50, '365 days');
SELECT conversion_tracking.set_conversion_window(50, '36 hours');
SELECT conversion_window FROM conversion_tracking.accounts WHERE account_id = 50;

-- Time zones by name.
SELECT conversion_tracking.set_time_zone(50, 'America/New_York');
SELECT conversion_tracking.set_time_zone(50, 'Asia/Kolkata');
SELECT time_zone FROM conversion_tracking.accounts WHERE account_id = 50;
SELECT name, conversion_tracking.is_valid_time_zone(name)
  FROM (VALUES ('UTC'), ('Europe/Paris'), ('Mars/Olympus_Mons'), (''),
			   ('utc')) AS t(name);

-- Goals: set, changed, removed with NULL.
SELECT conversion_tracking.set_conversion_goal(50, 1, 'Completed purchase');
SELECT conversion_tracking.is_conversion_goal(50, 'Completed purchase');
SELECT conversion_tracking.set_conversion_goal(50, 1, NULL);
SELECT conversion_tracking.is_conversion_goal(50, 'Completed purchase');

-- A goal set and used in one transaction applies at once.
BEGIN;
UPDATE conversion_tracking.campaigns SET conversion_goal = 'Signup'
 WHERE account_id = 50 AND campaign_id = 1;
SELECT conversion_tracking.is_conversion_goal(50, 'Signup');
ROLLBACK;
SELECT conversion_tracking.is_conversion_goal(50, 'Signup');

-- The attribution setting is reserved for superusers and defaults to on.
SHOW conversion_tracking.attribution;
SET conversion_tracking.no_such_setting = 1;
