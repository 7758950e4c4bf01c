/*
 * A Linux rpmsg_char client, written for Linux and not for ampsim: usage
 * `rpmsg_block_app DEVICE MODE COMMAND`, run while the remote holds on to every TX buffer.
 * A blocking write() waits in rpmsg_send() for a TX buffer, up to 15 s:
 *  - wait:    a second thread checks, 200 ms later, that the write has not returned, then
 *             runs COMMAND (which gives the buffers back); the write then returns its length
 *             and the echo of that message, and nothing else, comes back.
 *  - timeout: nobody gives the buffers back; the write fails with what rpmsg_send() returns
 *             after its wait, -ERESTARTSYS (errno 512: no signal is pending to restart it).
 *  - gone:    the second thread runs COMMAND (which takes the channel away) instead; the
 *             write fails (EPIPE) rather than blocking for ever.
 * One line per step; exit status 0 when every step behaved as expected.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_int returned;
static const char *command;
static int command_rc = -1;

static int die(const char *what)
{
	printf("FAIL %s: %s\n", what, strerror(errno));
	return 1;
}

/* 200 ms into the write: has it returned? Then give the buffers back (or remove the device). */
static void *helper(void *arg)
{
	(void)arg;
	nanosleep(&(struct timespec){.tv_nsec = 200000000L}, NULL);
	printf("write returned within 200 ms: %s\n", atomic_load(&returned) ? "yes" : "no");
	fflush(stdout);
	command_rc = system(command);
	return NULL;
}

static int read_echo(int fd, const char *want)
{
	char buf[512];
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, 20000) != 1)
		return die("poll for the echo");
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n != (ssize_t)strlen(want) || memcmp(buf, want, (size_t)n) != 0)
		return die("the echo is not the message written");
	printf("echo: %.*s\n", (int)n, buf);
	/* Nothing else: a message given up on before was never sent. */
	if (poll(&p, 1, 300) != 0)
		return die("another message came back");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s DEVICE wait|timeout|gone COMMAND\n", argv[0]);
		return 2;
	}
	const char *mode = argv[2];
	command = argv[3];
	int fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return die("open");
	pthread_t t;
	int helped = strcmp(mode, "timeout") != 0;
	if (helped && pthread_create(&t, NULL, helper, NULL) != 0)
		return die("pthread_create");
	const char *msg = !strcmp(mode, "wait") ? "waited-for" : "given-up";
	ssize_t n = write(fd, msg, strlen(msg));
	int e = errno;
	atomic_store(&returned, 1);
	if (helped && pthread_join(t, NULL) != 0)
		return die("pthread_join");
	if (helped && command_rc != 0)
		return die("the command");
	if (n >= 0)
		printf("write: %zd bytes\n", n);
	else
		printf("write: %s (errno %d)\n", strerror(e), e);
	if (!strcmp(mode, "wait") && (n != (ssize_t)strlen(msg) || read_echo(fd, msg)))
		return 1;
	close(fd);
	printf("done\n");
	return 0;
}
