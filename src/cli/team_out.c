#include "cli/team_out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/paths.h"
#include "util/buf.h"
#include "util/jout.h"
#include "util/xalloc.h"

static const char *
sync_name(enum recipes_sync how)
{
	return how == RECIPES_FAST_FORWARD ? "fast-forward" :
	    how == RECIPES_MERGED ? "merged" : "up-to-date";
}

/* "dev1 #2" (import_result's form) as {"name": "dev1", "seq": 2}. */
static struct jout *
snapshot_jout(const char *s)
{
	const char *hash = strrchr(s, '#');
	struct jout *o = jout_object();
	char *name;

	if (hash == NULL || hash == s || hash[-1] != ' ') {
		jout_set_str(o, "name", s);
		jout_set_null(o, "seq");
		return o;
	}
	name = xstrndup(s, (size_t)(hash - 1 - s));
	jout_set_str(o, "name", name);
	jout_set_int(o, "seq", strtol(hash + 1, NULL, 10));
	free(name);
	return o;
}

/* A conflict's line, to stderr; keep then exits 1. */
static void
conflict_line(struct cli_ctx *ctx, const struct recipes_pull_result *p,
    const struct recipes_conflict *c)
{
	struct buf line = BUF_INIT;

	buf_printf(&line, "conflict: '%s' was saved on both sides, "
	    "#%ld here and #%ld in %s: both histories are kept (merge "
	    "%.12s, its second parent is theirs), %s/ holds this "
	    "side's", c->name, c->ours, c->theirs, p->branch, p->commit,
	    c->name);
	cli_error(buf_cstr(&line));
	buf_release(&line);
	ctx->exit_status = 1;
}

void
team_print_json(struct cli_ctx *ctx, const struct team_result *t)
{
	const struct recipes_pull_result *p = &t->pull;
	struct jout *o = jout_object(), *a = jout_array();

	if (p->branch) {
		jout_set_str(o, "branch", p->branch);
		jout_set_str(o, "sync", sync_name(p->how));
	} else {
		jout_set_null(o, "branch");
		jout_set_null(o, "sync");
	}
	if (p->commit[0])
		jout_set_str(o, "commit", p->commit);
	else
		jout_set_null(o, "commit");
	for (size_t i = 0; i < t->import.imported.n; i++)
		jout_push(a, snapshot_jout(t->import.imported.v[i]));
	jout_set(o, "imported", a);
	jout_set_int(o, "already", (long long)t->import.already);
	jout_set(o, "kept", jout_strv(&t->import.kept));
	jout_set(o, "warnings", jout_strv(&t->import.warnings));
	a = jout_array();
	for (size_t i = 0; i < p->n_conflicts; i++) {
		struct jout *c = jout_object();

		jout_set_str(c, "name", p->conflicts[i].name);
		jout_set_int(c, "ours", p->conflicts[i].ours);
		jout_set_int(c, "theirs", p->conflicts[i].theirs);
		jout_push(a, c);
		conflict_line(ctx, p, &p->conflicts[i]);
	}
	jout_set(o, "conflicts", a);
	cli_print_json(o);
	jout_free(o);
}

void
team_print(struct cli_ctx *ctx, const struct team_result *t, int imported)
{
	const struct recipes_pull_result *p = &t->pull;
	struct buf line = BUF_INIT;

	if (!ctx->quiet && p->branch) {
		switch (p->how) {
		case RECIPES_UP_TO_DATE:
			cli_line(stderr, "%s: nothing new", p->branch);
			break;
		case RECIPES_FAST_FORWARD:
			cli_line(stderr, "%s: fast-forward to %.12s", p->branch,
			    p->commit);
			break;
		case RECIPES_MERGED:
			cli_line(stderr, "%s: merged (%.12s)", p->branch,
			    p->commit);
			break;
		}
	}
	for (size_t i = 0; imported && i < t->import.imported.n; i++)
		buf_printf(&line, "%s%s", i ? ", " : "imported ",
		    t->import.imported.v[i]);
	if (imported && line.len)
		cli_line(stdout, "%s", buf_cstr(&line));
	else if (imported && !ctx->quiet)
		cli_line(stderr, "nothing new to import (%zu snapshot%s here "
		    "already)", t->import.already,
		    t->import.already == 1 ? "" : "s");
	for (size_t i = 0; i < t->import.warnings.n; i++)
		cli_warn(t->import.warnings.v[i]);
	for (size_t i = 0; i < t->import.kept.n; i++)
		cli_warn(t->import.kept.v[i]);
	for (size_t i = 0; i < p->n_conflicts; i++)
		conflict_line(ctx, p, &p->conflicts[i]);
	buf_release(&line);
}

int
team_bring_in(struct cli_ctx *ctx, int clone, const char *where, int json,
    struct keep_error **err)
{
	cleanup_free char *dir = NULL, *host = NULL;
	struct team_result res;
	struct catalog *cat;

	if (cli_catalog(ctx, &cat, err) < 0)
		return -1;
	if ((host = cli_engine_host(ctx)) == NULL)
		return keep_error_set(err, KEEP_ERR_FAILED, "no engine to file "
		    "the imported snapshots under (-H, --context, DOCKER_HOST)");
	dir = keep_recipes_dir(ctx->home, ctx->recipes_flag);
	if ((clone ? team_clone(cat, dir, host, where, &res, err) :
	    team_pull(cat, dir, host, where, &res, err)) < 0)
		return -1;
	if (json)
		team_print_json(ctx, &res);
	else
		team_print(ctx, &res, 1);
	team_result_release(&res);
	return 0;
}
