#include "render/dockerfile.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "model/installer_config.h"
#include "model/secrets.h"
#include "model/validate.h"
#include "render/quote.h"
#include "util/xalloc.h"

/* Installer configuration with credentials: a build secret of the installs. */
struct secret_file {
	const char *path;
	char *id;		/* the build secret's id */
	unsigned readers;	/* enum installer: the installs that mount it */
};

/* Paths (pointers into the input), sorted by strcmp. */
struct path_index {
	const char **v;
	size_t n;
};

/*
 * One rendering: the input, the text so far and the strings to free at the
 * end (printable copies made for comments and messages).
 */
struct render {
	const struct recipe_input *in;
	struct buf out;
	struct strv *warnings;
	struct strv scratch;
	int as_root;		/* a USER root line is in effect */
	struct secret_file *secrets;	/* sorted by path */
	size_t n_secrets;
	/*
	 * Sorted paths for the look-ups of the file sections: a snapshot may
	 * list hundreds of thousands of loose files, and a linear scan per
	 * file would be quadratic.
	 */
	struct path_index changed;	/* every loose file */
	struct path_index added;	/* the added ones */
	struct path_index context;	/* every context file */
	struct path_index context_dirs;	/* the context's directories */
};

static int
str_ptr_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
path_index_sort(struct path_index *ix)
{
	if (ix->n > 1)
		qsort(ix->v, ix->n, sizeof(*ix->v), str_ptr_cmp);
}

/* The first position whose path is not below key. */
static size_t
path_index_lower(const struct path_index *ix, const char *key)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ix->v[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
path_index_has(const struct path_index *ix, const char *path)
{
	size_t at = path_index_lower(ix, path);

	return at < ix->n && strcmp(ix->v[at], path) == 0;
}

/* Some path of ix lies below the directory dir. */
static int
path_index_has_below(const struct path_index *ix, const char *dir)
{
	cleanup_free char *prefix = NULL;
	size_t at, len;

	if (strcmp(dir, "/") == 0) {
		for (at = path_index_lower(ix, "/"); at < ix->n &&
		    strcmp(ix->v[at], "/") == 0; at++)
			;
		return at < ix->n;
	}
	prefix = xasprintf("%s/", dir);
	len = strlen(prefix);
	at = path_index_lower(ix, prefix);
	return at < ix->n && strncmp(ix->v[at], prefix, len) == 0;
}

static void warn(struct render *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void comment(struct render *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Warnings and comments pass the one redactor, whatever they quote. */
static void
warn(struct render *r, const char *fmt, ...)
{
	va_list ap;
	cleanup_free char *text = NULL;

	if (r->warnings == NULL)
		return;
	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	strv_push_nodup(r->warnings, secrets_redact(text));
}

/*
 * One comment line. Callers pass untrusted text through pr() first; any
 * control character that still arrives here becomes '?', so a comment can
 * never end early and start an instruction.
 */
static void
comment(struct render *r, const char *fmt, ...)
{
	va_list ap;
	char *raw, *text;

	va_start(ap, fmt);
	raw = xvasprintf(fmt, ap);
	va_end(ap);
	text = secrets_redact(raw);
	free(raw);
	for (char *p = text; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	buf_addstr(&r->out, text[0] ? "# " : "#");
	buf_addstr(&r->out, text);
	buf_addch(&r->out, '\n');
	free(text);
}

/* Printable form of untrusted text; freed with the rendering. */
static const char *
pr(struct render *r, const char *s)
{
	strv_push_nodup(&r->scratch, text_printable_dup(s ? s : ""));
	return r->scratch.v[r->scratch.n - 1];
}

/* Every byte of s is alphanumeric or in extra. */
static int
all_in(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && strchr(extra, *s) == NULL)
			return 0;
	return 1;
}

/* Bytes a shell word may hold without quotes. */
static void
shell_word(struct buf *b, const char *s)
{
	if (s[0] != '\0' && s[0] != '~' && all_in(s, "._/+@%,:=-"))
		buf_addstr(b, s);
	else if (quote_shell(b, s) < 0)
		abort();	/* callers pass checked paths only */
}

/* --- users, digests, small predicates ---------------------------------- */

int
render_user_is_root(const char *u)
{
	return u == NULL || strcmp(u, "") == 0 || strcmp(u, "root") == 0 ||
	    strcmp(u, "0") == 0 || strcmp(u, "0:0") == 0 ||
	    strcmp(u, "root:root") == 0;
}

/* USER takes name[:group] or uid[:gid]; nothing the builder would expand. */
static int
user_valid(const char *u)
{
	const char *colon = strchr(u, ':');

	if (u[0] == '\0' || strlen(u) > 64 || !all_in(u, "._-:"))
		return 0;
	if (colon != NULL && (colon == u || colon[1] == '\0' || strchr(colon + 1, ':')))
		return 0;
	return u[0] != '-' && u[0] != '.';
}

static int
hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return 0;
	return s[64] == '\0';
}

static int
image_id_valid(const char *id)
{
	return id != NULL && strncmp(id, "sha256:", 7) == 0 && hex64(id + 7);
}

/* "repo@sha256:<64 hex>" with a reference-safe repository. */
static int
digest_ref_valid(const char *d)
{
	const char *at = d ? strchr(d, '@') : NULL;

	if (at == NULL || at == d || strncmp(at, "@sha256:", 8) != 0 || !hex64(at + 8))
		return 0;
	for (const char *p = d; p < at; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
		    strchr("._/:-", *p) || isupper((unsigned char)*p)))
			return 0;
	return isalnum((unsigned char)d[0]);
}

/* "repo[:tag]" with a reference-safe repository, and no ID or digest. */
static int
tag_ref_valid(const char *ref)
{
	if (ref == NULL || !isalnum((unsigned char)ref[0]) || strlen(ref) > 255 ||
	    strncmp(ref, "sha256:", 7) == 0 || strchr(ref, '@') != NULL)
		return 0;
	for (const char *p = ref; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
		    strchr("._/:-", *p)))
			return 0;
	return 1;
}

/* Host part of a proxy URL is a loopback address. */
static int
proxy_is_loopback(const char *value)
{
	const char *h = strstr(value, "://"), *end;
	size_t len;

	h = h ? h + 3 : value;
	end = h + strcspn(h, "/?#");
	for (const char *p = h; p < end; p++)
		if (*p == '@')
			h = p + 1;
	if (*h == '[') {
		len = strcspn(h, "]");
		return len == 4 && strncmp(h, "[::1", 4) == 0;
	}
	len = strcspn(h, ":/?#");
	if (len == 9 && strncasecmp(h, "localhost", 9) == 0)
		return 1;
	if (len == 3 && strncmp(h, "::1", 3) == 0)
		return 1;
	return len >= 4 && strncmp(h, "127.", 4) == 0;
}

static int
kv_cmp(const void *a, const void *b)
{
	const struct kv *x = *(const struct kv *const *)a, *y = *(const struct kv *const *)b;

	return strcmp(x->key, y->key);
}

/* The container's env as a name-sorted array of pointers; free() it. */
static const struct kv **
sorted_env(const struct kvv *env)
{
	const struct kv **v = xcalloc(env->n + 1, sizeof(*v));

	for (size_t i = 0; i < env->n; i++)
		v[i] = &env->v[i];
	qsort(v, env->n, sizeof(*v), kv_cmp);
	return v;
}

/* Append the items as continuation lines, two tabs deep. */
static void
add_list(struct buf *b, const struct strv *items)
{
	for (size_t i = 0; i < items->n; i++)
		buf_printf(b, " \\\n\t\t%s", items->v[i]);
}

/* --- RUN lines built from commands -------------------------------------- */

struct run {
	struct buf b;
	int n;
	unsigned installer;	/* enum installer: which secrets it mounts */
};

static void
run_add(struct run *run, const char *cmd, const struct strv *items)
{
	buf_addstr(&run->b, run->n++ == 0 ? "RUN " : " \\\n\t&& ");
	buf_addstr(&run->b, cmd);
	if (items != NULL)
		add_list(&run->b, items);
}

static void
switch_to_root(struct render *r)
{
	const char *user = r->in->base->user;

	if (r->as_root || render_user_is_root(user))
		return;
	comment(r, "The base image runs as '%s': install as root, switch back at the end.",
	    pr(r, user));
	buf_addstr(&r->out, "USER root\n");
	r->as_root = 1;
}

static void
run_end(struct render *r, struct run *run)
{
	if (run->n > 0) {
		switch_to_root(r);
		/* "RUN " and the mounts of the secrets this installer reads. */
		buf_add(&r->out, run->b.ptr, 4);
		for (size_t i = 0; i < r->n_secrets; i++)
			if (r->secrets[i].readers & run->installer)
				buf_printf(&r->out, "--mount=type=secret,id=%s,target=%s \\\n\t",
				    r->secrets[i].id, r->secrets[i].path);
		buf_add(&r->out, run->b.ptr + 4, run->b.len - 4);
		buf_addch(&r->out, '\n');
	}
	buf_release(&run->b);
	run->n = 0;
}

/* --- header, FROM, ARG ---------------------------------------------------- */

static void
render_header(struct render *r)
{
	const struct container *c = r->in->container;
	struct buf secrets = BUF_INIT;

	if (r->in->snapshot_seq > 0)
		comment(r, "Generated by keep from container '%s', snapshot #%ld.",
		    pr(r, c->name), r->in->snapshot_seq);
	else
		comment(r, "Generated by keep from container '%s' (no snapshot yet).",
		    pr(r, c->name));
	if (r->n_secrets == 0) {
		comment(r, "Rebuild: docker build --network=host -t IMAGE .");
	} else {
		for (size_t i = 0; i < r->n_secrets; i++)
			buf_printf(&secrets, " --secret id=%s,src=FILE", r->secrets[i].id);
		comment(r, "Rebuild with BuildKit, each secret from a file that holds it:");
		comment(r, "  DOCKER_BUILDKIT=1 docker build --network=host%s -t IMAGE .",
		    buf_cstr(&secrets));
	}
	buf_addch(&r->out, '\n');
	buf_release(&secrets);
}

static int
secret_cmp(const void *a, const void *b)
{
	return strcmp(((const struct secret_file *)a)->path,
	    ((const struct secret_file *)b)->path);
}

/*
 * Installer configuration at path holds credentials: the installs that
 * read it mount it as a build secret. The id is the path with every byte
 * but [A-Za-z0-9._-] as '_' ("/etc/npmrc" is "etc_npmrc"), numbered when
 * two paths give one id.
 */
static void
add_secret(struct render *r, const char *path)
{
	struct installer_config ic;
	struct buf id = BUF_INIT;
	struct secret_file *sf;

	if (!installer_config_match(path, &ic))
		return;
	for (size_t i = 0; i < r->n_secrets; i++)
		if (strcmp(r->secrets[i].path, path) == 0)
			return;
	/* --mount takes comma-separated key=value options, unquoted. */
	if (!quote_path_safe(path) || !all_in(path, "/._+@-")) {
		warn(r, "'%s' holds credentials and its name cannot be a build secret's target: left out",
		    pr(r, path));
		return;
	}
	for (const char *p = path + 1; *p; p++)
		buf_addch(&id, isalnum((unsigned char)*p) || strchr("._-", *p) ? *p : '_');
	for (size_t i = 0, n = 1; i < r->n_secrets; i++)
		if (strcmp(r->secrets[i].id, buf_cstr(&id)) == 0) {
			buf_printf(&id, "_%zu", ++n);
			i = (size_t)-1;	/* look again */
		}
	r->secrets = xrealloc(r->secrets, (r->n_secrets + 1) * sizeof(*r->secrets));
	sf = &r->secrets[r->n_secrets++];
	sf->path = path;
	sf->id = buf_detach(&id, NULL);
	sf->readers = ic.readers;
}

/* The configuration files holding credentials, as save or the context found them. */
static void
collect_secrets(struct render *r)
{
	const struct fs_changes *fc = r->in->files;

	if (r->in->classic_builder)
		return;
	for (size_t i = 0; fc != NULL && i < fc->n; i++)
		if (fc->v[i].secret && fc->v[i].kind != FS_DELETED)
			add_secret(r, fc->v[i].path);
	for (size_t i = 0; r->in->use_context && i < r->in->n_context_files; i++)
		if (r->in->context_files[i].secret)
			add_secret(r, r->in->context_files[i].path);
	if (r->n_secrets > 1)
		qsort(r->secrets, r->n_secrets, sizeof(*r->secrets), secret_cmp);
}

static void
render_from(struct render *r)
{
	const struct recipe_input *in = r->in;
	const char *ref = in->base_ref ? in->base_ref : "";

	if (in->base_digest != NULL && digest_ref_valid(in->base_digest)) {
		if (ref[0] != '\0')
			comment(r, "Base image '%s', pinned by its repo digest.", pr(r, ref));
		buf_printf(&r->out, "FROM %s\n", in->base_digest);
		return;
	}
	if (in->base_digest != NULL)
		warn(r, "base image digest '%s' is not name@sha256:<hex>; pinned by image id",
		    pr(r, in->base_digest));
	if (r->n_secrets > 0 && tag_ref_valid(ref)) {
		/* BuildKit reads "FROM sha256:..." as an image named sha256. */
		comment(r, "Base image '%s' has no repo digest (a local build or import).", ref);
		comment(r, "BuildKit, which the secrets below need, cannot name an image by its");
		comment(r, "ID: this names it by its tag, which stood for");
		comment(r, "%s.", in->base->id);
		warn(r, "base image '%s' has no repo digest: the recipe names it by its tag, not pinned (BuildKit cannot use its ID)",
		    ref);
		buf_printf(&r->out, "FROM %s\n", ref);
		return;
	}
	comment(r, "Base image '%s' has no repo digest (a local build or import): pinned",
	    pr(r, ref[0] ? ref : in->base->id));
	comment(r, "by image ID, so this only builds where that image exists.");
	buf_printf(&r->out, "FROM %s\n", in->base->id);
}

static void
render_proxies(struct render *r, const struct kv **env, size_t n)
{
	int any = 0;

	for (size_t i = 0; i < n; i++) {
		const char *name = env[i]->key, *value = env[i]->value;
		cleanup_free char *shown = NULL;

		if (!secrets_name_is_proxy(name))
			continue;
		/*
		 * Docker's predefined build arguments: RUN sees them without
		 * an ARG line, and only an ARG line would put the value (its
		 * credentials too) into the image history.
		 */
		if (!any++) {
			buf_addch(&r->out, '\n');
			comment(r, "Proxies are build arguments, never baked in: pass them with");
			comment(r, "--build-arg NAME=VALUE. They need no ARG line (one would put");
			comment(r, "the value into the image history). Seen in the container:");
		}
		shown = secrets_redact(value);
		comment(r, "%s was '%s' in the container.", name, pr(r, shown));
		if (strcasecmp(name, "NO_PROXY") != 0 && proxy_is_loopback(value)) {
			comment(r, "%s points at the loopback address: inside a build that is the", name);
			comment(r, "build container itself, not the host. Build with --network=host");
			comment(r, "or pass a host-reachable address instead.");
			warn(r, "proxy %s='%s' is a loopback address: build with --network=host or use a host-reachable address",
			    name, pr(r, shown));
		}
	}
}

static void
render_secrets(struct render *r, const struct kv **env, size_t n)
{
	struct buf names = BUF_INIT;

	for (size_t i = 0; i < n; i++) {
		enum secret_class k = secrets_classify_env(env[i]->key, env[i]->value);

		if (k != SECRET_NAME && k != SECRET_VALUE)
			continue;
		if (names.len)
			buf_addstr(&names, " ");
		buf_addstr(&names, pr(r, env[i]->key));
		warn(r, "environment variable '%s' holds a secret: left out, pass it at run time",
		    pr(r, env[i]->key));
	}
	for (size_t i = 0; r->in->secrets_left_out &&
	    i < r->in->secrets_left_out->n; i++) {
		const char *name = r->in->secrets_left_out->v[i];

		if (names.len)
			buf_addstr(&names, " ");
		buf_addstr(&names, pr(r, name));
		warn(r, "environment variable '%s' holds a secret: left out, "
		    "pass it at run time", pr(r, name));
	}
	if (names.len) {
		buf_addch(&r->out, '\n');
		comment(r, "Left out because they hold secrets; pass them at run time");
		comment(r, "(docker run -e NAME, or an env_file in compose):");
		comment(r, "  %s", buf_cstr(&names));
	}
	buf_release(&names);
}

/* --- packages ------------------------------------------------------------- */

static int
change_cmp(const void *a, const void *b)
{
	const struct pkg_change *x = *(const struct pkg_change *const *)a;
	const struct pkg_change *y = *(const struct pkg_change *const *)b;
	int c;

	if ((c = strcmp(x->pkg.manager, y->pkg.manager)) != 0)
		return c;
	if ((c = strcmp(x->pkg.location, y->pkg.location)) != 0)
		return c;
	if ((c = strcmp(x->pkg.name, y->pkg.name)) != 0)
		return c;
	if ((c = strcmp(x->pkg.version, y->pkg.version)) != 0)
		return c;
	return (int)x->change - (int)y->change;
}

/* The changes of one manager, sorted; free() the array. */
static const struct pkg_change **
changes_of(const struct render *r, const char *manager, size_t *n_out)
{
	const struct pkg_changes *pc = r->in->pkgs;
	const struct pkg_change **v;
	size_t n = 0;

	v = xcalloc((pc ? pc->n : 0) + 1, sizeof(*v));
	for (size_t i = 0; pc != NULL && i < pc->n; i++)
		if (strcmp(pc->v[i].pkg.manager, manager) == 0)
			v[n++] = &pc->v[i];
	if (n > 1)
		qsort(v, n, sizeof(*v), change_cmp);
	*n_out = n;
	return v;
}

static void
refuse_pkg(struct render *r, const struct pkg_change *c)
{
	const struct pkg *p = &c->pkg;

	comment(r, "Refused %s %s package '%s' version '%s': not a valid name or version.",
	    pkg_change_name(c->change), pr(r, p->manager), pr(r, p->name), pr(r, p->version));
	warn(r, "refused %s package '%s' version '%s': not a valid name or version",
	    pr(r, p->manager), pr(r, p->name), pr(r, p->version));
}

static void
not_reinstallable(struct render *r, const struct pkg_change *c)
{
	const struct pkg *p = &c->pkg;
	cleanup_free char *origin = secrets_redact(p->origin);

	comment(r, "Not reinstallable from an index, install it by hand: %s '%s' %s from '%s'.",
	    pr(r, p->manager), pr(r, p->name), pr(r, p->version), pr(r, origin));
	warn(r, "%s package '%s' %s cannot be reinstalled from an index (origin '%s'): only named in a comment",
	    pr(r, p->manager), pr(r, p->name), pr(r, p->version), pr(r, origin));
}

/*
 * Sort one manager's changes into what to install (name<sep>version), what
 * to remove and which installed ones are automatic; comment the rest.
 */
static void
split_changes(struct render *r, const struct pkg_change **v, size_t n,
    const char *sep, struct strv *install, struct strv *remove, struct strv *automatic)
{
	for (size_t i = 0; i < n; i++) {
		const struct pkg *p = &v[i]->pkg;

		if (v[i]->change == PKG_REMOVED) {
			if (!pkg_valid_name(p->manager, p->name))
				refuse_pkg(r, v[i]);
			else
				strv_push(remove, p->name);
			continue;
		}
		if (!pkg_valid_name(p->manager, p->name) ||
		    !pkg_valid_version(p->manager, p->version)) {
			refuse_pkg(r, v[i]);
			continue;
		}
		if (p->origin[0] != '\0') {
			not_reinstallable(r, v[i]);
			continue;
		}
		strv_pushf(install, "%s%s%s", p->name, sep, p->version);
		if (p->automatic && automatic != NULL)
			strv_push(automatic, p->name);
	}
	strv_sort(install);
	strv_sort_unique(remove);
	if (automatic != NULL)
		strv_sort(automatic);
}

/* --- apt pins and the snapshot archive ------------------------------------ */

#define APT_SNAPSHOT_LIST "/etc/apt/sources.list.d/keep-snapshot.list"

int
render_apt_snapshot_url_valid(const char *url)
{
	size_t len = url ? strlen(url) : 0;

	if (strncmp(url ? url : "", "http://", 7) != 0 &&
	    strncmp(url ? url : "", "https://", 8) != 0)
		return 0;
	return len > 8 && len < 512 && url[len - 1] != '/' &&
	    all_in(url, ":/._~%+-");
}

char *
render_apt_snapshot_time(const char *t)
{
	/* "YYYY-MM-DDTHH:MM:SSZ": digits where the template has 9. */
	static const char form[] = "9999-99-99T99:99:99Z";
	char out[17];
	size_t o = 0;

	if (t == NULL || strlen(t) != sizeof(form) - 1)
		return NULL;
	for (size_t i = 0; form[i]; i++) {
		if (form[i] == '9' ? !isdigit((unsigned char)t[i]) : t[i] != form[i])
			return NULL;
		if (form[i] != '-' && form[i] != ':')
			out[o++] = t[i];
	}
	out[o] = '\0';
	return xstrdup(out);
}

/* Bytes a suite, component or keyring path may hold in a sources line. */
static int
apt_word_ok(const char *s)
{
	return s[0] != '\0' && s[0] != '-' && all_in(s, "._+~/-");
}

/* The snapshot archive of one archive and suite, merged over sources. */
struct dated_source {
	const char *archive;
	const char *suite;
	struct strv components;
	const char *signed_by;	/* "" when the sources disagree or have none */
};

/*
 * The archives and suites the sources have a snapshot archive for (each
 * once, components merged), and the sources without one (printable
 * "uri suite" for comments).
 */
static size_t
dated_sources(struct render *r, struct dated_source **out, struct strv *none)
{
	const struct apt_sources *as = r->in->apt_sources;
	struct dated_source *v = NULL;
	size_t n = 0;

	for (size_t i = 0; as != NULL && i < as->n; i++) {
		const struct apt_source *a = &as->v[i];
		struct strv comps = { 0 };
		size_t k;

		if (a->archive[0] == '\0') {
			strv_pushf(none, "%s %s", pr(r, a->uri), pr(r, a->suite));
			continue;
		}
		for (const char *c = a->components; *c;) {
			size_t len = strcspn(c, " ");

			if (len > 0)
				strv_push_nodup(&comps, xstrndup(c, len));
			c += len + (c[len] == ' ');
		}
		for (k = 0; k < comps.n && apt_word_ok(comps.v[k]); k++)
			;
		if (!apt_word_ok(a->archive) || !apt_word_ok(a->suite) ||
		    comps.n == 0 || k < comps.n) {
			warn(r, "apt source '%s' '%s' has a suite or component keep cannot write: no snapshot archive for it",
			    pr(r, a->uri), pr(r, a->suite));
			strv_pushf(none, "%s %s", pr(r, a->uri), pr(r, a->suite));
			strv_release(&comps);
			continue;
		}
		for (k = 0; k < n; k++)
			if (strcmp(v[k].archive, a->archive) == 0 &&
			    strcmp(v[k].suite, a->suite) == 0)
				break;
		if (k == n) {
			v = xrealloc(v, (n + 1) * sizeof(*v));
			memset(&v[n], 0, sizeof(*v));
			v[n].archive = a->archive;
			v[n].suite = a->suite;
			v[n].signed_by = apt_word_ok(a->signed_by) ? a->signed_by : "";
			n++;
		} else if (strcmp(v[k].signed_by, a->signed_by) != 0) {
			v[k].signed_by = "";
		}
		for (size_t c = 0; c < comps.n; c++)
			if (strv_find(&v[k].components, comps.v[c]) < 0)
				strv_push(&v[k].components, comps.v[c]);
		strv_release(&comps);
	}
	*out = v;
	return n;
}

/*
 * The sources lines of the snapshot archive at each time the pins were
 * first saved, as single-quoted shell words; none gets the sources that
 * have no archive. Empty when the recipe uses no archive.
 */
static void
snapshot_lines(struct render *r, const struct pkg_change **v, size_t n,
    const struct strv *install, struct strv *lines, struct strv *none)
{
	const char *base = r->in->apt_snapshot_url;
	struct dated_source *ds = NULL;
	struct strv times = { 0 };
	size_t nds;

	if (r->in->apt_snapshot == RENDER_APT_SNAPSHOT_NEVER)
		return;
	nds = dated_sources(r, &ds, none);
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *pin = xasprintf("%s=%s", v[i]->pkg.name,
		    v[i]->pkg.version);
		char *t;

		if (v[i]->change == PKG_REMOVED || strv_find(install, pin) < 0 ||
		    (t = render_apt_snapshot_time(v[i]->first_saved)) == NULL)
			continue;
		if (strv_find(&times, t) < 0)
			strv_push(&times, t);
		free(t);
	}
	strv_sort(&times);
	if (base != NULL && !render_apt_snapshot_url_valid(base)) {
		warn(r, "snapshot archive url '%s' refused: the distributions' own are used",
		    pr(r, base));
		base = NULL;
	}
	for (size_t t = 0; t < times.n; t++)
		for (size_t k = 0; k < nds; k++) {
			const char *url = base ? base :
			    strcmp(ds[k].archive, "ubuntu") == 0 ?
			    "http://snapshot.ubuntu.com" :
			    "http://snapshot.debian.org/archive";
			struct buf line = BUF_INIT;

			buf_addstr(&line, "'deb [check-valid-until=no");
			if (ds[k].signed_by[0])
				buf_printf(&line, " signed-by=%s", ds[k].signed_by);
			buf_printf(&line, "] %s/%s/%s %s", url, ds[k].archive,
			    times.v[t], ds[k].suite);
			for (size_t c = 0; c < ds[k].components.n; c++)
				buf_printf(&line, " %s", ds[k].components.v[c]);
			buf_addch(&line, '\'');
			strv_push_nodup(lines, buf_detach(&line, NULL));
		}
	for (size_t k = 0; k < nds; k++)
		strv_release(&ds[k].components);
	free(ds);
	strv_release(&times);
}

/* "printf '%s\n' LINES >keep-snapshot.list", its lines one tab below tabs. */
static void
add_snapshot_list(struct buf *b, const struct strv *lines, const char *tabs)
{
	buf_addstr(b, "printf '%s\\n'");
	for (size_t i = 0; i < lines->n; i++)
		buf_printf(b, " \\\n%s\t%s", tabs, lines->v[i]);
	buf_printf(b, " \\\n%s\t>" APT_SNAPSHOT_LIST, tabs);
}

static void
render_dpkg(struct render *r)
{
	struct strv install = { 0 }, purge = { 0 }, automatic = { 0 };
	struct strv lines = { 0 }, none = { 0 };
	struct run run = { BUF_INIT, 0, INSTALLER_APT };
	enum render_apt_snapshot when = r->in->apt_snapshot;
	size_t n;
	cleanup_free const struct pkg_change **v = changes_of(r, "dpkg", &n);

	if (n == 0)
		return;
	buf_addch(&r->out, '\n');
	comment(r, "System packages (dpkg/apt), pinned to the versions in the container.");
	split_changes(r, v, n, "=", &install, &purge, &automatic);
	if (install.n > 0)
		snapshot_lines(r, v, n, &install, &lines, &none);
	if (lines.n > 0 && when == RENDER_APT_SNAPSHOT_FALLBACK) {
		comment(r, "When the mirror no longer has a pinned version (a newer one replaced");
		comment(r, "it), the install is retried with the snapshot archive as it was when");
		comment(r, "keep first saved the version.");
	} else if (lines.n > 0) {
		comment(r, "The snapshot archive as it was when keep first saved each version is");
		comment(r, "a source too, so the pins build after the mirror has moved on.");
	}
	if (none.n > 0) {
		comment(r, "No snapshot archive is known for these sources: their pins build only");
		comment(r, "while they still offer those versions.");
		for (size_t i = 0; i < none.n; i++)
			comment(r, "  %s", none.v[i]);
		warn(r, "%zu apt source(s) have no snapshot archive (%s%s): their pinned versions build only while they still offer them",
		    none.n, none.v[0], none.n > 1 ? " ..." : "");
	}
	if (install.n + purge.n > 0)
		run_add(&run, "export DEBIAN_FRONTEND=noninteractive", NULL);
	if (install.n > 0) {
		const char *get = "apt-get install -y --no-install-recommends";

		if (lines.n > 0 && when == RENDER_APT_SNAPSHOT_ALWAYS) {
			struct buf cmd = BUF_INIT;

			add_snapshot_list(&cmd, &lines, "\t");
			run_add(&run, buf_cstr(&cmd), NULL);
			buf_release(&cmd);
		}
		run_add(&run, "apt-get update", NULL);
		if (lines.n > 0 && when == RENDER_APT_SNAPSHOT_FALLBACK) {
			struct buf cmd = BUF_INIT;

			run_add(&run, "set --", &install);
			buf_printf(&cmd, "{ %s \"$@\" \\\n\t\t|| { ", get);
			add_snapshot_list(&cmd, &lines, "\t\t");
			buf_printf(&cmd, " \\\n\t\t&& apt-get update \\\n\t\t&& %s \"$@\"; }; }",
			    get);
			run_add(&run, buf_cstr(&cmd), NULL);
			buf_release(&cmd);
		} else {
			run_add(&run, get, &install);
		}
	}
	if (purge.n > 0)
		run_add(&run, "apt-get purge -y", &purge);
	if (automatic.n > 0)
		run_add(&run, "apt-mark auto", &automatic);
	if (run.n > 0)
		run_add(&run, lines.n > 0 ?
		    "rm -rf /var/lib/apt/lists/* " APT_SNAPSHOT_LIST :
		    "rm -rf /var/lib/apt/lists/*", NULL);
	run_end(r, &run);
	strv_release(&install);
	strv_release(&purge);
	strv_release(&automatic);
	strv_release(&lines);
	strv_release(&none);
}

/*
 * A manager whose changes are one install and one remove command, each
 * given name<sep>version (resp. name) words.
 */
struct pkg_commands {
	const char *manager;
	unsigned installer;	/* enum installer */
	const char *title;	/* the comment above the RUN line */
	const char *sep;
	const char *install;
	const char *remove;
};

static const struct pkg_commands apk_commands = {
	"apk", INSTALLER_APK, "System packages (apk), pinned to the versions in the container.",
	"=", "apk add --no-cache", "apk del",
};

static const struct pkg_commands npm_commands = {
	"npm", INSTALLER_NPM, "Global npm packages, pinned.",
	"@", "npm install -g", "npm uninstall -g",
};

static void
render_packages(struct render *r, const struct pkg_commands *m)
{
	struct strv install = { 0 }, remove = { 0 };
	struct run run = { BUF_INIT, 0, m->installer };
	size_t n;
	cleanup_free const struct pkg_change **v = changes_of(r, m->manager, &n);

	if (n == 0)
		return;
	buf_addch(&r->out, '\n');
	comment(r, "%s", m->title);
	split_changes(r, v, n, m->sep, &install, &remove, NULL);
	if (install.n > 0)
		run_add(&run, m->install, &install);
	if (remove.n > 0)
		run_add(&run, m->remove, &remove);
	run_end(r, &run);
	strv_release(&install);
	strv_release(&remove);
}

/* An added path of the loose files equals path. */
static int
fs_added(const struct render *r, const char *path)
{
	return path_index_has(&r->added, path);
}

/*
 * The pip command for the interpreter owning site-packages dir loc, or NULL
 * when keep cannot tell which one (a warning says so). *venv_out is set to
 * the venv root to create first, or NULL. Returns a new string.
 */
static char *
pip_command(struct render *r, const char *loc, char **venv_out)
{
	const char *lib = strstr(loc, "/lib/python");
	cleanup_free char *root = NULL;
	cleanup_free char *cfg = NULL;
	struct buf b = BUF_INIT;

	*venv_out = NULL;
	if (loc[0] == '\0')
		return xstrdup("PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip");
	if (lib == NULL || !quote_path_safe(loc)) {
		comment(r, "Unknown interpreter for site-packages '%s': its packages follow as a comment.",
		    pr(r, loc));
		warn(r, "no interpreter known for python packages in '%s': not reinstalled", pr(r, loc));
		return NULL;
	}
	root = xstrndup(loc, (size_t)(lib - loc));
	if (root[0] == '\0' || strcmp(root, "/usr") == 0 || strcmp(root, "/usr/local") == 0)
		/* The container's pip was allowed to write there (PEP 668). */
		return xstrdup("PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip");
	if (strcmp(root, "/root/.local") == 0)
		return xstrdup("PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip --user");
	if (strlen(root) > 7 && strcmp(root + strlen(root) - 7, "/.local") == 0) {
		comment(r, "User site-packages '%s' belong to another user: its packages follow as a comment.",
		    pr(r, loc));
		warn(r, "python packages in the user site '%s' are not reinstalled", pr(r, loc));
		return NULL;
	}
	cfg = xasprintf("%s/pyvenv.cfg", root);
	if (fs_added(r, cfg) || fs_added(r, root))
		*venv_out = xstrdup(root);
	shell_word(&b, root);
	buf_addstr(&b, "/bin/python -m pip");
	return buf_detach(&b, NULL);
}

static void
render_pip_group(struct render *r, const struct pkg_change **v, size_t n)
{
	struct strv install = { 0 }, remove = { 0 };
	struct run run = { BUF_INIT, 0, INSTALLER_PIP };
	cleanup_free char *venv = NULL;
	cleanup_free char *pip = pip_command(r, v[0]->pkg.location, &venv);

	if (pip == NULL) {
		for (size_t i = 0; i < n; i++)
			comment(r, "  %s %s==%s", pkg_change_name(v[i]->change),
			    pr(r, v[i]->pkg.name), pr(r, v[i]->pkg.version));
		return;
	}
	split_changes(r, v, n, "==", &install, &remove, NULL);
	if (venv != NULL && install.n > 0) {
		struct buf cmd = BUF_INIT;

		buf_addstr(&cmd, "python3 -m venv ");
		shell_word(&cmd, venv);
		run_add(&run, buf_cstr(&cmd), NULL);
		buf_release(&cmd);
	}
	if (install.n > 0) {
		cleanup_free char *cmd = NULL;
		const char *user = strstr(pip, " --user");

		/* "--user" belongs after "install". */
		if (user != NULL)
			cmd = xasprintf("%.*s install --user --no-cache-dir", (int)(user - pip), pip);
		else
			cmd = xasprintf("%s install --no-cache-dir", pip);
		run_add(&run, cmd, &install);
	}
	if (remove.n > 0) {
		const char *user = strstr(pip, " --user");
		cleanup_free char *cmd = xasprintf("%.*s uninstall -y",
		    (int)(user ? (size_t)(user - pip) : strlen(pip)), pip);

		run_add(&run, cmd, &remove);
	}
	run_end(r, &run);
	strv_release(&install);
	strv_release(&remove);
}

static void
render_pip(struct render *r)
{
	size_t n, start = 0;
	cleanup_free const struct pkg_change **v = changes_of(r, "pip", &n);

	if (n == 0)
		return;
	buf_addch(&r->out, '\n');
	comment(r, "Python packages, pinned, with the interpreter that owns each site-packages.");
	for (size_t i = 1; i <= n; i++) {
		if (i < n && strcmp(v[i]->pkg.location, v[start]->pkg.location) == 0)
			continue;
		render_pip_group(r, v + start, i - start);
		start = i;
	}
}

static void
render_other_managers(struct render *r)
{
	const struct pkg_changes *pc = r->in->pkgs;
	struct strv seen = { 0 };

	for (size_t i = 0; pc != NULL && i < pc->n; i++) {
		const char *m = pc->v[i].pkg.manager;

		if (strcmp(m, "dpkg") == 0 || strcmp(m, "apk") == 0 ||
		    strcmp(m, "pip") == 0 || strcmp(m, "npm") == 0 || strv_find(&seen, m) >= 0)
			continue;
		strv_push(&seen, m);
	}
	strv_sort(&seen);
	for (size_t i = 0; i < seen.n; i++) {
		size_t n;
		cleanup_free const struct pkg_change **v = changes_of(r, seen.v[i], &n);

		buf_addch(&r->out, '\n');
		comment(r, "Packages of '%s', which keep cannot render yet:", pr(r, seen.v[i]));
		for (size_t j = 0; j < n; j++)
			comment(r, "  %s %s %s", pkg_change_name(v[j]->change),
			    pr(r, v[j]->pkg.name), pr(r, v[j]->pkg.version));
		warn(r, "%zu package change(s) of manager '%s' are only listed in a comment",
		    n, pr(r, seen.v[i]));
	}
	strv_release(&seen);
}

/* --- files: installer configuration and loose files ----------------------- */

/* Configuration an installer reads: copied before the installs. */
static int
is_config(const char *path)
{
	return installer_config_match(path, NULL);
}

/* The build context holds path, itself or inside a directory it holds. */
static int
in_context(const struct render *r, const char *path)
{
	cleanup_free char *up = NULL;

	if (!r->in->use_context)
		return 0;
	if (path_index_has(&r->context, path))
		return 1;
	/* Each ancestor, as a directory of the context. */
	up = xstrdup(path);
	for (char *slash = strchr(up + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (path_index_has(&r->context_dirs, up))
			return 1;
		*slash = '/';
	}
	return 0;
}

/* A modified directory that only changed because something below it did. */
static int
is_parent_only(const struct render *r, const struct fs_change *c)
{
	return c->kind == FS_MODIFIED && path_index_has_below(&r->changed, c->path);
}

/* The sorted indexes of struct render, over its input. */
static void
index_paths(struct render *r)
{
	const struct fs_changes *fc = r->in->files;
	size_t nf = fc ? fc->n : 0, nc = r->in->n_context_files;

	r->changed.v = xcalloc(nf + 1, sizeof(*r->changed.v));
	r->added.v = xcalloc(nf + 1, sizeof(*r->added.v));
	for (size_t i = 0; i < nf; i++) {
		r->changed.v[r->changed.n++] = fc->v[i].path;
		if (fc->v[i].kind == FS_ADDED)
			r->added.v[r->added.n++] = fc->v[i].path;
	}
	r->context.v = xcalloc(nc + 1, sizeof(*r->context.v));
	r->context_dirs.v = xcalloc(nc + 1, sizeof(*r->context_dirs.v));
	for (size_t i = 0; r->in->use_context && i < nc; i++) {
		const struct context_file *cf = &r->in->context_files[i];

		r->context.v[r->context.n++] = cf->path;
		if (cf->is_dir)
			r->context_dirs.v[r->context_dirs.n++] = cf->path;
	}
	path_index_sort(&r->changed);
	path_index_sort(&r->added);
	path_index_sort(&r->context);
	path_index_sort(&r->context_dirs);
}

static int
fs_ptr_cmp(const void *a, const void *b)
{
	const struct fs_change *x = *(const struct fs_change *const *)a;
	const struct fs_change *y = *(const struct fs_change *const *)b;

	return strcmp(x->path, y->path);
}

/* Loose-file changes, installer configuration (want_config) or not, by path. */
static const struct fs_change **
fs_select(const struct render *r, int want_config, size_t *n_out)
{
	const struct fs_changes *fc = r->in->files;
	const struct fs_change **v = xcalloc((fc ? fc->n : 0) + 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; fc != NULL && i < fc->n; i++)
		if (is_config(fc->v[i].path) == want_config &&
		    !is_parent_only(r, &fc->v[i]))
			v[n++] = &fc->v[i];
	if (n > 1)
		qsort(v, n, sizeof(*v), fs_ptr_cmp);
	*n_out = n;
	return v;
}

static int
cf_ptr_cmp(const void *a, const void *b)
{
	const struct context_file *x = *(const struct context_file *const *)a;
	const struct context_file *y = *(const struct context_file *const *)b;

	return strcmp(x->path, y->path);
}

static int
cf_mode_cmp(const void *a, const void *b)
{
	const struct context_file *x = *(const struct context_file *const *)a;
	const struct context_file *y = *(const struct context_file *const *)b;

	if ((x->mode & 07777) != (y->mode & 07777))
		return (x->mode & 07777) < (y->mode & 07777) ? -1 : 1;
	return strcmp(x->path, y->path);
}

static const char *
kind_word(enum fs_change_kind k)
{
	return k == FS_ADDED ? "added" : k == FS_DELETED ? "deleted" : "changed";
}

static void
skip_unsafe_name(struct render *r, const char *path)
{
	comment(r, "Skipped a file whose name cannot be written into a Dockerfile: %s",
	    pr(r, path));
	warn(r, "skipped file '%s': its name cannot be written safely into a dockerfile",
	    pr(r, path));
}

/*
 * COPY the context files of one kind (installer configuration or not) with
 * their owner, then one RUN setting their modes; COPY keeps no mode without
 * BuildKit's --chmod, which the classic builder lacks.
 */
static void
copy_context(struct render *r, int want_config)
{
	const struct context_file **v;
	size_t n = 0;
	struct run run = { BUF_INIT, 0 };

	if (!r->in->use_context)
		return;
	v = xcalloc(r->in->n_context_files + 1, sizeof(*v));
	for (size_t i = 0; i < r->in->n_context_files; i++) {
		const struct context_file *cf = &r->in->context_files[i];

		if (is_config(cf->path) != want_config)
			continue;
		if (!quote_path_safe(cf->path) || strcmp(cf->path, "/") == 0) {
			skip_unsafe_name(r, cf->path);
			continue;
		}
		v[n++] = cf;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cf_ptr_cmp);
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *src = xasprintf("files%s", v[i]->path);

		switch_to_root(r);
		buf_printf(&r->out, "COPY --chown=%u:%u [", v[i]->uid, v[i]->gid);
		quote_json(&r->out, src);
		buf_addstr(&r->out, ", ");
		quote_json(&r->out, v[i]->path);
		buf_addstr(&r->out, "]\n");
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cf_mode_cmp);
	for (size_t i = 0; i < n;) {
		unsigned int mode = v[i]->mode & 07777;
		struct buf cmd = BUF_INIT;

		buf_printf(&cmd, "chmod %04o", mode);
		for (; i < n && (v[i]->mode & 07777) == mode; i++) {
			buf_addch(&cmd, ' ');
			shell_word(&cmd, v[i]->path);
		}
		run_add(&run, buf_cstr(&cmd), NULL);
		buf_release(&cmd);
	}
	run_end(r, &run);
	free(v);
}

/* RUN rm for deleted paths (context mode only); returns how many. */
static void
remove_deleted(struct render *r, const struct fs_change **v, size_t n)
{
	struct strv paths = { 0 };
	struct run run = { BUF_INIT, 0 };

	for (size_t i = 0; i < n; i++) {
		struct buf w = BUF_INIT;

		if (v[i]->kind != FS_DELETED || !quote_path_safe(v[i]->path))
			continue;
		shell_word(&w, v[i]->path);
		strv_push(&paths, buf_cstr(&w));
		buf_release(&w);
	}
	if (paths.n > 0)
		run_add(&run, "rm -rf --", &paths);
	run_end(r, &run);
	strv_release(&paths);
}

/*
 * List the changes a Dockerfile does not reproduce: with a context, added
 * or changed paths the context lacks; without one, everything.
 */
static size_t
list_files(struct render *r, const struct fs_change **v, size_t n, const char *title)
{
	size_t listed = 0;

	for (size_t i = 0; i < n; i++) {
		const char *p = v[i]->path;

		if (r->in->use_context) {
			if (v[i]->kind == FS_DELETED ? quote_path_safe(p) : in_context(r, p))
				continue;
		}
		if (!listed++)
			comment(r, "%s", title);
		if (text_has_control(p) || !text_utf8_valid(p) ||
		    (r->in->use_context && v[i]->kind == FS_DELETED)) {
			skip_unsafe_name(r, p);
			continue;
		}
		comment(r, "  %s %s", kind_word(v[i]->kind), pr(r, p));
	}
	return listed;
}

/* A dpkg or apk change installs ca-certificates, whose scripts read the CA files. */
static int
installs_ca_certificates(const struct render *r)
{
	const struct pkg_changes *pc = r->in->pkgs;

	for (size_t i = 0; pc != NULL && i < pc->n; i++)
		if (pc->v[i].change != PKG_REMOVED &&
		    strcmp(pc->v[i].pkg.name, "ca-certificates") == 0 &&
		    (strcmp(pc->v[i].pkg.manager, "dpkg") == 0 ||
		    strcmp(pc->v[i].pkg.manager, "apk") == 0))
			return 1;
	return 0;
}

/*
 * After the CA certificates are copied, the system's CA list must include
 * them before anything downloads: ca-certificates' own scripts do it when
 * the installs below bring that package, else update-ca-certificates here
 * (when the base image has it: without it the files did nothing in the
 * container either).
 */
static void
update_ca(struct render *r)
{
	struct run run = { BUF_INIT, 0, 0 };
	int any = 0;

	for (size_t i = 0; i < r->in->n_context_files; i++) {
		struct installer_config ic;

		any |= installer_config_match(r->in->context_files[i].path, &ic) && ic.ca;
	}
	if (!any || installs_ca_certificates(r))
		return;
	run_add(&run, "if command -v update-ca-certificates >/dev/null; then update-ca-certificates; fi",
	    NULL);
	run_end(r, &run);
}

/* Say where each secret went and how a build gets it back. */
static void
note_secrets(struct render *r)
{
	if (r->n_secrets == 0)
		return;
	comment(r, "These hold credentials, left out of this recipe (*** in their place); the");
	comment(r, "installs that read them mount each as a BuildKit secret (docker build");
	comment(r, "--secret id=ID,src=FILE, FILE the real one):");
	for (size_t i = 0; i < r->n_secrets; i++) {
		const struct secret_file *sf = &r->secrets[i];

		comment(r, "  %s: %s", sf->id, sf->path);
		warn(r, "'%s' holds credentials: left out of the recipe; the installs mount it as build secret '%s' (DOCKER_BUILDKIT=1 docker build --secret id=%s,src=FILE)",
		    sf->path, sf->id, sf->id);
	}
}

static void
render_sources(struct render *r)
{
	size_t n, listed;
	cleanup_free const struct fs_change **v = fs_select(r, 1, &n);
	int any_cf = 0;

	for (size_t i = 0; r->in->use_context && i < r->in->n_context_files; i++)
		any_cf |= is_config(r->in->context_files[i].path);
	if (n == 0 && !any_cf && r->n_secrets == 0)
		return;
	buf_addch(&r->out, '\n');
	comment(r, "Package-manager configuration (sources, keys, CA certificates, settings),");
	comment(r, "before the installs that read it.");
	copy_context(r, 1);
	if (r->in->use_context) {
		remove_deleted(r, v, n);
		update_ca(r);
	}
	note_secrets(r);
	listed = list_files(r, v, n, r->in->use_context ?
	    "Not in the build context, add them by hand:" :
	    "Changed in the container; render with a build context to copy them:");
	if (listed > 0)
		warn(r, "%zu package source file(s) (sources, keys, certificates, installer settings) not reproduced: installs that need them may fail",
		    listed);
}

static void
render_loose(struct render *r)
{
	size_t n, listed;
	cleanup_free const struct fs_change **v = fs_select(r, 0, &n);
	int any_cf = 0;

	for (size_t i = 0; r->in->use_context && i < r->in->n_context_files; i++)
		any_cf |= !is_config(r->in->context_files[i].path);
	if (n == 0 && !any_cf)
		return;
	buf_addch(&r->out, '\n');
	comment(r, "Loose files: changes no package explains.");
	copy_context(r, 0);
	if (r->in->use_context)
		remove_deleted(r, v, n);
	listed = list_files(r, v, n, r->in->use_context ?
	    "Not in the build context:" :
	    "Not copied (render with a build context to copy them):");
	if (listed > 0 && r->in->use_context)
		warn(r, "%zu loose file(s) are not in the build context: only listed", listed);
}

/* --- configuration --------------------------------------------------------- */

/*
 * value written as a Dockerfile word; when it only adds a prefix or suffix
 * to the base image's value ("/opt/bin:" + old PATH), say so with ${NAME}
 * so the line reads like what the user did.
 */
static int
env_word(struct buf *b, const char *name, const char *value, const char *old)
{
	size_t vl = strlen(value), ol = old ? strlen(old) : 0;

	if (ol > 0 && vl > ol + 1 && strcmp(value + vl - ol, old) == 0 &&
	    value[vl - ol - 1] == ':') {
		cleanup_free char *pre = xstrndup(value, vl - ol);

		buf_addch(b, '"');
		if (quote_dockerfile_escape(b, pre) < 0)
			return -1;
		buf_printf(b, "${%s}\"", name);
		return 0;
	}
	if (ol > 0 && vl > ol + 1 && strncmp(value, old, ol) == 0 && value[ol] == ':') {
		buf_printf(b, "\"${%s}", name);
		if (quote_dockerfile_escape(b, value + ol) < 0)
			return -1;
		buf_addch(b, '"');
		return 0;
	}
	return quote_dockerfile_word(b, value);
}

/*
 * Where language packages come from: the container's index settings become
 * build arguments before the installs, so pip, uv and npm in the build use
 * the same index the container did (ENV, at the end, keeps them for run
 * time). Values with credentials are secrets and never written.
 */
static const char *const index_vars[] = {
	"PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_TRUSTED_HOST",
	"PIP_FIND_LINKS", "UV_INDEX_URL", "UV_EXTRA_INDEX_URL",
	"UV_DEFAULT_INDEX", "UV_INDEX", "NPM_CONFIG_REGISTRY",
	"npm_config_registry",
};

static void
render_index_args(struct render *r, const struct kv **env, size_t n)
{
	int any = 0;

	for (size_t i = 0; i < n; i++) {
		const char *name = env[i]->key, *value = env[i]->value;
		struct buf line = BUF_INIT;
		size_t k;

		for (k = 0; k < sizeof(index_vars) / sizeof(index_vars[0]); k++)
			if (strcmp(name, index_vars[k]) == 0)
				break;
		if (k == sizeof(index_vars) / sizeof(index_vars[0]) ||
		    secrets_classify_env(name, value) != SECRET_NONE)
			continue;
		buf_printf(&line, "ARG %s=", name);
		if (env_word(&line, name, value, NULL) < 0) {
			buf_release(&line);
			continue;	/* render_env refuses it with a warning */
		}
		if (!any++) {
			buf_addch(&r->out, '\n');
			comment(r, "The package index the container used, for the installs below.");
		}
		buf_add(&r->out, line.ptr, line.len);
		buf_addch(&r->out, '\n');
		buf_release(&line);
	}
}

static void
render_env(struct render *r, const struct kv **env, size_t n)
{
	const struct image *base = r->in->base;
	struct strv gone = { 0 };
	int any = 0;

	for (size_t i = 0; i < n; i++) {
		const char *name = env[i]->key, *value = env[i]->value;
		const char *old = kvv_get(&base->env, name);
		struct buf line = BUF_INIT;

		if (secrets_classify_env(name, value) != SECRET_NONE)
			continue;	/* proxies and secrets have their own sections */
		if (old != NULL && strcmp(old, value) == 0)
			continue;
		if (!any++)
			buf_addch(&r->out, '\n');
		if (!secrets_env_name_valid(name)) {
			comment(r, "Refused environment variable '%s': not a valid name.", pr(r, name));
			warn(r, "refused environment variable '%s': not a valid name", pr(r, name));
			continue;
		}
		buf_printf(&line, "ENV %s=", name);
		if (env_word(&line, name, value, old) < 0) {
			comment(r, "Refused environment variable %s: its value holds control characters.",
			    name);
			warn(r, "refused environment variable '%s': its value holds control characters or invalid utf-8",
			    name);
			buf_release(&line);
			continue;
		}
		buf_add(&r->out, line.ptr, line.len);
		buf_addch(&r->out, '\n');
		buf_release(&line);
	}
	for (size_t i = 0; i < base->env.n; i++)
		if (kvv_get(&r->in->container->env, base->env.v[i].key) == NULL)
			strv_push(&gone, pr(r, base->env.v[i].key));
	strv_sort(&gone);
	if (gone.n > 0) {
		if (!any++)
			buf_addch(&r->out, '\n');
		comment(r, "The base image sets these, the container does not (a Dockerfile cannot unset them):");
		for (size_t i = 0; i < gone.n; i++)
			comment(r, "  %s", gone.v[i]);
	}
	strv_release(&gone);
}

static void
render_workdir_user(struct render *r)
{
	const struct container *c = r->in->container;
	const struct image *base = r->in->base;
	const char *wd = c->workdir ? c->workdir : "";
	const char *old_wd = base->workdir ? base->workdir : "";
	const char *user = c->user && c->user[0] ? c->user : base->user ? base->user : "";
	const char *old_user = base->user ? base->user : "";

	if (wd[0] != '\0' && strcmp(wd, old_wd) != 0) {
		if (quote_path_safe(wd))
			buf_printf(&r->out, "WORKDIR %s\n", wd);
		else {
			comment(r, "Refused working directory '%s': not safe in a Dockerfile.", pr(r, wd));
			warn(r, "refused working directory '%s': not safe in a dockerfile", pr(r, wd));
		}
	}
	if (strcmp(user, old_user) == 0 && !r->as_root)
		return;
	if (user[0] == '\0')
		user = "root";
	if (user_valid(user)) {
		buf_printf(&r->out, "USER %s\n", user);
		return;
	}
	comment(r, "Refused user '%s': not a valid user name.", pr(r, user));
	warn(r, "refused user '%s': not a valid user name; the image runs as %s",
	    pr(r, user), r->as_root ? "root" : "the base image's user");
}

static int
port_valid(const char *p)
{
	char *end;
	long n = strtol(p, &end, 10);

	if (!isdigit((unsigned char)p[0]) || n < 1 || n > 65535)
		return 0;
	return *end == '\0' || strcmp(end, "/tcp") == 0 || strcmp(end, "/udp") == 0 ||
	    strcmp(end, "/sctp") == 0;
}

static void
render_expose(struct render *r)
{
	struct strv ports = { 0 };

	for (size_t i = 0; i < r->in->container->exposed_ports.n; i++) {
		const char *p = r->in->container->exposed_ports.v[i];

		if (port_valid(p))
			strv_push(&ports, p);
		else
			warn(r, "refused exposed port '%s'", pr(r, p));
	}
	strv_sort(&ports);
	if (ports.n > 0) {
		buf_addstr(&r->out, "EXPOSE");
		for (size_t i = 0; i < ports.n; i++)
			buf_printf(&r->out, " %s", ports.v[i]);
		buf_addch(&r->out, '\n');
	}
	strv_release(&ports);
}

/* ["a", "b"] appended to line; -1 when an element is not UTF-8. */
static int
json_argv(struct buf *line, const struct strv *args)
{
	buf_addch(line, '[');
	for (size_t i = 0; i < args->n; i++) {
		if (i > 0)
			buf_addstr(line, ", ");
		if (quote_json(line, args->v[i]) < 0)
			return -1;
	}
	buf_addch(line, ']');
	return 0;
}

/*
 * INSTR ["a", "b"]; refused as a whole when an element is not UTF-8, and
 * left out, shown redacted in a comment, when it holds a secret (a DSN, a
 * --password VALUE): a recipe must not carry it, and a CMD with "***" in
 * it would run something else.
 */
static void
exec_form(struct render *r, const char *instr, const struct strv *args)
{
	struct buf line = BUF_INIT;

	buf_printf(&line, "%s ", instr);
	if (json_argv(&line, args) < 0) {
		comment(r, "Refused %s: an argument is not valid UTF-8.", instr);
		warn(r, "refused %s: an argument is not valid utf-8", instr);
	} else if (secrets_argv_has_secret(args)) {
		struct strv shown = { 0 };
		struct buf text = BUF_INIT;

		secrets_redact_argv(args, &shown);
		json_argv(&text, &shown);
		comment(r, "Left out %s: it holds a secret; set it at run time:", instr);
		comment(r, "  %s %s", instr, pr(r, buf_cstr(&text)));
		warn(r, "left out %s: it holds a secret, set it at run time", instr);
		strv_release(&shown);
		buf_release(&text);
	} else {
		buf_addch(&line, '\n');
		buf_add(&r->out, line.ptr, line.len);
	}
	buf_release(&line);
}

static void
render_command(struct render *r)
{
	const struct container *c = r->in->container;
	const struct image *base = r->in->base;
	int ep = !strv_equal(&c->entrypoint, &base->entrypoint);

	if (ep)
		exec_form(r, "ENTRYPOINT", &c->entrypoint);
	/* A new ENTRYPOINT resets the inherited CMD. */
	if (!strv_equal(&c->cmd, &base->cmd) || (ep && c->cmd.n > 0))
		exec_form(r, "CMD", &c->cmd);
}

/* --- mounts ----------------------------------------------------------------- */

static void
render_mounts(struct render *r)
{
	const struct container *c = r->in->container;
	struct strv run = { 0 }, compose = { 0 }, tmpfs = { 0 }, volumes = { 0 };

	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct mount *m = &c->mounts[i];
		const char *src = pr(r, m->source ? m->source : "");
		const char *dst = pr(r, m->destination ? m->destination : "");
		const char *type = m->type ? m->type : "";
		const char *ro = m->rw ? "" : ":ro";
		cleanup_free char *a = NULL;
		cleanup_free char *b = NULL;

		if (strcmp(type, "bind") == 0) {
			a = xasprintf("-v %s:%s%s", src, dst, ro);
			b = xasprintf("- %s:%s%s", src, dst, ro);
		} else if (strcmp(type, "volume") == 0) {
			a = xasprintf("--mount type=volume,source=%s,target=%s%s", src, dst,
			    m->rw ? "" : ",readonly");
			b = xasprintf("- %s:%s%s", src, dst, ro);
			strv_push(&volumes, src);
		} else if (strcmp(type, "tmpfs") == 0) {
			a = xasprintf("--mount type=tmpfs,target=%s", dst);
			strv_push(&tmpfs, dst);
		} else {
			a = xasprintf("--mount type=%s,source=%s,target=%s", pr(r, type), src, dst);
		}
		strv_push(&run, a);
		if (b != NULL)
			strv_push(&compose, b);
	}
	strv_sort(&run);
	strv_sort(&compose);
	strv_sort(&tmpfs);
	strv_sort(&volumes);
	if (run.n > 0) {
		buf_addch(&r->out, '\n');
		comment(r, "Mounts are not baked into the image; keep resume recreates them.");
		comment(r, "By hand, add to docker run:");
		for (size_t i = 0; i < run.n; i++)
			comment(r, "  %s", run.v[i]);
		comment(r, "or in a compose service:");
		if (compose.n > 0) {
			comment(r, "  volumes:");
			for (size_t i = 0; i < compose.n; i++)
				comment(r, "    %s", compose.v[i]);
		}
		if (tmpfs.n > 0) {
			comment(r, "  tmpfs:");
			for (size_t i = 0; i < tmpfs.n; i++)
				comment(r, "    - %s", tmpfs.v[i]);
		}
		if (volumes.n > 0) {
			comment(r, "with, at the top level:");
			comment(r, "volumes:");
			for (size_t i = 0; i < volumes.n; i++)
				comment(r, "  %s: {external: true}", volumes.v[i]);
		}
	}
	strv_release(&run);
	strv_release(&compose);
	strv_release(&tmpfs);
	strv_release(&volumes);
}

/* --- entry point ------------------------------------------------------------ */

int
render_dockerfile(const struct recipe_input *in, struct buf *out,
    struct strv *warnings, struct keep_error **err)
{
	struct render r = { .in = in, .out = BUF_INIT, .warnings = warnings };
	const struct kv **env;
	size_t n_env;
	size_t config_start;

	if (in == NULL || in->container == NULL || in->base == NULL)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "render dockerfile: no container or base image given");
	if (!image_id_valid(in->base->id)) {
		cleanup_free char *id = text_printable_dup(in->base->id ? in->base->id : "");

		return keep_error_set(err, KEEP_ERR_FAILED,
		    "render dockerfile: base image id '%s' is not sha256:<hex>", id);
	}

	n_env = in->container->env.n;
	env = sorted_env(&in->container->env);
	collect_secrets(&r);
	index_paths(&r);
	render_header(&r);
	render_from(&r);
	render_proxies(&r, env, n_env);
	render_secrets(&r, env, n_env);
	render_sources(&r);
	render_dpkg(&r);
	render_packages(&r, &apk_commands);
	render_index_args(&r, env, n_env);
	render_pip(&r);
	render_packages(&r, &npm_commands);
	render_other_managers(&r);
	render_loose(&r);
	render_env(&r, env, n_env);
	config_start = r.out.len;
	buf_addch(&r.out, '\n');
	render_workdir_user(&r);
	render_expose(&r);
	render_command(&r);
	if (r.out.len == config_start + 1)
		buf_truncate(&r.out, config_start);
	render_mounts(&r);

	buf_add(out, r.out.ptr, r.out.len);
	buf_release(&r.out);
	strv_release(&r.scratch);
	for (size_t i = 0; i < r.n_secrets; i++)
		free(r.secrets[i].id);
	free(r.secrets);
	free(r.changed.v);
	free(r.added.v);
	free(r.context.v);
	free(r.context_dirs.v);
	free(env);
	return 0;
}
