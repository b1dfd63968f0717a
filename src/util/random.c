#include "util/random.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

void
random_bytes(void *out, size_t n)
{
	unsigned char *p = out;
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = getrandom(p + got, n - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			struct timespec ts;
			uint64_t mix[2];

			clock_gettime(CLOCK_REALTIME, &ts);
			mix[0] = (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 32);
			mix[1] = (uint64_t)ts.tv_nsec;
			for (size_t i = got; i < n; i++)
				p[i] = ((unsigned char *)mix)[i % sizeof(mix)] ^
				    (unsigned char)i;
			return;
		}
		got += (size_t)r;
	}
}

void
random_uuid(char out[37])
{
	unsigned char b[16];
	size_t o = 0;

	random_bytes(b, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);	/* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
	for (size_t i = 0; i < sizeof(b); i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		snprintf(out + o, 3, "%02x", b[i]);
		o += 2;
	}
	out[o] = '\0';
}
