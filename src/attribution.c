/*-------------------------------------------------------------------------
 *
 * attribution.c
 *	  The events trigger: decide whether an inserted event is a conversion,
 *	  which message earned it and how, and record it.
 *
 * The rules are the SPEC's 1 to 8.  Attribution reads the user's messages
 * in the conversion window with a direct index scan under a dirty snapshot:
 * a message, open or click that another transaction is writing for the same
 * user makes the scan wait for that transaction and look again, so that the
 * outcome is the one that the order of commits gives.
 *
 * Copyright (c) 2026, conversion_tracking developers
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/int.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "conversion_tracking.h"

/* An event, as attribution needs it. */
typedef struct CtEvent
{
	int64		account_id;
	int64		event_id;
	Datum		user_id;		/* text */
	Datum		event_name;		/* text */
	Jsonb	   *data;
	Jsonb	   *extras;
	TimestampTz occurred_at;
} CtEvent;

/* A message that may earn the conversion. */
typedef struct CtCandidate
{
	bool		found;
	int64		message_id;
	int64		campaign_id;
	TimestampTz sent_at;
	bool		held_out;
	Datum		variant;		/* text, or 0 when NULL */
	int32		step;
	bool		step_isnull;
} CtCandidate;

/* The best message of each type for one event. */
typedef struct CtCandidates
{
	CtCandidate direct;
	CtCandidate view_through;
	CtCandidate indirect;
} CtCandidates;

/* Per-row allocations go here; it is reset for every event. */
static MemoryContext row_context = NULL;

static SPIPlanPtr insert_conversion_plan = NULL;
static SPIPlanPtr delete_conversion_plan = NULL;
static SPIPlanPtr read_event_plan = NULL;

PG_FUNCTION_INFO_V1(ct_attribute_event_trigger);
PG_FUNCTION_INFO_V1(ct_attribute_event);
PG_FUNCTION_INFO_V1(ct_forget_conversions);

/*
 * Read the token that came with the event, if extras->'vero_conv' is a
 * string that reads as one.  Anything else is no token, and no error.
 */
static bool
event_token(const CtEvent *event, pg_uuid_t *token)
{
	JsonbValue *value;

	if (event->extras == NULL || !JB_ROOT_IS_OBJECT(event->extras))
		return false;

	value = getKeyJsonValueFromContainer(&event->extras->root,
										 "vero_conv", strlen("vero_conv"),
										 NULL);
	if (value == NULL || value->type != jbvString)
		return false;

	return ct_parse_token(value->val.string.val, value->val.string.len,
						  token);
}

/*
 * Return true if a string is a plain decimal number, which numeric_in reads
 * without raising an error.
 */
static bool
is_decimal_string(const char *s, int len)
{
	int			i = 0;
	int			digits = 0;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (i < len && s[i] == '.')
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
	return digits > 0 && digits <= 1000 && i == len;
}

/*
 * Return the event's value: data->'revenue' when it is a JSON number or a
 * string holding a decimal number.  Set *isnull otherwise.
 */
static Datum
event_value(const CtEvent *event, bool *isnull)
{
	JsonbValue *value;

	*isnull = true;
	if (event->data == NULL || !JB_ROOT_IS_OBJECT(event->data))
		return (Datum) 0;

	value = getKeyJsonValueFromContainer(&event->data->root,
										 "revenue", strlen("revenue"), NULL);
	if (value == NULL)
		return (Datum) 0;

	if (value->type == jbvNumeric)
	{
		*isnull = false;
		return NumericGetDatum(value->val.numeric);
	}
	if (value->type == jbvString &&
		is_decimal_string(value->val.string.val, value->val.string.len))
	{
		char	   *s = pnstrdup(value->val.string.val,
								 value->val.string.len);

		*isnull = false;
		return DirectFunctionCall3(numeric_in, CStringGetDatum(s),
								   ObjectIdGetDatum(InvalidOid),
								   Int32GetDatum(-1));
	}
	return (Datum) 0;
}

/*
 * Return true if message a beats message b: the later sent_at, and on a tie
 * the higher message_id (rule 7).
 */
static bool
beats(const CtCandidate *a, const CtCandidate *b)
{
	if (!b->found)
		return true;
	if (a->sent_at != b->sent_at)
		return a->sent_at > b->sent_at;
	return a->message_id > b->message_id;
}

/*
 * Return true if the slot's timestamp column is set and at or before t.
 */
static bool
happened_by(TupleTableSlot *slot, AttrNumber attnum, TimestampTz t)
{
	bool		isnull;
	Datum		value = slot_getattr(slot, attnum, &isnull);

	return !isnull && DatumGetTimestampTz(value) <= t;
}

/*
 * Weigh one message of the user, in the window and in a goal campaign,
 * against the best so far.
 */
static void
consider_message(TupleTableSlot *slot, const CtRelations *rels,
				 const CtEvent *event, const pg_uuid_t *token,
				 CtCandidates *best)
{
	const AttrNumber *col = rels->message_columns;
	CtCandidate this;
	bool		isnull;
	Datum		value;

	this.found = true;
	this.campaign_id = DatumGetInt64(slot_getattr(slot,
												  col[MSG_CAMPAIGN_ID],
												  &isnull));
	this.message_id = DatumGetInt64(slot_getattr(slot, col[MSG_MESSAGE_ID],
												 &isnull));
	this.sent_at = DatumGetTimestampTz(slot_getattr(slot, col[MSG_SENT_AT],
													&isnull));
	value = slot_getattr(slot, col[MSG_HELD_OUT], &isnull);
	this.held_out = !isnull && DatumGetBool(value);
	value = slot_getattr(slot, col[MSG_VARIANT], &isnull);
	this.variant = isnull ? (Datum) 0 : datumCopy(value, false, -1);
	value = slot_getattr(slot, col[MSG_STEP], &this.step_isnull);
	this.step = this.step_isnull ? 0 : DatumGetInt32(value);

	/*
	 * Rule 4: the token that came back with the event names its message.  A
	 * hold-out row was never sent, so its token cannot have come back.
	 */
	if (token != NULL && !this.held_out)
	{
		value = slot_getattr(slot, col[MSG_CONVERSION_TOKEN], &isnull);
		if (!isnull &&
			memcmp(DatumGetUUIDP(value)->data, token->data, UUID_LEN) == 0)
			best->direct = this;
	}

	/* Rule 5: messages sent, and opened or clicked by the event's time. */
	if (!this.held_out &&
		(happened_by(slot, col[MSG_OPENED_AT], event->occurred_at) ||
		 happened_by(slot, col[MSG_CLICKED_AT], event->occurred_at)) &&
		beats(&this, &best->view_through))
		best->view_through = this;

	/* Rule 6: any message, hold-out rows included. */
	if (beats(&this, &best->indirect))
		best->indirect = this;
}

/*
 * Find the best message of each type among the user's messages sent in
 * the window before the event (rules 3 to 7).
 *
 * The scan uses a dirty snapshot, which also returns rows that transactions
 * still in progress are writing.  On such a row it waits for the writer to
 * end and starts over, so the result is what is committed once no writer of
 * this user's messages is left in front of us.
 */
static void
find_candidates(const CtEvent *event, const CtGoal *goal, int64 window,
				const pg_uuid_t *token, CtCandidates *best)
{
	const CtRelations *rels = ct_relations();
	Relation	rel = table_open(rels->messages, AccessShareLock);
	Relation	index = index_open(rels->messages_user_sent_idx,
								   AccessShareLock);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	TimestampTz window_start;
	SnapshotData dirty;
	ScanKeyData keys[4];
	IndexScanDesc scan;
	ItemPointer tid;

	/* sent_at <= T <= sent_at + W, that is T - W <= sent_at <= T */
	if (pg_sub_s64_overflow(event->occurred_at, window, &window_start))
		window_start = DT_NOBEGIN;

	ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum(event->account_id));
	ScanKeyEntryInitialize(&keys[1], 0, 2, BTEqualStrategyNumber,
						   InvalidOid, index->rd_indcollation[1],
						   F_TEXTEQ, event->user_id);
	ScanKeyInit(&keys[2], 3, BTGreaterEqualStrategyNumber, F_TIMESTAMPTZ_GE,
				TimestampTzGetDatum(window_start));
	ScanKeyInit(&keys[3], 3, BTLessEqualStrategyNumber, F_TIMESTAMPTZ_LE,
				TimestampTzGetDatum(event->occurred_at));

	InitDirtySnapshot(dirty);

retry:
	memset(best, 0, sizeof(CtCandidates));
	scan = ct_index_beginscan(rel, index, &dirty, 4);
	scan->xs_want_itup = true;
	index_rescan(scan, keys, 4, NULL, 0);

	while ((tid = index_getnext_tid(scan, ForwardScanDirection)) != NULL)
	{
		bool		isnull;
		Datum		campaign_id = index_getattr(scan->xs_itup,
												MESSAGES_INDEX_CAMPAIGN_ID,
												scan->xs_itupdesc, &isnull);

		/* The index says the campaign: read no other campaign's row. */
		if (isnull || !ct_goal_has_campaign(goal, DatumGetInt64(campaign_id)))
			continue;

		/* Each version of the row that the dirty snapshot returns. */
		do
		{
			TransactionId writer;

			if (!index_fetch_heap(scan, slot))
				break;

			/* A row still being written: wait for its writer, rescan. */
			writer = TransactionIdIsValid(dirty.xmin) ?
				dirty.xmin : dirty.xmax;
			if (TransactionIdIsValid(writer))
			{
				ItemPointerData row = slot->tts_tid;

				index_endscan(scan);
				XactLockTableWait(writer, rel, &row, XLTW_None);
				goto retry;
			}

			consider_message(slot, rels, event, token, best);
		} while (scan->xs_heap_continue);
	}

	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(index, NoLock);
	table_close(rel, NoLock);
}

/*
 * Insert a conversion through a kept plan, with everything an INSERT does:
 * defaults, constraints, the table's own triggers.
 */
static void
insert_through_plan(const Datum *values, const bool *isnull)
{
	char		nulls[CONV_NCOLUMNS];

	/* Only this path needs SPI; goal events usually go without. */
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	if (insert_conversion_plan == NULL)
	{
		Oid			argtypes[CONV_NCOLUMNS] = {
			INT8OID, INT8OID, INT8OID, INT8OID, TEXTOID, TEXTOID, TEXTOID,
			TIMESTAMPTZOID, TIMESTAMPTZOID, BOOLOID, TEXTOID, INT4OID,
			NUMERICOID
		};

		insert_conversion_plan = ct_prepare_plan(
			"INSERT INTO conversion_tracking.conversions"
			" (account_id, event_id, campaign_id, message_id, user_id,"
			" event_name, conversion_type, converted_at, message_sent_at,"
			" held_out, variant, step, value)"
			" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
			CONV_NCOLUMNS, argtypes);
	}

	for (int i = 0; i < CONV_NCOLUMNS; i++)
		nulls[i] = isnull[i] ? 'n' : ' ';

	if (SPI_execute_plan(insert_conversion_plan, (Datum *) values, nulls,
						 false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not insert a conversion");

	SPI_finish();
}

/*
 * Insert a conversion straight into the heap and the indexes, as logical
 * replication applies a row.  Starting an executor for a one-row INSERT
 * costs more than the insert itself; this path is taken only when the
 * table is as the extension created it, with no trigger of the user's.
 */
static void
insert_directly(Relation rel, const CtRelations *rels, const Datum *values,
				const bool *isnull)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	TupleTableSlot *slot = MakeSingleTupleTableSlot(tupdesc,
													&TTSOpsVirtual);
	EState	   *estate = CreateExecutorState();
	ResultRelInfo *result_rel = makeNode(ResultRelInfo);
	AttrNumber	id_column = rels->conversion_id_column;

	/* Place each value in its column; conversion_id is the event's id. */
	ExecClearTuple(slot);
	memset(slot->tts_isnull, true, tupdesc->natts * sizeof(bool));
	for (int i = 0; i < CONV_NCOLUMNS; i++)
	{
		AttrNumber	attnum = rels->conversion_columns[i];

		slot->tts_values[attnum - 1] = values[i];
		slot->tts_isnull[attnum - 1] = isnull[i];
	}
	slot->tts_values[id_column - 1] = values[CONV_EVENT_ID];
	slot->tts_isnull[id_column - 1] = false;
	ExecStoreVirtualTuple(slot);

	/* Insert the row, then its index entries; the key refuses a second. */
	InitResultRelInfo(result_rel, rel, 1, NULL, 0);
	ExecOpenIndices(result_rel, false);
	table_tuple_insert(rel, slot, GetCurrentCommandId(true), 0, NULL);
	(void) ct_insert_index_tuples(result_rel, slot, estate);

	ExecCloseIndices(result_rel);
	FreeExecutorState(estate);
	ExecDropSingleTupleTableSlot(slot);
}

/*
 * Record the conversion: the event, the message that earned it, how, and
 * what explains it without a join.
 */
static void
insert_conversion(const CtEvent *event, const CtCandidate *message,
				  const char *conversion_type)
{
	const CtRelations *rels = ct_relations();
	Datum		values[CONV_NCOLUMNS];
	bool		isnull[CONV_NCOLUMNS];
	Relation	rel;
	CtSavedUser saved;

	memset(isnull, false, sizeof(isnull));
	values[CONV_ACCOUNT_ID] = Int64GetDatum(event->account_id);
	values[CONV_EVENT_ID] = Int64GetDatum(event->event_id);
	values[CONV_CAMPAIGN_ID] = Int64GetDatum(message->campaign_id);
	values[CONV_MESSAGE_ID] = Int64GetDatum(message->message_id);
	values[CONV_USER_ID] = event->user_id;
	values[CONV_EVENT_NAME] = event->event_name;
	values[CONV_CONVERSION_TYPE] = CStringGetTextDatum(conversion_type);
	values[CONV_CONVERTED_AT] = TimestampTzGetDatum(event->occurred_at);
	values[CONV_MESSAGE_SENT_AT] = TimestampTzGetDatum(message->sent_at);
	values[CONV_HELD_OUT] = BoolGetDatum(message->held_out);
	values[CONV_VARIANT] = message->variant;
	isnull[CONV_VARIANT] = (message->variant == (Datum) 0);
	values[CONV_STEP] = Int32GetDatum(message->step);
	isnull[CONV_STEP] = message->step_isnull;
	values[CONV_VALUE] = event_value(event, &isnull[CONV_VALUE]);

	rel = table_open(rels->conversions, RowExclusiveLock);
	if (rels->conversions_as_installed && rel->trigdesc == NULL)
		insert_directly(rel, rels, values, isnull);
	else
	{
		ct_become_owner(&saved);
		insert_through_plan(values, isnull);
		ct_restore_user(&saved);
	}
	table_close(rel, NoLock);
}

/*
 * Attribute one event by rules 1 to 8 and record its conversion, if it
 * earns one.  The caller has made sure that the event has no conversion
 * yet.  Return the conversion type, or NULL.
 */
static const char *
attribute(const CtEvent *event)
{
	const CtAccountGoals *account;
	const CtGoal *goal;
	pg_uuid_t	token;
	bool		have_token;
	CtCandidates best;
	const char *type = NULL;
	const CtCandidate *winner = NULL;

	/* Rule 1: only a goal of one of the account's campaigns can convert. */
	account = ct_account_goals(event->account_id);
	goal = ct_find_goal(account, TextDatumGetCString(event->event_name));
	if (goal == NULL || TIMESTAMP_NOT_FINITE(event->occurred_at))
		return NULL;

	/* Rules 2 to 7: the best message of each type in the window. */
	have_token = event_token(event, &token);
	find_candidates(event, goal, account->window_usecs,
					have_token ? &token : NULL, &best);

	/* Direct beats view-through beats indirect. */
	if (best.direct.found)
	{
		winner = &best.direct;
		type = "direct";
	}
	else if (best.view_through.found)
	{
		winner = &best.view_through;
		type = "view_through";
	}
	else if (best.indirect.found)
	{
		winner = &best.indirect;
		type = "indirect";
	}

	/* Rule 8: at most one conversion per event. */
	if (winner != NULL)
		insert_conversion(event, winner, type);
	return type;
}

/*
 * Return the memory context for one event's work, emptied.
 */
static MemoryContext
fresh_row_context(void)
{
	if (row_context == NULL)
		row_context = AllocSetContextCreate(TopMemoryContext,
											"conversion_tracking row",
											ALLOCSET_DEFAULT_SIZES);
	else
		MemoryContextReset(row_context);
	return row_context;
}

/*
 * Fill an event from a row whose columns for each CtEventColumn are at the
 * given numbers.  Return false when a column that attribution needs is
 * NULL; the table forbids that unless a user altered it.
 */
static bool
read_event(HeapTuple tuple, TupleDesc tupdesc, const AttrNumber *col,
		   CtEvent *event)
{
	Datum		values[EV_NCOLUMNS];
	bool		isnull[EV_NCOLUMNS];

	for (int i = 0; i < EV_NCOLUMNS; i++)
		values[i] = heap_getattr(tuple, col[i], tupdesc, &isnull[i]);

	if (isnull[EV_ACCOUNT_ID] || isnull[EV_EVENT_ID] || isnull[EV_USER_ID] ||
		isnull[EV_EVENT_NAME] || isnull[EV_OCCURRED_AT])
		return false;

	event->account_id = DatumGetInt64(values[EV_ACCOUNT_ID]);
	event->event_id = DatumGetInt64(values[EV_EVENT_ID]);
	event->user_id =
		PointerGetDatum(PG_DETOAST_DATUM_PACKED(values[EV_USER_ID]));
	event->event_name =
		PointerGetDatum(PG_DETOAST_DATUM_PACKED(values[EV_EVENT_NAME]));
	event->data = isnull[EV_DATA] ? NULL : DatumGetJsonbP(values[EV_DATA]);
	event->extras = isnull[EV_EXTRAS] ? NULL :
		DatumGetJsonbP(values[EV_EXTRAS]);
	event->occurred_at = DatumGetTimestampTz(values[EV_OCCURRED_AT]);
	return true;
}

/*
 * attribute_event() trigger
 *
 * AFTER INSERT ... FOR EACH ROW trigger on the events table, whose WHEN
 * condition lets only goal events through.  Attributes the new event and
 * records its conversion in the same transaction.
 */
Datum
ct_attribute_event_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	const CtRelations *rels;
	MemoryContext oldcxt;
	CtEvent		event;

	/* Check how we were called. */
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("attribute_event() was not called by trigger manager")));
	if (!TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("attribute_event() must be fired AFTER INSERT ... FOR EACH ROW")));

	rels = ct_relations();
	if (RelationGetRelid(trigdata->tg_relation) != rels->events)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("attribute_event() must be fired for table \"%s.events\"",
						CT_SCHEMA_NAME)));

	/* Read the new event, and attribute it. */
	oldcxt = MemoryContextSwitchTo(fresh_row_context());
	if (read_event(trigdata->tg_trigtuple,
				   RelationGetDescr(trigdata->tg_relation),
				   rels->event_columns, &event))
		(void) attribute(&event);

	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(row_context);
	return PointerGetDatum(NULL);
}

/*
 * attribute_event(account_id bigint, event_id bigint) returns text
 *
 * Attribute a stored event again from the current data and settings,
 * replacing its conversion.  Return the new conversion type, or NULL when
 * the event earns none.  The event must be visible to the caller.
 */
Datum
ct_attribute_event(PG_FUNCTION_ARGS)
{
	int64		account_id = PG_GETARG_INT64(0);
	int64		event_id = PG_GETARG_INT64(1);
	Datum		keys[2];
	CtSavedUser saved;
	CtEvent		event;
	const char *type = NULL;
	MemoryContext oldcxt;
	bool		readable;
	static const AttrNumber in_select_order[EV_NCOLUMNS] = {
		1, 2, 3, 4, 5, 6, 7
	};

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	if (read_event_plan == NULL)
	{
		Oid			argtypes[2] = {INT8OID, INT8OID};

		/* The columns in the order of CtEventColumn. */
		read_event_plan = ct_prepare_plan(
			"SELECT account_id, event_id, user_id, event_name, data, extras,"
			" occurred_at FROM conversion_tracking.events"
			" WHERE account_id OPERATOR(pg_catalog.=) $1"
			" AND event_id OPERATOR(pg_catalog.=) $2",
			2, argtypes);
		delete_conversion_plan = ct_prepare_plan(
			"DELETE FROM conversion_tracking.conversions"
			" WHERE account_id OPERATOR(pg_catalog.=) $1"
			" AND event_id OPERATOR(pg_catalog.=) $2",
			2, argtypes);
	}
	keys[0] = Int64GetDatum(account_id);
	keys[1] = Int64GetDatum(event_id);

	/* Read the event with the caller's own rights. */
	if (SPI_execute_plan(read_event_plan, keys, NULL, false, 1) !=
		SPI_OK_SELECT)
		elog(ERROR, "could not read event " INT64_FORMAT, event_id);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("event " INT64_FORMAT " of account " INT64_FORMAT " does not exist",
						event_id, account_id)));

	oldcxt = MemoryContextSwitchTo(fresh_row_context());
	readable = read_event(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
						  in_select_order, &event);

	/* Drop its conversion, then attribute it again. */
	ct_become_owner(&saved);
	if (SPI_execute_plan(delete_conversion_plan, keys, NULL, false, 0) !=
		SPI_OK_DELETE)
		elog(ERROR, "could not delete the conversion of event " INT64_FORMAT,
			 event_id);
	ct_restore_user(&saved);

	/* Asked for explicitly, so whatever conversion_tracking.attribution is. */
	if (readable)
		type = attribute(&event);
	MemoryContextSwitchTo(oldcxt);

	SPI_finish();

	if (type == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(type));
}

/*
 * forget_conversions() trigger
 *
 * AFTER DELETE ... FOR EACH STATEMENT trigger on events and on messages,
 * with the deleted rows as transition table "deleted_rows", and AFTER
 * TRUNCATE trigger on both: delete the conversions of what went, as the
 * owner of the tables, as a cascading foreign key would.
 */
Datum
ct_forget_conversions(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	const CtRelations *rels;
	Oid			relid;
	const char *query = NULL;
	CtSavedUser saved;

	/* Check how we were called. */
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("forget_conversions() was not called by trigger manager")));
	if (!TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event) ||
		!(TRIGGER_FIRED_BY_DELETE(trigdata->tg_event) ||
		  TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("forget_conversions() must be fired AFTER DELETE or TRUNCATE ... FOR EACH STATEMENT")));

	/* Pick the statement for the table the rows went from. */
	rels = ct_relations();
	relid = RelationGetRelid(trigdata->tg_relation);
	if (TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
		query = "TRUNCATE conversion_tracking.conversions";
	else if (relid == rels->events)
		query = "DELETE FROM conversion_tracking.conversions c"
			" USING deleted_rows d"
			" WHERE c.account_id OPERATOR(pg_catalog.=) d.account_id"
			" AND c.event_id OPERATOR(pg_catalog.=) d.event_id";
	else if (relid == rels->messages)
		query = "DELETE FROM conversion_tracking.conversions c"
			" USING deleted_rows d"
			" WHERE c.account_id OPERATOR(pg_catalog.=) d.account_id"
			" AND c.campaign_id OPERATOR(pg_catalog.=) d.campaign_id"
			" AND c.message_id OPERATOR(pg_catalog.=) d.message_id";
	else
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("forget_conversions() must be fired for table \"%s.events\" or \"%s.messages\"",
						CT_SCHEMA_NAME, CT_SCHEMA_NAME)));

	/*
	 * Run it as the owner.  The transition table is new at every call, so
	 * the statement is planned each time; deletes are rare.
	 */
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_register_trigger_data(trigdata) != SPI_OK_TD_REGISTER)
		elog(ERROR, "SPI_register_trigger_data failed");

	ct_become_owner(&saved);
	ct_execute_pinned(query);
	ct_restore_user(&saved);

	SPI_finish();
	return PointerGetDatum(NULL);
}
