#!/bin/sh
# fw-sample/bench/bench_client.py, the client the bench README's figures come from, against
# the bench firmware under `ampsim run`:  bench_client_test.sh PYTHON AMPSIM BENCH_FW CLIENT
set -eu
python=$1 ampsim=$2 fw=$3 client=$4
dir=$(mktemp -d)
daemon=
finish() {
  if [ -n "$daemon" ]; then kill -TERM "$daemon" 2>/dev/null || true; wait "$daemon" || true; fi
  rm -rf "$dir"
}
trap finish EXIT
"$ampsim" run --quiet --run-dir "$dir/run" "$fw" &
daemon=$!
i=0
while [ ! -S "$dir/run/rpmsg0" ]; do # at most 20 s: a busy machine
  i=$((i + 1))
  if [ $i -gt 200 ] || ! kill -0 "$daemon" 2>/dev/null; then
    echo "bench_client_test: no $dir/run/rpmsg0" >&2
    exit 1
  fi
  sleep 0.1
done
out=$("$python" "$client" "$dir/run/rpmsg0" 512 4096 32768)
echo "$out"
[ "$(echo "$out" | grep -c 'round trip')" = 3 ]
