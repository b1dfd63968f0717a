/*
 * Version order, in each package manager's own terms: dpkg's (epoch,
 * upstream and revision, '~' before everything), PEP 440's for pip (epochs,
 * pre-, post- and dev-releases, local labels), semver's for npm
 * (pre-releases before the release, build metadata ignored) and apk's
 * (suffixes _alpha ... _p, -rN revisions). keep find compares with these:
 * "libssl3<3.0.15" means less than 3.0.15 as dpkg orders versions for a
 * dpkg package, as pip orders them for a pip one.
 *
 * Like the validators, they read ASCII by hand, so the order never depends
 * on the locale. Strings come from inside containers: nothing here reads
 * past a NUL or overflows on a long run of digits (numbers are compared as
 * digit strings).
 */
#ifndef KEEP_MODEL_VERSION_H
#define KEEP_MODEL_VERSION_H

/*
 * dpkg's order: negative, zero or positive as a is older than, equal to or
 * newer than b. Total, as dpkg's own comparison is: any string has a place.
 */
int version_cmp_dpkg(const char *a, const char *b);

/*
 * The others take strings that may not be versions of their manager at
 * all: 0 with the comparison in *out, or -1 when a or b is not one (then
 * *out is untouched).
 *
 * PEP 440 accepts the normalisations pip does ("1.0-1" is 1.0.post1,
 * "1.0RC1" is 1.0rc1, a leading "v"). semver accepts a leading "v" or "=",
 * and a missing minor or patch number counts as 0 ("3.0" is 3.0.0), so a
 * query can name a release line. apk is apk-tools' order.
 */
int version_cmp_pep440(const char *a, const char *b, int *out);
int version_cmp_semver(const char *a, const char *b, int *out);
int version_cmp_apk(const char *a, const char *b, int *out);

/*
 * The order of manager ("dpkg", "pip", "npm", "apk"): as above; -1 for a
 * manager keep knows no order of.
 */
int version_cmp(const char *manager, const char *a, const char *b, int *out);

/* A comparison in a query: "<", "<=", "=" (or "=="), "!=", ">=", ">". */
enum version_op {
	VERSION_ANY,	/* no comparison: every version */
	VERSION_LT,
	VERSION_LE,
	VERSION_EQ,
	VERSION_NE,
	VERSION_GE,
	VERSION_GT,
};

/*
 * Split a query "name", "name<3.0.15", "name >= 2" into *name and, when it
 * has a comparison, *op and *version (spaces around them dropped; both
 * new strings, *version NULL without one; caller frees). -1 when a side is
 * empty ("<3", "name<").
 */
int version_query_split(const char *query, char **name, enum version_op *op,
    char **version);

/* The operator's text ("<=" ...); "" for VERSION_ANY. */
const char *version_op_name(enum version_op op);

/*
 * Whether version (of a package of manager) stands in relation op to ref:
 * 1 or 0. VERSION_ANY holds for every version; a version the manager's
 * order cannot place (not PEP 440 for pip ...) holds for none else.
 */
int version_satisfies(const char *manager, const char *version,
    enum version_op op, const char *ref);

#endif
