/*
 * Full package sets to changes. A package's identity is (manager, location,
 * name, arch): the same pip package in two venvs is two packages, and a
 * Multi-Arch library for amd64 and i386 is two packages.
 */
#include "pkg/pkg_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* Compare names the way the manager does: pip's are PEP 503 normalised. */
static int
name_cmp(const struct pkg *a, const struct pkg *b)
{
	if (strcmp(a->manager, "pip") == 0 && strcmp(b->manager, "pip") == 0) {
		cleanup_free char *na = pip_normalize_name(a->name);
		cleanup_free char *nb = pip_normalize_name(b->name);

		return strcmp(na, nb);
	}
	return strcmp(a->name, b->name);
}

/* The identity order used for merging: manager, name, arch, location. */
static int
key_cmp(const struct pkg *a, const struct pkg *b)
{
	int c;

	if ((c = strcmp(a->manager, b->manager)) != 0)
		return c;
	if ((c = name_cmp(a, b)) != 0)
		return c;
	if ((c = strcmp(a->arch, b->arch)) != 0)
		return c;
	return strcmp(a->location, b->location);
}

static int
pkg_qcmp(const void *a, const void *b)
{
	const struct pkg *pa = a, *pb = b;
	int c = key_cmp(pa, pb);

	/* Ties (duplicates in a broken database) still sort the same way. */
	return c ? c : strcmp(pa->version, pb->version);
}

static int
change_qcmp(const void *a, const void *b)
{
	const struct pkg_change *ca = a, *cb = b;
	int c = key_cmp(&ca->pkg, &cb->pkg);

	if (c != 0)
		return c;
	if (ca->change != cb->change)
		return ca->change < cb->change ? -1 : 1;
	return strcmp(ca->pkg.version, cb->pkg.version);
}

void
pkg_set_sort(struct pkg_set *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), pkg_qcmp);
}

void
pkg_changes_sort(struct pkg_changes *pc)
{
	if (pc->n > 1)
		qsort(pc->v, pc->n, sizeof(*pc->v), change_qcmp);
}

void
pkg_diff(const struct pkg_set *base, const struct pkg_set *cur,
    struct pkg_changes *out)
{
	struct pkg_set a = { 0 }, b = { 0 };
	size_t i = 0, j = 0;

	for (size_t k = 0; k < base->n; k++)
		pkg_set_push(&a, &base->v[k]);
	for (size_t k = 0; k < cur->n; k++)
		pkg_set_push(&b, &cur->v[k]);
	pkg_set_sort(&a);
	pkg_set_sort(&b);
	while (i < a.n || j < b.n) {
		int c;

		if (i == a.n)
			c = 1;
		else if (j == b.n)
			c = -1;
		else
			c = key_cmp(&a.v[i], &b.v[j]);
		if (c < 0) {
			pkg_changes_push(out, PKG_REMOVED, &a.v[i++], NULL);
		} else if (c > 0) {
			pkg_changes_push(out, PKG_ADDED, &b.v[j++], NULL);
		} else {
			if (strcmp(a.v[i].version, b.v[j].version) != 0)
				pkg_changes_push(out, PKG_UPGRADED, &b.v[j], a.v[i].version);
			i++;
			j++;
		}
	}
	pkg_set_release(&a);
	pkg_set_release(&b);
}
