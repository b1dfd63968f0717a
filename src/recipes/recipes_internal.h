/*
 * Shared by the files of src/recipes/ only, and the one header that
 * includes git2.h. The module is split by job, each file behind this
 * header: lib.c loads libgit2, errors.c converts its errors, open.c opens
 * the repository, commit.c is the commit engine (stage, publish), read.c
 * answers questions about history and diffs texts, push.c pushes,
 * sync.c fetches and merges a remote, saves.c reads the saves of history.
 */
#ifndef KEEP_RECIPES_INTERNAL_H
#define KEEP_RECIPES_INTERNAL_H

#include <git2.h>

#include "recipes/recipes.h"
#include "util/error.h"

/*
 * libgit2 is loaded when the recipe repository is first opened, not when
 * keep starts: most commands never touch it, and keep save opens it in a
 * helper thread while the engine commits, so its loading (with mbedTLS,
 * PCRE2 and http-parser under it, ~2 ms) and its start (it parses the CA
 * bundle) cost nothing there. Every call goes through the table lg, typed
 * by git2.h and filled by lib.c from KEEP_LIBGIT2_SONAME (the library
 * pkg-config found, named by CMake).
 */
#define LG_SYMBOLS(X) \
	X(git_blob_create_from_buffer) X(git_buf_dispose) \
	X(git_commit_create) X(git_commit_free) \
	X(git_commit_id) X(git_commit_tree) \
	X(git_config_free) X(git_config_get_string) \
	X(git_credential_default_new) X(git_credential_ssh_key_from_agent) \
	X(git_credential_username_new) X(git_error_clear) \
	X(git_error_last) X(git_error_set_str) \
	X(git_graph_descendant_of) X(git_index_add) \
	X(git_index_free) X(git_index_get_bypath) \
	X(git_index_read) X(git_index_remove) \
	X(git_index_write) X(git_libgit2_init) \
	X(git_libgit2_shutdown) X(git_object_free) \
	X(git_object_id) X(git_object_lookup_prefix) \
	X(git_oid_cpy) X(git_oid_equal) \
	X(git_oid_fromstrn) X(git_oid_tostr) \
	X(git_patch_free) X(git_patch_from_buffers) \
	X(git_patch_to_buf) X(git_reference_create) \
	X(git_reference_create_matching) X(git_reference_free) \
	X(git_reference_is_branch) X(git_reference_lookup) \
	X(git_reference_name) X(git_reference_name_to_id) \
	X(git_reference_peel) X(git_reference_symbolic_target) \
	X(git_reference_target) X(git_remote_free) \
	X(git_remote_lookup) X(git_remote_push) \
	X(git_repository_config_snapshot) X(git_repository_free) \
	X(git_repository_head) X(git_repository_head_detached) \
	X(git_repository_index) X(git_repository_init_ext) \
	X(git_repository_is_bare) X(git_repository_open_ext) \
	X(git_repository_path) X(git_repository_workdir) \
	X(git_signature_default) X(git_signature_free) \
	X(git_signature_now) X(git_status_byindex) \
	X(git_status_list_entrycount) X(git_status_list_free) \
	X(git_status_list_new) X(git_tree_create_updated) \
	X(git_tree_entry_bypath) X(git_tree_entry_free) \
	X(git_tree_entry_id) X(git_tree_entry_name) \
	X(git_tree_entry_type) X(git_tree_free) \
	X(git_tree_id) X(git_tree_lookup) \
	X(git_tree_walk) X(git_treebuilder_free) \
	X(git_treebuilder_new) X(git_treebuilder_write) \
	X(git_blob_free) X(git_blob_lookup) \
	X(git_blob_rawcontent) X(git_blob_rawsize) \
	X(git_checkout_tree) X(git_commit_lookup) \
	X(git_commit_message) X(git_commit_parent_id) \
	X(git_commit_parentcount) X(git_merge_base) \
	X(git_reference_symbolic_create) X(git_remote_connect) \
	X(git_remote_create) X(git_remote_default_branch) \
	X(git_remote_disconnect) X(git_remote_fetch) \
	X(git_remote_set_url) X(git_remote_url) \
	X(git_repository_head_unborn) X(git_tree_entry_byindex) \
	X(git_tree_entry_byname) X(git_tree_entry_filemode) \
	X(git_tree_entrycount) X(git_treebuilder_insert) \
	X(git_treebuilder_remove)

struct recipes_lg {
#define LG_POINTER(name) __typeof__(name) *name;
	LG_SYMBOLS(LG_POINTER)
#undef LG_POINTER
};

extern struct recipes_lg recipes_lg;

/* The short name the calls use: lg.git_commit_create(...). */
#define lg recipes_lg

/*
 * Load and start libgit2, once per process (a save opens the repository
 * more than once). 0, or -1 with *err saying why, for the caller to give
 * context.
 */
int recipes_lib_init(struct keep_error **err);

/*
 * A recipe name is one ordinary path component: it becomes a directory at
 * the top of the repository, so no '/', no dot files (".git"), and no
 * pattern characters that a pathspec would interpret. 1 when name is one.
 */
int recipes_valid_name(const char *name);

/* The user's identity from git's configuration, else keep@HOSTNAME. */
int recipes_signature(git_repository *repo, git_signature **out,
    struct keep_error **err);

/*
 * The credentials callback of a fetch or push: each kind that needs no
 * prompt once (the ssh agent, a user name, the system's default), then
 * GIT_EAUTH; payload is a struct recipes_auth.
 */
struct recipes_auth {
	unsigned int tried;	/* git_credential_t kinds already offered */
	int failed;
};
int recipes_credentials(git_credential **out, const char *url,
    const char *username_from_url, unsigned int allowed, void *payload);

/*
 * The number of the last save of name (saves.c) behind commit from, the
 * first met along first parents; 0 when none.
 */
long recipes_last_save(git_repository *repo, const git_oid *from,
    const char *name);

struct recipes {
	git_repository *repo;
	char *workdir;		/* the work tree, without a trailing '/' */
	char *gitdir;		/* its git directory (.git/, or a worktree's) */
};

/*
 * Convert libgit2's last error, for a call that returned `code`, into *err
 * with the context given by fmt; credentials in a URL it quotes are
 * stripped. Returns -1.
 */
int recipes_fail(struct keep_error **err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
