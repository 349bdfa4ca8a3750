/*
 * httpd_metrics.c - the request metrics every server keeps (by route pattern, never the raw path) and the guarded
 * GET /metrics endpoint.
 */
#include "common/crypto.h"
#include "common/httpd.h"
#include "common/metrics.h"
#include "common/status.h"
#include "httpd_internal.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct cm_req_track {
    size_t *inflight;
    h2o_req_t *req;
    struct cm_route_metrics *rm; /* NULL: no route matched */
    double started;
};

struct request_metrics {
    cm_metric_family_t *requests;
    cm_metric_family_t *duration;
};

static struct request_metrics *request_metrics(void)
{
    static struct request_metrics rm;
    if (rm.requests == NULL) {
        rm.requests = cm_counter("http_requests_total", "HTTP requests answered, by route pattern and status.",
                                 "route,method,status");
        rm.duration =
            cm_histogram("http_request_duration_seconds",
                         "Time from a request's dispatch to the end of its response, by route pattern.", "route");
    }
    return &rm;
}

static void on_track_disposed(void *p)
{
    struct cm_req_track *t = p;
    (*t->inflight)--;
    struct request_metrics *rm = request_metrics();
    int st = t->req->res.status;
    struct cm_route_metrics *route = t->rm;
    cm_metric_series_t *requests = NULL, *duration = NULL;
    if (route != NULL && route->requests != NULL && route->requests_status == st) {
        requests = route->requests; /* the common case: the series found by the last request of the route */
        duration = route->duration;
    } else {
        char status[8];
        if (st > 0 && st < 1000)
            snprintf(status, sizeof(status), "%d", st);
        else
            memcpy(status, "none", 5); /* the connection closed before a response */
        const char *pattern = route ? route->pattern : "unmatched";
        requests = cm_metric_get(rm->requests, pattern, route ? route->method : "", status);
        duration = cm_metric_get(rm->duration, pattern);
        if (route != NULL) {
            route->requests = requests;
            route->requests_status = st;
            route->duration = duration;
        }
    }
    cm_metric_inc(requests);
    cm_metric_observe(duration, cm_metrics_now() - t->started);
}

struct cm_req_track *cm__httpd_track(h2o_req_t *req, size_t *inflight)
{
    struct cm_req_track *t = h2o_mem_alloc_shared(&req->pool, sizeof(*t), on_track_disposed);
    t->inflight = inflight;
    t->req = req;
    t->rm = NULL;
    t->started = cm_metrics_now();
    (*inflight)++;
    return t;
}

void cm__httpd_track_route(struct cm_req_track *t, struct cm_route_metrics *rm)
{
    t->rm = rm;
}

void cm__metrics_guard_clear(struct cm_metrics_guard *g)
{
    if (g->token != NULL) {
        cm_wipe(g->token, strlen(g->token));
        free(g->token);
        g->token = NULL;
    }
}

static int peer_is_loopback(h2o_req_t *req)
{
    struct sockaddr_storage ss;
    if (req->conn->callbacks->get_peername == NULL ||
        req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss) == 0)
        return 0;
    if (ss.ss_family == AF_INET)
        return (ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr) >> 24) == 127;
    if (ss.ss_family == AF_INET6) {
        const struct in6_addr *a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
        if (IN6_IS_ADDR_LOOPBACK(a))
            return 1;
        return IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127;
    }
    return 0;
}

static int token_ok(const struct cm_metrics_guard *g, h2o_req_t *req)
{
    if (g->token == NULL)
        return 0;
    h2o_iovec_t b = cm_req_bearer(req);
    return b.base != NULL && cm_ct_equal(b.base, b.len, g->token, strlen(g->token));
}

static int on_metrics(void *data, h2o_req_t *req, const cm_route_match_t *match)
{
    (void)match;
    const struct cm_metrics_guard *g = data;
    if (!(g->allow_loopback && peer_is_loopback(req)) && !token_ok(g, req)) {
        cm_respond_error(req, 403, "forbidden", NULL,
                         "metrics are served to loopback clients or with the metrics token as a Bearer credential");
        return 0;
    }
    char *text = NULL;
    size_t len = 0;
    int rc = g->render != NULL ? g->render(g->render_arg, &text, &len)
                               : cm_metrics_render(g->metrics ? g->metrics : cm_metrics_default(), &text, &len);
    if (rc != CM_OK) {
        cm_respond_error(req, 500, "internal_error", NULL, "out of memory rendering the metrics");
        return 0;
    }
    cm_add_header(req, "cache-control", "no-store");
    cm_respond_body(req, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
    free(text);
    return 0;
}

static int read_token(const char *path, char **out)
{
    char buf[512];
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return CM_EIO;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = buf;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    size_t len = strlen(p);
    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\n' || p[len - 1] == '\r'))
        len--;
    int rc = CM_EIO;
    if (len > 0 && (*out = strndup(p, len)) != NULL)
        rc = CM_OK;
    else if (len > 0)
        rc = CM_ENOMEM;
    cm_wipe(buf, sizeof(buf));
    return rc;
}

int cm_server_metrics(cm_server_t *s, struct cm_metrics *m, int allow_loopback, const char *token_file)
{
    if (s == NULL)
        return CM_EINVAL;
    struct cm_metrics_guard *g = cm__httpd_metrics_guard(s);
    cm__metrics_guard_clear(g);
    g->metrics = m;
    g->allow_loopback = allow_loopback;
    if (token_file != NULL && *token_file != '\0') {
        int rc = read_token(token_file, &g->token);
        if (rc != CM_OK)
            return rc;
    }
    return cm_server_route(s, "GET", "/metrics", on_metrics, g);
}

void cm_server_metrics_renderer(cm_server_t *s, cm_metrics_render_fn fn, void *arg)
{
    struct cm_metrics_guard *g = cm__httpd_metrics_guard(s);
    g->render = fn;
    g->render_arg = arg;
}
