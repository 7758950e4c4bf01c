/*
 * SoC profiles: a GLib key file describes a SoC's memory regions and its mailbox
 * (docs/memory-map.md has the format). Host side only (GLib).
 */
#ifndef AMPSIM_PROFILE_H
#define AMPSIM_PROFILE_H

#include <glib.h>

#include <ampsim/soc.h>

G_BEGIN_DECLS

#define AMP_PROFILE_ERROR (amp_profile_error_quark())
GQuark amp_profile_error_quark(void);

enum amp_profile_error {
	AMP_PROFILE_ERROR_NOT_FOUND, /**< no such profile on the search path */
	AMP_PROFILE_ERROR_PARSE,     /**< not a key file */
	AMP_PROFILE_ERROR_INVALID,   /**< a group or key is wrong; the message names both */
};

#define AMP_PROFILE_DEFAULT "stm32mp157"
#define AMP_PROFILE_PATH_ENV "AMPSIM_PROFILE_PATH" /**< colon-separated dirs, searched first */

/**
 * Parse and validate one profile file. Unknown groups or keys, missing keys, bad numbers,
 * zero sizes, misalignment and overlaps are errors whose message reads
 * "<file>: [<group>] <key>: <reason>".
 *
 * @param out  filled on success (zeroed first)
 * @return TRUE on success; FALSE with @p error set (AMP_PROFILE_ERROR_*, G_FILE_ERROR_*)
 */
gboolean amp_profile_load_file(const char *path, struct amp_soc_layout *out, GError **error);

/**
 * Load a profile by name ("stm32mp157") from the search path, or by path if @p name
 * contains a '/'. Search order: $AMPSIM_PROFILE_PATH, then amp_profile_builtin_path()
 * (the source tree's sim/profiles, then the installed <datadir>/ampsim/profiles).
 */
gboolean amp_profile_load(const char *name, struct amp_soc_layout *out, GError **error);

/** The compiled-in search path (colon-separated). */
const char *amp_profile_builtin_path(void);

G_END_DECLS

#endif /* AMPSIM_PROFILE_H */
