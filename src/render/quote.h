/*
 * Quoting for the three languages a Dockerfile mixes: Dockerfile words
 * (ENV, ARG), JSON (exec-form CMD/ENTRYPOINT, COPY), and the /bin/sh of RUN
 * lines (the printable form for comments and messages is util/text.h's).
 * Everything that came from inside a container goes through here or is
 * refused: a refusal appends nothing and returns -1, so a caller cannot
 * half-write a line.
 */
#ifndef KEEP_RENDER_QUOTE_H
#define KEEP_RENDER_QUOTE_H

#include "util/buf.h"
#include "util/text.h"

/*
 * Append s as a JSON string with its double quotes ("\"", "\\", "\n", "\t",
 * "\u00XX" for the other control characters, C1 ones too). Returns -1 and
 * appends nothing when s is not valid UTF-8.
 */
int quote_json(struct buf *out, const char *s);

/*
 * Append s as a double-quoted Dockerfile word for ENV and ARG: '"', '\' and
 * '$' are backslash-escaped, so the builder neither expands a variable nor
 * ends the word early. A newline cannot be written inside such a word (the
 * builder splits lines before unquoting), so any control character, or
 * invalid UTF-8, refuses: -1, nothing appended.
 */
int quote_dockerfile_word(struct buf *out, const char *s);

/*
 * The inside of quote_dockerfile_word, without the surrounding quotes, for
 * words built from several parts ("/opt/bin:${PATH}"). Same refusals.
 */
int quote_dockerfile_escape(struct buf *out, const char *s);

/*
 * Append s single-quoted for /bin/sh ('it'\''s'). Refuses (-1, nothing
 * appended) on a control character or invalid UTF-8.
 */
int quote_shell(struct buf *out, const char *s);

/*
 * 1 when path may be written into a Dockerfile instruction as a path
 * (COPY source and destination, WORKDIR, an argument of RUN rm/chmod):
 * absolute, no "." or ".." component, no empty component except a trailing
 * slash, bytes from [A-Za-z0-9._+@%,=:~/ -] or valid non-ASCII UTF-8. That
 * leaves out '$' (builder expansion), quotes and '\', glob characters
 * (COPY sources are patterns), '<' (heredocs) and every control character.
 */
int quote_path_safe(const char *path);

#endif
