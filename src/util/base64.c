#include "util/base64.h"

#include <string.h>

static const char *
alphabet(enum base64_alphabet a)
{
	return a == BASE64_URL ?
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" :
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

void
base64_encode(const void *data, size_t len, enum base64_alphabet a,
    struct buf *out)
{
	const unsigned char *p = data;
	const char *abc = alphabet(a);

	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		size_t n = len - i < 3 ? len - i : 3;

		if (n > 1)
			v |= (unsigned)p[i + 1] << 8;
		if (n > 2)
			v |= p[i + 2];
		buf_addch(out, abc[(v >> 18) & 63]);
		buf_addch(out, abc[(v >> 12) & 63]);
		buf_addch(out, n > 1 ? abc[(v >> 6) & 63] : '=');
		buf_addch(out, n > 2 ? abc[v & 63] : '=');
	}
}

int
base64_decode(const char *in, enum base64_alphabet a, struct buf *out)
{
	const char *abc = alphabet(a);
	unsigned acc = 0;
	int bits = 0;

	for (const char *p = in; *p && *p != '='; p++) {
		const char *hit = strchr(abc, *p);

		if (hit == NULL)
			return -1;
		acc = (acc << 6) | (unsigned)(hit - abc);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addch(out, (char)((acc >> bits) & 0xff));
		}
	}
	return 0;
}
