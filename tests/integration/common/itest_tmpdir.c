/*
 * amp_itest_tmpdir CMD [ARG...]: run one integration test in a fresh, empty working
 * directory (mkdtemp under $TMPDIR or /tmp), so that a file a test (or the daemon or the
 * firmware it starts) writes by mistake can never land in the source or build tree.
 * Afterwards the directory must be empty: anything left in it is named and fails the test.
 * The directory is removed either way. Exit status: the test's; 1 if it passed but left
 * files; 128 + N if it was killed by signal N.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t child;

/* ctest's timeout, or ^C on a terminal that is not the test's: the test gets it too. */
static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) != 0)
		fprintf(stderr, "amp_itest_tmpdir: cannot remove %s: %s\n", path, strerror(errno));
	return 0;
}

/* Name every entry left in @dir; returns how many. */
static int report_leftovers(const char *dir, const char *test)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (n++ == 0)
			fprintf(stderr,
				"amp_itest_tmpdir: %s left files in its working directory:\n",
				test);
		fprintf(stderr, "  \"%s\"\n", e->d_name);
	}
	closedir(d);
	return n;
}

static int wait_child(void)
{
	int st;
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR)
			return 125;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

int main(int argc, char **argv)
{
	char dir[PATH_MAX];
	const char *tmp = getenv("TMPDIR");
	if (argc < 2) {
		fprintf(stderr, "usage: amp_itest_tmpdir CMD [ARG...]\n");
		return 2;
	}
	if (!tmp || !*tmp)
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/ampsim-wd-XXXXXX", tmp);
	if (!mkdtemp(dir)) {
		fprintf(stderr, "amp_itest_tmpdir: mkdtemp in %s: %s\n", tmp, strerror(errno));
		return 2;
	}
	struct sigaction sa = {.sa_handler = forward};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	child = fork();
	if (child == 0) {
		if (chdir(dir) != 0)
			_exit(126);
		execvp(argv[1], argv + 1);
		fprintf(stderr, "amp_itest_tmpdir: cannot run %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	int rc = child < 0 ? 125 : wait_child();
	if (report_leftovers(dir, argv[1]) && rc == 0)
		rc = 1;
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}
