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
