#include "model/secrets.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/xalloc.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const proxy_names[] = {
	"HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "ALL_PROXY", "NO_PROXY",
};

/* Words that make a name secret wherever they appear in it. */
static const char *const secret_words[] = {
	"TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "CREDENTIAL",
	"CREDS", "APIKEY", "ACCESSKEY", "AUTH", "_KEY",
};

/* Words that make a name secret only standing alone between separators. */
static const char *const secret_whole_words[] = { "KEY", "PASS", "PWD", "PW" };

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
	for (size_t i = 0; i < COUNT(proxy_names); i++) {
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

/*
 * word as a word of name: at the start or after a separator, and at the
 * end or before one, a plural S allowed ("KEYS").
 */
static int
has_word(const char *name, size_t len, const char *word)
{
	size_t wl = strlen(word);

	for (size_t i = 0; i + wl <= len; i++) {
		const char *end = name + i + wl;

		if (strncasecmp(name + i, word, wl) != 0)
			continue;
		if (i > 0 && !is_separator(name[i - 1]))
			continue;
		if (end < name + len && toupper((unsigned char)*end) == 'S')
			end++;
		if (end == name + len || is_separator(*end))
			return 1;
	}
	return 0;
}

/* secrets_name_is_secret for name[0..len), which need not end there. */
static int
name_is_secret(const char *name, size_t len)
{
	cleanup_free char *copy = xstrndup(name, len);

	/* The shell's working directory, not a password. */
	if (strcasecmp(copy, "PWD") == 0)
		return 0;
	for (size_t i = 0; i < COUNT(secret_words); i++) {
		const char *hit = strcasestr(copy, secret_words[i]);

		/* AUTHOR (GIT_AUTHOR_NAME) is a person, not an authorisation. */
		while (hit != NULL && strncasecmp(hit, "AUTHOR", 6) == 0 &&
		    strcmp(secret_words[i], "AUTH") == 0)
			hit = strcasestr(hit + 1, "AUTH");
		if (hit != NULL)
			return 1;
	}
	for (size_t i = 0; i < COUNT(secret_whole_words); i++)
		if (has_word(copy, len, secret_whole_words[i]))
			return 1;
	return 0;
}

int
secrets_name_is_secret(const char *name)
{
	return name != NULL && name_is_secret(name, strlen(name));
}

/* --- finding secrets in text ------------------------------------------- */

/* Byte ranges [a, b) of a text that hold secrets. */
struct spans {
	size_t (*v)[2];
	size_t n;
	size_t cap;
};

static void
span_add(struct spans *sp, size_t a, size_t b)
{
	if (b <= a)
		return;
	sp->v = vec_grow(sp->v, sp->n, &sp->cap, sizeof(*sp->v));
	sp->v[sp->n][0] = a;
	sp->v[sp->n][1] = b;
	sp->n++;
}

/* Where a value (of NAME=value, a token) ends. */
static int
is_value_end(char c)
{
	return c == '\0' || isspace((unsigned char)c) || c == '"' || c == '\'' ||
	    c == '`' || c == ',' || c == ';' || c == '&' || c == '|';
}

/* Where the user information before an '@' starts (the byte after it). */
static int
is_userinfo_stop(char c)
{
	return (unsigned char)c < 0x20 || isspace((unsigned char)c) ||
	    c == '"' || c == '\'' || c == '`' || c == '/' || c == '\\' ||
	    c == '<' || c == '>' || c == '|';
}

static int
is_authority_end(char c)
{
	return c == '\0' || c == '/' || c == '?' || c == '#' || c == ',' ||
	    c == ';' || c == '"' || c == '\'' || isspace((unsigned char)c);
}

/* URLs: the user information between "scheme://" and the last '@' of the authority. */
static void
find_url_userinfo(const char *s, struct spans *sp)
{
	const char *p = s;

	/* strchr, not strstr: ASan's strstr measures the rest of s at each call. */
	while ((p = strchr(p, ':')) != NULL) {
		const char *scheme = p, *q, *last_at = NULL;

		if (p[1] != '/' || p[2] != '/') {
			p++;
			continue;
		}
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
		if (last_at != NULL && last_at > p)
			span_add(sp, (size_t)(p - s), (size_t)(last_at - s));
	}
}

/* "sha256:" and 64 hex digits (or sha384, sha512): an image digest, not a host. */
static int
is_digest(const char *p)
{
	static const struct { const char *algo; size_t hex; } d[] = {
		{ "sha256:", 64 }, { "sha384:", 96 }, { "sha512:", 128 },
	};

	for (size_t k = 0; k < COUNT(d); k++) {
		size_t n = strlen(d[k].algo), h = 0;

		if (strncmp(p, d[k].algo, n) != 0)
			continue;
		while (h <= d[k].hex && isxdigit((unsigned char)p[n + h]))
			h++;
		return h == d[k].hex;
	}
	return 0;
}

/*
 * "user:pass@host" without a scheme: from the start of the word to the
 * '@', when it holds a ':' with something after it. One pass: the word's
 * start and its first ':' are carried along.
 */
static void
find_bare_userinfo(const char *s, struct spans *sp)
{
	size_t start = 0;
	const char *colon = NULL;

	for (size_t i = 0; s[i]; i++) {
		if (is_userinfo_stop(s[i])) {
			start = i + 1;
			colon = NULL;
			continue;
		}
		if (s[i] == ':' && colon == NULL)
			colon = s + i;
		if (s[i] != '@' || colon == NULL || colon + 1 == s + i)
			continue;
		if (s[i + 1] == '\0' || is_userinfo_stop(s[i + 1]) ||
		    is_digest(s + i + 1))
			continue;
		span_add(sp, start, i);
	}
}

/* Bytes of an option or variable name ("--api-key", "PGPASSWORD"). */
static int
is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

/* The end of the value that starts at s + i (a quoted one up to its quote). */
static size_t
value_end(const char *s, size_t i)
{
	if (s[i] == '"' || s[i] == '\'') {
		const char *q = strchr(s + i + 1, s[i]);

		return q ? (size_t)(q - s) + 1 : strlen(s);
	}
	while (!is_value_end(s[i]))
		i++;
	return i;
}

/* name[0..len) less its leading dashes is a secret name (not a proxy). */
static int
option_is_secret(const char *name, size_t len)
{
	cleanup_free char *n = NULL;

	while (len > 0 && name[0] == '-')
		name++, len--;
	if (len == 0)
		return 0;
	n = xstrndup(name, len);
	return !secrets_name_is_proxy(n) && name_is_secret(name, len);
}

/* The length of an HTTP authorization scheme and its space at s, or 0. */
static size_t
auth_scheme(const char *s)
{
	static const char *const schemes[] = { "Bearer ", "bearer ", "Basic ",
	    "basic " };

	for (size_t k = 0; k < COUNT(schemes); k++)
		if (strncmp(s, schemes[k], strlen(schemes[k])) == 0)
			return strlen(schemes[k]);
	return 0;
}

/* A byte of a bearer token, or of base64 for Basic. */
static int
is_credential_char(char c, int basic)
{
	return c != '\0' && (isalnum((unsigned char)c) ||
	    strchr(basic ? "+/=" : "._~+/=-", c) != NULL);
}

/*
 * "NAME=value" and "--name=value" with a secret NAME; "--name value" (an
 * option word then the next word); "Bearer x" and "Basic x".
 */
static void
find_named_values(const char *s, struct spans *sp)
{
	size_t i = 0;

	while (s[i]) {
		size_t n = 0, v;

		if (s[i] == '=') {
			while (n < i && is_name_char(s[i - n - 1]))
				n++;
			if (n > 0 && option_is_secret(s + i - n, n)) {
				v = value_end(s, i + 1);
				span_add(sp, i + 1, v);
				i = v > i ? v : i + 1;	/* its '=' are the value's */
				continue;
			}
		} else if (s[i] == '-' && (i == 0 || isspace((unsigned char)s[i - 1]))) {
			while (is_name_char(s[i + n]))
				n++;
			if (isspace((unsigned char)s[i + n]) &&
			    option_is_secret(s + i, n)) {
				v = i + n;
				while (isspace((unsigned char)s[v]))
					v++;
				/*
				 * BuildKit's "--secret id=ID,src=FILE" names
				 * a secret, it holds none (keep writes it).
				 */
				if (n == 8 && strncmp(s + i, "--secret", 8) == 0 &&
				    strncmp(s + v, "id=", 3) == 0) {
					i = v;
					continue;
				}
				span_add(sp, v, value_end(s, v));
				i = value_end(s, v);
				continue;
			}
			i += n > 0 ? n : 1;
			continue;
		} else if ((i == 0 || !isalnum((unsigned char)s[i - 1])) &&
		    (n = auth_scheme(s + i)) > 0) {
			int basic = tolower((unsigned char)s[i + 1]) == 'a';
			size_t b = i + n;

			while (is_credential_char(s[b], basic))
				b++;
			/* Not "Basic setup": base64 in whole quads only. */
			if (b - i - n >= 8 && (!basic || (b - i - n) % 4 == 0)) {
				span_add(sp, i + n, b);
				i = b;
				continue;
			}
		}
		i++;
	}
}

/* Token forms whose prefix says what they are; body is what is hidden. */
static const struct token_form {
	const char *prefix;
	size_t min_body;
} token_forms[] = {
	{ "ghp_", 30 }, { "gho_", 30 }, { "ghu_", 30 }, { "ghs_", 30 },
	{ "ghr_", 30 }, { "github_pat_", 40 }, { "glpat-", 20 }, { "hf_", 30 },
	{ "sk-", 32 }, { "xoxa-", 20 }, { "xoxb-", 20 }, { "xoxp-", 20 },
	{ "xoxr-", 20 }, { "xoxs-", 20 },
};

static int
is_token_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* The end of a token of a known form starting at s + i, or 0. */
static size_t
token_at(const char *s, size_t i, size_t *body)
{
	size_t b;

	for (size_t k = 0; k < COUNT(token_forms); k++) {
		size_t pl = strlen(token_forms[k].prefix);

		if (strncmp(s + i, token_forms[k].prefix, pl) != 0)
			continue;
		for (b = i + pl; is_token_char(s[b]); b++)
			;
		if (b - i - pl >= token_forms[k].min_body) {
			*body = i + pl;
			return b;
		}
	}
	/* An AWS access key id: AKIA (or ASIA) and 16 capitals or digits. */
	if (strncmp(s + i, "AKIA", 4) == 0 || strncmp(s + i, "ASIA", 4) == 0) {
		for (b = i + 4; b < i + 20 && (isupper((unsigned char)s[b]) ||
		    isdigit((unsigned char)s[b])); b++)
			;
		if (b == i + 20 && !is_token_char(s[b])) {
			*body = i + 4;
			return b;
		}
	}
	return 0;
}

static void
find_tokens(const char *s, struct spans *sp)
{
	size_t i = 0, body, end;

	while (s[i]) {
		if ((i == 0 || !is_token_char(s[i - 1])) &&
		    (end = token_at(s, i, &body)) > 0) {
			span_add(sp, body, end);
			i = end;
		} else {
			i++;
		}
	}
}

static int
span_cmp(const void *a, const void *b)
{
	const size_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* s with each span (merged where they overlap) written as "***". */
static char *
redact_spans(const char *s, struct spans *sp)
{
	struct buf b = BUF_INIT;
	size_t at = 0;

	if (sp->n > 1)
		qsort(sp->v, sp->n, sizeof(*sp->v), span_cmp);
	for (size_t i = 0; i < sp->n;) {
		size_t a = sp->v[i][0], e = sp->v[i][1];

		for (i++; i < sp->n && sp->v[i][0] <= e; i++)
			if (sp->v[i][1] > e)
				e = sp->v[i][1];
		if (a < at)
			a = at;
		buf_add(&b, s + at, a - at);
		buf_addstr(&b, "***");
		at = e > at ? e : at;
	}
	buf_addstr(&b, s + at);
	return buf_detach(&b, NULL);
}

/* One pass of every rule over s; named: the NAME=value rule too. */
static char *
redact_once(const char *s, int named)
{
	struct spans sp = { 0 };
	char *out;

	find_url_userinfo(s, &sp);
	find_bare_userinfo(s, &sp);
	if (named)
		find_named_values(s, &sp);
	find_tokens(s, &sp);
	out = redact_spans(s, &sp);
	free(sp.v);
	return out;
}

/*
 * A span can take away what ended another ("tts://u:`a#s@h:pw@x" loses
 * the '#' that ended the URL's authority), so the rules run again until
 * nothing changes: what comes out holds nothing they would hide. Each
 * pass only hides more; a few always settle it.
 */
#define REDACT_PASSES 8

static char *
redact(const char *s, int named)
{
	char *out;

	if (s == NULL)
		return xstrdup("");
	out = redact_once(s, named);
	for (int i = 1; i < REDACT_PASSES && strcmp(out, s) != 0; i++) {
		char *next = redact_once(out, named);

		if (strcmp(next, out) == 0) {
			free(next);
			break;
		}
		free(out);
		out = next;
	}
	return out;
}

char *
secrets_redact(const char *s)
{
	return redact(s, 1);
}

int
secrets_value_has_credentials(const char *value)
{
	char *r;
	int changed;

	if (value == NULL)
		return 0;
	r = secrets_redact(value);
	changed = strcmp(r, value) != 0;
	free(r);
	return changed;
}

/* An argument that is an option with a secret name and no "=value". */
static int
arg_is_secret_option(const char *a)
{
	size_t n = 0;

	if (a[0] != '-')
		return 0;
	while (is_name_char(a[n]))
		n++;
	return a[n] == '\0' && option_is_secret(a, n);
}

void
secrets_redact_argv(const struct strv *argv, struct strv *out)
{
	for (size_t i = 0; i < argv->n; i++) {
		if (i > 0 && arg_is_secret_option(argv->v[i - 1]))
			strv_push(out, "***");
		else
			strv_push_nodup(out, secrets_redact(argv->v[i]));
	}
}

int
secrets_argv_has_secret(const struct strv *argv)
{
	struct strv r = { 0 };
	int changed = 0;

	secrets_redact_argv(argv, &r);
	for (size_t i = 0; i < r.n && !changed; i++)
		changed = strcmp(r.v[i], argv->v[i]) != 0;
	strv_release(&r);
	return changed;
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
secrets_redact_env(const char *name, const char *value)
{
	if (!secrets_name_is_proxy(name) && secrets_name_is_secret(name))
		return xstrdup("<redacted>");
	return secrets_redact(value);
}

char *
secrets_redact_label(const char *key, const char *value)
{
	if (secrets_name_is_secret(key))
		return xstrdup("<redacted>");
	return secrets_redact(value);
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
			/* Settings by name: the rules below, quotes and ${VAR} kept. */
			clean = redact(line, 0);
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
