/*
 * os-release (pkg/os_release.c): ID and VERSION_ID, quoted or bare, and
 * nothing that os-release(5) does not allow in them.
 */
#include "test_pkg_helpers.h"
#include "tap.h"

static void
parse(const char *text, const char *want_id, const char *want_version,
    const char *what)
{
	char *id = NULL, *version = NULL;

	os_release_parse(text, strlen(text), &id, &version);
	ok((want_id ? id && strcmp(id, want_id) == 0 : id == NULL) &&
	    (want_version ? version && strcmp(version, want_version) == 0 :
	    version == NULL), "%s: %s %s", what, id ? id : "(none)",
	    version ? version : "(none)");
	free(id);
	free(version);
}

static void
read_tree(const char *rel, const char *want_id, const char *want_version,
    int want_rc)
{
	struct pkg_fs fs;
	struct keep_error *err = NULL;
	char *id = NULL, *version = NULL;
	int rc;

	fixture_fs(&fs, rel);
	rc = os_release_read(&fs, &id, &version, &err);
	ok(rc == want_rc && (want_rc < 0 ? err && err->kind ==
	    KEEP_ERR_NOT_FOUND : (id && strcmp(id, want_id) == 0 &&
	    version && strcmp(version, want_version) == 0)),
	    "%s: read %s %s", rel, id ? id : "(none)", version ? version : "(none)");
	keep_error_free(err);
	free(id);
	free(version);
	pkg_fs_release(&fs);
}

int
main(void)
{
	parse("ID=debian\nVERSION_ID=\"12\"\n", "debian", "12", "debian");
	parse("NAME=\"Ubuntu\"\r\nID=ubuntu\r\nVERSION_ID=\"22.04\"\r\n",
	    "ubuntu", "22.04", "CRLF lines, quotes");
	parse("ID='alpine'\nVERSION_ID=3.19.1\n", "alpine", "3.19.1",
	    "single quotes");
	parse("ID=debian\n", "debian", NULL, "testing has no VERSION_ID");
	parse("ID=\"opensuse-tumbleweed\"\nVERSION_ID=\"20240101\"\n",
	    "opensuse-tumbleweed", "20240101", "a dash in the ID");
	parse("ID=Debian\n", NULL, NULL, "upper case is no ID");
	parse("ID=\"debian;rm -rf /\"\nVERSION_ID=\"12$(id)\"\n", NULL, NULL,
	    "hostile values are dropped");
	parse("ID=\"debian\nVERSION_ID=12\n", NULL, "12", "an open quote");
	parse("ID=\n", NULL, NULL, "empty");
	parse("# comment\nFOO=bar\n", NULL, NULL, "no ID at all");
	parse("ID=debian\nID=ubuntu\n", "ubuntu", NULL, "the last one counts");
	read_tree("os-release/etc", "debian", "12", 0);
	read_tree("os-release/usrlib", "alpine", "3.19.1", 0);
	read_tree("os-release/none", NULL, NULL, -1);
	return done_testing();
}
