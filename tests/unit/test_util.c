/*
 * The bottom layer: string vectors, the atomic write, mkdir -p, errors,
 * the printable form of untrusted text.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "util/budget.h"
#include "util/env.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/random.h"
#include "util/strv.h"
#include "util/text.h"
#include "util/xalloc.h"

static void
test_strv(void)
{
	struct strv sv = { 0 };
	struct kvv kv = { 0 };
	char *own = xstrdup("owned");

	for (int i = 0; i < 1000; i++)
		strv_pushf(&sv, "item-%04d", 999 - i);
	is_int(sv.n, 1000, "1000 pushes, 1000 entries");
	ok(sv.cap >= sv.n && sv.cap < 2 * sv.n, "capacity grows by doubling (%zu)", sv.cap);
	is_str(sv.v[0], "item-0999", "pushf formats");
	strv_push_nodup(&sv, own);
	ok(sv.v[sv.n - 1] == own, "push_nodup keeps the pointer it was given");
	strv_sort(&sv);
	ok(strv_sorted_has(&sv, "item-0500"), "sorted lookup finds an entry");
	ok(!strv_sorted_has(&sv, "item-1000"), "sorted lookup misses an absent one");
	is_int(strv_find(&sv, "owned"), 1000, "linear find");
	strv_release(&sv);
	ok(sv.v == NULL && sv.n == 0 && sv.cap == 0, "release empties the vector");
	strv_push(&sv, "again");
	is_int(sv.n, 1, "a released vector is usable again");
	strv_release(&sv);

	kvv_push(&kv, "A", "1");
	kvv_push(&kv, "B", "2");
	is_str(kvv_get(&kv, "B"), "2", "kvv_get");
	ok(kvv_get(&kv, "C") == NULL, "kvv_get of an absent key");
	kvv_release(&kv);
}

static int
count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d != NULL && (de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	if (d != NULL)
		closedir(d);
	return n;
}

static void
test_fs(void)
{
	char tmpl[] = "/tmp/keep-test-util.XXXXXX";
	char *root = mkdtemp(tmpl);
	struct keep_error *err = NULL;
	cleanup_free char *deep = xasprintf("%s/a/b/c", root);
	cleanup_free char *file = xasprintf("%s/a/f", root);
	cleanup_free char *link = xasprintf("%s/a/l", root);
	cleanup_free char *through = xasprintf("%s/a/l/x", root);
	cleanup_free char *sub = xasprintf("%s/a", root);
	struct stat st;
	char got[16] = { 0 };
	FILE *f;

	ok(root != NULL, "scratch folder");
	ok(fs_mkdir_p(deep, 0700, NULL, &err) == 0, "mkdir -p makes three levels");
	ok(stat(deep, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700,
	    "with the mode asked for");
	ok(fs_mkdir_p(deep, 0700, NULL, &err) == 0, "an existing directory is fine");

	ok(fs_write_file_atomic(file, "one", 3, 0640, &err) == 0, "atomic write");
	ok(fs_write_file_atomic(file, "two", 3, 0600, &err) == 0, "atomic rewrite");
	f = fopen(file, "r");
	ok(f != NULL && fread(got, 1, sizeof(got) - 1, f) == 3, "read back");
	if (f != NULL)
		fclose(f);
	is_str(got, "two", "the file holds the last write");
	ok(stat(file, &st) == 0 && (st.st_mode & 0777) == 0600, "with the last mode");
	is_int(count_entries(sub), 2, "no temporary file left beside it");

	/* A symbolic link below the guarded prefix is refused, above it followed. */
	ok(symlink("/tmp", link) == 0, "a symbolic link to /tmp");
	ok(fs_mkdir_p(through, 0700, sub, &err) < 0, "nofollow: refused below the prefix");
	ok(err != NULL && strstr(err->message, "not a directory") != NULL,
	    "saying it is not a directory");
	keep_error_free(err);
	err = NULL;
	ok(fs_mkdir_p(deep, 0700, root, &err) == 0, "a real path below the prefix is fine");
	ok(fs_mkdir_p(file, 0700, NULL, &err) < 0, "a file where a directory should be");
	keep_error_free(err);
	err = NULL;
	ok(fs_write_file_atomic("/nonexistent-dir/x", "", 0, 0600, &err) < 0 &&
	    err != NULL && strstr(err->message, "/nonexistent-dir/x") != NULL,
	    "a failed write names the file");
	keep_error_free(err);

	unlink(link);
	unlink(file);
	rmdir(deep);
	*strrchr(deep, '/') = '\0';
	rmdir(deep);
	rmdir(sub);
	rmdir(root);
}

static void
test_error(void)
{
	struct keep_error *err = NULL;

	ok(keep_error_not_found(&err) == 0 && err == NULL,
	    "not_found: no error is not a not-found");
	ok(keep_error_not_found(NULL) == 0, "not_found: err NULL");
	keep_error_set(&err, KEEP_ERR_FAILED, "disk on fire");
	ok(keep_error_not_found(&err) == 0 && err != NULL &&
	    strcmp(err->message, "disk on fire") == 0,
	    "not_found: another kind stays set");
	keep_error_set(&err, KEEP_ERR_NOT_FOUND, "no such thing 'x'");
	keep_error_wrap(&err, "look for 'x'");
	ok(keep_error_not_found(&err) == 1 && err == NULL,
	    "not_found: a wrapped not-found is dropped");
}

static void
test_budget(void)
{
	struct budget b;
	struct keep_error *err = NULL;
	static const char *const bad[] = { "0", "-1", "12x", "x", "99999999999999999999" };

	unsetenv("KEEP_MEMORY_LIMIT");
	ok(budget_init(&b, &err) == 0 && b.max == (size_t)BUDGET_DEFAULT_MIB << 20,
	    "budget: %d MiB unless KEEP_MEMORY_LIMIT says", BUDGET_DEFAULT_MIB);
	setenv("KEEP_MEMORY_LIMIT", "2", 1);
	ok(budget_init(&b, &err) == 0 && b.max == 2 << 20 && b.used == 0,
	    "budget: KEEP_MEMORY_LIMIT=2 is 2 MiB");
	ok(budget_charge(&b, 1 << 20, "a", &err) == 0 &&
	    budget_charge(&b, 1 << 20, "b", &err) == 0, "budget: 2 MiB fit");
	ok(budget_charge(&b, 1, "the last byte", &err) < 0 && err &&
	    strstr(err->message, "keeping the last byte takes more than 2 MiB") &&
	    strstr(err->message, "KEEP_MEMORY_LIMIT=2"),
	    "budget: one byte more is one clear line: %s", err ? err->message : "");
	keep_error_free(err);
	err = NULL;
	ok(budget_fits(&b, 2 << 20, "x", &err) == 0 &&
	    budget_fits(&b, (2 << 20) + 1, "x", &err) < 0,
	    "budget: a passing buffer may be as large as the limit, uncounted");
	keep_error_free(err);
	err = NULL;
	ok(budget_charge(NULL, (size_t)-1, "x", &err) == 0, "budget: NULL is no limit");
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		setenv("KEEP_MEMORY_LIMIT", bad[i], 1);
		ok(budget_init(&b, &err) < 0 && err && err->kind == KEEP_ERR_USAGE,
		    "budget: KEEP_MEMORY_LIMIT='%s' is a usage error", bad[i]);
		keep_error_free(err);
		err = NULL;
	}
	unsetenv("KEEP_MEMORY_LIMIT");
}

static void
test_text(void)
{
	struct buf b = BUF_INIT;
	char *s;

	text_printable(&b, "a\nb\\\x1b\xff", 0);
	is_str(buf_cstr(&b), "a\\nb\\\\\\x1b\\xff", "printable form");
	buf_truncate(&b, 0);
	text_printable(&b, "c:\\x \x1b[31m", TEXT_KEEP_BACKSLASH);
	is_str(buf_cstr(&b), "c:\\x \\x1b[31m", "a backslash kept when asked");
	buf_release(&b);
	/* U+009B is CSI to a terminal that honours C1 controls; U+00A0 is text. */
	s = text_printable_dup("csi \xc2\x9b" "2J nbsp \xc2\xa0 raw \x9b" "1m \xe6\xa8\xa1");
	is_str(s, "csi \\xc2\\x9b2J nbsp \xc2\xa0 raw \\x9b1m \xe6\xa8\xa1",
	    "C1 controls and invalid bytes escaped, other UTF-8 kept");
	free(s);
	ok(text_has_control("x\xc2\x85"), "NEL (U+0085) is a control character");
	ok(text_has_control("x\x7f") && text_has_control("\t"), "DEL and tab are");
	ok(!text_has_control("caf\xc3\xa9 \xc2\xa0"), "é and NBSP are not");
	ok(text_utf8_valid("\xe6\xa8\xa1") && !text_utf8_valid("\xc0\xaf"),
	    "UTF-8: valid, and an overlong refused");
}

static void
test_random(void)
{
	char a[37], b[37];
	int shaped = 1;

	random_uuid(a);
	random_uuid(b);
	for (int i = 0; i < 36; i++)
		shaped &= (i == 8 || i == 13 || i == 18 || i == 23) ? a[i] == '-' :
		    ((a[i] >= '0' && a[i] <= '9') || (a[i] >= 'a' && a[i] <= 'f'));
	ok(shaped && a[36] == '\0', "a UUID's shape: %s", a);
	ok(a[14] == '4' && strchr("89ab", a[19]) != NULL,
	    "version 4, RFC 4122 variant");
	ok(strcmp(a, b) != 0, "two are not the same");
}

static void
test_env_number(void)
{
	static const char *const bad[] = { "x", "12x", "-3", "+3", " 3", "1",
		"99999999999999999999", "101" };
	const char *raw;
	long long v;

	unsetenv("KEEP_TEST_N");
	ok(env_number("KEEP_TEST_N", 2, 100, 7, &v, &raw) == 0 && v == 7,
	    "env_number: unset is the default");
	setenv("KEEP_TEST_N", "", 1);
	ok(env_number("KEEP_TEST_N", 2, 100, 7, &v, &raw) == 0 && v == 7,
	    "env_number: empty is the default");
	setenv("KEEP_TEST_N", "42", 1);
	ok(env_number("KEEP_TEST_N", 2, 100, 7, &v, &raw) == 0 && v == 42,
	    "env_number: 42");
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		setenv("KEEP_TEST_N", bad[i], 1);
		ok(env_number("KEEP_TEST_N", 2, 100, 7, &v, &raw) < 0 &&
		    v == 7 && raw && strcmp(raw, bad[i]) == 0,
		    "env_number: '%s' refused, the default kept", bad[i]);
	}
	unsetenv("KEEP_TEST_N");
}

static void
test_strv_join_split(void)
{
	struct strv sv = { 0 };
	char *s;

	strv_split(&sv, "A_TOKEN  DB_PASSWORD ", ' ');
	strv_split(&sv, NULL, ' ');
	strv_split(&sv, "", ' ');
	ok(sv.n == 2 && strcmp(sv.v[0], "A_TOKEN") == 0 &&
	    strcmp(sv.v[1], "DB_PASSWORD") == 0,
	    "strv_split: the fields, empty ones dropped");
	s = strv_join(&sv, ", ");
	is_str(s, "A_TOKEN, DB_PASSWORD", "strv_join");
	free(s);
	strv_release(&sv);
	s = strv_join(&sv, " ");
	is_str(s, "", "strv_join of nothing is empty");
	free(s);
}

int
main(void)
{
	test_strv();
	test_strv_join_split();
	test_random();
	test_fs();
	test_error();
	test_text();
	test_budget();
	test_env_number();
	return done_testing();
}
