-- report.sql: the tables that run.sh prints at the end, from bench.runs,
-- bench.outcomes, bench.memory and bench.query_times
--
-- psql -v main_size=N -v first_size=N -v last_size=N -f report.sql

\set ON_ERROR_STOP 1
\pset footer off
\pset null '-'

-- Events per second of each case and variant, side by side.
CREATE TEMP VIEW pivot AS
SELECT messages, mix, method, clients,
	   max(events / seconds) FILTER (WHERE variant = 'notrig') AS notrig,
	   max(events / seconds) FILTER (WHERE variant = 'off') AS off,
	   max(events / seconds) FILTER (WHERE variant = 'c') AS c,
	   max(events / seconds) FILTER (WHERE variant = 'plpgsql') AS plpgsql,
	   max(events / seconds) FILTER (WHERE variant = 'batch') AS batch,
	   min(cpu_seconds / events) FILTER (WHERE variant = 'notrig')
	   AS notrig_cpu,
	   min(cpu_seconds / events) FILTER (WHERE variant = 'off') AS off_cpu,
	   min(cpu_seconds / events) FILTER (WHERE variant = 'c') AS c_cpu,
	   min(cpu_seconds / events) FILTER (WHERE variant = 'plpgsql')
	   AS plpgsql_cpu,
	   min(cpu_seconds / events) FILTER (WHERE variant = 'batch') AS batch_cpu,
	   max(events / seconds) FILTER (WHERE variant = 'off warm') AS off_warm,
	   max(events / seconds) FILTER (WHERE variant = 'c warm') AS c_warm,
	   min(cpu_seconds / events) FILTER (WHERE variant = 'off warm')
	   AS off_warm_cpu,
	   min(cpu_seconds / events) FILTER (WHERE variant = 'c warm')
	   AS c_warm_cpu,
	   max(events / seconds) FILTER (WHERE variant = 'base warm')
	   AS base_warm,
	   min(cpu_seconds / events) FILTER (WHERE variant = 'base warm')
	   AS base_warm_cpu,
	   max(run_id) FILTER (WHERE variant = 'c' AND checked) AS c_run,
	   max(run_id) FILTER (WHERE variant = 'plpgsql' AND checked)
	   AS plpgsql_run,
	   max(run_id) FILTER (WHERE variant = 'batch' AND checked) AS batch_run,
	   count(*) FILTER (WHERE variant = 'c') AS repeats
  FROM bench.runs
 GROUP BY messages, mix, method, clients;

\echo 'Throughput (events/s, the best of the repetitions) and ratios.  limit:'
\echo 'attribution = off (the WHEN function is called and returns false);'
\echo 'no trigger: the trigger disabled; ext: the extension; PL/pgSQL:'
\echo 'bench/plpgsql_baseline.sql instead of the C trigger.  limit/PL/pgSQL is'
\echo 'the most that ext/PL/pgSQL could be, with attribution free.'
SELECT messages, mix || ' %' AS goals, method, clients AS cl,
	   round(notrig) AS "no trigger", round(off) AS "limit",
	   round(c) AS ext, round(plpgsql) AS "PL/pgSQL",
	   round((c / off)::numeric, 2) AS "ext/limit",
	   round((c / notrig)::numeric, 2) AS "ext/no trig",
	   round((off / notrig)::numeric, 2) AS "limit/no trig",
	   round((c / plpgsql)::numeric, 2) AS "ext/PL/pgSQL",
	   round((off / plpgsql)::numeric, 2) AS "limit/PL/pgSQL"
  FROM pivot
 ORDER BY messages, mix, array_position(ARRAY['copy', 'multi', 'single'],
										method), clients;

\echo 'Server CPU per event (microseconds, the backends'' own time from'
\echo '/proc/<pid>/schedstat, the least of the repetitions), and the same'
\echo 'ratios from it: they do not depend on round trips or on what else'
\echo 'runs on the machine.'
SELECT messages, mix || ' %' AS goals, method, clients AS cl,
	   round((notrig_cpu * 1e6)::numeric, 1) AS "no trigger",
	   round((off_cpu * 1e6)::numeric, 1) AS "limit",
	   round((c_cpu * 1e6)::numeric, 1) AS ext,
	   round((plpgsql_cpu * 1e6)::numeric, 1) AS "PL/pgSQL",
	   round((off_cpu / c_cpu)::numeric, 2) AS "ext/limit",
	   round((notrig_cpu / c_cpu)::numeric, 2) AS "ext/no trig",
	   round((plpgsql_cpu / c_cpu)::numeric, 2) AS "ext/PL/pgSQL",
	   round((plpgsql_cpu / off_cpu)::numeric, 2) AS "limit/PL/pgSQL"
  FROM pivot
 ORDER BY messages, mix, array_position(ARRAY['copy', 'multi', 'single'],
										method), clients;

\echo 'Batch attribution after the fact (batch_attribution.sql) of the events'
\echo 'that the COPY run without trigger stored; "ingest + batch" counts both.'
SELECT p.messages, p.mix || ' %' AS goals,
	   round(p.batch) AS "batch events/s",
	   round(1 / (1 / p.batch + 1 / p.notrig)) AS "ingest + batch events/s",
	   round(p.c) AS "ext events/s",
	   round((p.c * (1 / p.batch + 1 / p.notrig))::numeric, 2)
	   AS "ext/(ingest + batch)",
	   round((p.batch_cpu * 1e6)::numeric, 1) AS "batch CPU us",
	   round(((p.batch_cpu + p.notrig_cpu) / p.c_cpu)::numeric, 2)
	   AS "same, CPU"
  FROM pivot AS p
 WHERE p.batch IS NOT NULL
 ORDER BY p.messages, p.mix;

\echo 'Checks: the same conversions from the extension, the PL/pgSQL trigger'
\echo 'and the batch query (rows in one and not the other, both ways), and'
\echo 'none with attribution off or the trigger disabled.'
SELECT p.messages, p.mix || ' %' AS goals, p.method, p.clients AS cl,
	   c.conversions AS ext, l.conversions AS other_conversions,
	   'PL/pgSQL' AS other,
	   bench.differences(p.c_run, p.plpgsql_run) AS differ,
	   CASE WHEN bench.differences(p.c_run, p.plpgsql_run) = 0
				 AND c.conversions = l.conversions
			THEN 'ok' ELSE 'DIFFERENT' END AS "check"
  FROM pivot AS p
	   JOIN bench.runs AS c ON c.run_id = p.c_run
	   JOIN bench.runs AS l ON l.run_id = p.plpgsql_run
UNION ALL
SELECT p.messages, p.mix || ' %', p.method, p.clients, c.conversions,
	   b.conversions, 'batch SQL', bench.differences(p.c_run, p.batch_run),
	   CASE WHEN bench.differences(p.c_run, p.batch_run) = 0
				 AND c.conversions = b.conversions
			THEN 'ok' ELSE 'DIFFERENT' END
  FROM pivot AS p
	   JOIN bench.runs AS c ON c.run_id = p.c_run
	   JOIN bench.runs AS b ON b.run_id = p.batch_run
UNION ALL
SELECT r.messages, r.mix || ' %', r.method, r.clients, NULL, r.conversions,
	   r.variant, NULL,
	   CASE WHEN r.conversions = 0 THEN 'ok' ELSE 'DIFFERENT' END
  FROM bench.runs AS r
 WHERE r.variant IN ('off', 'notrig')
   AND r.checked
   AND (r.conversions <> 0 OR (r.method, r.clients, r.mix) = ('copy', 1, 100))
 ORDER BY 1, 2, 3, 4, 7;

\echo 'Cost per event (microseconds) with the extension, by size of the'
\echo 'messages table, and against the first size.'
SELECT p.mix || ' %' AS goals, p.method, p.clients AS cl, p.messages,
	   round((1e6 / p.off)::numeric, 1) AS "limit us",
	   round((1e6 / p.c)::numeric, 1) AS "ext us",
	   round((1e6 / p.c - 1e6 / p.off)::numeric, 1) AS "attribution us",
	   round((f.c / p.c)::numeric, 2) AS "ext us / first size",
	   round((p.off_cpu * 1e6)::numeric, 1) AS "limit CPU us",
	   round((p.c_cpu * 1e6)::numeric, 1) AS "ext CPU us",
	   round((p.c_cpu / f.c_cpu)::numeric, 2) AS "same, CPU"
  FROM pivot AS p
	   JOIN pivot AS f
		 ON (f.messages, f.mix, f.method, f.clients)
			= (:first_size, p.mix, p.method, p.clients)
 WHERE p.clients = 1 AND p.method IN ('copy', 'single')
 ORDER BY p.mix, p.method, p.messages;

\echo 'The same for goal events by COPY in a warm backend (warm.sql): one'
\echo 'that ingested the same events once already, as a pooled connection.'
SELECT p.messages, round((1e6 / p.off_warm)::numeric, 1) AS "limit us",
	   round((1e6 / p.c_warm)::numeric, 1) AS "ext us",
	   round((p.c_warm / p.off_warm)::numeric, 2) AS "ext/limit",
	   round((f.c_warm / p.c_warm)::numeric, 2) AS "ext us / first size",
	   round((p.off_warm_cpu * 1e6)::numeric, 1) AS "limit CPU us",
	   round((p.c_warm_cpu * 1e6)::numeric, 1) AS "ext CPU us",
	   round((p.off_warm_cpu / p.c_warm_cpu)::numeric, 2) AS "ext/limit, CPU",
	   round((p.c_warm_cpu / f.c_warm_cpu)::numeric, 2) AS "same, CPU"
  FROM pivot AS p
	   JOIN pivot AS f
		 ON (f.messages, f.mix, f.method, f.clients)
			= (:first_size, p.mix, p.method, p.clients)
 WHERE p.c_warm IS NOT NULL
 ORDER BY p.messages;

SELECT EXISTS (SELECT FROM pivot WHERE base_warm IS NOT NULL) AS compared
\gset
\if :compared
\echo 'The same, with the extension built from the revision given to'
\echo '--against ("base"), run in turn with the extension of this tree, on'
\echo 'the same data.'
SELECT messages, round((1e6 / off_warm)::numeric, 1) AS "limit us",
	   round((1e6 / base_warm)::numeric, 1) AS "base us",
	   round((1e6 / c_warm)::numeric, 1) AS "ext us",
	   round((c_warm / base_warm)::numeric, 2) AS "ext/base",
	   round((base_warm / off_warm)::numeric, 2) AS "base/limit",
	   round((c_warm / off_warm)::numeric, 2) AS "ext/limit",
	   round((base_warm_cpu * 1e6)::numeric, 1) AS "base CPU us",
	   round((c_warm_cpu * 1e6)::numeric, 1) AS "ext CPU us",
	   round((base_warm_cpu / c_warm_cpu)::numeric, 2) AS "ext/base, CPU"
  FROM pivot
 WHERE base_warm IS NOT NULL
 ORDER BY messages;
\endif

\echo 'Memory of one backend ingesting goal events (memory.sql).'
SELECT messages, stage, events, vm_rss_kb AS "VmRSS kB",
	   rss_anon_kb AS "RssAnon kB",
	   round(context_bytes / 1024.0) AS "contexts kB"
  FROM bench.memory
 ORDER BY messages, events, stage;

\echo 'Reading one campaign''s insights (insights_read.sql), 5 reads.'
SELECT what, round(min(ms)::numeric, 1) AS "min ms",
	   round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms))::numeric, 1)
	   AS "median ms",
	   round(max(ms)::numeric, 1) AS "max ms"
  FROM bench.query_times
 GROUP BY what;

\echo 'Targets, from events/s.  COPY and multi-row INSERTs show what the server'
\echo 'spends; single-row INSERTs mostly wait on round trips, and vary run to'
\echo 'run.  The last column gives the same ratio from the backends'' CPU time.'
WITH main AS (
	SELECT *, CASE WHEN method = 'single' THEN 'single-row'
				   ELSE 'COPY and multi-row' END AS kind
	  FROM pivot
	 WHERE messages = :main_size
),
scaling AS (
	SELECT f.c / p.c AS growth, p.c_cpu / f.c_cpu AS growth_cpu,
		   CASE WHEN p.method = 'single' THEN 'single-row'
				ELSE 'COPY' END AS kind
	  FROM pivot AS p
		   JOIN pivot AS f
			 ON (f.messages, f.mix, f.method, f.clients)
				= (:first_size, p.mix, p.method, p.clients)
	 WHERE p.messages = :last_size AND p.clients = 1
	   AND p.method IN ('copy', 'single')
	UNION ALL
	SELECT f.c_warm / p.c_warm, p.c_warm_cpu / f.c_warm_cpu,
		   'COPY, warm backend'
	  FROM pivot AS p
		   JOIN pivot AS f
			 ON (f.messages, f.mix, f.method, f.clients)
				= (:first_size, p.mix, p.method, p.clients)
	 WHERE p.messages = :last_size AND p.c_warm IS NOT NULL
),
growth AS (
	SELECT a.rss_anon_kb - w.rss_anon_kb AS rss_kb,
		   (a.context_bytes - w.context_bytes) / 1024 AS contexts_kb
	  FROM bench.memory AS w
		   JOIN bench.memory AS a
			 ON a.messages = w.messages
			AND a.events = (SELECT max(events) FROM bench.memory)
	 WHERE w.stage = 'after warm-up'
),
targets AS (
	SELECT 1 AS n, kind, 'non-goal events: ext/limit >= 0.9' AS target,
		   min(c / off) AS worst, min(c / off) >= 0.9 AS met,
		   min(off_cpu / c_cpu) AS worst_cpu
	  FROM main WHERE mix = 0 GROUP BY kind
	UNION ALL
	SELECT 2, kind, 'non-goal events: ext/no trigger, for reference',
		   min(c / notrig), NULL, min(notrig_cpu / c_cpu)
	  FROM main WHERE mix = 0 GROUP BY kind
	UNION ALL
	SELECT 3, kind, 'goal events: ext/limit >= 0.5', min(c / off),
		   min(c / off) >= 0.5, min(off_cpu / c_cpu)
	  FROM main WHERE mix = 100 GROUP BY kind
	UNION ALL
	SELECT 4, kind, 'goal events: ext/PL/pgSQL >= 2', min(c / plpgsql),
		   min(c / plpgsql) >= 2, min(plpgsql_cpu / c_cpu)
	  FROM main WHERE mix = 100 GROUP BY kind
	UNION ALL
	SELECT 3, 'COPY, warm backend', 'goal events: ext/limit >= 0.5',
		   c_warm / off_warm, c_warm / off_warm >= 0.5,
		   off_warm_cpu / c_warm_cpu
	  FROM pivot WHERE messages = :main_size AND c_warm IS NOT NULL
	UNION ALL
	SELECT 5, kind, 'goal events: limit/PL/pgSQL, the most possible',
		   min(off / plpgsql), NULL, min(plpgsql_cpu / off_cpu)
	  FROM main WHERE mix = 100 GROUP BY kind
	UNION ALL
	SELECT 6, kind, '10 % goal events: ext/limit, for reference',
		   min(c / off), NULL, min(off_cpu / c_cpu)
	  FROM main WHERE mix = 10 GROUP BY kind
	UNION ALL
	SELECT 7, kind, 'cost per event, last size / first size <= 1.3',
		   max(growth), max(growth) <= 1.3, max(growth_cpu)
	  FROM scaling GROUP BY kind
	UNION ALL
	SELECT 8, 'one backend', 'memory after warm-up: RssAnon growth kB <= 4096',
		   rss_kb, rss_kb <= 4096, NULL
	  FROM growth
	UNION ALL
	SELECT 9, 'one backend',
		   'memory after warm-up: memory contexts growth kB <= 1024',
		   contexts_kb, contexts_kb <= 1024, NULL
	  FROM growth
)
SELECT target, kind AS "ingested by", round(worst::numeric, 2) AS "worst case",
	   CASE met WHEN true THEN 'met' WHEN false THEN 'MISSED' END AS result,
	   round(worst_cpu::numeric, 2) AS "same, from CPU time"
  FROM targets
 ORDER BY n, kind;
