/* The sysfs tree's nodes (shim_busfs.c), for the path walk and the calls (shim_buswalk.c). */
#ifndef AMP_SHIM_BUSFS_H
#define AMP_SHIM_BUSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "shim.h"

enum node_type { NODE_NONE, NODE_DIR, NODE_FILE, NODE_LINK };

struct node {
	enum node_type type;
	mode_t mode;
	int wkind; /* writable: SHIM_BUS_W_*, else -1 */
	bool eio;  /* its read fails with EIO (autosuspend_delay_ms without autosuspend) */
	char target[SHIM_BUS_NAME];
	char text[SHIM_BUS_PATH]; /* a file's text, a link's absolute target */
	struct shim_bus_entries e;
	size_t used;
};

/** The node of canonical path @p path (NODE_NONE if there is none). */
void shim_busfs_lookup(const struct shim_bus_snap *s, const char *path, struct node *n);
/** Next component of *@p p into @p c; false at the end (or one too long for @p c). */
bool shim_busfs_next(const char **p, char *c, size_t len);
/** The last component: nothing follows @p p. */
bool shim_busfs_at_end(const char *p);

#endif /* AMP_SHIM_BUSFS_H */
