/*
 * The firmware's part of the fault plan, at the host (docs/faults.md): irq, ring:fw and
 * fw exit rules are applied by the firmware itself. The host hands them over in the
 * firmware's environment at each start (AMPSIM_FAULTS, AMPSIM_FAULT_SEED) and reads what
 * the firmware reports in the shared header's table (struct amp_soc_fw_fault): numbers a
 * firmware can write anything into, so they are only shown, never acted on.
 */
#include <string.h>

#include "../faults/faults.h"
#include "../platform/rproc_sim.h"
#include "host_internal.h"

void amp_hff_push(struct amp_host *h, struct amp_faults *plan)
{
	amp_hff_sync(h, plan);
	g_autofree char *spec = amp_faults_fw_spec(plan);
	amp_sim_rproc_set_fw_faults(amp_host_plat(h), spec, amp_faults_seed(plan));
}

static struct amp_soc_fw_fault *table(struct amp_host *h)
{
	return amp_host_soc(h)->hdr->fw_faults;
}

void amp_hff_sync(struct amp_host *h, struct amp_faults *plan)
{
	GPtrArray *rules = amp_faults_rules(plan);
	struct amp_soc_fw_fault *t = table(h);
	for (guint i = 0; i < rules->len; i++) {
		struct amp_fault_rule *r = rules->pdata[i];
		if (!amp_fault_rule_in_fw(r))
			continue;
		r->seen = r->fw_base_seen;
		r->fired = r->fw_base_fired;
		for (unsigned s = 0; s < AMP_SOC_FW_FAULTS; s++)
			if (atomic_load(&t[s].id) == r->id) {
				r->seen += atomic_load(&t[s].seen);
				r->fired += atomic_load(&t[s].fired);
				break;
			}
	}
}

void amp_hff_reset(struct amp_host *h)
{
	struct amp_soc_fw_fault *t = table(h);
	for (unsigned s = 0; s < AMP_SOC_FW_FAULTS; s++) {
		atomic_store(&t[s].seen, 0);
		atomic_store(&t[s].fired, 0);
	}
}

void amp_hff_fold(struct amp_host *h, struct amp_faults *plan)
{
	amp_hff_sync(h, plan);
	GPtrArray *rules = amp_faults_rules(plan);
	for (guint i = 0; i < rules->len; i++) {
		struct amp_fault_rule *r = rules->pdata[i];
		r->fw_base_seen = r->seen;
		r->fw_base_fired = r->fired;
	}
	amp_hff_reset(h);
	amp_hff_push(h, plan); /* the next start goes on counting from here */
}
