# Makefile for the conversion_tracking extension (PGXS)

EXTENSION = conversion_tracking
EXTVERSION = 1.0

MODULE_big = conversion_tracking
OBJS = \
	src/conversion_tracking.o \
	src/settings.o \
	src/cache.o \
	src/attribution.o \
	src/links.o \
	src/insights.o

# The install script is built from one file per concern, in this order.
INSTALL_PARTS = \
	sql/install/header.sql \
	sql/install/settings.sql \
	sql/install/tables.sql \
	sql/install/tracking.sql \
	sql/install/attribution.sql \
	sql/install/insights.sql

DATA_built = $(EXTENSION)--$(EXTVERSION).sql

REGRESS = schema settings tracking links attribution attribution_random batches bad_input altered_tables row_security insights
REGRESS_OPTS = --encoding=UTF8
ISOLATION = concurrent_ingest goal_change
TAP_TESTS = 1

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(EXTENSION)--$(EXTVERSION).sql: $(INSTALL_PARTS)
	cat $^ > $@
