/*
 * GLib glue for the host end of an IPCC link (STYLE 11: the library exposes the fd, the
 * application owns the loop). The source calls amp_ipcc_link_handle_fd() whenever the
 * link's RX eventfd is readable, so channel handlers run on the thread iterating its context.
 */
#ifndef AMP_IPCC_GLIB_H
#define AMP_IPCC_GLIB_H

#include <glib.h>

#include <ampsim/ipcc_link.h>

G_BEGIN_DECLS

/**
 * Attach a watch of @p link's RX eventfd to @p ctx (NULL: the caller's thread-default
 * context, as g_main_context_ref_thread_default() gives it). The link must use
 * AMP_IPCC_WAIT_BLOCK (its asleep word stays set, so every raise writes the fd).
 *
 * @return the attached source, owned by the caller: g_source_destroy() then
 *         g_source_unref() it before the link goes away
 */
GSource *amp_ipcc_glib_source(struct amp_ipcc_link *link, GMainContext *ctx);

G_END_DECLS

#endif /* AMP_IPCC_GLIB_H */
