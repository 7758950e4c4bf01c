#!/bin/sh
# ctest bench/e2e-smoke: bench_e2e boots every path, prints every row with a figure and a
# ratio, and ends (its helper processes all exit) for each CPU placement. Figures are not
# asserted: they depend on the machine's load.
set -eu
bench=$1
fw=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
num='[0-9.]+'
use="$num +$num +$num" # sleeps, CPU time per round trip or message, CPUs busy
for cpus in any one two; do
	out=$(timeout 60 "$bench" "$fw" 40 1 all blocking "$cpus") || fail "bench_e2e ($cpus) did not end"
	printf '%s\n' "$out"
	printf '%s\n' "$out" | grep -q "CPUs: $cpus" || fail "no placement in the header ($cpus)"
	for row in 'raw eventfd ping-pong \(floor\)' 'eventfd \+ SEQPACKET hop \(floor\)' \
		'3-process SEQPACKET relay \(floor\)'; do
		printf '%s\n' "$out" | grep -Eq "^  $row +$num +(1\.00x|-) +$use$" ||
			fail "no row '$row' ($cpus)"
	done
	printf '%s\n' "$out" | grep -Eq "^  eventfd ping-pong, GLib loop +$num +${num}x +$use$" ||
		fail "no GLib-loop row with its ratio to the raw ping-pong ($cpus)"
	printf '%s\n' "$out" | grep -Eq "^  hop, the relay in a GLib loop +$num +${num}x +$use$" ||
		fail "no GLib-relay row with its ratio to the hop ($cpus)"
	for row in 'libampsim \+ echo fw \(the mode\)' 'ampsim run frame socket'; do
		[ "$(printf '%s\n' "$out" | grep -Ec "^  $row +$num +${num}x +$use$")" = 2 ] ||
			fail "'$row' lacks its round-trip or throughput row ($cpus)"
	done
done
# One path alone starts only its own processes (and still ends).
out=$(timeout 60 "$bench" "$fw" 40 1 relay) || fail "bench_e2e relay did not end"
printf '%s\n' "$out" | grep -Eq "^  3-process SEQPACKET relay \(floor\) +$num" || fail "no relay row"
[ "$(printf '%s\n' "$out" | grep -c '^  ')" -le 3 ] || fail "relay alone printed other paths"
# Polling modes: the in-process path against the shared-memory ping-pong, in one run.
out=$(timeout 60 "$bench" "$fw" 40 1 inproc,shm spin) || fail "bench_e2e spin did not end"
printf '%s\n' "$out"
printf '%s\n' "$out" | grep -Eq "^  shared-memory ping-pong \(floor\) +$num +1\.00x +$use$" ||
	fail "no shared-memory floor row"
printf '%s\n' "$out" | grep -Eq "^  libampsim \+ echo fw \(the mode\) +$num +${num}x +$use$" ||
	fail "the spin row lacks its ratio to the shared-memory floor"
echo "bench_e2e smoke: every row, every placement"
