/*
 * Version orders (model/version.h). The expected orders are the managers'
 * own: dpkg --compare-versions, pip's packaging.version, node-semver and
 * `apk version -t` agree with every row below (checked against each when
 * the rows were written; "X" rows are strings the manager refuses).
 */
#include <stdlib.h>
#include <string.h>

#include "model/version.h"
#include "tap.h"

struct row {
	const char *a, *b;
	const char *want;	/* "<", "=", ">", or "X": not comparable */
};

/* Check a against b, and b against a the other way round. */
static void
check(const char *manager, const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		int c = 0, back = 0, rc, rc2;
		const char *got;

		rc = version_cmp(manager, r->a, r->b, &c);
		rc2 = version_cmp(manager, r->b, r->a, &back);
		got = rc < 0 ? "X" : c < 0 ? "<" : c > 0 ? ">" : "=";
		if (!ok(strcmp(got, r->want) == 0 && (rc < 0) == (rc2 < 0) &&
		    (rc < 0 || (c > 0) - (c < 0) == (back < 0) - (back > 0)),
		    "%s: %s %s %s", manager, r->a, r->want, r->b))
			printf("#   got %s (back %d)\n", got, back);
	}
}

#define CHECK(m, rows) check((m), (rows), sizeof(rows) / sizeof(*(rows)))

static const struct row dpkg_rows[] = {
	{ "1.0", "1.0", "=" },
	{ "1.0", "1.1", "<" },
	{ "1.10", "1.9", ">" },
	{ "1.0-1", "1.0-2", "<" },
	{ "1.0", "1.0-0", "=" },	/* no revision is revision "" = "0" */
	{ "0:1.0", "1.0", "=" },	/* epoch 0 is no epoch */
	{ "1:0.1", "2.0", ">" },	/* the epoch first */
	{ "2:1.0", "10:0.1", "<" },
	{ "1.0~rc1", "1.0", "<" },	/* ~ before the end */
	{ "1.0~~", "1.0~", "<" },
	{ "1.0~rc1-1", "1.0-1", "<" },
	{ "1.0", "1.0a", "<" },		/* the end before a letter */
	{ "1.0a", "1.0+", "<" },	/* letters before other characters */
	{ "1.0+", "1.0.", "<" },	/* then by ASCII */
	{ "1.0", "1.0.0", "<" },
	{ "1.01", "1.1", "=" },		/* numbers, not strings */
	{ "1.001-1", "1.1-1", "=" },
	{ "3.0.11-1~deb12u2", "3.0.15-1~deb12u1", "<" },
	{ "3.0.15-1~deb12u1", "3.0.15-1", "<" },
	{ "7.88.1-10+deb12u5", "7.88.1-10+deb12u12", "<" },
	{ "1.6-2.1+deb12u2", "1.6-2.1", ">" },
	{ "2.36-9+deb12u4", "2.36-9+deb12u10", "<" },
	{ "1.2.3-4ubuntu1", "1.2.3-4", ">" },
	{ "1.0-a-1", "1.0-1", ">" },	/* the last '-' splits the revision */
	{ "99999999999999999999999", "99999999999999999999998", ">" },
	{ "00000000000000000000001", "1", "=" },
	{ "", "0", "=" },		/* total: any string has a place */
};

static const struct row pep440_rows[] = {
	{ "1.0", "1.0.0", "=" },	/* trailing zeros do not count */
	{ "1.0", "1.1", "<" },
	{ "1.10", "1.9", ">" },
	{ "1.0.dev1", "1.0a1", "<" },	/* dev of a final before its pre-releases */
	{ "1.0a1", "1.0a2", "<" },
	{ "1.0a2", "1.0b1", "<" },
	{ "1.0b1", "1.0rc1", "<" },
	{ "1.0rc1", "1.0", "<" },
	{ "1.0", "1.0.post1", "<" },
	{ "1.0a1.dev1", "1.0a1", "<" },
	{ "1.0a1", "1.0a1.post1", "<" },
	{ "1.0.post1.dev1", "1.0.post1", "<" },
	{ "1.0.post1", "1.1.dev1", "<" },
	{ "1.0", "1.0+local", "<" },	/* a local label after the public one */
	{ "1.0+abc", "1.0+abd", "<" },
	{ "1.0+abc", "1.0+1", "<" },	/* a number after any word */
	{ "1.0+1", "1.0+2", "<" },
	{ "1.0+1", "1.0+1.a", "<" },
	{ "1.0+ubuntu-1", "1.0+ubuntu.1", "=" },
	{ "1!0.1", "2.0", ">" },	/* the epoch first */
	{ "0!1.0", "1.0", "=" },
	/* The normalised spellings. */
	{ "1.0alpha1", "1.0a1", "=" },
	{ "1.0-beta.2", "1.0b2", "=" },
	{ "1.0c1", "1.0rc1", "=" },
	{ "1.0pre1", "1.0rc1", "=" },
	{ "1.0preview1", "1.0rc1", "=" },
	{ "1.0RC1", "1.0rc1", "=" },
	{ "1.0a", "1.0a0", "=" },
	{ "1.0-1", "1.0.post1", "=" },
	{ "1.0.rev1", "1.0.post1", "=" },
	{ "1.0-r1", "1.0.post1", "=" },
	{ "1.0.post", "1.0.post0", "=" },
	{ "1.0.dev", "1.0.dev0", "=" },
	{ "1.0a-.dev1", "1.0a0.dev1", "=" },
	{ "v1.0", "1.0", "=" },
	{ "2.32.3", "2.32.10", "<" },
	{ "2024.1.1", "2023.12.31", ">" },
	{ "1.0", "1.0-", "X" },
	{ "1.0", "1.0+", "X" },
	{ "1.0", "1.0.x", "X" },
	{ "1.0", "abc", "X" },
	{ "1.0", "", "X" },
};

static const struct row semver_rows[] = {
	{ "1.0.0", "1.0.0", "=" },
	{ "1.0.0", "2.0.0", "<" },
	{ "2.0.0", "2.1.0", "<" },
	{ "2.1.0", "2.1.1", "<" },
	{ "1.10.0", "1.9.0", ">" },
	/* semver 2.0.0, section 11's example, in order. */
	{ "1.0.0-alpha", "1.0.0-alpha.1", "<" },
	{ "1.0.0-alpha.1", "1.0.0-alpha.beta", "<" },
	{ "1.0.0-alpha.beta", "1.0.0-beta", "<" },
	{ "1.0.0-beta", "1.0.0-beta.2", "<" },
	{ "1.0.0-beta.2", "1.0.0-beta.11", "<" },
	{ "1.0.0-beta.11", "1.0.0-rc.1", "<" },
	{ "1.0.0-rc.1", "1.0.0", "<" },
	{ "1.0.0-1", "1.0.0-alpha", "<" },	/* numbers before words */
	{ "1.0.0-a-b", "1.0.0-a", ">" },
	{ "1.0.0+build.1", "1.0.0+build.2", "=" },	/* build metadata ignored */
	{ "1.0.0-rc.1+build", "1.0.0-rc.1", "=" },
	{ "v1.2.3", "1.2.3", "=" },
	{ "=1.2.3", "1.2.3", "=" },
	{ "3.0", "3.0.0", "=" },	/* a query's release line */
	{ "3", "2.99.99", ">" },
	{ "1.0.0", "1.0.0-", "X" },
	{ "1.0.0", "1.0.0+", "X" },
	{ "1.0.0", "1.0.0-a..b", "X" },
	{ "1.0.0", "latest", "X" },
};

static const struct row apk_rows[] = {
	/* `apk version -t` on Alpine (apk-tools 2). */
	{ "1", "1", "=" },
	{ "1", "1.0", "<" },
	{ "1.0", "1.0_alpha", "<" },	/* apk's own quirk, kept */
	{ "1.1", "1.1_alpha", ">" },
	{ "1.0", "1.0-r1", "<" },
	{ "1.1", "1.0-r1", ">" },
	{ "1.1", "1.0_p1", ">" },
	{ "1.1", "1.2_alpha", "<" },
	{ "1", "1-r1", "<" },
	{ "1", "1_p1", "<" },
	{ "1", "1_alpha", ">" },
	{ "1-r1", "1_p1", "<" },
	{ "1-r1", "1-r2", "<" },
	{ "11", "1", ">" },
	{ "1.10.0", "1.2.0", ">" },
	{ "1.1.10", "1.1.4-r1", ">" },
	{ "1.1a", "1.1b", "<" },
	{ "1.0.2k-r0", "1.0.2i-r0", ">" },
	{ "1.02", "1.1", "<" },		/* a leading zero: a fraction */
	{ "1.002", "1.02", "<" },
	{ "2.39.0_rc1-r0", "2.39.0-r0", "<" },
	{ "2.39.0_beta1", "2.39.0_rc1", "<" },
	{ "6.5_p20250503-r0", "6.5-r0", ">" },
	{ "1.0_git2020~abc1-r0", "1.0_git2020~def2-r0", "=" },	/* hash: no order */
	{ "1.0_git2020~abc1-r1", "1.0_git2020~def2-r0", ">" },
	{ "3.0.15-r0", "3.0.8-r1", ">" },
	/* A post-release suffix read past: apk calls them equal. */
	{ "1.0_git_git", "1.0_git", "=" },
	{ "1.1_blarf", "1.1_alpha", "X" },	/* no such suffix */
	{ "1.1baa", "1.1b", "X" },
	{ "1.0", "x1.0", "X" },
	{ "1.0", "1.0-", "X" },
	{ "1.0", "1.0~", "X" },
	{ "1.0", "1.1234567890123456789", "X" },	/* past a long long */
};

static void
test_managers(void)
{
	int c = 5;

	CHECK("dpkg", dpkg_rows);
	CHECK("pip", pep440_rows);
	CHECK("npm", semver_rows);
	CHECK("apk", apk_rows);
	ok(version_cmp("rpm", "1", "2", &c) < 0 && c == 5,
	    "a manager without an order compares nothing");
	/* Each order by its own name too. */
	ok(version_cmp_dpkg("1.0~rc1", "1.0") < 0, "version_cmp_dpkg");
	ok(version_cmp_pep440("1.0rc1", "1.0", &c) == 0 && c < 0,
	    "version_cmp_pep440");
	ok(version_cmp_semver("1.0.0-rc.1", "1.0.0", &c) == 0 && c < 0,
	    "version_cmp_semver");
	ok(version_cmp_apk("1.0_rc1", "1.0_p1", &c) == 0 && c < 0,
	    "version_cmp_apk");
}

static void
split(const char *q, const char *name, enum version_op op,
    const char *version)
{
	char *n = NULL, *v = NULL;
	enum version_op o = VERSION_ANY;
	int rc = version_query_split(q, &n, &o, &v);

	if (name == NULL) {
		ok(rc < 0 && n == NULL && v == NULL, "query '%s' is refused", q);
		return;
	}
	ok(rc == 0 && n && strcmp(n, name) == 0 && o == op &&
	    (version ? v && strcmp(v, version) == 0 : v == NULL),
	    "query '%s' is %s %s %s", q, name, version_op_name(op),
	    version ? version : "");
	free(n);
	free(v);
}

static void
test_query(void)
{
	split("openssl", "openssl", VERSION_ANY, NULL);
	split("libssl3<3.0.15", "libssl3", VERSION_LT, "3.0.15");
	split("libssl3<=3.0.15", "libssl3", VERSION_LE, "3.0.15");
	split("requests == 2.32.3", "requests", VERSION_EQ, "2.32.3");
	split("requests=2.32.3", "requests", VERSION_EQ, "2.32.3");
	split("jq!=1.6", "jq", VERSION_NE, "1.6");
	split(" curl >= 7.88 ", "curl", VERSION_GE, "7.88");
	split("curl>1:7", "curl", VERSION_GT, "1:7");
	split("lib*<2", "lib*", VERSION_LT, "2");
	split("<3", NULL, VERSION_ANY, NULL);
	split("jq<", NULL, VERSION_ANY, NULL);
	split("jq!1", NULL, VERSION_ANY, NULL);
	split("", NULL, VERSION_ANY, NULL);

	ok(version_satisfies("dpkg", "3.0.11-1~deb12u2", VERSION_LT, "3.0.15"),
	    "dpkg 3.0.11-1~deb12u2 < 3.0.15");
	ok(!version_satisfies("dpkg", "3.0.15-1~deb12u1", VERSION_LT, "3.0.15"),
	    "dpkg 3.0.15-1~deb12u1 is not < 3.0.15: the revision counts");
	ok(version_satisfies("dpkg", "3.0.15-1~deb12u1", VERSION_LT, "3.0.15-1"),
	    "dpkg 3.0.15-1~deb12u1 < 3.0.15-1");
	ok(version_satisfies("pip", "2.0.0rc1", VERSION_LT, "2.0"),
	    "pip 2.0.0rc1 < 2.0 (PEP 440, not dpkg)");
	ok(!version_satisfies("dpkg", "2.0.0rc1", VERSION_LT, "2.0"),
	    "dpkg 2.0.0rc1 is not < 2.0");
	ok(version_satisfies("npm", "5.0.0-beta.2", VERSION_LT, "5.0.0-beta.10"),
	    "npm 5.0.0-beta.2 < 5.0.0-beta.10 (semver)");
	ok(version_satisfies("pip", "1.0", VERSION_EQ, "1.0.0"),
	    "pip 1.0 == 1.0.0");
	ok(version_satisfies("pip", "1.0", VERSION_NE, "1.1") &&
	    version_satisfies("pip", "1.1", VERSION_GE, "1.1") &&
	    version_satisfies("pip", "1.1", VERSION_LE, "1.1") &&
	    version_satisfies("pip", "1.2", VERSION_GT, "1.1"),
	    "!=, >=, <=, >");
	ok(!version_satisfies("pip", "not-a-version", VERSION_NE, "1.0"),
	    "a version the order cannot place satisfies no comparison");
	ok(version_satisfies("pip", "not-a-version", VERSION_ANY, NULL),
	    "but every query without one");
}

int
main(void)
{
	test_managers();
	test_query();
	return done_testing();
}
