/* Printing text a firmware chose; see text.h. */
#include "text.h"

#include <string.h>

void amp_text_escape(GString *out, const char *s, gssize len)
{
	const char *p = s, *end = s + (len < 0 ? (gssize)strlen(s) : len);
	while (p < end) {
		gunichar c = g_utf8_get_char_validated(p, end - p);
		if (c == (gunichar)-1 || c == (gunichar)-2) { /* not UTF-8 (or cut short) */
			g_string_append_printf(out, "\\x%02x", (guchar)*p++);
			continue;
		}
		const char *next = g_utf8_next_char(p);
		if (c == '\n' || c == '\t')
			g_string_append_c(out, (char)c);
		else if (c < 0x20 || c == 0x7f) /* includes NUL, ESC, BEL, CR */
			g_string_append_printf(out, "\\x%02x", (unsigned)c);
		else if (!g_unichar_isprint(c))
			g_string_append_printf(out, c > 0xFFFF ? "\\U%08x" : "\\u%04x",
					       (unsigned)c);
		else
			g_string_append_len(out, p, next - p);
		p = next;
	}
}

char *amp_text_escaped(const char *s, gssize len)
{
	GString *out = g_string_sized_new(len < 0 ? strlen(s) : (gsize)len);
	amp_text_escape(out, s, len);
	return g_string_free(out, FALSE);
}
