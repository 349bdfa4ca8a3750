/*
 * httpd.h - the HTTP server glue shared by the broker and every MCP server (libh2o 2.2.5, evloop).
 *
 * One cm_server_t owns the h2o global config, one loop thread (the thread that calls
 * cm_server_run), its listeners and a small router. HTTP/1.1 only (h2c disabled: see
 * libh2o-2.2.5 notes). Routes are matched on method and path pattern; a path that matches no
 * route gets 404, a path whose pattern matches but not for this method gets 405 with `Allow`,
 * both as JSON errors.
 *
 * Error bodies everywhere are JSON: {"code": "<stable_code>", "message": "<human text>"} plus
 * optional extra members (e.g. "field"). Browser-facing pages use cm_respond_html.
 *
 * Threading: handlers run on the loop thread. A handler may answer synchronously or later (after
 * asynchronous work) from the same thread; it must keep per-request state in
 * h2o_mem_alloc_shared(&req->pool, ..., dispose) so a vanished request is noticed.
 */
#ifndef COMMON_HTTPD_H
#define COMMON_HTTPD_H

#ifndef H2O_USE_LIBUV
#define H2O_USE_LIBUV 0
#endif
#include <h2o.h>
#if H2O_USE_LIBUV
#error "link libh2o-evloop with -DH2O_USE_LIBUV=0"
#endif
#include <jansson.h>
#include <stddef.h>

typedef struct cm_server cm_server_t;

#define CM_ROUTE_MAX_PARAMS 4

/* Captured `*` segments of a route pattern, in order (point into req->path_normalized). */
typedef struct cm_route_match {
    h2o_iovec_t params[CM_ROUTE_MAX_PARAMS];
    size_t n_params;
} cm_route_match_t;

/* A route handler. Must respond (now or later) to req. The return value is ignored (use 0). */
typedef int (*cm_handler_fn)(void *data, h2o_req_t *req, const cm_route_match_t *match);

typedef struct cm_server_options {
    const char *name;        /* for logs and the Server header, e.g. "oauth-service" */
    size_t max_request_body; /* bytes; 0 = 64 KiB. Larger bodies get a JSON 413 body_too_large (see httpd.c) */
    int drain_ms;            /* graceful stop: how long requests in flight may take to finish; 0 = 5000 */
    int reuse_port;          /* listeners set SO_REUSEPORT: several processes listen on one port (the kernel spreads
                                the connections) */
} cm_server_options_t;

/* Creates a server and its loop. Returns NULL on failure. Caller owns it (cm_server_free). */
cm_server_t *cm_server_new(const cm_server_options_t *opts);
/* Frees the server. When connections outlived the drain, libh2o 2.2.5 cannot dispose its loop: the loop and the
 * server are then left (reachable) to the process exit, with a warning. */
void cm_server_free(cm_server_t *s);
h2o_evloop_t *cm_server_loop(cm_server_t *s);
h2o_context_t *cm_server_context(cm_server_t *s);

/*
 * Adds a route. method: "GET", "POST", ... ("*" = any). pattern: absolute path where a segment "*"
 * matches one non-empty segment and a final "**" matches the rest (one or more segments, captured
 * as one param). Routes are tried in registration order. pattern is copied.
 */
int cm_server_route(cm_server_t *s, const char *method, const char *pattern, cm_handler_fn fn, void *data);
/* Binds and listens on host:port (port 0 = ephemeral; *bound_port receives the real one). */
int cm_server_listen(cm_server_t *s, const char *host, int port, int *bound_port);
/* Runs the loop until cm_server_stop() or SIGINT/SIGTERM, then stops gracefully: no new connections, idle
 * keep-alive connections closed, requests in flight given drain_ms to finish. Returns CM_OK on a clean stop. */
int cm_server_run(cm_server_t *s);
/* Asks the loop to stop (async-signal-safe, callable from any thread). */
void cm_server_stop(cm_server_t *s);
/* Seconds since cm_server_new. */
double cm_server_uptime(const cm_server_t *s);

/*
 * Serves GET /metrics: registry m (NULL: the process's default registry) in the Prometheus text format. Allowed
 * from a loopback peer when allow_loopback, and from anywhere with `Authorization: Bearer <token>` when token_file
 * names a file holding the token (read now; surrounding whitespace ignored); anyone else gets 403 JSON. Every
 * server also counts its requests (http_requests_total{route,method,status}, http_request_duration_seconds{route})
 * in the default registry, by route pattern. Returns CM_OK, CM_EIO (token file unreadable or empty), CM_ENOMEM.
 */
struct cm_metrics;
int cm_server_metrics(cm_server_t *s, struct cm_metrics *m, int allow_loopback, const char *token_file);
/* Renders the body of GET /metrics instead of the registry (e.g. several processes' registries merged): fills *out
 * (malloc'd, the server frees it) and *len; returns CM_OK or an error (then 500 JSON). Called on the loop thread. */
typedef int (*cm_metrics_render_fn)(void *arg, char **out, size_t *len);
/* Sets the renderer of GET /metrics (after cm_server_metrics); fn NULL restores the registry's own rendering. */
void cm_server_metrics_renderer(cm_server_t *s, cm_metrics_render_fn fn, void *arg);

/* ---- responses (all copy what they need into req->pool) ---- */

/* Sends JSON. Takes ownership of body (json_decref'd). */
void cm_respond_json(h2o_req_t *req, int status, json_t *body);
/* Sends {"code":code,"message":message} (+ "field" when field != NULL). */
void cm_respond_error(h2o_req_t *req, int status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Sends an HTML page (text/html; charset=utf-8) with no-store caching and a strict CSP. html is copied. */
void cm_respond_html(h2o_req_t *req, int status, const char *html, size_t len);
/* Sends a body of the given content type (copied). */
void cm_respond_body(h2o_req_t *req, int status, const char *content_type, const char *body, size_t len);
/* Sends a status with an empty body. */
void cm_respond_empty(h2o_req_t *req, int status);
/* Adds a response header (name lower-case; value copied into the pool). Call before a cm_respond_*. */
void cm_add_header(h2o_req_t *req, const char *name, const char *value);
/* Standard reason phrase for a status code. */
const char *cm_reason(int status);

/* ---- requests ---- */

/* Header value by lower-case name, or {NULL,0}. */
h2o_iovec_t cm_req_header(h2o_req_t *req, const char *lc_name);
/* The credential after "Bearer " (case-insensitive scheme) or {NULL,0}. */
h2o_iovec_t cm_req_bearer(h2o_req_t *req);
/* Decoded query parameter, allocated in req->pool, or NULL when absent. *bad is set on a malformed escape. */
char *cm_req_query(h2o_req_t *req, const char *name, int *bad);
/* Body parsed as a JSON object; NULL when absent/invalid/not an object (*why explains). Caller decrefs. */
json_t *cm_req_json_object(h2o_req_t *req, const char **why);
/* 1 when req->method equals m. */
int cm_req_method_is(h2o_req_t *req, const char *m);
/* A route param as a pool-allocated NUL-terminated string. */
char *cm_match_str(h2o_req_t *req, const cm_route_match_t *m, size_t i);

#endif
