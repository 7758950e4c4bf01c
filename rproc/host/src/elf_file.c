/* O_CLOEXEC, ssize_t: POSIX.1-2008 (the targets build with -std=c11). */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ampsim/rsc_dump.h>

static int errno_to_amp(int e)
{
	switch (e) {
	case ENOENT:
		return AMP_ENOENT;
	case ENOMEM:
		return AMP_ENOMEM;
	default:
		return AMP_EIO;
	}
}

int amp_elf_read_file(const char *path, uint8_t **data, size_t *len)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t size, done = 0;
	int fd, ret;

	if (!path || !data || !len)
		return AMP_EINVAL;
	*data = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno_to_amp(errno);
	if (fstat(fd, &st) < 0) {
		ret = errno_to_amp(errno);
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = AMP_EINVAL;
		goto out_close;
	}
	if (st.st_size < 0 || (uint64_t)st.st_size > AMP_ELF_FILE_MAX) {
		ret = AMP_ERANGE;
		goto out_close;
	}
	size = (size_t)st.st_size;
	buf = malloc(size ? size : 1);
	if (!buf) {
		ret = AMP_ENOMEM;
		goto out_close;
	}
	/* The file may shrink while we read: stop at EOF and report what we got. */
	while (done < size) {
		ssize_t n = read(fd, buf + done, size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = errno_to_amp(errno);
			goto out_free;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	close(fd);
	*data = buf;
	*len = done;
	return 0;

out_free:
	free(buf);
out_close:
	close(fd);
	return ret;
}
