/*-------------------------------------------------------------------------
 *
 * cache.c
 *	  Backend-local caches: the extension's relations, and each account's
 *	  conversion window and goals.
 *
 * Most events are no goal of their account.  Deciding that must cost no
 * query, so each backend keeps every account's goals it has seen.  Any
 * change to accounts or campaigns fires a statement trigger that sends a
 * relcache invalidation for the campaigns table; every backend drops its
 * cache when that invalidation arrives, at the latest at the start of its
 * next statement.
 *
 * Copyright (c) 2026, conversion_tracking developers
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "conversion_tracking.h"

/* Everything the caches hold lives here, so one reset drops it all. */
static MemoryContext cache_context = NULL;

static CtRelations relations;
static bool relations_valid = false;

/* A column the C code reads or writes, and the type it must have. */
typedef struct CtColumn
{
	const char *name;
	Oid			type;
} CtColumn;

/* In the order of CtMessageColumn, CtEventColumn and CtConversionColumn. */
static const CtColumn message_columns[MSG_NCOLUMNS] = {
	{"message_id", INT8OID}, {"campaign_id", INT8OID}, {"step", INT4OID},
	{"variant", TEXTOID}, {"held_out", BOOLOID},
	{"sent_at", TIMESTAMPTZOID}, {"opened_at", TIMESTAMPTZOID},
	{"clicked_at", TIMESTAMPTZOID}, {"conversion_token", UUIDOID}
};
static const CtColumn event_columns[EV_NCOLUMNS] = {
	{"account_id", INT8OID}, {"event_id", INT8OID}, {"user_id", TEXTOID},
	{"event_name", TEXTOID}, {"data", JSONBOID}, {"extras", JSONBOID},
	{"occurred_at", TIMESTAMPTZOID}
};
static const CtColumn conversion_columns[CONV_NCOLUMNS] = {
	{"account_id", INT8OID}, {"event_id", INT8OID},
	{"campaign_id", INT8OID}, {"message_id", INT8OID},
	{"user_id", TEXTOID}, {"event_name", TEXTOID},
	{"conversion_type", TEXTOID}, {"converted_at", TIMESTAMPTZOID},
	{"message_sent_at", TIMESTAMPTZOID}, {"held_out", BOOLOID},
	{"variant", TEXTOID}, {"step", INT4OID}, {"value", NUMERICOID}
};
static const CtColumn conversion_id_column = {"conversion_id", INT8OID};

/* account_id -> CtAccountGoals; NULL until first used after a reset */
static HTAB *account_cache = NULL;
static bool account_cache_valid = false;

/* The plan that reads one account's window and goals. */
static SPIPlanPtr load_account_plan = NULL;

/* The statement during which pending invalidations were last accepted. */
static LocalTransactionId checked_lxid = InvalidLocalTransactionId;
static TimestampTz checked_statement_start = 0;

PG_FUNCTION_INFO_V1(ct_is_conversion_goal);
PG_FUNCTION_INFO_V1(ct_invalidate_goals);

/*
 * Mark what depends on a relation as stale when its relcache entry goes.
 * The caches are dropped lazily, at their next use, because a callback may
 * run in the middle of an attribution that still holds pointers into them.
 * The OIDs of the last lookup name the tables even while it is stale.
 */
static void
invalidate_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || !OidIsValid(relations.accounts) ||
		relid == relations.accounts || relid == relations.campaigns)
		account_cache_valid = false;

	if (relid == InvalidOid ||
		relid == relations.accounts || relid == relations.campaigns ||
		relid == relations.messages || relid == relations.events ||
		relid == relations.conversions ||
		relid == relations.messages_user_sent_idx)
		relations_valid = false;
}

/*
 * Register the invalidation callback; called once, from _PG_init.
 */
void
ct_cache_init(void)
{
	cache_context = AllocSetContextCreate(TopMemoryContext,
										  "conversion_tracking cache",
										  ALLOCSET_DEFAULT_SIZES);
	CacheRegisterRelcacheCallback(invalidate_callback, (Datum) 0);
}

/*
 * Look up one of the extension's relations by name, or fail clearly.
 */
static Oid
lookup_relation(Oid schema, const char *name)
{
	Oid			relid = get_relname_relid(name, schema);

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"%s.%s\" does not exist",
						CT_SCHEMA_NAME, name),
				 errhint("Reinstall the extension with DROP EXTENSION and CREATE EXTENSION conversion_tracking.")));
	return relid;
}

/*
 * Look up the number of a column of one of the extension's tables, and
 * check that it still has the type the C code reads it as.
 */
static AttrNumber
lookup_column(Oid relid, const CtColumn *column)
{
	AttrNumber	attnum = get_attnum(relid, column->name);
	Oid			type;

	if (attnum == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation \"%s\" does not exist",
						column->name, get_rel_name(relid)),
				 errhint("Reinstall the extension with DROP EXTENSION and CREATE EXTENSION conversion_tracking.")));

	type = get_atttype(relid, attnum);
	if (type != column->type)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" of relation \"%s\" has type %s, but conversion_tracking needs %s",
						column->name, get_rel_name(relid),
						format_type_be(type), format_type_be(column->type)),
				 errhint("Change the column back to its type, or reinstall the extension.")));
	return attnum;
}

/*
 * Return the OIDs of the extension's relations and of their owner, and the
 * numbers of the columns that attribution reads.
 */
const CtRelations *
ct_relations(void)
{
	Oid			schema;
	HeapTuple	tuple;
	Form_pg_index index_form;

	if (relations_valid)
		return &relations;

	schema = get_namespace_oid(CT_SCHEMA_NAME, true);
	if (!OidIsValid(schema))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_SCHEMA),
				 errmsg("schema \"%s\" does not exist", CT_SCHEMA_NAME),
				 errhint("Install the extension with CREATE EXTENSION conversion_tracking.")));

	relations.schema = schema;
	relations.accounts = lookup_relation(schema, "accounts");
	relations.campaigns = lookup_relation(schema, "campaigns");
	relations.messages = lookup_relation(schema, "messages");
	relations.messages_user_sent_idx =
		lookup_relation(schema, "messages_user_sent_idx");
	relations.events = lookup_relation(schema, "events");
	relations.conversions = lookup_relation(schema, "conversions");

	for (int i = 0; i < MSG_NCOLUMNS; i++)
		relations.message_columns[i] =
			lookup_column(relations.messages, &message_columns[i]);
	for (int i = 0; i < EV_NCOLUMNS; i++)
		relations.event_columns[i] =
			lookup_column(relations.events, &event_columns[i]);
	for (int i = 0; i < CONV_NCOLUMNS; i++)
		relations.conversion_columns[i] =
			lookup_column(relations.conversions, &conversion_columns[i]);
	relations.conversion_id_column =
		lookup_column(relations.conversions, &conversion_id_column);

	/* Attribution reads the campaign from the index: check it is there. */
	tuple = SearchSysCache1(INDEXRELID,
							ObjectIdGetDatum(relations.messages_user_sent_idx));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for index %u",
			 relations.messages_user_sent_idx);
	index_form = (Form_pg_index) GETSTRUCT(tuple);
	if (index_form->indnatts != MESSAGES_INDEX_CAMPAIGN_ID ||
		index_form->indkey.values[MESSAGES_INDEX_CAMPAIGN_ID - 1] !=
		relations.message_columns[MSG_CAMPAIGN_ID])
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("index \"%s.messages_user_sent_idx\" is not the one the extension created",
						CT_SCHEMA_NAME),
				 errhint("Reinstall the extension with DROP EXTENSION and CREATE EXTENSION conversion_tracking.")));
	ReleaseSysCache(tuple);

	/* The code runs its queries as the owner of the extension's tables. */
	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relations.conversions));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u",
			 relations.conversions);
	relations.owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);

	/*
	 * The goals cached stay: they go only when accounts or campaigns change.
	 * A VACUUM of events, say, invalidates its relcache entry, and must not
	 * make every backend read every account again.
	 */
	relations_valid = true;
	return &relations;
}

/*
 * Switch to the owner of the extension's tables for the queries the
 * extension runs itself, so that an application role needs no privilege on
 * the conversions table.  Row-level security is the owner's, as in
 * PostgreSQL's own foreign key checks.
 */
void
ct_become_owner(CtSavedUser *saved)
{
	GetUserIdAndSecContext(&saved->userid, &saved->sec_context);
	SetUserIdAndSecContext(ct_relations()->owner,
						   saved->sec_context |
						   SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_NOFORCE_RLS);
}

/*
 * Return to the user that ct_become_owner saved.
 */
void
ct_restore_user(const CtSavedUser *saved)
{
	SetUserIdAndSecContext(saved->userid, saved->sec_context);
}

/*
 * Prepare and keep a plan for a query of the extension's own.  The query
 * names everything with its schema, and it is parsed under a pinned
 * search_path that the plan cache keeps for any later re-planning, so
 * nothing in the user's search_path can change what it calls.
 */
SPIPlanPtr
ct_prepare_plan(const char *query, int nargs, Oid *argtypes)
{
	int			save_nestlevel = NewGUCNestLevel();
	SPIPlanPtr	plan;

	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);

	plan = SPI_prepare(query, nargs, argtypes);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s",
			 query, SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");

	AtEOXact_GUC(false, save_nestlevel);
	return plan;
}

/*
 * Run a one-off statement of the extension's own under the pinned
 * search_path, for the statements that cannot keep a plan.
 */
void
ct_execute_pinned(const char *query)
{
	int			save_nestlevel = NewGUCNestLevel();
	int			result;

	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);

	result = SPI_execute(query, false, 0);
	if (result < 0)
		elog(ERROR, "SPI_execute failed for \"%s\": %s",
			 query, SPI_result_code_string(result));

	AtEOXact_GUC(false, save_nestlevel);
}

/*
 * Accept invalidations sent by other sessions once per statement.  Within
 * a transaction PostgreSQL reads them only when it takes a new lock; a goal
 * or window committed elsewhere must apply from this backend's next
 * statement on, as a READ COMMITTED query would see it.
 */
static void
accept_invalidations_once_per_statement(void)
{
	TimestampTz statement_start = GetCurrentStatementStartTimestamp();

	if (CT_MY_LXID == checked_lxid &&
		statement_start == checked_statement_start)
		return;

	AcceptInvalidationMessages();
	checked_lxid = CT_MY_LXID;
	checked_statement_start = statement_start;
}

/*
 * Order goals by event name, bytewise, for the binary search.
 */
static int
compare_goals(const void *a, const void *b)
{
	return strcmp(((const CtGoal *) a)->event_name,
				  ((const CtGoal *) b)->event_name);
}

/*
 * Read one account's window and goals into the cache.  Return NULL when
 * the account does not exist; the event's foreign key refuses it then.
 */
static CtAccountGoals *
load_account(int64 account_id)
{
	Datum		arg = Int64GetDatum(account_id);
	CtSavedUser saved;
	CtAccountGoals *account = NULL;
	MemoryContext oldcxt;
	uint64		nrows;
	int			ngoals = 0;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	/* One row per goal campaign, or one row with NULLs when there is none. */
	if (load_account_plan == NULL)
	{
		Oid			argtype = INT8OID;

		load_account_plan = ct_prepare_plan(
			"SELECT a.conversion_window, c.conversion_goal, c.campaign_id"
			" FROM conversion_tracking.accounts a"
			" LEFT JOIN conversion_tracking.campaigns c"
			" ON c.account_id OPERATOR(pg_catalog.=) a.account_id"
			" AND c.conversion_goal IS NOT NULL"
			" WHERE a.account_id OPERATOR(pg_catalog.=) $1"
			" ORDER BY c.conversion_goal COLLATE \"C\", c.campaign_id",
			1, &argtype);
	}

	/*
	 * Read the latest committed settings, whatever the isolation level: the
	 * cache outlives this transaction, and a REPEATABLE READ snapshot may
	 * predate a change whose invalidation was just accepted.
	 */
	ct_become_owner(&saved);
	if (SPI_execute_snapshot(load_account_plan, &arg, NULL,
							 GetLatestSnapshot(), InvalidSnapshot,
							 true, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the goals of account " INT64_FORMAT,
			 account_id);
	ct_restore_user(&saved);

	nrows = SPI_processed;
	if (nrows > 0)
	{
		SPITupleTable *tuptable = SPI_tuptable;
		TupleDesc	tupdesc = tuptable->tupdesc;
		bool		found;
		bool		isnull;
		Interval   *window;
		int64	   *campaign_ids;

		oldcxt = MemoryContextSwitchTo(cache_context);

		account = hash_search(account_cache, &account_id, HASH_ENTER, &found);
		window = DatumGetIntervalP(SPI_getbinval(tuptable->vals[0], tupdesc,
												 1, &isnull));
		account->window_usecs = ct_window_usecs(window);
		account->goals = palloc0(sizeof(CtGoal) * nrows);
		campaign_ids = palloc(sizeof(int64) * nrows);

		/*
		 * Rows come grouped by goal, campaigns in order: each goal takes the
		 * next slice of one array of campaign ids.
		 */
		for (uint64 i = 0; i < nrows; i++)
		{
			HeapTuple	row = tuptable->vals[i];
			char	   *name = SPI_getvalue(row, tupdesc, 2);
			CtGoal	   *goal;

			if (name == NULL)
				break;

			if (ngoals == 0 ||
				strcmp(account->goals[ngoals - 1].event_name, name) != 0)
			{
				goal = &account->goals[ngoals++];
				goal->event_name = name;
				goal->campaign_ids = &campaign_ids[i];
			}
			else
				pfree(name);
			goal = &account->goals[ngoals - 1];
			goal->campaign_ids[goal->ncampaigns++] =
				DatumGetInt64(SPI_getbinval(row, tupdesc, 3, &isnull));
		}
		account->ngoals = ngoals;

		MemoryContextSwitchTo(oldcxt);
	}

	SPI_finish();

	if (account != NULL)
		qsort(account->goals, account->ngoals, sizeof(CtGoal),
			  compare_goals);
	return account;
}

/*
 * Return an account's window and goals, reading them on first use.
 * Return NULL when the account does not exist.
 */
const CtAccountGoals *
ct_account_goals(int64 account_id)
{
	CtAccountGoals *account;

	accept_invalidations_once_per_statement();
	(void) ct_relations();

	if (!account_cache_valid || account_cache == NULL)
	{
		HASHCTL		ctl;

		MemoryContextReset(cache_context);
		ctl.keysize = sizeof(int64);
		ctl.entrysize = sizeof(CtAccountGoals);
		ctl.hcxt = cache_context;
		account_cache = hash_create("conversion_tracking accounts", 64, &ctl,
									HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		account_cache_valid = true;
	}

	account = hash_search(account_cache, &account_id, HASH_FIND, NULL);
	if (account != NULL)
		return account;

	account = load_account(account_id);

	/* An invalidation during the load may have dropped what it read. */
	if (!account_cache_valid)
		return ct_account_goals(account_id);
	return account;
}

/*
 * Return the account's goal for an event name, or NULL if it has none.
 */
const CtGoal *
ct_find_goal(const CtAccountGoals *account, const char *event_name)
{
	CtGoal		key = {0};

	if (account == NULL || account->ngoals == 0)
		return NULL;

	key.event_name = (char *) event_name;
	return bsearch(&key, account->goals, account->ngoals, sizeof(CtGoal),
				   compare_goals);
}

/*
 * Return true if the campaign is one of the goal's campaigns.
 */
bool
ct_goal_has_campaign(const CtGoal *goal, int64 campaign_id)
{
	int			low = 0;
	int			high = goal->ncampaigns - 1;

	while (low <= high)
	{
		int			mid = (low + high) / 2;

		if (goal->campaign_ids[mid] == campaign_id)
			return true;
		if (goal->campaign_ids[mid] < campaign_id)
			low = mid + 1;
		else
			high = mid - 1;
	}
	return false;
}

/*
 * is_conversion_goal(account_id bigint, event_name text) returns boolean
 *
 * True when the event name is the goal of a campaign of the account and
 * attribution is on.  The events trigger's WHEN condition, so that no
 * other event is even queued for the trigger.
 */
Datum
ct_is_conversion_goal(PG_FUNCTION_ARGS)
{
	const CtAccountGoals *account;

	if (!ct_attribution_enabled || PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_BOOL(false);

	account = ct_account_goals(PG_GETARG_INT64(0));
	if (account == NULL || account->ngoals == 0)
		PG_RETURN_BOOL(false);

	PG_RETURN_BOOL(ct_find_goal(account,
								text_to_cstring(PG_GETARG_TEXT_PP(1))) != NULL);
}

/*
 * invalidate_goals() trigger
 *
 * Statement trigger on accounts and campaigns: tell every backend to drop
 * its cached goals and windows once this transaction commits.
 */
Datum
ct_invalidate_goals(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	/* Check how we were called. */
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("invalidate_goals() was not called by trigger manager")));
	if (!TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("invalidate_goals() must be fired AFTER ... FOR EACH STATEMENT")));

	/* Queue the invalidation; it reaches other backends at commit. */
	CacheInvalidateRelcacheByRelid(ct_relations()->campaigns);

	return PointerGetDatum(NULL);
}
