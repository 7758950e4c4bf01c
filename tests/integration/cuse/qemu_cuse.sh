#!/usr/bin/env bash
# `ampsim run --cuse` on a kernel that has CUSE: Debian 12's own kernel (CONFIG_CUSE=m) booted
# under qemu (TCG: no KVM needed) with a small initramfs holding busybox, ampsim, the echo and
# tty firmware, two static Linux programs and the shared libraries ldd names. The guest
# (guest_init.sh) loads fuse.ko and cuse.ko, runs the programs against `ampsim run --cuse`,
# prints "AMPSIM-CUSE-RESULT: PASS" (or FAIL and why) and powers off.
#
# usage: qemu_cuse.sh CACHE_DIR AMPSIM ECHO_FW TTY_FW RPMSG_CHAR_APP RPMSG_BLOCK_APP CUSE_APP SOC_PROFILE
# The kernel package is downloaded once with `apt-get download` (the Debian archive) into
# CACHE_DIR. Exit 0 on PASS, 1 on failure, 77 (skipped) without qemu or the kernel package.
set -euo pipefail

[ $# -eq 8 ] ||
  { echo "usage: $0 CACHE_DIR AMPSIM ECHO_FW TTY_FW RPMSG_CHAR_APP RPMSG_BLOCK_APP CUSE_APP SOC_PROFILE" >&2; exit 2; }
cache=$1 ampsim=$2 echo_fw=$3 tty_fw=$4 char_app=$5 block_app=$6 cuse_app=$7 profile=$8
here=$(cd "$(dirname "$0")" && pwd)
# Booting takes ~10 s under TCG; the whole guest run well under a minute. This only bounds
# a guest that hangs.
guest_timeout=${AMPSIM_QEMU_TIMEOUT:-300}

skip() { echo "SKIPPED: $*"; exit 77; }
command -v qemu-system-x86_64 >/dev/null ||
  skip "qemu-system-x86_64 is missing (scripts/install-deps installs qemu-system-x86)"
busybox=$(command -v busybox || true)
[ -n "$busybox" ] && ! ldd "$busybox" >/dev/null 2>&1 ||
  skip "no static busybox (scripts/install-deps installs busybox-static)"
command -v cpio >/dev/null || skip "cpio is missing (scripts/install-deps installs it)"

# ---- the kernel and its fuse/cuse modules, cached ------------------------------------------
kdir=$cache/kernel
mkdir -p "$kdir"
if [ ! -f "$kdir/ready" ]; then
  pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
        awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
  [ -n "$pkg" ] || skip "apt-cache does not know linux-image-amd64 (apt-get update?)"
  rm -rf "$kdir/dl" && mkdir -p "$kdir/dl"
  (cd "$kdir/dl" && apt-get download -q "$pkg") >"$kdir/download.log" 2>&1 ||
    skip "cannot download $pkg from the Debian archive: $(tail -1 "$kdir/download.log")"
  # Only the kernel and the two modules; no maintainer script runs (dpkg-deb, not dpkg -i).
  dpkg-deb --fsys-tarfile "$kdir"/dl/*.deb |
    tar -x -C "$kdir/dl" --wildcards './boot/vmlinuz-*' './lib/modules/*/kernel/fs/fuse/fuse.ko' \
        './lib/modules/*/kernel/fs/fuse/cuse.ko'
  mv "$kdir"/dl/boot/vmlinuz-* "$kdir/vmlinuz"
  mv "$kdir"/dl/lib/modules/*/kernel/fs/fuse/{fuse,cuse}.ko "$kdir/"
  echo "$pkg" >"$kdir/ready"
  rm -rf "$kdir/dl"
fi

# ---- the initramfs -----------------------------------------------------------------------------
root=$cache/root
rm -rf "$root"
mkdir -p "$root"/{bin,fw,lib/modules,dev,proc,sys,tmp}
# A program and every shared library ldd finds for it, at the same paths.
add() {
  local src=$1 dst=$2 lib
  cp "$src" "$root/$dst"
  for lib in $(ldd "$src" 2>/dev/null | grep -o '/[^ ]*' || true); do
    [ -e "$root$lib" ] && continue
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}
add "$busybox" bin/busybox
add "$ampsim" bin/ampsim
add "$echo_fw" fw/echo
add "$tty_fw" fw/tty
add "$char_app" bin/rpmsg_char_app
add "$block_app" bin/rpmsg_block_app
add "$cuse_app" bin/cuse_app
cp "$profile" "$root/fw/soc.ini" # the build tree's profiles are not in the guest
cp "$kdir/fuse.ko" "$kdir/cuse.ko" "$root/lib/modules/"
install -m 755 "$here/guest_init.sh" "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1 >"$cache/initrd.gz")

# ---- boot ------------------------------------------------------------------------------------
log=$cache/console.log
start=$(date +%s)
set +e
timeout "$guest_timeout" qemu-system-x86_64 -machine accel=tcg -m 512 -smp 1 \
  -kernel "$kdir/vmlinuz" -initrd "$cache/initrd.gz" \
  -append "console=ttyS0 rdinit=/init panic=-1 quiet loglevel=3" \
  -display none -monitor none -serial "file:$log" -no-reboot
rc=$?
set -e
echo "guest ran $(( $(date +%s) - start )) s (qemu exit $rc), kernel $(cat "$kdir/ready")"
cat "$log"
[ $rc -eq 124 ] && { echo "FAIL: the guest did not power off within $guest_timeout s"; exit 1; }
grep -q '^AMPSIM-CUSE-RESULT: PASS' "$log" || { echo "FAIL: no PASS line from the guest"; exit 1; }
