/*
 * The only module that includes libcurl: a tiny HTTP/1.1 client over a unix
 * socket or TCP (optionally TLS), private to src/engine/. One http_conn owns
 * one curl easy handle, so consecutive requests share one connection.
 */
#ifndef KEEP_ENGINE_HTTP_H
#define KEEP_ENGINE_HTTP_H

#include <stddef.h>
#include <sys/types.h>

#include "util/strv.h"
#include "engine/engine.h"
#include "util/buf.h"
#include "util/error.h"

struct http_conn;

/*
 * Prepare a connection to ep (borrowed: it must outlive the connection).
 * Nothing is sent yet. The caller frees *out with http_conn_close.
 */
int http_conn_open(const struct engine_endpoint *ep, struct http_conn **out,
    struct keep_error **err);
void http_conn_close(struct http_conn *c);

/*
 * Receives the response body as it arrives, with the final HTTP status.
 * Return nonzero, with *err set, to abort the transfer.
 */
typedef int (*http_body_fn)(void *ctx, long status, const void *data,
    size_t len, struct keep_error **err);
/* Supplies a request body: bytes read, 0 at the end, negative on failure. */
typedef ssize_t (*http_read_fn)(void *ctx, void *buf, size_t cap);

struct http_request {
	const char *method;		/* "GET", "POST", "HEAD", "DELETE" ... */
	const char *path;		/* appended to the endpoint's base URL */
	const void *body;		/* fixed body (may be NULL), or */
	size_t body_len;
	http_read_fn reader;		/* a streamed body (chunked) */
	void *reader_ctx;
	const char *content_type;	/* of the body, or NULL */
	const struct kvv *headers;	/* more request headers, or NULL */
	long timeout;			/* seconds for the whole call; 0 none */
	long stall;			/* seconds without a byte; 0 none */
	http_body_fn on_body;		/* may be NULL: the body is dropped */
	void *body_ctx;
};

struct http_response {
	long status;
	struct kvv headers;	/* of the final response, names as sent */
};

/*
 * Send req and read the answer. Fails only when no complete HTTP answer
 * arrived (the engine is unreachable, TLS failed, the connection broke,
 * the timeout passed) or on_body aborted; any HTTP status is a success
 * here. Errors are one line naming ep->host. The caller releases *resp
 * with http_response_release, also on failure.
 */
int http_request_do(struct http_conn *c, const struct http_request *req,
    struct http_response *resp, struct keep_error **err);

/* The value of header name (case-insensitive), or NULL. */
const char *http_response_header(const struct http_response *r,
    const char *name);
void http_response_release(struct http_response *r);

/*
 * A hijacked connection, as exec start and attach use: after the HTTP
 * answer's header the socket carries raw bytes both ways. It has its own
 * curl handle (connect-only), so the engine's request connection stays
 * usable alongside it, over a unix socket, TCP or TLS alike.
 */
struct http_hijack;

/* http_hijack_recv: nothing to read now; poll http_hijack_fd. */
#define HTTP_AGAIN (-2)

/*
 * Connect to ep (borrowed: it must outlive the stream), send METHOD path
 * with a JSON body and the Upgrade headers, and read the answer's header.
 * On 101 or 200, *out (closed with http_hijack_close) is the stream; bytes
 * that came with the header are its first bytes. On any other status *out
 * is NULL and errbody (may be NULL) gets the answer's body, bounded; that
 * is not a failure here. *status is the HTTP status. Fails, with one line
 * naming ep->host, when the engine cannot be reached or gives no answer
 * within timeout seconds.
 */
int http_hijack_open(const struct engine_endpoint *ep, const char *method,
    const char *path, const void *body, size_t body_len, long timeout,
    long *status, struct buf *errbody, struct http_hijack **out,
    struct keep_error **err);

/* Send all len bytes, waiting for the socket as needed. */
int http_hijack_send(struct http_hijack *h, const void *data, size_t len,
    struct keep_error **err);

/*
 * Receive up to cap bytes: the count, 0 at the end of the stream,
 * HTTP_AGAIN when nothing is ready, or -1 with *err set. Call it until
 * HTTP_AGAIN before polling: TLS keeps decrypted bytes the socket no longer
 * shows.
 */
ssize_t http_hijack_recv(struct http_hijack *h, void *buf, size_t cap,
    struct keep_error **err);

/* The socket, for poll(2) (POLLIN). */
int http_hijack_fd(const struct http_hijack *h);

/* Half-close: the engine sees the end of our input; reading goes on. */
void http_hijack_close_write(struct http_hijack *h);

void http_hijack_close(struct http_hijack *h);

#endif
