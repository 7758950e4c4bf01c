#!/bin/busybox sh
# The qemu guest's /init (qemu_cuse.sh): Debian's kernel, CUSE loaded, `ampsim run --cuse`
# with the echo firmware, then with the tty firmware, and unmodified static programs using
# /dev/rpmsg_ctrl0, /dev/rpmsgN and /dev/ttyRPMSG0. Ends with one result line, then powers off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp

result() {
  echo "AMPSIM-CUSE-RESULT: $*"
  sync
  poweroff -f
}
fail() {
  for f in /tmp/*.log; do echo "---- $f"; cat "$f"; done
  result "FAIL $*"
}
# Wait up to 60 s (TCG is slow) for a path to appear (or, with !, to go), while the daemon
# lives.
wait_for() {
  i=0
  while if [ "$1" = "!" ]; then [ -e "$2" ]; else [ ! -e "$1" ]; fi; do
    i=$((i + 1))
    [ $i -gt 600 ] && return 1
    [ -z "$daemon" ] || kill -0 "$daemon" 2>/dev/null || return 1
    usleep 100000
  done
}

daemon=
insmod /lib/modules/fuse.ko || fail "insmod fuse.ko"
insmod /lib/modules/cuse.ko || fail "insmod cuse.ko"
wait_for /dev/cuse || fail "no /dev/cuse after loading cuse.ko"

# ---- the echo firmware: /dev/rpmsg_ctrl0 and the /dev/rpmsgN it creates ---------------------
mkdir -m 700 /tmp/r1
ampsim run --cuse --soc /fw/soc.ini --run-dir /tmp/r1 /fw/echo >/tmp/run-echo.log 2>&1 &
daemon=$!
wait_for /dev/rpmsg_ctrl0 || fail "no /dev/rpmsg_ctrl0"
wait_for /tmp/r1/rpmsg0 || fail "no channel"
dst=$(ampsim ctl /tmp/r1 endpoints | awk '/^rpmsg-openamp-demo-channel/ {print $3; exit}')
echo "echo firmware at $dst"
rpmsg_char_app "$dst" cuse-char rpmsg-openamp-demo-channel >/tmp/char-app.log 2>&1 ||
  fail "rpmsg_char_app"
cat /tmp/char-app.log
# A blocking write without a TX buffer waits until they are back, or fails when the firmware
# crashes (rpmsg_block_app, the exec tests' program, unmodified).
ctl="ampsim ctl /tmp/r1"
crash="kill -SEGV \$($ctl status | sed -n 's/^firmware pid: //p')"
dev=$(cuse_app create "$dst") || fail "cuse_app create: $dev"
exec 3<>"$dev" # an open endpoint is listed by `ampsim ctl endpoints`
$ctl endpoints | grep -q "^cuse-app .* a connection on $dev (CUSE)" || fail "$dev not listed"
exec 3<&-
$ctl fault add 'buf:tx exhaust ms=60000 count=1' >/dev/null
rpmsg_block_app "$dev" wait "$ctl fault clear >/dev/null" >/tmp/block-wait.log 2>&1 ||
  fail "rpmsg_block_app wait"
cat /tmp/block-wait.log
grep -q "write returned within 200 ms: no" /tmp/block-wait.log || fail "the write did not wait"
$ctl fault add 'buf:tx exhaust ms=60000 count=1' >/dev/null
rpmsg_block_app "$dev" gone "$crash" >/tmp/block-gone.log 2>&1 || fail "rpmsg_block_app gone"
cat /tmp/block-gone.log
grep -q "write: Broken pipe (errno 32)" /tmp/block-gone.log || fail "the write did not fail with EPIPE"
wait_for ! "$dev" || fail "$dev is still there after the crash"
wait_for /dev/rpmsg_ctrl0 || fail "no /dev/rpmsg_ctrl0 after the recovery"
$ctl fault clear >/dev/null
cuse_app ept "$dst" "$ctl fault add 'buf:tx exhaust ms=60000 count=1' >/dev/null" \
  "$ctl fault clear >/dev/null" "$crash" >/tmp/cuse-app.log 2>&1 || fail "cuse_app ept"
cat /tmp/cuse-app.log
kill -INT $daemon
wait $daemon || fail "ampsim run (echo) exit status $?"
wait_for ! /dev/rpmsg_ctrl1 || fail "/dev/rpmsg_ctrl1 is still there after the run"
[ ! -e /dev/rpmsg_ctrl0 ] || fail "/dev/rpmsg_ctrl0 is there after the run"

# ---- the tty firmware: /dev/ttyRPMSG0 -> the run's pty ----------------------------------------
mkdir -m 700 /tmp/r2
ampsim run --cuse --soc /fw/soc.ini --run-dir /tmp/r2 /fw/tty >/tmp/run-tty.log 2>&1 &
daemon=$!
wait_for /dev/ttyRPMSG0 || fail "no /dev/ttyRPMSG0"
[ -L /dev/ttyRPMSG0 ] || fail "/dev/ttyRPMSG0 is not a link"
cuse_app tty /dev/ttyRPMSG0 >/tmp/cuse-tty.log 2>&1 || fail "cuse_app tty"
cat /tmp/cuse-tty.log
kill -INT $daemon
wait $daemon || fail "ampsim run (tty) exit status $?"
[ ! -e /dev/ttyRPMSG0 ] || fail "/dev/ttyRPMSG0 is still there after the run"
result PASS
