#!/bin/bash
# What a fault plan costs the host, in instructions per echo round trip: a count that does not
# depend on the machine's load (docs/faults.md). Each host alone under callgrind, for N and
# 2N round trips; the difference over N is the cost of one round trip (the boot cancels out).
#   instr_per_rt.sh BUILD_DIR [N]
set -euo pipefail
build=$1 n=${2:-200}
bench=$build/tests/bench/faults/bench_faults
fw=$build/fw-sample/echo/echo
ir() { # ir CONFIG ROUND_TRIPS: the host process's instructions
  local out
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$out" "$bench" "$fw" "$2" 1 "$1" >/dev/null 2>&1
  local total
  total=$(callgrind_annotate "$out" 2>/dev/null | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d ,)
  rm -f "$out"
  [ -n "$total" ] || { echo "instr_per_rt: $bench $1 failed under callgrind (built? $fw)" >&2; exit 1; }
  echo "$total"
}
echo "host instructions per echo round trip (callgrind, $n vs $((2 * n)) round trips)"
base=
for c in none empty rule; do
  long=$(ir $c $((2 * n)))   # assignments: set -e stops at a failed run
  short=$(ir $c "$n")
  per=$(((long - short) / n))
  base=${base:-$per}
  awk -v c="$c" -v p="$per" -v b="$base" 'BEGIN { printf "  %-6s %8d  (%+.2f%% vs none)\n", c, p, (p - b) * 100 / b }'
done
