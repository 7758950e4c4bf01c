/*
 * A Linux program that drives remoteproc through sysfs, written for Linux (not for ampsim):
 * each argument ATTR=VALUE writes VALUE and a newline to ATTR with open()/write() and prints
 * what the write returned (the errno's text on failure); ATTR alone prints its contents.
 * ATTR is a name in /sys/class/remoteproc/remoteproc0 (or a full path).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define RPROC "/sys/class/remoteproc/remoteproc0/"

static void path_of(char *out, size_t len, const char *attr, size_t alen)
{
	snprintf(out, len, "%s%.*s", attr[0] == '/' ? "" : RPROC, (int)alen, attr);
}

static int store(const char *arg, const char *eq)
{
	char path[512], buf[512];
	path_of(path, sizeof(path), arg, (size_t)(eq - arg));
	int n = snprintf(buf, sizeof(buf), "%s\n", eq + 1);
	int fd = open(path, O_WRONLY);
	if (fd < 0) {
		printf("%.*s <- %s: open: %s\n", (int)(eq - arg), arg, eq + 1, strerror(errno));
		return 0;
	}
	ssize_t w = write(fd, buf, (size_t)n);
	printf("%.*s <- %s: %s\n", (int)(eq - arg), arg, eq + 1,
	       w == n  ? "ok"
	       : w < 0 ? strerror(errno)
		       : "short write");
	close(fd);
	return 0;
}

static int show(const char *arg)
{
	char path[512], buf[256];
	path_of(path, sizeof(path), arg, strlen(arg));
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		printf("%s: %s\n", arg, strerror(errno));
		return 1;
	}
	buf[n] = '\0';
	printf("%s: %s", arg, buf);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		rc |= eq ? store(argv[i], eq) : show(argv[i]);
		fflush(stdout);
	}
	return rc;
}
