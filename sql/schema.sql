-- schema: the objects the SPEC lists, their defaults, and their comments
CREATE EXTENSION conversion_tracking;

-- Every relation and function of the extension, with its comment.
SELECT c.relname, c.relkind, obj_description(c.oid, 'pg_class') IS NOT NULL
	   AS has_comment
  FROM pg_class c
 WHERE c.relnamespace = 'conversion_tracking'::regnamespace
   AND c.relkind IN ('r', 'v')
 ORDER BY c.relname;

SELECT p.oid::regprocedure AS function,
	   obj_description(p.oid, 'pg_proc') IS NOT NULL AS has_comment
  FROM pg_proc p
 WHERE p.pronamespace = 'conversion_tracking'::regnamespace
 ORDER BY p.oid::regprocedure::text;

-- Every function but the C ones pins its search_path.
SELECT p.oid::regprocedure AS function_without_pinned_search_path
  FROM pg_proc p
 WHERE p.pronamespace = 'conversion_tracking'::regnamespace
   AND p.prolang <> (SELECT oid FROM pg_language WHERE lanname = 'c')
   AND NOT EXISTS (SELECT FROM unnest(p.proconfig) AS setting
					WHERE setting LIKE 'search_path=%');

-- The columns users rely on.
SELECT table_name, column_name, data_type, column_default IS NOT NULL AS has_default
  FROM information_schema.columns
 WHERE table_schema = 'conversion_tracking'
   AND table_name IN ('accounts', 'campaigns', 'messages', 'events',
					  'conversions')
 ORDER BY table_name, ordinal_position;

-- Keys lead with account_id.
SELECT conrelid::regclass AS table_name, conname,
	   pg_get_constraintdef(oid) AS definition
  FROM pg_constraint
 WHERE connamespace = 'conversion_tracking'::regnamespace
   AND contype IN ('p', 'u', 'f')
 ORDER BY conrelid::regclass::text, conname;

-- Defaults: a 30-day window in UTC, and a fresh token per message.
INSERT INTO conversion_tracking.accounts (account_id, name) VALUES (1, 'Acme');
SELECT conversion_window, time_zone FROM conversion_tracking.accounts;
INSERT INTO conversion_tracking.campaigns (account_id, campaign_id, name)
VALUES (1, 1, 'Welcome');
SELECT kind, conversion_goal FROM conversion_tracking.campaigns;
INSERT INTO conversion_tracking.messages (account_id, campaign_id, user_id)
SELECT 1, 1, 'user-' || i FROM generate_series(1, 1000) AS i;
SELECT count(DISTINCT conversion_token) AS distinct_tokens,
	   bool_and(conversion_token::text ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$')
	   AS all_random_uuids,
	   bool_and(NOT held_out AND sent_at IS NOT NULL) AS sent_by_default
  FROM conversion_tracking.messages;

-- Every table is dumped with its rows.
SELECT c.relname
  FROM pg_extension e, unnest(e.extconfig) AS config(oid)
  JOIN pg_class c ON c.oid = config.oid
 WHERE e.extname = 'conversion_tracking'
 ORDER BY 1;
