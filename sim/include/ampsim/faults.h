/*
 * The fault plan of a libampsim host (docs/faults.md): rules that drop, delay or duplicate
 * doorbells, drop, duplicate or corrupt messages, and crash or stall the firmware process,
 * at the host's side of the link. Deterministic: the same seed and the same sequence of
 * events fire the same faults, and every fault that fires is counted, logged and recorded.
 *
 * A host has no plan until amp_host_faults_add() (an empty spec installs an empty plan).
 * Call from the host's thread, as the rest of <ampsim/host.h>.
 */
#ifndef AMPSIM_FAULTS_H
#define AMPSIM_FAULTS_H

#include <stdint.h>

#include <glib.h>

#include <ampsim/host.h>

G_BEGIN_DECLS

/**
 * Add the rules of @p spec (one per line or ';'-separated, '#' comments; grammar in
 * docs/faults.md). All or nothing: on an error (AMP_EINVAL) no rule is added and the
 * message names the token and what is allowed. A rule naming a channel the running firmware
 * has not announced is refused too (before the firmware runs, any name is accepted).
 */
gboolean amp_host_faults_add(struct amp_host *h, const char *spec, GError **err);
/** Remove every rule (the plan stays, empty); its counters and record start again. */
void amp_host_faults_clear(struct amp_host *h);
/** Restart the plan with @p seed: PRNGs, counters and record; the rules stay. Default 0. */
void amp_host_faults_set_seed(struct amp_host *h, uint64_t seed);
uint64_t amp_host_faults_seed(const struct amp_host *h);
/** The seed, each rule with its counters (seen, fired), and the fired faults in order. */
void amp_host_faults_list(struct amp_host *h, GString *out);
/** How many times rule @p id (1-based, in the order added) fired; id 0: all rules. */
uint64_t amp_host_faults_fired(const struct amp_host *h, unsigned id);

G_END_DECLS

#endif /* AMPSIM_FAULTS_H */
