/* A snapshot as text or as JSON (snap.h; the fields are described in docs/inspect.md). */
#include "snap.h"

#include <json-glib/json-glib.h>

#include <amp/stm32mp1.h>
#include <amp/vring_layout.h>

static const char *const purpose_names[AMP_SOC_PURPOSE_COUNT] = {
    "ram", "vring", "buffer", "ddr", "ipcc", "retram",
};

static const char *const chan_names[] = {"vring0", "vring1", "shutdown", "detach", "ddr-plug"};

/* Payload bytes as ASCII: printable as is, the rest (and backslash) as \xNN. */
static char *preview_text(const struct insp_msg *m)
{
	GString *t = g_string_new(NULL);
	for (uint32_t i = 0; i < m->npreview; i++) {
		uint8_t c = m->preview[i];
		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"')
			g_string_append_c(t, (char)c);
		else
			g_string_append_printf(t, "\\x%02x", c);
	}
	if (m->len > m->npreview)
		g_string_append(t, "...");
	return g_string_free(t, FALSE);
}

static const char *vring_dir(unsigned i)
{
	return i == 0 ? "firmware -> Linux (the host's RX buffers)"
		      : "Linux -> firmware (the host's TX buffers)";
}

/*
 * Last messages per endpoint pair (host address, firmware address): vring0 carries the
 * firmware's (src = firmware), vring1 the host's (src = host). Only valid messages count.
 */
struct ept_pair {
	uint32_t host, fw;
};

static GArray *endpoint_pairs(const struct insp_snap *s)
{
	GArray *a = g_array_new(FALSE, FALSE, sizeof(struct ept_pair));
	for (unsigned v = 0; s->rsc_ok && v < 2; v++)
		for (uint32_t k = 0; s->vr[v].valid && k < s->vr[v].nmsg; k++) {
			const struct insp_msg *m = &s->vr[v].msg[k];
			struct ept_pair p = {v ? m->src : m->dst, v ? m->dst : m->src};
			gboolean seen = !m->valid;
			for (guint i = 0; !seen && i < a->len; i++) {
				const struct ept_pair *q = &g_array_index(a, struct ept_pair, i);
				seen = q->host == p.host && q->fw == p.fw;
			}
			if (!seen)
				g_array_append_val(a, p);
		}
	return a;
}

static gboolean of_pair(const struct insp_msg *m, unsigned v, const struct ept_pair *p)
{
	return m->valid &&
	       (v ? m->src == p->host && m->dst == p->fw : m->dst == p->host && m->src == p->fw);
}

/* ---- text ---------------------------------------------------------------------------------- */

static void text_ipcc(const struct insp_snap *s, GString *o)
{
	if (!s->ipcc_ok) {
		g_string_append_printf(o, "IPCC: INVALID: %s\n", s->ipcc_why);
		return;
	}
	g_string_append_printf(o,
			       "IPCC: Linux RXOIE %s TXFIE %s, firmware RXOIE %s TXFIE %s, lines "
			       "0x%x\n",
			       s->xcr[0] & AMP_IPCC_XCR_RXOIE ? "on" : "off",
			       s->xcr[0] & AMP_IPCC_XCR_TXFIE ? "on" : "off",
			       s->xcr[1] & AMP_IPCC_XCR_RXOIE ? "on" : "off",
			       s->xcr[1] & AMP_IPCC_XCR_TXFIE ? "on" : "off", s->lines);
	for (uint32_t ch = 0; ch < s->ipcc_nchan; ch++)
		g_string_append_printf(
		    o,
		    "  CH%u %-9s Linux->fw flag %d  fw->Linux flag %d  masked at Linux %d, fw %d\n",
		    ch + 1, ch < G_N_ELEMENTS(chan_names) ? chan_names[ch] : "-",
		    !!(s->flags[0] & AMP_IPCC_CHNF(ch)), !!(s->flags[1] & AMP_IPCC_CHNF(ch)),
		    !!(s->xmr[0] & AMP_IPCC_CHNOM(ch)), !!(s->xmr[1] & AMP_IPCC_CHNOM(ch)));
}

static void text_ring_lines(const struct insp_vring *v, GString *o)
{
	g_string_append(o, "  avail ring:");
	for (uint32_t i = 0; i < v->num; i++)
		g_string_append_printf(o, " %u%s", v->avail[i], v->avail[i] < v->num ? "" : "!");
	g_string_append(o, "\n  used ring: ");
	for (uint32_t i = 0; i < v->num; i++)
		g_string_append_printf(o, " %u:%u%s", v->used[i].id, v->used[i].len,
				       v->used[i].id < v->num ? "" : "!");
	g_string_append_c(o, '\n');
}

static void text_vring(const struct insp_vring *v, unsigned i, GString *o)
{
	g_string_append_printf(o, "vring%u: %s\n", i, vring_dir(i));
	if (!v->valid) {
		g_string_append_printf(o, "  INVALID: %s\n", v->why);
		return;
	}
	g_string_append_printf(o, "  da 0x%08x num %u align %u notify id %u\n", v->da, v->num,
			       v->align, v->notifyid);
	g_string_append_printf(o, "  avail idx %u flags 0x%x, used idx %u flags 0x%x%s\n",
			       v->avail_idx, v->avail_flags, v->used_idx, v->used_flags,
			       v->window_ok ? "" : "  INVALID: avail - used > num");
	if (v->have_host)
		g_string_append_printf(o, "  host: published avail %u, reaped used up to %u\n",
				       v->host_avail, v->host_used);
	if (v->have_taken)
		g_string_append_printf(o, "  firmware: read avail up to %u\n", v->fw_taken);
	else if (v->fw_taken_raw)
		g_string_append_printf(o,
				       "  firmware: read avail up to 0x%x  INVALID: outside "
				       "[used idx, avail idx], ignored\n",
				       v->fw_taken_raw);
	g_string_append_printf(o, "  owners from %s\n",
			       v->owner_from_host ? "the host's records"
						  : "the rings alone (the host is not running)");
	g_string_append(o, "   id  addr        len    flags next  owner\n");
	for (uint32_t id = 0; id < v->num; id++) {
		const struct amp_vring_desc *d = &v->desc[id];
		g_string_append_printf(
		    o, "  %3u  0x%08" G_GINT64_MODIFIER "x %6u 0x%x  %4u  %s%s\n", id, d->addr,
		    d->len, d->flags, d->next, insp_owner_name(v->owner[id]),
		    v->desc_ok[id]	? ""
		    : v->desc_blank[id] ? "  (not used yet)"
					: "  INVALID: addr/len outside the buffer "
					  "memory");
	}
	text_ring_lines(v, o);
	g_string_append_printf(o, "  last messages, oldest first (%u):\n", v->nmsg);
	for (uint32_t k = 0; k < v->nmsg; k++) {
		const struct insp_msg *m = &v->msg[k];
		g_autofree char *p = preview_text(m);
		g_string_append_printf(o, "    slot %5u id %3u  0x%x -> 0x%x  %u bytes  %s%s%s\n",
				       m->slot, m->id, m->src, m->dst, m->len, m->valid ? "\"" : "",
				       m->valid ? p : "INVALID: length past its buffer",
				       m->valid ? "\"" : "");
	}
}

static void text_endpoints(const struct insp_snap *s, GString *o)
{
	g_autoptr(GArray) pairs = endpoint_pairs(s);
	g_string_append_printf(o, "last messages per endpoint (%u):\n", pairs->len);
	for (guint i = 0; i < pairs->len; i++) {
		const struct ept_pair *p = &g_array_index(pairs, struct ept_pair, i);
		g_string_append_printf(o, "  host 0x%x <-> firmware 0x%x%s\n", p->host, p->fw,
				       p->host == AMP_RPMSG_NS_ADDR || p->fw == AMP_RPMSG_NS_ADDR
					   ? " (name service)"
					   : "");
		for (unsigned v = 0; v < 2; v++)
			for (uint32_t k = 0; k < s->vr[v].nmsg; k++) {
				const struct insp_msg *m = &s->vr[v].msg[k];
				g_autofree char *t = preview_text(m);
				if (of_pair(m, v, p))
					g_string_append_printf(o, "    %s %u bytes \"%s\"\n",
							       v ? "->" : "<-", m->len, t);
			}
	}
}

/* The host's own counters (live), else the register file's, which the firmware can write. */
static void text_counters(const struct insp_snap *s, const char *counters, GString *o)
{
	if (counters) {
		g_auto(GStrv) lines = g_strsplit(counters, "\n", -1);
		g_string_append(o, "counters (the host's own, as 'ampsim ctl stats'):\n");
		for (int i = 0; lines[i]; i++)
			if (*lines[i])
				g_string_append_printf(o, "  %s\n", lines[i]);
		return;
	}
	if (!s->ipcc_ok)
		return;
	g_string_append(o, "IPCC counters in the register file (the firmware can write them):\n");
	for (uint32_t p = 0; p < AMP_IPCC_NPROC; p++)
		for (uint32_t ch = 0; ch < s->ipcc_nchan; ch++) {
			const struct insp_ipcc_count *c = &s->ipcc_stats[p][ch];
			if (c->kicks || c->irq_raised || c->irq_handled)
				g_string_append_printf(
				    o,
				    "  CH%u %s: kicks %u, coalesced %u, IRQs raised %u, handled "
				    "%u\n",
				    ch + 1, p ? "firmware->Linux" : "Linux->firmware", c->kicks,
				    c->coalesced, c->irq_raised, c->irq_handled);
		}
}

static void render_text(const struct insp_snap *s, const char *note, GString *o)
{
	g_string_append_printf(o, "ampsim inspect: %s, %" G_GUINT64_FORMAT " KiB%s%s\n", s->shm,
			       s->size / 1024, note ? "; " : "", note ? note : "");
	if (!s->hdr_ok) {
		g_string_append_printf(o, "header: INVALID: %s\n", s->hdr_why);
		return;
	}
	/* The SoC name is the firmware's to scribble: never let it reach the terminal raw. */
	g_autofree char *soc = g_strescape(s->soc.soc_name, NULL);
	g_string_append_printf(o, "SoC %s, %u regions\n", soc, s->soc.nregions);
	text_ipcc(s, o);
	if (!s->rsc_ok) {
		g_string_append_printf(o, "vdev: %s\n", s->rsc_why);
		return;
	}
	g_string_append_printf(o, "vdev status 0x%02x\n", s->vdev_status);
	for (unsigned i = 0; i < 2; i++)
		text_vring(&s->vr[i], i, o);
	text_endpoints(s, o);
}

/* ---- JSON ---------------------------------------------------------------------------------- */

static void j_int(JsonBuilder *b, const char *k, gint64 v)
{
	json_builder_set_member_name(b, k);
	json_builder_add_int_value(b, v);
}

static void j_bool(JsonBuilder *b, const char *k, gboolean v)
{
	json_builder_set_member_name(b, k);
	json_builder_add_boolean_value(b, v);
}

/* A string member, or null. The strings here are ASCII or validated names. */
static void j_str(JsonBuilder *b, const char *k, const char *v)
{
	json_builder_set_member_name(b, k);
	if (v && g_utf8_validate(v, -1, NULL))
		json_builder_add_string_value(b, v);
	else
		json_builder_add_null_value(b);
}

static void json_regions(const struct insp_snap *s, JsonBuilder *b)
{
	json_builder_set_member_name(b, "regions");
	json_builder_begin_array(b);
	for (uint32_t i = 0; i < s->soc.nregions; i++) {
		const struct amp_soc_region *r = &s->soc.regions[i];
		json_builder_begin_object(b);
		j_str(b, "name", r->name);
		j_int(b, "da", (gint64)r->da);
		j_int(b, "size", (gint64)r->size);
		j_str(b, "purpose",
		      r->purpose < AMP_SOC_PURPOSE_COUNT ? purpose_names[r->purpose] : "?");
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void json_ipcc(const struct insp_snap *s, JsonBuilder *b)
{
	json_builder_set_member_name(b, "ipcc");
	json_builder_begin_object(b);
	j_bool(b, "valid", s->ipcc_ok);
	j_str(b, "error", s->ipcc_ok ? NULL : s->ipcc_why);
	j_int(b, "linux_cr", s->xcr[0]);
	j_int(b, "firmware_cr", s->xcr[1]);
	j_int(b, "lines", s->lines);
	json_builder_set_member_name(b, "channels");
	json_builder_begin_array(b);
	for (uint32_t ch = 0; s->ipcc_ok && ch < s->ipcc_nchan; ch++) {
		json_builder_begin_object(b);
		j_int(b, "ch", ch + 1);
		j_str(b, "use", ch < G_N_ELEMENTS(chan_names) ? chan_names[ch] : NULL);
		j_bool(b, "linux_to_fw_flag", !!(s->flags[0] & AMP_IPCC_CHNF(ch)));
		j_bool(b, "fw_to_linux_flag", !!(s->flags[1] & AMP_IPCC_CHNF(ch)));
		j_bool(b, "linux_masked", !!(s->xmr[0] & AMP_IPCC_CHNOM(ch)));
		j_bool(b, "fw_masked", !!(s->xmr[1] & AMP_IPCC_CHNOM(ch)));
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
}

static void json_descs(const struct insp_vring *v, JsonBuilder *b)
{
	json_builder_set_member_name(b, "descriptors");
	json_builder_begin_array(b);
	for (uint32_t id = 0; id < v->num; id++) {
		json_builder_begin_object(b);
		j_int(b, "id", id);
		j_int(b, "addr", (gint64)v->desc[id].addr);
		j_int(b, "len", v->desc[id].len);
		j_int(b, "flags", v->desc[id].flags);
		j_int(b, "next", v->desc[id].next);
		j_bool(b, "valid", v->desc_ok[id]);
		j_bool(b, "blank", v->desc_blank[id]);
		j_str(b, "owner", insp_owner_name(v->owner[id]));
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void json_rings(const struct insp_vring *v, JsonBuilder *b)
{
	json_builder_set_member_name(b, "avail_ring");
	json_builder_begin_array(b);
	for (uint32_t i = 0; i < v->num; i++)
		json_builder_add_int_value(b, v->avail[i]);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "used_ring");
	json_builder_begin_array(b);
	for (uint32_t i = 0; i < v->num; i++) {
		json_builder_begin_object(b);
		j_int(b, "id", v->used[i].id);
		j_int(b, "len", v->used[i].len);
		j_bool(b, "valid", v->used[i].id < v->num);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void json_msgs(const struct insp_vring *v, JsonBuilder *b)
{
	json_builder_set_member_name(b, "messages");
	json_builder_begin_array(b);
	for (uint32_t k = 0; k < v->nmsg; k++) {
		const struct insp_msg *m = &v->msg[k];
		g_autofree char *p = preview_text(m);
		json_builder_begin_object(b);
		j_int(b, "slot", m->slot);
		j_int(b, "id", m->id);
		j_int(b, "src", m->src);
		j_int(b, "dst", m->dst);
		j_int(b, "len", m->len);
		j_bool(b, "valid", m->valid);
		j_str(b, "preview", m->valid ? p : NULL);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void json_vring(const struct insp_vring *v, unsigned i, JsonBuilder *b)
{
	json_builder_begin_object(b);
	j_int(b, "index", i);
	j_bool(b, "valid", v->valid);
	j_str(b, "error", v->valid ? NULL : v->why);
	if (v->valid) {
		j_int(b, "da", v->da);
		j_int(b, "num", v->num);
		j_int(b, "align", v->align);
		j_int(b, "notify_id", v->notifyid);
		j_int(b, "avail_idx", v->avail_idx);
		j_int(b, "avail_flags", v->avail_flags);
		j_int(b, "used_idx", v->used_idx);
		j_int(b, "used_flags", v->used_flags);
		j_bool(b, "window_valid", v->window_ok);
		j_str(b, "owners_from", v->owner_from_host ? "host" : "rings");
		if (v->have_host) {
			j_int(b, "host_avail_idx", v->host_avail);
			j_int(b, "host_reaped_idx", v->host_used);
		}
		if (v->have_taken)
			j_int(b, "fw_read_idx", v->fw_taken);
		else
			j_str(b, "fw_read_idx", NULL);
		json_descs(v, b);
		json_rings(v, b);
		json_msgs(v, b);
	}
	json_builder_end_object(b);
}

static void json_endpoints(const struct insp_snap *s, JsonBuilder *b)
{
	g_autoptr(GArray) pairs = endpoint_pairs(s);
	json_builder_set_member_name(b, "endpoints");
	json_builder_begin_array(b);
	for (guint i = 0; i < pairs->len; i++) {
		const struct ept_pair *p = &g_array_index(pairs, struct ept_pair, i);
		json_builder_begin_object(b);
		j_int(b, "host_addr", p->host);
		j_int(b, "fw_addr", p->fw);
		for (unsigned v = 0; v < 2; v++) {
			json_builder_set_member_name(b, v ? "sent" : "received");
			json_builder_begin_array(b);
			for (uint32_t k = 0; k < s->vr[v].nmsg; k++) {
				g_autofree char *t = preview_text(&s->vr[v].msg[k]);
				if (of_pair(&s->vr[v].msg[k], v, p))
					json_builder_add_string_value(b, t);
			}
			json_builder_end_array(b);
		}
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void json_reg_counters(const struct insp_snap *s, JsonBuilder *b)
{
	json_builder_set_member_name(b, "ipcc_register_counters");
	json_builder_begin_array(b);
	for (uint32_t p = 0; s->ipcc_ok && p < AMP_IPCC_NPROC; p++)
		for (uint32_t ch = 0; ch < s->ipcc_nchan; ch++) {
			json_builder_begin_object(b);
			j_int(b, "ch", ch + 1);
			j_str(b, "dir", p ? "firmware->Linux" : "Linux->firmware");
			j_int(b, "kicks", s->ipcc_stats[p][ch].kicks);
			j_int(b, "coalesced", s->ipcc_stats[p][ch].coalesced);
			j_int(b, "irq_raised", s->ipcc_stats[p][ch].irq_raised);
			j_int(b, "irq_handled", s->ipcc_stats[p][ch].irq_handled);
			json_builder_end_object(b);
		}
	json_builder_end_array(b);
}

static void json_counters(const struct insp_snap *s, const char *counters, JsonBuilder *b)
{
	json_builder_set_member_name(b, "counters");
	json_builder_begin_array(b);
	g_auto(GStrv) lines = g_strsplit(counters ? counters : "", "\n", -1);
	for (int i = 0; lines[i]; i++)
		if (*lines[i] && g_utf8_validate(lines[i], -1, NULL))
			json_builder_add_string_value(b, lines[i]);
	json_builder_end_array(b);
	json_reg_counters(s, b);
}

static void render_json(const struct insp_snap *s, const char *note, const char *counters,
			GString *o)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	j_str(b, "shm", s->shm);
	j_int(b, "size", (gint64)s->size);
	j_str(b, "note", note);
	j_bool(b, "header_valid", s->hdr_ok);
	j_str(b, "header_error", s->hdr_ok ? NULL : s->hdr_why);
	if (s->hdr_ok) {
		j_str(b, "soc", s->soc.soc_name);
		json_regions(s, b);
		json_ipcc(s, b);
		j_bool(b, "vdev_valid", s->rsc_ok);
		j_str(b, "vdev_error", s->rsc_ok ? NULL : s->rsc_why);
		j_int(b, "vdev_status", s->vdev_status);
		json_builder_set_member_name(b, "vrings");
		json_builder_begin_array(b);
		for (unsigned i = 0; s->rsc_ok && i < 2; i++)
			json_vring(&s->vr[i], i, b);
		json_builder_end_array(b);
		json_endpoints(s, b);
		json_counters(s, counters, b);
	}
	json_builder_end_object(b);
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	json_generator_set_pretty(gen, TRUE);
	g_autofree char *text = json_generator_to_data(gen, NULL);
	g_string_append(o, text);
	g_string_append_c(o, '\n');
}

void insp_render(const struct insp_snap *s, bool json, const char *note, const char *counters,
		 GString *out)
{
	if (json) {
		render_json(s, note, counters, out);
	} else {
		render_text(s, note, out);
		if (s->hdr_ok)
			text_counters(s, counters, out);
	}
}
