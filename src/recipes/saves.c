/*
 * Reading the saves a history holds: the "keep: save NAME #N" commits
 * (core/history.c writes that first line) and the recipe files at each,
 * for a catalog on another machine to import them.
 */
#include "recipes/recipes_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/strv.h"
#include "util/xalloc.h"

#define SAVE_PREFIX "keep: save "

int
recipes_parse_save(const char *message, char **name_out, long *seq_out)
{
	const char *p, *end, *hash;
	char *stop;
	long seq;

	*name_out = NULL;
	if (message == NULL ||
	    strncmp(message, SAVE_PREFIX, sizeof(SAVE_PREFIX) - 1) != 0)
		return 0;
	p = message + sizeof(SAVE_PREFIX) - 1;
	end = p + strcspn(p, "\n");
	/* The last " #": a name has no blank, so it is the only one. */
	for (hash = end; hash > p && !(hash[-1] == ' ' && hash[0] == '#');
	    hash--)
		;
	if (hash <= p + 1 || !isdigit((unsigned char)hash[1]))
		return 0;
	seq = strtol(hash + 1, &stop, 10);
	if (stop != end || seq <= 0 || memchr(p, ' ', (size_t)(hash - 1 - p)))
		return 0;
	*name_out = xstrndup(p, (size_t)(hash - 1 - p));
	if (!recipes_valid_name(*name_out)) {
		free(*name_out);
		*name_out = NULL;
		return 0;
	}
	*seq_out = seq;
	return 1;
}

/* One commit met by walk(): its id, and the save its message names. */
struct met {
	git_oid id;
	char *name;	/* NULL: not a save */
	long seq;
};

struct walk {
	struct met *v;
	size_t n, cap;
};

static void
walk_release(struct walk *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i].name);
	free(w->v);
	memset(w, 0, sizeof(*w));
}

static int
met_before(const struct walk *w, const git_oid *id)
{
	for (size_t i = 0; i < w->n; i++)
		if (lg.git_oid_equal(&w->v[i].id, id))
			return 1;
	return 0;
}

/*
 * Every commit reachable from `from`, depth first with the first parent
 * first: the whole first-parent line of `from` comes before any commit
 * only a merge's other parent reaches. So the first save of NAME met is
 * the one whose NAME/ folder the history at `from` holds, a merge keeping
 * its first parent's side of a container both sides saved (recipes_pull).
 */
static int
walk(git_repository *repo, const git_oid *from, struct walk *out,
    struct keep_error **err)
{
	git_oid *stack = xmalloc(sizeof(*stack));
	size_t n = 0, cap = 1;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	lg.git_oid_cpy(&stack[n++], from);
	while (n > 0) {
		git_oid id = stack[--n];
		git_commit *c = NULL;
		struct met *m;

		if (met_before(out, &id))
			continue;
		if ((rc = lg.git_commit_lookup(&c, repo, &id)) < 0) {
			recipes_fail(err, rc, "read the history");
			break;
		}
		out->v = vec_grow(out->v, out->n, &out->cap, sizeof(*out->v));
		m = &out->v[out->n++];
		lg.git_oid_cpy(&m->id, &id);
		m->name = NULL;
		recipes_parse_save(lg.git_commit_message(c), &m->name, &m->seq);
		/* Pushed last parent first: the first parent is taken next. */
		for (unsigned i = lg.git_commit_parentcount(c); i-- > 0;) {
			stack = vec_grow(stack, n, &cap, sizeof(*stack));
			lg.git_oid_cpy(&stack[n++], lg.git_commit_parent_id(c, i));
		}
		lg.git_commit_free(c);
	}
	free(stack);
	if (rc < 0) {
		walk_release(out);
		return -1;
	}
	return 0;
}

long
recipes_last_save(git_repository *repo, const git_oid *from, const char *name)
{
	struct walk w;
	long seq = 0;

	if (walk(repo, from, &w, NULL) < 0) {
		lg.git_error_clear();
		return 0;
	}
	for (size_t i = 0; i < w.n && seq == 0; i++)
		if (w.v[i].name && strcmp(w.v[i].name, name) == 0)
			seq = w.v[i].seq;
	walk_release(&w);
	return seq;
}

/* The bytes of path in the tree of commit id into out; 0 when missing. */
static int
read_at(git_repository *repo, const git_oid *id, const char *path,
    struct buf *out, struct keep_error **err)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_tree_entry *ent = NULL;
	git_blob *blob = NULL;
	int rc, found = 0;

	if ((rc = lg.git_commit_lookup(&c, repo, id)) < 0 ||
	    (rc = lg.git_commit_tree(&tree, c)) < 0) {
		recipes_fail(err, rc, "read '%s'", path);
		found = -1;
		goto out;
	}
	rc = lg.git_tree_entry_bypath(&ent, tree, path);
	if (rc == GIT_ENOTFOUND) {
		lg.git_error_clear();
		goto out;
	}
	if (rc < 0 || lg.git_tree_entry_type(ent) != GIT_OBJECT_BLOB ||
	    (rc = lg.git_blob_lookup(&blob, repo, lg.git_tree_entry_id(ent))) < 0) {
		recipes_fail(err, rc < 0 ? rc : -1, "read '%s'", path);
		found = -1;
		goto out;
	}
	buf_add(out, lg.git_blob_rawcontent(blob),
	    (size_t)lg.git_blob_rawsize(blob));
	found = 1;
out:
	lg.git_blob_free(blob);
	lg.git_tree_entry_free(ent);
	lg.git_tree_free(tree);
	lg.git_commit_free(c);
	return found;
}

int
recipes_read_head(struct recipes *r, const char *path, struct buf *out,
    struct keep_error **err)
{
	git_oid head;
	int rc;

	if (lg.git_reference_name_to_id(&head, r->repo, "HEAD") < 0) {
		lg.git_error_clear();
		return keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "the recipe repository has no commits");
	}
	rc = read_at(r->repo, &head, path, out, err);
	if (rc == 0)
		return keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "no '%s' in the recipe repository", path);
	return rc < 0 ? -1 : 0;
}

void
recipes_saves_release(struct recipes_saves *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].name);
		buf_release(&s->v[i].config);
		buf_release(&s->v[i].lock);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int
save_cmp(const void *a, const void *b)
{
	const struct recipes_save *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

int
recipes_saves(struct recipes *r, struct recipes_saves *out,
    struct keep_error **err)
{
	struct walk w = { 0 };
	git_oid head;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (lg.git_reference_name_to_id(&head, r->repo, "HEAD") < 0) {
		lg.git_error_clear();
		return 0;	/* no commits: no saves */
	}
	if (walk(r->repo, &head, &w, err) < 0)
		return -1;
	for (size_t i = 0; i < w.n; i++) {
		const struct met *m = &w.v[i], *tip = NULL;
		struct recipes_save *s;
		cleanup_free char *cfg = NULL, *lock = NULL;
		int dup = 0;

		if (m->name == NULL)
			continue;
		/* The first save of NAME met, and what it descends from. */
		for (size_t k = 0; k <= i && tip == NULL; k++)
			if (w.v[k].name && strcmp(w.v[k].name, m->name) == 0)
				tip = &w.v[k];
		if (tip != m && lg.git_graph_descendant_of(r->repo, &tip->id,
		    &m->id) != 1)
			continue;
		/* A save committed again (history_repair): the newest. */
		for (size_t k = 0; k < out->n && !dup; k++)
			dup = out->v[k].seq == m->seq &&
			    strcmp(out->v[k].name, m->name) == 0;
		if (dup)
			continue;
		out->v = vec_grow(out->v, out->n, &out->cap, sizeof(*out->v));
		s = &out->v[out->n++];
		memset(s, 0, sizeof(*s));
		s->name = xstrdup(m->name);
		s->seq = m->seq;
		lg.git_oid_tostr(s->commit, sizeof(s->commit), &m->id);
		cfg = xasprintf("%s/container.json", m->name);
		lock = xasprintf("%s/keep.lock", m->name);
		if (read_at(r->repo, &m->id, cfg, &s->config, err) < 0 ||
		    read_at(r->repo, &m->id, lock, &s->lock, err) < 0)
			goto out;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), save_cmp);
	rc = 0;
out:
	walk_release(&w);
	if (rc < 0)
		recipes_saves_release(out);
	return rc;
}
