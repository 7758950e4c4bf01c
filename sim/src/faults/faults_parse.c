/* The fault plan's grammar: one rule, from its text to a checked struct amp_fault_rule
 * (docs/faults.md, "The grammar"); the errors name the token and what is allowed. */
#include "faults_parse.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <amp/error.h>
#include <ampsim/error.h>

void amp_fault_rule_free(gpointer p)
{
	struct amp_fault_rule *r = p;
	g_free(r->text);
	g_free(r->name);
	g_free(r->match);
	g_free(r);
}

#define ALLOWED_TARGETS                                                                   \
	"kick:chN[:DIR], msg[:NAME][:DIR], fw[:DIR], irq:chN, ring:fw[:vringN], buf:tx, " \
	"buf:rx, ring:vring0 or ring:vring1"
#define ALLOWED_DIRS "linux->fw or fw->linux"

static gboolean bad(GError **err, const char *rule, const char *tok, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

static gboolean bad(GError **err, const char *rule, const char *tok, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *why = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	amp_set_error(err, AMP_EINVAL, "fault rule '%s': '%s': %s (docs/faults.md)", rule, tok,
		      why);
	return FALSE;
}

static bool parse_dir(const char *s, enum amp_fault_dir *dir)
{
	if (!strcmp(s, "linux->fw"))
		*dir = AMP_FD_TO_FW;
	else if (!strcmp(s, "fw->linux"))
		*dir = AMP_FD_TO_LINUX;
	else
		return false;
	return true;
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	if (!g_ascii_isdigit(*s))
		return false;
	errno = 0;
	guint64 v = g_ascii_strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static gboolean parse_kick_target(struct amp_fault_rule *r, char **parts, unsigned nchan,
				  const char *rule, GError **err)
{
	uint64_t ch;
	if (!parts[1] || strncmp(parts[1], "ch", 2) || !parse_u64(parts[1] + 2, 64, &ch))
		return bad(err, rule, parts[1] ? parts[1] : "kick",
			   "a kick needs its IPCC channel: kick:ch1 (vring0) or kick:ch2 (vring1)");
	if (ch < 1 || ch > 2 || ch > nchan)
		return bad(err, rule, parts[1],
			   "no vring doorbell on this channel; allowed: ch1 (vring0, messages to "
			   "Linux) and ch2 (vring1, messages to the firmware)");
	r->chan = (unsigned)ch;
	if (parts[2] && !parse_dir(parts[2], &r->dir))
		return bad(err, rule, parts[2], "not a direction; allowed: " ALLOWED_DIRS);
	if (parts[2] && parts[3])
		return bad(err, rule, parts[3], "unexpected; a kick target is kick:chN[:DIR]");
	return TRUE;
}

/* msg[:NAME][:DIR]: the last part is the direction when it reads as one. */
static gboolean parse_msg_target(struct amp_fault_rule *r, char **parts, const char *rule,
				 GError **err)
{
	guint n = g_strv_length(parts);
	if (n > 1 && parse_dir(parts[n - 1], &r->dir))
		n--;
	if (n == 1)
		return TRUE;
	g_autofree char *name = g_strjoinv(":", parts + 1);
	if (parts[n] != NULL) /* a direction followed: the name stops before it */
		*strrchr(name, ':') = '\0';
	if (!*name || strlen(name) >= 32)
		return bad(err, rule, name,
			   "a channel name is 1 to 31 bytes (the name the firmware announced, as "
			   "'ampsim ctl endpoints' lists it)");
	r->name = g_steal_pointer(&name);
	return TRUE;
}

/* irq:chN: the firmware's interrupt for IPCC channel N (ch1: vring0 buffers back, ch2: new
 * messages); only the firmware's side, so no direction. */
static gboolean parse_irq_target(struct amp_fault_rule *r, char **parts, unsigned nchan,
				 const char *rule, GError **err)
{
	uint64_t ch;
	if (!parts[1] || strncmp(parts[1], "ch", 2) || !parse_u64(parts[1] + 2, 64, &ch) ||
	    parts[2])
		return bad(err, rule, parts[1] ? parts[1] : "irq",
			   "an irq target is irq:ch1 (vring0) or irq:ch2 (vring1), the firmware's "
			   "interrupt");
	if (ch < 1 || ch > 2 || ch > nchan)
		return bad(err, rule, parts[1],
			   "no vring interrupt on this channel; allowed: ch1 (vring0, buffers back "
			   "from Linux) and ch2 (vring1, new messages)");
	r->chan = (unsigned)ch;
	return TRUE;
}

static gboolean parse_target(struct amp_fault_rule *r, const char *tok, unsigned nchan,
			     const char *rule, GError **err)
{
	g_auto(GStrv) parts = g_strsplit(tok, ":", -1);
	r->dir = AMP_FD_ANY;
	if (!strcmp(parts[0], "kick")) {
		r->target = AMP_FT_KICK;
		return parse_kick_target(r, parts, nchan, rule, err);
	}
	if (!strcmp(parts[0], "msg")) {
		r->target = AMP_FT_MSG;
		return parse_msg_target(r, parts, rule, err);
	}
	if (!strcmp(parts[0], "fw")) {
		r->target = AMP_FT_FW;
		r->dir = AMP_FD_TO_FW; /* at-msg and match count messages sent to the firmware */
		if (parts[1] && (!parse_dir(parts[1], &r->dir) || parts[2]))
			return bad(err, rule, tok,
				   "a fw target is fw or fw:DIR, DIR " ALLOWED_DIRS);
		return TRUE;
	}
	if (!strcmp(parts[0], "irq")) {
		r->target = AMP_FT_IRQ;
		r->dir = AMP_FD_TO_FW;
		return parse_irq_target(r, parts, nchan, rule, err);
	}
	if (!strcmp(parts[0], "buf")) {
		r->target = AMP_FT_BUF;
		r->dir = parts[1] && !strcmp(parts[1], "tx")   ? AMP_FD_TO_FW
			 : parts[1] && !strcmp(parts[1], "rx") ? AMP_FD_TO_LINUX
							       : AMP_FD_ANY;
		if (r->dir == AMP_FD_ANY || parts[2])
			return bad(err, rule, tok,
				   "a buf target is buf:tx (the host's TX pool) or buf:rx (the RX "
				   "buffers it posts)");
		return TRUE;
	}
	if (!strcmp(parts[0], "ring") && parts[1] && !strcmp(parts[1], "fw")) {
		r->target = AMP_FT_FW_RING;
		r->dir = AMP_FD_TO_LINUX;
		if (parts[2] &&
		    ((strcmp(parts[2], "vring0") && strcmp(parts[2], "vring1")) || parts[3]))
			return bad(
			    err, rule, tok,
			    "a firmware ring target is ring:fw or ring:fw:vring0 (the firmware "
			    "as a buggy device on vring0, the ring it publishes messages on), "
			    "or ring:fw:vring1 (on vring1, where it returns Linux's TX "
			    "buffers)");
		r->chan = parts[2] && parts[2][5] == '1'; /* the vring */
		return TRUE;
	}
	if (!strcmp(parts[0], "ring")) {
		r->target = AMP_FT_RING;
		if (!parts[1] || parts[2] ||
		    (strcmp(parts[1], "vring0") && strcmp(parts[1], "vring1")))
			return bad(
			    err, rule, tok,
			    "a ring target is ring:vring0 or ring:vring1 (the host as a buggy "
			    "driver: the RX buffers it posts, the messages it publishes) or "
			    "ring:fw (the firmware as a buggy device)");
		r->chan = parts[1][5] == '1';
		r->dir = r->chan ? AMP_FD_TO_FW : AMP_FD_TO_LINUX;
		return TRUE;
	}
	return bad(err, rule, tok, "unknown target; allowed: " ALLOWED_TARGETS);
}

static const struct {
	const char *name;
	enum amp_fault_action action;
	enum amp_fault_target target;
} actions[] = {
    {"drop", AMP_FA_DROP, AMP_FT_KICK},
    {"dup", AMP_FA_DUP, AMP_FT_KICK},
    {"delay", AMP_FA_DELAY, AMP_FT_KICK},
    {"drop", AMP_FA_DROP, AMP_FT_MSG},
    {"dup", AMP_FA_DUP, AMP_FT_MSG},
    {"corrupt-byte", AMP_FA_CORRUPT_BYTE, AMP_FT_MSG},
    {"flip-bit", AMP_FA_FLIP_BIT, AMP_FT_MSG},
    {"truncate", AMP_FA_TRUNCATE, AMP_FT_MSG},
    {"hold", AMP_FA_HOLD, AMP_FT_MSG},
    {"reorder", AMP_FA_REORDER, AMP_FT_MSG},
    {"crash", AMP_FA_CRASH, AMP_FT_FW},
    {"stall", AMP_FA_STALL, AMP_FT_FW},
    {"exit", AMP_FA_EXIT, AMP_FT_FW},
    {"delay", AMP_FA_DELAY, AMP_FT_IRQ},
    {"spurious", AMP_FA_SPURIOUS, AMP_FT_IRQ},
    {"used-id", AMP_FA_USED_ID, AMP_FT_FW_RING},
    {"used-len", AMP_FA_USED_LEN, AMP_FT_FW_RING},
    {"used-idx-jump", AMP_FA_USED_IDX_JUMP, AMP_FT_FW_RING},
    {"notify-no-publish", AMP_FA_NOTIFY_NO_PUBLISH, AMP_FT_FW_RING},
    {"corrupt-header", AMP_FA_CORRUPT_HDR, AMP_FT_MSG},
    {"exhaust", AMP_FA_EXHAUST, AMP_FT_BUF},
    {"shrink", AMP_FA_SHRINK, AMP_FT_BUF},
    {"avail-jump", AMP_FA_AVAIL_JUMP, AMP_FT_RING},
    {"bad-addr", AMP_FA_BAD_ADDR, AMP_FT_RING},
};

static const char *const allowed_actions[] = {
    [AMP_FT_KICK] = "drop, dup, delay",
    [AMP_FT_MSG] = "drop, dup, corrupt-byte, flip-bit, truncate, hold, reorder, corrupt-header",
    [AMP_FT_FW] = "crash, stall, exit",
    [AMP_FT_IRQ] = "delay, spurious",
    [AMP_FT_FW_RING] = "used-id, used-len, used-idx-jump, notify-no-publish",
    [AMP_FT_HDR] = "corrupt-header",
    [AMP_FT_BUF] = "exhaust (buf:tx), shrink (buf:rx)",
    [AMP_FT_RING] = "avail-jump, bad-addr",
};

static gboolean parse_action(struct amp_fault_rule *r, const char *tok, const char *rule,
			     GError **err)
{
	for (size_t i = 0; i < G_N_ELEMENTS(actions); i++)
		if (actions[i].target == r->target && !strcmp(tok, actions[i].name)) {
			r->action = actions[i].action;
			return TRUE;
		}
	return bad(err, rule, tok, "not an action of this target; allowed: %s",
		   allowed_actions[r->target]);
}

/* ms=N or ms=A..B (uniform), at most 60 s. */
static bool parse_ms(const char *v, struct amp_fault_rule *r)
{
	uint64_t a, b;
	const char *dots = strstr(v, "..");
	if (!dots) {
		if (!parse_u64(v, 60000, &a))
			return false;
		r->ms_min = r->ms_max = (uint32_t)a;
		return true;
	}
	g_autofree char *lo = g_strndup(v, (gsize)(dots - v));
	if (!parse_u64(lo, 60000, &a) || !parse_u64(dots + 2, 60000, &b) || b < a)
		return false;
	r->ms_min = (uint32_t)a;
	r->ms_max = (uint32_t)b;
	return true;
}

static bool parse_p(const char *v, double *p)
{
	char *end;
	errno = 0;
	double d = g_ascii_strtod(v, &end);
	if (errno || *end || end == v || !(d > 0.0 && d <= 1.0))
		return false;
	*p = d;
	return true;
}

static bool parse_sig(const char *v, int *sig)
{
	static const struct {
		const char *name;
		int sig;
	} sigs[] = {{"KILL", SIGKILL}, {"SEGV", SIGSEGV}, {"ABRT", SIGABRT}, {"BUS", SIGBUS}};
	for (size_t i = 0; i < G_N_ELEMENTS(sigs); i++)
		if (!strcmp(v, sigs[i].name) ||
		    (!strncmp(v, "SIG", 3) && !strcmp(v + 3, sigs[i].name))) {
			*sig = sigs[i].sig;
			return true;
		}
	return false;
}

static bool set_trigger(struct amp_fault_rule *r, enum amp_fault_trigger t)
{
	if (r->target != AMP_FT_FW || r->trigger != AMP_FT_NONE)
		return false;
	r->trigger = t;
	return true;
}

static bool parse_field(const char *v, enum amp_fault_hdr_field *f)
{
	static const char *const names[] = {
	    [AMP_FH_LEN] = "len", [AMP_FH_SRC] = "src", [AMP_FH_DST] = "dst"};
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
		if (!strcmp(v, names[i])) {
			*f = (enum amp_fault_hdr_field)i;
			return true;
		}
	return false;
}

/* The parameters of the host bus's faults: corrupt-header, exhaust, shrink. */
static bool apply_bus_param(struct amp_fault_rule *r, const char *k, const char *v)
{
	uint64_t n;
	if (!strcmp(k, "field"))
		return r->action == AMP_FA_CORRUPT_HDR && !r->field_set &&
		       parse_field(v, &r->hdr_field) && ((r->field_set = true), true);
	if (!strcmp(k, "value"))
		return r->action == AMP_FA_CORRUPT_HDR && parse_u64(v, UINT32_MAX, &n) &&
		       ((r->value = (int64_t)n), true);
	if (!strcmp(k, "n"))
		return ((r->action == AMP_FA_SHRINK && parse_u64(v, 32768, &n)) ||
			(r->action == AMP_FA_AVAIL_JUMP && parse_u64(v, 65535, &n) && n > 0)) &&
		       ((r->keep = (int64_t)n), true);
	if (!strcmp(k, "addr")) {
		char *end;
		errno = 0;
		guint64 a = g_ascii_strtoull(v, &end, 0); /* 0x... or decimal */
		return r->action == AMP_FA_BAD_ADDR && g_ascii_isdigit(*v) && !errno && !*end &&
		       a <= UINT32_MAX && ((r->value = (int64_t)a), true);
	}
	return false;
}

/* One key=value; false when the key does not apply or the value is out of range. */
static bool apply_param(struct amp_fault_rule *r, const char *k, const char *v)
{
	uint64_t n;
	if (!strcmp(k, "p"))
		return parse_p(v, &r->p);
	if (!strcmp(k, "after"))
		return parse_u64(v, UINT64_MAX, &r->after);
	if (!strcmp(k, "count"))
		return parse_u64(v, UINT64_MAX, &r->count);
	if (!strcmp(k, "ms"))
		return (r->action == AMP_FA_DELAY || r->action == AMP_FA_STALL ||
			r->action == AMP_FA_HOLD || r->action == AMP_FA_REORDER ||
			r->action == AMP_FA_EXHAUST) &&
		       parse_ms(v, r);
	if (!strcmp(k, "offset") || !strcmp(k, "bit"))
		return ((r->action == AMP_FA_CORRUPT_BYTE && k[0] == 'o') ||
			(r->action == AMP_FA_FLIP_BIT && k[0] == 'b')) &&
		       parse_u64(v, 65535, &n) && ((r->offset = (int64_t)n), true);
	if (!strcmp(k, "len"))
		return r->action == AMP_FA_TRUNCATE && parse_u64(v, 65535, &n) &&
		       ((r->len = (int64_t)n), true);
	if (!strcmp(k, "window"))
		return r->action == AMP_FA_REORDER && parse_u64(v, 16, &n) && n >= 2 &&
		       ((r->window = (uint32_t)n), true);
	if (!strcmp(k, "code"))
		return r->action == AMP_FA_EXIT && parse_u64(v, 255, &n) &&
		       ((r->code = (int)n), true);
	if (!strcmp(k, "by"))
		return r->action == AMP_FA_USED_IDX_JUMP && parse_u64(v, 32768, &n) && n > 0 &&
		       ((r->by = (uint32_t)n), true);
	if (!strcmp(k, "signal"))
		return r->action == AMP_FA_CRASH && parse_sig(v, &r->sig);
	if (!strcmp(k, "at-msg"))
		return parse_u64(v, UINT64_MAX, &n) && n > 0 && set_trigger(r, AMP_FT_AT_MSG) &&
		       ((r->after = n - 1), (r->count = 1), true);
	if (!strcmp(k, "at-ms"))
		return parse_u64(v, 3600000, &n) && set_trigger(r, AMP_FT_AT_MS) &&
		       ((r->at_ms = (uint32_t)n), (r->count = 1), true);
	if (!strcmp(k, "match"))
		return *v && set_trigger(r, AMP_FT_MATCH) && ((r->match = g_strdup(v)), true);
	return apply_bus_param(r, k, v);
}

static const char *const allowed_params[] = {
    [AMP_FA_DROP] = "p, after, count",
    [AMP_FA_DUP] = "p, after, count",
    [AMP_FA_DELAY] = "ms=N or ms=A..B (0..60000), p, after, count",
    [AMP_FA_CORRUPT_BYTE] = "offset, p, after, count",
    [AMP_FA_FLIP_BIT] = "bit, p, after, count",
    [AMP_FA_TRUNCATE] = "len, p, after, count",
    [AMP_FA_HOLD] = "ms=N or ms=A..B (0..60000), p, after, count",
    [AMP_FA_REORDER] = "window=N (2..16), ms=N (0..60000), p, after, count",
    [AMP_FA_CRASH] = "one of at-msg=N (N > 0), at-ms=N, match=TEXT; signal=KILL|SEGV|ABRT|BUS; "
		     "p, after, count",
    [AMP_FA_STALL] = "ms=N (0..60000) and one of at-msg=N (N > 0), at-ms=N, match=TEXT; p, "
		     "after, count",
    [AMP_FA_EXIT] = "one of at-msg=N (N > 0), at-ms=N, match=TEXT; code=N (0..255, default 1); "
		    "p, after, count",
    [AMP_FA_SPURIOUS] = "p, after, count",
    [AMP_FA_USED_ID] = "p, after, count",
    [AMP_FA_USED_LEN] = "p, after, count",
    [AMP_FA_USED_IDX_JUMP] = "by=N (1..32768, default: the ring's size), p, after, count",
    [AMP_FA_NOTIFY_NO_PUBLISH] = "p, after, count",
    [AMP_FA_CORRUPT_HDR] = "field=len|src|dst (required), value=N (len: 0..65535, src and dst: "
			   "0..4294967295), p, after, count",
    [AMP_FA_EXHAUST] = "ms=N or ms=A..B (0..60000), p, after, count",
    [AMP_FA_SHRINK] = "n=N (0..32768, required), p, after, count",
    [AMP_FA_AVAIL_JUMP] = "n=N (1..65535), p, after, count",
    [AMP_FA_BAD_ADDR] = "addr=A (0..0xffffffff), p, after, count",
};

static gboolean parse_param(struct amp_fault_rule *r, const char *tok, const char *rule,
			    GError **err)
{
	const char *eq = strchr(tok, '=');
	g_autofree char *key = eq ? g_strndup(tok, (gsize)(eq - tok)) : g_strdup(tok);
	if (eq && apply_param(r, key, eq + 1))
		return TRUE;
	return bad(err, rule, tok,
		   "not a parameter of this action, or a value out of range; "
		   "allowed: %s",
		   allowed_params[r->action]);
}

/* The host bus's faults: required parameters, and which pool or header they act on. */
static gboolean check_bus_rule(struct amp_fault_rule *r, const char *rule, GError **err)
{
	if (r->action == AMP_FA_CORRUPT_HDR) {
		if (!r->field_set)
			return bad(err, rule, rule, "corrupt-header needs field=len, src or dst");
		if (r->hdr_field == AMP_FH_LEN && r->value > UINT16_MAX)
			return bad(err, rule, rule, "the len field is 16 bits: value=0..65535");
		r->target = AMP_FT_HDR; /* the header events, not the payload's */
	}
	if (r->action == AMP_FA_EXHAUST && r->dir != AMP_FD_TO_FW)
		return bad(err, rule, rule, "exhaust empties the host's TX pool: use buf:tx");
	if (r->action == AMP_FA_SHRINK && r->dir != AMP_FD_TO_LINUX)
		return bad(err, rule, rule,
			   "shrink posts fewer RX buffers to the firmware: use buf:rx");
	if (r->action == AMP_FA_SHRINK && r->keep < 0)
		return bad(err, rule, rule, "shrink needs n=N, the RX buffers left posted");
	return TRUE;
}

/* What the tokens cannot say alone: required parameters. */
static gboolean check_rule(struct amp_fault_rule *r, const char *rule, GError **err)
{
	if (r->target == AMP_FT_BUF || r->target == AMP_FT_RING || r->action == AMP_FA_CORRUPT_HDR)
		return check_bus_rule(r, rule, err);
	if (r->action == AMP_FA_NOTIFY_NO_PUBLISH && r->chan == 1)
		return bad(err, rule, rule,
			   "notify-no-publish is for vring0 only: the host takes vring1's buffers "
			   "back in its sends, and a vring1 interrupt is a hint it may get at any "
			   "time, so an empty one has no effect to test; use ring:fw:vring0");
	if (r->target == AMP_FT_FW && r->trigger == AMP_FT_NONE)
		return bad(err, rule, rule,
			   "a fw fault needs a trigger: at-msg=N, at-ms=N or "
			   "match=TEXT");
	if ((r->action == AMP_FA_DELAY || r->action == AMP_FA_STALL || r->action == AMP_FA_HOLD) &&
	    !r->ms_max)
		return bad(err, rule, rule, "%s needs ms=N (N > 0)",
			   r->action == AMP_FA_DELAY  ? "delay"
			   : r->action == AMP_FA_HOLD ? "hold"
						      : "stall");
	if (r->action == AMP_FA_HOLD && r->dir == AMP_FD_TO_FW)
		return bad(err, rule, rule,
			   "hold keeps messages from the firmware (their RX "
			   "buffers): use msg[:NAME]:fw->linux");
	if (r->action == AMP_FA_HOLD)
		r->dir = AMP_FD_TO_LINUX;
	if (r->action == AMP_FA_REORDER && r->dir == AMP_FD_TO_LINUX)
		return bad(err, rule, rule,
			   "reorder acts on messages to the firmware, before they "
			   "are published: use msg[:NAME]:linux->fw");
	if (r->action == AMP_FA_REORDER) {
		r->dir = AMP_FD_TO_FW;
		r->window = r->window ? r->window : 2;
		if (!r->ms_max) /* the flush when fewer messages follow */
			r->ms_min = r->ms_max = 100;
	}
	return TRUE;
}

struct amp_fault_rule *amp_fault_rule_parse(const char *text, unsigned nchan, GError **err)
{
	g_auto(GStrv) toks = g_strsplit_set(text, " \t", -1);
	g_autoptr(GPtrArray) words = g_ptr_array_new();
	for (char **t = toks; *t; t++)
		if (**t)
			g_ptr_array_add(words, *t);
	struct amp_fault_rule *r = g_new0(struct amp_fault_rule, 1);
	r->text = g_strdup(text);
	r->p = 1.0;
	r->offset = r->len = r->value = r->keep = -1;
	r->sig = SIGKILL;
	r->code = 1;
	gboolean ok = words->len >= 2 || bad(err, text, text,
					     "a rule is TARGET ACTION "
					     "[KEY=VALUE...], e.g. 'kick:ch1:fw->linux drop'");
	ok = ok && parse_target(r, words->pdata[0], nchan, text, err) &&
	     parse_action(r, words->pdata[1], text, err);
	for (guint i = 2; ok && i < words->len; i++)
		ok = parse_param(r, words->pdata[i], text, err);
	if (ok && check_rule(r, text, err))
		return r;
	amp_fault_rule_free(r);
	return NULL;
}
