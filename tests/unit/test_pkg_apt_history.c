/* apt's history log: which packages apt installed from an index. */
#include <stdlib.h>
#include <string.h>

#include "pkg/pkg.h"
#include "tap.h"

static const char log_text[] =
    "\n"
    "Start-Date: 2026-11-28  21:58:08\n"
    "Commandline: apt-get install -y -qq --no-install-recommends jq\n"
    "Install: libonig5:amd64 (6.9.8-1, automatic), jq:amd64 (1.6-2.1+deb12u2), libjq1:amd64 (1.6-2.1+deb12u2, automatic)\n"
    "End-Date: 2026-11-28  21:58:16\n"
    "\n"
    "Start-Date: 2026-11-28  21:58:42\n"
    "Commandline: apt-get install -y -qq ./hello_2.10-3_amd64.deb curl\n"
    "Install: hello:amd64 (2.10-3), curl:amd64 (7.88.1-10+deb12u5)\n"
    "Upgrade: liblzma5:amd64 (5.4.1-0.2, 5.4.1-1)\n"
    "End-Date: 2026-11-28  21:58:46\n"
    "\n"
    "Start-Date: 2026-11-28  22:00:00\n"
    "Commandline: apt-get install --reinstall x\n"
    "Install: broken (no closing parenthesis\n";

static int
has(const struct strv *sv, const char *name, const char *version)
{
	char key[256];

	snprintf(key, sizeof(key), "%s\n%s", name, version);
	return strv_find(sv, key) >= 0;
}

int
main(void)
{
	struct strv known = { 0 };

	apt_history_parse(log_text, strlen(log_text), &known);
	ok(has(&known, "jq", "1.6-2.1+deb12u2"), "an installed package is known at its version");
	ok(has(&known, "libonig5", "6.9.8-1"), "'automatic' is not part of the version");
	ok(has(&known, "curl", "7.88.1-10+deb12u5"), "an index package next to a local .deb is known");
	ok(!has(&known, "hello", "2.10-3"), "a .deb named on the command line is not from an index");
	ok(has(&known, "liblzma5", "5.4.1-1"), "an upgrade is known at its new version");
	ok(!has(&known, "liblzma5", "5.4.1-0.2"), "and not at its old one");
	ok(!has(&known, "jq", "1.6-2.1"), "a version apt never installed is unknown");
	strv_release(&known);

	apt_history_parse("", 0, &known);
	is_int(known.n, 0, "an empty log knows nothing");
	apt_history_parse("Install: a (1\n", 13, &known);
	is_int(known.n, 0, "a cut-off line is ignored, not over-read");
	strv_release(&known);
	return done_testing();
}
