/*-------------------------------------------------------------------------
 *
 * insights.c
 *	  The computations behind the insight views: the day a conversion
 *	  falls on in its account's time zone, the standard normal
 *	  distribution and the two-proportion z-test.
 *
 * Copyright (c) 2026, conversion_tracking developers
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

#include "conversion_tracking.h"

PG_FUNCTION_INFO_V1(ct_local_date);
PG_FUNCTION_INFO_V1(ct_normal_cdf);
PG_FUNCTION_INFO_V1(ct_two_proportion_p_value);

/*
 * local_date(ts timestamptz, time_zone text) returns date
 *
 * The date that the wall clocks of the time zone showed at ts, for the
 * daily buckets of an account.  The zone is looked up as the accounts
 * table checks it (ct_find_time_zone), so the answer depends neither on
 * the session's TimeZone nor on its timezone_abbreviations.  Infinite
 * times give infinite dates.
 */
Datum
ct_local_date(PG_FUNCTION_ARGS)
{
	TimestampTz ts = PG_GETARG_TIMESTAMPTZ(0);
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	pg_tz	   *zone = ct_find_time_zone(name);
	struct pg_tm tm;
	fsec_t		fsec;
	int			offset;
	DateADT		result;

	if (zone == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time zone \"%s\" not recognized", name),
				 errhint("Use a name from pg_timezone_names, such as 'Europe/Paris'.")));

	if (TIMESTAMP_IS_NOBEGIN(ts))
		DATE_NOBEGIN(result);
	else if (TIMESTAMP_IS_NOEND(ts))
		DATE_NOEND(result);
	else
	{
		if (timestamp2tm(ts, &offset, &tm, &fsec, NULL, zone) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("timestamp out of range")));
		result = date2j(tm.tm_year, tm.tm_mon, tm.tm_mday) -
			POSTGRES_EPOCH_JDATE;
	}

	PG_RETURN_DATEADT(result);
}

/*
 * Return P(Z <= x) for a standard normal Z.  erfc keeps its precision far
 * into both tails, where 1 - erf would round to zero.
 */
static double
standard_normal_cdf(double x)
{
	return 0.5 * erfc(-x / M_SQRT2);
}

/*
 * Refuse a group whose count of successes is not within 0 and its size.
 */
static void
check_group(int64 successes, int64 size, int group)
{
	if (size < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("size of group %d must not be negative", group),
				 errdetail("The size given was " INT64_FORMAT ".", size)));
	if (successes < 0 || successes > size)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("successes of group %d must be between 0 and the size of the group",
						group),
				 errdetail("Group %d has " INT64_FORMAT " successes out of "
						   INT64_FORMAT ".", group, successes, size)));
}

/*
 * normal_cdf(x double precision) returns double precision
 *
 * The cumulative distribution function of the standard normal distribution
 * at x.  Strict: NULL gives NULL.
 */
Datum
ct_normal_cdf(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(standard_normal_cdf(PG_GETARG_FLOAT8(0)));
}

/*
 * two_proportion_p_value(x1 bigint, n1 bigint, x2 bigint, n2 bigint)
 * returns double precision
 *
 * The two-sided p-value of the pooled two-proportion z-test of x1 successes
 * out of n1 against x2 out of n2:
 *
 *		p = (x1 + x2) / (n1 + n2)
 *		z = (x1 / n1 - x2 / n2) / sqrt(p (1 - p) (1 / n1 + 1 / n2))
 *		p-value = 2 (1 - Phi(|z|)) = erfc(|z| / sqrt(2))
 *
 * Returns NULL where the test is undefined: an argument is NULL, a group is
 * empty, or the pooled variance is zero (no successes at all, or nothing
 * but successes).  Raises an error when successes are negative or exceed
 * their group.
 */
Datum
ct_two_proportion_p_value(PG_FUNCTION_ARGS)
{
	int64		x1;
	int64		n1;
	int64		x2;
	int64		n2;
	double		pooled;
	double		variance;
	double		z;

	/* Not strict, so that a NULL argument reads as "undefined" too. */
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) ||
		PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_NULL();

	x1 = PG_GETARG_INT64(0);
	n1 = PG_GETARG_INT64(1);
	x2 = PG_GETARG_INT64(2);
	n2 = PG_GETARG_INT64(3);
	check_group(x1, n1, 1);
	check_group(x2, n2, 2);

	if (n1 == 0 || n2 == 0)
		PG_RETURN_NULL();

	/* Sums in double precision: bigint counts may not add up in int64. */
	pooled = ((double) x1 + (double) x2) / ((double) n1 + (double) n2);
	variance = pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2);
	if (!(variance > 0.0))
		PG_RETURN_NULL();

	z = ((double) x1 / n1 - (double) x2 / n2) / sqrt(variance);
	PG_RETURN_FLOAT8(erfc(fabs(z) / M_SQRT2));
}
