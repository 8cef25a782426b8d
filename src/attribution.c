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
 * The row trigger only queues each goal event; the statement trigger that
 * follows it attributes the statement's goal events together, sorted in the
 * order of the messages index, with the relations and the scan opened once.
 * Consecutive probes then share index pages, which is most of what a goal
 * event costs once the messages table outgrows the CPU caches.  Either way
 * the events are attributed when the statement ends, in its transaction,
 * as a plain AFTER ROW trigger would.
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

/*
 * Goal events queued at most before the row trigger attributes them without
 * waiting for the statement's end: enough for probes in key order to share
 * index pages, few enough that a long COPY keeps its memory flat.
 */
#define MAX_QUEUED_EVENTS 8192

/* An event, as attribution needs it. */
typedef struct CtEvent
{
	int64		account_id;
	int64		event_id;
	Datum		user_id;		/* text */
	Datum		event_name;		/* text */
	TimestampTz occurred_at;
	bool		has_token;		/* extras->'vero_conv' read as a token */
	pg_uuid_t	token;
	Datum		value;			/* numeric, or 0 when the event has none */
	int			nest_level;		/* of the transaction that inserted it */
} CtEvent;

/*
 * The goal events that the row trigger has queued for the statement
 * trigger.  Events of a subtransaction come after those of its parent, so
 * that the events of a subtransaction that ends are always at the end.
 */
typedef struct CtEventQueue
{
	MemoryContext context;		/* holds the array and the events' values */
	CtEvent    *events;
	int			nevents;
	int			size;
} CtEventQueue;

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

/*
 * What attribution keeps open while it works through a batch of events:
 * the scan of the messages index, and the conversions table with its
 * indexes.
 */
typedef struct CtAttributor
{
	CtRelations rels;			/* a copy: an invalidation may rebuild it */
	MemoryContext batch_context;	/* lives as long as the batch */
	MemoryContext row_context;	/* reset for every event */
	Relation	messages;
	Relation	messages_index;
	TupleTableSlot *message_slot;
	SnapshotData dirty;
	IndexScanDesc scan;
	Relation	conversions;
	bool		insert_directly;
	EState	   *estate;
	ResultRelInfo *conversions_info;
	TupleTableSlot *conversion_slot;
} CtAttributor;

static CtEventQueue queue;

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
read_token(Jsonb *extras, pg_uuid_t *token)
{
	JsonbValue *value;

	if (extras == NULL || !JB_ROOT_IS_OBJECT(extras))
		return false;

	value = getKeyJsonValueFromContainer(&extras->root,
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
 * string holding a decimal number, and 0 otherwise.
 */
static Datum
read_value(Jsonb *data)
{
	JsonbValue *value;

	if (data == NULL || !JB_ROOT_IS_OBJECT(data))
		return (Datum) 0;

	value = getKeyJsonValueFromContainer(&data->root,
										 "revenue", strlen("revenue"), NULL);
	if (value == NULL)
		return (Datum) 0;

	if (value->type == jbvNumeric)
		return NumericGetDatum(value->val.numeric);
	if (value->type == jbvString &&
		is_decimal_string(value->val.string.val, value->val.string.len))
	{
		char	   *s = pnstrdup(value->val.string.val,
								 value->val.string.len);

		return DirectFunctionCall3(numeric_in, CStringGetDatum(s),
								   ObjectIdGetDatum(InvalidOid),
								   Int32GetDatum(-1));
	}
	return (Datum) 0;
}

/*
 * Fill an event from a row whose columns for each CtEventColumn are at the
 * given numbers.  Return false when a column that attribution needs is
 * NULL; the table forbids that unless a user altered it.  The event points
 * into the row and into memory of the current context.
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
	event->occurred_at = DatumGetTimestampTz(values[EV_OCCURRED_AT]);
	event->has_token = !isnull[EV_EXTRAS] &&
		read_token(DatumGetJsonbP(values[EV_EXTRAS]), &event->token);
	event->value = isnull[EV_DATA] ? (Datum) 0 :
		read_value(DatumGetJsonbP(values[EV_DATA]));
	event->nest_level = GetCurrentTransactionNestLevel();
	return true;
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
 * against the best so far.  What the winner keeps of the row is copied
 * into row_context.
 */
static void
consider_message(TupleTableSlot *slot, const AttrNumber *col,
				 const CtEvent *event, MemoryContext row_context,
				 CtCandidates *best)
{
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
	this.variant = (Datum) 0;
	if (!isnull)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(row_context);

		this.variant = datumCopy(value, false, -1);
		MemoryContextSwitchTo(oldcxt);
	}
	value = slot_getattr(slot, col[MSG_STEP], &this.step_isnull);
	this.step = this.step_isnull ? 0 : DatumGetInt32(value);

	/*
	 * Rule 4: the token that came back with the event names its message.  A
	 * hold-out row was never sent, so its token cannot have come back.
	 */
	if (event->has_token && !this.held_out)
	{
		value = slot_getattr(slot, col[MSG_CONVERSION_TOKEN], &isnull);
		if (!isnull &&
			memcmp(DatumGetUUIDP(value)->data, event->token.data,
				   UUID_LEN) == 0)
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
 * Return true if the conversions table is as the extension created it: a
 * plain table with no column added or dropped, no trigger, and nothing
 * checked on insert but its one CHECK constraint and NOT NULL on columns
 * that attribution always fills.  What a user added must still apply,
 * which only the prepared INSERT does.
 */
static bool
conversions_as_installed(Relation rel, const CtRelations *rels)
{
	TupleConstr *constr = RelationGetDescr(rel)->constr;
	static const CtConversionColumn nullable[] = {
		CONV_VARIANT, CONV_STEP, CONV_VALUE
	};

	if (rel->rd_rel->relkind != RELKIND_RELATION ||
		RelationGetNumberOfAttributes(rel) != CONV_NCOLUMNS + 1 ||
		rel->trigdesc != NULL)
		return false;

	if (constr == NULL || constr->num_check != 1 ||
		strcmp(constr->check[0].ccname, "conversions_type_known") != 0)
		return false;

	for (int i = 0; i < lengthof(nullable); i++)
	{
		AttrNumber	attnum = rels->conversion_columns[nullable[i]];

		if (TupleDescAttr(RelationGetDescr(rel), attnum - 1)->attnotnull)
			return false;
	}
	return true;
}

/*
 * Open what attribution of a batch of events needs.  Memory that lives as
 * long as the batch comes from the current context.
 */
static void
begin_attribution(CtAttributor *att)
{
	const CtRelations *rels = ct_relations();

	att->rels = *rels;
	att->batch_context = CurrentMemoryContext;
	att->row_context = AllocSetContextCreate(CurrentMemoryContext,
											 "conversion_tracking event",
											 ALLOCSET_DEFAULT_SIZES);

	/* The candidate scan: begun once, rescanned for each event. */
	att->messages = table_open(rels->messages, AccessShareLock);
	att->messages_index = index_open(rels->messages_user_sent_idx,
									 AccessShareLock);
	att->message_slot = table_slot_create(att->messages, NULL);
	InitDirtySnapshot(att->dirty);
	att->scan = ct_index_beginscan(att->messages, att->messages_index,
								   &att->dirty, 4);
	att->scan->xs_want_itup = true;

	/*
	 * The conversions are written straight into the heap and the indexes,
	 * as logical replication applies a row: starting an executor for each
	 * one-row INSERT would cost more than the insert itself.  That is only
	 * right while the table is as the extension created it; otherwise a
	 * prepared INSERT does it all.
	 */
	att->conversions = table_open(rels->conversions, RowExclusiveLock);
	att->insert_directly = conversions_as_installed(att->conversions, rels);
	if (att->insert_directly)
	{
		att->estate = CreateExecutorState();
		att->conversions_info = makeNode(ResultRelInfo);
		InitResultRelInfo(att->conversions_info, att->conversions, 1, NULL,
						  0);
		ExecOpenIndices(att->conversions_info, false);
		att->conversion_slot =
			MakeSingleTupleTableSlot(RelationGetDescr(att->conversions),
									 &TTSOpsVirtual);
	}
}

/*
 * Close what begin_attribution() opened.
 */
static void
end_attribution(CtAttributor *att)
{
	if (att->insert_directly)
	{
		ExecDropSingleTupleTableSlot(att->conversion_slot);
		ExecCloseIndices(att->conversions_info);
		FreeExecutorState(att->estate);
	}
	table_close(att->conversions, NoLock);

	index_endscan(att->scan);
	ExecDropSingleTupleTableSlot(att->message_slot);
	index_close(att->messages_index, NoLock);
	table_close(att->messages, NoLock);
	MemoryContextDelete(att->row_context);
}

/*
 * Find the best message of each type among the user's messages sent in
 * the window before the event (rules 3 to 7).
 *
 * The scan uses a dirty snapshot, which also returns rows that transactions
 * still in progress are writing.  On such a row it waits for the writer to
 * end and starts over, so the result is what is committed once no writer of
 * this user's messages is left in front of us.
 *
 * A B-tree scan allocates some of its buffers on first need, in the current
 * memory context, and keeps them until it ends: the scan runs in the
 * batch's context.
 */
static void
find_candidates(CtAttributor *att, const CtEvent *event,
				const CtGoal *goal, int64 window, CtCandidates *best)
{
	IndexScanDesc scan = att->scan;
	TupleTableSlot *slot = att->message_slot;
	TimestampTz window_start;
	ScanKeyData keys[4];
	ItemPointer tid;
	MemoryContext oldcxt = MemoryContextSwitchTo(att->batch_context);

	/* sent_at <= T <= sent_at + W, that is T - W <= sent_at <= T */
	if (pg_sub_s64_overflow(event->occurred_at, window, &window_start))
		window_start = DT_NOBEGIN;

	ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum(event->account_id));
	ScanKeyEntryInitialize(&keys[1], 0, 2, BTEqualStrategyNumber,
						   InvalidOid,
						   att->messages_index->rd_indcollation[1],
						   F_TEXTEQ, event->user_id);
	ScanKeyInit(&keys[2], 3, BTGreaterEqualStrategyNumber, F_TIMESTAMPTZ_GE,
				TimestampTzGetDatum(window_start));
	ScanKeyInit(&keys[3], 3, BTLessEqualStrategyNumber, F_TIMESTAMPTZ_LE,
				TimestampTzGetDatum(event->occurred_at));

retry:
	memset(best, 0, sizeof(CtCandidates));
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

			/*
			 * A row still being written: wait for its writer and scan again.
			 * Rescanning first lets go of the pages the scan holds pinned,
			 * which a VACUUM that the writer waits for may need.
			 */
			writer = TransactionIdIsValid(att->dirty.xmin) ?
				att->dirty.xmin : att->dirty.xmax;
			if (TransactionIdIsValid(writer))
			{
				ItemPointerData row = slot->tts_tid;

				ExecClearTuple(slot);
				index_rescan(scan, keys, 4, NULL, 0);
				XactLockTableWait(writer, att->messages, &row, XLTW_None);
				goto retry;
			}

			consider_message(slot, att->rels.message_columns, event,
							 att->row_context, best);
		} while (scan->xs_heap_continue);
	}
	ExecClearTuple(slot);
	MemoryContextSwitchTo(oldcxt);
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
 * Insert a conversion straight into the heap and the indexes.
 */
static void
insert_directly(CtAttributor *att, const Datum *values, const bool *isnull)
{
	TupleTableSlot *slot = att->conversion_slot;
	int			natts = slot->tts_tupleDescriptor->natts;
	AttrNumber	id_column = att->rels.conversion_id_column;

	/* Place each value in its column; conversion_id is the event's id. */
	ExecClearTuple(slot);
	memset(slot->tts_isnull, true, natts * sizeof(bool));
	for (int i = 0; i < CONV_NCOLUMNS; i++)
	{
		AttrNumber	attnum = att->rels.conversion_columns[i];

		slot->tts_values[attnum - 1] = values[i];
		slot->tts_isnull[attnum - 1] = isnull[i];
	}
	slot->tts_values[id_column - 1] = values[CONV_EVENT_ID];
	slot->tts_isnull[id_column - 1] = false;
	ExecStoreVirtualTuple(slot);

	/* Insert the row, then its index entries; the key refuses a second. */
	table_tuple_insert(att->conversions, slot, GetCurrentCommandId(true), 0,
					   NULL);
	(void) ct_insert_index_tuples(att->conversions_info, slot, att->estate);

	ExecClearTuple(slot);
	ResetPerTupleExprContext(att->estate);
}

/*
 * Record the conversion: the event, the message that earned it, how, and
 * what explains it without a join.
 */
static void
insert_conversion(CtAttributor *att, const CtEvent *event,
				  const CtCandidate *message, const char *conversion_type)
{
	Datum		values[CONV_NCOLUMNS];
	bool		isnull[CONV_NCOLUMNS];

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
	values[CONV_VALUE] = event->value;
	isnull[CONV_VALUE] = (event->value == (Datum) 0);

	if (att->insert_directly)
		insert_directly(att, values, isnull);
	else
	{
		CtSavedUser saved;

		ct_become_owner(&saved);
		insert_through_plan(values, isnull);
		ct_restore_user(&saved);
	}
}

/*
 * Attribute one event by rules 1 to 8 and record its conversion, if it
 * earns one.  The caller has made sure that the event has no conversion
 * yet.  Return the conversion type, or NULL.
 */
static const char *
attribute(CtAttributor *att, const CtEvent *event)
{
	const CtAccountGoals *account;
	const CtGoal *goal;
	CtCandidates best;
	const char *type = NULL;
	const CtCandidate *winner = NULL;
	MemoryContext oldcxt;

	oldcxt = MemoryContextSwitchTo(att->row_context);

	/* Rule 1: only a goal of one of the account's campaigns can convert. */
	account = ct_account_goals(event->account_id);
	goal = ct_find_goal(account, TextDatumGetCString(event->event_name));
	if (goal == NULL || TIMESTAMP_NOT_FINITE(event->occurred_at))
		goto done;

	/* Rules 2 to 7: the best message of each type in the window. */
	find_candidates(att, event, goal, account->window_usecs, &best);

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
		insert_conversion(att, event, winner, type);

done:
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(att->row_context);
	return type;
}

/*
 * Order events as the messages index orders its keys: account, then user
 * id bytewise as COLLATE "C" compares, then time.
 */
static int
compare_events(const void *a, const void *b)
{
	const CtEvent *x = (const CtEvent *) a;
	const CtEvent *y = (const CtEvent *) b;
	int			xlen,
				ylen,
				result;

	if (x->account_id != y->account_id)
		return x->account_id < y->account_id ? -1 : 1;

	xlen = VARSIZE_ANY_EXHDR(DatumGetPointer(x->user_id));
	ylen = VARSIZE_ANY_EXHDR(DatumGetPointer(y->user_id));
	result = memcmp(VARDATA_ANY(DatumGetPointer(x->user_id)),
					VARDATA_ANY(DatumGetPointer(y->user_id)),
					Min(xlen, ylen));
	if (result != 0)
		return result;
	if (xlen != ylen)
		return xlen < ylen ? -1 : 1;

	if (x->occurred_at != y->occurred_at)
		return x->occurred_at < y->occurred_at ? -1 : 1;
	if (x->event_id != y->event_id)
		return x->event_id < y->event_id ? -1 : 1;
	return 0;
}

/*
 * Copy an event's values into the current memory context.
 */
static void
copy_event_values(CtEvent *event)
{
	event->user_id = datumCopy(event->user_id, false, -1);
	event->event_name = datumCopy(event->event_name, false, -1);
	if (event->value != (Datum) 0)
		event->value = datumCopy(event->value, false, -1);
}

/*
 * Queue a goal event for the statement trigger.
 */
static void
queue_event(const CtEvent *event)
{
	MemoryContext oldcxt;

	if (queue.context == NULL)
		queue.context = AllocSetContextCreate(TopMemoryContext,
											  "conversion_tracking queue",
											  ALLOCSET_DEFAULT_SIZES);
	oldcxt = MemoryContextSwitchTo(queue.context);

	if (queue.nevents == queue.size)
	{
		queue.size = Max(64, queue.size * 2);
		if (queue.events == NULL)
			queue.events = palloc(queue.size * sizeof(CtEvent));
		else
			queue.events = repalloc(queue.events,
									queue.size * sizeof(CtEvent));
	}
	queue.events[queue.nevents] = *event;
	copy_event_values(&queue.events[queue.nevents]);
	queue.nevents++;

	MemoryContextSwitchTo(oldcxt);
}

/*
 * Empty the queue, and give its memory back.
 */
static void
clear_queue(void)
{
	if (queue.context != NULL)
		MemoryContextDelete(queue.context);
	memset(&queue, 0, sizeof(queue));
}

/*
 * Return the index of the first queued event that the transaction at this
 * nesting level or one of its subtransactions queued; they are the last.
 */
static int
first_event_of_level(int level)
{
	int			first = queue.nevents;

	while (first > 0 && queue.events[first - 1].nest_level >= level)
		first--;
	return first;
}

/*
 * Attribute the queued events that the current transaction may attribute:
 * those it queued itself, and those of its subtransactions that committed.
 * Events that an outer transaction queued stay for its own statement, so
 * that rolling back a subtransaction cannot take their conversions along.
 */
static void
attribute_queued_events(void)
{
	int			level = GetCurrentTransactionNestLevel();
	int			first = first_event_of_level(level);
	int			nevents = queue.nevents - first;
	MemoryContext oldcxt = CurrentMemoryContext;
	MemoryContext batch_context;
	CtEvent    *events;
	CtAttributor att;

	if (nevents == 0)
		return;

	/*
	 * Take the events out of the queue before attributing any, since an
	 * insert into conversions may run a user's trigger that inserts events
	 * and queues them.  Usually that is the whole queue, memory and all.
	 */
	if (first == 0)
	{
		batch_context = queue.context;
		events = queue.events;
		MemoryContextSetParent(batch_context, CurrentMemoryContext);
		memset(&queue, 0, sizeof(queue));
	}
	else
	{
		batch_context = AllocSetContextCreate(CurrentMemoryContext,
											  "conversion_tracking batch",
											  ALLOCSET_DEFAULT_SIZES);
		MemoryContextSwitchTo(batch_context);
		events = palloc(nevents * sizeof(CtEvent));
		memcpy(events, queue.events + first, nevents * sizeof(CtEvent));
		for (int i = 0; i < nevents; i++)
			copy_event_values(&events[i]);
		queue.nevents = first;
	}

	/* Probe the index in its own order, so that probes share pages. */
	MemoryContextSwitchTo(batch_context);
	qsort(events, nevents, sizeof(CtEvent), compare_events);

	begin_attribution(&att);
	for (int i = 0; i < nevents; i++)
		(void) attribute(&att, &events[i]);
	end_attribution(&att);

	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(batch_context);
}

/*
 * attribute_event_trigger() trigger
 *
 * Two triggers on the events table call it.  As the AFTER INSERT ... FOR
 * EACH ROW trigger, whose WHEN condition lets only goal events through, it
 * queues the new event.  As the AFTER INSERT ... FOR EACH STATEMENT
 * trigger, which fires after the statement's row triggers, it attributes
 * the queued events and records their conversions.
 */
Datum
ct_attribute_event_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	const CtRelations *rels;
	CtEvent		event;

	/* Check how we were called. */
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("attribute_event_trigger() was not called by trigger manager")));
	if (!TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("attribute_event_trigger() must be fired AFTER INSERT")));

	rels = ct_relations();
	if (RelationGetRelid(trigdata->tg_relation) != rels->events)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("attribute_event_trigger() must be fired for table \"%s.events\"",
						CT_SCHEMA_NAME)));

	/* The statement is over: attribute its goal events. */
	if (TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
	{
		attribute_queued_events();
		return PointerGetDatum(NULL);
	}

	/*
	 * Queue the new event; the trigger manager frees what reading it
	 * allocates.  A long statement attributes its events by batches, so
	 * that the queue does not grow with it.  Under session_replication_role
	 * = replica, where the apply worker of logical replication fires this
	 * trigger if it is enabled ALWAYS, no statement trigger follows the row
	 * triggers of an insert: the event is attributed at once.
	 */
	if (read_event(trigdata->tg_trigtuple,
				   RelationGetDescr(trigdata->tg_relation),
				   rels->event_columns, &event))
		queue_event(&event);
	if (queue.nevents >= MAX_QUEUED_EVENTS ||
		SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA)
		attribute_queued_events();

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
	{
		CtAttributor att;

		begin_attribution(&att);
		type = attribute(&att, &event);
		end_attribution(&att);
	}

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

/*
 * Keep the queue in step with the transaction: a subtransaction that rolls
 * back takes its queued events along, one that commits hands them to its
 * parent.
 */
static void
queue_subxact_callback(SubXactEvent xact_event, SubTransactionId subid,
					   SubTransactionId parent_subid, void *arg)
{
	int			level = GetCurrentTransactionNestLevel();
	int			first;

	if (xact_event != SUBXACT_EVENT_ABORT_SUB &&
		xact_event != SUBXACT_EVENT_COMMIT_SUB)
		return;

	first = first_event_of_level(level);

	if (xact_event == SUBXACT_EVENT_ABORT_SUB)
		queue.nevents = first;
	else
		for (int i = first; i < queue.nevents; i++)
			queue.events[i].nest_level = level - 1;
}

/*
 * Empty the queue when the transaction ends.  Every event should have been
 * attributed by then; one left over means that the statement trigger did
 * not fire, and committing would lose its conversion.
 */
static void
queue_xact_callback(XactEvent xact_event, void *arg)
{
	switch (xact_event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			if (queue.nevents > 0)
				ereport(ERROR,
						(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
						 errmsg_plural("%d goal event was not attributed",
									   "%d goal events were not attributed",
									   queue.nevents, queue.nevents),
						 errdetail("Trigger \"attribute_queued_events\" of table \"%s.events\" did not fire after trigger \"attribute_event\".",
								   CT_SCHEMA_NAME),
						 errhint("Enable and disable the two triggers together.")));
			break;
		default:
			clear_queue();
			break;
	}
}

/*
 * Register the callbacks that keep the queue of goal events in step with
 * the transaction.
 */
void
ct_attribution_init(void)
{
	RegisterXactCallback(queue_xact_callback, NULL);
	RegisterSubXactCallback(queue_subxact_callback, NULL);
}
