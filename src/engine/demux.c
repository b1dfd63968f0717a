#include "engine/demux.h"

#include <stdint.h>

int
demux_feed(struct demux *d, const void *data, size_t len, demux_out_fn out,
    void *ctx, struct keep_error **err)
{
	const unsigned char *p = data;
	size_t n;

	while (len > 0) {
		if (d->left == 0) {
			/* Collect a header, maybe across calls. */
			n = sizeof(d->hdr) - d->hdr_len;
			if (n > len)
				n = len;
			for (size_t i = 0; i < n; i++)
				d->hdr[d->hdr_len + i] = p[i];
			d->hdr_len += n;
			p += n;
			len -= n;
			if (d->hdr_len < sizeof(d->hdr))
				break;
			d->hdr_len = 0;
			if (d->hdr[0] > DEMUX_STDERR || d->hdr[1] || d->hdr[2] ||
			    d->hdr[3])
				return keep_error_set(err, KEEP_ERR_FAILED,
				    "the engine's output stream is not "
				    "multiplexed as expected (frame header "
				    "%02x %02x %02x %02x)", d->hdr[0],
				    d->hdr[1], d->hdr[2], d->hdr[3]);
			d->stream = d->hdr[0];
			d->left = (size_t)((uint32_t)d->hdr[4] << 24 |
			    (uint32_t)d->hdr[5] << 16 |
			    (uint32_t)d->hdr[6] << 8 | (uint32_t)d->hdr[7]);
			continue;
		}
		n = d->left < len ? d->left : len;
		if (out(ctx, d->stream, p, n, err) != 0)
			return -1;
		d->left -= n;
		p += n;
		len -= n;
	}
	return 0;
}

int
demux_partial(const struct demux *d)
{
	return d->hdr_len > 0 || d->left > 0;
}
