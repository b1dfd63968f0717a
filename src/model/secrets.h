/*
 * One module decides what is secret, and one function hides it. Everything
 * keep prints, writes into a Dockerfile, commits to the recipe repo or
 * stores as container.json asks here first, so that a token seen in a
 * container can only ever appear as its name or as "***". Only the
 * catalog (mode 0600) keeps the values, for resume.
 *
 * Rules:
 *  - proxy variables (HTTP_PROXY, HTTPS_PROXY, FTP_PROXY, ALL_PROXY,
 *    NO_PROXY, in upper or lower case) are their own class: Docker's
 *    predefined build arguments, never ENV;
 *  - a name is secret when it contains, ignoring case, TOKEN, SECRET,
 *    PASSWORD, PASSWD, PASSPHRASE, CREDENTIAL, CREDS, APIKEY, ACCESSKEY or
 *    AUTH (not AUTHOR), or has one of the words KEY, PASS, PWD or PW: at
 *    the start or after a separator (_ - .), and at the end or before one,
 *    with a plural S allowed ("API_KEY", "KEYS", "DB_PASS", "MYSQL_PWD",
 *    "SSH-KEY-FILE"), but not inside a word ("KEYBOARD", "MONKEY",
 *    "BYPASS"); the shell's own PWD is no secret;
 *  - text holds a secret (secrets_redact finds it) where it has
 *      the user information of a URL: "scheme://user:pass@host" or
 *        "scheme://token@host";
 *      "user:pass@host" without a scheme (curl's proxy form, Go's
 *        "user:pass@tcp(db)/x" DSNs), unless what follows the '@' is an
 *        image digest ("name:tag@sha256:...");
 *      the value of "NAME=value", "--name=value" or "--name value" when
 *        NAME is a secret name ("PGPASSWORD=x", "--api-key x");
 *      the credentials after "Bearer " or "Basic ";
 *      a token of a well-known form: ghp_, gho_, ghu_, ghs_, ghr_,
 *        github_pat_, glpat-, hf_, sk-, xox[abprs]- followed by a long run
 *        of [A-Za-z0-9_-], or AKIA/ASIA and 16 capitals or digits.
 *    A value ends at white space, a quote, ',', ';', '&' or '|'; user
 *    information reaches back to white space, a quote, '/', '\', '<', '>',
 *    '|' or '`' (so it hides more, never less, than the URL holds).
 */
#ifndef KEEP_MODEL_SECRETS_H
#define KEEP_MODEL_SECRETS_H

#include <stddef.h>

#include "util/buf.h"
#include "util/strv.h"

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
 * A copy of s with every secret the rules above find replaced by "***":
 * "http://u:p@proxy:3128" becomes "http:" "//" "***@proxy:3128" (written
 * apart here only because C comments cannot hold the joined form),
 * "alice:pw@proxy:3128" "***@proxy:3128", "PGPASSWORD=x psql"
 * "PGPASSWORD=*** psql". NULL gives "". The one redactor: every string
 * keep writes outside the catalog passes through it or is left out. The
 * caller frees the result.
 */
char *secrets_redact(const char *s);

/* 1 when secrets_redact would change value (it holds a secret). */
int secrets_value_has_credentials(const char *value);

/*
 * An argument vector (CMD, ENTRYPOINT): each element redacted, and the
 * element after an option with a secret name ("--password", "hunter2")
 * replaced by "***" as a whole. Appends to out.
 */
void secrets_redact_argv(const struct strv *argv, struct strv *out);

/* 1 when secrets_redact_argv would change an element of argv. */
int secrets_argv_has_secret(const struct strv *argv);

/*
 * Classify one environment variable: SECRET_PROXY for proxy names (whatever
 * the value), else SECRET_NAME, else SECRET_VALUE, else SECRET_NONE. value
 * may be NULL.
 */
enum secret_class secrets_classify_env(const char *name, const char *value);

/*
 * What may be printed for the variable name=value: "<redacted>" when the
 * name is secret, else the value through secrets_redact (proxy variables
 * included). The caller frees the result.
 */
char *secrets_redact_env(const char *name, const char *value);

/*
 * What may be printed for a label key=value: "<redacted>" when the key is
 * a secret name ("com.example.db-password"), else the value through
 * secrets_redact. The caller frees the result.
 */
char *secrets_redact_label(const char *key, const char *value);

/*
 * Hide the credentials in the text of a package manager's configuration
 * file (npmrc, pip.conf, uv.toml, apt.conf.d, .condarc, netrc and apt's
 * auth.conf): on every line the user information of URLs (as
 * secrets_redact does), and the value of a setting whose name is
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
