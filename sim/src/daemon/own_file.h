/*
 * Files ampsim runs or loads besides itself (libampsim-preload.so, ampsim-web): next to the
 * ampsim executable in the build tree; once installed, in lib/ampsim/, found relative to the
 * executable's directory, so that an installed tree can be moved.
 */
#ifndef AMP_SIM_OWN_FILE_H
#define AMP_SIM_OWN_FILE_H

#include <glib.h>

/* @p name next to this executable, else @p installed_rel from its directory; NULL with
 * *@p err saying where it was looked for if neither exists. g_free() it. */
char *amp_own_file(const char *name, const char *installed_rel, GError **err);

#endif /* AMP_SIM_OWN_FILE_H */
