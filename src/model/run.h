/*
 * How a container was run: the whole configuration a user can set with
 * `docker run` or the Engine API, as keep records it for a recreate
 * (struct container.run). It is an object of the engine's own documents:
 *
 *   {"Config":     the container's Config,
 *    "HostConfig": its HostConfig,
 *    "Networks":   {"NAME": the endpoint settings of each network}}
 *
 * less only what the engine generates (the id-made hostname, the
 * container's short-id alias, endpoint ids and addresses it assigned) and
 * with references to other containers by name. Members are kept whatever
 * they are called, so a setting a newer engine adds is recorded and passed
 * back without a change here; this file only decides what is worth showing.
 */
#ifndef KEEP_MODEL_RUN_H
#define KEEP_MODEL_RUN_H

#include "model/value.h"

#define RUN_CONFIG "Config"
#define RUN_HOST "HostConfig"
#define RUN_NETWORKS "Networks"

/* One setting: its path ("HostConfig.ShmSize", "Networks.NET.Aliases"). */
struct run_setting {
	char *path;
	const struct value *v;	/* points into the run value */
};

struct run_settings {
	struct run_setting *v;
	size_t n;
	size_t cap;
};

void run_settings_release(struct run_settings *s);

/*
 * The settings of run that a user chose: members that differ from what
 * the engine sets by itself (null, false, 0, empty, and the few defaults
 * it writes out, such as ShmSize 64 MiB or LogConfig json-file), less those
 * `keep show` lists elsewhere (env, cmd, user, workdir, labels, mounts,
 * ports, network mode, restart policy, tty) and how the docker CLI attached
 * (AttachStdout ...). Appended to out in the order of run.
 */
void run_settings(const struct value *run, struct run_settings *out);

/* The setting of path in s, or NULL. */
const struct value *run_settings_get(const struct run_settings *s,
    const char *path);

/*
 * A copy of run fit to print or commit (out is overwritten): the values of
 * secret env variables and of members with secret names (a log driver's
 * token) become "<redacted>", credentials in URLs in any string and the
 * values of secret options in Cmd, Entrypoint and Healthcheck.Test
 * ("--password VALUE") "***", by the rules of model/secrets.h.
 */
void run_redact(const struct value *run, struct value *out);

#endif
