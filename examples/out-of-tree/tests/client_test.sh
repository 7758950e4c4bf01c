#!/bin/sh
# The client against the firmware under `ampsim run`, as a user would try it by hand:
#   client_test.sh AMPSIM FIRMWARE CLIENT
set -eu
ampsim=$1 fw=$2 client=$3
dir=$(mktemp -d)
log=$dir.log
daemon=
finish() {
  if [ -n "$daemon" ]; then kill -TERM "$daemon" 2>/dev/null || true; wait "$daemon" || true; fi
  rm -rf "$dir" "$log"
}
trap finish EXIT

"$ampsim" run --run-dir "$dir" "$fw" >"$log" 2>&1 &
daemon=$!
# The channel's socket appears once the firmware announced it: at most 20 s (a busy machine).
i=0
while [ ! -S "$dir/rpmsg0" ]; do
  i=$((i + 1))
  if [ $i -gt 200 ] || ! kill -0 "$daemon" 2>/dev/null; then
    echo "client_test: no $dir/rpmsg0; ampsim run said:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.1
done

got=$("$client" "$dir/rpmsg0" hello "Out of tree")
want=$(printf 'HELLO\nOUT OF TREE')
if [ "$got" != "$want" ]; then
  echo "client_test: got '$got', want '$want'" >&2
  exit 1
fi
"$ampsim" ctl "$dir" trace | grep -q "upper: announced upper-channel"
echo "client_test: ok"
