/*
 * Refusing what fails the package rules (model/validate.h): the analyzers'
 * results are filtered here before anything records or emits them, each
 * refusal a warning.
 */
#include "pkg/pkg_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

char *
pkg_refusal(const struct pkg *p, const char *why)
{
	cleanup_free char *m = pkgi_escape(p->manager, strlen(p->manager));
	cleanup_free char *n = pkgi_escape(p->name, strlen(p->name));
	cleanup_free char *v = pkgi_escape(p->version, strlen(p->version));

	return xasprintf("refused %s package '%s' version '%s': %s", m, n, v,
	    why);
}

size_t
pkg_set_filter_valid(struct pkg_set *set, struct strv *warnings)
{
	size_t o = 0, dropped = 0;

	for (size_t i = 0; i < set->n; i++) {
		cleanup_free char *why = NULL;

		if (pkg_validate(&set->v[i], &why) < 0) {
			cleanup_free char *w = pkg_refusal(&set->v[i], why);

			strv_push(warnings, w);
			pkg_release(&set->v[i]);
			dropped++;
			continue;
		}
		set->v[o++] = set->v[i];
	}
	set->n = o;
	return dropped;
}

size_t
pkg_changes_filter_valid(struct pkg_changes *pc, struct strv *warnings)
{
	size_t o = 0, dropped = 0;

	for (size_t i = 0; i < pc->n; i++) {
		struct pkg_change *c = &pc->v[i];
		cleanup_free char *why = NULL;
		int bad = pkg_validate(&c->pkg, &why) < 0;

		/* The old version reaches the recipe too (as a comment). */
		if (!bad && c->change == PKG_UPGRADED) {
			struct pkg old = c->pkg;

			old.version = c->old_version;
			if (pkg_validate(&old, &why) < 0) {
				free(why);
				why = xstrdup("invalid old version");
				bad = 1;
			}
		}
		if (bad) {
			strv_push_nodup(warnings, pkg_refusal(&c->pkg, why));
			pkg_release(&c->pkg);
			free(c->old_version);
			dropped++;
			continue;
		}
		pc->v[o++] = *c;
	}
	pc->n = o;
	return dropped;
}
