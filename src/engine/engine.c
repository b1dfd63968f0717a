/*
 * The engine connection: version negotiation and the two call primitives
 * every Engine API request goes through. HTTP errors become keep errors
 * here, once, carrying the engine's own message.
 */
#include "engine/engine.h"

#include <limits.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/http.h"
#include "engine/json.h"
#include "util/text.h"
#include "util/env.h"
#include "util/xalloc.h"

/* The newest API keep speaks; older engines get their own version. */
#define ENGINE_API_OURS "1.41"
/* An engine that does not say: the docker CLI assumes this too. */
#define ENGINE_API_FALLBACK "1.24"
/* A daemon that does not answer a ping in this long is not usable. */
#define ENGINE_PING_TIMEOUT 30L
/* Seconds a read from a container may go without a byte. */
#define ENGINE_ARCHIVE_STALL 60L
/* How much of an error answer to keep when streaming. */
#define ENGINE_MAX_ERROR_BODY ((size_t)1 << 20)

struct engine {
	struct engine_endpoint ep;
	struct http_conn *http;
	char api[16];
	int podman;
};

/* Parse "MAJOR.MINOR" (digits only); -1 when it is not that. */
static int
api_parse(const char *s, long *major, long *minor)
{
	char *end;

	if (!isdigit((unsigned char)s[0]) || strlen(s) > 10)
		return -1;
	*major = strtol(s, &end, 10);
	if (*end != '.' || !isdigit((unsigned char)end[1]))
		return -1;
	*minor = strtol(end + 1, &end, 10);
	return *end == '\0' ? 0 : -1;
}

/* Compare two parsed versions numerically: 1.9 < 1.41. */
static int
api_cmp(long amaj, long amin, long bmaj, long bmin)
{
	if (amaj != bmaj)
		return amaj < bmaj ? -1 : 1;
	if (amin != bmin)
		return amin < bmin ? -1 : 1;
	return 0;
}

/* Appends to a buf up to a limit, remembering whether it overflowed. */
struct collect {
	struct buf *b;
	size_t cap;
	int overflow;
	const char *method, *path;	/* for the error message */
};

static int
collect_capped(struct collect *c, const void *data, size_t len,
    struct keep_error **err)
{
	if (c->b->len + len > c->cap) {
		c->overflow = 1;
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "the engine's answer to %s %s is larger than %zu MiB",
		    c->method, c->path, c->cap >> 20);
	}
	buf_add(c->b, data, len);
	return 0;
}

static int
collect_on_body(void *ctx, long status, const void *data, size_t len,
    struct keep_error **err)
{
	(void)status;
	return collect_capped(ctx, data, len, err);
}

static int
status_ok(long status)
{
	return (status >= 200 && status < 300) || status == 304;
}

/*
 * The error for a non-2xx answer: the engine's {"message"} when there is
 * one, else the start of the body, else the bare status.
 */
static int
engine_status_error(const char *method, const char *path, long status,
    const struct buf *body, struct keep_error **err)
{
	enum keep_error_kind kind = KEEP_ERR_FAILED;
	cleanup_json json_t *j = NULL;
	cleanup_buf struct buf msg = BUF_INIT;
	const char *text = NULL;
	size_t len = 0;

	if (status == 404)
		kind = KEEP_ERR_NOT_FOUND;
	else if (status == 409)
		kind = KEEP_ERR_CONFLICT;
	if (body->len > 0) {
		j = json_loadb(body->ptr, body->len, 0, NULL);
		text = ejson_str(j, "message");
		if (text && *text) {
			len = strlen(text);
		} else {
			text = body->ptr;
			len = strcspn(text, "\n");
		}
	}
	/*
	 * Untrusted bytes, bounded: every control character but newline and
	 * tab (C1 ones too, which a terminal may take as ESC [) and every byte
	 * of invalid UTF-8 becomes '?'.
	 */
	for (size_t i = 0; text && i < len && i < 1000;) {
		const unsigned char *p = (const unsigned char *)text + i;
		size_t n = text_utf8_len(text + i);

		if (n > 1 && i + n <= len && !(p[0] == 0xc2 && p[1] <= 0x9f)) {
			buf_add(&msg, p, n);
			i += n;
			continue;
		}
		buf_addch(&msg, *p == '\n' || *p == '\t' ||
		    (*p >= ' ' && *p < 0x7f) ? (char)*p : '?');
		i += n > 1 && p[0] == 0xc2 ? 2 : 1;
	}
	while (msg.len > 0 && isspace((unsigned char)msg.ptr[msg.len - 1]))
		buf_truncate(&msg, msg.len - 1);
	if (msg.len == 0)
		return keep_error_set(err, kind,
		    "%s %s: the engine answered HTTP %ld", method, path, status);
	return keep_error_set(err, kind, "%s", msg.ptr);
}

int
engine_open(const struct engine_endpoint *ep, struct engine **out,
    struct keep_error **err)
{
	struct engine *e;
	struct http_response resp = { 0 };
	cleanup_buf struct buf body = BUF_INIT;
	struct collect col = { &body, 4096, 0, "GET", "/_ping" };
	struct http_request req = {
		.method = "GET",
		.path = "/_ping",
		.timeout = ENGINE_PING_TIMEOUT,
		.on_body = collect_on_body,
		.body_ctx = &col,
	};
	const char *v;
	long omaj, omin, tmaj, tmin;

	*out = NULL;
	e = xcalloc(1, sizeof(*e));
	engine_endpoint_copy(&e->ep, ep);
	if (http_conn_open(&e->ep, &e->http, err) < 0)
		goto fail;
	if (http_request_do(e->http, &req, &resp, err) < 0)
		goto fail;
	if (resp.status != 200) {
		engine_status_error("GET", "/_ping", resp.status, &body, err);
		keep_error_wrap(err, "the Docker engine at %s is not ready",
		    e->ep.host);
		goto fail;
	}
	e->podman = http_response_header(&resp, "Libpod-API-Version") != NULL;
	v = http_response_header(&resp, "API-Version");
	if (v == NULL || *v == '\0') {
		snprintf(e->api, sizeof(e->api), "%s", ENGINE_API_FALLBACK);
	} else if (api_parse(v, &tmaj, &tmin) < 0) {
		keep_error_set(err, KEEP_ERR_FAILED,
		    "the Docker engine at %s sent an invalid API-Version '%.32s'",
		    e->ep.host, v);
		goto fail;
	} else {
		api_parse(ENGINE_API_OURS, &omaj, &omin);
		if (api_cmp(tmaj, tmin, omaj, omin) < 0)
			snprintf(e->api, sizeof(e->api), "%ld.%ld", tmaj, tmin);
		else
			snprintf(e->api, sizeof(e->api), "%s", ENGINE_API_OURS);
	}
	http_response_release(&resp);
	*out = e;
	return 0;
fail:
	http_response_release(&resp);
	engine_close(e);
	return -1;
}

void
engine_close(struct engine *e)
{
	if (e == NULL)
		return;
	http_conn_close(e->http);
	engine_endpoint_release(&e->ep);
	free(e);
}

const struct engine_endpoint *
engine_endpoint(const struct engine *e)
{
	return &e->ep;
}

const char *
engine_api_version(const struct engine *e)
{
	return e->api;
}

int
engine_is_podman(const struct engine *e)
{
	return e->podman;
}

/*
 * Send req to /v{api}{path}: *status (may be NULL) gets the HTTP status, and
 * any status but 2xx/304 fails with the engine's own message, read from
 * errbody (what on_body collected). The caller releases *hr, also on
 * failure.
 */
static int
engine_send(struct engine *e, struct http_request *req, const char *path,
    const struct buf *errbody, long *status, struct http_response *hr,
    struct keep_error **err)
{
	cleanup_free char *vpath = xasprintf("/v%s%s", e->api, path);
	int rc;

	if (status)
		*status = 0;
	req->path = vpath;
	rc = http_request_do(e->http, req, hr, err);
	req->path = NULL;
	if (rc == 0 && status)
		*status = hr->status;
	if (rc == 0 && !status_ok(hr->status))
		rc = engine_status_error(req->method, path, hr->status, errbody,
		    err);
	return rc;
}

int
engine_head(struct engine *e, const char *path, const char *header,
    char **value_out, struct keep_error **err)
{
	struct http_response hr = { 0 };
	struct http_request req = {
		.method = "HEAD",
		.timeout = ENGINE_TIMEOUT_SHORT,
	};
	struct buf none = BUF_INIT;
	const char *v;
	int rc;

	*value_out = NULL;
	rc = engine_send(e, &req, path, &none, NULL, &hr, err);
	if (rc == 0 && (v = http_response_header(&hr, header)) != NULL)
		*value_out = xstrdup(v);
	http_response_release(&hr);
	return rc;
}

int
engine_call_timeout(struct engine *e, long timeout, const char *method,
    const char *path, const void *body, size_t body_len,
    const char *content_type, long *status, struct buf *resp,
    struct keep_error **err)
{
	struct buf got = BUF_INIT;
	struct collect col = { &got, ENGINE_MAX_BODY, 0, method, path };
	struct http_response hr = { 0 };
	struct http_request req = {
		.method = method,
		.body = body,
		.body_len = body_len,
		/* Every body the Engine API takes outside streams is JSON. */
		.content_type = content_type ? content_type :
		    body ? "application/json" : NULL,
		.timeout = timeout,
		.on_body = collect_on_body,
		.body_ctx = &col,
	};
	int rc;

	rc = engine_send(e, &req, path, &got, status, &hr, err);
	if (rc == 0 && resp) {
		buf_release(resp);
		*resp = got;
	} else {
		buf_release(&got);
	}
	http_response_release(&hr);
	return rc;
}

int
engine_call(struct engine *e, const char *method, const char *path,
    const void *body, size_t body_len, const char *content_type,
    long *status, struct buf *resp, struct keep_error **err)
{
	return engine_call_timeout(e, ENGINE_TIMEOUT_SHORT, method, path, body,
	    body_len, content_type, status, resp, err);
}

struct stream_ctx {
	engine_sink_fn sink;
	void *sink_ctx;
	struct buf errbody;	/* a non-2xx answer, capped */
};

static int
stream_on_body(void *ctx, long status, const void *data, size_t len,
    struct keep_error **err)
{
	struct stream_ctx *s = ctx;

	if (status >= 200 && status < 300) {
		if (s->sink == NULL)
			return 0;
		if (s->sink(s->sink_ctx, data, len, err) != 0) {
			if (err && *err == NULL)
				keep_error_set(err, KEEP_ERR_FAILED,
				    "receiving the engine's answer failed");
			return -1;
		}
		return 0;
	}
	if (s->errbody.len < ENGINE_MAX_ERROR_BODY) {
		size_t room = ENGINE_MAX_ERROR_BODY - s->errbody.len;

		buf_add(&s->errbody, data, len < room ? len : room);
	}
	return 0;
}

/* engine_call_stream with request headers (may be NULL). */
static int
call_stream(struct engine *e, const char *method, const char *path,
    const struct kvv *headers, engine_source_fn body_reader, void *body_ctx,
    const char *content_type, engine_sink_fn sink, void *sink_ctx,
    long stall, long *status, struct keep_error **err)
{
	struct stream_ctx s = { sink, sink_ctx, BUF_INIT };
	struct http_response hr = { 0 };
	struct http_request req = {
		.method = method,
		.reader = body_reader,
		.reader_ctx = body_ctx,
		.content_type = content_type,
		.headers = headers,
		.timeout = 0,	/* archives and builds take as long as they take */
		.stall = stall,
		.on_body = stream_on_body,
		.body_ctx = &s,
	};
	int rc;

	rc = engine_send(e, &req, path, &s.errbody, status, &hr, err);
	buf_release(&s.errbody);
	http_response_release(&hr);
	return rc;
}

int
engine_call_stream(struct engine *e, const char *method, const char *path,
    engine_source_fn body_reader, void *body_ctx, const char *content_type,
    engine_sink_fn sink, void *sink_ctx, long stall, long *status,
    struct keep_error **err)
{
	return call_stream(e, method, path, NULL, body_reader, body_ctx,
	    content_type, sink, sink_ctx, stall, status, err);
}

int
engine_call_stream_headers(struct engine *e, const char *method,
    const char *path, const struct kvv *headers, engine_sink_fn sink,
    void *sink_ctx, long stall, struct keep_error **err)
{
	return call_stream(e, method, path, headers, NULL, NULL, NULL, sink,
	    sink_ctx, stall, NULL, err);
}

int
engine_stall_timeout(long *out, struct keep_error **err)
{
	const char *s;
	long long v;
	int rc = env_number("KEEP_STALL_TIMEOUT", 1, LONG_MAX,
	    ENGINE_ARCHIVE_STALL, &v, &s);

	*out = (long)v;
	if (rc < 0)
		return keep_error_set(err, KEEP_ERR_USAGE, "KEEP_STALL_TIMEOUT="
		    "'%.32s': use a number of seconds above 0", s);
	return 0;
}

void
engine_urlencode(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		/* RFC 3986 unreserved characters pass; everything else is %XX. */
		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
			buf_addch(out, (char)c);
		} else {
			buf_addch(out, '%');
			buf_addch(out, hex[c >> 4]);
			buf_addch(out, hex[c & 15]);
		}
	}
}

int
engine_get_version(struct engine *e, struct engine_version *out,
    struct keep_error **err)
{
	cleanup_buf struct buf body = BUF_INIT;
	cleanup_json json_t *j = NULL;
	const char *product;
	json_t *comp;

	memset(out, 0, sizeof(*out));
	if (engine_call(e, "GET", "/version", NULL, 0, NULL, NULL, &body,
	    err) < 0)
		return keep_error_wrap(err, "engine version");
	if (ejson_parse(body.ptr, body.len, "GET /version", &j, err) < 0)
		return -1;
	if (!json_is_object(j))
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "the engine's answer to GET /version is not an object");
	out->version = ejson_strdup(j, "Version", "");
	out->api_version = ejson_strdup(j, "ApiVersion", "");
	out->min_api_version = ejson_strdup(j, "MinAPIVersion", "");
	out->os = ejson_strdup(j, "Os", "");
	out->arch = ejson_strdup(j, "Arch", "");
	out->kernel = ejson_strdup(j, "KernelVersion", "");
	product = ejson_str(ejson_get(j, "Platform"), "Name");
	comp = json_array_get(ejson_get(j, "Components"), 0);
	/* Podman's Platform.Name is "linux/amd64/debian-12": not a product. */
	if (e->podman)
		product = NULL;
	/* Docker names its component just "Engine"; Podman "Podman Engine". */
	if (product == NULL || *product == '\0')
		product = ejson_str(comp, "Name");
	if (product == NULL || *product == '\0' || strcmp(product, "Engine") == 0)
		product = e->podman ? "Podman Engine" : "Docker Engine";
	out->product = xstrdup(product);
	return 0;
}

void
engine_version_release(struct engine_version *v)
{
	free(v->version);
	free(v->api_version);
	free(v->min_api_version);
	free(v->os);
	free(v->arch);
	free(v->kernel);
	free(v->product);
	memset(v, 0, sizeof(*v));
}
