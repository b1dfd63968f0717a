/*
 * Finding the snapshot a NAME means, for commands that read the catalog: the
 * name as recorded (it resolves even when its container is gone), else
 * whatever the engine resolves NAME to (an ID prefix, a compose service),
 * else a compose service whose container is gone, by the labels its
 * snapshots recorded.
 */
#include "cli/cli.h"

#include <stdlib.h>

#include "catalog/snapshots.h"
#include "core/resolve.h"
#include "engine/engine.h"
#include "util/xalloc.h"

char *
cli_engine_host(struct cli_ctx *ctx)
{
	struct engine_endpoint ep = { 0 };
	struct keep_error *err = NULL;
	char *host = NULL;

	if (ctx->engine)
		return xstrdup(engine_endpoint(ctx->engine)->host);
	if (engine_endpoint_resolve(ctx->host_flag, ctx->context_flag, &ep,
	    &err) == 0)
		host = xstrdup(ep.host);
	engine_endpoint_release(&ep);
	keep_error_free(err);
	return host;
}

int
cli_snapshot_load(struct cli_ctx *ctx, const char *name,
    const struct resolve_opts *ropts, long seq, struct snapshot *out,
    struct keep_error **err)
{
	struct catalog *cat;
	struct engine *e;
	cleanup_free char *host = cli_engine_host(ctx);
	cleanup_free char *id = NULL, *resolved = NULL;
	cleanup_free char *service = NULL, *service_engine = NULL;
	struct keep_error *first = NULL;

	if (cli_catalog(ctx, &cat, err) < 0)
		return -1;
	if (host && catalog_snapshot_load(cat, host, name, seq, out, &first) == 0)
		return 0;
	/* Not under this engine (or no engine): any engine, if unique. */
	if (first == NULL || first->kind == KEEP_ERR_NOT_FOUND) {
		keep_error_free(first);
		first = NULL;
		if (catalog_snapshot_load(cat, NULL, name, seq, out, &first) == 0)
			return 0;
	}
	if (first->kind != KEEP_ERR_NOT_FOUND) {
		keep_error_free(*err);
		*err = first;
		return -1;
	}
	/* Maybe NAME is an ID prefix or a compose service. */
	if (cli_engine(ctx, &e, err) == 0 &&
	    resolve_container(e, name, ropts, &id, &resolved, err) == 0) {
		if (catalog_snapshot_load(cat, engine_endpoint(e)->host,
		    resolved, seq, out, err) == 0) {
			keep_error_free(first);
			return 0;
		}
	} else if ((*err)->kind == KEEP_ERR_NOT_FOUND ||
	    ctx->engine == NULL) {
		/* No live container has it: a service whose container is gone. */
		keep_error_free(*err);
		*err = NULL;
		if (resolve_recorded_service(cat, host, name, ropts, &service,
		    &service_engine, err) == 0 &&
		    catalog_snapshot_load(cat, service_engine, service, seq, out,
		    err) == 0) {
			keep_error_free(first);
			return 0;
		}
		if ((*err)->kind == KEEP_ERR_CONFLICT) {
			keep_error_free(first);
			return -1;
		}
	}
	/* Report the catalog's answer: it names NAME and what to do. */
	keep_error_free(*err);
	*err = first;
	return -1;
}
