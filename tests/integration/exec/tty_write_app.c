/*
 * A Linux program that writes to an rpmsg tty while the remote keeps every TX buffer,
 * written for Linux (not for ampsim): usage tty_write_app DEVICE CMD. In raw mode it writes
 * one byte every 20 ms until a write fails (rpmsg_tty_write() passes rpmsg_trysend()'s
 * ENOMEM to the writer), runs CMD (which gives the buffers back), writes the line "after"
 * and reads the echo until "after" comes back.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3)
		return fprintf(stderr, "usage: %s DEVICE CMD\n", argv[0]), 2;
	int fd = open(argv[1], O_RDWR | O_NOCTTY);
	struct termios t;
	if (fd < 0 || tcgetattr(fd, &t) != 0)
		return perror(argv[1]), 1;
	cfmakeraw(&t);
	if (tcsetattr(fd, TCSANOW, &t) != 0)
		return perror("tcsetattr"), 1;
	int accepted = 0;
	while (accepted < 200 && write(fd, "x", 1) == 1) {
		accepted++;
		usleep(20000);
	}
	if (accepted == 200)
		printf("every write accepted\n");
	else
		printf("write refused after %s: %s\n", accepted ? "some were accepted" : "none",
		       strerror(errno));
	if (system(argv[2]) != 0 || write(fd, "after\n", 6) != 6) /* the sample echoes lines */
		return perror("after"), 1;
	char got[4096];
	size_t n = 0;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	while (n < sizeof(got) - 1 && poll(&p, 1, 10000) == 1) {
		ssize_t r = read(fd, got + n, sizeof(got) - 1 - n);
		if (r <= 0)
			break;
		got[n += (size_t)r] = '\0';
		if (strstr(got, "after"))
			break;
	}
	got[n] = '\0';
	printf("%s\n", strstr(got, "after") ? "echoed after" : "no echo of after");
	close(fd);
	return 0;
}
