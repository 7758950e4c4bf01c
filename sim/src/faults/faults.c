/* The fault plan's engine: the plan, its decisions and record (faults.h, docs/faults.md);
 * the grammar of one rule is faults_parse.c. */
#define _GNU_SOURCE /* memmem */
#include "faults.h"
#include "faults_parse.h"

#include <stdlib.h>
#include <string.h>

#include <amp/error.h>
#include <ampsim/error.h>

#define FAULTS_RECORD_MAX 1000u /* fired faults kept for `fault list`; later ones are counted */

struct amp_faults {
	GPtrArray *rules; /* struct amp_fault_rule * */
	uint64_t seed;
	unsigned next_id;
	GPtrArray *record; /* char *: "#n rule r (text): event" */
	uint64_t nfired;
	const struct amp_faults_observer *observer; /* told of every fault that fires */
};

/* ---- PRNG: splitmix64, one stream per rule ----------------------------------------------- */

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t amp_faults_draw(struct amp_fault_rule *r, uint64_t n)
{
	return splitmix64(&r->rng) % n;
}

static void rule_restart(struct amp_fault_rule *r, uint64_t seed)
{
	/* Seeded from the seed and the rule's id: adding a rule does not change the others. */
	r->rng = seed ^ ((uint64_t)r->id * 0xd1b54a32d192ed03ull);
	r->seen = r->fired = 0;
	r->fw_base_seen = r->fw_base_fired = 0;
}

struct amp_faults *amp_faults_new(uint64_t seed)
{
	struct amp_faults *f = g_new0(struct amp_faults, 1);
	f->rules = g_ptr_array_new_with_free_func(amp_fault_rule_free);
	f->record = g_ptr_array_new_with_free_func(g_free);
	f->seed = seed;
	f->next_id = 1;
	return f;
}

void amp_faults_free(struct amp_faults *f)
{
	if (!f)
		return;
	g_ptr_array_free(f->rules, TRUE);
	g_ptr_array_free(f->record, TRUE);
	g_free(f);
}

void amp_faults_clear(struct amp_faults *f)
{
	g_ptr_array_set_size(f->rules, 0);
	g_ptr_array_set_size(f->record, 0);
	f->nfired = 0;
}

void amp_faults_reseed(struct amp_faults *f, uint64_t seed)
{
	f->seed = seed;
	for (guint i = 0; i < f->rules->len; i++)
		rule_restart(f->rules->pdata[i], seed);
	g_ptr_array_set_size(f->record, 0);
	f->nfired = 0;
}

uint64_t amp_faults_seed(const struct amp_faults *f)
{
	return f->seed;
}

GPtrArray *amp_faults_rules(struct amp_faults *f)
{
	return f->rules;
}

bool amp_fault_rule_in_fw(const struct amp_fault_rule *r)
{
	return r->target == AMP_FT_IRQ || r->target == AMP_FT_FW_RING || r->action == AMP_FA_EXIT;
}

static guint count_fw(GPtrArray *rules)
{
	guint n = 0;
	for (guint i = 0; i < rules->len; i++)
		n += amp_fault_rule_in_fw(rules->pdata[i]);
	return n;
}

/* The firmware reports its counts in a table of AMP_FAULTS_FW_MAX slots (soc.h). */
static gboolean fw_room(struct amp_faults *f, GPtrArray *added, GError **err)
{
	if (count_fw(f->rules) + count_fw(added) <= AMP_FAULTS_FW_MAX)
		return TRUE;
	amp_set_error(err, AMP_EINVAL,
		      "fault plan: at most %u rules the firmware applies (irq, ring:fw, fw exit); "
		      "clear some first (docs/faults.md)",
		      AMP_FAULTS_FW_MAX);
	return FALSE;
}

gboolean amp_faults_parse(struct amp_faults *f, const char *spec, unsigned nchan, GError **err)
{
	g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func(amp_fault_rule_free);
	g_auto(GStrv) lines = g_strsplit(spec, "\n", -1);
	for (char **l = lines; *l; l++) {
		char *hash = strchr(*l, '#');
		if (hash)
			*hash = '\0';
		g_auto(GStrv) rules = g_strsplit(*l, ";", -1);
		for (char **t = rules; *t; t++) {
			char *text = g_strstrip(*t);
			if (!*text)
				continue;
			struct amp_fault_rule *r = amp_fault_rule_parse(text, nchan, err);
			if (!r)
				return FALSE;
			g_ptr_array_add(added, r);
		}
	}
	if (!fw_room(f, added, err))
		return FALSE;
	for (guint i = 0; i < added->len; i++) {
		struct amp_fault_rule *r = added->pdata[i];
		r->id = f->next_id++;
		rule_restart(r, f->seed);
		g_ptr_array_add(f->rules, r);
	}
	g_ptr_array_set_free_func(added, NULL);
	return TRUE;
}

/* ---- decisions ------------------------------------------------------------------------------ */

static bool matches(const struct amp_fault_rule *r, const struct amp_fault_event *ev)
{
	if (r->target != ev->target || r->trigger == AMP_FT_AT_MS || amp_fault_rule_in_fw(r))
		return false;
	if (r->dir != AMP_FD_ANY && r->dir != ev->dir)
		return false;
	if (r->target == AMP_FT_KICK || r->target == AMP_FT_RING)
		return r->chan == ev->chan;
	if (r->target == AMP_FT_BUF) /* shrink: only while more than n are posted */
		return r->action != AMP_FA_SHRINK || ev->posted > (uint64_t)r->keep;
	if (r->name && (!ev->name || strcmp(r->name, ev->name)))
		return false;
	if (r->match)
		return memmem(ev->data, ev->len, r->match, strlen(r->match)) != NULL;
	/* Nothing to corrupt in an empty message: not an event for these rules. */
	return ev->len > 0 || (r->action != AMP_FA_CORRUPT_BYTE && r->action != AMP_FA_FLIP_BIT);
}

static bool draw_p(struct amp_fault_rule *r)
{
	if (r->p >= 1.0)
		return true;
	return (double)(splitmix64(&r->rng) >> 11) * 0x1.0p-53 < r->p;
}

static const char *dir_name(enum amp_fault_dir d)
{
	return d == AMP_FD_TO_FW ? "linux->fw" : d == AMP_FD_TO_LINUX ? "fw->linux" : "any";
}

/* "msg #3 linux->fw on 'name' (0x400 -> 0x1, 5 bytes: "hello")" or "kick #7 ch1 fw->linux". */
static char *describe(const struct amp_fault_event *ev, uint64_t seq)
{
	if (ev->target == AMP_FT_KICK)
		return g_strdup_printf("kick #%" G_GUINT64_FORMAT " ch%u %s", seq, ev->chan,
				       dir_name(ev->dir));
	if (ev->target == AMP_FT_RING)
		return g_strdup_printf("publish #%" G_GUINT64_FORMAT " on vring%u", seq, ev->chan);
	if (ev->target == AMP_FT_BUF && ev->dir == AMP_FD_TO_FW)
		return g_strdup_printf("TX buffer request #%" G_GUINT64_FORMAT, seq);
	if (ev->target == AMP_FT_BUF)
		return g_strdup_printf("RX buffer return #%" G_GUINT64_FORMAT
				       " (%u would be posted)",
				       seq, ev->posted);
	g_autofree char *head = g_strndup(ev->data, MIN(ev->len, 24));
	g_autofree char *shown = g_strescape(head, NULL);
	return g_strdup_printf("msg #%" G_GUINT64_FORMAT " %s on '%s' (0x%x -> 0x%x, %zu bytes: "
			       "\"%s\"%s)",
			       seq, dir_name(ev->dir), ev->name ? ev->name : "?", ev->src, ev->dst,
			       ev->len, shown, ev->len > 24 ? "..." : "");
}

void amp_faults_fired(struct amp_faults *f, struct amp_fault_rule *r, const char *what)
{
	r->fired++;
	f->nfired++;
	g_autofree char *line = g_strdup_printf("#%" G_GUINT64_FORMAT " rule %u (%s): %s",
						f->nfired, r->id, r->text, what);
	g_message("fault %s", line);
	(void)(f->observer && (f->observer->fn(f->observer->priv, line), true));
	if (f->record->len < FAULTS_RECORD_MAX)
		g_ptr_array_add(f->record, g_steal_pointer(&line));
}

void amp_faults_set_observer(struct amp_faults *f, const struct amp_faults_observer *o)
{
	f->observer = o;
}

struct amp_fault_rule *amp_faults_hit(struct amp_faults *f, const struct amp_fault_event *ev)
{
	/* Every matching rule counts the event (after=N means the Nth event, whatever other
	 * rules did); the first that fires takes it, and the rest draw nothing for it. */
	struct amp_fault_rule *won = NULL;
	for (guint i = 0; i < f->rules->len; i++) {
		struct amp_fault_rule *r = f->rules->pdata[i];
		if (!matches(r, ev))
			continue;
		r->seen++;
		if (won || r->seen <= r->after || (r->count && r->fired >= r->count) || !draw_p(r))
			continue;
		g_autofree char *what = describe(ev, r->seen);
		amp_faults_fired(f, r, what);
		won = r;
	}
	return won;
}

void amp_faults_report(struct amp_faults *f, GString *out)
{
	g_string_append_printf(out,
			       "fault plan: seed %" G_GUINT64_FORMAT
			       ", %u rules, %" G_GUINT64_FORMAT " faults fired\n",
			       f->seed, f->rules->len, f->nfired);
	for (guint i = 0; i < f->rules->len; i++) {
		const struct amp_fault_rule *r = f->rules->pdata[i];
		g_string_append_printf(
		    out,
		    "  rule %u: %s: seen %" G_GUINT64_FORMAT ", fired %" G_GUINT64_FORMAT "%s\n",
		    r->id, r->text, r->seen, r->fired,
		    amp_fault_rule_in_fw(r) ? " (reported by the firmware)" : "");
	}
	if (!f->nfired)
		return;
	g_string_append(out, "fired, in order:\n");
	for (guint i = 0; i < f->record->len; i++)
		g_string_append_printf(out, "  %s\n", (const char *)f->record->pdata[i]);
	if (f->nfired > f->record->len)
		g_string_append_printf(out, "  (%" G_GUINT64_FORMAT " more, not kept)\n",
				       f->nfired - f->record->len);
}

/* ---- the firmware's part (AMPSIM_FAULTS, docs/firmware-abi.md) ------------------------------ */

static const char *fw_kind(const struct amp_fault_rule *r)
{
	switch (r->action) {
	case AMP_FA_DELAY:
		return "irq-delay";
	case AMP_FA_SPURIOUS:
		return "irq-spurious";
	case AMP_FA_USED_ID:
		return "used-id";
	case AMP_FA_USED_LEN:
		return "used-len";
	case AMP_FA_USED_IDX_JUMP:
		return "used-idx-jump";
	case AMP_FA_NOTIFY_NO_PUBLISH:
		return "notify-no-publish";
	default:
		return "exit";
	}
}

/* One rule, canonical: every value explicit, so the firmware needs no defaults of its own;
 * seen and fired so far (earlier boots), so that after and count hold across restarts. */
static void fw_rule_spec(const struct amp_fault_rule *r, GString *out)
{
	char p[G_ASCII_DTOSTR_BUF_SIZE];
	g_string_append_printf(
	    out,
	    "id=%u kind=%s chan=%u p=%s after=%" G_GUINT64_FORMAT " count=%" G_GUINT64_FORMAT
	    " ms=%u..%u code=%d by=%u seen=%" G_GUINT64_FORMAT " fired=%" G_GUINT64_FORMAT,
	    r->id, fw_kind(r), r->target == AMP_FT_IRQ ? r->chan : 0u,
	    g_ascii_dtostr(p, sizeof(p), r->p), r->after, r->count, r->ms_min, r->ms_max, r->code,
	    r->by, r->seen, r->fired);
	if (r->target == AMP_FT_FW_RING && r->chan == 1)
		g_string_append(out, " vring=1"); /* absent: vring0, as older ports know it */
	if (r->trigger == AMP_FT_AT_MS)
		g_string_append_printf(out, " at-ms=%u", r->at_ms);
	if (r->match)
		g_string_append_printf(out, " match=%s", r->match);
	if (r->action == AMP_FA_EXIT && r->trigger != AMP_FT_AT_MS && r->dir == AMP_FD_TO_LINUX)
		g_string_append(out, " sent=1"); /* on the messages the firmware sends */
}

char *amp_faults_fw_spec(struct amp_faults *f)
{
	GString *out = g_string_new(NULL);
	for (guint i = 0; i < f->rules->len; i++) {
		const struct amp_fault_rule *r = f->rules->pdata[i];
		if (!amp_fault_rule_in_fw(r))
			continue;
		if (out->len)
			g_string_append(out, "; ");
		fw_rule_spec(r, out);
	}
	return g_string_free(out, out->len == 0);
}
