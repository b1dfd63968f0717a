/*
 * A compose project as a unit: the snapshots that bring a whole stack back
 * (keep resume -p PROJECT) or turn it into a compose override (keep
 * to-dockerfile -p PROJECT --compose).
 */
#ifndef KEEP_CORE_STACK_H
#define KEEP_CORE_STACK_H

#include "catalog/catalog.h"
#include "model/model.h"

struct stack {
	struct snapshot *v;
	size_t n;
};

void stack_release(struct stack *s);

/*
 * The latest snapshot of each replica of each service of compose project
 * recorded in cat on engine (none there: on any engine), in the order
 * compose starts them (stack_order), into *out (caller releases). None:
 * KEEP_ERR_NOT_FOUND naming the project.
 */
int stack_load(struct catalog *cat, const char *engine, const char *project,
    struct stack *out, struct keep_error **err);

/*
 * Order s as compose starts a project: each service after the services
 * its com.docker.compose.depends_on label names (compose v2 records it,
 * v1 does not), else by service name; replicas by number. A cycle, which
 * compose refuses, is broken in name order.
 */
void stack_order(struct stack *s);

/*
 * The services s's container depends on, by its com.docker.compose.depends_on
 * label ("db:service_started:false,cache:service_healthy:true"), appended
 * to out.
 */
void stack_depends_on(const struct snapshot *s, struct strv *out);

#endif
