/*
 * The STM32MP1-on-a-PC remoteproc platform: what stm32_rproc.c is to Linux's remoteproc core,
 * for the generic core of <ampsim/rproc.h>. Its firmware is a host process:
 *
 *   sanity_check  the firmware file must be an executable (a program built with the sim port)
 *   start         reset the SoC through the owner's hook (restore what the host owns, fresh
 *                 eventfds), publish the loaded table in the SoC header, then fork + exec
 *                 the firmware with its environment (<ampsim/fwenv.h>) and the inherited IPCC
 *                 eventfds, in its own process group and killed with its host (PDEATHSIG);
 *                 a pidfd source on the given GMainContext reports its end
 *                 (amp_rproc_report_exit), after SIGKILL to what is left of its group
 *   stop          the shutdown request on IPCC CH3
 *   kill          SIGKILL to the firmware's process group, and reap
 *   kick          notify id 0 -> CH1 ("vq0"), 1 -> CH2 ("vq1"), as stm32_rproc's mailboxes
 *   da_to_va      the shared-memory SoC object (amp_soc_da_to_va)
 *
 * Private to libampsim. One thread: the one iterating the context. The SoC object, the link
 * and the eventfds belong to the caller and must outlive the platform.
 *
 * A descendant that leaves the firmware's process group (setsid(), setpgid()) is not killed:
 * it keeps its mappings until it exits, but its eventfds are those of a past instance. The
 * firmware itself, when a tool starts it in a group of its own (gdbserver), dies with the
 * tool: amp_fwenv_read() sets its parent-death signal.
 */
#ifndef AMP_SIM_RPROC_SIM_H
#define AMP_SIM_RPROC_SIM_H

#include <glib.h>

#include <ampsim/host.h>
#include <ampsim/ipcc_link.h>
#include <ampsim/rproc.h>
#include <ampsim/soc.h>

G_BEGIN_DECLS

struct amp_sim_rproc;

extern const struct amp_rproc_ops amp_sim_rproc_ops;

/**
 * The SoC's reset before each start (the MCU subsystem leaving reset): rewrite everything the
 * host owns from its private copies and put fresh IPCC eventfds for the new firmware instance
 * in @p efds (owned by the hook's owner, valid until the next reset). FALSE with @p err set
 * fails the start.
 */
typedef gboolean (*amp_sim_reset_fn)(void *priv, int efds[AMP_IPCC_LINK_NFDS], GError **err);

/** A platform for one firmware on @p soc; @p ctx (not NULL) gets the pidfd source. */
struct amp_sim_rproc *amp_sim_rproc_new(struct amp_soc *soc, struct amp_ipcc_link *link,
					amp_sim_reset_fn reset, void *reset_priv,
					const struct amp_host_process_cfg *cfg, GMainContext *ctx);

/**
 * The firmware's part of the fault plan (AMPSIM_FAULTS, AMPSIM_FAULT_SEED) for the next
 * start; @p spec NULL: none. Copied.
 */
void amp_sim_rproc_set_fw_faults(struct amp_sim_rproc *p, const char *spec, uint64_t seed);

/** Where the process's end is reported; set once, before the first start. */
void amp_sim_rproc_set_core(struct amp_sim_rproc *p, struct amp_rproc *core);

/** Kills a process still running (no report). NULL is a no-op. */
void amp_sim_rproc_free(struct amp_sim_rproc *p);

/** The SoC's regions as the core's memory map; returns how many were written (<= max). */
size_t amp_sim_rproc_mem(const struct amp_soc *soc, struct amp_rproc_mem *out, size_t max);

/** The firmware process's pid, -1 when none runs. */
int amp_sim_rproc_pid(const struct amp_sim_rproc *p);

G_END_DECLS

#endif /* AMP_SIM_RPROC_SIM_H */
