/*
 * bench/parse: dpkg status parsing throughput.
 *
 *   parse [PACKAGES [ROUNDS]]
 *
 * Builds a synthetic status file of PACKAGES stanzas (default 50,000)
 * shaped like Debian's (a multi-line Description, Depends, Conffiles),
 * parses it ROUNDS times (default 5) with dpkg_parse_status and prints the
 * best round's MB/s. Throughput is a rate, not a duration, so it needs no
 * baseline run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pkg/pkg.h"
#include "util/buf.h"

static void
make_status(struct buf *b, long n)
{
	for (long i = 0; i < n; i++) {
		buf_printf(b,
		    "Package: libbench-%ld-perl\n"
		    "Status: install ok installed\n"
		    "Priority: optional\n"
		    "Section: perl\n"
		    "Installed-Size: %ld\n"
		    "Maintainer: Debian Perl Group <pkg-perl@lists.debian.org>\n"
		    "Architecture: %s\n"
		    "Multi-Arch: foreign\n"
		    "Version: %ld.%ld-%ld+deb12u1\n"
		    "Depends: perl:any, libc6 (>= 2.34), libbench-%ld-perl (>= 1.0)\n"
		    "Conffiles:\n"
		    " /etc/bench/%ld.conf 0123456789abcdef0123456789abcdef\n"
		    "Description: synthetic package number %ld for the parser bench\n"
		    " A longer description runs over several continuation lines,\n"
		    " as real ones do, so that the parser skips realistic text.\n"
		    " .\n"
		    " It has a paragraph break too.\n"
		    "Homepage: https://example.org/bench/%ld\n"
		    "\n",
		    i, 100 + i % 900, i % 7 ? "amd64" : "all", i % 13, i % 97,
		    1 + i % 3, (i + 1) % n, i, i, i);
	}
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 50000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	struct buf b = BUF_INIT;
	double best = 0;
	size_t found = 0;

	if (n <= 0 || rounds <= 0) {
		fprintf(stderr, "usage: parse [PACKAGES [ROUNDS]]\n");
		return 2;
	}
	make_status(&b, n);
	for (int r = 0; r < rounds; r++) {
		struct pkg_set set = { 0 };
		struct strv warnings = { 0 };
		double t0 = now(), t;

		dpkg_parse_status(b.ptr, b.len, 1, &set, &warnings);
		t = now() - t0;
		if (best == 0 || t < best)
			best = t;
		found = set.n;
		pkg_set_release(&set);
		strv_release(&warnings);
	}
	if (found != (size_t)n) {
		fprintf(stderr, "parse: %zu packages parsed, %ld expected\n",
		    found, n);
		return 1;
	}
	printf("%.1f MB/s %zu packages %.1f MB %.4f s\n",
	    (double)b.len / best / 1e6, found, (double)b.len / 1e6, best);
	buf_release(&b);
	return 0;
}
