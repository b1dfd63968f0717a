/*
 * The version orders of version.h, each written from its manager's
 * documented rules: dpkg's deb-version(7), PEP 440's "Version scheme"
 * (with the normalisations of its "Normalization" section), semver 2.0.0's
 * "precedence" (section 11) and apk-tools' version grammar.
 */
#include "model/version.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char
lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int
sign(int v)
{
	return (v > 0) - (v < 0);
}

/* A run of digits, leading zeros left out: compared by length, then bytes. */
struct num {
	const char *p;
	size_t n;
};

static struct num
num_make(const char *p, size_t n)
{
	while (n > 0 && *p == '0') {
		p++;
		n--;
	}
	return (struct num){ p, n };
}

/* Read the digits at s[*i]: there may be none (then the number is 0). */
static struct num
num_read(const char *s, size_t *i)
{
	size_t start = *i;

	while (is_digit(s[*i]))
		(*i)++;
	return num_make(s + start, *i - start);
}

static int
num_cmp(struct num a, struct num b)
{
	if (a.n != b.n)
		return a.n < b.n ? -1 : 1;
	return a.n ? sign(memcmp(a.p, b.p, a.n)) : 0;
}

/* ---- dpkg ---- */

/*
 * Where a non-digit character sorts in dpkg's order: '~' before the end of
 * a part, the end before letters, letters before everything else.
 */
static int
dpkg_order(const char *p, const char *end)
{
	if (p >= end || is_digit(*p))
		return 0;
	if (is_alpha(*p))
		return (unsigned char)*p;
	if (*p == '~')
		return -1;
	return (unsigned char)*p + 256;
}

/*
 * Compare two parts (upstream versions, or revisions): alternately a run
 * of non-digits, character by character in dpkg_order, and a run of
 * digits, as numbers.
 */
static int
dpkg_part_cmp(const char *a, const char *ae, const char *b, const char *be)
{
	while (a < ae || b < be) {
		size_t ai = 0, bi = 0;
		int c;

		while ((a < ae && !is_digit(*a)) || (b < be && !is_digit(*b))) {
			int ac = dpkg_order(a, ae), bc = dpkg_order(b, be);

			/* Equal orders: both are the same non-digit. */
			if (ac != bc)
				return sign(ac - bc);
			a++;
			b++;
		}
		while (a + ai < ae && is_digit(a[ai]))
			ai++;
		while (b + bi < be && is_digit(b[bi]))
			bi++;
		if ((c = num_cmp(num_make(a, ai), num_make(b, bi))) != 0)
			return c;
		a += ai;
		b += bi;
	}
	return 0;
}

/* Split [epoch:]upstream[-revision]: the epoch's digits, the two parts. */
struct dpkg_version {
	struct num epoch;
	const char *up, *up_end, *rev, *rev_end;
};

static void
dpkg_split(const char *s, struct dpkg_version *v)
{
	const char *colon, *dash, *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	colon = memchr(s, ':', (size_t)(end - s));
	v->epoch = num_make(s, 0);
	if (colon) {
		size_t i = 0;

		v->epoch = num_read(s, &i);
		s = colon + 1;
	}
	dash = NULL;
	for (const char *p = s; p < end; p++)
		if (*p == '-')
			dash = p;
	v->up = s;
	v->up_end = dash ? dash : end;
	v->rev = dash ? dash + 1 : end;
	v->rev_end = end;
}

int
version_cmp_dpkg(const char *a, const char *b)
{
	struct dpkg_version va, vb;
	int c;

	dpkg_split(a, &va);
	dpkg_split(b, &vb);
	if ((c = num_cmp(va.epoch, vb.epoch)) != 0)
		return c;
	if ((c = dpkg_part_cmp(va.up, va.up_end, vb.up, vb.up_end)) != 0)
		return c;
	return dpkg_part_cmp(va.rev, va.rev_end, vb.rev, vb.rev_end);
}

/* ---- PEP 440 ---- */

/* More release numbers or local segments than this: not a version here. */
#define SEGMENTS_MAX 32

enum { PRE_A, PRE_B, PRE_RC, PRE_NONE };

struct local_seg {
	const char *p;
	size_t n;
	int numeric;
};

struct pep440 {
	struct num epoch;
	struct num release[SEGMENTS_MAX];
	size_t n_release;
	int pre;		/* PRE_A ... or PRE_NONE */
	struct num pre_n;
	int has_post, has_dev, has_local;
	struct num post, dev;
	struct local_seg local[SEGMENTS_MAX];
	size_t n_local;
};

static int
is_sep(char c)
{
	return c == '.' || c == '-' || c == '_';
}

/* Whether s[i..] starts with the lower-case word w, in any case. */
static int
word_at(const char *s, size_t i, const char *w)
{
	for (size_t k = 0; w[k]; k++)
		if (lower(s[i + k]) != w[k])
			return 0;
	return 1;
}

/*
 * A pre-, post- or dev-release marker at s[*i]: an optional separator, one
 * of the words, then an optional separator and an optional number (0 when
 * there is none), as PEP 440's normalisation reads them: "1.0a-.dev1" is
 * 1.0a0.dev1. Returns the index of the word found, or -1 (and *i unmoved).
 */
static int
pep440_marker(const char *s, size_t *i, const char *const *words,
    struct num *n)
{
	size_t j = *i;

	if (is_sep(s[j]))
		j++;
	for (int w = 0; words[w]; w++) {
		size_t k = j + strlen(words[w]);

		if (!word_at(s, j, words[w]))
			continue;
		if (is_sep(s[k]))
			k++;
		*n = num_read(s, &k);
		*i = k;
		return w;
	}
	return -1;
}

static int
pep440_parse(const char *s, struct pep440 *v)
{
	/* Longer words first: "preview" before "pre", "rc" before "r". */
	static const char *const pre[] = { "alpha", "beta", "preview", "pre",
		"rc", "a", "b", "c", NULL };
	static const int pre_kind[] = { PRE_A, PRE_B, PRE_RC, PRE_RC, PRE_RC,
		PRE_A, PRE_B, PRE_RC };
	static const char *const post[] = { "post", "rev", "r", NULL };
	static const char *const dev[] = { "dev", NULL };
	size_t i = 0, j;
	int w;

	memset(v, 0, sizeof(*v));
	v->pre = PRE_NONE;
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	if (lower(s[i]) == 'v')
		i++;
	j = i;
	while (is_digit(s[j]))
		j++;
	if (j > i && s[j] == '!') {
		v->epoch = num_make(s + i, j - i);
		i = j + 1;
	}
	if (!is_digit(s[i]))
		return -1;
	do {
		if (v->n_release == SEGMENTS_MAX)
			return -1;
		if (s[i] == '.')
			i++;
		v->release[v->n_release++] = num_read(s, &i);
	} while (s[i] == '.' && is_digit(s[i + 1]));
	if ((w = pep440_marker(s, &i, pre, &v->pre_n)) >= 0)
		v->pre = pre_kind[w];
	if (s[i] == '-' && is_digit(s[i + 1])) {
		i++;	/* 1.0-1 is 1.0.post1 */
		v->post = num_read(s, &i);
		v->has_post = 1;
	} else if (pep440_marker(s, &i, post, &v->post) >= 0) {
		v->has_post = 1;
	}
	if (pep440_marker(s, &i, dev, &v->dev) >= 0)
		v->has_dev = 1;
	if (s[i] == '+') {
		v->has_local = 1;
		do {
			struct local_seg *seg;
			size_t start;
			int numeric = 1;

			if (v->n_local == SEGMENTS_MAX)
				return -1;
			i++;	/* the '+' or a separator */
			start = i;
			while (is_digit(s[i]) || is_alpha(s[i])) {
				numeric = numeric && is_digit(s[i]);
				i++;
			}
			if (i == start)
				return -1;
			seg = &v->local[v->n_local++];
			seg->p = s + start;
			seg->n = i - start;
			seg->numeric = numeric;
		} while (is_sep(s[i]));
	}
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	return s[i] == '\0' ? 0 : -1;
}

/* Compare with a's release missing or trailing numbers as 0. */
static int
pep440_release_cmp(const struct pep440 *a, const struct pep440 *b)
{
	size_t n = a->n_release > b->n_release ? a->n_release : b->n_release;
	struct num zero = { "", 0 };

	for (size_t k = 0; k < n; k++) {
		struct num x = k < a->n_release ? a->release[k] : zero;
		struct num y = k < b->n_release ? b->release[k] : zero;
		int c = num_cmp(x, y);

		if (c)
			return c;
	}
	return 0;
}

/*
 * Where the pre-release part puts v: a dev-release of a final release
 * (1.0.dev1) before all its pre-releases, a final or post-release after.
 */
static int
pep440_pre_rank(const struct pep440 *v)
{
	if (v->pre == PRE_NONE && !v->has_post && v->has_dev)
		return 0;
	return v->pre == PRE_NONE ? 2 : 1;
}

static int
local_seg_cmp(const struct local_seg *a, const struct local_seg *b)
{
	size_t n = a->n < b->n ? a->n : b->n;

	/* A number is newer than any word. */
	if (a->numeric != b->numeric)
		return a->numeric ? 1 : -1;
	if (a->numeric)
		return num_cmp(num_make(a->p, a->n), num_make(b->p, b->n));
	for (size_t k = 0; k < n; k++)
		if (lower(a->p[k]) != lower(b->p[k]))
			return lower(a->p[k]) < lower(b->p[k]) ? -1 : 1;
	return a->n == b->n ? 0 : a->n < b->n ? -1 : 1;
}

static int
pep440_cmp(const struct pep440 *a, const struct pep440 *b)
{
	int c;

	if ((c = num_cmp(a->epoch, b->epoch)) != 0 ||
	    (c = pep440_release_cmp(a, b)) != 0)
		return c;
	if ((c = pep440_pre_rank(a) - pep440_pre_rank(b)) != 0)
		return sign(c);
	if (a->pre != PRE_NONE && ((c = a->pre - b->pre) != 0 ||
	    (c = num_cmp(a->pre_n, b->pre_n)) != 0))
		return sign(c);
	/* No post-release before any; no dev-release after any. */
	if (a->has_post != b->has_post)
		return a->has_post ? 1 : -1;
	if (a->has_post && (c = num_cmp(a->post, b->post)) != 0)
		return c;
	if (a->has_dev != b->has_dev)
		return a->has_dev ? -1 : 1;
	if (a->has_dev && (c = num_cmp(a->dev, b->dev)) != 0)
		return c;
	/* A local label sorts after the same version without one. */
	if (a->has_local != b->has_local)
		return a->has_local ? 1 : -1;
	for (size_t k = 0; k < a->n_local && k < b->n_local; k++)
		if ((c = local_seg_cmp(&a->local[k], &b->local[k])) != 0)
			return c;
	return a->n_local == b->n_local ? 0 : a->n_local < b->n_local ? -1 : 1;
}

int
version_cmp_pep440(const char *a, const char *b, int *out)
{
	struct pep440 va, vb;

	if (pep440_parse(a, &va) < 0 || pep440_parse(b, &vb) < 0)
		return -1;
	*out = pep440_cmp(&va, &vb);
	return 0;
}

/* ---- semver ---- */

struct semver {
	struct num core[3];
	const char *pre;	/* the pre-release identifiers, or NULL */
	size_t pre_n;
};

static int
semver_ident_char(char c)
{
	return is_digit(c) || is_alpha(c) || c == '-';
}

/* Dot-separated non-empty identifiers at s[*i], read past: 0, or -1. */
static int
semver_idents(const char *s, size_t *i)
{
	for (;;) {
		size_t start = *i;

		while (semver_ident_char(s[*i]))
			(*i)++;
		if (*i == start)
			return -1;
		if (s[*i] != '.')
			return 0;
		(*i)++;
	}
}

static int
semver_parse(const char *s, struct semver *v)
{
	size_t i = 0;

	memset(v, 0, sizeof(*v));
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	if (s[i] == '=')
		i++;
	if (s[i] == 'v' || s[i] == 'V')
		i++;
	for (int k = 0; k < 3; k++) {
		if (k > 0) {
			if (s[i] != '.')
				break;	/* "3.0": the rest is 0 */
			i++;
		}
		if (!is_digit(s[i]))
			return -1;
		v->core[k] = num_read(s, &i);
	}
	if (s[i] == '-') {
		size_t start = ++i;

		if (semver_idents(s, &i) < 0)
			return -1;
		v->pre = s + start;
		v->pre_n = i - start;
	}
	if (s[i] == '+') {
		i++;
		if (semver_idents(s, &i) < 0)
			return -1;	/* build metadata: no part of the order */
	}
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	return s[i] == '\0' ? 0 : -1;
}

/* The identifier at p (up to '.' or end), its length. */
static size_t
ident_len(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && *q != '.')
		q++;
	return (size_t)(q - p);
}

static int
all_digits(const char *p, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (!is_digit(p[k]))
			return 0;
	return 1;
}

static int
semver_pre_cmp(const struct semver *a, const struct semver *b)
{
	const char *x = a->pre, *y = b->pre, *xe, *ye;

	/* A pre-release comes before its release. */
	if (!a->pre || !b->pre)
		return a->pre ? -1 : b->pre ? 1 : 0;
	xe = x + a->pre_n;
	ye = y + b->pre_n;
	for (;;) {
		size_t xn, yn;
		int xd, yd, c;

		if (x >= xe || y >= ye)
			return x >= xe ? (y >= ye ? 0 : -1) : 1;
		xn = ident_len(x, xe);
		yn = ident_len(y, ye);
		xd = all_digits(x, xn);
		yd = all_digits(y, yn);
		if (xd != yd)
			return xd ? -1 : 1;	/* numbers before words */
		if (xd)
			c = num_cmp(num_make(x, xn), num_make(y, yn));
		else if ((c = sign(memcmp(x, y, xn < yn ? xn : yn))) == 0)
			c = xn == yn ? 0 : xn < yn ? -1 : 1;
		if (c)
			return c;
		x += xn + 1;
		y += yn + 1;
	}
}

int
version_cmp_semver(const char *a, const char *b, int *out)
{
	struct semver va, vb;
	int c = 0;

	if (semver_parse(a, &va) < 0 || semver_parse(b, &vb) < 0)
		return -1;
	for (int k = 0; k < 3 && c == 0; k++)
		c = num_cmp(va.core[k], vb.core[k]);
	*out = c ? c : semver_pre_cmp(&va, &vb);
	return 0;
}

/* ---- apk ---- */

/*
 * apk-tools reads a version as tokens, each with a value: numbers
 * (".02" is a run of zeros, valued minus its length, then a number), a
 * letter, a suffix (_alpha, _beta, _pre, _rc before the release, valued
 * below 0; _cvs, _svn, _git, _hg, _p after it) with its number, a commit
 * hash (~ and hex digits, no part of the order) and -rN. The token types
 * are in the order a version may hold them.
 */
enum apk_tok {
	APK_INVALID = -1,
	APK_DIGIT_OR_ZERO,
	APK_DIGIT,
	APK_LETTER,
	APK_SUFFIX,
	APK_SUFFIX_NO,
	APK_COMMIT_HASH,
	APK_REVISION_NO,
	APK_END,
};

/* Longer numbers than this make no apk version here (a value is a long long). */
#define APK_DIGITS_MAX 18

struct apk_iter {
	const char *s;
	enum apk_tok type;	/* of the token at s */
};

/* Find the type of the token at it->s, past its separator. */
static void
apk_next(struct apk_iter *it)
{
	enum apk_tok t = APK_INVALID, was = it->type;
	const char *s = it->s;

	if (*s == '\0') {
		t = APK_END;
	} else if ((was == APK_DIGIT || was == APK_DIGIT_OR_ZERO) &&
	    *s >= 'a' && *s <= 'z') {
		t = APK_LETTER;
	} else if (was == APK_LETTER && is_digit(*s)) {
		t = APK_DIGIT;
	} else if (was == APK_SUFFIX && is_digit(*s)) {
		t = APK_SUFFIX_NO;
	} else {
		if (*s == '.')
			t = APK_DIGIT_OR_ZERO;
		else if (*s == '_')
			t = APK_SUFFIX;
		else if (*s == '~')
			t = APK_COMMIT_HASH;
		else if (*s == '-' && s[1] == 'r')
			t = APK_REVISION_NO, s++;
		s++;
	}
	/* Only forward, but for another number, suffix or digit after a letter. */
	if (t < was && !((t == APK_DIGIT_OR_ZERO && was == APK_DIGIT) ||
	    (t == APK_SUFFIX && was == APK_SUFFIX_NO) ||
	    (t == APK_DIGIT && was == APK_LETTER)))
		t = APK_INVALID;
	it->s = s;
	it->type = t;
}

/* The value of the token at it, moving to the next one. */
static long long
apk_token(struct apk_iter *it)
{
	static const char *const pre[] = { "alpha", "beta", "pre", "rc" };
	static const char *const post[] = { "cvs", "svn", "git", "hg", "p" };
	enum apk_tok next = APK_INVALID;
	const char *s = it->s;
	long long v = 0;
	size_t i = 0;

	if (it->type == APK_END || it->type == APK_INVALID)
		return 0;
	switch (it->type) {
	case APK_DIGIT_OR_ZERO:
		if (s[0] == '0') {
			while (s[i] == '0')
				i++;
			v = -(long long)i;
			next = APK_DIGIT;
			break;
		}
		/* FALLTHROUGH */
	case APK_DIGIT:
	case APK_SUFFIX_NO:
	case APK_REVISION_NO:
		for (; is_digit(s[i]); i++) {
			if (i == APK_DIGITS_MAX) {
				it->type = APK_INVALID;
				return 0;
			}
			v = v * 10 + (s[i] - '0');
		}
		break;
	case APK_LETTER:
		v = (unsigned char)s[i++];
		break;
	case APK_COMMIT_HASH:
		while (is_digit(s[i]) || (s[i] >= 'a' && s[i] <= 'f'))
			i++;
		if (i == 0) {
			it->type = APK_INVALID;
			return 0;
		}
		break;
	case APK_SUFFIX:
		for (size_t k = 0; k < sizeof(pre) / sizeof(*pre); k++)
			if (strncmp(s, pre[k], strlen(pre[k])) == 0) {
				i = strlen(pre[k]);
				v = (long long)k - (long long)(sizeof(pre) / sizeof(*pre));
				break;
			}
		for (size_t k = 0; i == 0 && k < sizeof(post) / sizeof(*post); k++)
			if (strncmp(s, post[k], strlen(post[k])) == 0) {
				i = strlen(post[k]);
				v = (long long)k;
			}
		if (i == 0) {
			it->type = APK_INVALID;
			return 0;
		}
		break;
	default:
		break;
	}
	it->s = s + i;
	if (*it->s == '\0')
		it->type = APK_END;
	else if (next != APK_INVALID)
		it->type = next;
	else
		apk_next(it);
	return v;
}

static int
apk_valid(const char *s)
{
	struct apk_iter it = { s, APK_DIGIT };

	if (!is_digit(*s))
		return 0;
	while (it.type != APK_END && it.type != APK_INVALID)
		apk_token(&it);
	return it.type == APK_END;
}

int
version_cmp_apk(const char *a, const char *b, int *out)
{
	struct apk_iter x = { a, APK_DIGIT }, y = { b, APK_DIGIT };
	long long xv = 0, yv = 0;

	if (!apk_valid(a) || !apk_valid(b))
		return -1;
	while (x.type == y.type && x.type != APK_END && xv == yv) {
		xv = apk_token(&x);
		yv = apk_token(&y);
	}
	if (xv != yv) {
		*out = xv < yv ? -1 : 1;
		return 0;
	}
	*out = 0;
	if (x.type == y.type)
		return 0;
	/*
	 * Equal so far and one goes on: the longer is newer, unless what
	 * follows is a pre-release suffix; else the earlier kind of token
	 * (another number before a revision, a revision before the end) is
	 * the newer.
	 */
	if (x.type == APK_SUFFIX && apk_token(&x) < 0)
		*out = -1;
	else if (y.type == APK_SUFFIX && apk_token(&y) < 0)
		*out = 1;
	else if (x.type != y.type)
		*out = x.type > y.type ? -1 : 1;
	return 0;
}

/* ---- by manager, and queries ---- */

int
version_cmp(const char *manager, const char *a, const char *b, int *out)
{
	if (strcmp(manager, "dpkg") == 0) {
		*out = version_cmp_dpkg(a, b);
		return 0;
	}
	if (strcmp(manager, "pip") == 0)
		return version_cmp_pep440(a, b, out);
	if (strcmp(manager, "npm") == 0)
		return version_cmp_semver(a, b, out);
	if (strcmp(manager, "apk") == 0)
		return version_cmp_apk(a, b, out);
	return -1;
}

static const struct {
	const char *text;
	enum version_op op;
} ops[] = {
	/* Two-character operators first. */
	{ "<=", VERSION_LE }, { ">=", VERSION_GE }, { "==", VERSION_EQ },
	{ "!=", VERSION_NE }, { "<", VERSION_LT }, { ">", VERSION_GT },
	{ "=", VERSION_EQ },
};

const char *
version_op_name(enum version_op op)
{
	for (size_t i = 0; i < sizeof(ops) / sizeof(*ops); i++)
		if (ops[i].op == op)
			return ops[i].text;
	return "";
}

/* A copy of s[0..n) without the spaces around it. */
static char *
trimmed(const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return xstrndup(s, n);
}

int
version_query_split(const char *query, char **name, enum version_op *op,
    char **version)
{
	size_t at = strcspn(query, "<>=!");

	*name = trimmed(query, at);
	*op = VERSION_ANY;
	*version = NULL;
	if (query[at] != '\0') {
		for (size_t i = 0; i < sizeof(ops) / sizeof(*ops); i++) {
			size_t n = strlen(ops[i].text);

			if (strncmp(query + at, ops[i].text, n) == 0) {
				*op = ops[i].op;
				*version = trimmed(query + at + n,
				    strlen(query + at + n));
				break;
			}
		}
	}
	if ((*name)[0] == '\0' || (query[at] != '\0' && (*op == VERSION_ANY ||
	    (*version)[0] == '\0'))) {
		free(*name);
		free(*version);
		*name = *version = NULL;
		return -1;
	}
	return 0;
}

int
version_satisfies(const char *manager, const char *version,
    enum version_op op, const char *ref)
{
	int c;

	if (op == VERSION_ANY)
		return 1;
	if (version_cmp(manager, version, ref, &c) < 0)
		return 0;
	switch (op) {
	case VERSION_LT: return c < 0;
	case VERSION_LE: return c <= 0;
	case VERSION_EQ: return c == 0;
	case VERSION_NE: return c != 0;
	case VERSION_GE: return c >= 0;
	case VERSION_GT: return c > 0;
	default: return 0;
	}
}
