#!/bin/sh
# docs/faults.md's examples stay true: its shell example runs and prints PASS, and its
# libampsim example is test_fault_example.c (built and run as sim/fault_example).
# Usage: docs_faults.sh FAULTS_MD EXAMPLE_C AMPSIM ECHO_FW
set -eu
md=$1 example=$2
export AMPSIM=$3 FW=$4
# The example's firmware dies by SIGSEGV: in a sanitizer build it must die by the signal at
# once, not after a sanitizer's report (which under TSan outlasts the example's wait).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0"
export TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}handle_segv=0"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# The fenced block after the marker line <!-- example: NAME -->.
block() {
	awk -v m="<!-- example: $1 -->" '$0 == m { on = 1; next }
		on == 1 && /^```/ { on = 2; next }
		on == 2 && /^```$/ { exit }
		on == 2 { print }' "$md"
}
block faults-demo.sh > "$dir/demo.sh"
block test_fault_example.c > "$dir/example.c"
[ -s "$dir/demo.sh" ] || { echo "no faults-demo.sh example in $md"; exit 1; }
if ! diff -u "$example" "$dir/example.c"; then
	echo "docs/faults.md quotes an old $example: copy the file into it"
	exit 1
fi
sh "$dir/demo.sh" > "$dir/out" 2>&1 || { cat "$dir/out"; exit 1; }
cat "$dir/out"
grep -qx PASS "$dir/out"
