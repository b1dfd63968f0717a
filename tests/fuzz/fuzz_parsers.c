/*
 * libFuzzer targets for the package-database parsers. One source, one
 * binary per parser: CMake compiles it once per target with FUZZ_<NAME>
 * defined. Each target feeds the bytes to the parser and checks what the
 * parser promises: it never crashes, never reads past len, and everything
 * it returns either passes pkg_validate or is refused by the filter.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "pkg/pkg.h"
#include "util/xalloc.h"

/* Every package a parser yields goes through the validating filter. */
static void __attribute__((unused))
check_set(struct pkg_set *set, struct strv *warnings)
{
	pkg_set_filter_valid(set, warnings);
	for (size_t i = 0; i < set->n; i++) {
		char *why = NULL;

		if (pkg_validate(&set->v[i], &why) != 0)
			abort();	/* the filter let an invalid package through */
		free(why);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *d = (const char *)data;
	struct pkg_set set = { 0 };
	struct strv sv = { 0 }, warnings = { 0 };
	char *a = NULL, *b = NULL;

#if defined(FUZZ_DPKG_STATUS)
	dpkg_parse_status(d, size, size & 1, &set, &warnings);
	dpkg_parse_extended_states(d, size, &sv);
	dpkg_apply_auto(&set, &sv);
	check_set(&set, &warnings);
#elif defined(FUZZ_DPKG_EXTENDED_STATES)
	dpkg_parse_extended_states(d, size, &sv);
	dpkg_parse_list(d, size, &sv);
#elif defined(FUZZ_APK_INSTALLED)
	apk_parse_installed(d, size, &set, &warnings);
	apk_parse_owned(d, size, "musl", &sv);
	check_set(&set, &warnings);
#elif defined(FUZZ_APK_WORLD)
	apk_parse_world(d, size, &sv);
#elif defined(FUZZ_PIP_METADATA)
	if (pip_parse_metadata(d, size, &a, &b) == 0) {
		char *n = pip_normalize_name(a);

		free(n);
	}
#elif defined(FUZZ_PIP_RECORD)
	pip_parse_record(d, size, "/usr/lib/python3/dist-packages", &sv);
	for (size_t i = 0; i < sv.n; i++)
		if (sv.v[i][0] != '/')
			abort();	/* RECORD paths come out absolute */
#elif defined(FUZZ_PIP_DIRECT_URL)
	pip_parse_direct_url(d, size, &a);
#elif defined(FUZZ_NPM_PACKAGE_JSON)
	npm_parse_package_json(d, size, &a, &b, &sv);
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
#else
#error "define one FUZZ_<TARGET>"
#endif
	free(a);
	free(b);
	pkg_set_release(&set);
	strv_release(&sv);
	strv_release(&warnings);
	return 0;
}
