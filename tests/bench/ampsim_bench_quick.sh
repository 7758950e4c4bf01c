#!/bin/sh
# ctest bench/ampsim-bench-quick: `ampsim bench --quick` completes and prints every row (the
# seven block sizes and both round-trip rows), and --json / --csv are well formed. Figures
# are not asserted: they depend on the machine's load.
set -eu
ampsim=$1
out=$("$ampsim" bench --quick)
printf '%s\n' "$out"
for b in 512 1024 2048 4096 8192 16384 32768; do
	printf '%s\n' "$out" | grep -Eq "^ +$b +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+x +[0-9.]+ " ||
		{ echo "FAIL: no row for block $b" >&2; exit 1; }
done
printf '%s\n' "$out" | grep -Eq '^  frame socket, blocking +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9]+$' ||
	{ echo "FAIL: no frame round-trip row" >&2; exit 1; }
printf '%s\n' "$out" | grep -Eq '^  floor \(socketpair' || { echo "FAIL: no floor row" >&2; exit 1; }
"$ampsim" bench --quick --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert [b["block"] for b in d["blocks"]] == [512, 1024, 2048, 4096, 8192, 16384, 32768], d
assert all(b["frame_ms"] > 0 and b["floor_ms"] > 0 for b in d["blocks"]), d
assert d["latency_us"]["frame"]["p99"] >= d["latency_us"]["frame"]["p50"] > 0, d'
rows=$("$ampsim" bench --quick --csv | grep -Ec '^[0-9]+,[0-9.]+,')
[ "$rows" -eq 7 ] || { echo "FAIL: --csv printed $rows block rows, not 7" >&2; exit 1; }
echo "ampsim bench --quick: every row printed"
