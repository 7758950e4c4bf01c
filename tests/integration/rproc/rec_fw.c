/*
 * A test firmware for recovery (issue 12, bugs 1, 2 and 5): the echo sample, plus one way to
 * misbehave. A "once" misbehaviour happens only while the file MARK does not exist (the
 * firmware creates it first), so the recovered instance is a healthy echo firmware.
 *
 * The mode is the first argument, else $REC_FW_MODE, else echo.
 *
 *   rec_fw echo            a plain echo firmware
 *   rec_fw header MARK     once: overwrite one byte of a region name in the SoC header page,
 *                          then crash (exit 3)
 *   rec_fw ipcc MARK       once: clear the host's IPCC interrupt enables and mask every
 *                          channel of the host, then crash
 *   rec_fw crash           exit 3 at once, every time
 *   rec_fw fork PIDFILE    fork a child and a grandchild that sleep (same process group);
 *                          write "CHILD GRANDCHILD" to PIDFILE, then echo
 *   rec_fw bad-used MARK   echo; once, on the message "corrupt": rewrite the id of the
 *                          vring1 used entry just returned to 17 (>= num 16) and reply
 *                          "corrupted"; the host finds it when it reclaims TX buffers
 *   rec_fw deaf            echo, but at the shutdown request wait for ever (asleep): the
 *                          host's grace period ends in its kill
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <openamp/open_amp.h>

#include <amp/fw_platform.h>
#include <amp/ipcc.h>
#include <ampsim/fwenv.h>
#include <ampsim/soc.h>

#define ECHO_SERVICE "rpmsg-openamp-demo-channel"

static struct rpmsg_device *rdev;
static struct rpmsg_endpoint ept;
static const char *mark;
static volatile int corrupt_now;

/* The first caller creates MARK and misbehaves; later instances find it and behave. */
static int first_time(void)
{
	int fd = open(mark, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* The whole shared object, mapped as the host maps it. */
static void attach_all(struct amp_soc *soc)
{
	int efds[AMP_FWENV_NFDS];
	char name[AMP_SOC_SHM_NAME_MAX];
	if (amp_fwenv_read(name, sizeof(name), efds, NULL, 0) || amp_soc_attach_host(soc, name))
		exit(100);
}

static void scribble_header(void)
{
	struct amp_soc soc;
	attach_all(&soc);
	/* One byte: a character no region name may hold, which a firmware's attach refuses. */
	soc.hdr->regions[0].name[0] = '!';
	_exit(3);
}

static void scribble_ipcc(void)
{
	struct amp_soc soc;
	attach_all(&soc);
	struct amp_ipcc_shared *sh = amp_soc_ipcc(&soc);
	atomic_store(&sh->reg[AMP_IPCC_XCR(AMP_IPCC_PROC1) / 4u], 0);
	atomic_store(&sh->reg[AMP_IPCC_XMR(AMP_IPCC_PROC1) / 4u], 0xFFFFFFFFu);
	atomic_store(&sh->guest_errors, 0);
	_exit(3);
}

static void fork_sleepers(const char *pidfile)
{
	int pipefd[2];
	if (pipe(pipefd) < 0)
		exit(102);
	pid_t child = fork();
	if (child == 0) {
		pid_t grandchild = fork();
		if (grandchild == 0) {
			for (;;)
				pause();
		}
		if (write(pipefd[1], &grandchild, sizeof(grandchild)) < 0)
			_exit(1);
		for (;;)
			pause();
	}
	pid_t grandchild = -1;
	if (child < 0 || read(pipefd[0], &grandchild, sizeof(grandchild)) != sizeof(grandchild))
		exit(103);
	FILE *f = fopen(pidfile, "w");
	if (!f)
		exit(104);
	fprintf(f, "%d %d\n", (int)child, (int)grandchild);
	fclose(f);
}

/* The buffer of the message just handled went back on vring1's used ring: spoil its id. */
static void corrupt_used(void)
{
	struct amp_vq *vq = &rdev->amp.rvq;
	uint16_t last = (uint16_t)(vq->shadow_idx - 1u);
	vq->used->ring[last & (vq->num - 1u)].id = 17;
	rpmsg_send(&ept, "corrupted", 9);
}

static int echo_cb(struct rpmsg_endpoint *e, void *data, size_t len, uint32_t src, void *priv)
{
	(void)priv;
	if (mark && len == 7 && !memcmp(data, "corrupt", 7) && first_time()) {
		corrupt_now = 1; /* after the callback, once the buffer is back on the ring */
		return RPMSG_SUCCESS;
	}
	rpmsg_sendto(e, data, (int)len, src);
	return RPMSG_SUCCESS;
}

int main(int argc, char **argv)
{
	/* Under `ampsim run`, which passes no arguments, the mode comes from the environment. */
	const char *mode = argc >= 2 ? argv[1] : getenv("REC_FW_MODE");
	if (!mode)
		mode = "echo";
	const char *arg = argc >= 3 ? argv[2] : NULL;
	if (!strcmp(mode, "crash"))
		return 3;
	if (arg && !strcmp(mode, "header") && (mark = arg, first_time()))
		scribble_header();
	if (arg && !strcmp(mode, "ipcc") && (mark = arg, first_time()))
		scribble_ipcc();
	mark = arg && !strcmp(mode, "bad-used") ? arg : NULL;
	if (arg && !strcmp(mode, "fork"))
		fork_sleepers(arg);
	rdev = fw_platform_init();
	if (!rdev)
		return 1;
	if (rpmsg_create_ept(&ept, rdev, ECHO_SERVICE, RPMSG_ADDR_ANY, RPMSG_ADDR_ANY, echo_cb,
			     NULL) != RPMSG_SUCCESS)
		return 1;
	while (!fw_platform_stop_requested()) {
		fw_platform_poll(100);
		if (corrupt_now) {
			corrupt_now = 0;
			corrupt_used();
		}
	}
	while (!strcmp(mode, "deaf"))
		pause();
	rpmsg_destroy_ept(&ept);
	fw_platform_deinit();
	return 0;
}
