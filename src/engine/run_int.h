/*
 * The run configuration of a container (model/run.h) in and out of the
 * Engine API, private to src/engine/: recorded from an inspect answer,
 * turned back into a create request.
 */
#ifndef KEEP_ENGINE_RUN_INT_H
#define KEEP_ENGINE_RUN_INT_H

#include "engine/engine.h"
#include "engine/json.h"

/*
 * What `GET /containers/{id}/json` (j) says the container was run with,
 * into *out (overwritten): Config, HostConfig and the user's part of each
 * network endpoint, less what the engine generated; references to other
 * containers by id become references by name, looked up on e.
 */
void run_record(struct engine *e, const json_t *j, struct value *out);

/*
 * The body of `POST /containers/create` for c from c->run, with image as
 * its Image, extra_labels set over its own, its anonymous volumes
 * attached by name, and the endpoint of its network mode's network (the
 * others are joined after the create: the engine takes one). The caller
 * decrefs.
 */
json_t *run_create_request(const struct container *c, const char *image,
    const struct kvv *extra_labels);

/*
 * The options of mount m as Binds spells them: the recorded mode minus
 * any rw/ro, then "ro" when the mount was read-only. Caller frees; "" for
 * none.
 */
char *run_bind_options(const struct mount *m);

/*
 * The network whose endpoint goes with the create request: the network
 * mode's ("default" is "bridge"), when run has an endpoint for it; else
 * NULL. The others are joined after the create.
 */
const char *run_primary_network(const struct value *run);

#endif
