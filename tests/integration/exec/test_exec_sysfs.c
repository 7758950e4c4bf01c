/*
 * `ampsim exec`: the rpmsg bus in sysfs as a tree, as Linux 6.x lays it out (devices under
 * virtio0, the bus's, drivers' and class's entries as relative links), walked by programs
 * written for Linux: GNU find, ls -l, readlink, realpath, test, Python's os module, and
 * rpmsg_dev_app (open O_DIRECTORY, fdopendir, openat, fstatat, readlinkat, realpath), which
 * also registers devices of its own through RPMSG_CREATE_DEV_IOCTL.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec_app.h"
#include "itest.h"

#define PYTHON "/usr/bin/python3"
#define VREL "devices/platform/ahb/10000000.m4/remoteproc/remoteproc0/rproc-virtio.0/virtio0"
#define VIRTIO "/sys/" VREL
#define RPROC "/sys/devices/platform/ahb/10000000.m4/remoteproc/remoteproc0"
#define DEMO "virtio0.rpmsg-openamp-demo-channel.-1."

static char out[65536];

static void expect(const char *text)
{
	if (!strstr(out, text))
		fail_msg("\"%s\" is not in the output:\n%s", text, out);
}

static unsigned boot(struct itest_run *r)
{
	itest_run_start(r, ECHO_FW, NULL);
	/* The control device, and the demo channel's /dev/rpmsg0 (announced after it). */
	assert_true(itest_run_wait(r, "rpmsg_ctrl0", ITEST_BOOT_MS));
	assert_true(itest_run_wait(r, "rpmsg0", ITEST_BOOT_MS));
	return (unsigned)itest_fw_addr(r, "rpmsg-openamp-demo-channel");
}

/* GNU find and ls -l list the tree as on Linux: links are not descended, and shown. */
static void find_and_ls_walk_the_bus(void **state)
{
	(void)state;
	struct itest_run r = {0};
	unsigned dst = boot(&r);
	static const char script[] =
	    "find /sys/bus/rpmsg /sys/class/rpmsg | sort; echo --\n"
	    "ls -l /sys/bus/rpmsg/devices/ | awk 'NR > 1 {print $1, $9, $10, $11}'; echo --\n"
	    "readlink /sys/bus/rpmsg/devices/virtio0.rpmsg_ctrl.0.0/driver\n"
	    "realpath /sys/class/rpmsg/rpmsg_ctrl0/device/subsystem/devices/virtio0.rpmsg_ns.53.53/"
	    "driver\n"
	    "readlink -f /sys/class/rpmsg/rpmsg0/device/../virtio0.rpmsg_ctrl.0.0/rpmsg\n"
	    "find -L /sys/class/rpmsg/ -mindepth 2 -maxdepth 2 -name name 2>/dev/null\n"
	    "find /sys/bus/rpmsg/devices/ -type l | wc -l\n"
	    "cat /sys/bus/rpmsg/devices/*/driver_override | sort | tr '\\n' ' '; echo\n"
	    "D=/sys/bus/rpmsg/devices/virtio0.rpmsg_ns.53.53; test -L $D && test -d $D/ && echo "
	    "ok\n"
	    /* cp compares stat() and fstat(); the class device's link to its parent; "." */
	    "cp /sys/class/rpmsg/rpmsg0/name n && cp /sys/class/remoteproc/remoteproc0/state s\n"
	    "cat n s; rm n s; readlink /sys/class/rpmsg/rpmsg0/device\n"
	    "stat -c %F /sys/class/rpmsg/rpmsg0/. /sys/class/rpmsg/rpmsg0/device/..\n";
	const char *argv[] = {AMPSIM_BIN, "exec", "--run-dir", r.dir, "--",
			      "/bin/sh",  "-c",	  script,      NULL};
	assert_int_equal(itest_capture(argv, out, sizeof(out)), 0);
	char want[4096];
	itest_fmt(
	    want, sizeof(want),
	    "/sys/bus/rpmsg\n/sys/bus/rpmsg/devices\n/sys/bus/rpmsg/devices/" DEMO "%u\n"
	    "/sys/bus/rpmsg/devices/virtio0.rpmsg_ctrl.0.0\n"
	    "/sys/bus/rpmsg/devices/virtio0.rpmsg_ns.53.53\n/sys/bus/rpmsg/drivers\n"
	    "/sys/bus/rpmsg/drivers/rpmsg_chrdev\n/sys/bus/rpmsg/drivers/rpmsg_chrdev/bind\n"
	    "/sys/bus/rpmsg/drivers/rpmsg_chrdev/unbind\n"
	    "/sys/bus/rpmsg/drivers/rpmsg_chrdev/" DEMO "%u\n"
	    "/sys/bus/rpmsg/drivers/rpmsg_ctrl\n"
	    "/sys/bus/rpmsg/drivers/rpmsg_ctrl/virtio0.rpmsg_ctrl.0.0\n"
	    "/sys/bus/rpmsg/drivers/rpmsg_ns\n/sys/bus/rpmsg/drivers/rpmsg_ns/"
	    "virtio0.rpmsg_ns.53.53\n"
	    "/sys/bus/rpmsg/drivers/rpmsg_tty\n/sys/class/rpmsg\n/sys/class/rpmsg/rpmsg0\n"
	    "/sys/class/rpmsg/rpmsg_ctrl0\n--\n"
	    "lrwxrwxrwx " DEMO "%u -> ../../../" VREL "/" DEMO "%u\n"
	    "lrwxrwxrwx virtio0.rpmsg_ctrl.0.0 -> ../../../" VREL "/virtio0.rpmsg_ctrl.0.0\n"
	    "lrwxrwxrwx virtio0.rpmsg_ns.53.53 -> ../../../" VREL "/virtio0.rpmsg_ns.53.53\n--\n"
	    "../../../../../../../../../bus/rpmsg/drivers/rpmsg_ctrl\n"
	    "/sys/bus/rpmsg/drivers/rpmsg_ns\n" VIRTIO "/virtio0.rpmsg_ctrl.0.0/rpmsg\n"
	    "/sys/class/rpmsg/rpmsg0/name\n3\n(null) rpmsg_ctrl rpmsg_ns \nok\n"
	    "rpmsg-openamp-demo-channel\nrunning\n../../../" DEMO "%u\ndirectory\ndirectory\n",
	    dst, dst, dst, dst, dst);
	if (strcmp(out, want) != 0) {
		fprintf(stderr, "got:\n%s\nwanted:\n%s\n", out, want); /* longer than fail_msg's */
		fail();
	}
	itest_run_stop(&r, SIGINT);
}

/* rpmsg_dev_app: directory descriptors, links, RPMSG_CREATE_DEV_IOCTL of another name. */
static void create_dev_of_any_name(void **state)
{
	(void)state;
	struct itest_run r = {0};
	unsigned dst = boot(&r);
	char d[16], want[2048];
	itest_fmt(d, sizeof(d), "0x%x", dst);
	const char *argv[] = {AMPSIM_BIN, "exec", "--run-dir", r.dir, "--", DEV_APP, d, NULL};
	run_app(argv, out, sizeof(out));
	itest_fmt(want, sizeof(want),
		  "created\nagain: No such device or address\n"
		  "found virtio0.my-service.1536.%u (link)\nentry is a link: yes\nsame inode: yes\n"
		  "AT_EMPTY_PATH: same\nopenat \"\": No such file or directory\n"
		  "name: my-service\ndriver: No such file or directory\n"
		  "subsystem -> ../../../../../../../../../bus/rpmsg\n"
		  "realpath: " VIRTIO "/virtio0.my-service.1536.%u\ndriver: rpmsg_chrdev\n"
		  "rpmsg1: hello\nreleased: No such file or directory\n"
		  "release again: Invalid argument\nopen a file as a directory: Not a directory\n"
		  "done\n",
		  dst, dst);
	if (strcmp(out, want) != 0) {
		fprintf(stderr, "got:\n%s\nwanted:\n%s\n", out, want); /* longer than fail_msg's */
		fail();
	}
	itest_run_stop(&r, SIGINT);
}

/* Python's os.walk (scandir: fdopendir and readdir), os.path.realpath (lstat, readlink). */
static void python_walks_the_bus(void **state)
{
	(void)state;
	if (access(PYTHON, X_OK) != 0)
		skip(); /* scripts/install-deps installs python3-minimal */
	struct itest_run r = {0};
	unsigned dst = boot(&r);
	static const char prog[] =
	    "import os\n"
	    "print(sorted(r for r, d, f in os.walk('/sys/bus/rpmsg/drivers')))\n"
	    "print(os.path.realpath('/sys/class/rpmsg/rpmsg0/device'))\n"
	    "e = [x for x in os.scandir('/sys/bus/rpmsg/devices') if 'ns' in x.name][0]\n"
	    "print(e.is_symlink(), e.is_dir(), os.readlink(e.path).count('..'))\n"
	    /* remoteproc0's directory: its attributes through a directory descriptor */
	    "R = '/sys/class/remoteproc/remoteproc0'\n"
	    "print(sorted(os.listdir(R)), os.path.realpath(R))\n"
	    "d = os.open(R, os.O_RDONLY | os.O_DIRECTORY)\n"
	    "f = os.open('state', os.O_WRONLY, dir_fd=d); os.write(f, b'stop'); os.close(f)\n"
	    "print(open('" RPROC "/state').read().strip())\n"
	    "f = os.open('state', os.O_WRONLY, dir_fd=d); os.write(f, b'start'); os.close(f)\n"
	    "print(open(R + '/../remoteproc0/state').read().strip())\n";
	const char *argv[] = {AMPSIM_BIN, "exec", "--run-dir", r.dir, "--",
			      PYTHON,	  "-c",	  prog,	       NULL};
	assert_int_equal(itest_capture(argv, out, sizeof(out)), 0);
	char want[2048];
	itest_fmt(want, sizeof(want),
		  "['/sys/bus/rpmsg/drivers', '/sys/bus/rpmsg/drivers/rpmsg_chrdev', "
		  "'/sys/bus/rpmsg/drivers/rpmsg_ctrl', '/sys/bus/rpmsg/drivers/rpmsg_ns', "
		  "'/sys/bus/rpmsg/drivers/rpmsg_tty']\n" VIRTIO "/" DEMO "%u\nTrue True 3\n"
		  "['coredump', 'firmware', 'name', 'recovery', 'rproc-virtio.0', 'state', "
		  "'subsystem'] " RPROC "\noffline\nrunning\n",
		  dst);
	expect(want);
	itest_run_stop(&r, SIGINT);
}

/* The run goes away under a program: remoteproc0 and the devices go, as the device would. */
static void run_gone_tree_gone(void **state)
{
	(void)state;
	struct itest_run r = {0};
	(void)boot(&r);
	char script[1024];
	itest_fmt(script, sizeof(script),
		  "ls /sys/class/remoteproc/remoteproc0/ | wc -l\n"
		  "kill -INT $(cat %s/ampsim.pid); i=0\n"
		  "while [ -e %s/control ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done\n"
		  "test -e /sys/class/remoteproc/remoteproc0 || echo gone\n"
		  "ls /sys/bus/rpmsg/devices | wc -l\n",
		  r.dir, r.dir);
	const char *argv[] = {AMPSIM_BIN, "exec", "--run-dir", r.dir, "--",
			      "/bin/sh",  "-c",	  script,      NULL};
	assert_int_equal(itest_capture(argv, out, sizeof(out)), 0);
	expect("7\ngone\n0\n");
	itest_run_stop(&r, SIGINT); /* reaps it */
}

/*
 * A shell's `cd` into the tree, then relative paths (ls, the shell's glob, cat), the working
 * directory as /bin/pwd reads it (getcwd), programs started there (exec keeps it), `cd ..`
 * and out; du (gnulib's fts) from it; Python's os.chdir, os.getcwd, a child, os.fchdir.
 */
static void cd_into_the_tree(void **state)
{
	(void)state;
	if (access(PYTHON, X_OK) != 0)
		skip();
	struct itest_run r = {0};
	unsigned dst = boot(&r);
	static const char script[] =
	    "cd /sys/bus/rpmsg/devices && ls && cat */name && /bin/pwd\n"
	    "cd virtio0.rpmsg_ctrl.0.0 && ls rpmsg && /bin/pwd && cat ./name "
	    "../virtio0.rpmsg_ns.53.53/name\n"
	    "cd ../../drivers && du -a . | wc -l && ls -d ../devices/*ctrl*\n"
	    "cd .. && ls && cd / && /bin/pwd && ls name 2>/dev/null || echo 'out of it'\n"
	    "python3 -c \"import os, subprocess\n"
	    "os.chdir('/sys/class/rpmsg'); print(os.getcwd(), sorted(os.listdir()))\n"
	    "subprocess.run(['cat', 'rpmsg0/name'])\n"
	    "os.chdir('rpmsg0/device'); print(os.getcwd().endswith('virtio0/" DEMO "%u'))\n"
	    "fd = os.open('/sys/bus/rpmsg/drivers', os.O_RDONLY)\n"
	    "os.fchdir(fd); print(os.getcwd(), os.path.exists('rpmsg_chrdev/bind'))\n"
	    "os.chdir('/tmp'); print(os.getcwd())\"\n";
	char cmd[2048], want[2048];
	itest_fmt(cmd, sizeof(cmd), script, dst);
	const char *argv[] = {AMPSIM_BIN,  "exec", "--run-dir", r.dir, "--",
			      "/bin/bash", "-c",   cmd,		NULL};
	assert_int_equal(itest_capture(argv, out, sizeof(out)), 0);
	itest_fmt(want, sizeof(want),
		  DEMO
		  "%u\nvirtio0.rpmsg_ctrl.0.0\nvirtio0.rpmsg_ns.53.53\n"
		  "rpmsg-openamp-demo-channel\nrpmsg_ctrl\nrpmsg_ns\n/sys/bus/rpmsg/devices\n"
		  "rpmsg_ctrl0\n" VIRTIO "/virtio0.rpmsg_ctrl.0.0\nrpmsg_ctrl\nrpmsg_ns\n"
		  "10\n../devices/virtio0.rpmsg_ctrl.0.0\n"
		  "devices\ndrivers\n/\nout of it\n"
		  "/sys/class/rpmsg ['rpmsg0', 'rpmsg_ctrl0']\nrpmsg-openamp-demo-channel\nTrue\n"
		  "/sys/bus/rpmsg/drivers True\n/tmp\n",
		  dst);
	if (strcmp(out, want) != 0) {
		fprintf(stderr, "got:\n%s\nwanted:\n%s\n", out, want);
		fail();
	}
	itest_run_stop(&r, SIGINT);
}

/* sysfs_walk_app: chdir/fchdir/getcwd, glibc's nftw, ftw and fts, seekdir, fstat's 4096,
 * uevent and power/. */
static void glibc_walks_the_tree(void **state)
{
	(void)state;
	struct itest_run r = {0};
	unsigned dst = boot(&r);
	const char *argv[] = {AMPSIM_BIN, "exec", "--run-dir", r.dir, "--", WALK_APP, NULL};
	run_app(argv, out, sizeof(out));
	char want[4096];
	itest_fmt(
	    want, sizeof(want),
	    "cwd: /sys/bus/rpmsg/devices\n.:\n  .\n  ..\n  " DEMO "%u\n  virtio0.rpmsg_ctrl.0.0\n"
	    "  virtio0.rpmsg_ns.53.53\nvirtio0.rpmsg_ctrl.0.0/name: rpmsg_ctrl\n"
	    "stat ./virtio0.rpmsg_ns.53.53: a directory\ncwd: " VIRTIO "/virtio0.rpmsg_ns.53.53\n"
	    "name: rpmsg_ns\ncwd: " RPROC "/rproc-virtio.0\n"
	    "fchdir: /sys/class/rpmsg\naccess rpmsg_ctrl0: ok\n"
	    "chdir rpmsg0/name: Not a directory\nchdir nothing: No such file or directory\n"
	    "cwd: /\nnftw drivers, FTW_PHYS|FTW_DEPTH:\n  0 DP /drivers (drivers)\n"
	    "  1 DP /drivers/rpmsg_chrdev (rpmsg_chrdev)\n  1 DP /drivers/rpmsg_ctrl (rpmsg_ctrl)\n"
	    "  1 DP /drivers/rpmsg_ns (rpmsg_ns)\n  1 DP /drivers/rpmsg_tty (rpmsg_tty)\n"
	    "  2 F /drivers/rpmsg_chrdev/bind (bind)\n  2 F /drivers/rpmsg_chrdev/unbind (unbind)\n"
	    "  2 SL /drivers/rpmsg_chrdev/" DEMO "%u (" DEMO "%u)\n"
	    "  2 SL /drivers/rpmsg_ctrl/virtio0.rpmsg_ctrl.0.0 (virtio0.rpmsg_ctrl.0.0)\n"
	    "  2 SL /drivers/rpmsg_ns/virtio0.rpmsg_ns.53.53 (virtio0.rpmsg_ns.53.53)\n"
	    "ftw rpmsg_chrdev:\n  D rpmsg_chrdev dir\n  D rpmsg_chrdev/" DEMO "%u dir\n"
	    "  F rpmsg_chrdev/bind file\n  F rpmsg_chrdev/unbind file\n"
	    "fts links:\n  2 /sys/bus/rpmsg/devices/" DEMO "%u\n"
	    "  2 /sys/bus/rpmsg/devices/virtio0.rpmsg_ctrl.0.0\n"
	    "  2 /sys/bus/rpmsg/devices/virtio0.rpmsg_ns.53.53\n"
	    "fts: 3 directories (3 left), 0 files, 3 links\nseekdir: the same entry\n"
	    "fstat of an attribute: 4096\n"
	    "/sys/class/rpmsg/rpmsg_ctrl0/uevent: MAJOR=241\nMINOR=0\nDEVNAME=rpmsg_ctrl0\n"
	    "/sys/bus/rpmsg/devices/virtio0.rpmsg_ctrl.0.0/uevent: DRIVER=rpmsg_ctrl\n"
	    "MODALIAS=rpmsg:rpmsg_ctrl\n"
	    "/sys/class/rpmsg/rpmsg_ctrl0/power/runtime_status: unsupported\n"
	    "/sys/class/rpmsg/rpmsg_ctrl0/power/autosuspend_delay_ms: Input/output error\n"
	    "done\n",
	    dst, dst, dst, dst, dst);
	if (strcmp(out, want) != 0) {
		fprintf(stderr, "got:\n%s\nwanted:\n%s\n", out, want);
		fail();
	}
	itest_run_stop(&r, SIGINT);
}

/* Every device's uevent (as dev_uevent() and rpmsg_uevent() write it) and power/. */
static void uevent_and_power(void **state)
{
	(void)state;
	struct itest_run r = {0};
	unsigned dst = boot(&r);
	static const char script[] =
	    "cd /sys/bus/rpmsg/devices && cat */uevent && cat /sys/class/rpmsg/*/uevent\n"
	    "ls " DEMO "%u/power && cat " DEMO "%u/power/control\n"
	    "cat /sys/class/rpmsg/rpmsg0/power/autosuspend_delay_ms 2>&1 | sed 's/.*: //'\n"
	    "ls -l " DEMO "%u/ | awk '/uevent|power/ {print $1, $NF}'\n";
	char cmd[1024], want[2048];
	itest_fmt(cmd, sizeof(cmd), script, dst, dst, dst);
	const char *argv[] = {AMPSIM_BIN, "exec", "--run-dir", r.dir, "--",
			      "/bin/sh",  "-c",	  cmd,	       NULL};
	assert_int_equal(itest_capture(argv, out, sizeof(out)), 0);
	itest_fmt(want, sizeof(want),
		  "DRIVER=rpmsg_chrdev\nMODALIAS=rpmsg:rpmsg-openamp-demo-channel\n"
		  "DRIVER=rpmsg_ctrl\nMODALIAS=rpmsg:rpmsg_ctrl\n"
		  "DRIVER=rpmsg_ns\nMODALIAS=rpmsg:rpmsg_ns\n"
		  "MAJOR=240\nMINOR=0\nDEVNAME=rpmsg0\nMAJOR=241\nMINOR=0\nDEVNAME=rpmsg_ctrl0\n"
		  "autosuspend_delay_ms\ncontrol\nruntime_active_time\nruntime_status\n"
		  "runtime_suspended_time\nauto\nInput/output error\n"
		  "drwxr-xr-x power\n-rw-r--r-- uevent\n");
	(void)dst;
	if (strcmp(out, want) != 0) {
		fprintf(stderr, "got:\n%s\nwanted:\n%s\n", out, want);
		fail();
	}
	itest_run_stop(&r, SIGINT);
}

/*
 * RPMSG_CREATE_DEV_IOCTL with the names of rpmsg_ns and rpmsg_ctrl: as on Linux, whose
 * drivers have no id table (they bind only through driver_override), the devices stay
 * unbound, announce says true (src given); Python's fcntl.ioctl.
 */
static void create_dev_driver_names(void **state)
{
	(void)state;
	if (access(PYTHON, X_OK) != 0)
		skip();
	struct itest_run r = {0};
	(void)boot(&r);
	static const char prog[] =
	    "import os, fcntl, struct\n"
	    "c = os.open('/dev/rpmsg_ctrl0', os.O_RDWR)\n"
	    "for n in (b'rpmsg_ns', b'rpmsg_ctrl'):\n"
	    "    fcntl.ioctl(c, 0x4028b503, struct.pack('32sII', n, 0x600, 0x700))\n"
	    "    d = '/sys/bus/rpmsg/devices/virtio0.%s.1536.1792/' % n.decode()\n"
	    "    print(os.path.exists(d + 'driver'), open(d + 'announce').read().strip(),\n"
	    "          open(d + 'uevent').read().strip())\n"
	    "print(sorted(os.listdir('/sys/class/rpmsg')))\n"
	    "print(open('/sys/bus/rpmsg/devices/virtio0.rpmsg_ns.53.53/"
	    "announce').read().strip())\n";
	const char *argv[] = {AMPSIM_BIN, "exec", "--run-dir", r.dir, "--",
			      PYTHON,	  "-c",	  prog,	       NULL};
	assert_int_equal(itest_capture(argv, out, sizeof(out)), 0);
	expect("False true MODALIAS=rpmsg:rpmsg_ns\nFalse true MODALIAS=rpmsg:rpmsg_ctrl\n"
	       "['rpmsg0', 'rpmsg_ctrl0']\nfalse\n");
	itest_run_stop(&r, SIGINT);
}

/*
 * rpmsg_release_app: RPMSG_RELEASE_DEV_IOCTL of a channel the firmware announced unregisters
 * its device, as rpmsg_unregister_device() does: the open /dev/rpmsg0 reads and writes
 * EPIPE, the node, the device and its class device go, a second release is EINVAL, the same
 * channel can be created again (a device no driver takes). For the run: another program sees
 * it gone too. The firmware is not told (announce is false for its channels): its endpoint
 * stays.
 */
static void release_fw_channel(void **state)
{
	(void)state;
	struct itest_run r = {0};
	(void)boot(&r);
	const char *argv[] = {
	    AMPSIM_BIN, "exec", "--run-dir", r.dir, "--", RELEASE_APP, "rpmsg-openamp-demo-channel",
	    NULL};
	run_app(argv, out, sizeof(out));
	expect("echo through /dev/rpmsg0\nrelease: ok\nwrite: Broken pipe\nread: Broken pipe\n"
	       "open /dev/rpmsg0: No such file or directory\ndevice: No such file or directory\n"
	       "class device: No such file or directory\nrelease again: Invalid argument\n"
	       "create: ok\nthe new device's driver: No such file or directory\n");
	char script[1024];
	itest_fmt(
	    script, sizeof(script),
	    "ls /sys/bus/rpmsg/devices /sys/class/rpmsg; test -e /dev/rpmsg0 || echo gone\n"
	    "env -u LD_PRELOAD %s ctl %s endpoints | grep -c '^rpmsg-openamp-demo-channel '\n",
	    AMPSIM_BIN, r.dir);
	const char *sh[] = {AMPSIM_BIN, "exec", "--run-dir", r.dir, "--",
			    "/bin/sh",	"-c",	script,	     NULL};
	assert_int_equal(itest_capture(sh, out, sizeof(out)), 0);
	expect("/sys/bus/rpmsg/devices:\nvirtio0.rpmsg_ctrl.0.0\nvirtio0.rpmsg_ns.53.53\n\n"
	       "/sys/class/rpmsg:\nrpmsg_ctrl0\ngone\n1\n");
	itest_run_stop(&r, SIGINT);
}

/* linux-apps.md names the program and says what is still not as on Linux. */
static void docs_name_the_tree(void **state)
{
	(void)state;
	static char docs[65536];
	itest_read_file(DOCS_LINUX_APPS, docs, sizeof(docs));
	static const char *const words[] = {"rpmsg_dev_app.c", "fdopendir", "realpath", "find",
					    "chdir",	       VIRTIO};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strstr(docs, words[i]))
			fail_msg("docs/linux-apps.md does not name %s", words[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(find_and_ls_walk_the_bus, itest_run_teardown),
	    cmocka_unit_test_teardown(create_dev_of_any_name, itest_run_teardown),
	    cmocka_unit_test_teardown(python_walks_the_bus, itest_run_teardown),
	    cmocka_unit_test_teardown(run_gone_tree_gone, itest_run_teardown),
	    cmocka_unit_test_teardown(cd_into_the_tree, itest_run_teardown),
	    cmocka_unit_test_teardown(glibc_walks_the_tree, itest_run_teardown),
	    cmocka_unit_test_teardown(uevent_and_power, itest_run_teardown),
	    cmocka_unit_test_teardown(create_dev_driver_names, itest_run_teardown),
	    cmocka_unit_test_teardown(release_fw_channel, itest_run_teardown),
	    cmocka_unit_test(docs_name_the_tree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
