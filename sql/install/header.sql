-- conversion_tracking--1.0.sql: install script, built by make from
-- sql/install/*.sql in the order the Makefile gives.

\echo Use "CREATE EXTENSION conversion_tracking" to load this file. \quit
