/* `ampsim run --cuse` in a build without libfuse3: the run goes on without the devices. */
#include "cuse.h"

#include <amp/error.h>
#include <ampsim/error.h>

struct amp_cuse *amp_cuse_new(struct daemon *d, GError **err)
{
	(void)d;
	amp_set_error(err, AMP_ENOTSUP,
		      "this ampsim was built without libfuse3 (install libfuse3-dev and "
		      "rebuild). Run the Linux program with 'ampsim exec -- PROGRAM' instead "
		      "(not for static or setuid programs)");
	return NULL;
}

/* No struct amp_cuse exists in this build: every call gets NULL and does nothing. */
void amp_cuse_free(struct amp_cuse *c)
{
	(void)c;
}

void amp_cuse_bus_up(struct amp_cuse *c)
{
	(void)c;
}

void amp_cuse_bus_down(struct amp_cuse *c)
{
	(void)c;
}

void amp_cuse_resume(struct amp_cuse *c)
{
	(void)c;
}

void amp_cuse_sync_ttys(struct amp_cuse *c)
{
	(void)c;
}

void amp_cuse_list(struct amp_cuse *c, GString *out)
{
	(void)c;
	(void)out;
}
