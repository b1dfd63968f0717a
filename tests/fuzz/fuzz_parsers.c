/*
 * libFuzzer targets for the package-database parsers. One source, one
 * binary per parser: CMake compiles it once per target with FUZZ_<NAME>
 * defined. Besides never crashing nor reading past len, each target checks
 * a property of what the parser returns that does not come from the parser
 * or the validator (fuzz_check.h):
 *
 *  - nothing is invented: every name, version and path it returns is
 *    found in the input as is;
 *  - what passes pkg_set_filter_valid (the packages a Dockerfile will
 *    name) holds only inert bytes;
 *  - paths come out absolute (RECORD's resolved: no "." or "..");
 *  - a package built from the output, rendered into a Dockerfile, leaves
 *    its line structure intact and leaks no planted credential.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "model/model.h"
#include "model/version.h"
#include "pkg/pkg.h"
#include "render/dockerfile.h"
#include "util/xalloc.h"

static const char *input;
static size_t input_len;

/* s (its bytes) is in the input. */
static void
from_input(const char *what, const char *s)
{
	if (memmem(input, input_len, s, strlen(s)) == NULL)
		fuzz_fail("the parser returned bytes not in its input", s, what);
}

/* Every package that survives the filter: from the input, inert bytes. */
static void __attribute__((unused))
check_set(struct pkg_set *set, struct strv *warnings)
{
	size_t before = set->n;

	if (pkg_set_filter_valid(set, warnings) != before - set->n)
		fuzz_fail("the filter's count is not what it dropped", "", NULL);
	for (size_t i = 0; i < set->n; i++) {
		const struct pkg *p = &set->v[i];

		from_input("name", p->name);
		from_input("version", p->version);
		fuzz_check_inert("name", p->name);
		fuzz_check_inert("version", p->version);
		if (p->arch[0])
			fuzz_check_inert("arch", p->arch);
		if (p->name[0] == '-')
			fuzz_fail("a name an installer reads as an option", p->name, NULL);
	}
	fuzz_check_warnings(warnings);
}

/* An absolute path with no "." or ".." component and no newline. */
static void __attribute__((unused))
check_path(const char *path)
{
	if (path[0] != '/' || strchr(path, '\n') || strstr(path, "/../") ||
	    strstr(path, "/./") || (strlen(path) >= 3 &&
	    strcmp(path + strlen(path) - 3, "/..") == 0))
		fuzz_fail("a path that is not absolute and resolved", path, NULL);
}

/*
 * Render one added package built from a parser's output (with a planted
 * credential in its origin) and check the Dockerfile and the warnings.
 */
static void __attribute__((unused))
check_rendered(const char *manager, const char *name, const char *version,
    const char *location, const char *origin)
{
	static const char base_id[] = "sha256:"
	    "4b3d7aefbea1784463b727fdea2e633bcf77fce0e02fb5a13985d23c08cc94cc";
	struct container c = { 0 };
	struct image base = { 0 };
	struct pkg_changes pkgs = { 0 };
	struct recipe_input in = { 0 };
	struct buf out = BUF_INIT;
	struct strv warnings = { 0 };
	struct keep_error *err = NULL;
	struct pkg *p;

	base.id = xstrdup(base_id);
	c.name = xstrdup("fuzz");
	c.image_id = xstrdup(base_id);
	pkgs.v = xcalloc(1, sizeof(*pkgs.v));
	pkgs.n = 1;
	pkgs.v[0].change = PKG_ADDED;
	pkgs.v[0].old_version = xstrdup("");
	p = &pkgs.v[0].pkg;
	pkg_init_fields(p);
	free(p->manager);
	p->manager = xstrdup(manager);
	free(p->name);
	p->name = xstrdup(name);
	free(p->version);
	p->version = xstrdup(version);
	free(p->location);
	p->location = xstrdup(location);
	free(p->origin);
	p->origin = xstrdup(origin);
	in.container = &c;
	in.base = &base;
	in.pkgs = &pkgs;
	if (render_dockerfile(&in, &out, &warnings, &err) == 0) {
		fuzz_check_dockerfile(buf_cstr(&out));
		fuzz_check_absent(buf_cstr(&out), "the Dockerfile");
	}
	fuzz_check_warnings(&warnings);
	keep_error_free(err);
	buf_release(&out);
	strv_release(&warnings);
	pkg_changes_release(&pkgs);
	container_release(&c);
	image_release(&base);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *d = xmalloc(size + 1);
	struct pkg_set set = { 0 };
	struct strv sv = { 0 }, warnings = { 0 };
	char *a = NULL, *b = NULL;

	/* The parsers read a copy in which no planted secret stands. */
	memcpy(d, data, size);
	fuzz_unmark(d, size);
	input = d;
	input_len = size;
#if defined(FUZZ_DPKG_STATUS)
	dpkg_parse_status(d, size, size & 1, &set, &warnings);
	dpkg_parse_extended_states(d, size, &sv);
	dpkg_apply_auto(&set, &sv);
	check_set(&set, &warnings);
#elif defined(FUZZ_DPKG_EXTENDED_STATES)
	dpkg_parse_extended_states(d, size, &sv);
	for (size_t i = 0; i < sv.n; i++) {
		/* "name" or "name:arch", each part from the input */
		const char *k = sv.v[i], *c = k;
		int found = memmem(input, input_len, k, strlen(k)) != NULL;

		while (!found && (c = strchr(c, ':')) != NULL) {
			found = memmem(input, input_len, k, (size_t)(c - k)) &&
			    memmem(input, input_len, c + 1, strlen(c + 1));
			c++;
		}
		if (!found)
			fuzz_fail("an auto-installed key not made of input", k, NULL);
	}
	strv_release(&sv);
	dpkg_parse_list(d, size, &sv);
	for (size_t i = 0; i < sv.n; i++) {
		/* the lines as dpkg wrote them: absolute, "/." left out */
		from_input(".list path", sv.v[i]);
		if (sv.v[i][0] != '/' || strchr(sv.v[i], '\n') ||
		    strcmp(sv.v[i], "/.") == 0)
			fuzz_fail("a .list path that is not one absolute line", sv.v[i], NULL);
	}
#elif defined(FUZZ_APK_INSTALLED)
	apk_parse_installed(d, size, &set, &warnings);
	check_set(&set, &warnings);
	{
		struct strv names = { 0 };

		strv_push(&names, "musl");
		apk_parse_owned(d, size, &names, &sv);
		strv_release(&names);
	}
	for (size_t i = 0; i < sv.n; i++)
		if (sv.v[i][0] != '/' || strchr(sv.v[i], '\n'))
			fuzz_fail("an owned file that is not one absolute path", sv.v[i], NULL);
#elif defined(FUZZ_APK_WORLD)
	apk_parse_world(d, size, &sv);
	for (size_t i = 0; i < sv.n; i++) {
		from_input("world name", sv.v[i]);
		if (sv.v[i][0] == '\0' || sv.v[i][0] == '!' ||
		    strpbrk(sv.v[i], "=<>~ \t\n"))
			fuzz_fail("a world name with its constraint or negation", sv.v[i], NULL);
	}
#elif defined(FUZZ_PIP_METADATA)
	if (pip_parse_metadata(d, size, &a, &b) == 0) {
		char *n = pip_normalize_name(a), *nn = pip_normalize_name(n);

		from_input("Name", a);
		from_input("Version", b);
		/* PEP 503: lowercase, each run of "-_." one "-": a fixed point */
		if (strpbrk(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_.") || strstr(n, "--") ||
		    strcmp(n, nn) != 0)
			fuzz_fail("a name PEP 503 would normalise further", n, a);
		check_rendered("pip", n, b, "/usr/lib/python3/dist-packages", "");
		free(n);
		free(nn);
	}
#elif defined(FUZZ_PIP_RECORD)
	pip_parse_record(d, size, "/usr/lib/python3/dist-packages", &sv);
	for (size_t i = 0; i < sv.n; i++)
		check_path(sv.v[i]);
#elif defined(FUZZ_PIP_DIRECT_URL)
	if (pip_parse_direct_url(d, size, &a) == 0) {
		/*
		 * The origin, with a credential planted in front of it as a
		 * pip URL would carry it, only ever shows stripped.
		 */
		b = xasprintf("git+https://user:" FUZZ_SECRET "@example.org/%s", a);
		if (a[0] == '\0')
			fuzz_fail("an empty origin", a, NULL);
		check_rendered("pip", "direct", "1.0", "/usr/lib/python3/dist-packages", a);
		check_rendered("pip", "direct", "1.0", "/usr/lib/python3/dist-packages", b);
	}
#elif defined(FUZZ_NPM_PACKAGE_JSON)
	if (npm_parse_package_json(d, size, &a, &b, &sv) == 0) {
		if (a[0] == '\0' || b[0] == '\0')
			fuzz_fail("an empty name or version", a, b);
		check_rendered("npm", a, b, "/usr/local/lib/node_modules", "");
	}
#elif defined(FUZZ_APT_SOURCES)
	{
		struct apt_sources as = { 0 };

		apt_sources_parse(d, size, size & 1, &as);
		for (size_t i = 0; i < as.n; i++) {
			char *name = apt_lists_name(as.v[i].uri, as.v[i].suite,
			    "InRelease");

			if (strchr(name, '/') != NULL)
				abort();	/* a lists name is one file */
			free(name);
			(void)apt_archive_of(as.v[i].uri, NULL, NULL);
		}
		apt_sources_release(&as);
		apt_release_parse(d, size, &a, &b);
	}
#elif defined(FUZZ_OS_RELEASE)
	/*
	 * ID and VERSION_ID go into purls and SBOM names: what comes out is
	 * a non-empty word of letters, digits and "._-" ("~" in a version).
	 */
	os_release_parse(d, size, &a, &b);
	for (int k = 0; k < 2; k++) {
		const char *w = k == 0 ? a : b;

		if (w != NULL && (w[0] == '\0' || w[strspn(w,
		    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789._-~")] != '\0' || (k == 0 && strchr(w, '~'))))
			fuzz_fail("an os-release word keep cannot name", w, NULL);
	}
#elif defined(FUZZ_VERSION)
	{
		/* Two versions split at the first NUL, in every order. */
		static const char *const managers[] = { "dpkg", "pip", "npm",
			"apk" };
		const char *nul = memchr(d, '\0', size);
		size_t n = nul ? (size_t)(nul - d) : size;

		a = xstrndup(d, n);
		b = nul ? xstrndup(nul + 1, size - n - 1) : xstrdup("");
		for (size_t i = 0; i < 4; i++) {
			int ab, ba, aa;

			if (version_cmp(managers[i], a, b, &ab) < 0)
				continue;
			/* An order: antisymmetric, and a version equals itself. */
			if (version_cmp(managers[i], b, a, &ba) < 0 ||
			    (ab > 0) != (ba < 0) || (ab < 0) != (ba > 0) ||
			    version_cmp(managers[i], a, a, &aa) < 0 || aa != 0)
				abort();
		}
	}
#else
#error "define one FUZZ_<TARGET>"
#endif
	free(a);
	free(b);
	free(d);
	pkg_set_release(&set);
	strv_release(&sv);
	strv_release(&warnings);
	return 0;
}
