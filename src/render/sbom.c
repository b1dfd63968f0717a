#include "render/sbom.h"

#include <stdlib.h>
#include <string.h>

#include "util/jout.h"
#include "util/xalloc.h"

/* ---- package URLs ---- */

/*
 * Append s percent-encoded (purl-spec, "Character encoding"): every byte
 * but the alphanumerics, ".-_~" and ':' as %XX, upper-case hex. lower:
 * ASCII letters lower-cased first; dash: '_' as '-' (pypi names).
 */
static void
purl_encode(struct buf *out, const char *s, int lower, int dash)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;

		if (lower && c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (dash && c == '_')
			c = '-';
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr(".-_~:", c))
			buf_addch(out, (char)c);
		else
			buf_printf(out, "%%%02X", c);
	}
}

/* "debian-12", or NULL when the os-release gave no ID or version. */
static char *
distro_of(const char *os_id, const char *os_version)
{
	if (os_id == NULL || os_version == NULL)
		return NULL;
	return xasprintf("%s-%s", os_id, os_version);
}

char *
sbom_purl(const struct pkg *p, const char *os_id, const char *os_version)
{
	cleanup_free char *distro = distro_of(os_id, os_version);
	struct buf b = BUF_INIT;
	const char *sep = "?";

	if (strcmp(p->manager, "dpkg") == 0 || strcmp(p->manager, "apk") == 0) {
		int deb = p->manager[0] == 'd';

		buf_addstr(&b, deb ? "pkg:deb/" : "pkg:apk/");
		purl_encode(&b, os_id ? os_id : deb ? "debian" : "alpine", 1, 0);
		buf_addch(&b, '/');
		purl_encode(&b, p->name, 1, 0);
	} else if (strcmp(p->manager, "pip") == 0) {
		buf_addstr(&b, "pkg:pypi/");
		purl_encode(&b, p->name, 1, 1);
	} else if (strcmp(p->manager, "npm") == 0) {
		const char *slash = p->name[0] == '@' ? strchr(p->name, '/') : NULL;

		buf_addstr(&b, "pkg:npm/");
		if (slash) {
			cleanup_free char *scope = xstrndup(p->name,
			    (size_t)(slash - p->name));

			purl_encode(&b, scope, 0, 0);
			buf_addch(&b, '/');
			purl_encode(&b, slash + 1, 0, 0);
		} else {
			purl_encode(&b, p->name, 0, 0);
		}
	} else {
		return NULL;
	}
	if (p->version[0]) {
		buf_addch(&b, '@');
		purl_encode(&b, p->version, 0, 0);
	}
	/* Qualifiers sorted by key, empty ones left out. */
	if (p->arch[0]) {
		buf_printf(&b, "%sarch=", sep);
		purl_encode(&b, p->arch, 0, 0);
		sep = "&";
	}
	if (distro && (strcmp(p->manager, "dpkg") == 0 ||
	    strcmp(p->manager, "apk") == 0)) {
		buf_printf(&b, "%sdistro=", sep);
		purl_encode(&b, distro, 0, 0);
	}
	return buf_detach(&b, NULL);
}

/* ---- what both formats say ---- */

/* The change that put p in the container, or NULL: the base image's. */
static const struct pkg_change *
container_change(const struct sbom_input *in, const struct pkg *p)
{
	const struct pkg_change *c = pkg_changes_find(&in->snap->packages, p);

	return c && c->change != PKG_REMOVED ? c : NULL;
}

/* "dev1 #3". */
static char *
snapshot_name(const struct sbom_input *in)
{
	return xasprintf("%s #%ld", in->snap->config.name, in->snap->seq);
}

/* The base image's digest, else its id: what pins it. */
static const char *
base_pin(const struct sbom_input *in)
{
	return in->snap->base_digest ? in->snap->base_digest :
	    in->snap->config.image_id;
}

/* ---- CycloneDX ---- */

static void
property(struct jout *props, const char *name, const char *value)
{
	struct jout *o;

	if (value == NULL || value[0] == '\0')
		return;
	o = jout_object();
	jout_set_str(o, "name", name);
	jout_set_str(o, "value", value);
	jout_push(props, o);
}

static struct jout *
cdx_component(const struct sbom_input *in, const struct pkg *p,
    const char *purl, const char *ref)
{
	const struct pkg_change *c = container_change(in, p);
	struct jout *o = jout_object(), *props = jout_array();

	jout_set_str(o, "type", "library");
	jout_set_str(o, "bom-ref", ref);
	jout_set_str(o, "name", p->name);
	jout_set_str(o, "version", p->version);
	if (purl)
		jout_set_str(o, "purl", purl);
	property(props, "keep:manager", p->manager);
	property(props, "keep:arch", p->arch);
	/* Installed or upgraded in the running container: no image layer
	 * as built holds it. */
	property(props, "keep:source", c ? "container" : "base-image");
	property(props, "keep:requested", p->automatic ? "false" : "true");
	if (c && c->change == PKG_UPGRADED)
		property(props, "keep:base-version", c->old_version);
	property(props, "keep:location", p->location);
	property(props, "keep:installer", p->installer);
	jout_set(o, "properties", props);
	return o;
}

/* The snapshot as the BOM's subject, descended from its base image. */
static struct jout *
cdx_subject(const struct sbom_input *in)
{
	const struct snapshot *s = in->snap;
	cleanup_free char *seq = xasprintf("%ld", s->seq);
	cleanup_free char *desc = xasprintf("keep snapshot #%ld of container "
	    "%s", s->seq, s->config.name);
	struct jout *o = jout_object(), *props = jout_array();
	struct jout *base = jout_object(), *ancestors = jout_array();
	struct jout *pedigree = jout_object();

	jout_set_str(o, "type", "container");
	jout_set_str(o, "bom-ref", s->image);
	jout_set_str(o, "name", s->config.name);
	jout_set_str(o, "version", seq);
	jout_set_str(o, "description", desc);
	jout_set_str(base, "type", "container");
	jout_set_str(base, "bom-ref", "base-image");
	jout_set_str(base, "name", s->config.image_ref);
	jout_set_str(base, "version", base_pin(in));
	jout_push(ancestors, base);
	jout_set(pedigree, "ancestors", ancestors);
	jout_set(o, "pedigree", pedigree);
	property(props, "keep:image", s->image);
	property(props, "keep:image-id", s->image_id);
	property(props, "keep:saved", s->created_at);
	property(props, "keep:base-image", s->config.image_ref);
	property(props, "keep:base-image-id", s->config.image_id);
	property(props, "keep:base-image-digest", s->base_digest);
	property(props, "keep:os", in->os_id);
	property(props, "keep:os-version", in->os_version);
	jout_set(o, "properties", props);
	return o;
}

/*
 * A bom-ref no other component of the document has: the purl, and when
 * two packages share one (a pip package in two venvs), a number after it.
 */
static char *
unique_ref(struct strv *seen, const char *purl, const struct pkg *p)
{
	char *ref = purl ? xstrdup(purl) : xasprintf("%s:%s@%s", p->manager,
	    p->name, p->version);

	for (int n = 2; strv_find(seen, ref) >= 0; n++) {
		free(ref);
		ref = xasprintf("%s#%d", purl ? purl : p->name, n);
	}
	strv_push(seen, ref);
	return ref;
}

void
sbom_cyclonedx(const struct sbom_input *in, struct buf *out)
{
	struct jout *doc = jout_object(), *meta = jout_object();
	struct jout *tools = jout_object(), *tool_list = jout_array();
	struct jout *tool = jout_object(), *components = jout_array();
	struct jout *deps = jout_array(), *dep = jout_object();
	struct jout *depends = jout_array();
	cleanup_free char *serial = xasprintf("urn:uuid:%s", in->uuid);
	struct strv refs = { 0 };

	jout_set_str(doc, "$schema", "http://cyclonedx.org/schema/bom-1.5.schema.json");
	jout_set_str(doc, "bomFormat", "CycloneDX");
	jout_set_str(doc, "specVersion", "1.5");
	jout_set_str(doc, "serialNumber", serial);
	jout_set_int(doc, "version", 1);
	jout_set_str(meta, "timestamp", in->timestamp);
	jout_set_str(tool, "type", "application");
	jout_set_str(tool, "name", "keep");
	jout_set_str(tool, "version", in->tool_version);
	jout_push(tool_list, tool);
	jout_set(tools, "components", tool_list);
	jout_set(meta, "tools", tools);
	jout_set(meta, "component", cdx_subject(in));
	jout_set(doc, "metadata", meta);
	for (size_t i = 0; i < in->packages->n; i++) {
		const struct pkg *p = &in->packages->v[i];
		cleanup_free char *purl = sbom_purl(p, in->os_id, in->os_version);
		cleanup_free char *ref = unique_ref(&refs, purl, p);

		jout_push(components, cdx_component(in, p, purl, ref));
		jout_push_str(depends, ref);
	}
	jout_set(doc, "components", components);
	/* The snapshot holds every package. */
	jout_set_str(dep, "ref", in->snap->image);
	jout_set(dep, "dependsOn", depends);
	jout_push(deps, dep);
	jout_set(doc, "dependencies", deps);
	jout_dump(doc, out);
	jout_free(doc);
	strv_release(&refs);
}

/* ---- SPDX ---- */

#define SPDX_NOASSERTION "NOASSERTION"

/* An SPDX element id: "SPDXRef-" then [A-Za-z0-9.-] only. */
static char *
spdx_id(const char *kind, const struct pkg *p, size_t n)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "SPDXRef-%s", kind);
	if (p) {
		buf_printf(&b, "-%s-", p->manager);
		for (const char *c = p->name; *c; c++)
			buf_addch(&b, ((*c >= 'a' && *c <= 'z') ||
			    (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
			    *c == '.' || *c == '-') ? *c : '-');
		buf_printf(&b, "-%zu", n);
	}
	return buf_detach(&b, NULL);
}

static void
relationship(struct jout *rels, const char *from, const char *type,
    const char *to)
{
	struct jout *o = jout_object();

	jout_set_str(o, "spdxElementId", from);
	jout_set_str(o, "relationshipType", type);
	jout_set_str(o, "relatedSpdxElement", to);
	jout_push(rels, o);
}

/* The fields every package of the document has, beside its own. */
static struct jout *
spdx_package(const char *id, const char *name, const char *version)
{
	struct jout *o = jout_object();

	jout_set_str(o, "SPDXID", id);
	jout_set_str(o, "name", name);
	if (version && version[0])
		jout_set_str(o, "versionInfo", version);
	jout_set_str(o, "downloadLocation", SPDX_NOASSERTION);
	jout_set_bool(o, "filesAnalyzed", 0);
	jout_set_str(o, "licenseConcluded", SPDX_NOASSERTION);
	jout_set_str(o, "licenseDeclared", SPDX_NOASSERTION);
	jout_set_str(o, "copyrightText", SPDX_NOASSERTION);
	return o;
}

/* What keep knows of a package the container got after its image. */
static char *
spdx_note(const struct pkg_change *c)
{
	struct buf b = BUF_INIT;

	buf_addstr(&b, "keep:source=container: ");
	buf_addstr(&b, c->change == PKG_UPGRADED ? "upgraded" : "installed");
	buf_addstr(&b, " in the container after its image was built");
	buf_addstr(&b, c->pkg.automatic ? ", as a dependency" : ", by hand");
	if (c->change == PKG_UPGRADED)
		buf_printf(&b, " (the base image has %s)", c->old_version);
	return buf_detach(&b, NULL);
}

void
sbom_spdx(const struct sbom_input *in, struct buf *out)
{
	const struct snapshot *s = in->snap;
	struct jout *doc = jout_object(), *info = jout_object();
	struct jout *creators = jout_array(), *packages = jout_array();
	struct jout *rels = jout_array(), *root, *base;
	cleanup_free char *name = snapshot_name(in);
	cleanup_free char *creator = xasprintf("Tool: keep-%s", in->tool_version);
	cleanup_free char *root_id = spdx_id("Snapshot", NULL, 0);
	cleanup_free char *base_id = spdx_id("BaseImage", NULL, 0);
	cleanup_free char *seq = xasprintf("%ld", s->seq);
	cleanup_free char *comment = xasprintf("keep snapshot #%ld of "
	    "container %s: image %s (%s), saved %s", s->seq, s->config.name,
	    s->image, s->image_id, s->created_at);
	struct buf ns = BUF_INIT;

	jout_set_str(doc, "spdxVersion", "SPDX-2.3");
	jout_set_str(doc, "dataLicense", "CC0-1.0");
	jout_set_str(doc, "SPDXID", "SPDXRef-DOCUMENT");
	jout_set_str(doc, "name", name);
	/* Unique, and never to be fetched: .invalid is reserved (RFC 2606). */
	buf_addstr(&ns, "https://keep.invalid/spdx/");
	purl_encode(&ns, s->config.name, 0, 0);
	buf_printf(&ns, "-%ld-%s", s->seq, in->uuid);
	jout_set_str(doc, "documentNamespace", buf_cstr(&ns));
	buf_release(&ns);
	jout_push_str(creators, creator);
	jout_set(info, "creators", creators);
	jout_set_str(info, "created", in->timestamp);
	jout_set(doc, "creationInfo", info);

	root = spdx_package(root_id, s->config.name, seq);
	jout_set_str(root, "primaryPackagePurpose", "CONTAINER");
	jout_set_str(root, "comment", comment);
	jout_push(packages, root);
	base = spdx_package(base_id, s->config.image_ref, base_pin(in));
	jout_set_str(base, "primaryPackagePurpose", "CONTAINER");
	jout_push(packages, base);
	relationship(rels, "SPDXRef-DOCUMENT", "DESCRIBES", root_id);
	relationship(rels, root_id, "DESCENDANT_OF", base_id);
	for (size_t i = 0; i < in->packages->n; i++) {
		const struct pkg *p = &in->packages->v[i];
		const struct pkg_change *c = container_change(in, p);
		cleanup_free char *id = spdx_id("Package", p, i + 1);
		cleanup_free char *purl = sbom_purl(p, in->os_id, in->os_version);
		struct jout *o = spdx_package(id, p->name, p->version);

		if (purl) {
			struct jout *refs = jout_array(), *r = jout_object();

			jout_set_str(r, "referenceCategory", "PACKAGE-MANAGER");
			jout_set_str(r, "referenceType", "purl");
			jout_set_str(r, "referenceLocator", purl);
			jout_push(refs, r);
			jout_set(o, "externalRefs", refs);
		}
		if (c) {
			cleanup_free char *note = spdx_note(c);
			struct jout *notes = jout_array(), *a = jout_object();

			jout_set_str(a, "annotationType", "OTHER");
			jout_set_str(a, "annotator", creator);
			jout_set_str(a, "annotationDate", in->timestamp);
			jout_set_str(a, "comment", note);
			jout_push(notes, a);
			jout_set(o, "annotations", notes);
		}
		jout_push(packages, o);
		relationship(rels, root_id, "CONTAINS", id);
		if (c == NULL)
			relationship(rels, base_id, "CONTAINS", id);
	}
	jout_set(doc, "packages", packages);
	jout_set(doc, "relationships", rels);
	jout_dump(doc, out);
	jout_free(doc);
}
