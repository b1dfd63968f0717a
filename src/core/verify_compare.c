/*
 * verify's comparisons beyond packages: the loose files and the config a
 * Dockerfile carries, and the one-line summary of all three. Pure: the
 * caller reads the images (core/verify.c).
 */
#include "core/verify.h"

#include <stdlib.h>
#include <string.h>

#include "model/secrets.h"
#include "render/dockerfile.h"
#include "util/buf.h"
#include "util/xalloc.h"

static void
item_add(struct verify_items *items, const char *what, const char *kind,
    const char *want, const char *got, const char *why)
{
	struct verify_item *it;

	items->v = xrealloc(items->v, (items->n + 1) * sizeof(*items->v));
	it = &items->v[items->n++];
	it->what = xstrdup(what);
	it->kind = xstrdup(kind);
	it->want = xstrdup(want ? want : "");
	it->got = xstrdup(got ? got : "");
	it->why = xstrdup(why ? why : "");
}

/* --- files ---------------------------------------------------------------- */

/* "regular file 0644 0:0 sha256:0123456789ab", as the item shows it. */
static char *
describe(const struct image_file *f)
{
	const char *type = tar_type_name(f->type);

	/* Without the article: "a regular file" -> "regular file". */
	type += strncmp(type, "an ", 3) == 0 ? 3 : strncmp(type, "a ", 2) == 0 ? 2 : 0;
	if (f->type == TAR_FILE)
		return xasprintf("%s %04o %lld:%lld sha256:%.12s", type, f->mode,
		    f->uid, f->gid, f->sha256);
	if (f->type == TAR_SYMLINK || f->type == TAR_HARDLINK)
		return xasprintf("%s %lld:%lld -> %s", type, f->uid, f->gid,
		    f->link);
	return xasprintf("%s %04o %lld:%lld", type, f->mode, f->uid, f->gid);
}

/* What of a and b differs ("content and mode"), or NULL when nothing. */
static char *
aspects(const struct image_file *a, const struct image_file *b)
{
	struct strv v = { 0 };
	struct buf out = BUF_INIT;

	if (a->type != b->type)
		strv_push(&v, "type");
	else if (strcmp(a->sha256, b->sha256) != 0)
		strv_push(&v, "content");
	else if (strcmp(a->link, b->link) != 0)
		strv_push(&v, "link target");
	if (a->type == b->type && a->type != TAR_SYMLINK && a->mode != b->mode)
		strv_push(&v, "mode");
	if (a->uid != b->uid || a->gid != b->gid)
		strv_push(&v, "owner");
	for (size_t i = 0; i < v.n; i++)
		buf_printf(&out, "%s%s", i == 0 ? "" : i + 1 == v.n ? " and " : ", ",
		    v.v[i]);
	if (v.n > 0)
		buf_addstr(&out, v.n == 1 ? " differs" : " differ");
	strv_release(&v);
	return out.len ? buf_detach(&out, NULL) : NULL;
}

void
verify_files(const struct snapshot *s, const struct image_files *snap,
    const struct image_files *got, const struct strv *in_context,
    struct verify_result *out)
{
	const char *no_context = "rendered without --context";

	out->context = in_context != NULL;
	for (size_t i = 0; i < s->loose.n; i++) {
		const char *p = s->loose.v[i].path;
		const struct image_file *a = image_files_find(snap, p);
		const struct image_file *b = image_files_find(got, p);
		cleanup_free char *want = NULL, *have = NULL, *diff = NULL;
		cleanup_free char *why = NULL;

		if (s->loose.v[i].kind == FS_DELETED) {
			out->files.compared++;
			if (b == NULL || !b->present)
				continue;
			have = describe(b);
			item_add(&out->files, p, "extra", "", have,
			    in_context ? "the recipe could not remove it" : no_context);
			continue;
		}
		if (a == NULL || !a->present)
			continue;	/* gone from the snapshot too: nothing to rebuild */
		out->files.compared++;
		want = describe(a);
		if (in_context == NULL)
			why = xstrdup(no_context);
		else if (!strv_sorted_has(in_context, p))
			why = a->type == TAR_FILE || a->type == TAR_DIR ?
			    xstrdup("not in the build context") :
			    xasprintf("%s: not copied into the build context",
			    tar_type_name(a->type));
		if (b == NULL || !b->present) {
			item_add(&out->files, p, "missing", want, "", why);
			continue;
		}
		if ((diff = aspects(a, b)) == NULL)
			continue;
		have = describe(b);
		item_add(&out->files, p, "different", want, have, why ? why : diff);
	}
}

/* --- config ----------------------------------------------------------------- */

/* Labels the engine and keep put on a container, no image's. */
static int
runtime_label(const char *key)
{
	return strncmp(key, "com.docker.compose.", 19) == 0 ||
	    strncmp(key, "io.keep.", 8) == 0;
}

/* ["a", "b"] with URL credentials hidden: how cmd and entrypoint show. */
static char *
show_args(const struct strv *args)
{
	struct buf b = BUF_INIT;

	buf_addch(&b, '[');
	for (size_t i = 0; i < args->n; i++) {
		cleanup_free char *v = secrets_redact(args->v[i]);

		buf_printf(&b, "%s\"%s\"", i ? ", " : "", v);
	}
	buf_addch(&b, ']');
	return buf_detach(&b, NULL);
}

static void
compare_args(struct verify_items *items, const char *what,
    const struct strv *want, const struct strv *got)
{
	items->compared++;
	if (!strv_equal(want, got)) {
		cleanup_free char *w = show_args(want), *g = show_args(got);

		item_add(items, what, "different", w, g, "");
	}
}

/* Exposed ports, sorted, "80" written as "80/tcp" as the engine does. */
static char *
show_ports(const struct strv *ports)
{
	struct strv v = { 0 };
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < ports->n; i++) {
		if (strchr(ports->v[i], '/'))
			strv_push(&v, ports->v[i]);
		else
			strv_pushf(&v, "%s/tcp", ports->v[i]);
	}
	strv_sort(&v);
	for (size_t i = 0; i < v.n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", v.v[i]);
	strv_release(&v);
	return b.ptr ? buf_detach(&b, NULL) : xstrdup("");
}

static void
compare_user_workdir(const struct snapshot *s, const struct image *rebuilt,
    struct verify_items *items)
{
	const char *user = s->config.user && s->config.user[0] ?
	    s->config.user : s->base.user ? s->base.user : "";
	const char *got = rebuilt->user ? rebuilt->user : "";
	const char *wd = s->config.workdir ? s->config.workdir : "";
	const char *got_wd = rebuilt->workdir ? rebuilt->workdir : "";

	items->compared += 2;
	if (!(render_user_is_root(user) && render_user_is_root(got)) &&
	    strcmp(user, got) != 0)
		item_add(items, "user", "different", user[0] ? user : "root",
		    got[0] ? got : "root", "");
	/* No working directory is "/". */
	if (strcmp(wd[0] ? wd : "/", got_wd[0] ? got_wd : "/") != 0)
		item_add(items, "workdir", "different", wd[0] ? wd : "/",
		    got_wd[0] ? got_wd : "/", "");
}

static void
compare_env(const struct snapshot *s, const struct image *rebuilt,
    struct verify_result *out)
{
	const struct kvv *env = &s->config.env;

	for (size_t i = 0; i < env->n; i++) {
		const char *k = env->v[i].key, *v = env->v[i].value;
		const char *got = kvv_get(&rebuilt->env, k);
		enum secret_class cls = secrets_classify_env(k, v);
		cleanup_free char *what = xasprintf("env %s", k);

		if (cls == SECRET_PROXY) {
			strv_pushf(&out->left_out, "%s (a proxy: a build argument, "
			    "never baked into the image)", what);
			continue;
		}
		if (cls != SECRET_NONE) {
			strv_pushf(&out->left_out, "%s (a secret: recipes leave it "
			    "out, keep resume passes it at run time)", what);
			continue;
		}
		out->config.compared++;
		if (got == NULL)
			item_add(&out->config, what, "missing", v, "", "");
		else if (strcmp(got, v) != 0) {
			cleanup_free char *shown = secrets_redact_env(k, got);

			item_add(&out->config, what, "different", v, shown, "");
		}
	}
	for (size_t i = 0; i < rebuilt->env.n; i++) {
		const char *k = rebuilt->env.v[i].key;
		cleanup_free char *what = NULL, *shown = NULL;

		if (kvv_get(env, k) != NULL)
			continue;
		what = xasprintf("env %s", k);
		shown = secrets_redact_env(k, rebuilt->env.v[i].value);
		item_add(&out->config, what, "extra", "", shown,
		    kvv_get(&s->base.env, k) ? "the base image sets it and a "
		    "Dockerfile cannot unset it" : "");
	}
}

static void
compare_labels(const struct snapshot *s, const struct image *rebuilt,
    struct verify_items *items)
{
	const struct kvv *labels = &s->config.labels;

	for (size_t i = 0; i < labels->n; i++) {
		const char *k = labels->v[i].key;
		const char *got = kvv_get(&rebuilt->labels, k);
		cleanup_free char *what = NULL, *want = NULL, *have = NULL;

		if (runtime_label(k))
			continue;
		items->compared++;
		if (got != NULL && strcmp(got, labels->v[i].value) == 0)
			continue;
		what = xasprintf("label %s", k);
		want = secrets_redact_env(k, labels->v[i].value);
		if (got == NULL) {
			item_add(items, what, "missing", want, "",
			    "set at run time (docker run --label): recipes write no LABEL");
			continue;
		}
		have = secrets_redact_env(k, got);
		item_add(items, what, "different", want, have, "");
	}
	for (size_t i = 0; i < rebuilt->labels.n; i++) {
		const char *k = rebuilt->labels.v[i].key;
		cleanup_free char *what = NULL, *have = NULL;

		if (runtime_label(k) || kvv_get(labels, k) != NULL)
			continue;
		what = xasprintf("label %s", k);
		have = secrets_redact_env(k, rebuilt->labels.v[i].value);
		item_add(items, what, "extra", "", have, "");
	}
}

void
verify_config(const struct snapshot *s, const struct image *rebuilt,
    struct verify_result *out)
{
	cleanup_free char *ports = show_ports(&s->config.exposed_ports);
	cleanup_free char *got_ports = show_ports(&rebuilt->exposed_ports);

	compare_user_workdir(s, rebuilt, &out->config);
	compare_env(s, rebuilt, out);
	compare_args(&out->config, "entrypoint", &s->config.entrypoint,
	    &rebuilt->entrypoint);
	compare_args(&out->config, "cmd", &s->config.cmd, &rebuilt->cmd);
	out->config.compared++;
	if (strcmp(ports, got_ports) != 0)
		item_add(&out->config, "exposed ports", "different", ports,
		    got_ports, "");
	compare_labels(s, rebuilt, &out->config);
}

/* --- summary ------------------------------------------------------------------ */

static const char *
plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* The why every item shares, or NULL. */
static const char *
common_why(const struct verify_items *items)
{
	for (size_t i = 0; i < items->n; i++)
		if (items->v[i].why[0] == '\0' ||
		    strcmp(items->v[i].why, items->v[0].why) != 0)
			return NULL;
	return items->n ? items->v[0].why : NULL;
}

void
verify_summarize(struct verify_result *out)
{
	struct buf b = BUF_INIT;
	const char *why;

	free(out->detail);
	if (out->n + out->files.n + out->config.n == 0) {
		out->status = "identical";
		buf_printf(&b, "%zu %s, %zu %s and %zu config %s identical",
		    out->compared, plural(out->compared, "package", "packages"),
		    out->files.compared, plural(out->files.compared, "file", "files"),
		    out->config.compared, plural(out->config.compared, "item", "items"));
		if (out->left_out.n > 0)
			buf_printf(&b, "; %zu left out on purpose", out->left_out.n);
		out->detail = buf_detach(&b, NULL);
		return;
	}
	out->status = "different";
	if (out->n > 0)
		buf_printf(&b, "packages: %zu of %zu differ", out->n,
		    out->compared + out->n);
	if (out->files.n > 0) {
		buf_printf(&b, "%sfiles: %zu of %zu not reproduced", b.len ? "; " : "",
		    out->files.n, out->files.compared);
		if ((why = common_why(&out->files)) != NULL)
			buf_printf(&b, " (%s)", why);
	}
	if (out->config.n > 0)
		buf_printf(&b, "%sconfig: %zu of %zu differ", b.len ? "; " : "",
		    out->config.n, out->config.compared);
	out->detail = buf_detach(&b, NULL);
}
