#!/bin/bash
# User-space instructions per round trip of one bench_e2e path, per process kind (the client
# or libampsim's host, the `ampsim run` daemon, the echo firmware): a count that does not
# depend on the machine's load (docs/performance.md). Every process of the path runs under
# callgrind, for N and 5N round trips; the difference over the extra round trips cancels
# boot and teardown (the paths not chosen only boot and idle, so they cancel too). A floor
# path's relay and peer are forks of bench_e2e: they count as client/host.
#   tests/bench/e2e/instr_per_rt.sh [BUILD_DIR] [inproc|daemon|glib|hop-glib|...] [MODE|HOST/FW] [N]
set -euo pipefail
build=${1:-build/default}
path=${2:-inproc}
mode=${3:-blocking}
n=${4:-1000}
bench=$build/tests/bench/e2e/bench_e2e
fw=$build/fw-sample/echo/echo
command -v valgrind >/dev/null || { echo "$0: needs valgrind (apt-get install valgrind)" >&2; exit 2; }
[ -x "$bench" ] || { echo "$0: $bench not built (cmake --build --preset default)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# bench_e2e runs n/4+1 warm-up round trips, then rounds x n (2 rounds here).
for k in $n $((5 * n)); do
	mkdir "$tmp/$k"
	valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$tmp/$k/cg.%p" \
		"$bench" "$fw" $k 2 "$path" "$mode" >"$tmp/$k/log" 2>&1 ||
		{ echo "$0: bench_e2e failed under callgrind: $tmp/$k/log" >&2; cat "$tmp/$k/log" >&2; exit 1; }
done
python3 - "$tmp" "$n" "$path" "$mode" <<'PY'
import glob, os, re, sys
tmp, n, path, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def kinds(d):
    out, empty = {}, 0
    for f in glob.glob(os.path.join(d, 'cg.*')):
        cmd, total = None, None
        for l in open(f, errors='replace'):
            if l.startswith('cmd:'):
                cmd = l.split()[1]
            elif l.startswith('summary:') or l.startswith('totals:'):
                total = int(l.split()[1])
        if cmd is None or total is None:
            empty += 1  # a process valgrind could not finish (killed): named below
            continue
        name = os.path.basename(cmd)
        name = {'bench_e2e': 'client/host', 'ampsim': 'daemon', 'echo': 'firmware'}.get(name, name)
        out[name] = out.get(name, 0) + total
    return out, empty
a, ea = kinds(os.path.join(tmp, str(n)))
b, eb = kinds(os.path.join(tmp, str(5 * n)))
if ea or eb:
    print(f"instr_per_rt: {ea + eb} process(es) left no counts (killed?): figures incomplete",
          file=sys.stderr)
    sys.exit(1)
rt = (5 * n * 2 + 5 * n // 4 + 1) - (n * 2 + n // 4 + 1)
print(f"instructions per round trip, path {path}, modes {mode} (callgrind, {rt} extra round trips)")
total = 0
for k in sorted(b):
    v = (b[k] - a.get(k, 0)) / rt
    total += v
    print(f"  {k:<12} {v:8.0f}")
print(f"  {'total':<12} {total:8.0f}")
PY
