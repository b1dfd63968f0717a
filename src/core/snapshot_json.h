/* A snapshot as JSON (see snapshot_json.c). */
#ifndef KEEP_CORE_SNAPSHOT_JSON_H
#define KEEP_CORE_SNAPSHOT_JSON_H

#include "model/model.h"
#include "util/jout.h"

enum {
	SNAPSHOT_JSON_CONFIG = 1 << 0,	/* base, user, env (secrets by name), cmd, mounts, ports ... */
	SNAPSHOT_JSON_CONTENT = 1 << 1,	/* packages, loose files */
	SNAPSHOT_JSON_META = 1 << 2,	/* image id, dates, engine, recipe commit, verify */
	SNAPSHOT_JSON_ALL = 7,
	/*
	 * What another machine needs to import the snapshot from the recipe
	 * repository (core/import.c reads it back): when it was saved, its
	 * note, the base image's config, the whole run config (redacted),
	 * mount modes, the apt sources. Only container.json carries it.
	 */
	SNAPSHOT_JSON_RECIPE = 1 << 3,
};

/*
 * Build the JSON object of s with the given parts (name, seq, image are
 * always there). The caller frees it with jout_free.
 */
struct jout *snapshot_json(const struct snapshot *s, unsigned parts);

#endif
