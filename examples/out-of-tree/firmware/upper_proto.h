/* The upper firmware's protocol: each message comes back upper-cased. Portable C. */
#ifndef UPPER_PROTO_H
#define UPPER_PROTO_H

#include <stddef.h>

#define UPPER_SERVICE "upper-channel"
/* The largest message: the payload of Linux's 512-byte RPMsg buffers (the table's default). */
#define UPPER_MAX 496

/* Write the upper-cased @p in (@p len bytes) to @p out (room for @p len bytes). */
void upper_convert(const char *in, size_t len, char *out);

#endif /* UPPER_PROTO_H */
