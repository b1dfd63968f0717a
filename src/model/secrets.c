#include "model/secrets.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/xalloc.h"

static const char *const proxy_names[] = {
	"HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "ALL_PROXY", "NO_PROXY",
};

/* Words that make a name secret wherever they appear in it. */
static const char *const secret_words[] = {
	"TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH", "_KEY",
};

int
secrets_env_name_valid(const char *name)
{
	if (name == NULL || !(isalpha((unsigned char)name[0]) || name[0] == '_'))
		return 0;
	for (const char *p = name; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_') || (unsigned char)*p >= 0x80)
			return 0;
	return 1;
}

int
secrets_name_is_proxy(const char *name)
{
	if (name == NULL)
		return 0;
	for (size_t i = 0; i < sizeof(proxy_names) / sizeof(proxy_names[0]); i++) {
		/* Only all-upper or all-lower: "Http_Proxy" is no proxy to curl. */
		if (strcmp(name, proxy_names[i]) == 0)
			return 1;
		if (strcasecmp(name, proxy_names[i]) == 0) {
			const char *p;

			for (p = name; *p && !isupper((unsigned char)*p); p++)
				;
			if (*p == '\0')
				return 1;
		}
	}
	return 0;
}

static int
is_separator(char c)
{
	return c == '_' || c == '-' || c == '.';
}

/* KEY as a word: at the start or after a separator, and at the end or before one. */
static int
has_key_word(const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i + 3 <= len; i++) {
		if (strncasecmp(name + i, "KEY", 3) != 0)
			continue;
		if (i > 0 && !is_separator(name[i - 1]))
			continue;
		if (name[i + 3] != '\0' && !is_separator(name[i + 3]) &&
		    toupper((unsigned char)name[i + 3]) != 'S')
			continue;
		if (toupper((unsigned char)name[i + 3]) == 'S' && name[i + 4] != '\0' &&
		    !is_separator(name[i + 4]))
			continue;
		return 1;
	}
	return 0;
}

int
secrets_name_is_secret(const char *name)
{
	if (name == NULL)
		return 0;
	for (size_t i = 0; i < sizeof(secret_words) / sizeof(secret_words[0]); i++) {
		const char *hit = strcasestr(name, secret_words[i]);

		/* AUTHOR (GIT_AUTHOR_NAME) is a person, not an authorisation. */
		while (hit != NULL && strncasecmp(hit, "AUTHOR", 6) == 0 &&
		    strcmp(secret_words[i], "AUTH") == 0)
			hit = strcasestr(hit + 1, "AUTH");
		if (hit != NULL)
			return 1;
	}
	return has_key_word(name);
}

static int
is_authority_end(char c)
{
	return c == '\0' || c == '/' || c == '?' || c == '#' || c == ',' ||
	    c == ';' || c == '"' || c == '\'' || isspace((unsigned char)c);
}

/*
 * Find the next URL with user information at or after s. On success set
 * *userinfo to its first byte and *at to the '@' that ends it, and return 1.
 */
static int
next_credentials(const char *s, const char **userinfo, const char **at)
{
	const char *p = s;

	while ((p = strstr(p, "://")) != NULL) {
		const char *scheme = p, *q, *last_at = NULL;

		while (scheme > s && (isalnum((unsigned char)scheme[-1]) ||
		    scheme[-1] == '+' || scheme[-1] == '.' || scheme[-1] == '-'))
			scheme--;
		p += 3;
		/*
		 * A scheme starts with a letter: in "1http://" or ".0ps://" it
		 * is the part from the first letter on. Erring towards seeing
		 * a URL only hides more.
		 */
		while (scheme < p - 3 && !isalpha((unsigned char)*scheme))
			scheme++;
		if (scheme == p - 3)
			continue;
		for (q = p; !is_authority_end(*q); q++)
			if (*q == '@')
				last_at = q;
		if (last_at != NULL && last_at > p) {
			*userinfo = p;
			*at = last_at;
			return 1;
		}
	}
	return 0;
}

int
secrets_value_has_credentials(const char *value)
{
	const char *u, *a;

	return value != NULL && next_credentials(value, &u, &a);
}

enum secret_class
secrets_classify_env(const char *name, const char *value)
{
	if (secrets_name_is_proxy(name))
		return SECRET_PROXY;
	if (secrets_name_is_secret(name))
		return SECRET_NAME;
	if (secrets_value_has_credentials(value))
		return SECRET_VALUE;
	return SECRET_NONE;
}

char *
secrets_strip_url_credentials(const char *value)
{
	struct buf b = BUF_INIT;
	const char *p = value, *u, *a;

	while (next_credentials(p, &u, &a)) {
		buf_add(&b, p, (size_t)(u - p));
		buf_addstr(&b, "***");
		p = a;	/* keep the '@' */
	}
	buf_addstr(&b, p);
	return buf_detach(&b, NULL);
}

char *
secrets_redact_env(const char *name, const char *value)
{
	if (value == NULL)
		value = "";
	if (!secrets_name_is_proxy(name) && secrets_name_is_secret(name))
		return xstrdup("<redacted>");
	return secrets_strip_url_credentials(value);
}

/* --- configuration files ---------------------------------------------------- */

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* A value that can only be a switch, never a credential. */
static int
is_boolean(const char *v, size_t len)
{
	static const char *const words[] = { "true", "false", "yes", "no", "on", "off" };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (len == strlen(words[i]) && strncasecmp(v, words[i], len) == 0)
			return 1;
	return 0;
}

/*
 * The value of the setting on line s, when its name is secret: "name=v",
 * "name = v", "name: v" (YAML, INI) or 'name "v";' (apt). Sets [*start,
 * *end) to the bytes to hide (inside the quotes of a quoted value) and
 * returns 1, else 0.
 */
static int
secret_setting(const char *s, size_t *start, size_t *end)
{
	const char *k = s, *q, *v, *e;
	cleanup_free char *name = NULL;

	while (is_blank(*k))
		k++;
	if (*k == '#' || *k == ';')
		return 0;
	if (k[0] == '-' && is_blank(k[1]))	/* a YAML list item */
		return 0;
	for (q = k; *q && !isspace((unsigned char)*q) && *q != '='; q++)
		;
	if (q == k)
		return 0;
	name = xstrndup(k, (size_t)(q - k - (q[-1] == ':' && q - k > 1)));
	if (!secrets_name_is_secret(name))
		return 0;
	for (v = q; is_blank(*v); v++)
		;
	if (*v == '=' || (*v == ':' && q[-1] != ':'))
		for (v++; is_blank(*v); v++)
			;
	else if (v == q && q[-1] != ':')
		return 0;	/* "name" alone, or "name;" */
	e = v + strlen(v);
	while (e > v && (isspace((unsigned char)e[-1]) || e[-1] == ';'))
		e--;
	if ((*v == '"' || *v == '\'') && e - v >= 2 && e[-1] == *v) {
		v++;
		e--;
	}
	/* "${NPM_TOKEN}": npm reads the variable; the text holds no secret. */
	if (e <= v || is_boolean(v, (size_t)(e - v)) ||
	    (e - v == 3 && strncmp(v, "***", 3) == 0) ||
	    (e - v > 3 && v[0] == '$' && v[1] == '{' && e[-1] == '}' &&
	    memchr(v, '}', (size_t)(e - v)) == e - 1))
		return 0;
	*start = (size_t)(v - s);
	*end = (size_t)(e - s);
	return 1;
}

/* netrc and apt's auth.conf: "machine h login u password p" on one line. */
static int
netrc_password(const char *s, size_t *start, size_t *end)
{
	const char *p = s;

	for (;;) {
		const char *w, *v;

		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			return 0;
		for (w = p; *p && !isspace((unsigned char)*p); p++)
			;
		if (!((p - w == 8 && strncasecmp(w, "password", 8) == 0) ||
		    (p - w == 6 && strncasecmp(w, "passwd", 6) == 0)))
			continue;
		for (v = p; isspace((unsigned char)*v); v++)
			;
		for (p = v; *p && !isspace((unsigned char)*p); p++)
			;
		if (p > v && !(p - v == 1 && (*v == '=' || *v == ':'))) {
			*start = (size_t)(v - s);
			*end = (size_t)(p - s);
			return 1;
		}
	}
}

size_t
secrets_redact_config(const char *text, size_t len, struct buf *out)
{
	size_t changed = 0, pos = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - text) - pos : len - pos;
		cleanup_free char *line = NULL;
		cleanup_free char *clean = NULL;
		size_t a, b, before = out->len;

		if (memchr(text + pos, '\0', n) != NULL) {
			buf_addstr(out, "***");
			changed++;
		} else {
			line = xstrndup(text + pos, n);
			clean = secrets_strip_url_credentials(line);
			if (secret_setting(clean, &a, &b) ||
			    netrc_password(clean, &a, &b)) {
				buf_add(out, clean, a);
				buf_addstr(out, "***");
				buf_addstr(out, clean + b);
			} else {
				buf_addstr(out, clean);
			}
			changed += out->len - before != n ||
			    memcmp(out->ptr + before, line, n) != 0;
		}
		pos += n;
		if (nl) {
			buf_addch(out, '\n');
			pos++;
		}
	}
	return changed;
}
