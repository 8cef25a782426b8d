/*-------------------------------------------------------------------------
 *
 * settings.c
 *	  The extension's configuration parameters and the checks of an
 *	  account's settings.
 *
 * Copyright (c) 2026, conversion_tracking developers
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "conversion_tracking.h"

/* conversion_tracking.attribution: attribute events as they are inserted */
bool		ct_attribution_enabled = true;

PG_FUNCTION_INFO_V1(ct_is_valid_time_zone);

/*
 * Define the extension's configuration parameters and reserve its prefix.
 */
void
ct_define_settings(void)
{
	DefineCustomBoolVariable("conversion_tracking.attribution",
							 "Attributes each inserted event to a campaign.",
							 "When off, events are stored without conversions; "
							 "conversion_tracking.reattribute() catches up.",
							 &ct_attribution_enabled,
							 true,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	MarkGUCPrefixReserved("conversion_tracking");
}

/*
 * Return a conversion window in microseconds.  A day is 24 hours, so the
 * result never depends on the session's time zone.  The accounts table
 * refuses windows in months; should one come anyway, a month counts 30
 * days, as in PostgreSQL's own comparison of intervals.
 */
int64
ct_window_usecs(const Interval *window)
{
	int64		days = (int64) window->month * DAYS_PER_MONTH + window->day;

	return days * USECS_PER_DAY + window->time;
}

/*
 * is_valid_time_zone(name text) returns boolean
 *
 * True when PostgreSQL knows the time zone by that name, so that
 * "AT TIME ZONE name" works for the account's daily buckets.
 */
Datum
ct_is_valid_time_zone(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	pg_tz	   *zone;

	/* These name whatever the server's host is set to, not a zone. */
	if (name[0] == '\0' || pg_strcasecmp(name, "localtime") == 0 ||
		pg_strcasecmp(name, "posixrules") == 0)
		PG_RETURN_BOOL(false);

	zone = pg_tzset(name);
	PG_RETURN_BOOL(zone != NULL && pg_tz_acceptable(zone));
}
