/*
 * What a recreate needs from the engine it runs on. A snapshot records
 * everything its container was run with (model/run.h); another machine, or
 * the same one later, may lack some of it: a runtime (nvidia), a network,
 * a log or volume driver, a device, GPUs, or the container whose network
 * or IPC it shared. keep never drops such a setting silently: resume names
 * it and stops, unless the user lets it go with --ignore-missing SETTING.
 *
 * SETTING is one of: runtime, gpus, log-driver, device:PATH,
 * network:NAME, volume-driver:NAME, container:NAME.
 */
#ifndef KEEP_CORE_RUN_CHECK_H
#define KEEP_CORE_RUN_CHECK_H

#include "engine/engine.h"
#include "model/value.h"

/* 1 when s is a SETTING that --ignore-missing takes, else 0. */
int run_setting_valid(const char *s);

/*
 * Look on e for what run needs, appending to settings each one that is
 * not there ("network:backend") and to whats how to tell the user
 * ("network 'backend'"), in the same order.
 */
int run_check(struct engine *e, const struct value *run,
    struct strv *settings, struct strv *whats, struct keep_error **err);

/*
 * The setting volume driver driver stands for, when e lacks it: 1 with
 * *setting (caller frees) "volume-driver:NAME"; 0 when e has it.
 */
int run_check_volume_driver(struct engine *e, const char *driver,
    char **setting, struct keep_error **err);

/*
 * Take setting out of run (see the list above): the container is made
 * without it. A network mode that named a dropped network falls back on
 * another recorded network, else none.
 */
void run_drop(struct value *run, const char *setting);

/*
 * The setting the engine's refusal to start a container (its message)
 * blames, as far as it says: "gpus" or "device:PATH" with *what for the
 * user; NULL when it blames none. Caller frees both.
 */
char *run_start_refusal(const char *message, char **what);

#endif
