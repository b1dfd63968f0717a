/*
 * A snapshot's run configuration (model/run.h) in the table run_config:
 * one row per node of the tree, in document order (migration 0005).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_internal.h"
#include "catalog/snapshots.h"
#include "util/xalloc.h"

static const char *const type_names[] = {
	[VALUE_NULL] = "null", [VALUE_BOOL] = "bool", [VALUE_INT] = "int",
	[VALUE_REAL] = "real", [VALUE_STRING] = "string",
	[VALUE_ARRAY] = "array", [VALUE_OBJECT] = "object",
};

/* Insert v as node *next under parent (-1: the root), then its children. */
static int
insert_node(struct catalog *cat, sqlite3_stmt *st, long snapshot,
    const struct value *v, long parent, long *next, struct keep_error **err)
{
	long node = (*next)++;
	char num[64];
	int rc;

	sqlite3_bind_int64(st, 1, snapshot);
	sqlite3_bind_int64(st, 2, node);
	if (parent < 0)
		sqlite3_bind_null(st, 3);
	else
		sqlite3_bind_int64(st, 3, parent);
	if (v->key)
		sqlite3_bind_text(st, 4, v->key, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_text(st, 5, type_names[v->type], -1, SQLITE_STATIC);
	switch (v->type) {
	case VALUE_BOOL:
	case VALUE_INT:
		snprintf(num, sizeof(num), "%lld", v->i);
		sqlite3_bind_text(st, 6, num, -1, SQLITE_TRANSIENT);
		break;
	case VALUE_REAL:
		snprintf(num, sizeof(num), "%.17g", v->r);
		sqlite3_bind_text(st, 6, num, -1, SQLITE_TRANSIENT);
		break;
	case VALUE_STRING:
		sqlite3_bind_text(st, 6, v->s, -1, SQLITE_STATIC);
		break;
	default:
		sqlite3_bind_null(st, 6);
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return catalog_fail(cat, err, "record run configuration");
	for (size_t i = 0; i < v->n; i++)
		if (insert_node(cat, st, snapshot, &v->v[i], node, next,
		    err) < 0)
			return -1;
	return 0;
}

int
catalog_run_insert(struct catalog *cat, long snapshot, const struct value *run,
    struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;
	long next = 0;

	if (run->type == VALUE_NULL)
		return 0;
	if (catalog_prepare(cat, "INSERT INTO run_config (snapshot, node,"
	    " parent, key, type, value) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &st,
	    err) < 0)
		return -1;
	return insert_node(cat, st, snapshot, run, -1, &next, err);
}

static int
type_of(const char *name)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strcmp(type_names[i], name) == 0)
			return (int)i;
	return -1;
}

/* One ancestor of the node being read: its id and where it is. */
struct open_node {
	long id;
	struct value *v;
};

static int
damaged(long snapshot, struct keep_error **err)
{
	return keep_error_set(err, KEEP_ERR_FAILED, "the catalog's run "
	    "configuration of snapshot %ld is damaged (run_config rows out of "
	    "order)", snapshot);
}

int
catalog_run_load(struct catalog *cat, long snapshot, struct value *out,
    struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;
	cleanup_free struct open_node *path = NULL;
	size_t depth = 0, cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (catalog_prepare(cat, "SELECT node, parent, key, type, value"
	    " FROM run_config WHERE snapshot = ?1 ORDER BY node", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, snapshot);
	/*
	 * Rows come in document order, so a node's parent is always on the
	 * path from the root to the node read last: the only nodes whose
	 * place in memory is still good (a parent's array moves as it grows).
	 */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long node = sqlite3_column_int64(st, 0);
		const char *key = (const char *)sqlite3_column_text(st, 2);
		const char *type = (const char *)sqlite3_column_text(st, 3);
		const char *text = (const char *)sqlite3_column_text(st, 4);
		int t = type ? type_of(type) : -1;
		struct value *v;

		if (t < 0 || (node == 0) != (sqlite3_column_type(st, 1) ==
		    SQLITE_NULL) || (node == 0 && depth > 0))
			goto bad;
		if (node == 0) {
			v = out;
		} else {
			long parent = sqlite3_column_int64(st, 1);
			struct value *p;

			while (depth > 0 && path[depth - 1].id != parent)
				depth--;
			if (depth == 0)
				goto bad;
			p = path[depth - 1].v;
			if (p->type != VALUE_ARRAY && p->type != VALUE_OBJECT)
				goto bad;
			if ((p->type == VALUE_OBJECT) != (key != NULL))
				goto bad;
			v = value_add(p, key);
		}
		switch (t) {
		case VALUE_BOOL:
			value_set_bool(v, text && atoll(text) != 0);
			break;
		case VALUE_INT:
			value_set_int(v, text ? atoll(text) : 0);
			break;
		case VALUE_REAL:
			v->type = VALUE_REAL;
			v->r = text ? strtod(text, NULL) : 0;
			break;
		case VALUE_STRING:
			value_set_string(v, text ? text : "");
			break;
		case VALUE_ARRAY:
			value_set_array(v);
			break;
		case VALUE_OBJECT:
			value_set_object(v);
			break;
		default:
			break;
		}
		path = vec_grow(path, depth, &cap, sizeof(*path));
		path[depth].id = node;
		path[depth].v = v;
		depth++;
	}
	if (rc != SQLITE_DONE) {
		value_release(out);
		return catalog_fail(cat, err, "read run configuration");
	}
	return 0;
bad:
	value_release(out);
	return damaged(snapshot, err);
}
