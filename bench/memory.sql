-- memory.sql: one backend's memory before and after it ingests many goal
-- events through the extension's trigger
--
-- psql -v messages=N -v batches=B -v batch_size=S -v pool=P -f memory.sql
--
-- All in one session: a first batch warms the caches and plans up, then
-- B - 1 more batches of S events (the 100 % goal mix, cycling through the
-- first P events of the pool) are inserted, each statement in its own
-- transaction.  The backend's resident memory (VmRSS, and RssAnon, which
-- leaves out the shared buffers it has touched) and the sum of its memory
-- contexts are kept in bench.memory after the warm-up and at each quarter.

\set ON_ERROR_STOP 1
SET client_min_messages = warning;

TRUNCATE conversion_tracking.conversions;
TRUNCATE conversion_tracking.events RESTART IDENTITY;

INSERT INTO bench.memory
SELECT :messages, 'start', 0, * FROM bench.backend_memory();

-- The warm-up batch.
INSERT INTO conversion_tracking.events
	(account_id, user_id, event_name, data, extras, occurred_at)
SELECT account_id, user_id, event_name, data, extras, occurred_at
  FROM bench.events_100
 WHERE n <= :batch_size
 ORDER BY n;

INSERT INTO bench.memory
SELECT :messages, 'after warm-up', :batch_size, * FROM bench.backend_memory();

-- The other batches, with a reading at each quarter.
SELECT statement
  FROM (SELECT b, 1 AS step,
			   format('INSERT INTO conversion_tracking.events'
					  ' (account_id, user_id, event_name, data, extras,'
					  ' occurred_at)'
					  ' SELECT account_id, user_id, event_name, data, extras,'
					  ' occurred_at FROM bench.events_100'
					  ' WHERE n > %s AND n <= %s ORDER BY n',
					  (b * :batch_size) % :pool,
					  (b * :batch_size) % :pool + :batch_size) AS statement
		  FROM generate_series(1, :batches - 1) AS b
		UNION ALL
		SELECT b, 2,
			   format('INSERT INTO bench.memory SELECT %s, %L, %s, *'
					  ' FROM bench.backend_memory()',
					  :messages, 'after ' || q || '/4',
					  (b + 1)::bigint * :batch_size)
		  FROM generate_series(1, 4) AS q,
			   LATERAL (SELECT greatest(q * :batches / 4 - 1, 1) AS b) AS m
		 WHERE :batches > 1) AS s
 ORDER BY b, step
\gexec

-- Where the memory is at the end.
\echo 'largest memory contexts of the ingesting backend at the end:'
SELECT name, parent, total_bytes, used_bytes
  FROM pg_backend_memory_contexts
 ORDER BY total_bytes DESC
 LIMIT 6;
