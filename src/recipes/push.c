/* Pushing the current branch, without a prompt and never forcing. */
#include "recipes/recipes_internal.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/xalloc.h"

/* What the push callbacks saw. */
struct push_state {
	struct recipes_auth auth;	/* first: the credentials' payload */
	char *rejected_ref;
	char *rejected_status;
};

/*
 * Offer each kind of credential that needs no prompt once: the ssh agent,
 * a user name for ssh, the system's default (Negotiate/NTLM) for https.
 * Asked again means the offer was refused: give up.
 */
int
recipes_credentials(git_credential **out, const char *url,
    const char *username_from_url, unsigned int allowed, void *payload)
{
	struct recipes_auth *ra = payload;
	const char *user = username_from_url;
	struct passwd *pw;

	(void)url;
	if (user == NULL || *user == '\0') {
		pw = getpwuid(getuid());
		user = pw != NULL ? pw->pw_name : "git";
	}
	if ((allowed & GIT_CREDENTIAL_SSH_KEY) &&
	    !(ra->tried & GIT_CREDENTIAL_SSH_KEY)) {
		ra->tried |= GIT_CREDENTIAL_SSH_KEY;
		return lg.git_credential_ssh_key_from_agent(out, user);
	}
	if ((allowed & GIT_CREDENTIAL_USERNAME) &&
	    !(ra->tried & GIT_CREDENTIAL_USERNAME)) {
		ra->tried |= GIT_CREDENTIAL_USERNAME;
		return lg.git_credential_username_new(out, user);
	}
	if ((allowed & GIT_CREDENTIAL_DEFAULT) &&
	    !(ra->tried & GIT_CREDENTIAL_DEFAULT)) {
		ra->tried |= GIT_CREDENTIAL_DEFAULT;
		return lg.git_credential_default_new(out);
	}
	ra->failed = 1;
	lg.git_error_set_str(GIT_ERROR_NET, "authentication failed");
	return GIT_EAUTH;
}

/* A non-NULL status is the remote's reason for rejecting the ref. */
static int
push_update_reference(const char *refname, const char *status, void *payload)
{
	struct push_state *ps = payload;

	char *p;

	if (status != NULL && ps->rejected_ref == NULL) {
		ps->rejected_ref = xstrdup(refname);
		ps->rejected_status = xstrdup(status);
		/* The remote wrote these: no control characters in our output. */
		for (p = ps->rejected_ref; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		for (p = ps->rejected_status; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
	}
	return 0;
}

int
recipes_push(struct recipes *r, const char *remote, struct keep_error **err)
{
	git_push_options po = GIT_PUSH_OPTIONS_INIT;
	struct push_state ps = { 0 };
	const char *name = remote ? remote : "origin";
	git_remote *rem = NULL;
	git_reference *head = NULL;
	git_strarray specs;
	char *spec = NULL;
	int rc, wrap = 1;

	rc = lg.git_remote_lookup(&rem, r->repo, name);
	if (rc == GIT_ENOTFOUND || rc == GIT_EINVALIDSPEC) {
		lg.git_error_clear();
		rc = keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "no remote '%s' in the recipe repository (add one with "
		    "git -C '%s' remote add %s URL)", name, r->workdir, name);
		goto cleanup;
	}
	if (rc < 0) {
		recipes_fail(err, rc, "read remote '%s'", name);
		goto cleanup;
	}
	rc = lg.git_repository_head(&head, r->repo);
	if (rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND) {
		lg.git_error_clear();
		rc = keep_error_set(err, KEEP_ERR_FAILED,
		    "nothing to push: the recipe repository has no commits");
		goto cleanup;
	}
	if (rc < 0) {
		recipes_fail(err, rc, "read HEAD");
		goto cleanup;
	}
	if (!lg.git_reference_is_branch(head)) {
		rc = keep_error_set(err, KEEP_ERR_CONFLICT,
		    "HEAD is detached; check out a branch first");
		goto cleanup;
	}

	spec = xasprintf("%s:%s", lg.git_reference_name(head),
	    lg.git_reference_name(head));
	specs.strings = &spec;
	specs.count = 1;
	po.callbacks.credentials = recipes_credentials;
	po.callbacks.push_update_reference = push_update_reference;
	po.callbacks.payload = &ps;
	rc = lg.git_remote_push(rem, &specs, &po);
	if (rc < 0 && (ps.auth.failed || rc == GIT_EAUTH)) {
		lg.git_error_clear();
		rc = keep_error_set(err, KEEP_ERR_FAILED,
		    "authentication failed (tried the ssh agent and the "
		    "system's default credentials)");
	} else if (rc == GIT_ENONFASTFORWARD) {
		lg.git_error_clear();
		rc = keep_error_set(err, KEEP_ERR_CONFLICT,
		    "rejected: the remote has commits the recipe repository "
		    "lacks (non-fast-forward); fetch and merge first");
	} else if (rc < 0) {
		recipes_fail(err, rc, "push recipes to '%s'", name);
		wrap = 0;	/* the context is in place */
	} else if (ps.rejected_ref != NULL) {
		rc = keep_error_set(err, KEEP_ERR_CONFLICT,
		    "rejected: '%s': %s%s", ps.rejected_ref,
		    ps.rejected_status,
		    strstr(ps.rejected_status, "fast") ||
		    strstr(ps.rejected_status, "fetch") ?
		    "; fetch and merge first" : "");
	}

cleanup:
	free(spec);
	free(ps.rejected_ref);
	free(ps.rejected_status);
	lg.git_reference_free(head);
	lg.git_remote_free(rem);
	if (rc < 0 && wrap)
		return keep_error_wrap(err, "push recipes to '%s'", name);
	return rc < 0 ? -1 : 0;
}
