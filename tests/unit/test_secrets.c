/* What keep treats as secret, and how it redacts what it prints. */
#include <stdlib.h>

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
	ok(!secrets_value_has_credentials("://u:p@h"), "no scheme");
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
	s = secrets_strip_url_credentials("a http://x:y@h1/p,https://z@h2 b");
	is_str(s, "a http://***@h1/p,https://***@h2 b", "every URL stripped");
	free(s);
	s = secrets_strip_url_credentials("http://a@b@h:1");
	is_str(s, "http://***@h:1", "the last @ ends the userinfo");
	free(s);
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
	test_proxy();
	test_values();
	test_redact();
	test_env_name();
	test_config();
	return done_testing();
}
