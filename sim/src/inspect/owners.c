/* Who holds each buffer: the host's own records merged with the rings (snap.h). */
#include "snap.h"

#include <stdio.h>
#include <string.h>

#include <amp/rpmsg.h>
#include <ampsim/host.h>

const char *insp_owner_name(enum insp_owner o)
{
	switch (o) {
	case INSP_OWN_HOST_FREE:
		return "host-free";
	case INSP_OWN_HOST:
		return "host";
	case INSP_OWN_FIRMWARE:
		return "firmware";
	case INSP_OWN_RETURNED:
		return "returned";
	case INSP_OWN_POSTED:
		return "posted";
	case INSP_OWN_UNKNOWN:
		break;
	}
	return "unknown";
}

static void vq_line(GString *out, unsigned i, const struct amp_vq *vq)
{
	g_string_append_printf(out, "vring%u num %u avail %u used %u inflight ", i, vq->num,
			       vq->shadow_idx, vq->last_idx);
	for (uint32_t w = 0; w < (vq->num + 31u) / 32u; w++)
		g_string_append_printf(out, "%08x", vq->inflight[w]);
	g_string_append_c(out, '\n');
}

void insp_host_view(struct amp_host *h, GString *out)
{
	struct amp_rpmsg_dev *dev = amp_host_rpmsg(h);
	if (!dev) {
		g_string_append(out, "no device\n");
		return;
	}
	vq_line(out, 0, &dev->rvq);
	vq_line(out, 1, &dev->tvq);
}

/* One "vringN num .. avail .. used .. inflight HEX" line into @v; FALSE if it does not fit. */
static gboolean parse_line(const char *line, struct insp_snap *s)
{
	unsigned i, num, avail, used;
	char hex[INSP_MAX_NUM / 4 + 2];
	if (sscanf(line, "vring%u num %u avail %u used %u inflight %257s", &i, &num, &avail, &used,
		   hex) != 5 ||
	    i > 1 || avail > 0xFFFF || used > 0xFFFF)
		return FALSE;
	struct insp_vring *v = &s->vr[i];
	uint32_t words = (num + 31u) / 32u;
	if (!v->valid || num != v->num || strlen(hex) != words * 8u)
		return FALSE; /* the host's ring is not the one in the object */
	for (uint32_t w = 0; w < words; w++) {
		char word[9];
		memcpy(word, hex + w * 8u, 8);
		word[8] = '\0';
		v->host_inflight[w] = (uint32_t)g_ascii_strtoull(word, NULL, 16);
	}
	v->host_avail = (uint16_t)avail;
	v->host_used = (uint16_t)used;
	v->have_host = TRUE;
	return TRUE;
}

static bool inflight(const struct insp_vring *v, uint32_t id)
{
	return v->host_inflight[id / 32u] & (1u << (id % 32u));
}

/* The host's records: in flight and found in the used ring past what it reaped = returned. */
static void owners_from_host(struct insp_vring *v, unsigned which)
{
	uint16_t unreaped = (uint16_t)(v->used_idx - v->host_used);
	for (uint32_t id = 0; id < v->num; id++)
		v->owner[id] = !inflight(v, id) ? (which ? INSP_OWN_HOST_FREE : INSP_OWN_HOST)
						: INSP_OWN_FIRMWARE;
	if (unreaped > v->num)
		return; /* a used index the firmware moved too far: the host will call it broken */
	for (uint16_t k = 0; k < unreaped; k++) {
		uint32_t id = v->used[(uint16_t)(v->host_used + k) & (v->num - 1u)].id;
		if (id < v->num && inflight(v, id))
			v->owner[id] = INSP_OWN_RETURNED;
	}
	v->owner_from_host = true;
}

/* A dead run: what was posted and not yet used is with the firmware (in-order assumption). */
static void owners_from_rings(struct insp_vring *v, unsigned which)
{
	uint16_t out = (uint16_t)(v->avail_idx - v->used_idx);
	if (!v->window_ok)
		return; /* all unknown */
	for (uint32_t id = 0; id < v->num; id++)
		v->owner[id] = which ? INSP_OWN_HOST_FREE : INSP_OWN_HOST;
	for (uint16_t k = 1; k <= out; k++) {
		uint16_t id = v->avail[(uint16_t)(v->avail_idx - k) & (v->num - 1u)];
		if (id < v->num)
			v->owner[id] = INSP_OWN_FIRMWARE;
	}
}

/* The firmware's port publishes how far it has read the avail ring: of what it has, the
 * entries past that point are only posted. A word outside [used.idx, avail.idx] is ignored
 * (the firmware can write anything): the owners stay "firmware", read or not. */
static void split_posted(struct insp_vring *v)
{
	uint16_t taken = (uint16_t)v->fw_taken_raw;
	if (!(v->fw_taken_raw & AMP_SOC_FW_TAKEN_SET) || v->fw_taken_raw > 0x1FFFFu ||
	    !v->window_ok ||
	    (uint16_t)(taken - v->used_idx) > (uint16_t)(v->avail_idx - v->used_idx))
		return;
	v->have_taken = true;
	v->fw_taken = taken;
	for (uint16_t k = taken; k != v->avail_idx; k++) {
		uint16_t id = v->avail[k & (v->num - 1u)];
		if (id < v->num && v->owner[id] == INSP_OWN_FIRMWARE)
			v->owner[id] = INSP_OWN_POSTED;
	}
}

void insp_snap_owners(struct insp_snap *s, const char *host_text)
{
	if (host_text) {
		g_auto(GStrv) lines = g_strsplit(host_text, "\n", 4);
		for (int i = 0; lines[i]; i++)
			if (*lines[i])
				parse_line(lines[i], s);
	}
	for (unsigned i = 0; i < 2; i++) {
		struct insp_vring *v = &s->vr[i];
		if (!v->valid)
			continue;
		if (v->have_host)
			owners_from_host(v, i);
		else
			owners_from_rings(v, i);
		split_posted(v);
	}
}
