/*
 * Text a firmware chose (channel names, its trace, its answers) made safe to print: what
 * reaches a terminal from ampsim is plain text, never an escape sequence.
 */
#ifndef AMP_SIM_TEXT_H
#define AMP_SIM_TEXT_H

#include <glib.h>

/**
 * Append @p len bytes of @p s (-1: up to its NUL) to @p out as plain text: printable UTF-8
 * characters, newline and tab as they are (so "café" stays readable); every other byte as
 * \xNN (ASCII control characters, DEL, bytes that are not UTF-8) and every other character
 * as \uNNNN (C1 controls such as the 8-bit CSI, bidi overrides and other format characters).
 */
void amp_text_escape(GString *out, const char *s, gssize len);

/** amp_text_escape() into a new string; g_free it. */
char *amp_text_escaped(const char *s, gssize len);

#endif /* AMP_SIM_TEXT_H */
