/*
 * Reading a frame client's datagrams (frontend.c): credentials tell an empty message from a
 * hang-up, and a descriptor sent along marks a non-blocking write (its reply eventfd).
 */
#ifndef AMP_FRAME_RECV_H
#define AMP_FRAME_RECV_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Room for one datagram's credentials and one descriptor (more are closed by the kernel). */
union amp_frame_creds {
	char b[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int))];
	struct cmsghdr align;
};

/* True if @m carried credentials; closes every descriptor it carried but the first, kept in
 * *@p keep when @p keep is not NULL. */
bool amp_frame_had_creds(struct msghdr *m, int *keep);

/* One message; the first descriptor it carried in *@p reply (-1: none) if @p reply. */
ssize_t amp_frame_recv(int fd, void *buf, size_t len, bool *eof, int *reply, int flags);

#endif /* AMP_FRAME_RECV_H */
