/*
 * Fetching a remote's recipes and merging them, never forcing. Each
 * container owns its folder NAME/, so two machines saving different
 * containers merge folder by folder without a conflict. A folder both
 * sides changed since their common ancestor (the same container saved on
 * two machines) keeps this side's content, and the merge commit keeps the
 * other side as its second parent: both histories stay, nothing is lost,
 * and the caller reports the conflict.
 */
#include "recipes/recipes_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/strv.h"
#include "util/xalloc.h"

void
recipes_pull_result_release(struct recipes_pull_result *p)
{
	for (size_t i = 0; i < p->n_conflicts; i++)
		free(p->conflicts[i].name);
	free(p->conflicts);
	free(p->branch);
	memset(p, 0, sizeof(*p));
}

/*
 * The branch HEAD names ("refs/heads/main"), also when it has no commit
 * yet. Caller frees; a detached HEAD is refused.
 */
static char *
head_branch(git_repository *repo, struct keep_error **err)
{
	git_reference *head = NULL;
	const char *target;
	char *name = NULL;
	int rc;

	if ((rc = lg.git_reference_lookup(&head, repo, "HEAD")) < 0) {
		recipes_fail(err, rc, "read HEAD");
		return NULL;
	}
	target = lg.git_reference_symbolic_target(head);
	if (target == NULL || strncmp(target, "refs/heads/", 11) != 0)
		keep_error_set(err, KEEP_ERR_CONFLICT,
		    "HEAD is detached; check out a branch first");
	else
		name = xstrdup(target);
	lg.git_reference_free(head);
	return name;
}

/*
 * Fetch remote. *default_out is the remote's default branch
 * ("refs/heads/main"; caller frees), NULL when it has none (an empty
 * repository).
 */
static int
fetch(git_remote *rem, const char *name, char **default_out,
    struct keep_error **err)
{
	git_fetch_options fo = GIT_FETCH_OPTIONS_INIT;
	struct recipes_auth auth = { 0 };
	git_buf def = { 0 };
	int rc;

	*default_out = NULL;
	fo.callbacks.credentials = recipes_credentials;
	fo.callbacks.payload = &auth;
	rc = lg.git_remote_connect(rem, GIT_DIRECTION_FETCH, &fo.callbacks,
	    NULL, NULL);
	if (rc == 0) {
		if (lg.git_remote_default_branch(&def, rem) == 0)
			*default_out = xstrndup(def.ptr, def.size);
		lg.git_error_clear();
		lg.git_buf_dispose(&def);
		rc = lg.git_remote_fetch(rem, NULL, &fo, "keep: fetch");
	}
	lg.git_remote_disconnect(rem);
	if (rc < 0 && (auth.failed || rc == GIT_EAUTH)) {
		lg.git_error_clear();
		free(*default_out);
		*default_out = NULL;
		return keep_error_set(err, KEEP_ERR_FAILED, "fetch from '%s': "
		    "authentication failed (tried the ssh agent and the "
		    "system's default credentials)", name);
	}
	if (rc < 0) {
		free(*default_out);
		*default_out = NULL;
		return recipes_fail(err, rc, "fetch from '%s'", name);
	}
	return 0;
}

/* The entry name of tree t (may be NULL) as an id, or NULL. */
static const git_oid *
entry_id(const git_tree *t, const char *name)
{
	const git_tree_entry *e = t ? lg.git_tree_entry_byname(t, name) : NULL;

	return e ? lg.git_tree_entry_id(e) : NULL;
}

static int
same(const git_oid *a, const git_oid *b)
{
	return (a == NULL && b == NULL) ||
	    (a && b && lg.git_oid_equal(a, b));
}

/*
 * The tree of the merge of theirs into ours, base their common ancestor
 * (NULL: none), folder by folder: what one side changed is taken; what
 * both changed differently keeps ours, and its name is appended to
 * conflicts.
 */
static int
merge_trees(git_repository *repo, git_tree *base, git_tree *ours,
    git_tree *theirs, git_oid *tree_out, struct strv *conflicts,
    struct keep_error **err)
{
	git_treebuilder *tb = NULL;
	int rc;

	if ((rc = lg.git_treebuilder_new(&tb, repo, ours)) < 0)
		return recipes_fail(err, rc, "merge");
	for (int side = 0; side < 2; side++) {
		git_tree *t = side ? ours : theirs;
		size_t n = lg.git_tree_entrycount(t);

		for (size_t i = 0; i < n; i++) {
			const git_tree_entry *e = lg.git_tree_entry_byindex(t, i);
			const char *name = lg.git_tree_entry_name(e);
			const git_oid *o = entry_id(ours, name);
			const git_oid *th = entry_id(theirs, name);
			const git_oid *b = entry_id(base, name);

			/* Each name once: from theirs, then ours' own. */
			if (side == 1 && th != NULL)
				continue;
			if (same(o, th) || same(th, b))
				continue;		/* ours stands */
			if (!same(o, b)) {
				strv_push(conflicts, name);
				continue;		/* both: ours stands */
			}
			if (th == NULL)
				rc = lg.git_treebuilder_remove(tb, name);
			else
				rc = lg.git_treebuilder_insert(NULL, tb, name,
				    th, lg.git_tree_entry_filemode(
				    lg.git_tree_entry_byname(theirs, name)));
			if (rc < 0) {
				lg.git_treebuilder_free(tb);
				return recipes_fail(err, rc, "merge '%s'", name);
			}
		}
	}
	rc = lg.git_treebuilder_write(tree_out, tb);
	lg.git_treebuilder_free(tb);
	return rc < 0 ? recipes_fail(err, rc, "merge") : 0;
}

/* Check out the tree of commit id over HEAD's, never overwriting an edit. */
static int
checkout(git_repository *repo, const git_oid *id, struct keep_error **err)
{
	git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
	git_object *obj = NULL;
	int rc;

	co.checkout_strategy = GIT_CHECKOUT_SAFE;
	if ((rc = lg.git_object_lookup_prefix(&obj, repo, id, GIT_OID_HEXSZ,
	    GIT_OBJECT_COMMIT)) == 0)
		rc = lg.git_checkout_tree(repo, obj, &co);
	lg.git_object_free(obj);
	if (rc == GIT_ECONFLICT) {
		lg.git_error_clear();
		return keep_error_set(err, KEEP_ERR_CONFLICT, "the work tree "
		    "has edits the merge would overwrite; commit or remove "
		    "them first");
	}
	return rc < 0 ? recipes_fail(err, rc, "check out the merge") : 0;
}

/* Merge commit theirs into ours: a commit with both parents. */
static int
merge(struct recipes *r, const char *branch, const git_oid *ours_id,
    const git_oid *theirs_id, const char *what,
    struct recipes_pull_result *out, struct keep_error **err)
{
	git_repository *repo = r->repo;
	git_commit *ours = NULL, *theirs = NULL, *bc = NULL;
	git_tree *ot = NULL, *tt = NULL, *bt = NULL, *mt = NULL;
	git_signature *sig = NULL;
	git_reference *ref = NULL;
	git_oid base, tree_id, merged;
	struct strv conflicts = { 0 };
	struct buf msg = BUF_INIT;
	int rc, has_base;

	if ((rc = lg.git_commit_lookup(&ours, repo, ours_id)) < 0 ||
	    (rc = lg.git_commit_lookup(&theirs, repo, theirs_id)) < 0 ||
	    (rc = lg.git_commit_tree(&ot, ours)) < 0 ||
	    (rc = lg.git_commit_tree(&tt, theirs)) < 0)
		goto fail;
	rc = lg.git_merge_base(&base, repo, ours_id, theirs_id);
	has_base = rc == 0;
	if (rc == GIT_ENOTFOUND)
		lg.git_error_clear();	/* unrelated histories: no base */
	else if (rc < 0)
		goto fail;
	if (has_base && ((rc = lg.git_commit_lookup(&bc, repo, &base)) < 0 ||
	    (rc = lg.git_commit_tree(&bt, bc)) < 0))
		goto fail;
	if ((rc = merge_trees(repo, bt, ot, tt, &tree_id, &conflicts,
	    err)) < 0)
		goto out;
	if ((rc = lg.git_tree_lookup(&mt, repo, &tree_id)) < 0)
		goto fail;
	buf_printf(&msg, "keep: merge %s\n", what);
	if (conflicts.n) {
		buf_addstr(&msg, "\nSaved on both sides; this side's recipe "
		    "kept, the other's is the second parent:\n");
		for (size_t i = 0; i < conflicts.n; i++)
			buf_printf(&msg, "  %s\n", conflicts.v[i]);
	}
	if ((rc = recipes_signature(repo, &sig, err)) < 0)
		goto out;
	{
		const git_commit *parents[2] = { ours, theirs };

		if ((rc = lg.git_commit_create(&merged, repo, NULL, sig, sig,
		    NULL, buf_cstr(&msg), mt, 2, parents)) < 0)
			goto fail;
	}
	if ((rc = checkout(repo, &merged, err)) < 0)
		goto out;
	if ((rc = lg.git_reference_create_matching(&ref, repo, branch,
	    &merged, 1, ours_id, buf_cstr(&msg))) < 0)
		goto fail;
	for (size_t i = 0; i < conflicts.n; i++) {
		struct recipes_conflict *c;

		out->conflicts = xrealloc(out->conflicts,
		    (out->n_conflicts + 1) * sizeof(*out->conflicts));
		c = &out->conflicts[out->n_conflicts++];
		c->name = xstrdup(conflicts.v[i]);
		c->ours = recipes_last_save(repo, ours_id, c->name);
		c->theirs = recipes_last_save(repo, theirs_id, c->name);
	}
	lg.git_oid_tostr(out->commit, sizeof(out->commit), &merged);
	out->how = RECIPES_MERGED;
	rc = 0;
	goto out;
fail:
	recipes_fail(err, rc, "merge %s", what);
out:
	lg.git_reference_free(ref);
	lg.git_signature_free(sig);
	lg.git_tree_free(mt);
	lg.git_tree_free(bt);
	lg.git_tree_free(tt);
	lg.git_tree_free(ot);
	lg.git_commit_free(bc);
	lg.git_commit_free(theirs);
	lg.git_commit_free(ours);
	strv_release(&conflicts);
	buf_release(&msg);
	return rc < 0 ? -1 : 0;
}

int
recipes_pull(struct recipes *r, const char *remote,
    struct recipes_pull_result *out, struct keep_error **err)
{
	const char *name = remote ? remote : "origin";
	git_repository *repo = r->repo;
	git_remote *rem = NULL;
	git_reference *ref = NULL;
	git_oid ours, theirs;
	cleanup_free char *branch = NULL, *def = NULL, *tracking = NULL;
	const char *short_branch;
	int rc = -1, unborn;

	memset(out, 0, sizeof(*out));
	if ((branch = head_branch(repo, err)) == NULL)
		goto out;
	rc = lg.git_remote_lookup(&rem, repo, name);
	if (rc == GIT_ENOTFOUND || rc == GIT_EINVALIDSPEC) {
		lg.git_error_clear();
		rc = keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "no remote '%s' in the recipe repository (add one with "
		    "git -C '%s' remote add %s URL)", name, r->workdir, name);
		goto out;
	}
	if (rc < 0 || (rc = fetch(rem, name, &def, err)) < 0) {
		if (rc < 0 && *err == NULL)
			recipes_fail(err, rc, "read remote '%s'", name);
		rc = -1;
		goto out;
	}
	unborn = lg.git_reference_name_to_id(&ours, repo, "HEAD") < 0;
	lg.git_error_clear();
	/* A new repository takes the remote's default branch's name. */
	if (unborn && def && strcmp(def, branch) != 0) {
		git_reference *head = NULL;

		if ((rc = lg.git_reference_symbolic_create(&head, repo, "HEAD",
		    def, 1, "keep: clone")) < 0) {
			recipes_fail(err, rc, "set HEAD to '%s'", def);
			goto out;
		}
		lg.git_reference_free(head);
		free(branch);
		branch = xstrdup(def);
	}
	short_branch = branch + strlen("refs/heads/");
	tracking = xasprintf("refs/remotes/%s/%s", name, short_branch);
	out->branch = xasprintf("%s/%s", name, short_branch);
	rc = lg.git_reference_name_to_id(&theirs, repo, tracking);
	if (rc == GIT_ENOTFOUND) {
		/* The remote has no such branch (yet): nothing to merge. */
		lg.git_error_clear();
		out->how = RECIPES_UP_TO_DATE;
		rc = 0;
		goto out;
	}
	if (rc < 0) {
		recipes_fail(err, rc, "read '%s'", tracking);
		goto out;
	}
	if (!unborn && (lg.git_oid_equal(&ours, &theirs) ||
	    lg.git_graph_descendant_of(repo, &ours, &theirs) == 1)) {
		out->how = RECIPES_UP_TO_DATE;
		lg.git_oid_tostr(out->commit, sizeof(out->commit), &ours);
		rc = 0;
		goto out;
	}
	if (unborn || lg.git_graph_descendant_of(repo, &theirs, &ours) == 1) {
		if (checkout(repo, &theirs, err) < 0) {
			rc = -1;
			goto out;
		}
		rc = unborn ?
		    lg.git_reference_create(&ref, repo, branch, &theirs, 0,
		    "keep: pull (fast-forward)") :
		    lg.git_reference_create_matching(&ref, repo, branch,
		    &theirs, 1, &ours, "keep: pull (fast-forward)");
		if (rc < 0) {
			recipes_fail(err, rc, "move '%s'", branch);
			goto out;
		}
		out->how = RECIPES_FAST_FORWARD;
		lg.git_oid_tostr(out->commit, sizeof(out->commit), &theirs);
		goto out;
	}
	lg.git_error_clear();
	rc = merge(r, branch, &ours, &theirs, out->branch, out, err);
out:
	lg.git_reference_free(ref);
	lg.git_remote_free(rem);
	if (rc < 0) {
		recipes_pull_result_release(out);
		return keep_error_wrap(err, "pull recipes from '%s'", name);
	}
	return 0;
}

int
recipes_has_commits(struct recipes *r)
{
	git_oid id;
	int rc = lg.git_reference_name_to_id(&id, r->repo, "HEAD");

	lg.git_error_clear();
	return rc == 0;
}

int
recipes_remote_set(struct recipes *r, const char *name, const char *url,
    struct keep_error **err)
{
	git_remote *rem = NULL;
	int rc = lg.git_remote_lookup(&rem, r->repo, name);

	if (rc == 0) {
		lg.git_remote_free(rem);
		rc = lg.git_remote_set_url(r->repo, name, url);
	} else if (rc == GIT_ENOTFOUND) {
		lg.git_error_clear();
		rc = lg.git_remote_create(&rem, r->repo, name, url);
		lg.git_remote_free(rem);
	}
	return rc < 0 ? recipes_fail(err, rc, "set remote '%s'", name) : 0;
}
