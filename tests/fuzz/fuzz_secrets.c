/*
 * libFuzzer target for the env/secret classifier: input "NAME\0VALUE".
 * Whatever the classifier says, what may be shown (the redacted form, the
 * value with URL credentials stripped) never holds the password of a
 * "scheme://user:password@" in the value.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
	/* Where the classifier says the authority ends (secrets.h). */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = xmalloc(size + 2);
	const char *name, *value;
	char *redacted, *stripped;
	enum secret_class cls;

	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = '\0';
	name = buf;
	value = buf + strlen(buf) + 1 <= buf + size ? buf + strlen(buf) + 1 : "";

	(void)secrets_env_name_valid(name);
	cls = secrets_classify_env(name, value);
	redacted = secrets_redact_env(name, value);
	stripped = secrets_strip_url_credentials(value);
	if (secrets_name_is_secret(name) && cls == SECRET_NONE)
		abort();	/* a secret name is never shown as plain */
	if (secrets_value_has_credentials(value) && cls == SECRET_NONE)
		abort();	/* nor a value carrying credentials */
	if (cls == SECRET_NAME && strlen(value) >= 8 && strstr(redacted, value))
		abort();	/* the redacted form holds the whole secret value */
	if (leaks_userinfo(value, redacted) || leaks_userinfo(value, stripped))
		abort();	/* what may be printed carries credentials */
	free(redacted);
	free(stripped);
	free(buf);
	return 0;
}
