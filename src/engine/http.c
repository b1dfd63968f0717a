#include "engine/http.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "util/xalloc.h"

/* Long enough for a loaded daemon, short enough that a dead address fails. */
#define HTTP_CONNECT_TIMEOUT 10L
/* A sanity bound on the headers of one answer. */
#define HTTP_MAX_HEADERS 256

struct http_conn {
	const struct engine_endpoint *ep;
	CURL *curl;
	char errbuf[CURL_ERROR_SIZE];
};

/* State of one request, shared by the curl callbacks. */
struct http_call {
	struct http_conn *conn;
	const struct http_request *req;
	struct http_response *resp;
	struct keep_error **err;
	int body_aborted;	/* on_body refused: *err is set */
	int read_failed;	/* the body reader failed */
};

static pthread_once_t http_once = PTHREAD_ONCE_INIT;
static CURLcode http_global_status = CURLE_FAILED_INIT;

static void
http_global_init(void)
{
	http_global_status = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int
http_conn_open(const struct engine_endpoint *ep, struct http_conn **out,
    struct keep_error **err)
{
	struct http_conn *c;

	*out = NULL;
	pthread_once(&http_once, http_global_init);
	if (http_global_status != CURLE_OK)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "cannot initialise libcurl: %s",
		    curl_easy_strerror(http_global_status));
	c = xcalloc(1, sizeof(*c));
	c->ep = ep;
	c->curl = curl_easy_init();
	if (c->curl == NULL) {
		free(c);
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "cannot initialise libcurl");
	}
	*out = c;
	return 0;
}

void
http_conn_close(struct http_conn *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->curl);
	free(c);
}

static size_t
http_on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct http_call *call = ctx;
	size_t len = size * nmemb, namelen;
	const char *colon, *v, *end;
	char *name, *value;

	/* Each status line starts a new response (100 Continue, redirects). */
	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		kvv_release(&call->resp->headers);
		return len;
	}
	colon = memchr(data, ':', len);
	if (colon == NULL || call->resp->headers.n >= HTTP_MAX_HEADERS)
		return len;
	namelen = (size_t)(colon - data);
	v = colon + 1;
	end = data + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && isspace((unsigned char)end[-1]))
		end--;
	name = xstrndup(data, namelen);
	value = xstrndup(v, (size_t)(end - v));
	kvv_push(&call->resp->headers, name, value);
	free(name);
	free(value);
	return len;
}

static size_t
http_on_write(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct http_call *call = ctx;
	size_t len = size * nmemb;
	long status = 0;

	if (call->req->on_body == NULL || len == 0)
		return len;
	curl_easy_getinfo(call->conn->curl, CURLINFO_RESPONSE_CODE, &status);
	if (call->req->on_body(call->req->body_ctx, status, data, len,
	    call->err) != 0) {
		call->body_aborted = 1;
		return 0;	/* not len: curl stops with CURLE_WRITE_ERROR */
	}
	return len;
}

static size_t
http_on_read(char *buf, size_t size, size_t nmemb, void *ctx)
{
	struct http_call *call = ctx;
	ssize_t n;

	n = call->req->reader(call->req->reader_ctx, buf, size * nmemb);
	if (n < 0) {
		call->read_failed = 1;
		return CURL_READFUNC_ABORT;
	}
	return (size_t)n;
}

/* errbuf when curl wrote one, else the generic text for code. */
static const char *
http_reason(struct http_conn *c, CURLcode code)
{
	size_t n = strlen(c->errbuf);

	while (n > 0 && isspace((unsigned char)c->errbuf[n - 1]))
		c->errbuf[--n] = '\0';
	return n ? c->errbuf : curl_easy_strerror(code);
}

/*
 * A hint for a connection the engine dropped while keep was connecting
 * (the first call is always GET /_ping): plain HTTP sent to a TLS port,
 * TLS without the client certificate the engine demands, or with one it
 * turned down. "" otherwise.
 */
static const char *
http_connect_hint(struct http_conn *c, const struct http_request *req)
{
	if (strcmp(req->path, "/_ping") != 0)
		return "";
	if (!c->ep->tls && !c->ep->socket_path)
		return " (does it expect TLS? set DOCKER_TLS_VERIFY=1)";
	if (c->ep->tls && !c->ep->cert)
		return " (no client certificate was offered: does the engine "
		    "require one? cert.pem and key.pem go in DOCKER_CERT_PATH "
		    "or the context)";
	/* The engine's alert may be lost when it drops the connection at
	 * once; a TLS connection that breaks on the first call is most
	 * likely the certificate being turned down. */
	if (c->ep->tls)
		return " (the engine may have refused keep's client certificate: "
		    "is it signed by the CA the engine trusts?)";
	return "";
}

/* Turn a failed transfer into one line that names the engine's address. */
static int
http_fail(struct http_conn *c, const struct http_request *req, CURLcode code,
    struct keep_error **err)
{
	const char *host = c->ep->host;
	long oserr = 0;
	double connect_time = 0;

	curl_easy_getinfo(c->curl, CURLINFO_OS_ERRNO, &oserr);
	curl_easy_getinfo(c->curl, CURLINFO_CONNECT_TIME, &connect_time);
	switch (code) {
	case CURLE_COULDNT_CONNECT:
		if (oserr == EACCES || oserr == EPERM)
			return keep_error_set(err, KEEP_ERR_FAILED,
			    "cannot reach the Docker engine at %s: %s (is your "
			    "user in the 'docker' group?)", host,
			    strerror((int)oserr));
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "cannot reach the Docker engine at %s: %s (is dockerd "
		    "running? start it with 'dockerd' or set DOCKER_HOST)",
		    host, oserr ? strerror((int)oserr) : http_reason(c, code));
	case CURLE_COULDNT_RESOLVE_HOST:
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "cannot reach the Docker engine at %s: %s (check DOCKER_HOST)",
		    host, http_reason(c, code));
	case CURLE_OPERATION_TIMEDOUT:
		if (connect_time <= 0)
			return keep_error_set(err, KEEP_ERR_FAILED,
			    "cannot reach the Docker engine at %s: connection "
			    "timed out after %ld seconds (is dockerd running?)",
			    host, HTTP_CONNECT_TIMEOUT);
		if (req->timeout <= 0)
			return keep_error_set(err, KEEP_ERR_FAILED,
			    "the Docker engine at %s sent nothing for %ld "
			    "seconds on %s %s (set KEEP_STALL_TIMEOUT to wait "
			    "longer)", host, req->stall, req->method, req->path);
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "the Docker engine at %s did not answer %s %s within %ld "
		    "seconds", host, req->method, req->path, req->timeout);
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_CLIENTCERT:
	case CURLE_USE_SSL_FAILED:
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "TLS error talking to the Docker engine at %s: %s (check "
		    "the certificates in DOCKER_CERT_PATH or the context)",
		    host, http_reason(c, code));
	case CURLE_GOT_NOTHING:
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "the Docker engine at %s gave no HTTP answer to %s %s: %s%s",
		    host, req->method, req->path, http_reason(c, code),
		    http_connect_hint(c, req));
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		/* The engine's TLS alert ("unknown ca", "certificate
		 * required") arrives as a failed read after the handshake. */
		if (c->ep->tls && strstr(http_reason(c, code), " alert "))
			return keep_error_set(err, KEEP_ERR_FAILED,
			    "TLS error talking to the Docker engine at %s: it "
			    "refused %s: %s", host, c->ep->cert ?
			    "keep's client certificate (is it signed by the CA "
			    "the engine trusts?)" : "a client without a "
			    "certificate (put cert.pem and key.pem in "
			    "DOCKER_CERT_PATH or the context)",
			    http_reason(c, code));
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "the connection to the Docker engine at %s broke during "
		    "%s %s: %s%s", host, req->method, req->path,
		    http_reason(c, code), http_connect_hint(c, req));
	default:
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "%s %s to the Docker engine at %s failed: %s", req->method,
		    req->path, host, http_reason(c, code));
	}
}

/* The options every transfer to ep shares: address, socket, TLS. */
static void
http_setup(struct http_conn *c, const char *url)
{
	const struct engine_endpoint *ep = c->ep;
	CURL *h = c->curl;

	curl_easy_setopt(h, CURLOPT_URL, url);
	if (ep->socket_path) {
		curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, ep->socket_path);
		/* A proxy from the environment makes no sense for a local socket. */
		curl_easy_setopt(h, CURLOPT_PROXY, "");
	}
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, HTTP_CONNECT_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "keep/" KEEP_VERSION);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (ep->tls) {
		if (ep->ca)
			curl_easy_setopt(h, CURLOPT_CAINFO, ep->ca);
		if (ep->cert)
			curl_easy_setopt(h, CURLOPT_SSLCERT, ep->cert);
		if (ep->key)
			curl_easy_setopt(h, CURLOPT_SSLKEY, ep->key);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, ep->tls_verify ? 1L : 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, ep->tls_verify ? 2L : 0L);
	}
}

int
http_request_do(struct http_conn *c, const struct http_request *req,
    struct http_response *resp, struct keep_error **err)
{
	const struct engine_endpoint *ep = c->ep;
	struct http_call call = { c, req, resp, err, 0, 0 };
	struct curl_slist *headers = NULL;
	cleanup_free char *url = NULL;
	cleanup_free char *ctype = NULL;
	CURL *h = c->curl;
	CURLcode code;
	int rc = 0;

	resp->status = 0;
	kvv_release(&resp->headers);
	c->errbuf[0] = '\0';

	/* A reset forgets the last request's options but keeps the connection. */
	curl_easy_reset(h);
	url = xasprintf("%s%s", ep->base_url, req->path);
	http_setup(c, url);
	if (req->timeout > 0)
		curl_easy_setopt(h, CURLOPT_TIMEOUT, req->timeout);
	if (req->stall > 0) {
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, req->stall);
	}

	if (strcmp(req->method, "GET") == 0) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(req->method, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else {
		/* POST semantics for any method with a body; the verb is ours. */
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		if (strcmp(req->method, "POST") != 0)
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
		if (req->reader) {
			curl_easy_setopt(h, CURLOPT_READFUNCTION, http_on_read);
			curl_easy_setopt(h, CURLOPT_READDATA, &call);
			headers = curl_slist_append(headers,
			    "Transfer-Encoding: chunked");
		} else {
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
			    (curl_off_t)(req->body ? req->body_len : 0));
			curl_easy_setopt(h, CURLOPT_POSTFIELDS,
			    req->body ? req->body : "");
		}
		/* Without a type libcurl claims a form; say what it is, or nothing. */
		ctype = xasprintf("Content-Type:%s%s",
		    req->content_type ? " " : "",
		    req->content_type ? req->content_type : "");
		headers = curl_slist_append(headers, ctype);
		/* The engine does not need the 100-continue round trip. */
		headers = curl_slist_append(headers, "Expect:");
	}
	for (size_t i = 0; req->headers && i < req->headers->n; i++) {
		char *line = xasprintf("%s: %s", req->headers->v[i].key,
		    req->headers->v[i].value);

		headers = curl_slist_append(headers, line);
		free(line);
	}
	if (headers)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, http_on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &call);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http_on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &call);

	code = curl_easy_perform(h);
	if (code == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	} else if (call.body_aborted) {
		if (err && *err == NULL)
			keep_error_set(err, KEEP_ERR_FAILED,
			    "%s %s: reading the answer failed", req->method,
			    req->path);
		rc = -1;
	} else if (call.read_failed) {
		rc = keep_error_set(err, KEEP_ERR_FAILED,
		    "%s %s: reading the request body failed", req->method,
		    req->path);
	} else {
		rc = http_fail(c, req, code, err);
	}
	curl_slist_free_all(headers);
	/* The easy handle must not point at this frame's callbacks' data. */
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	return rc;
}

const char *
http_response_header(const struct http_response *r, const char *name)
{
	for (size_t i = 0; i < r->headers.n; i++)
		if (strcasecmp(r->headers.v[i].key, name) == 0)
			return r->headers.v[i].value;
	return NULL;
}

void
http_response_release(struct http_response *r)
{
	kvv_release(&r->headers);
	r->status = 0;
}

/* --- hijacked connections --- */

/* A sanity bound on an answer's header and on an error body. */
#define HIJACK_MAX_HEADER ((size_t)64 << 10)

struct http_hijack {
	struct http_conn conn;
	curl_socket_t fd;
	struct buf pending;	/* bytes read past the header, not yet returned */
	size_t pending_off;
	long timeout;		/* seconds to wait for the answer */
};

/* Wait until fd is ready for events, at most timeout seconds (0: forever). */
static int
hijack_wait(struct http_hijack *h, short events, const char *what,
    struct keep_error **err)
{
	struct pollfd p = { .fd = h->fd, .events = events };
	int ms = h->timeout > 0 ? (int)(h->timeout * 1000) : -1;
	int n;

	do
		n = poll(&p, 1, ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return keep_error_set(err, KEEP_ERR_FAILED, "%s: %s", what,
		    strerror(errno));
	if (n == 0)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "the Docker engine at %s did not answer %s within %ld "
		    "seconds", h->conn.ep->host, what, h->timeout);
	return 0;
}

int
http_hijack_send(struct http_hijack *h, const void *data, size_t len,
    struct keep_error **err)
{
	const char *p = data;
	long saved = h->timeout;
	CURLcode code;
	size_t n;

	/* Input waits as long as the other side takes to drain it. */
	h->timeout = 0;
	while (len > 0) {
		n = 0;
		code = curl_easy_send(h->conn.curl, p, len, &n);
		if (code == CURLE_AGAIN) {
			if (hijack_wait(h, POLLOUT, "sending", err) < 0)
				goto fail;
			continue;
		}
		if (code != CURLE_OK) {
			keep_error_set(err, KEEP_ERR_FAILED,
			    "the connection to the Docker engine at %s broke "
			    "while sending: %s", h->conn.ep->host,
			    curl_easy_strerror(code));
			goto fail;
		}
		p += n;
		len -= n;
	}
	h->timeout = saved;
	return 0;
fail:
	h->timeout = saved;
	return -1;
}

ssize_t
http_hijack_recv(struct http_hijack *h, void *buf, size_t cap,
    struct keep_error **err)
{
	CURLcode code;
	size_t n = 0;

	if (h->pending_off < h->pending.len) {
		n = h->pending.len - h->pending_off;
		if (n > cap)
			n = cap;
		memcpy(buf, h->pending.ptr + h->pending_off, n);
		h->pending_off += n;
		if (h->pending_off == h->pending.len) {
			buf_release(&h->pending);
			h->pending_off = 0;
		}
		return (ssize_t)n;
	}
	code = curl_easy_recv(h->conn.curl, buf, cap, &n);
	if (code == CURLE_AGAIN)
		return HTTP_AGAIN;
	if (code != CURLE_OK)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "the connection to the Docker engine at %s broke: %s",
		    h->conn.ep->host, curl_easy_strerror(code));
	return (ssize_t)n;
}

int
http_hijack_fd(const struct http_hijack *h)
{
	return (int)h->fd;
}

void
http_hijack_close_write(struct http_hijack *h)
{
	/* Under TLS this ends the TCP stream without a close_notify; the
	 * engine reads it as the end of input all the same. */
	shutdown(h->fd, SHUT_WR);
}

void
http_hijack_close(struct http_hijack *h)
{
	if (h == NULL)
		return;
	curl_easy_cleanup(h->conn.curl);
	buf_release(&h->pending);
	free(h);
}

/* Read more bytes into b, waiting up to the timeout; 0 at the end. */
static ssize_t
hijack_read_more(struct http_hijack *h, struct buf *b, const char *what,
    struct keep_error **err)
{
	char tmp[4096];
	ssize_t n;

	for (;;) {
		n = http_hijack_recv(h, tmp, sizeof(tmp), err);
		if (n != HTTP_AGAIN)
			break;
		if (hijack_wait(h, POLLIN, what, err) < 0)
			return -1;
	}
	if (n > 0)
		buf_add(b, tmp, (size_t)n);
	return n;
}

/* Content-Length in a raw header block, or -1. */
static long
hijack_content_length(const char *hdr, size_t len)
{
	static const char name[] = "\r\ncontent-length:";
	size_t nl = sizeof(name) - 1;

	for (size_t i = 0; i + nl <= len; i++)
		if (strncasecmp(hdr + i, name, nl) == 0)
			return strtol(hdr + i + nl, NULL, 10);
	return -1;
}

/* The part of base_url after the scheme, up to the path: "localhost". */
static char *
hijack_host_header(const char *base_url)
{
	const char *p = strstr(base_url, "://");

	p = p ? p + 3 : base_url;
	return xstrndup(p, strcspn(p, "/"));
}

int
http_hijack_open(const struct engine_endpoint *ep, const char *method,
    const char *path, const void *body, size_t body_len, long timeout,
    long *status, struct buf *errbody, struct http_hijack **out,
    struct keep_error **err)
{
	struct http_hijack *h;
	struct http_request req = { .method = method, .path = path };
	cleanup_buf struct buf msg = BUF_INIT;
	cleanup_buf struct buf in = BUF_INIT;
	cleanup_free char *url = NULL, *host = NULL;
	curl_socket_t fd = CURL_SOCKET_BAD;
	const char *end = NULL;
	size_t hdr_len;
	long clen;
	CURLcode code;
	ssize_t n;
	char what[256];

	*out = NULL;
	*status = 0;
	snprintf(what, sizeof(what), "%s %s", method, path);
	pthread_once(&http_once, http_global_init);
	if (http_global_status != CURLE_OK)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "cannot initialise libcurl: %s",
		    curl_easy_strerror(http_global_status));
	h = xcalloc(1, sizeof(*h));
	h->conn.ep = ep;
	h->timeout = timeout;
	if ((h->conn.curl = curl_easy_init()) == NULL) {
		free(h);
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "cannot initialise libcurl");
	}
	/* Connect (and shake hands for TLS), then the socket is ours. */
	url = xasprintf("%s%s", ep->base_url, path);
	http_setup(&h->conn, url);
	curl_easy_setopt(h->conn.curl, CURLOPT_CONNECT_ONLY, 1L);
	if ((code = curl_easy_perform(h->conn.curl)) != CURLE_OK) {
		http_fail(&h->conn, &req, code, err);
		goto fail;
	}
	if (curl_easy_getinfo(h->conn.curl, CURLINFO_ACTIVESOCKET, &fd) !=
	    CURLE_OK || fd == CURL_SOCKET_BAD) {
		keep_error_set(err, KEEP_ERR_FAILED,
		    "%s: libcurl gave no socket for the connection", what);
		goto fail;
	}
	h->fd = fd;

	host = hijack_host_header(ep->base_url);
	buf_printf(&msg, "%s %s HTTP/1.1\r\n"
	    "Host: %s\r\n"
	    "User-Agent: keep/" KEEP_VERSION "\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: %zu\r\n"
	    "Connection: Upgrade\r\n"
	    "Upgrade: tcp\r\n"
	    "\r\n", method, path, host, body ? body_len : 0);
	if (body)
		buf_add(&msg, body, body_len);
	if (http_hijack_send(h, msg.ptr, msg.len, err) < 0)
		goto fail;

	/* The header ends at the first blank line; what follows is stream. */
	for (;;) {
		if (in.len >= 4 && (end = memmem(in.ptr, in.len, "\r\n\r\n", 4)))
			break;
		if (in.len > HIJACK_MAX_HEADER) {
			keep_error_set(err, KEEP_ERR_FAILED,
			    "%s: the engine's answer has an oversized header",
			    what);
			goto fail;
		}
		if ((n = hijack_read_more(h, &in, what, err)) < 0)
			goto fail;
		if (n == 0) {
			keep_error_set(err, KEEP_ERR_FAILED,
			    "the Docker engine at %s closed the connection "
			    "without answering %s", ep->host, what);
			goto fail;
		}
	}
	hdr_len = (size_t)(end - in.ptr) + 4;
	if (in.len < 12 || memcmp(in.ptr, "HTTP/1.", 7) != 0) {
		keep_error_set(err, KEEP_ERR_FAILED,
		    "the Docker engine at %s gave no HTTP answer to %s",
		    ep->host, what);
		goto fail;
	}
	*status = strtol(in.ptr + 9, NULL, 10);
	if (*status == 101 || *status == 200) {
		buf_add(&h->pending, in.ptr + hdr_len, in.len - hdr_len);
		/* Reading the stream waits as long as the command runs. */
		h->timeout = 0;
		*out = h;
		return 0;
	}
	/* An error answer: collect its (bounded) body for the message. */
	clen = hijack_content_length(in.ptr, hdr_len);
	while ((clen < 0 || in.len - hdr_len < (size_t)clen) &&
	    in.len - hdr_len < HIJACK_MAX_HEADER) {
		struct keep_error *rerr = NULL;

		n = hijack_read_more(h, &in, what, &rerr);
		keep_error_free(rerr);
		if (n <= 0)
			break;
	}
	if (errbody) {
		size_t blen = in.len - hdr_len;

		if (clen >= 0 && blen > (size_t)clen)
			blen = (size_t)clen;
		buf_add(errbody, in.ptr + hdr_len, blen);
	}
	http_hijack_close(h);
	return 0;
fail:
	http_hijack_close(h);
	return -1;
}
