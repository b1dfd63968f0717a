/*
 * How a container was run (model/run.h): the JSON-shaped value, what of it
 * is shown and redacted, the create request made from it (engine), and
 * what a recreate drops when the engine lacks it (core/run_check.h).
 */
#include <stdlib.h>
#include <string.h>

#include "core/run_check.h"
#include "engine/run_int.h"
#include "model/run.h"
#include "tap.h"
#include "util/xalloc.h"

/* What inspect says of a GPU container on a user network, as JSON. */
static const char inspect_json[] =
    "{\"Id\":\"0123456789abcdef0123456789abcdef\","
    "\"Config\":{\"Hostname\":\"0123456789ab\",\"Image\":\"debian\","
    "\"Env\":[\"MODE=dev\",\"API_TOKEN=s3cr3t\"],\"Cmd\":[\"sleep\",\"1\"],"
    "\"StopTimeout\":7,\"Labels\":{\"team\":\"ml\"}},"
    "\"HostConfig\":{\"NetworkMode\":\"backend\",\"ShmSize\":67108864,"
    "\"IpcMode\":\"host\",\"Runtime\":\"nvidia\",\"Binds\":null,"
    "\"DeviceRequests\":[{\"Driver\":\"\",\"Count\":-1,\"DeviceIDs\":null,"
    "\"Capabilities\":[[\"gpu\"]],\"Options\":{}}],"
    "\"LogConfig\":{\"Type\":\"splunk\",\"Config\":{\"splunk-token\":\"t0k\","
    "\"splunk-url\":\"https://u:pw@splunk\"}},"
    "\"Devices\":[{\"PathOnHost\":\"/dev/dri\",\"PathInContainer\":\"/dev/dri\","
    "\"CgroupPermissions\":\"rwm\"}],\"Links\":[\"/db:/app/database\"],"
    "\"ConsoleSize\":[0,0],\"CpuShares\":0,\"Init\":true,\"NanoCpus\":1.5e9}," 
    "\"NetworkSettings\":{\"Networks\":{"
    "\"backend\":{\"Aliases\":[\"api\",\"0123456789ab\"],\"NetworkID\":\"n1\","
    "\"EndpointID\":\"e1\",\"IPAddress\":\"10.0.0.5\",\"MacAddress\":\"02:42\","
    "\"IPAMConfig\":{\"IPv4Address\":\"10.0.0.5\"}},"
    "\"frontend\":{\"Aliases\":[\"web\"],\"NetworkID\":\"n2\"}}}}";

static void
test_value(void)
{
	struct value v = { 0 }, c;
	cleanup_free char *text = NULL;

	value_set_object(&v);
	value_set_int(value_add(&v, "a"), 1);
	value_set_array(value_add(&v, "b"));
	value_set_string(value_add(value_get(&v, "b"), NULL), "x\"\n");
	value_set_bool(value_add(&v, "a"), 1);	/* replaces a, in place */
	text = value_json_dup(&v);
	is_str(text, "{\"a\":true,\"b\":[\"x\\\"\\u000a\"]}", "canonical JSON text");
	value_copy(&c, &v);
	ok(value_equal(&c, &v), "a copy is equal");
	value_remove(&c, "a");
	ok(!value_equal(&c, &v) && c.n == 1, "removing a member");
	ok(value_is_empty(value_add(&c, "z")) && !value_is_empty(&v),
	    "null is empty, a full object is not");
	value_release(&c);
	value_release(&v);
}

/* j parsed into a run configuration, as engine_container_inspect records it. */
static void
recorded(struct value *run)
{
	json_t *j;
	struct keep_error *err = NULL;

	ok(ejson_parse(inspect_json, strlen(inspect_json), "test", &j, &err) == 0,
	    "the inspect fixture parses");
	run_record(NULL, j, run);
	json_decref(j);
}

static void
test_record(void)
{
	struct value run;
	const struct value *ep;

	recorded(&run);
	ok(value_get(value_get(&run, RUN_CONFIG), "Hostname") == NULL,
	    "the hostname made from the id is left out");
	ep = value_get(value_get(&run, RUN_NETWORKS), "backend");
	ok(ep && value_get(ep, "NetworkID") == NULL &&
	    value_get(ep, "IPAddress") == NULL && value_get(ep, "MacAddress") == NULL,
	    "ids and addresses the engine assigned are left out");
	ok(ep && value_get(ep, "Aliases")->n == 1 &&
	    strcmp(value_get(ep, "Aliases")->v[0].s, "api") == 0,
	    "the short-id alias is left out, the user's stays");
	ok(ep && value_str(value_get(ep, "IPAMConfig"), "IPv4Address") != NULL,
	    "a static address stays");
	is_str(value_get(value_get(&run, RUN_HOST), "Links")->v[0].s, "db:database",
	    "a legacy link in the form create takes");
	value_release(&run);
}

static void
test_settings(void)
{
	struct value run, red;
	struct run_settings set = { 0 };
	cleanup_free char *log = NULL;

	recorded(&run);
	run_settings(&run, &set);
	ok(run_settings_get(&set, "HostConfig.Runtime") != NULL &&
	    run_settings_get(&set, "HostConfig.DeviceRequests") != NULL &&
	    run_settings_get(&set, "HostConfig.IpcMode") != NULL &&
	    run_settings_get(&set, "Config.StopTimeout") != NULL,
	    "set options are listed");
	ok(run_settings_get(&set, "HostConfig.ShmSize") == NULL &&
	    run_settings_get(&set, "HostConfig.ConsoleSize") == NULL &&
	    run_settings_get(&set, "HostConfig.CpuShares") == NULL,
	    "the engine's defaults are not");
	ok(run_settings_get(&set, "Config.Env") == NULL &&
	    run_settings_get(&set, "HostConfig.NetworkMode") == NULL,
	    "what show lists elsewhere is not either");
	ok(run_settings_get(&set, "Networks.backend.Aliases") != NULL &&
	    run_settings_get(&set, "Networks.frontend.Aliases") != NULL,
	    "aliases of every network are");
	run_settings_release(&set);

	run_redact(&run, &red);
	log = value_json_dup(value_get(value_get(&red, RUN_HOST), "LogConfig"));
	ok(strstr(log, "t0k") == NULL && strstr(log, "pw@") == NULL &&
	    strstr(log, "<redacted>") && strstr(log, "***@splunk"),
	    "a secret-named option and URL credentials are redacted: %s", log);
	{
		cleanup_free char *env = value_json_dup(value_get(value_get(&red,
		    RUN_CONFIG), "Env"));

		is_str(env, "[\"MODE=dev\",\"API_TOKEN=<redacted>\"]",
		    "secret env values are redacted by name");
	}
	value_release(&red);
	value_release(&run);

	/* A command's "--password VALUE" pair, as the recipe's CMD hides it. */
	{
		static const char doc[] = "{\"Config\":{\"Cmd\":[\"serve\","
		    "\"--password\",\"pp-0123\",\"-v\"]}}";
		cleanup_free char *cmd = NULL;
		struct keep_error *err = NULL;
		json_t *j = NULL;

		ok(ejson_parse(doc, strlen(doc), "test", &j, &err) == 0,
		    "a run with a secret option in Cmd parses");
		ejson_to_value(j, &run);
		json_decref(j);
		run_redact(&run, &red);
		cmd = value_json_dup(value_get(value_get(&red, RUN_CONFIG),
		    "Cmd"));
		is_str(cmd, "[\"serve\",\"--password\",\"***\",\"-v\"]",
		    "a secret option's value in Cmd is redacted");
		value_release(&red);
		value_release(&run);
	}
}

static void
test_create_request(void)
{
	struct container c = { 0 };
	struct kvv extra = { 0 };
	struct mount m = { .type = "volume", .source = "f00d", .destination = "/cache",
	    .mode = "", .rw = 1, .driver = "local" };
	json_t *req;
	cleanup_free char *text = NULL;

	recorded(&c.run);
	c.mounts = &m;
	c.n_mounts = 1;
	kvv_push(&extra, "io.keep.container", "dev");
	req = run_create_request(&c, "keep/dev:3", &extra);
	text = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS);
	ok(strstr(text, "\"Runtime\":\"nvidia\"") != NULL,
	    "the runtime goes in the request");
	ok(strstr(text, "\"DeviceRequests\":[{\"Capabilities\":[[\"gpu\"]],"
	    "\"Count\":-1") != NULL, "the GPU request goes in it");
	ok(strstr(text, "\"Image\":\"keep/dev:3\"") && strstr(text,
	    "\"io.keep.container\":\"dev\"") && strstr(text, "\"team\":\"ml\""),
	    "the snapshot's image, its labels and keep's");
	ok(strstr(text, "\"Binds\":[\"f00d:/cache\"]") != NULL,
	    "an anonymous volume comes back by name");
	ok(strstr(text, "\"EndpointsConfig\":{\"backend\":{\"Aliases\":[\"api\"]") &&
	    strstr(text, "frontend") == NULL,
	    "the network mode's endpoint goes with the create, the other after");
	json_decref(req);
	kvv_release(&extra);
	value_release(&c.run);
}

static void
test_drop(void)
{
	struct value run;
	cleanup_free char *setting = NULL, *what = NULL;

	ok(run_setting_valid("gpus") && run_setting_valid("network:x") &&
	    !run_setting_valid("network:") && !run_setting_valid("all"),
	    "--ignore-missing settings are checked");
	recorded(&run);
	run_drop(&run, "runtime");
	run_drop(&run, "gpus");
	run_drop(&run, "device:/dev/dri");
	run_drop(&run, "network:backend");
	ok(value_get(value_get(&run, RUN_HOST), "Runtime") == NULL &&
	    value_get(value_get(&run, RUN_HOST), "DeviceRequests") == NULL &&
	    value_get(value_get(&run, RUN_HOST), "Devices")->n == 0,
	    "runtime, GPUs and a device dropped");
	is_str(value_str(value_get(&run, RUN_HOST), "NetworkMode"), "frontend",
	    "the network mode falls back on the other network");
	run_drop(&run, "network:frontend");
	is_str(value_str(value_get(&run, RUN_HOST), "NetworkMode"), "none",
	    "then on none");
	value_release(&run);

	setting = run_start_refusal("start container 'x': could not select "
	    "device driver \"\" with capabilities: [[gpu]]", &what);
	is_str(setting, "gpus", "a refused GPU request blames gpus");
	free(setting);
	free(what);
	setting = run_start_refusal("error gathering device information while "
	    "adding custom device \"/dev/dri\": no such file", &what);
	is_str(setting, "device:/dev/dri", "a missing device blames it");
	free(setting);
	free(what);
	setting = run_start_refusal("exec format error", &what);
	ok(setting == NULL, "other refusals blame no setting");
}

int
main(void)
{
	test_value();
	test_record();
	test_settings();
	test_create_request();
	test_drop();
	return done_testing();
}
