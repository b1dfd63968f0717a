#include "util/text.h"

size_t
text_utf8_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
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
text_utf8_valid(const char *s)
{
	while (*s) {
		size_t n = text_utf8_len(s);

		if (n == 0)
			return 0;
		s += n;
	}
	return 1;
}

/* A C1 control, U+0080..U+009F, as UTF-8: 0xc2 0x80..0x9f. */
static int
is_c1(const unsigned char *p)
{
	return p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f;
}

int
text_has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || is_c1(p))
			return 1;
	return 0;
}

void
text_printable(struct buf *out, const char *s, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = text_utf8_len((const char *)p);

		if (*p == '\\' && !(flags & TEXT_KEEP_BACKSLASH)) {
			buf_addstr(out, "\\\\");
		} else if (*p == '\n') {
			buf_addstr(out, "\\n");
		} else if (*p == '\t') {
			buf_addstr(out, "\\t");
		} else if (*p == '\r') {
			buf_addstr(out, "\\r");
		} else if (is_c1(p)) {
			buf_printf(out, "\\x%02x\\x%02x", p[0], p[1]);
			p += 2;
			continue;
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
text_printable_dup(const char *s)
{
	struct buf b = BUF_INIT;

	text_printable(&b, s, 0);
	return buf_detach(&b, NULL);
}
