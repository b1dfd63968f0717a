#include "render/quote.h"

#include <stdio.h>
#include <string.h>

int
quote_has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 1;
	return 0;
}

/* Length of the UTF-8 sequence at p, or 0 when it is malformed. */
static size_t
utf8_len(const unsigned char *p)
{
	unsigned int cp;
	size_t n;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0;
	return n;
}

int
quote_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_len(p);

		if (n == 0)
			return 0;
		p += n;
	}
	return 1;
}

int
quote_json(struct buf *out, const char *s)
{
	if (!quote_utf8_valid(s))
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
	if (quote_has_control(s) || !quote_utf8_valid(s))
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
	if (quote_has_control(s) || !quote_utf8_valid(s))
		return -1;
	buf_addch(out, '"');
	quote_dockerfile_escape(out, s);
	buf_addch(out, '"');
	return 0;
}

int
quote_shell(struct buf *out, const char *s)
{
	if (quote_has_control(s) || !quote_utf8_valid(s))
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

	if (path == NULL || path[0] != '/' || !quote_utf8_valid(path))
		return 0;
	while (*p) {
		if (*p >= 0x80) {
			p += utf8_len(p);
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

void
quote_printable(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_len(p);

		if (*p == '\\') {
			buf_addstr(out, "\\\\");
		} else if (*p == '\n') {
			buf_addstr(out, "\\n");
		} else if (*p == '\t') {
			buf_addstr(out, "\\t");
		} else if (*p == '\r') {
			buf_addstr(out, "\\r");
		} else if (*p < 0x20 || *p == 0x7f || n == 0) {
			buf_printf(out, "\\x%02x", *p);
		} else {
			buf_add(out, p, n);
			p += n;
			continue;
		}
		p++;
	}
}

char *
quote_printable_dup(const char *s)
{
	struct buf b = BUF_INIT;

	quote_printable(&b, s);
	return buf_detach(&b, NULL);
}
