# Load the Hillstrom e-mail experiment with the demo's loader, and check
# what the insight views say against figures computed here, in Perl, from
# the shipped CSV itself: group sizes, visitors, converted customers,
# conversion rates, uplift against the hold-out group, its p-value and the
# revenue of each group.  Counts and revenue must match exactly; rates and
# uplift to the last digit of a double precision.
use strict;
use warnings;

use Digest::MD5 qw(md5_hex);
use Digest::SHA qw(sha256_hex);
use IPC::Run;
use POSIX qw(erfc);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $csv_xz = 'data/hillstrom/hillstrom.csv.xz';
my $loader = 'demo/hillstrom_load.sql';

# The shipped file, decompressed, must be the one SOURCE.md describes.
my $csv;
IPC::Run::run([ 'xz', '-dc', $csv_xz ], '>', \$csv)
  or BAIL_OUT("xz -dc $csv_xz failed");
my ($source_sha) =
  slurp_file('data/hillstrom/SOURCE.md') =~ /sha256\s+`([0-9a-f]{64})`/;
ok(defined $source_sha, 'SOURCE.md gives the sha256 of the CSV');
is(sha256_hex($csv), $source_sha, 'the CSV is the one SOURCE.md describes');

# Dollars with at most two decimals, as a whole number of cents.
sub cents
{
	my ($dollars) = @_;
	$dollars =~ /\A(\d+)(?:\.(\d{1,2}))?\z/
	  or die "not an amount of dollars: $dollars";
	return $1 * 100 + substr(($2 // '') . '00', 0, 2);
}

# The figures of each group, from the CSV.  A row's number (1 for the first
# row after the header) is its customer id.  The last four fields never hold
# a comma, so they are read from the end of the line.
my %group;
my ($messages_digest, $conversions_digest) = ('', '');
my @rows = split /\r\n/, $csv;
my $header = shift @rows;
is($header,
	'recency,history_segment,history,mens,womens,zip_code,newbie,channel,'
	  . 'segment,visit,conversion,spend',
	'the CSV has the expected columns');
my $id = 0;
for my $row (@rows)
{
	$id++;
	$row =~ /,(Mens E-Mail|Womens E-Mail|No E-Mail),([01]),([01]),([0-9.]+)\z/
	  or BAIL_OUT("row $id cannot be read: $row");
	my ($segment, $visit, $conversion, $spend) = ($1, $2, $3, $4);
	my $g = $group{$segment} //= {
		users => 0, visitors => 0, converted => 0,
		converted_visitors => 0, cents => 0 };
	my $held_out = $segment eq 'No E-Mail';

	$g->{users}++;
	$g->{visitors} += $visit;
	$g->{converted} += $conversion;
	$g->{converted_visitors}++ if $conversion && $visit;
	$g->{cents} += cents($spend);

	# What the messages and conversions tables must hold for this customer.
	$messages_digest .= join(' ', $id, $held_out ? ('t', '') : ('f', $segment))
	  . "\n";
	if ($conversion)
	{
		my $type =
			$held_out ? 'indirect'
		  : $visit    ? 'view_through'
		  :             'indirect';
		$conversions_digest .= join(' ',
			$id, $held_out ? ('t', '') : ('f', $segment),
			$type, cents($spend))
		  . "\n";
	}
}
is($id, 64000, 'the CSV has 64,000 customers');
is_deeply([ sort keys %group ],
	[ 'Mens E-Mail', 'No E-Mail', 'Womens E-Mail' ],
	'the CSV has the three groups');

my $hold = $group{'No E-Mail'};
my @emailed = @group{ 'Mens E-Mail', 'Womens E-Mail' };
my $hold_rate = $hold->{converted} / $hold->{users};

# Two rates (or rate differences) agree to the last digit of a double.
sub same_double
{
	my ($got, $want, $what) = @_;
	my $ok = defined $got
	  && $got ne ''
	  && abs($got - $want) <= 1e-14 * abs($want);
	ok($ok, $what) or diag("got " . ($got // 'NULL') . ", want $want");
}

# The pooled two-proportion z-test, two-sided.
sub p_value
{
	my ($x1, $n1, $x2, $n2) = @_;
	my $p = ($x1 + $x2) / ($n1 + $n2);
	my $z = ($x1 / $n1 - $x2 / $n2) / sqrt($p * (1 - $p) * (1 / $n1 + 1 / $n2));
	return erfc(abs($z) / sqrt(2));
}

# Load the data as the demo does, the CSV on psql's standard input.
my $node = PostgreSQL::Test::Cluster->new('hillstrom');
$node->init;
$node->start;

my ($stdout, $stderr);
my $loaded = IPC::Run::run(
	[
		$node->installed_command('psql'), '-X',
		'-d', $node->connstr('postgres'),
		'-v', 'ON_ERROR_STOP=1', '-f', $loader
	],
	'<', \$csv, '>', \$stdout, '2>', \$stderr);
ok($loaded, 'the demo loader succeeds') or diag($stderr);
like($stdout, qr/== loaded in /, 'the loader reports its progress');
is($stderr, '', 'the loader writes no warnings');

# Customer ids are row numbers, and each got the message of its group.
is( $node->safe_psql(
		'postgres', q{
	SELECT md5(string_agg(format('%s %s %s', user_id,
								 CASE WHEN held_out THEN 't' ELSE 'f' END,
								 coalesce(variant, '')),
						  E'\n' ORDER BY user_id::integer) || E'\n')
	  FROM conversion_tracking.messages}),
	md5_hex($messages_digest),
	'one message per customer id, of its own group');

# Every converted customer converted once, for its own group's message,
# with the type the rules give and its spend as value.
is( $node->safe_psql(
		'postgres', q{
	SELECT md5(string_agg(format('%s %s %s %s %s', user_id,
								 CASE WHEN held_out THEN 't' ELSE 'f' END,
								 coalesce(variant, ''), conversion_type,
								 (value * 100)::bigint),
						  E'\n' ORDER BY user_id::integer) || E'\n')
	  FROM conversion_tracking.conversions}),
	md5_hex($conversions_digest),
	'one conversion per converted customer, of its own group, with its spend'
);

# The campaign's row of campaign_insights.
my %insights;
@insights{
	qw(recipients opened_users clicked_users conversions direct_conversions
	  view_through_conversions indirect_conversions converted_users
	  conversion_rate value held_out_users held_out_conversions
	  held_out_converted_users held_out_conversion_rate)
  }
  = split /\|/, $node->safe_psql(
	'postgres', q{
	SELECT recipients, opened_users, clicked_users, conversions,
		   direct_conversions, view_through_conversions,
		   indirect_conversions, converted_users, conversion_rate, value,
		   held_out_users, held_out_conversions, held_out_converted_users,
		   held_out_conversion_rate
	  FROM conversion_tracking.campaign_insights});

my ($recipients, $visitors, $converted, $converted_visitors, $cents) =
  (0, 0, 0, 0, 0);
for my $g (@emailed)
{
	$recipients += $g->{users};
	$visitors += $g->{visitors};
	$converted += $g->{converted};
	$converted_visitors += $g->{converted_visitors};
	$cents += $g->{cents};
}
is($insights{recipients}, $recipients, 'recipients are the e-mailed customers');
is($insights{opened_users}, $visitors,
	'opened users are the e-mailed visitors');
is($insights{clicked_users}, $visitors,
	'clicked users are the e-mailed visitors');
is($insights{conversions}, $converted, 'conversions of the e-mailed groups');
is($insights{direct_conversions}, 0, 'no conversion is direct');
is($insights{view_through_conversions}, $converted_visitors,
	'converted visitors converted view-through');
is($insights{indirect_conversions}, $converted - $converted_visitors,
	'the other e-mailed converters converted indirectly');
is($insights{converted_users}, $converted, 'converted recipients');
same_double($insights{conversion_rate}, $converted / $recipients,
	'conversion rate of the e-mailed groups');
is(cents($insights{value}), $cents, 'revenue of the e-mailed groups');
is($insights{held_out_users}, $hold->{users}, 'hold-out users');
is($insights{held_out_conversions}, $hold->{converted}, 'hold-out conversions');
is($insights{held_out_converted_users}, $hold->{converted},
	'hold-out converted users');
same_double($insights{held_out_conversion_rate}, $hold_rate,
	'hold-out conversion rate');

# The campaign's rows of campaign_variant_insights.
my %variants;
for my $line (
	split /\n/,
	$node->safe_psql(
		'postgres', q{
	SELECT CASE WHEN held_out THEN 'No E-Mail' ELSE variant END,
		   users, converted_users, conversions, conversion_rate, value,
		   uplift, relative_uplift, p_value
	  FROM conversion_tracking.campaign_variant_insights}))
{
	my @f = split /\|/, $line, -1;
	$variants{ $f[0] } = {
		users => $f[1], converted_users => $f[2], conversions => $f[3],
		conversion_rate => $f[4], value => $f[5], uplift => $f[6],
		relative_uplift => $f[7], p_value => $f[8] };
}
is_deeply([ sort keys %variants ], [ sort keys %group ],
	'one variant row per group');

for my $name (sort keys %group)
{
	my $g = $group{$name};
	my $v = $variants{$name} or next;
	my $rate = $g->{converted} / $g->{users};

	is($v->{users}, $g->{users}, "$name: users");
	is($v->{converted_users}, $g->{converted}, "$name: converted users");
	is($v->{conversions}, $g->{converted}, "$name: conversions");
	same_double($v->{conversion_rate}, $rate, "$name: conversion rate");
	is(cents($v->{value}), $g->{cents}, "$name: revenue");

	if ($name eq 'No E-Mail')
	{
		is_deeply([ @$v{qw(uplift relative_uplift p_value)} ],
			[ '', '', '' ], "$name: no uplift against itself");
		next;
	}
	same_double($v->{uplift}, $rate - $hold_rate, "$name: uplift");
	same_double($v->{relative_uplift}, ($rate - $hold_rate) / $hold_rate,
		"$name: relative uplift");

	# The C library's erfc is computed in another order here: allow a
	# relative error far below what a reader would ever see.
	my $p = p_value($g->{converted}, $g->{users}, $hold->{converted},
		$hold->{users});
	ok(abs($v->{p_value} - $p) <= 1e-9 * $p, "$name: p-value")
	  or diag("got $v->{p_value}, want $p");
}

$node->stop;
done_testing();
