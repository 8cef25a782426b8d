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
 * Return the time zone of the tz database by that name, in any case, or the
 * zone that a POSIX specification such as "EST5EDT" describes, as SET
 * TimeZone reads them; NULL when there is none.  Unlike AT TIME ZONE, it
 * never reads the name as an abbreviation of the session's
 * timezone_abbreviations, so "CET" is the zone with its summer time, not a
 * fixed offset, whatever the session's settings.
 */
pg_tz *
ct_find_time_zone(const char *name)
{
	pg_tz	   *zone;

	/* These name whatever the server's host is set to, not a zone. */
	if (name[0] == '\0' || pg_strcasecmp(name, "localtime") == 0 ||
		pg_strcasecmp(name, "posixrules") == 0)
		return NULL;

	zone = pg_tzset(name);
	if (zone == NULL || !pg_tz_acceptable(zone))
		return NULL;
	return zone;
}

/*
 * is_valid_time_zone(name text) returns boolean
 *
 * True when ct_find_time_zone() knows the name, so that the account's
 * daily buckets can be computed in that zone.
 */
Datum
ct_is_valid_time_zone(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));

	PG_RETURN_BOOL(ct_find_time_zone(name) != NULL);
}
