-- harness.sql: the benchmark's own tables and functions: the runs and
-- their timings, the conversions each run gave, and their comparison
--
-- Installed once per benchmark cluster, after the extension, by run.sh.

\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE SCHEMA IF NOT EXISTS bench;

-- One timed run: a size of the messages table, a mix of goal events, a
-- way to ingest them, a number of clients, and what attributed them.
CREATE TABLE bench.runs (
	run_id serial PRIMARY KEY,
	messages bigint NOT NULL,
	mix integer NOT NULL,
	method text NOT NULL,
	clients integer NOT NULL,
	variant text NOT NULL,
	events bigint NOT NULL,
	seconds double precision NOT NULL,
	cpu_seconds double precision,
	conversions bigint,
	checked boolean NOT NULL DEFAULT false
);

COMMENT ON TABLE bench.runs IS
'One timed benchmark run and what it gave';

-- The conversions of the runs whose attribution is checked, keyed by the
-- event's sequence number in the pool (data->>'seq'), since event ids
-- depend on the order in which concurrent clients insert.
CREATE TABLE bench.outcomes (
	run_id integer NOT NULL,
	seq bigint NOT NULL,
	account_id bigint NOT NULL,
	user_id text NOT NULL,
	event_name text NOT NULL,
	campaign_id bigint NOT NULL,
	message_id bigint NOT NULL,
	conversion_type text NOT NULL,
	converted_at timestamptz NOT NULL,
	message_sent_at timestamptz NOT NULL,
	held_out boolean NOT NULL,
	variant text,
	step integer,
	value numeric
);

COMMENT ON TABLE bench.outcomes IS
'The conversions each checked run gave, by the event''s place in the pool';

-- What the batch query writes: the conversions table without its keys.
CREATE TABLE bench.batch_conversions (
	LIKE conversion_tracking.conversions INCLUDING DEFAULTS INCLUDING IDENTITY
);

COMMENT ON TABLE bench.batch_conversions IS
'Conversions computed after the fact by batch_attribution.sql';

-- The memory of one backend at points of a long ingest.
CREATE TABLE bench.memory (
	messages bigint NOT NULL,
	stage text NOT NULL,
	events bigint NOT NULL,
	vm_rss_kb bigint,
	rss_anon_kb bigint,
	context_bytes bigint
);

COMMENT ON TABLE bench.memory IS
'A backend''s memory before and after ingesting many events';

CREATE FUNCTION bench.save_outcomes(run integer, source regclass)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	saved bigint;
BEGIN
	EXECUTE format(
		'INSERT INTO bench.outcomes
		 SELECT $1, (e.data ->> ''seq'')::bigint, c.account_id, c.user_id,
				c.event_name, c.campaign_id, c.message_id, c.conversion_type,
				c.converted_at, c.message_sent_at, c.held_out, c.variant,
				c.step, c.value
		   FROM %s AS c
				JOIN conversion_tracking.events AS e
				  ON e.account_id = c.account_id
				 AND e.event_id = c.event_id', source)
	USING run;
	GET DIAGNOSTICS saved = ROW_COUNT;
	RETURN saved;
END
$$;

COMMENT ON FUNCTION bench.save_outcomes(integer, regclass) IS
'Keep the conversions a run wrote, by the event''s place in the pool';

CREATE FUNCTION bench.record_run(
	messages bigint,
	mix integer,
	method text,
	clients integer,
	variant text,
	events bigint,
	seconds double precision,
	cpu_seconds double precision,
	source regclass,
	checked boolean)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	run integer;
	conversions bigint;
BEGIN
	EXECUTE format('SELECT count(*) FROM %s', source) INTO conversions;
	INSERT INTO bench.runs (messages, mix, method, clients, variant, events,
							seconds, cpu_seconds, conversions, checked)
	VALUES (messages, mix, method, clients, variant, events, seconds,
			cpu_seconds, conversions, checked)
	RETURNING run_id INTO run;
	IF checked THEN
		PERFORM bench.save_outcomes(run, source);
	END IF;
END
$$;

COMMENT ON FUNCTION bench.record_run(bigint, integer, text, integer, text, bigint, double precision, double precision, regclass, boolean) IS
'Record a timed run, and keep its conversions when they are to be checked';

CREATE FUNCTION bench.differences(run_a integer, run_b integer)
RETURNS bigint
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT count(*)
	  FROM ((SELECT seq, account_id, user_id, event_name, campaign_id,
					message_id, conversion_type, converted_at,
					message_sent_at, held_out, variant, step, value
			   FROM bench.outcomes WHERE run_id = run_a
			 EXCEPT ALL
			 SELECT seq, account_id, user_id, event_name, campaign_id,
					message_id, conversion_type, converted_at,
					message_sent_at, held_out, variant, step, value
			   FROM bench.outcomes WHERE run_id = run_b)
			UNION ALL
			(SELECT seq, account_id, user_id, event_name, campaign_id,
					message_id, conversion_type, converted_at,
					message_sent_at, held_out, variant, step, value
			   FROM bench.outcomes WHERE run_id = run_b
			 EXCEPT ALL
			 SELECT seq, account_id, user_id, event_name, campaign_id,
					message_id, conversion_type, converted_at,
					message_sent_at, held_out, variant, step, value
			   FROM bench.outcomes WHERE run_id = run_a)) AS d;
$$;

COMMENT ON FUNCTION bench.differences(integer, integer) IS
'How many conversions one run has that the other has not, both ways';

CREATE FUNCTION bench.backend_memory()
RETURNS TABLE (vm_rss_kb bigint, rss_anon_kb bigint, context_bytes bigint)
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT substring(s FROM 'VmRSS:\s+(\d+)')::bigint,
		   substring(s FROM 'RssAnon:\s+(\d+)')::bigint,
		   (SELECT sum(total_bytes) FROM pg_backend_memory_contexts)::bigint
	  FROM pg_read_file('/proc/' || pg_backend_pid() || '/status') AS s;
$$;

COMMENT ON FUNCTION bench.backend_memory() IS
'This backend''s resident memory (from /proc) and its memory contexts';

CREATE FUNCTION bench.cpu_ns()
RETURNS bigint
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT split_part(pg_read_file('/proc/' || pg_backend_pid()
								   || '/schedstat'), ' ', 1)::bigint;
$$;

COMMENT ON FUNCTION bench.cpu_ns() IS
'Nanoseconds this backend has run on a CPU so far (/proc/<pid>/schedstat)';

CREATE FUNCTION bench.time_query(query text, repeats integer)
RETURNS TABLE (rep integer, ms double precision)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	started timestamptz;
BEGIN
	FOR i IN 1 .. repeats LOOP
		started := clock_timestamp();
		EXECUTE query;
		rep := i;
		ms := extract(epoch FROM clock_timestamp() - started) * 1000;
		RETURN NEXT;
	END LOOP;
END
$$;

COMMENT ON FUNCTION bench.time_query(text, integer) IS
'Run a query several times and return how long each run took';

-- How long reading an insight view took.
CREATE TABLE bench.query_times (
	what text NOT NULL,
	rep integer NOT NULL,
	ms double precision NOT NULL
);

COMMENT ON TABLE bench.query_times IS
'Each timed read of a view and how long it took';
