/*
 * The Linux side: send each argument to the upper firmware and print the reply.
 *   upper-client ENDPOINT WORD...
 * ENDPOINT is the channel's socket in the run directory (RUNDIR/rpmsg0 under `ampsim run`);
 * on the board it would be /dev/rpmsg0 (open/write/read instead of connect/send/recv).
 */
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define REPLY_TIMEOUT_MS 5000

static int connect_endpoint(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(a.sun_path)) {
		fprintf(stderr, "upper-client: %s: path too long for a socket\n", path);
		return -1;
	}
	strcpy(a.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror(path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* One request, one reply: a SEQPACKET socket keeps message boundaries. */
static int ask(int fd, const char *word)
{
	char reply[512];
	if (send(fd, word, strlen(word), 0) < 0) {
		perror("upper-client: send");
		return -1;
	}
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, REPLY_TIMEOUT_MS) != 1) {
		fprintf(stderr, "upper-client: no reply within %d ms\n", REPLY_TIMEOUT_MS);
		return -1;
	}
	ssize_t n = recv(fd, reply, sizeof(reply), 0);
	if (n <= 0) {
		fprintf(stderr, "upper-client: the channel closed\n");
		return -1;
	}
	printf("%.*s\n", (int)n, reply);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: upper-client ENDPOINT WORD...\n");
		return 2;
	}
	int fd = connect_endpoint(argv[1]);
	if (fd < 0)
		return 1;
	int rc = 0;
	for (int i = 2; i < argc && rc == 0; i++)
		rc = ask(fd, argv[i]);
	close(fd);
	return rc ? 1 : 0;
}
