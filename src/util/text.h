/*
 * Text keep did not write (names, values, messages from inside a container
 * or from the engine) on its way to a terminal, a comment or a message:
 * what UTF-8 is valid, what is a control character, and the one printable
 * form of it.
 */
#ifndef KEEP_UTIL_TEXT_H
#define KEEP_UTIL_TEXT_H

#include <stddef.h>

#include "util/buf.h"

/* Length of the UTF-8 sequence at p (1-4), or 0 when it is malformed. */
size_t text_utf8_len(const char *p);

/* 1 when s is well-formed UTF-8 (no overlongs, no surrogates). */
int text_utf8_valid(const char *s);

/*
 * 1 when s holds a control character: a byte below 0x20 (tab and newline
 * included), 0x7f, or a C1 control U+0080..U+009F (which a terminal may
 * take as ESC [ and the rest).
 */
int text_has_control(const char *s);

/* text_printable's flags. */
enum {
	/*
	 * Leave '\' as it is: for text that may hold escapes already (a
	 * message quoting a name in its printable form).
	 */
	TEXT_KEEP_BACKSLASH = 1 << 0,
};

/*
 * Append s in a form that is safe in a comment, a message or on a
 * terminal: '\' becomes "\\" (unless flags say TEXT_KEEP_BACKSLASH),
 * newline, tab and return "\n", "\t", "\r", every other control
 * character (C1 ones too) and every byte of invalid UTF-8 "\xNN" (a C1
 * character as its two bytes). Never fails.
 */
void text_printable(struct buf *out, const char *s, unsigned flags);

/* text_printable(s, 0) into a new string; the caller frees it. */
char *text_printable_dup(const char *s);

#endif
