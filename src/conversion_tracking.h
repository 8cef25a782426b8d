/*-------------------------------------------------------------------------
 *
 * conversion_tracking.h
 *	  Declarations shared by the files of the conversion_tracking extension.
 *
 * Copyright (c) 2026, conversion_tracking developers
 *
 *-------------------------------------------------------------------------
 */
#ifndef CONVERSION_TRACKING_H
#define CONVERSION_TRACKING_H

#include "datatype/timestamp.h"
#include "executor/spi.h"
#include "pgtime.h"
#include "utils/uuid.h"

/* What differs between the PostgreSQL major versions we build against. */
#if PG_VERSION_NUM >= 180000
#define ct_index_beginscan(heap, index, snapshot, nkeys) \
	index_beginscan((heap), (index), (snapshot), NULL, (nkeys), 0)
#else
#define ct_index_beginscan(heap, index, snapshot, nkeys) \
	index_beginscan((heap), (index), (snapshot), (nkeys), 0)
#endif

#if PG_VERSION_NUM >= 160000
#define ct_insert_index_tuples(result_rel, slot, estate) \
	ExecInsertIndexTuples((result_rel), (slot), (estate), false, false, \
						  NULL, NIL, false)
#else
#define ct_insert_index_tuples(result_rel, slot, estate) \
	ExecInsertIndexTuples((result_rel), (slot), (estate), false, false, \
						  NULL, NIL)
#endif

#if PG_VERSION_NUM >= 170000
#define CT_MY_LXID (MyProc->vxid.lxid)
#else
#define CT_MY_LXID (MyProc->lxid)
#endif

/* Name of the extension's schema, fixed by the control file. */
#define CT_SCHEMA_NAME "conversion_tracking"

/* settings.c */
extern bool ct_attribution_enabled;
extern void ct_define_settings(void);
extern int64 ct_window_usecs(const Interval *window);
extern pg_tz *ct_find_time_zone(const char *name);

/*
 * messages_user_sent_idx is (account_id, user_id, sent_at) INCLUDE
 * (campaign_id): the scan skips other campaigns without reading their rows.
 */
#define MESSAGES_INDEX_CAMPAIGN_ID 4

/* Columns of messages that attribution reads. */
typedef enum CtMessageColumn
{
	MSG_MESSAGE_ID,
	MSG_CAMPAIGN_ID,
	MSG_STEP,
	MSG_VARIANT,
	MSG_HELD_OUT,
	MSG_SENT_AT,
	MSG_OPENED_AT,
	MSG_CLICKED_AT,
	MSG_CONVERSION_TOKEN,
	MSG_NCOLUMNS
} CtMessageColumn;

/* Columns of events that attribution reads. */
typedef enum CtEventColumn
{
	EV_ACCOUNT_ID,
	EV_EVENT_ID,
	EV_USER_ID,
	EV_EVENT_NAME,
	EV_DATA,
	EV_EXTRAS,
	EV_OCCURRED_AT,
	EV_NCOLUMNS
} CtEventColumn;

/*
 * Columns of conversions that attribution writes, in the order of the
 * parameters of its INSERT.  conversion_id is generated from event_id.
 */
typedef enum CtConversionColumn
{
	CONV_ACCOUNT_ID,
	CONV_EVENT_ID,
	CONV_CAMPAIGN_ID,
	CONV_MESSAGE_ID,
	CONV_USER_ID,
	CONV_EVENT_NAME,
	CONV_CONVERSION_TYPE,
	CONV_CONVERTED_AT,
	CONV_MESSAGE_SENT_AT,
	CONV_HELD_OUT,
	CONV_VARIANT,
	CONV_STEP,
	CONV_VALUE,
	CONV_NCOLUMNS
} CtConversionColumn;

/*
 * The extension's relations and the columns it reads, looked up by name
 * once per backend and again after any of them is altered or dropped.
 */
typedef struct CtRelations
{
	Oid			schema;
	Oid			accounts;
	Oid			campaigns;
	Oid			messages;
	Oid			messages_user_sent_idx;
	Oid			events;
	Oid			conversions;
	Oid			owner;			/* owner of the extension's tables */
	AttrNumber	message_columns[MSG_NCOLUMNS];
	AttrNumber	event_columns[EV_NCOLUMNS];
	AttrNumber	conversion_columns[CONV_NCOLUMNS];
	AttrNumber	conversion_id_column;
} CtRelations;

/* One account's goals, as the attribution needs them. */
typedef struct CtAccountGoals
{
	int64		account_id;
	int64		window_usecs;	/* the conversion window, 24-hour days */
	int			ngoals;
	struct CtGoal *goals;		/* sorted by event name */
} CtAccountGoals;

/* The campaigns whose goal is one event name, within one account. */
typedef struct CtGoal
{
	char	   *event_name;
	int			ncampaigns;
	int64	   *campaign_ids;	/* sorted ascending */
} CtGoal;

/* A user switched away from while the extension runs its own queries. */
typedef struct CtSavedUser
{
	Oid			userid;
	int			sec_context;
} CtSavedUser;

/* attribution.c */
extern void ct_attribution_init(void);

/* cache.c */
extern void ct_cache_init(void);
extern const CtRelations *ct_relations(void);
extern void ct_become_owner(CtSavedUser *saved);
extern void ct_restore_user(const CtSavedUser *saved);
extern SPIPlanPtr ct_prepare_plan(const char *query, int nargs,
								  Oid *argtypes);
extern void ct_execute_pinned(const char *query);
extern const CtAccountGoals *ct_account_goals(int64 account_id);
extern const CtGoal *ct_find_goal(const CtAccountGoals *account,
								  const char *event_name);
extern bool ct_goal_has_campaign(const CtGoal *goal, int64 campaign_id);

/* links.c */
extern bool ct_parse_token(const char *text, int len, pg_uuid_t *token);

#endif							/* CONVERSION_TRACKING_H */
