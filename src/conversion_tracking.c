/*-------------------------------------------------------------------------
 *
 * conversion_tracking.c
 *	  Module entry point: loads the settings and prepares the caches.
 *
 * Copyright (c) 2026, conversion_tracking developers
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"

#include "conversion_tracking.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * Define the settings, and register the callbacks of the caches and of the
 * queue of goal events.
 */
void
_PG_init(void)
{
	ct_define_settings();
	ct_cache_init();
	ct_attribution_init();
}
