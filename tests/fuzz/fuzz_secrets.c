/*
 * libFuzzer target for the env/secret classifier: input "NAME\0VALUE".
 * The checks know the right answer from how each case is built, not from
 * the classifier's own rules:
 *
 *  - a name made by appending a secret word (FOO_TOKEN, FOO_KEY ...) is
 *    secret, and the planted value never shows;
 *  - a name spelled from letters no secret word or proxy name holds
 *    (B F G J M Q V X Z, digits, "_") is plain: with no URL in the value
 *    it is shown as it is;
 *  - a URL with a planted password, anywhere in a fuzzed value, makes the
 *    value secret, and neither the stripped nor the redacted form holds
 *    the password;
 *  - for any input: what may be shown (the redacted variable, the value
 *    through the redactor) holds no "scheme://user:password@" and no bare
 *    "user:password@host" of the value (found here by parsers of its
 *    own); redacting twice changes nothing, and what the redactor gives
 *    back holds no credentials it would find.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "model/secrets.h"
#include "util/xalloc.h"

/*
 * Whether shown still holds the first "://user:pass@" of value (user
 * information long enough to be told apart from the rest).
 */
static int
leaks_userinfo(const char *value, const char *shown)
{
	const char *s = strstr(value, "://"), *at, *colon;
	char *info;
	int leak;

	/* A URL has a scheme: "x://"; "://" alone is none. */
	if (s == NULL || shown == NULL || s == value ||
	    !isalpha((unsigned char)s[-1]))
		return 0;
	s += 3;
	at = strchr(s, '@');
	colon = strchr(s, ':');
	if (at == NULL || colon == NULL || colon > at || at - s < 8)
		return 0;
	/* Where the authority ends (secrets.h). */
	for (const char *q = s; q < at; q++)
		if (strchr("/?#,;\"'", *q) || isspace((unsigned char)*q))
			return 0;
	/* "x://user:pass@" as it stood in value: shown must not hold it. */
	info = xmalloc((size_t)(at - s) + 6);
	info[0] = s[-4];	/* the scheme's last letter */
	memcpy(info + 1, "://", 3);
	memcpy(info + 4, s, (size_t)(at - s));
	info[at - s + 4] = '@';
	info[at - s + 5] = '\0';
	leak = strstr(shown, info) != NULL;
	free(info);
	return leak;
}

/* Where secrets.h says bare user information stops, going back from '@'. */
static int
userinfo_stop(char c)
{
	return (unsigned char)c < 0x20 || isspace((unsigned char)c) ||
	    strchr("\"'`/\\<>|", c) != NULL;
}

/*
 * Whether shown still holds some "user:password@host" of value without a
 * scheme, its password 8 bytes or more (so that it is told apart from the
 * rest), the host not an image digest.
 */
static int
leaks_bare_userinfo(const char *value, const char *shown)
{
	for (const char *at = strchr(value, '@'); at; at = strchr(at + 1, '@')) {
		const char *start = at, *colon = NULL;
		char *info;
		int leak;

		while (start > value && !userinfo_stop(start[-1]))
			start--;
		for (const char *q = start; q < at && colon == NULL; q++)
			if (*q == ':')
				colon = q;
		if (colon == NULL || at - colon - 1 < 8 || at[1] == '\0' ||
		    userinfo_stop(at[1]) || strncmp(at + 1, "sha", 3) == 0)
			continue;
		info = xmalloc((size_t)(at - start) + 2);
		memcpy(info, start, (size_t)(at - start) + 1);
		info[at - start + 1] = '\0';
		/* Only where value holds it once: a second one may stand alone. */
		leak = strstr(strstr(value, info) + 1, info) == NULL &&
		    strstr(shown, info) != NULL;
		free(info);
		if (leak)
			return 1;
	}
	return 0;
}

/* s with each byte mapped into alphabet (NUL-terminated, non-empty). */
static char *
spell(const char *s, const char *alphabet, size_t max)
{
	size_t n = strlen(s), k = strlen(alphabet);
	char *out;

	if (n > max)
		n = max;
	out = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		out[i] = alphabet[(unsigned char)s[i] % k];
	out[n] = '\0';
	return out;
}

static void
check_any(const char *name, const char *value)
{
	char *redacted = secrets_redact_env(name, value);
	char *stripped = secrets_redact(value);
	char *again = secrets_redact(stripped);
	enum secret_class cls = secrets_classify_env(name, value);

	(void)secrets_env_name_valid(name);
	if (strcmp(again, stripped) != 0 ||
	    secrets_value_has_credentials(stripped))
		fuzz_fail("the redactor's output holds what it would hide",
		    stripped, again);
	if (leaks_userinfo(value, redacted) || leaks_userinfo(value, stripped))
		fuzz_fail("what may be printed carries credentials", value, stripped);
	if (leaks_bare_userinfo(value, stripped) ||
	    (cls != SECRET_NAME && leaks_bare_userinfo(value, redacted)))
		fuzz_fail("what may be printed carries credentials without a "
		    "scheme", value, stripped);
	free(redacted);
	free(stripped);
	free(again);
}

static void
check_secret_name(const char *prefix, const char *value)
{
	static const char *const words[] = {
		"TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH",
		"_KEY", "api_token", "Db_Password",
	};
	char *planted = xasprintf(FUZZ_SECRET "%s", value);
	char *name = xasprintf("%s%s", prefix,
	    words[strlen(value) % (sizeof(words) / sizeof(*words))]);
	char *shown = secrets_redact_env(name, planted);

	if (secrets_classify_env(name, planted) == SECRET_NONE)
		fuzz_fail("a name ending in a secret word is not secret", name, NULL);
	fuzz_check_absent(shown, name);
	free(shown);
	free(name);
	free(planted);
}

static void
check_plain_name(const char *prefix, const char *fuzzed)
{
	/*
	 * Name and value spelled from bytes no secret word, proxy name,
	 * token prefix (ghp_, hf_, AKIA ...) or URL can be made of.
	 */
	static const char plain[] = "BFGJMQVXZbfgjmqvxz0123456789_";
	char *name = spell(prefix, plain, 40);
	char *value = spell(fuzzed, plain, 64);
	char *shown = secrets_redact_env(name, value);

	if (secrets_classify_env(name, value) != SECRET_NONE ||
	    strcmp(shown, value) != 0)
		fuzz_fail("a plain name with a plain value is not shown as it is",
		    name, shown);
	free(shown);
	free(value);
	free(name);
}

/* A URL with user:password@ between two fuzzed words. */
static void
check_url_value(const char *before, const char *after)
{
	char *user = spell(after, "abcdefghijklmnopqrstuvwxyz0123456789", 12);
	char *pass = spell(before, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789._~-", 24);
	char *value = xasprintf("%s https://u%s:" FUZZ_SECRET "%s@proxy.example:3128/x %s",
	    before, user, pass, after);
	char *stripped = secrets_redact(value);
	char *redacted = secrets_redact_env("FUZZ_URL", value);

	if (secrets_classify_env("FUZZ_URL", value) != SECRET_VALUE)
		fuzz_fail("a value holding user:password@ is not secret", value, NULL);
	fuzz_check_absent(stripped, value);
	fuzz_check_absent(redacted, value);
	free(redacted);
	free(stripped);
	free(value);
	free(pass);
	free(user);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = xmalloc(size + 2);
	const char *name, *value;

	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = '\0';
	fuzz_unmark(buf, size);
	name = buf;
	value = buf + strlen(buf) + 1 <= buf + size ? buf + strlen(buf) + 1 : "";

	check_any(name, value);
	check_secret_name(name, value);
	check_plain_name(name, value);
	check_url_value(name, value);
	free(buf);
	return 0;
}
