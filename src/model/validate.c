/*
 * The package rules of validate.h. They are written out by hand over ASCII
 * (no regcomp, no <ctype.h>) so the result never depends on the locale.
 */
#include "model/validate.h"

#include <string.h>

#include "util/xalloc.h"

/*
 * Longest name or version keep takes where the manager sets no limit of
 * its own (dpkg, pip, apk); real ones stay far below.
 */
#define FIELD_MAX 128

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static int
is_alnum(char c)
{
	return is_digit(c) || is_lower(c) || (c >= 'A' && c <= 'Z');
}

static char
lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Every byte of s[0..n) is alphanumeric or in extra. */
static int
all_in(const char *s, size_t n, const char *extra)
{
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && (s[i] == '\0' || !strchr(extra, s[i])))
			return 0;
	return 1;
}

int
pkg_valid_deb_name(const char *s)
{
	size_t n = strlen(s);

	if (n < 2 || n > FIELD_MAX || !(is_lower(s[0]) || is_digit(s[0])))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!is_lower(s[i]) && !is_digit(s[i]) && !strchr("+.-", s[i]))
			return 0;
	return 1;
}

int
pkg_valid_deb_version(const char *s)
{
	const char *colon = strchr(s, ':');
	const char *up = s, *dash;
	size_t uplen;
	int epoch = 0, revision = 0;

	if (strlen(s) > FIELD_MAX)
		return 0;
	if (colon != NULL) {
		if (colon == s)
			return 0;
		for (const char *p = s; p < colon; p++)
			if (!is_digit(*p))
				return 0;
		up = colon + 1;
		epoch = 1;
	}
	dash = strrchr(up, '-');
	uplen = strlen(up);
	if (dash != NULL) {
		const char *rev = dash + 1;

		if (*rev == '\0' || !all_in(rev, strlen(rev), "+.~"))
			return 0;
		uplen = (size_t)(dash - up);
		revision = 1;
	}
	/* Upstream starts with a digit; ':' needs an epoch, '-' a revision. */
	if (uplen == 0 || !is_digit(up[0]))
		return 0;
	for (size_t i = 0; i < uplen; i++) {
		char c = up[i];

		/*
		 * Policy allows "1:2.0:~3", but bash (outside POSIX mode)
		 * reads the '~' after ':' in the word "name=1:2.0:~3" as a
		 * home directory: not inert, refused.
		 */
		if (c == '~' && up[i - 1] == ':')
			return 0;
		if (is_alnum(c) || c == '.' || c == '+' || c == '~')
			continue;
		if (c == ':' && epoch)
			continue;
		if (c == '-' && revision)
			continue;
		return 0;
	}
	return 1;
}

int
pkg_valid_deb_arch(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || !(is_lower(s[0]) || is_digit(s[0])))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_lower(s[i]) && !is_digit(s[i]) && s[i] != '-')
			return 0;
	return 1;
}

int
pkg_valid_pep508_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > FIELD_MAX || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return 0;
	return all_in(s, n, "._-");
}

/* Match one of the keywords (longest listed first), case-insensitively. */
static int
match_kw(const char *s, size_t *i, const char *const *kws)
{
	for (size_t k = 0; kws[k] != NULL; k++) {
		size_t n = strlen(kws[k]), j;

		for (j = 0; j < n; j++)
			if (lower(s[*i + j]) != kws[k][j])
				break;
		if (j == n) {
			*i += n;
			return 1;
		}
	}
	return 0;
}

static int
is_sep(char c)
{
	return c == '-' || c == '_' || c == '.';
}

static void
skip_digits(const char *s, size_t *i)
{
	while (is_digit(s[*i]))
		(*i)++;
}

/*
 * [<keyword>] part of PEP 440: [-_.]? keyword [-_.]? digits? Moves *i only
 * on a match.
 */
static int
pep440_segment(const char *s, size_t *i, const char *const *kws)
{
	size_t j = *i;

	if (is_sep(s[j]))
		j++;
	if (!match_kw(s, &j, kws))
		return 0;
	if (is_sep(s[j]))
		j++;
	skip_digits(s, &j);
	*i = j;
	return 1;
}

int
pkg_valid_pep440_version(const char *s)
{
	static const char *const pre[] = { "alpha", "beta", "preview", "pre",
		"rc", "a", "b", "c", NULL };
	static const char *const post[] = { "post", "rev", "r", NULL };
	static const char *const dev[] = { "dev", NULL };
	size_t i = 0, j;

	if (strlen(s) > FIELD_MAX)
		return 0;
	if (lower(s[i]) == 'v')
		i++;
	/* Epoch: N! */
	j = i;
	skip_digits(s, &j);
	if (j > i && s[j] == '!')
		i = j + 1;
	/* Release: N(.N)* */
	if (!is_digit(s[i]))
		return 0;
	skip_digits(s, &i);
	while (s[i] == '.' && is_digit(s[i + 1])) {
		i++;
		skip_digits(s, &i);
	}
	pep440_segment(s, &i, pre);
	if (s[i] == '-' && is_digit(s[i + 1])) {
		i++;
		skip_digits(s, &i);	/* implicit post release: 1.0-1 */
	} else {
		pep440_segment(s, &i, post);
	}
	pep440_segment(s, &i, dev);
	if (s[i] == '+') {
		/* Local label: alnum runs separated by single separators. */
		i++;
		if (!is_alnum(s[i]))
			return 0;
		while (is_alnum(s[i]) || (is_sep(s[i]) && is_alnum(s[i + 1])))
			i++;
	}
	return s[i] == '\0';
}

/*
 * A component of an npm name or scope: [a-z0-9][a-z0-9._~-]*. npm itself
 * refuses only a leading '.' or '_'; a leading '~' would be a tilde prefix
 * to the shell and a leading '-' an option to npm.
 */
static int
npm_part(const char *s, size_t n)
{
	if (n == 0 || !(is_lower(s[0]) || is_digit(s[0])))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_lower(s[i]) && !is_digit(s[i]) && !strchr("._~-", s[i]))
			return 0;
	return 1;
}

int
pkg_valid_npm_name(const char *s)
{
	size_t n = strlen(s);
	const char *slash;

	if (n == 0 || n > 214)	/* npm's own limit */
		return 0;
	if (s[0] != '@')
		return npm_part(s, n) && strcmp(s, "node_modules") != 0 &&
		    strcmp(s, "favicon.ico") != 0;
	slash = strchr(s, '/');
	if (slash == NULL)
		return 0;
	return npm_part(s + 1, (size_t)(slash - s - 1)) &&
	    npm_part(slash + 1, strlen(slash + 1));
}

/* A number without leading zeros, as semver wants. */
static int
semver_num(const char *s, size_t *i)
{
	size_t start = *i;

	if (!is_digit(s[*i]))
		return 0;
	skip_digits(s, i);
	return !(s[start] == '0' && *i - start > 1);
}

/* Dot-separated identifiers of [0-9A-Za-z-]. */
static int
semver_idents(const char *s, size_t *i)
{
	for (;;) {
		size_t start = *i;

		while (is_alnum(s[*i]) || s[*i] == '-')
			(*i)++;
		if (*i == start)
			return 0;
		if (s[*i] != '.')
			return 1;
		(*i)++;
	}
}

int
pkg_valid_npm_version(const char *s)
{
	size_t i = 0;

	if (strlen(s) > 256)	/* node-semver's MAX_LENGTH */
		return 0;
	if (!semver_num(s, &i) || s[i++] != '.' || !semver_num(s, &i) ||
	    s[i++] != '.' || !semver_num(s, &i))
		return 0;
	if (s[i] == '-') {
		i++;
		if (!semver_idents(s, &i))
			return 0;
	}
	if (s[i] == '+') {
		i++;
		if (!semver_idents(s, &i))
			return 0;
	}
	return s[i] == '\0';
}

int
pkg_valid_apk_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > FIELD_MAX || !is_alnum(s[0]))
		return 0;
	return all_in(s, n, "_.+-");
}

int
pkg_valid_apk_version(const char *s)
{
	static const char *const suffixes[] = { "alpha", "beta", "pre", "rc",
		"cvs", "svn", "git", "hg", "p", NULL };
	size_t i = 0;

	if (strlen(s) > FIELD_MAX || !is_digit(s[0]))
		return 0;
	skip_digits(s, &i);
	while (s[i] == '.' && is_digit(s[i + 1])) {
		i++;
		skip_digits(s, &i);
	}
	if (is_lower(s[i]))
		i++;
	while (s[i] == '_') {
		i++;
		if (!match_kw(s, &i, suffixes))
			return 0;
		skip_digits(s, &i);
	}
	if (s[i] == '~') {
		size_t start = ++i;

		while (is_digit(s[i]) || (s[i] >= 'a' && s[i] <= 'f'))
			i++;
		if (i == start)
			return 0;
	}
	if (s[i] == '-' && s[i + 1] == 'r' && is_digit(s[i + 2])) {
		i += 2;
		skip_digits(s, &i);
	}
	return s[i] == '\0';
}

int
pkg_valid_apk_arch(const char *s)
{
	size_t n = strlen(s);

	if (n > 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_lower(s[i]) && !is_digit(s[i]) && s[i] != '_')
			return 0;
	return 1;
}

int
pkg_valid_location(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 4096 || s[0] != '/' || !all_in(s, n, "._+@/-"))
		return 0;
	/* No "." or ".." components: the path must mean what it says. */
	return strstr(s, "/./") == NULL && strstr(s, "/../") == NULL &&
	    !(n >= 2 && strcmp(s + n - 2, "/.") == 0) &&
	    !(n >= 3 && strcmp(s + n - 3, "/..") == 0);
}

/* pip's INSTALLER: a tool name. */
static int
valid_installer(const char *s)
{
	size_t n = strlen(s);

	return n <= 64 && all_in(s, n, "._-");
}

/*
 * A direct-install origin: a URL with nothing a shell or a Dockerfile
 * would read specially once quoted (no quotes, backslash, $, backtick,
 * blanks or control bytes).
 */
static int
valid_origin(const char *s)
{
	size_t n = strlen(s);

	if (n > 4096)
		return 0;
	return all_in(s, n, "._~:/?#[]@!&()*+,;=%-");
}

/*
 * Each manager's rule for each field a Dockerfile or a lock file carries;
 * NULL where the manager has no such field (checked in this order).
 */
static const struct manager_rules {
	const char *manager;
	int (*name)(const char *);
	int (*version)(const char *);
	int (*arch)(const char *);
	int (*location)(const char *);
	int (*installer)(const char *);
	int (*origin)(const char *);
} managers[] = {
	{ "dpkg", pkg_valid_deb_name, pkg_valid_deb_version,
	    pkg_valid_deb_arch, NULL, NULL, NULL },
	{ "apk", pkg_valid_apk_name, pkg_valid_apk_version,
	    pkg_valid_apk_arch, NULL, NULL, NULL },
	{ "pip", pkg_valid_pep508_name, pkg_valid_pep440_version, NULL,
	    pkg_valid_location, valid_installer, valid_origin },
	{ "npm", pkg_valid_npm_name, pkg_valid_npm_version, NULL,
	    pkg_valid_location, NULL, NULL },
};

static const struct manager_rules *
rules_of(const char *manager)
{
	for (size_t i = 0; i < sizeof(managers) / sizeof(*managers); i++)
		if (strcmp(managers[i].manager, manager) == 0)
			return &managers[i];
	return NULL;
}

int
pkg_valid_name(const char *manager, const char *name)
{
	const struct manager_rules *m = rules_of(manager);

	return m != NULL && m->name(name);
}

int
pkg_valid_version(const char *manager, const char *version)
{
	const struct manager_rules *m = rules_of(manager);

	return m != NULL && m->version(version);
}

int
pkg_validate(const struct pkg *p, char **why)
{
	const struct manager_rules *m = rules_of(p->manager);
	const char *bad = NULL;

	if (m == NULL)
		bad = "unknown package manager";
	else if (!m->name(p->name))
		bad = "invalid name";
	else if (!m->version(p->version))
		bad = "invalid version";
	else if (m->arch != NULL && !m->arch(p->arch))
		bad = "invalid architecture";
	else if (m->location != NULL && !m->location(p->location))
		bad = "invalid location";
	else if (m->installer != NULL && !m->installer(p->installer))
		bad = "invalid installer";
	else if (m->origin != NULL && !m->origin(p->origin))
		bad = "invalid origin";
	if (bad == NULL)
		return 0;
	if (why != NULL)
		*why = xstrdup(bad);
	return -1;
}
