#include "model/model.h"

#include <stdlib.h>
#include <string.h>

#include "util/strv.h"
#include "util/xalloc.h"

void
container_release(struct container *c)
{
	free(c->id);
	free(c->name);
	free(c->image_ref);
	free(c->image_id);
	free(c->status);
	free(c->created);
	free(c->user);
	free(c->workdir);
	free(c->hostname);
	kvv_release(&c->env);
	strv_release(&c->cmd);
	strv_release(&c->entrypoint);
	strv_release(&c->exposed_ports);
	for (size_t i = 0; i < c->n_ports; i++) {
		free(c->ports[i].container_port);
		free(c->ports[i].host_ip);
		free(c->ports[i].host_port);
	}
	free(c->ports);
	kvv_release(&c->labels);
	free(c->network_mode);
	free(c->restart_policy);
	free(c->storage_driver);
	free(c->upper_dir);
	free(c->lower_dirs);
	for (size_t i = 0; i < c->n_mounts; i++) {
		free(c->mounts[i].type);
		free(c->mounts[i].source);
		free(c->mounts[i].destination);
		free(c->mounts[i].mode);
		free(c->mounts[i].driver);
	}
	free(c->mounts);
	free(c->compose_project);
	free(c->compose_service);
	value_release(&c->run);
	memset(c, 0, sizeof(*c));
}

void
image_release(struct image *img)
{
	free(img->id);
	strv_release(&img->repo_tags);
	strv_release(&img->repo_digests);
	free(img->user);
	free(img->workdir);
	kvv_release(&img->env);
	strv_release(&img->cmd);
	strv_release(&img->entrypoint);
	strv_release(&img->exposed_ports);
	kvv_release(&img->labels);
	free(img->created);
	memset(img, 0, sizeof(*img));
}

/*
 * The repository of a reference, normalised the way the engine lists repo
 * digests: tag and digest dropped, "docker.io/library/" and "docker.io/"
 * prefixes removed. Returns a new string.
 */
static char *
ref_repository(const char *ref)
{
	const char *end = strchr(ref, '@'), *slash, *colon;
	char *repo;

	if (end == NULL)
		end = ref + strlen(ref);
	slash = NULL;
	for (const char *p = ref; p < end; p++)
		if (*p == '/')
			slash = p;
	colon = NULL;
	for (const char *p = slash ? slash : ref; p < end; p++)
		if (*p == ':')
			colon = p;
	if (colon != NULL)
		end = colon;
	repo = xstrndup(ref, (size_t)(end - ref));
	if (strncmp(repo, "docker.io/library/", 18) == 0)
		memmove(repo, repo + 18, strlen(repo + 18) + 1);
	else if (strncmp(repo, "docker.io/", 10) == 0)
		memmove(repo, repo + 10, strlen(repo + 10) + 1);
	else if (strncmp(repo, "index.docker.io/library/", 24) == 0)
		memmove(repo, repo + 24, strlen(repo + 24) + 1);
	return repo;
}

const char *
image_repo_digest(const struct image *img, const char *ref)
{
	cleanup_free char *want = NULL;
	const char *at;

	if (img == NULL || ref == NULL)
		return NULL;
	want = ref_repository(ref);
	at = strchr(ref, '@');
	for (size_t i = 0; i < img->repo_digests.n; i++) {
		const char *d = img->repo_digests.v[i];
		cleanup_free char *have = ref_repository(d);
		const char *dat = strchr(d, '@');

		if (strcmp(have, want) != 0 || dat == NULL)
			continue;
		if (at != NULL && strcmp(at, dat) != 0)
			continue;
		return d;
	}
	return NULL;
}

/* The tag ref names itself ("bookworm" of "debian:bookworm"), or NULL. */
static char *
ref_explicit_tag(const char *ref)
{
	const char *at = strchr(ref, '@'), *end = at ? at : ref + strlen(ref);
	const char *start = ref, *colon = NULL;

	for (const char *p = ref; p < end; p++)
		if (*p == '/')
			start = p;
	for (const char *p = start; p < end; p++)
		if (*p == ':')
			colon = p;
	return colon ? xstrndup(colon + 1, (size_t)(end - colon - 1)) : NULL;
}

int
image_ref_matches(const char *query, const char *ref)
{
	cleanup_free char *qrepo = ref_repository(query);
	cleanup_free char *rrepo = ref_repository(ref);
	cleanup_free char *qtag = NULL, *rtag = NULL;
	const char *qat = strchr(query, '@'), *rat = strchr(ref, '@');

	if (strcmp(qrepo, rrepo) != 0)
		return 0;
	if (qat)
		return rat != NULL && strcmp(qat, rat) == 0;
	/* Without a tag, the repository names every tag and digest. */
	if ((qtag = ref_explicit_tag(query)) == NULL)
		return 1;
	/* Without a tag or a digest, a reference means "latest". */
	if ((rtag = ref_explicit_tag(ref)) == NULL && rat == NULL)
		rtag = xstrdup("latest");
	return rtag != NULL && strcmp(qtag, rtag) == 0;
}

void
fs_changes_push_stamped(struct fs_changes *fc, const char *path,
    enum fs_change_kind kind, const struct fs_stamp *st)
{
	static const struct fs_stamp none;

	fc->v = vec_grow(fc->v, fc->n, &fc->cap, sizeof(*fc->v));
	fc->v[fc->n].path = xstrdup(path);
	fc->v[fc->n].kind = kind;
	fc->v[fc->n].secret = 0;
	fc->v[fc->n].stamp = st ? *st : none;
	fc->n++;
}

void
fs_changes_push(struct fs_changes *fc, const char *path, enum fs_change_kind kind)
{
	fs_changes_push_stamped(fc, path, kind, NULL);
}

void
fs_changes_release(struct fs_changes *fc)
{
	for (size_t i = 0; i < fc->n; i++)
		free(fc->v[i].path);
	free(fc->v);
	fc->v = NULL;
	fc->n = fc->cap = 0;
}

void
pkg_init_fields(struct pkg *p)
{
	p->manager = xstrdup("");
	p->name = xstrdup("");
	p->version = xstrdup("");
	p->arch = xstrdup("");
	p->automatic = 0;
	p->location = xstrdup("");
	p->installer = xstrdup("");
	p->origin = xstrdup("");
}

void
pkg_release(struct pkg *p)
{
	free(p->manager);
	free(p->name);
	free(p->version);
	free(p->arch);
	free(p->location);
	free(p->installer);
	free(p->origin);
	memset(p, 0, sizeof(*p));
}

static char *
dup_or_empty(const char *s)
{
	return xstrdup(s ? s : "");
}

void
pkg_copy(struct pkg *dst, const struct pkg *src)
{
	dst->manager = dup_or_empty(src->manager);
	dst->name = dup_or_empty(src->name);
	dst->version = dup_or_empty(src->version);
	dst->arch = dup_or_empty(src->arch);
	dst->automatic = src->automatic;
	dst->location = dup_or_empty(src->location);
	dst->installer = dup_or_empty(src->installer);
	dst->origin = dup_or_empty(src->origin);
}

void
pkg_set_push(struct pkg_set *s, const struct pkg *p)
{
	s->v = vec_grow(s->v, s->n, &s->cap, sizeof(*s->v));
	pkg_copy(&s->v[s->n++], p);
}

void
pkg_set_add(struct pkg_set *s, const char *manager, const char *name,
    const char *version, const char *arch)
{
	struct pkg p = { 0 };

	p.manager = (char *)manager;
	p.name = (char *)name;
	p.version = (char *)version;
	p.arch = (char *)arch;
	pkg_set_push(s, &p);	/* copies, turning NULLs into "" */
}

char *
pip_normalize_name(const char *name)
{
	size_t n = strlen(name), o = 0;
	char *out = xmalloc(n + 1);
	int in_sep = 0;

	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (c == '-' || c == '_' || c == '.') {
			if (!in_sep)
				out[o++] = '-';
			in_sep = 1;
			continue;
		}
		in_sep = 0;
		out[o++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	out[o] = '\0';
	return out;
}

void
pkg_changes_push(struct pkg_changes *pc, enum pkg_change_kind kind,
    const struct pkg *p, const char *old_version)
{
	pc->v = vec_grow(pc->v, pc->n, &pc->cap, sizeof(*pc->v));
	pc->v[pc->n].change = kind;
	pkg_copy(&pc->v[pc->n].pkg, p);
	pc->v[pc->n].old_version = xstrdup(old_version ? old_version : "");
	pc->v[pc->n].first_saved = NULL;
	pc->n++;
}

/* The key a package is known by across snapshots. */
static int
pkg_key_cmp(const struct pkg *a, const struct pkg *b)
{
	int c;

	if ((c = strcmp(a->manager, b->manager)) != 0 ||
	    (c = strcmp(a->name, b->name)) != 0 ||
	    (c = strcmp(a->arch, b->arch)) != 0)
		return c;
	return strcmp(a->location, b->location);
}

const struct pkg_change *
pkg_changes_find(const struct pkg_changes *pc, const struct pkg *p)
{
	for (size_t i = 0; pc && i < pc->n; i++) {
		const struct pkg *q = &pc->v[i].pkg;

		if (pkg_key_cmp(q, p) == 0)
			return &pc->v[i];
	}
	return NULL;
}

static int
change_key_cmp(const void *a, const void *b)
{
	return pkg_key_cmp(&(*(const struct pkg_change *const *)a)->pkg,
	    &(*(const struct pkg_change *const *)b)->pkg);
}

void
pkg_set_apply(struct pkg_set *set, const struct pkg_changes *pc)
{
	/* The changes sorted by key: one binary search per package. */
	const struct pkg_change **v = xcalloc(pc->n + 1, sizeof(*v));

	for (size_t i = 0; i < pc->n; i++)
		v[i] = &pc->v[i];
	if (pc->n > 1)
		qsort(v, pc->n, sizeof(*v), change_key_cmp);
	for (size_t i = 0; i < set->n; ) {
		struct pkg_change key = { .pkg = set->v[i] };
		const struct pkg_change *kp = &key;

		if (pc->n > 0 && bsearch(&kp, v, pc->n, sizeof(*v),
		    change_key_cmp) != NULL) {
			pkg_release(&set->v[i]);
			set->v[i] = set->v[--set->n];
		} else {
			i++;
		}
	}
	free(v);
	for (size_t i = 0; i < pc->n; i++)
		if (pc->v[i].change != PKG_REMOVED)
			pkg_set_push(set, &pc->v[i].pkg);
}

void
pkg_set_release(struct pkg_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		pkg_release(&s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

void
pkg_changes_release(struct pkg_changes *pc)
{
	for (size_t i = 0; i < pc->n; i++) {
		pkg_release(&pc->v[i].pkg);
		free(pc->v[i].old_version);
		free(pc->v[i].first_saved);
	}
	free(pc->v);
	pc->v = NULL;
	pc->n = pc->cap = 0;
}

const char *
pkg_change_name(enum pkg_change_kind k)
{
	switch (k) {
	case PKG_ADDED:
		return "added";
	case PKG_REMOVED:
		return "removed";
	case PKG_UPGRADED:
		return "upgraded";
	}
	return "?";
}

void
apt_sources_push(struct apt_sources *as, const char *uri, const char *suite,
    const char *components, const char *signed_by, const char *archive)
{
	struct apt_source *a;

	as->v = vec_grow(as->v, as->n, &as->cap, sizeof(*as->v));
	a = &as->v[as->n++];
	a->uri = dup_or_empty(uri);
	a->suite = dup_or_empty(suite);
	a->components = dup_or_empty(components);
	a->signed_by = dup_or_empty(signed_by);
	a->archive = dup_or_empty(archive);
}

void
apt_sources_release(struct apt_sources *as)
{
	for (size_t i = 0; i < as->n; i++) {
		free(as->v[i].uri);
		free(as->v[i].suite);
		free(as->v[i].components);
		free(as->v[i].signed_by);
		free(as->v[i].archive);
	}
	free(as->v);
	as->v = NULL;
	as->n = as->cap = 0;
}

void
snapshot_release(struct snapshot *s)
{
	free(s->engine);
	free(s->created_at);
	free(s->message);
	free(s->image);
	free(s->image_id);
	free(s->fingerprint);
	free(s->state);
	container_release(&s->config);
	image_release(&s->base);
	free(s->base_digest);
	pkg_changes_release(&s->packages);
	fs_changes_release(&s->changes);
	fs_changes_release(&s->loose);
	apt_sources_release(&s->apt_sources);
	free(s->recipe_commit);
	free(s->verify_status);
	free(s->verify_at);
	free(s->verify_detail);
	free(s->pruned_at);
	free(s->registry_ref);
	free(s->imported_at);
	strv_release(&s->secrets_left_out);
	free(s->image_history);
	memset(s, 0, sizeof(*s));
}
