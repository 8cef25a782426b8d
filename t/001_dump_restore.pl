# Dump a database that uses conversion_tracking and restore it into a fresh
# one: every row of the extension's tables must come back, and new rows
# must get fresh ids afterwards.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump_restore');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE source');
$node->safe_psql('source', q{
	CREATE EXTENSION conversion_tracking;
	INSERT INTO conversion_tracking.accounts (name, conversion_window, time_zone)
	VALUES ('Acme', '7 days', 'Europe/Paris');
	INSERT INTO conversion_tracking.campaigns (account_id, name, conversion_goal)
	VALUES (1, 'Spring sale', 'Completed purchase');
	INSERT INTO conversion_tracking.messages
		   (account_id, campaign_id, user_id, variant, held_out, sent_at)
	VALUES (1, 1, '42', 'A', false, '2026-03-01 09:00+00'),
		   (1, 1, '43', NULL, true, '2026-03-01 09:00+00');
	SELECT conversion_tracking.record_click(1, 1, '2026-03-01 10:00+00');
	SELECT conversion_tracking.track(1, '{"id": 42, "email": "Ada@Example.com"}',
		'Completed purchase', '{"revenue": 19.99}', '{}', '2026-03-02 12:00+00');
	SELECT conversion_tracking.track(1, '{"id": "43"}',
		'Completed purchase', '{}', '{}', '2026-03-03 12:00+00');
});

# What each table holds, as one text per table.
my @tables = qw(accounts campaigns messages events conversions user_emails);
sub contents
{
	my ($db) = @_;
	my %rows;
	for my $table (@tables)
	{
		$rows{$table} = $node->safe_psql($db,
			"SELECT string_agg(t::text, E'\\n' ORDER BY t::text)"
			  . " FROM conversion_tracking.$table t");
	}
	return \%rows;
}

my $before = contents('source');
is(scalar(() = $before->{conversions} =~ /\n/g), 1,
	'the source has two conversions');

my $dump = $node->basedir . '/source.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('source') ],
	'pg_dump succeeds');
$node->safe_psql('postgres', 'CREATE DATABASE target');
$node->command_ok(
	[ 'pg_restore', '--exit-on-error', '-d', $node->connstr('target'), $dump ],
	'pg_restore succeeds');

my $after = contents('target');
for my $table (@tables)
{
	is($after->{$table}, $before->{$table}, "rows of $table survive");
}

# Identity sequences went along: new rows do not collide with restored ones.
my $new_event = $node->safe_psql('target', q{
	SELECT conversion_tracking.track(1, '{"email": "ada@example.com"}',
		'Completed purchase', '{}', '{}', '2026-03-04 12:00+00')});
cmp_ok($new_event, '>', 2, 'a new event gets a fresh id after the restore');

# The restored database attributes new events like the old one.
is($node->safe_psql('target',
		"SELECT conversion_type || ' ' || user_id FROM conversion_tracking.conversions"
		  . " WHERE event_id = $new_event"),
	'view_through 42',
	'the restored database attributes new events');

$node->stop;
done_testing();
