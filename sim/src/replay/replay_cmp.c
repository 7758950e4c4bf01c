/* `ampsim replay`: comparing the firmware's answers with the recorded ones (replay.h). */
#include "replay.h"

#include <string.h>

#define SHOW_MAX 64u

char *replay_hex(const uint8_t *data, size_t len)
{
	GString *s = g_string_new(NULL);
	g_string_append_printf(s, "%zu byte%s:", len, len == 1 ? "" : "s");
	size_t n = len < SHOW_MAX ? len : SHOW_MAX;
	bool text = n > 0;
	for (size_t i = 0; i < n; i++) {
		g_string_append_printf(s, " %02x", data[i]);
		text = text && data[i] >= 0x20 && data[i] < 0x7f;
	}
	if (n < len)
		g_string_append(s, " ...");
	if (text) /* printable only, so safe on a terminal */
		g_string_append_printf(s, "  \"%.*s\"%s", (int)n, (const char *)data,
				       n < len ? "..." : "");
	return g_string_free(s, FALSE);
}

static size_t first_diff(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t i = 0;
	while (i < alen && i < blen && a[i] == b[i])
		i++;
	return i;
}

/* A name-service message: name (32 bytes) and flags (offset 36) must match; addr may not. */
static bool ns_same(const uint8_t *a, const uint8_t *b)
{
	return !memcmp(a, b, 32) && !memcmp(a + 36, b + 36, 4);
}

/* "  expected NS create "a", got NS destroy "b"\n": the names escaped (the firmware's text). */
static char *ns_names(const uint8_t *w, const uint8_t *g)
{
	g_autofree char *wn = g_strndup((const char *)w, 31);
	g_autofree char *gn = g_strndup((const char *)g, 31);
	g_autofree char *we = g_strescape(wn, NULL);
	g_autofree char *ge = g_strescape(gn, NULL);
	return g_strdup_printf("  expected NS %s \"%s\", got NS %s \"%s\"\n",
			       (w[36] & 1u) ? "destroy" : "create", we,
			       (g[36] & 1u) ? "destroy" : "create", ge);
}

char *replay_compare(const struct amp_cap_rec *want, const struct replay_got *got)
{
	size_t glen = 0;
	const uint8_t *g = g_bytes_get_data(got->payload, &glen);
	const uint8_t *w = want->payload;
	bool ns = !want->name[0];
	if (glen == want->len && (want->len == 0 || !memcmp(w, g, glen)))
		return NULL;
	if (ns && glen == 40 && want->len == 40 && ns_same(w, g))
		return NULL; /* only the firmware's address changed */
	g_autofree char *ex = replay_hex(w, want->len);
	g_autofree char *gt = replay_hex(g, glen);
	g_autofree char *names =
	    ns && glen == 40 && want->len == 40 ? ns_names(w, g) : g_strdup("");
	return g_strdup_printf("%s  expected %s\n  got      %s\n  first difference at byte %zu",
			       names, ex, gt, first_diff(w, want->len, g, glen));
}
