#include "core/import.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/snapshots.h"
#include "engine/json_value.h"
#include "model/model.h"
#include "pkg/pkg.h"
#include "recipes/recipes.h"
#include "util/xalloc.h"

void
import_result_release(struct import_result *r)
{
	strv_release(&r->imported);
	strv_release(&r->kept);
	strv_release(&r->warnings);
	memset(r, 0, sizeof(*r));
}

/* A string member as a new string: def when missing or not a string. */
static char *
str_dup(const struct value *obj, const char *key, const char *def)
{
	const char *s = value_str(obj, key);

	return s ? xstrdup(s) : def ? xstrdup(def) : NULL;
}

static long long
int_of(const struct value *obj, const char *key)
{
	const struct value *v = value_get(obj, key);

	return v && (v->type == VALUE_INT || v->type == VALUE_BOOL) ? v->i : 0;
}

/* The strings of array member key, appended to out. */
static void
strv_of(const struct value *obj, const char *key, struct strv *out)
{
	const struct value *a = value_get(obj, key);

	for (size_t i = 0; a && a->type == VALUE_ARRAY && i < a->n; i++)
		if (a->v[i].type == VALUE_STRING)
			strv_push(out, a->v[i].s);
}

/* "K=V" strings of array member key into kv. */
static void
env_of(const struct value *obj, const char *key, struct kvv *kv)
{
	struct strv sv = { 0 };

	strv_of(obj, key, &sv);
	for (size_t i = 0; i < sv.n; i++) {
		char *eq = strchr(sv.v[i], '=');

		if (eq == NULL) {
			kvv_push(kv, sv.v[i], "");
			continue;
		}
		*eq = '\0';
		kvv_push(kv, sv.v[i], eq + 1);
	}
	strv_release(&sv);
}

/*
 * The container's env, less the secret variables (named only: their
 * values never reach the repository), whose names go to secrets.
 */
static void
config_env(const struct value *doc, struct container *c, struct strv *secrets)
{
	const struct value *a = value_get(doc, "env");

	for (size_t i = 0; a && a->type == VALUE_ARRAY && i < a->n; i++) {
		const struct value *e = &a->v[i];
		const char *name = value_str(e, "name");
		const char *v = value_str(e, "value");

		if (name == NULL)
			continue;
		if (int_of(e, "secret") || v == NULL)
			strv_push(secrets, name);
		else
			kvv_push(&c->env, name, v);
	}
}

/* The run config, less the secret variables' "<redacted>" stand-ins. */
static void
config_run(const struct value *doc, struct container *c,
    const struct strv *secrets)
{
	const struct value *run = value_get(doc, "run");
	struct value *env;

	if (run == NULL || run->type != VALUE_OBJECT)
		return;
	value_copy(&c->run, run);
	env = value_get(value_get(&c->run, "Config"), "Env");
	for (size_t i = env && env->type == VALUE_ARRAY ? env->n : 0; i-- > 0;) {
		const char *kv = env->v[i].type == VALUE_STRING ? env->v[i].s : "";
		size_t len = strcspn(kv, "=");

		for (size_t k = 0; k < secrets->n; k++)
			if (strlen(secrets->v[k]) == len &&
			    strncmp(secrets->v[k], kv, len) == 0) {
				value_remove_at(env, i);
				break;
			}
	}
}

static void
config_of(const struct value *doc, const char *name, struct container *c,
    struct strv *secrets)
{
	const struct value *base = value_get(doc, "base"), *a;

	c->id = xstrdup("");	/* that machine's container is not here */
	c->name = xstrdup(name);
	c->image_ref = str_dup(base, "ref", "");
	c->image_id = str_dup(base, "id", "");
	c->status = xstrdup("");
	c->created = xstrdup("");
	c->user = str_dup(doc, "user", "");
	c->workdir = str_dup(doc, "workdir", "");
	c->hostname = str_dup(doc, "hostname", "");
	config_env(doc, c, secrets);
	strv_of(doc, "cmd", &c->cmd);
	strv_of(doc, "entrypoint", &c->entrypoint);
	c->has_entrypoint = (int)int_of(doc, "has_entrypoint");
	strv_of(doc, "exposed_ports", &c->exposed_ports);
	a = value_get(doc, "ports");
	if (a && a->type == VALUE_ARRAY && a->n) {
		c->ports = xcalloc(a->n, sizeof(*c->ports));
		for (size_t i = 0; i < a->n; i++, c->n_ports++) {
			c->ports[i].container_port = str_dup(&a->v[i],
			    "container_port", "");
			c->ports[i].host_ip = str_dup(&a->v[i], "host_ip", "");
			c->ports[i].host_port = str_dup(&a->v[i], "host_port", "");
		}
	}
	a = value_get(doc, "labels");
	for (size_t i = 0; a && a->type == VALUE_OBJECT && i < a->n; i++)
		if (a->v[i].type == VALUE_STRING)
			kvv_push(&c->labels, a->v[i].key, a->v[i].s);
	c->network_mode = str_dup(doc, "network_mode", "");
	c->restart_policy = str_dup(doc, "restart_policy", "");
	c->restart_max = (int)int_of(doc, "restart_max");
	c->tty = (int)int_of(doc, "tty");
	c->open_stdin = (int)int_of(doc, "open_stdin");
	a = value_get(doc, "mounts");
	if (a && a->type == VALUE_ARRAY && a->n) {
		c->mounts = xcalloc(a->n, sizeof(*c->mounts));
		for (size_t i = 0; i < a->n; i++, c->n_mounts++) {
			struct mount *m = &c->mounts[i];

			m->type = str_dup(&a->v[i], "type", "");
			m->source = str_dup(&a->v[i], "source", "");
			m->destination = str_dup(&a->v[i], "destination", "");
			m->mode = str_dup(&a->v[i], "mode", "");
			m->rw = (int)int_of(&a->v[i], "rw");
			m->driver = str_dup(&a->v[i], "driver", "");
		}
	}
	c->compose_project = str_dup(doc, "compose_project", NULL);
	c->compose_service = str_dup(doc, "compose_service", NULL);
	c->compose_number = (int)int_of(doc, "compose_number");
	c->storage_driver = xstrdup("");
	c->upper_dir = xstrdup("");
	c->lower_dirs = xstrdup("");
	config_run(doc, c, secrets);
}

static void
base_of(const struct value *doc, struct image *b)
{
	const struct value *bc = value_get(doc, "base_config");

	b->id = str_dup(value_get(doc, "base"), "id", "");
	b->user = str_dup(bc, "user", "");
	b->workdir = str_dup(bc, "workdir", "");
	env_of(bc, "env", &b->env);
	strv_of(bc, "cmd", &b->cmd);
	strv_of(bc, "entrypoint", &b->entrypoint);
	b->created = xstrdup("");
}

static int
change_kind(const char *s, enum pkg_change_kind *out)
{
	static const enum pkg_change_kind kinds[] = { PKG_ADDED, PKG_REMOVED,
	    PKG_UPGRADED };

	for (size_t i = 0; s && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(s, pkg_change_name(kinds[i])) == 0) {
			*out = kinds[i];
			return 0;
		}
	return -1;
}

static void
content_of(const struct value *doc, struct snapshot *s)
{
	const struct value *a = value_get(doc, "packages");

	for (size_t i = 0; a && a->type == VALUE_ARRAY && i < a->n; i++) {
		const struct value *p = &a->v[i];
		enum pkg_change_kind kind;
		struct pkg pkg = {
			.manager = (char *)value_str(p, "manager"),
			.name = (char *)value_str(p, "name"),
			.version = (char *)value_str(p, "version"),
			.arch = (char *)value_str(p, "arch"),
			.automatic = (int)int_of(p, "auto"),
			.location = (char *)value_str(p, "location"),
			.installer = (char *)value_str(p, "installer"),
			.origin = (char *)value_str(p, "origin"),
		};

		if (!pkg.manager || !pkg.name || !pkg.version ||
		    change_kind(value_str(p, "change"), &kind) < 0)
			continue;
		pkg.arch = pkg.arch ? pkg.arch : "";
		pkg.location = pkg.location ? pkg.location : "";
		pkg.installer = pkg.installer ? pkg.installer : "";
		pkg.origin = pkg.origin ? pkg.origin : "";
		pkg_changes_push(&s->packages, kind, &pkg,
		    value_str(p, "old_version"));
	}
	a = value_get(doc, "files");
	for (size_t i = 0; a && a->type == VALUE_ARRAY && i < a->n; i++) {
		const char *path = value_str(&a->v[i], "path");
		const char *kind = value_str(&a->v[i], "kind");

		if (path == NULL || kind == NULL)
			continue;
		fs_changes_push(&s->loose, path, strcmp(kind, "added") == 0 ?
		    FS_ADDED : strcmp(kind, "deleted") == 0 ? FS_DELETED :
		    FS_MODIFIED);
		s->loose.v[s->loose.n - 1].secret =
		    (int)int_of(&a->v[i], "credentials");
	}
	a = value_get(doc, "apt_sources");
	for (size_t i = 0; a && a->type == VALUE_ARRAY && i < a->n; i++)
		apt_sources_push(&s->apt_sources, value_str(&a->v[i], "uri"),
		    value_str(&a->v[i], "suite"),
		    value_str(&a->v[i], "components"),
		    value_str(&a->v[i], "signed_by"),
		    value_str(&a->v[i], "archive"));
}

/*
 * The base image's packages: keep.lock lists every package of the
 * snapshot, its changes say which of them it added or upgraded (the base
 * had the old version) and which base packages it removed.
 */
static void
base_packages(const struct buf *lock, const struct pkg_changes *pc,
    struct pkg_set *out)
{
	cleanup_free char *text = xstrndup(lock->ptr ? lock->ptr : "", lock->len);
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		char *f[6] = { 0 }, *ws = NULL;
		const struct pkg_change *ch;
		struct pkg p;
		size_t n = 0;

		if (line[0] == '#')
			continue;
		for (char *w = strtok_r(line, " ", &ws); w && n < 6;
		    w = strtok_r(NULL, " ", &ws))
			f[n++] = w;
		if (n < 5)
			continue;
		p = (struct pkg){
			.manager = f[0], .name = f[1], .version = f[2],
			.arch = strcmp(f[3], "-") == 0 ? "" : f[3],
			.automatic = strcmp(f[4], "auto") == 0,
			.location = f[5] ? f[5] : "", .installer = "",
			.origin = "",
		};
		ch = pkg_changes_find(pc, &p);
		if (ch && ch->change == PKG_UPGRADED)
			p.version = ch->old_version;
		if (ch == NULL || ch->change == PKG_UPGRADED)
			pkg_set_push(out, &p);
	}
	for (size_t i = 0; i < pc->n; i++)
		if (pc->v[i].change == PKG_REMOVED)
			pkg_set_push(out, &pc->v[i].pkg);
	pkg_set_sort(out);
}

/* "#SEQ REF" lines of NAME/images: the ref of seq, or NULL. */
static char *
registry_ref(const struct buf *images, long seq)
{
	cleanup_free char *text = xstrndup(images->ptr ? images->ptr : "",
	    images->len);
	char *save = NULL, *ref = NULL;

	for (char *line = strtok_r(text, "\n", &save); line && ref == NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *end;
		long n;

		if (line[0] != '#')
			continue;
		n = strtol(line + 1, &end, 10);
		if (n == seq && *end == ' ' && strchr(end + 1, '@'))
			ref = xstrdup(end + 1);
	}
	return ref;
}

/* Snapshot sv->seq of sv->name from what the repository holds. */
static int
snapshot_of(const struct recipes_save *sv, const char *engine,
    const struct buf *images, struct snapshot *s, struct pkg_set *base_set,
    struct import_result *out, struct keep_error **err)
{
	cleanup_free char *what = xasprintf("%s/container.json at %.12s",
	    sv->name, sv->commit);
	struct value doc;

	memset(s, 0, sizeof(*s));
	if (engine_json_value(sv->config.ptr ? sv->config.ptr : "",
	    sv->config.len, what, &doc, err) < 0)
		return -1;
	s->seq = sv->seq;
	s->engine = xstrdup(engine);
	s->created_at = str_dup(&doc, "created", NULL);
	s->message = str_dup(&doc, "message", "");
	s->image = str_dup(&doc, "image", "");
	s->image_id = xstrdup("");
	s->fingerprint = xstrdup("");
	s->base_digest = str_dup(value_get(&doc, "base"), "digest", NULL);
	s->recipe_commit = xstrdup(sv->commit);
	s->registry_ref = registry_ref(images, sv->seq);
	config_of(&doc, sv->name, &s->config, &s->secrets_left_out);
	base_of(&doc, &s->base);
	content_of(&doc, s);
	if (value_get(&doc, "packages") == NULL)
		strv_pushf(&out->warnings, "%s #%ld: its container.json was "
		    "written by an older keep and lists no package changes: "
		    "imported without them", sv->name, sv->seq);
	else if (sv->lock.len)
		base_packages(&sv->lock, &s->packages, base_set);
	value_release(&doc);
	return 0;
}

int
import_recipes(struct catalog *cat, const char *recipes_dir,
    const char *engine, struct import_result *out, struct keep_error **err)
{
	struct recipes *r = NULL;
	struct recipes_saves saves = { 0 };
	cleanup_free char *skip = NULL;	/* a container left out */
	struct buf images = BUF_INIT;
	cleanup_free char *images_of = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (recipes_open(recipes_dir, &r, err) < 0 ||
	    recipes_saves(r, &saves, err) < 0)
		goto out;
	for (size_t i = 0; i < saves.n; i++) {
		const struct recipes_save *sv = &saves.v[i];
		struct pkg_set base_set = { 0 };
		struct snapshot s;
		int got;

		if (skip && strcmp(skip, sv->name) == 0)
			continue;
		if (images_of == NULL || strcmp(images_of, sv->name) != 0) {
			cleanup_free char *path = xasprintf("%s/images",
			    sv->name);

			free(images_of);
			images_of = xstrdup(sv->name);
			buf_truncate(&images, 0);
			if (recipes_read_head(r, path, &images, err) < 0) {
				if (!keep_error_not_found(err))
					goto out;
			}
		}
		if (snapshot_of(sv, engine, &images, &s, &base_set, out,
		    err) < 0) {
			/* Another machine's file: one bad save is not all. */
			strv_pushf(&out->warnings, "%s #%ld not imported: %s",
			    sv->name, sv->seq, (*err)->message);
			keep_error_free(*err);
			*err = NULL;
			continue;
		}
		got = catalog_snapshot_import(cat, &s, base_set.n ? &base_set :
		    NULL, recipes_workdir(r), err);
		snapshot_release(&s);
		pkg_set_release(&base_set);
		if (got < 0)
			goto out;
		if (got == 0)
			strv_pushf(&out->imported, "%s #%ld", sv->name, sv->seq);
		else if (got == 1)
			out->already++;
		else {
			strv_pushf(&out->kept, "%s: this catalog's #%ld is not "
			    "the repository's #%ld (commit %.12s; saved on two "
			    "machines): kept this one, imported none of its "
			    "snapshots from #%ld on", sv->name, sv->seq,
			    sv->seq, sv->commit, sv->seq);
			free(skip);
			skip = xstrdup(sv->name);
		}
	}
	rc = 0;
out:
	buf_release(&images);
	recipes_saves_release(&saves);
	recipes_close(r);
	if (rc < 0) {
		import_result_release(out);
		return keep_error_wrap(err, "import the recipes of '%s'",
		    recipes_dir);
	}
	return 0;
}
