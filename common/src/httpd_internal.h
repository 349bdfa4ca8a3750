/*
 * httpd_internal.h (private to common/src/httpd*.c) - what the server glue's files share.
 */
#ifndef COMMON_HTTPD_INTERNAL_H
#define COMMON_HTTPD_INTERNAL_H

#include "common/httpd.h"

/* The JSON text {"code":code,"message":message[,"field":field]}; malloc'ed (caller frees), NULL when out of memory. */
char *cm__error_text(const char *code, const char *field, const char *message);

/* Makes the errors libh2o sends itself, before any handler ran (a body over max_request_entity_size: 413, a broken
 * Content-Length / Transfer-Encoding: 400, an unknown Expect: 417, a path outside "/": 404), JSON error bodies like
 * every other error of the server. host is the server's only host; max_body is the limit the 413 names. */
void cm__httpd_json_early_errors(h2o_hostconf_t *host, size_t max_body);

/* The /metrics endpoint's registry and who may read it (cm_server_metrics); owned by the server. */
struct cm_metrics_guard {
    struct cm_metrics *metrics;
    cm_metrics_render_fn render; /* NULL: cm_metrics_render of metrics */
    void *render_arg;
    int allow_loopback;
    char *token; /* NULL: no token accepted */
};
struct cm_metrics_guard *cm__httpd_metrics_guard(cm_server_t *s);
/* Wipes and frees the token. */
void cm__metrics_guard_clear(struct cm_metrics_guard *g);

/* A request's record for the request metrics and the in-flight count (allocated in req->pool: its disposal
 * decrements *inflight and counts the request under the route recorded with cm__httpd_track_route, its status
 * and its duration). Never NULL (h2o's pool allocation aborts on failure). */
struct cm_req_track;
struct cm_req_track *cm__httpd_track(h2o_req_t *req, size_t *inflight);
/* A route's metric series, found once: the duration series and the request series of the status last seen. */
struct cm_route_metrics {
    const char *method, *pattern; /* the route's own strings */
    struct cm_metric_series *duration;
    struct cm_metric_series *requests;
    int requests_status;
};
/* rm belongs to the route (it outlives the request). */
void cm__httpd_track_route(struct cm_req_track *t, struct cm_route_metrics *rm);

#endif
