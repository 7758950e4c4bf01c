#!/bin/sh
# ctest bench/ampsim-bench-quick: `ampsim bench --quick` completes and prints every row (the
# seven block sizes with the frame, tty and sdb paths, the doorbell and IRQ rows, the
# round-trip rows per path and wait mode, the rpmsg_ctrl0 rows for 16 and 64 clients and the
# boot row), --json / --csv are complete and --svg FILE
# draws both plots. Figures are not asserted: they depend on the machine's load; only that
# each path moved its blocks and the IPCC counters were read.
set -eu
ampsim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$("$ampsim" bench --quick --svg "$tmp/bench.svg")
printf '%s\n' "$out"
fail() { echo "FAIL: $*" >&2; exit 1; }
num='[0-9.]+'
for b in 512 1024 2048 4096 8192 16384 32768; do
	printf '%s\n' "$out" |
		grep -Eq "^ +$b( +$num){7} +${num}x +$num +($num|-)$" || fail "no row for block $b"
done
for p in frame tty sdb; do
	printf '%s\n' "$out" | grep -Eq "^  $p +[1-9][0-9]*( +$num){5}$" ||
		fail "no doorbell/IRQ row for $p (or no message counted)"
	for m in blocking adaptive; do
		printf '%s\n' "$out" | grep -Eq "^  $p, host\+firmware $m( +$num){4}$" ||
			fail "no round-trip row for $p, $m"
	done
done
printf '%s\n' "$out" | grep -Eq '^  ST wiki, board .* 2000 +2000$' || fail "no ST wiki row"
printf '%s\n' "$out" | grep -Eq "^  floor \(socketpair, local process\)( +$num){4}$" ||
	fail "no floor row"
printf '%s\n' "$out" | grep -Eq "^  16 +[1-9][0-9]* +1\.00x$" || fail "no row for 16 rpmsg_ctrl0 clients"
printf '%s\n' "$out" | grep -Eq "^  64 +[1-9][0-9]* +${num}x$" || fail "no row for 64 rpmsg_ctrl0 clients"
printf '%s\n' "$out" | grep -Eq "^  median ms $num, min ms $num, x 10 ms target ${num}x$" ||
	fail "no boot row"
"$ampsim" bench --quick --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert [b["block"] for b in d["blocks"]] == [512, 1024, 2048, 4096, 8192, 16384, 32768], d
for b in d["blocks"]:
    assert all(b[p + "_ms"] > 0 and b[p + "_mb_s"] > 0 for p in ("frame", "tty", "sdb")), b
    assert b["floor_ms"] > 0 and b["frame_x_floor"] > 0, b
for p in ("frame", "tty", "sdb"):
    i = d["irqs"][p]
    assert i["msgs"] > 0 and i["doorbells_per_msg"] > 0 and i["m4_irqs_per_mb"] > 0, i
    for m in ("blocking", "adaptive"):
        l = d["latency_us"][p][m]
        assert l["p99"] >= l["p90"] >= l["p50"] > 0 and l["msg_s"] > 0, (p, m, l)
assert d["latency_us"]["floor"]["blocking"]["p50"] > 0, d
c = d["ctrl_clients"]
assert c["16"] > 0 and c["64"] > 0 and c["many_x_few"] > 0, c
b = d["boot_ms"]
assert b["median"] >= b["min"] > 0 and b["x_target_10ms"] > 0, b'
csv=$("$ampsim" bench --quick --csv)
rows=$(printf '%s\n' "$csv" | grep -Ec '^[0-9]+(,[0-9.]+){9},[0-9.]*$' || true)
[ "$rows" -eq 7 ] || fail "--csv printed $rows block rows, not 7"
rows=$(printf '%s\n' "$csv" | grep -Ec '^(frame|tty|sdb),[0-9]+,[0-9]+(,[0-9.]+){5}$' || true)
[ "$rows" -eq 3 ] || fail "--csv printed $rows doorbell/IRQ rows, not 3"
rows=$(printf '%s\n' "$csv" | grep -Ec '^(frame|tty|sdb|floor),(blocking|adaptive)(,[0-9.]+){4}$' || true)
[ "$rows" -eq 7 ] || fail "--csv printed $rows round-trip rows, not 7"
rows=$(printf '%s\n' "$csv" | grep -Ec '^(16,[1-9][0-9]*,1\.000|64,[1-9][0-9]*,[0-9.]+)$' || true)
[ "$rows" -eq 2 ] || fail "--csv printed $rows rpmsg_ctrl0 rows, not 2"
printf '%s\n' "$csv" | grep -A1 '^boot_ms_median,boot_ms_min,x_target_10ms$' | tail -n 1 |
	grep -Eq '^[0-9.]*[1-9][0-9.]*,[0-9.]+,[0-9.]+$' || fail "--csv printed no boot row"
python3 - "$tmp/bench.svg" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
lines = root.findall(ns + "polyline")
assert len(lines) == 6, "%d series in the block plot, not 6" % len(lines)
assert all(len(l.get("points").split()) >= 4 for l in lines), "a series with too few points"
bars = [r for r in root.findall(ns + "rect") if r.get("fill", "").startswith("#") and r.get("fill") != "#fff"]
assert len(bars) == 21, "%d percentile bars, not 7 groups of 3" % len(bars)
PY
err=$("$ampsim" bench --quick --svg "$tmp/no/such/dir/x.svg" 2>&1 >/dev/null) && fail "--svg into a missing directory succeeded"
printf '%s\n' "$err" | grep -q "cannot write $tmp/no/such/dir/x.svg" || fail "unclear --svg error: $err"
echo "ampsim bench --quick: every row printed, JSON, CSV and SVG complete"
