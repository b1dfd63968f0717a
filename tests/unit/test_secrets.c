/* What keep treats as secret, and how it redacts what it prints. */
#include <stdlib.h>
#include <string.h>

#include "model/secrets.h"
#include "util/buf.h"
#include "tap.h"

static void
test_names(void)
{
	static const char *const secret[] = {
		"API_TOKEN", "github_token", "MY_SECRET", "DB_PASSWORD", "PASSWD",
		"API_KEY", "api_key", "KEY", "SSH_KEY_FILE", "KEY_ID", "AWS_ACCESS_KEYS",
		"GOOGLE_APPLICATION_CREDENTIALS", "HF_AUTH", "AUTH", "NPM_KEY", "my-key",
	};
	static const char *const plain[] = {
		"PATH", "HOME", "KEYBOARD", "MONKEY", "KEYMAP", "LANG",
		"GIT_AUTHOR_NAME", "TOKENIZERS_PARALLELISM_OFF_", "HTTP_PROXY",
	};

	for (size_t i = 0; i < sizeof(secret) / sizeof(secret[0]); i++)
		ok(secrets_name_is_secret(secret[i]), "'%s' is secret", secret[i]);
	/* TOKENIZERS contains TOKEN: the rule is a substring, so it is secret. */
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]) - 2; i++)
		ok(!secrets_name_is_secret(plain[i]), "'%s' is not secret", plain[i]);
	ok(secrets_name_is_secret("TOKENIZERS_PARALLELISM"),
	    "substring rule: TOKENIZERS_PARALLELISM counts as secret");
	ok(!secrets_name_is_secret("GIT_AUTHOR_EMAIL"), "AUTHOR is not AUTH");
	ok(secrets_name_is_secret("GIT_AUTHOR_AUTH"), "AUTH after AUTHOR still found");
	ok(secrets_name_is_secret("XKB_KEYMAP"), "_KEY is a substring rule");
}

/* Names the first heuristic missed (issue 18): each became an ENV line. */
static void
test_more_names(void)
{
	static const char *const secret[] = {
		"DB_PASS", "MYSQL_PWD", "OPENAI_APIKEY", "PASS", "SMTP_PW",
		"REDIS_PASS", "GPG_PASSPHRASE", "AWS_SECRET_ACCESS_KEY",
		"MINIO_ACCESSKEY", "DOCKER_CREDS", "db-pass", "pwd_file",
	};
	static const char *const plain[] = {
		"PWD", "pwd", "OLDPWD", "BYPASS", "COMPASS_DIR", "PASSENGER_HOME",
		"PASSTHROUGH", "KEYBOARD", "SPW_DIR",
	};

	for (size_t i = 0; i < sizeof(secret) / sizeof(secret[0]); i++)
		ok(secrets_name_is_secret(secret[i]), "'%s' is secret", secret[i]);
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		ok(!secrets_name_is_secret(plain[i]), "'%s' is not secret", plain[i]);
	is_int(secrets_classify_env("MYSQL_PWD", "hunter2"), SECRET_NAME,
	    "MYSQL_PWD is left out of the recipe");
}

static void
test_proxy(void)
{
	static const char *const proxies[] = {
		"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
		"ftp_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy",
	};

	for (size_t i = 0; i < sizeof(proxies) / sizeof(proxies[0]); i++) {
		ok(secrets_name_is_proxy(proxies[i]), "'%s' is a proxy", proxies[i]);
		is_int(secrets_classify_env(proxies[i], "http://u:p@h:1"), SECRET_PROXY,
		    "'%s' classifies as proxy even with credentials", proxies[i]);
	}
	ok(!secrets_name_is_proxy("Http_Proxy"), "mixed case is no proxy");
	ok(!secrets_name_is_proxy("HTTP_PROXY_X"), "a longer name is no proxy");
	ok(!secrets_name_is_proxy(NULL), "NULL is no proxy");
}

static void
test_values(void)
{
	ok(secrets_value_has_credentials("http://user:pass@proxy:3128"), "user:pass@");
	ok(secrets_value_has_credentials("https://ghp_abc@github.com/x.git"), "token@");
	ok(secrets_value_has_credentials("--index-url https://u:p@pypi.example/simple"),
	    "URL inside a longer value");
	ok(!secrets_value_has_credentials("http://127.0.0.1:7897"), "no userinfo");
	ok(!secrets_value_has_credentials("user@example.com"), "an email is no URL");
	ok(!secrets_value_has_credentials("http://h/path@x"), "@ in the path");
	ok(secrets_value_has_credentials("://u:p@h"), "user:pass@ needs no scheme");
	/* Found by fuzz_secrets: a digit or dot glued before the scheme. */
	ok(secrets_value_has_credentials("1http://u:p@h"), "digit before the scheme");
	ok(secrets_value_has_credentials("x=.0ps://u:p@h"), "dot before the scheme");
	ok(!secrets_value_has_credentials(NULL), "NULL");
	is_int(secrets_classify_env("DATABASE_URL", "postgres://a:b@db/x"), SECRET_VALUE,
	    "URL credentials classify as a secret value");
	is_int(secrets_classify_env("API_TOKEN", "x"), SECRET_NAME, "secret name");
	is_int(secrets_classify_env("PATH", "/bin"), SECRET_NONE, "plain");
}

static void
check_redact(const char *name, const char *value, const char *want)
{
	char *got = secrets_redact_env(name, value);

	is_str(got, want, "redact %s", name);
	free(got);
}

static void
test_redact(void)
{
	char *s;

	check_redact("HTTP_PROXY", "http://u:p@proxy.corp:3128", "http://***@proxy.corp:3128");
	check_redact("https_proxy", "http://127.0.0.1:7897", "http://127.0.0.1:7897");
	check_redact("API_TOKEN", "abc", "<redacted>");
	check_redact("GIT_URL", "https://tok@github.com/a/b", "https://***@github.com/a/b");
	check_redact("PATH", "/usr/bin", "/usr/bin");
	s = secrets_redact("a http://x:y@h1/p,https://z@h2 b");
	is_str(s, "a http://***@h1/p,https://***@h2 b", "every URL stripped");
	free(s);
	s = secrets_redact("http://a@b@h:1");
	is_str(s, "http://***@h:1", "the last @ ends the userinfo");
	free(s);
}

static void
check(const char *in, const char *want)
{
	char *got = secrets_redact(in), *again = secrets_redact(got);
	const char *shown = got ? got : "(null)";

	is_str(got, want, "redact '%s'", in ? in : "(null)");
	is_str(again, got, "redacting '%s' again changes nothing", shown);
	ok(!secrets_value_has_credentials(got), "'%s' holds no secret", shown);
	is_int(secrets_value_has_credentials(in), in && strcmp(in, want) != 0,
	    "'%s' %s", in ? in : "(null)", in && strcmp(in, want) ? "holds a secret" :
	    "holds no secret");
	free(got);
	free(again);
}

#define DIGEST "sha256:b877a1a3fdf02469440f1768cf69c9771338a875b7add5e80c45b756c92ac20a"

/* Secrets outside URLs and env values (issue 18). */
static void
test_redact_text(void)
{
	/* Without a scheme: curl's proxy form, Go's MySQL DSN. */
	check("alice:s3cr3t@proxy:3128", "***@proxy:3128");
	check("user:pass@tcp(db:3306)/x?parseTime=1", "***@tcp(db:3306)/x?parseTime=1");
	check("a:b@c@host", "***@host");
	check("http://u:p@h/x https://v:w@i", "http://***@h/x https://***@i");
	/* Not credentials. */
	check("keep-test/bookworm:latest@" DIGEST, "keep-test/bookworm:latest@" DIGEST);
	check("git@github.com:org/repo.git", "git@github.com:org/repo.git");
	check("Jane Doe <jane@example.com>", "Jane Doe <jane@example.com>");
	check("/usr/lib/node_modules/@types/x:/usr/bin:/opt/a@1/bin",
	    "/usr/lib/node_modules/@types/x:/usr/bin:/opt/a@1/bin");
	check("user:@host", "user:@host");
	check("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin",
	    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin");
	/* A secret name's value, wherever it stands. */
	check("PGPASSWORD=hunter2 psql -h db", "PGPASSWORD=*** psql -h db");
	check("app --api-key=abc123 --verbose", "app --api-key=*** --verbose");
	/* BuildKit's --secret names one (keep's own advice), holds none. */
	check("docker build --secret id=etc_npmrc,src=FILE .",
	    "docker build --secret id=etc_npmrc,src=FILE .");
	check("app --secret hunter2 x", "app --secret *** x");
	check("app --password hunter2 --verbose", "app --password *** --verbose");
	check("app --token 'a b' x", "app --token *** x");
	check("Server=db;User Id=sa;Password=Pa55;", "Server=db;User Id=sa;Password=***;");
	check("-Djavax.net.ssl.keyStorePassword=changeit -Xmx1g",
	    "-Djavax.net.ssl.keyStorePassword=*** -Xmx1g");
	check("HTTP_PROXY=http://proxy:3128", "HTTP_PROXY=http://proxy:3128");
	check("--no-verify x", "--no-verify x");
	/* Authorization headers. */
	check("Authorization: Bearer eyJhbGciOi.J9x", "Authorization: Bearer ***");
	check("-H 'Authorization: Basic YWxpY2U6czNjcjN0'", "-H 'Authorization: Basic ***'");
	check("Basic setup for the lab", "Basic setup for the lab");
	/* Tokens of well-known forms. */
	check("hf_abcdefghijklmnopqrstuvwxyzABCDEFGH", "hf_***");
	check("x=ghp_0123456789abcdefghijABCDEFGHIJ012345", "x=ghp_***");
	check("key AKIAIOSFODNN7EXAMPLE here", "key AKIA*** here");
	check("sk-proj-0123456789abcdefghijklmnopqrstuv", "sk-***");
	check("/opt/sk-learn/bin:/opt/hf_tools", "/opt/sk-learn/bin:/opt/hf_tools");
	check("mask-0123456789abcdefghijklmnopqrstuvwxyz", "mask-0123456789abcdefghijklmnopqrstuvwxyz");
	check(NULL, "");
	/* Found by fuzz_secrets: redacting took away what ended a URL. */
	check("tts://bob:`as#s@pyp-Djavaaliapp:hunter3hunter2@L", "tts://***@L");
	/* Found by fuzz_secrets: a long port is no digest. */
	check("alice:pw@pzoxy:3128999999999999999999999999999999999999999999999",
	    "***@pzoxy:3128999999999999999999999999999999999999999999999");
}

static void
test_argv(void)
{
	static const char *const dsn[] = { "app", "--db", "postgres://admin:hunter2@db/x" };
	static const char *const pair[] = { "app", "--password", "hunter2", "--port", "80" };
	static const char *const plain[] = { "app", "--verbose", "x", "--key-file" };
	struct strv a = { 0 }, r = { 0 };

	for (size_t i = 0; i < 3; i++)
		strv_push(&a, dsn[i]);
	ok(secrets_argv_has_secret(&a), "a CMD with a DSN holds a secret");
	secrets_redact_argv(&a, &r);
	is_str(r.v[2], "postgres://***@db/x", "the DSN's credentials hidden");
	strv_release(&a);
	strv_release(&r);
	for (size_t i = 0; i < 5; i++)
		strv_push(&a, pair[i]);
	ok(secrets_argv_has_secret(&a), "--password VALUE holds a secret");
	secrets_redact_argv(&a, &r);
	is_str(r.v[2], "***", "the value after --password hidden");
	is_str(r.v[4], "80", "the next option's value kept");
	strv_release(&a);
	strv_release(&r);
	for (size_t i = 0; i < 4; i++)
		strv_push(&a, plain[i]);
	ok(!secrets_argv_has_secret(&a), "no secret in a plain CMD");
	strv_release(&a);
}

static void
test_labels(void)
{
	char *s = secrets_redact_label("com.example.db-password", "hunter2");

	is_str(s, "<redacted>", "a label named like a secret");
	free(s);
	s = secrets_redact_label("org.opencontainers.image.authors", "Jane <j@x.org>");
	is_str(s, "Jane <j@x.org>", "authors is no AUTH");
	free(s);
	s = secrets_redact_label("db", "mysql://root:pw@db/x");
	is_str(s, "mysql://***@db/x", "a label value with credentials");
	free(s);
}

/* Long hostile values: each rule is one pass, so these finish at once. */
static void
test_long_input(void)
{
	static const char *const units[] = { "@a:", "A_TOKEN=", "x://", "--key ", "hf_" };
	size_t n = 1 << 18;

	for (size_t k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
		size_t ul = strlen(units[k]);
		char *s = malloc(n * ul + 1), *r;

		for (size_t i = 0; i < n; i++)
			memcpy(s + i * ul, units[k], ul);
		s[n * ul] = '\0';
		r = secrets_redact(s);
		ok(r != NULL, "256k x '%s' (%zu bytes) redacted", units[k], n * ul);
		free(r);
		free(s);
	}
}

static void
test_env_name(void)
{
	ok(secrets_env_name_valid("PATH"), "PATH");
	ok(secrets_env_name_valid("_x1"), "_x1");
	ok(!secrets_env_name_valid("1X"), "leading digit");
	ok(!secrets_env_name_valid("A-B"), "dash");
	ok(!secrets_env_name_valid("A B"), "space");
	ok(!secrets_env_name_valid("A\nRUN"), "newline");
	ok(!secrets_env_name_valid(""), "empty");
	ok(!secrets_env_name_valid(NULL), "NULL");
	ok(!secrets_env_name_valid("\xc3\xa9"), "non-ASCII");
}

static void
check_config(const char *text, const char *want, size_t want_changed, const char *what)
{
	struct buf out = BUF_INIT;
	size_t changed = secrets_redact_config(text, strlen(text), &out);

	is_str(buf_cstr(&out), want, "config: %s", what);
	is_int(changed, want_changed, "config: %s: lines changed", what);
	buf_release(&out);
}

static void
test_config(void)
{
	struct buf out = BUF_INIT;

	check_config("cafile=/etc/ssl/certs/ca-certificates.crt\n"
	    "//npm.example.com/:_authToken=npm_Abc123\n"
	    "@corp:registry=https://npm.example.com/\n",
	    "cafile=/etc/ssl/certs/ca-certificates.crt\n"
	    "//npm.example.com/:_authToken=***\n"
	    "@corp:registry=https://npm.example.com/\n", 1, "npmrc token");
	check_config("_auth = dXNlcjpwYXNz\nalways-auth=true\nemail=a@b.c\n",
	    "_auth = ***\nalways-auth=true\nemail=a@b.c\n", 1,
	    "npmrc _auth, a boolean and an email");
	check_config("//h/:_password=\"cGFzcw==\"\n", "//h/:_password=\"***\"\n", 1,
	    "a quoted value keeps its quotes");
	check_config("[global]\nindex-url = https://user:pass@pypi.example.com/simple\n"
	    "trusted-host = pypi.example.com\n",
	    "[global]\nindex-url = https://***@pypi.example.com/simple\n"
	    "trusted-host = pypi.example.com\n", 1, "pip.conf index-url");
	check_config("[[index]]\nurl = \"https://__token__:pypi-x@h/simple\"\n",
	    "[[index]]\nurl = \"https://***@h/simple\"\n", 1, "uv.toml index url");
	check_config("Acquire::http::Proxy \"http://u:p@proxy:3128\";\n"
	    "APT::Install-Recommends \"false\";\n",
	    "Acquire::http::Proxy \"http://***@proxy:3128\";\n"
	    "APT::Install-Recommends \"false\";\n", 1, "apt proxy");
	check_config("Acquire::https::Password \"hunter2\";\n",
	    "Acquire::https::Password \"***\";\n", 1, "apt-style secret setting");
	check_config("machine repo.example.com login bob password hunter2\n",
	    "machine repo.example.com login bob password ***\n", 1, "netrc");
	check_config("machine h\n  login bob\n  password hunter2\n",
	    "machine h\n  login bob\n  password ***\n", 1, "netrc on several lines");
	check_config("channels:\n  - https://u:p@conda.example.com/main\ntoken: abc\n",
	    "channels:\n  - https://***@conda.example.com/main\ntoken: ***\n", 2,
	    "condarc");
	check_config("//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n",
	    "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n", 0,
	    "a variable npm expands holds no secret");
	check_config("_authToken=${A}x${B}\n", "_authToken=***\n", 1,
	    "but text around variables may");
	check_config("# password = old\nkeyring-provider = subprocess\n",
	    "# password = old\nkeyring-provider = subprocess\n", 0,
	    "comments and keyring are left alone");
	check_config("no newline at the end", "no newline at the end", 0, "plain text");
	check_config("", "", 0, "empty");
	buf_addstr(&out, "x");
	is_int(secrets_redact_config("a\0b\nc", 5, &out), 1, "a NUL byte hides its line");
	is_str(buf_cstr(&out), "x***\nc", "appended, the line with the NUL replaced");
	buf_release(&out);
}

int
main(void)
{
	test_names();
	test_more_names();
	test_redact_text();
	test_argv();
	test_labels();
	test_long_input();
	test_proxy();
	test_values();
	test_redact();
	test_env_name();
	test_config();
	return done_testing();
}
