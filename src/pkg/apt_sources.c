/*
 * apt's sources: which repositories a container installs from, and which of
 * them a snapshot archive keeps the old versions of. A recipe pins every
 * dpkg package; the day a point release replaces a pinned version on the
 * mirror, the pin only builds from such an archive
 * (snapshot.debian.org/archive/<archive>/<time>,
 * snapshot.ubuntu.com/<archive>/<time>).
 */
#include "pkg/pkg_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/secrets.h"
#include "util/xalloc.h"

/* Split s[0..len) at spaces and tabs, appending the words to out. */
static void
split_words(const char *s, size_t len, struct strv *out)
{
	size_t i = 0;

	while (i < len) {
		size_t start;

		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		start = i;
		while (i < len && s[i] != ' ' && s[i] != '\t')
			i++;
		if (i > start)
			strv_push_nodup(out, xstrndup(s + start, i - start));
	}
}

/*
 * No real system has this many sources; the bound keeps a hostile file's
 * thousands of lines (and the scans over them, here and in the renderer)
 * small.
 */
#define APT_SOURCES_MAX 256

static void
push_entry(struct apt_sources *out, const char *uri, const char *suite,
    const struct strv *components, const char *signed_by)
{
	cleanup_free char *clean = NULL;
	struct buf comps = BUF_INIT;

	if (out->n >= APT_SOURCES_MAX)
		return;
	clean = secrets_redact(uri);

	for (size_t i = 0; components && i < components->n; i++) {
		if (i > 0)
			buf_addch(&comps, ' ');
		buf_addstr(&comps, components->v[i]);
	}
	for (size_t i = 0; i < out->n; i++)
		if (strcmp(out->v[i].uri, clean) == 0 &&
		    strcmp(out->v[i].suite, suite) == 0) {
			buf_release(&comps);
			return;	/* apt reads a repeated entry once */
		}
	apt_sources_push(out, clean, suite, buf_cstr(&comps), signed_by, "");
	buf_release(&comps);
}

/*
 * The signed-by value of one-line options "[a=b signed-by=/k.gpg]" (the
 * part between the brackets), or NULL.
 */
static char *
option_signed_by(const struct strv *opts)
{
	for (size_t i = 0; i < opts->n; i++)
		if (strncasecmp(opts->v[i], "signed-by=", 10) == 0)
			return xstrdup(opts->v[i] + 10);
	return NULL;
}

/* One sources.list line: "deb [options] uri suite [component ...]". */
static void
parse_line(const char *line, size_t len, struct apt_sources *out)
{
	struct strv words = { 0 }, opts = { 0 };
	const char *hash = memchr(line, '#', len);
	cleanup_free char *signed_by = NULL;
	size_t w = 1;

	if (hash)
		len = (size_t)(hash - line);
	line = pkgi_trim(line, &len);
	if (len < 4 || strncmp(line, "deb", 3) != 0 ||
	    (line[3] != ' ' && line[3] != '\t'))
		return;		/* deb-src, rpm ... or nothing */
	line += 4;
	len -= 4;
	line = pkgi_trim(line, &len);
	if (len > 0 && line[0] == '[') {
		const char *close = memchr(line, ']', len);

		if (close == NULL)
			return;
		split_words(line + 1, (size_t)(close - line - 1), &opts);
		signed_by = option_signed_by(&opts);
		len -= (size_t)(close + 1 - line);
		line = close + 1;
	}
	split_words(line, len, &words);
	if (words.n >= 2) {
		const char *suite = words.v[1];
		struct strv comps = { 0 };

		/* A flat repository ("uri ./") has no components. */
		for (w = 2; w < words.n; w++)
			strv_push(&comps, words.v[w]);
		if (suite[strlen(suite) - 1] == '/' || comps.n > 0)
			push_entry(out, words.v[0], suite, &comps,
			    signed_by ? signed_by : "");
		strv_release(&comps);
	}
	strv_release(&words);
	strv_release(&opts);
}

struct stanza {
	struct strv types, uris, suites, components;
	char *signed_by;
	int disabled;
};

static void
stanza_release(struct stanza *st)
{
	strv_release(&st->types);
	strv_release(&st->uris);
	strv_release(&st->suites);
	strv_release(&st->components);
	free(st->signed_by);
	memset(st, 0, sizeof(*st));
}

static void
stanza_emit(struct stanza *st, struct apt_sources *out)
{
	if (!st->disabled && strv_find(&st->types, "deb") >= 0)
		for (size_t u = 0; u < st->uris.n; u++)
			for (size_t s = 0; s < st->suites.n; s++) {
				const char *suite = st->suites.v[s];

				if (suite[strlen(suite) - 1] != '/' &&
				    st->components.n == 0)
					continue;	/* apt refuses it */
				push_entry(out, st->uris.v[u], suite,
				    &st->components,
				    st->signed_by ? st->signed_by : "");
			}
	stanza_release(st);
}

/* One "Name: value" line of a deb822 stanza. */
static void
stanza_field(struct stanza *st, const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len);
	const char *v;
	size_t nlen, vlen;

	if (colon == NULL)
		return;
	nlen = (size_t)(colon - line);
	v = colon + 1;
	vlen = len - nlen - 1;
	v = pkgi_trim(v, &vlen);
	if (nlen == 5 && strncasecmp(line, "Types", 5) == 0)
		split_words(v, vlen, &st->types);
	else if (nlen == 4 && strncasecmp(line, "URIs", 4) == 0)
		split_words(v, vlen, &st->uris);
	else if (nlen == 6 && strncasecmp(line, "Suites", 6) == 0)
		split_words(v, vlen, &st->suites);
	else if (nlen == 10 && strncasecmp(line, "Components", 10) == 0)
		split_words(v, vlen, &st->components);
	else if (nlen == 7 && strncasecmp(line, "Enabled", 7) == 0)
		st->disabled = vlen == 2 && strncasecmp(v, "no", 2) == 0;
	else if (nlen == 9 && strncasecmp(line, "Signed-By", 9) == 0 &&
	    vlen > 0 && memchr(v, ' ', vlen) == NULL) {
		/* A key written inline (on the lines that follow) is no file. */
		free(st->signed_by);
		st->signed_by = xstrndup(v, vlen);
	}
}

void
apt_sources_parse(const char *data, size_t len, int deb822,
    struct apt_sources *out)
{
	struct stanza st = { 0 };
	const char *line;
	size_t pos = 0, n;

	while (pkgi_next_line(data, len, &pos, &line, &n)) {
		if (memchr(line, '\0', n) != NULL)
			continue;
		if (!deb822) {
			parse_line(line, n, out);
			continue;
		}
		if (pkgi_blank(line, n)) {
			stanza_emit(&st, out);
			continue;
		}
		if (line[0] == '#' || line[0] == ' ' || line[0] == '\t')
			continue;	/* a comment, or a field's next line */
		stanza_field(&st, line, n);
	}
	stanza_emit(&st, out);
}

void
apt_release_parse(const char *data, size_t len, char **origin, char **label)
{
	const char *line;
	size_t pos = 0, n;

	*origin = NULL;
	*label = NULL;
	while (pkgi_next_line(data, len, &pos, &line, &n)) {
		char **to = NULL;
		size_t skip = 0;

		if (n > 7 && strncmp(line, "Origin:", 7) == 0)
			to = origin, skip = 7;
		else if (n > 6 && strncmp(line, "Label:", 6) == 0)
			to = label, skip = 6;
		else if (n >= 7 && strncmp(line, "MD5Sum:", 7) == 0)
			break;	/* the file lists follow: no more header */
		if (to != NULL && *to == NULL) {
			size_t vlen = n - skip;
			const char *v = pkgi_trim(line + skip, &vlen);

			*to = xstrndup(v, vlen);
		}
	}
}

/* Host and path of uri: "http://u:p@h:80/a/b/" → "h", "/a/b". */
static void
uri_parts(const char *uri, char **host, char **path)
{
	const char *p = strstr(uri, "://"), *end, *at;
	size_t plen;

	p = p ? p + 3 : uri;
	end = p + strcspn(p, "/");
	at = memchr(p, '@', (size_t)(end - p));
	if (at)
		p = at + 1;
	*host = xstrndup(p, strcspn(p, ":/"));
	for (char *h = *host; *h; h++)
		*h = (char)tolower((unsigned char)*h);
	plen = strlen(end);
	while (plen > 0 && end[plen - 1] == '/')
		plen--;
	*path = xstrndup(end, plen);
}

/* host is name, or a subdomain of the form pre.name ("ftp.de.debian.org"). */
static int
host_is(const char *host, const char *name)
{
	size_t hl = strlen(host), nl = strlen(name);

	return strcmp(host, name) == 0 ||
	    (hl > nl + 1 && host[hl - nl - 1] == '.' &&
	    strcmp(host + hl - nl, name) == 0);
}

const char *
apt_archive_of(const char *uri, const char *origin, const char *label)
{
	cleanup_free char *host = NULL, *path = NULL;
	const char *last;

	uri_parts(uri, &host, &path);
	last = strrchr(path, '/');
	last = last ? last + 1 : path;
	if (host_is(host, "security.debian.org"))
		return path[0] == '\0' || strcmp(last, "debian-security") == 0 ?
		    "debian-security" : "";
	if (strcmp(host, "deb.debian.org") == 0 ||
	    strcmp(host, "cdn-fastly.deb.debian.org") == 0 ||
	    strcmp(host, "httpredir.debian.org") == 0 ||
	    strcmp(host, "ftp.debian.org") == 0 ||
	    (strncmp(host, "ftp.", 4) == 0 && host_is(host, "debian.org"))) {
		if (strcmp(path, "/debian") == 0)
			return "debian";
		if (strcmp(path, "/debian-security") == 0)
			return "debian-security";
		return "";
	}
	if (host_is(host, "archive.ubuntu.com") ||
	    strcmp(host, "security.ubuntu.com") == 0)
		return strcmp(path, "/ubuntu") == 0 ? "ubuntu" : "";
	/* A mirror says whose archive it copies in its Release file. */
	if (origin && strcmp(origin, "Debian") == 0) {
		if ((label && strcmp(label, "Debian-Security") == 0) ||
		    strcmp(last, "debian-security") == 0)
			return "debian-security";
		return "debian";
	}
	if (origin && strcmp(origin, "Ubuntu") == 0)
		return strcmp(last, "ubuntu-ports") == 0 ? "" : "ubuntu";
	return "";
}

char *
apt_lists_name(const char *uri, const char *suite, const char *file)
{
	const char *p = strstr(uri, "://"), *slash, *at;
	cleanup_free char *full = NULL;
	struct buf b = BUF_INIT;
	size_t len;

	/* apt names the file after the URI without scheme and credentials,
	 * with some bytes %-quoted and every '/' made '_'. */
	p = p ? p + 3 : uri;
	slash = p + strcspn(p, "/");
	if ((at = memchr(p, '@', (size_t)(slash - p))) != NULL)
		p = at + 1;
	len = strlen(p);
	while (len > 0 && p[len - 1] == '/')
		len--;
	full = xasprintf("%.*s/dists/%s/%s", (int)len, p, suite, file);
	for (const char *c = full; *c; c++) {
		unsigned char u = (unsigned char)*c;

		if (u <= 0x20 || u >= 0x7f || strchr("\\|{}[]<>\"^~_=!@#$%&*", u))
			buf_printf(&b, "%%%02x", u);
		else
			buf_addch(&b, u == '/' ? '_' : (char)u);
	}
	return buf_detach(&b, NULL);
}

/* The archive of a on no known host, from the Release file apt keeps. */
static int
archive_from_lists(const struct pkg_fs *fs, struct apt_source *a,
    struct keep_error **err)
{
	static const char *const files[] = { "InRelease", "Release" };

	if (a->suite[strlen(a->suite) - 1] == '/')
		return 0;	/* flat: no dists/ */
	for (size_t i = 0; i < 2; i++) {
		cleanup_free char *name = apt_lists_name(a->uri, a->suite, files[i]);
		cleanup_free char *path = xasprintf("/var/lib/apt/lists/%s", name);
		cleanup_buf struct buf data = BUF_INIT;
		char *origin, *label;

		if (fs->read_file(fs->ctx, path, PKG_MAX_META, &data, err) < 0) {
			if (!keep_error_not_found(err))
				return -1;
			continue;
		}
		apt_release_parse(data.ptr, data.len, &origin, &label);
		free(a->archive);
		a->archive = xstrdup(apt_archive_of(a->uri, origin, label));
		free(origin);
		free(label);
		return 0;
	}
	return 0;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls > lx && strcmp(s + ls - lx, suffix) == 0;
}

/* Parse the sources file at path into out; a missing file is none. */
static int
read_sources(const struct pkg_fs *fs, const char *path, int deb822,
    struct apt_sources *out, struct keep_error **err)
{
	cleanup_buf struct buf data = BUF_INIT;

	if (fs->read_file(fs->ctx, path, PKG_MAX_META, &data, err) < 0)
		return keep_error_not_found(err) ? 0 : -1;
	apt_sources_parse(data.ptr ? data.ptr : "", data.len, deb822, out);
	return 0;
}

int
apt_sources_scan(const struct pkg_fs *fs, struct apt_sources *out,
    struct keep_error **err)
{
	struct strv names = { 0 };
	int rc = -1;

	if (read_sources(fs, "/etc/apt/sources.list", 0, out, err) < 0)
		goto out;
	if (fs->list_dir(fs->ctx, "/etc/apt/sources.list.d", &names, err) < 0 &&
	    !keep_error_not_found(err))
		goto out;
	for (size_t i = 0; i < names.n; i++) {
		int deb822 = ends_with(names.v[i], ".sources");
		cleanup_free char *path = NULL;

		if (!deb822 && !ends_with(names.v[i], ".list"))
			continue;	/* apt reads no other name */
		path = xasprintf("/etc/apt/sources.list.d/%s", names.v[i]);
		if (read_sources(fs, path, deb822, out, err) < 0)
			goto out;
	}
	for (size_t i = 0; i < out->n; i++) {
		struct apt_source *a = &out->v[i];

		free(a->archive);
		a->archive = xstrdup(apt_archive_of(a->uri, NULL, NULL));
		if (a->archive[0] == '\0' && archive_from_lists(fs, a, err) < 0)
			goto out;
	}
	rc = 0;
out:
	strv_release(&names);
	return rc;
}
