/*
 * How a snapshot is shown: the one-line summary of save, the readable form
 * of show, and the JSON object both print with --json. Env values of secret
 * variables never appear here (model/secrets.h decides), and every line
 * passes cli_put: names, paths, refs and labels came from the container or
 * its image.
 */
#include "cli/snapshot_out.h"

#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/history.h"
#include "core/snapshot_json.h"
#include "model/run.h"
#include "model/secrets.h"
#include "util/xalloc.h"

static const char *managers[] = { "dpkg", "apk", "pip", "npm", NULL };

void
snapshot_summary(const struct snapshot *s, struct buf *out)
{
	size_t start = out->len;

	for (const char **m = managers; *m; m++) {
		size_t add = 0, rm = 0, up = 0;

		for (size_t i = 0; i < s->packages.n; i++) {
			const struct pkg_change *pc = &s->packages.v[i];

			if (strcmp(pc->pkg.manager, *m) != 0)
				continue;
			if (pc->change == PKG_ADDED)
				add++;
			else if (pc->change == PKG_REMOVED)
				rm++;
			else
				up++;
		}
		if (add)
			buf_printf(out, "%s+%zu %s", out->len > start ? ", " : "", add, *m);
		if (rm)
			buf_printf(out, "%s\u2212%zu %s", out->len > start ? ", " : "", rm, *m);
		if (up)
			buf_printf(out, "%s~%zu %s", out->len > start ? ", " : "", up, *m);
	}
	buf_printf(out, "%s%zu file%s", out->len > start ? ", " : "", s->loose.n,
	    s->loose.n == 1 ? "" : "s");
}

static void
put_argv(FILE *f, const struct strv *argv)
{
	struct strv sv = { 0 };

	/* "--password VALUE" is a pair the element-wise redaction misses. */
	secrets_redact_argv(argv, &sv);
	fputc('[', f);
	for (size_t i = 0; i < sv.n; i++) {
		fputs(i ? ", \"" : "\"", f);
		cli_put(f, sv.v[i]);
		fputc('"', f);
	}
	fputc(']', f);
	strv_release(&sv);
}

/*
 * How it was run, where that differs from the engine's defaults (secrets
 * redacted): one "PATH VALUE" line each, VALUE as JSON.
 */
static void
settings_print(FILE *f, const struct container *c)
{
	struct value run;
	struct run_settings set = { 0 };
	size_t width = 0;

	if (c->run.type == VALUE_NULL)
		return;
	run_redact(&c->run, &run);
	run_settings(&run, &set);
	for (size_t i = 0; i < set.n; i++)
		if (strlen(set.v[i].path) > width)
			width = strlen(set.v[i].path);
	if (set.n)
		fputs("\nrun with (unlike the engine's defaults):\n", f);
	for (size_t i = 0; i < set.n; i++) {
		cleanup_free char *v = value_json_dup(set.v[i].v);

		fputs("  ", f);
		cli_put(f, set.v[i].path);
		fprintf(f, "%*s ", (int)(width - strlen(set.v[i].path)), "");
		cli_put(f, v);
		fputc('\n', f);
	}
	run_settings_release(&set);
	value_release(&run);
}

void
snapshot_print(FILE *f, const struct snapshot *s)
{
	const struct container *c = &s->config;
	struct buf sum = BUF_INIT;

	snapshot_summary(s, &sum);
	cli_line(f, "%s #%ld  %s", c->name, s->seq, s->image);
	cli_line(f, "  saved:      %s", s->created_at);
	if (s->message && s->message[0]) {
		fputs("  message:    ", f);
		cli_put(f, s->message);
		fputc('\n', f);
	}
	if (s->imported_at)
		cli_line(f, "  image:      not on this engine: imported from "
		    "the recipe repository at %s (resume --from-recipe builds "
		    "it%s)", s->imported_at, s->registry_ref ?
		    ", or resume pulls it from the registry" : "");
	else
		cli_line(f, "  image id:   %s", s->image_id);
	if (s->registry_ref)
		cli_line(f, "  registry:   %s", s->registry_ref);
	if (s->pruned_at)
		cli_line(f, "  image:      pruned at %s (the recipe stays: "
		    "resume --from-recipe rebuilds it%s)", s->pruned_at,
		    s->registry_ref ? ", resume pulls it from the registry" :
		    "");
	if (s->incremental)
		cli_line(f, "  layer:      incremental: what changed since #%ld, "
		    "on its image", s->seq - 1);
	cli_line(f, "  engine:     %s", s->engine);
	cli_line(f, "  base:       %s (%s)", c->image_ref, s->base_digest ?
	    s->base_digest : c->image_id);
	if (c->compose_project)
		cli_line(f, "  compose:    project %s, service %s", c->compose_project,
		    c->compose_service ? c->compose_service : "");
	cli_line(f, "  changes:    %s", buf_cstr(&sum));
	buf_release(&sum);
	if (c->user && c->user[0])
		cli_line(f, "  user:       %s", c->user);
	if (c->workdir && c->workdir[0])
		cli_line(f, "  workdir:    %s", c->workdir);
	if (c->entrypoint.n) {
		fputs("  entrypoint: ", f);
		put_argv(f, &c->entrypoint);
		fputc('\n', f);
	}
	if (c->cmd.n) {
		fputs("  cmd:        ", f);
		put_argv(f, &c->cmd);
		fputc('\n', f);
	}
	settings_print(f, c);
	if (c->env.n) {
		fputs("\nenv:\n", f);
		for (size_t i = 0; i < c->env.n; i++) {
			const struct kv *kv = &c->env.v[i];
			enum secret_class sc = secrets_classify_env(kv->key, kv->value);

			fputs("  ", f);
			cli_put(f, kv->key);
			if (sc == SECRET_NAME || sc == SECRET_VALUE) {
				fputs("  (secret: value not shown)\n", f);
			} else {
				cleanup_free char *v = secrets_redact_env(kv->key, kv->value);

				fputc('=', f);
				cli_put(f, v);
				fputc('\n', f);
			}
		}
	}
	if (c->env.n == 0 && s->secrets_left_out.n)
		fputs("\nenv:\n", f);
	for (size_t i = 0; i < s->secrets_left_out.n; i++) {
		fputs("  ", f);
		cli_put(f, s->secrets_left_out.v[i]);
		fputs("  (secret: its value is not in the recipe repository)\n",
		    f);
	}
	if (c->n_mounts) {
		fputs("\nmounts:\n", f);
		for (size_t i = 0; i < c->n_mounts; i++) {
			const struct mount *m = &c->mounts[i];

			cli_line(f, "  %-6s %s -> %s%s", m->type, m->source[0] ?
			    m->source : "-", m->destination, m->rw ? "" : " (read-only)");
		}
	}
	if (s->packages.n) {
		fputs("\npackages (against the base image):\n", f);
		for (size_t i = 0; i < s->packages.n; i++) {
			const struct pkg_change *pc = &s->packages.v[i];
			const char *sign = pc->change == PKG_ADDED ? "+" :
			    pc->change == PKG_REMOVED ? "-" : "~";

			fprintf(f, "  %s %-5s ", sign, pc->pkg.manager);
			cli_put(f, pc->pkg.name);
			fputc(' ', f);
			if (pc->change == PKG_UPGRADED) {
				cli_put(f, pc->old_version);
				fputs(" -> ", f);
			}
			cli_put(f, pc->pkg.version);
			if (pc->pkg.arch[0] && strcmp(pc->pkg.arch, "all") != 0) {
				fputs(" [", f);
				cli_put(f, pc->pkg.arch);
				fputc(']', f);
			}
			if (pc->change != PKG_REMOVED)
				fputs(pc->pkg.automatic ? " (auto)" : " (manual)", f);
			if (pc->pkg.location[0]) {
				fputs(" in ", f);
				cli_put(f, pc->pkg.location);
			}
			fputc('\n', f);
		}
	}
	if (s->loose.n) {
		fputs("\nfiles:\n", f);
		for (size_t i = 0; i < s->loose.n; i++) {
			fprintf(f, "  %c ", s->loose.v[i].kind == FS_ADDED ? 'A' :
			    s->loose.v[i].kind == FS_DELETED ? 'D' : 'C');
			cli_put(f, s->loose.v[i].path);
			if (s->loose.v[i].secret)
				fputs("  (holds credentials: a build secret)", f);
			fputc('\n', f);
		}
	}
	if (s->recipe_commit) {
		fputc('\n', f);
		cli_line(f, "recipe commit: %s", s->recipe_commit);
	}
	if (s->verify_status)
		cli_line(f, "verify:        %s at %s%s%s", s->verify_status,
		    s->verify_at ? s->verify_at : "?", s->verify_detail &&
		    s->verify_detail[0] ? ": " : "", s->verify_detail ?
		    s->verify_detail : "");
}

void
snapshot_diff_json(struct jout *o, const struct snapshot_diff *d)
{
	struct jout *x;

	jout_set(o, "packages", jout_strv(&d->packages));
	x = jout_object();
	jout_set(x, "added", jout_strv(&d->env_added));
	jout_set(x, "removed", jout_strv(&d->env_removed));
	jout_set(x, "changed", jout_strv(&d->env_changed));
	jout_set(o, "env", x);
	x = jout_object();
	jout_set(x, "added", jout_strv(&d->mounts_added));
	jout_set(x, "removed", jout_strv(&d->mounts_removed));
	jout_set(o, "mounts", x);
	x = jout_object();
	jout_set(x, "added", jout_strv(&d->files_added));
	jout_set(x, "removed", jout_strv(&d->files_removed));
	jout_set(o, "files", x);
	x = jout_object();
	jout_set(x, "added", jout_strv(&d->settings_added));
	jout_set(x, "removed", jout_strv(&d->settings_removed));
	jout_set(x, "changed", jout_strv(&d->settings_changed));
	jout_set(o, "settings", x);
}
