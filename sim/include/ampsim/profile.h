/*
 * SoC profiles: a GLib key file describes a SoC's memory regions and its mailbox
 * (docs/memory-map.md has the format). Host side only (GLib). Errors are AMP_ERROR
 * (<ampsim/error.h>) with an AMP_E* code and a message that names the file, the group and
 * the key, and says what to do.
 */
#ifndef AMPSIM_PROFILE_H
#define AMPSIM_PROFILE_H

#include <glib.h>

#include <ampsim/error.h>
#include <ampsim/soc.h>

G_BEGIN_DECLS

#define AMP_PROFILE_DEFAULT "stm32mp157"
#define AMP_PROFILE_PATH_ENV "AMPSIM_PROFILE_PATH" /**< colon-separated dirs, searched first */

/**
 * Parse and validate one profile file. Unknown groups or keys, missing keys, bad numbers,
 * zero sizes, misalignment and overlaps are errors whose message reads
 * "<file>: [<group>] <key>: <reason>".
 *
 * @param out  filled on success (zeroed first)
 * @return TRUE on success; FALSE with @p error set to AMP_ERROR and one of:
 * @retval AMP_EINVAL   a group or key is wrong (the message names both), or the file is not
 *                      a regular file of at most 64 KiB
 * @retval AMP_EBADMSG  not a key file
 * @retval AMP_EAGAIN   the file changed while being read
 * @retval other        the file cannot be read: its errno through amp_from_errno(), e.g.
 *                      AMP_ENOENT, AMP_EACCES
 */
gboolean amp_profile_load_file(const char *path, struct amp_soc_layout *out, GError **error);

/**
 * Load a profile by name ("stm32mp157") from the search path, or by path if @p name
 * contains a '/'. Search order: $AMPSIM_PROFILE_PATH, then amp_profile_builtin_path()
 * (the source tree's sim/profiles, then the installed <datadir>/ampsim/profiles).
 *
 * @return TRUE on success; FALSE with @p error set to AMP_ERROR: AMP_ENOENT when no
 *         directory of the search path has it (the message lists them), else as
 *         amp_profile_load_file()
 */
gboolean amp_profile_load(const char *name, struct amp_soc_layout *out, GError **error);

/** The compiled-in search path (colon-separated). */
const char *amp_profile_builtin_path(void);

G_END_DECLS

#endif /* AMPSIM_PROFILE_H */
