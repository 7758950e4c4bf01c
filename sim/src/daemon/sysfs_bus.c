/*
 * "sysfs-bus" control requests: the rpmsg bus's driver_override and unbind state that
 * `ampsim exec`'s shim shows under /sys/bus/rpmsg (sim/shim/shim_bus.c). Kept here, for the
 * run, so that every program of it sees what one wrote, as sysfs is one for the system:
 *
 *   sysfs-bus                                  one line per device: DIR OVERRIDE UNBOUND MINOR
 *   sysfs-bus set DIR OVERRIDE UNBOUND MINOR   OVERRIDE "-" for none, UNBOUND 0, 1 or 2
 *                                              (2: released, the device unregistered),
 *                                              MINOR the /dev/rpmsg<MINOR> unbinding took (-1)
 *
 * The daemon only stores what the shim decided (bind_store()'s rules are the shim's); it
 * checks the form, since any local program may connect.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "daemon.h"

#define BUS_STATES 32
#define BUS_DIR_MAX 96 /* "virtio0.<name>.<src>.<dst>": a 31-character name, two numbers */
#define BUS_OVERRIDE 32

struct bus_state {
	char dir[BUS_DIR_MAX];
	char override[BUS_OVERRIDE]; /* "" none */
	int unbound;
	int minor;
};

static struct bus_state states[BUS_STATES];
static unsigned n_states;

/* Printable, no blank, shorter than @p max. */
static gboolean word_ok(const char *w, size_t max)
{
	size_t l = strlen(w);
	if (!l || l >= max)
		return FALSE;
	for (; *w; w++)
		if (*w <= ' ' || *w > '~')
			return FALSE;
	return TRUE;
}

static gboolean set(const char *args, GString *out)
{
	char dir[BUS_DIR_MAX + 1], ovr[BUS_OVERRIDE + 1], tail;
	int unbound, minor;
	if (sscanf(args, "%96s %32s %d %d %c", dir, ovr, &unbound, &minor, &tail) != 4 ||
	    !word_ok(dir, BUS_DIR_MAX) || !word_ok(ovr, BUS_OVERRIDE) || unbound < 0 ||
	    unbound > 2 || minor < -1 || minor >= DAEMON_MAX_INDEX) {
		g_string_append(out, "EINVAL: sysfs-bus set DIR OVERRIDE|- 0|1|2 MINOR|-1\n");
		return FALSE;
	}
	struct bus_state *s = NULL;
	for (unsigned i = 0; i < n_states && !s; i++)
		if (!strcmp(states[i].dir, dir))
			s = &states[i];
	if (!s && n_states == BUS_STATES) {
		g_string_append(out, "ENOMEM: no room for another device's state\n");
		return FALSE;
	}
	if (!s) {
		s = &states[n_states++];
		g_strlcpy(s->dir, dir, sizeof(s->dir));
	}
	g_strlcpy(s->override, strcmp(ovr, "-") ? ovr : "", sizeof(s->override));
	s->unbound = unbound;
	s->minor = minor;
	return TRUE;
}

gboolean daemon_sysfs_bus(struct daemon *d, const char *args, GString *out)
{
	(void)d;
	if (!strncmp(args, "set ", 4))
		return set(args + 4, out);
	if (*args) {
		g_string_append(out, "EINVAL: sysfs-bus, or sysfs-bus set ...\n");
		return FALSE;
	}
	for (unsigned i = 0; i < n_states; i++)
		g_string_append_printf(out, "%s %s %d %d\n", states[i].dir,
				       states[i].override[0] ? states[i].override : "-",
				       states[i].unbound, states[i].minor);
	return TRUE;
}
