#include "render/quote.h"

#include <stdio.h>
#include <string.h>

#include "util/text.h"

int
quote_json(struct buf *out, const char *s)
{
	if (!text_utf8_valid(s))
		return -1;
	buf_addch(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			buf_addstr(out, "\\\"");
			break;
		case '\\':
			buf_addstr(out, "\\\\");
			break;
		case '\n':
			buf_addstr(out, "\\n");
			break;
		case '\t':
			buf_addstr(out, "\\t");
			break;
		case '\r':
			buf_addstr(out, "\\r");
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				buf_printf(out, "\\u%04x", *p);
			else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
				buf_printf(out, "\\u%04x", *++p);	/* C1 */
			else
				buf_addch(out, (char)*p);
		}
	}
	buf_addch(out, '"');
	return 0;
}

int
quote_dockerfile_escape(struct buf *out, const char *s)
{
	if (text_has_control(s) || !text_utf8_valid(s))
		return -1;
	for (const char *p = s; *p; p++) {
		if (*p == '"' || *p == '\\' || *p == '$')
			buf_addch(out, '\\');
		buf_addch(out, *p);
	}
	return 0;
}

int
quote_dockerfile_word(struct buf *out, const char *s)
{
	if (text_has_control(s) || !text_utf8_valid(s))
		return -1;
	buf_addch(out, '"');
	quote_dockerfile_escape(out, s);
	buf_addch(out, '"');
	return 0;
}

int
quote_shell(struct buf *out, const char *s)
{
	if (text_has_control(s) || !text_utf8_valid(s))
		return -1;
	buf_addch(out, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			buf_addstr(out, "'\\''");
		else
			buf_addch(out, *p);
	}
	buf_addch(out, '\'');
	return 0;
}

static int
path_byte_ok(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return strchr("._+@%,=:~/ -", c) != NULL;
}

int
quote_path_safe(const char *path)
{
	const unsigned char *p = (const unsigned char *)path;

	if (path == NULL || path[0] != '/' || !text_utf8_valid(path))
		return 0;
	while (*p) {
		if (*p >= 0x80) {
			p += text_utf8_len((const char *)p);
			continue;
		}
		if (!path_byte_ok(*p))
			return 0;
		if (*p == '/') {
			const unsigned char *c = p + 1;
			size_t len = strcspn((const char *)c, "/");

			if (len == 0 && c[0] == '/')
				return 0;	/* "//" */
			if ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
				return 0;
		}
		p++;
	}
	/* A trailing space would be trimmed by the builder. */
	return path[strlen(path) - 1] != ' ';
}
