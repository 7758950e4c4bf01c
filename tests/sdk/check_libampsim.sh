#!/bin/bash
# The shared libampsim's interface (sim/CMakeLists.txt, docs/sdk.md):
#   check_libampsim.sh LIBAMPSIM SONAME HEADER...
# its soname is SONAME, it exports every function the HEADERs declare, and nothing but the
# amp_/ampsim_ names (no GLib, zlib or libc symbol of its own).
set -euo pipefail
lib=$1 soname=$2
shift 2
fail() { echo "check_libampsim: $*" >&2; exit 1; }

got=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$got" = "$soname" ] || fail "soname is '$got', want '$soname'"

exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ {sub(/@.*/, "", $3); print $3}' | sort -u)
stray=$(grep -v -E '^(amp|ampsim)_' <<<"$exported" || true)
[ -z "$stray" ] || fail "exports names outside the API: $(echo $stray)"

declared=$(sed -n -E 's/^[a-z][^(]*[ *](amp_[a-z0-9_]+)\(.*/\1/p' "$@" | sort -u)
[ -n "$declared" ] || fail "no function declarations found in $*"
missing=$(comm -23 <(echo "$declared") <(echo "$exported"))
[ -z "$missing" ] || fail "declared but not exported: $(echo $missing)"
echo "check_libampsim: $soname exports all $(echo "$declared" | wc -l) declared functions" \
  "($(echo "$exported" | wc -l) symbols, all amp_/ampsim_)"
