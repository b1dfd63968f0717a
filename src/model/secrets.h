/*
 * One module decides what is secret. Everything keep prints, writes into a
 * Dockerfile, commits to the recipe repo or stores as container.json asks
 * here first, so that a token seen in a container's environment can only
 * ever appear as its name.
 *
 * Rules:
 *  - proxy variables (HTTP_PROXY, HTTPS_PROXY, FTP_PROXY, ALL_PROXY,
 *    NO_PROXY, in upper or lower case) are their own class: they become
 *    build ARGs, never ENV;
 *  - a name is secret when it contains, ignoring case, TOKEN, SECRET,
 *    PASSWORD, PASSWD, CREDENTIAL or AUTH (not AUTHOR), or has a KEY word: "_KEY"
 *    anywhere, or KEY right after a separator or at the start of the name
 *    followed by a separator or the end ("API_KEY", "KEY", "SSH-KEY-FILE"),
 *    but not KEY inside a word ("KEYBOARD", "MONKEY");
 *  - a value is secret when it holds credentials in a URL: "user:pass@" or
 *    "token@" between "scheme://" and the host.
 */
#ifndef KEEP_MODEL_SECRETS_H
#define KEEP_MODEL_SECRETS_H

#include <stddef.h>

#include "util/buf.h"

enum secret_class {
	SECRET_NONE = 0,	/* may be shown and baked in */
	SECRET_PROXY,		/* proxy variable: build ARG only; value may hold credentials */
	SECRET_NAME,		/* the name says it is a secret */
	SECRET_VALUE,		/* the value carries credentials */
};

/* 1 when name matches [A-Za-z_][A-Za-z0-9_]*, else 0. NULL is invalid. */
int secrets_env_name_valid(const char *name);

/* 1 when name is one of the proxy variables, in upper or lower case. */
int secrets_name_is_proxy(const char *name);

/* 1 when the name alone marks the variable as secret (see the rules above). */
int secrets_name_is_secret(const char *name);

/*
 * 1 when value holds a URL with credentials (scheme://user:pass@host or
 * scheme://token@host), anywhere in it (NO_PROXY-style lists, pip
 * --index-url options ...).
 */
int secrets_value_has_credentials(const char *value);

/*
 * Classify one environment variable: SECRET_PROXY for proxy names (whatever
 * the value), else SECRET_NAME, else SECRET_VALUE, else SECRET_NONE. value
 * may be NULL.
 */
enum secret_class secrets_classify_env(const char *name, const char *value);

/*
 * A copy of value with the user information of every URL in it replaced by
 * three asterisks: "http://u:p@proxy:3128" becomes "http:" "//" "***@proxy:3128"
 * (written apart here only because C comments cannot hold the joined form).
 * The caller frees the result.
 */
char *secrets_strip_url_credentials(const char *value);

/*
 * What may be printed for the variable name=value: "<redacted>" when the
 * name is secret, the value with URL credentials stripped otherwise (proxy
 * variables included), else the value itself. The caller frees the result.
 */
char *secrets_redact_env(const char *name, const char *value);

/*
 * Hide the credentials in the text of a package manager's configuration
 * file (npmrc, pip.conf, uv.toml, apt.conf.d, .condarc, netrc and apt's
 * auth.conf): on every line the user information of URLs (as
 * secrets_strip_url_credentials), and the value of a setting whose name is
 * a secret name: "_authToken=x", "//host/:_password=x", "password = x",
 * "token: x", 'Password "x";' (the quotes stay), and netrc's
 * "password x". Booleans ("always-auth=true") and a value that only names
 * an environment variable ("${NPM_TOKEN}", which npm expands) are left
 * alone. A line
 * holding a NUL byte is replaced as a whole. Appends the text, each such
 * value replaced by "***", to out and returns how many lines it changed
 * (0: nothing secret was found, out got the text unchanged).
 */
size_t secrets_redact_config(const char *text, size_t len, struct buf *out);

#endif
