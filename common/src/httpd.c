/*
 * httpd.c - h2o server glue: one loop, listeners, a method+pattern router, signal-driven stop.
 */
#include "common/httpd.h"
#include "common/log.h"
#include "common/request_id.h"
#include "common/status.h"
#include "common/timer.h"
#include "httpd_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_LISTENERS 8
#define MAX_SEGMENTS 16

struct route {
    char *method;
    char *pattern;              /* as registered: the metrics' route label */
    struct cm_route_metrics rm; /* its series, cached */
    char *segs[MAX_SEGMENTS];
    size_t seglens[MAX_SEGMENTS];
    size_t nsegs;
    int rest; /* last pattern segment was "**" */
    cm_handler_fn fn;
    void *data;
};

struct root_handler {
    h2o_handler_t super;
    cm_server_t *server;
};

struct cm_server {
    h2o_globalconf_t config;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    h2o_evloop_t *loop;
    struct route *routes;
    size_t nroutes;
    h2o_socket_t *listeners[MAX_LISTENERS];
    size_t nlisteners;
    int stop_pipe[2];
    h2o_socket_t *stop_sock;
    volatile sig_atomic_t stopping;
    struct timespec started;
    char *name;
    size_t max_body; /* the limit answered with a JSON 413; h2o itself reads up to body_hard_cap() */
    int drain_ms;
    int reuse_port;
    size_t inflight; /* requests whose pool is not disposed yet (graceful stop waits for them) */
    struct cm_metrics_guard metrics_guard;
};

static cm_server_t *signal_target;
static cm_server_t *abandoned; /* a server whose connections outlived shutdown (see cm_server_free) */

/* ---------------------------------------------------------------- routing */

static size_t split_path(const char *p, size_t len, h2o_iovec_t *out, size_t max)
{
    size_t n = 0, i = 0;
    while (i < len) {
        while (i < len && p[i] == '/')
            i++;
        if (i >= len)
            break;
        size_t start = i;
        while (i < len && p[i] != '/')
            i++;
        if (n == max)
            return max + 1; /* too many segments */
        out[n++] = h2o_iovec_init(p + start, i - start);
    }
    return n;
}

/* A request path cut into its segments once, for every route it is matched against. */
struct split_req_path {
    h2o_iovec_t path;
    h2o_iovec_t segs[MAX_SEGMENTS];
    size_t n;    /* > MAX_SEGMENTS: too many segments, no route matches */
    int slashed; /* an explicit trailing slash is a different path ("/health/" is not "/health"): no route matches */
};

static void split_req_path(h2o_iovec_t path, struct split_req_path *out)
{
    out->path = path;
    out->n = split_path(path.base, path.len, out->segs, MAX_SEGMENTS);
    out->slashed = path.len > 1 && path.base[path.len - 1] == '/';
}

/* Returns 1 when the path matches the route's pattern (ignoring the method) and fills m. */
static int route_match(const struct route *r, const struct split_req_path *p, cm_route_match_t *m)
{
    if (p->n > MAX_SEGMENTS || p->slashed)
        return 0;
    m->n_params = 0;
    size_t fixed = r->rest ? r->nsegs - 1 : r->nsegs;
    if (r->rest ? p->n < r->nsegs : p->n != r->nsegs)
        return 0;
    for (size_t i = 0; i < fixed; i++) {
        if (r->segs[i][0] == '*' && r->segs[i][1] == '\0') {
            if (m->n_params < CM_ROUTE_MAX_PARAMS)
                m->params[m->n_params++] = p->segs[i];
            continue;
        }
        if (r->seglens[i] != p->segs[i].len || memcmp(r->segs[i], p->segs[i].base, p->segs[i].len) != 0)
            return 0;
    }
    if (r->rest && m->n_params < CM_ROUTE_MAX_PARAMS) {
        const char *start = p->segs[fixed].base;
        const char *end = p->path.base + p->path.len;
        m->params[m->n_params++] = h2o_iovec_init(start, (size_t)(end - start));
    }
    return 1;
}

static int method_matches(const struct route *r, h2o_iovec_t method)
{
    if (strcmp(r->method, "*") == 0)
        return 1;
    if (h2o_memis(method.base, method.len, r->method, strlen(r->method)))
        return 1;
    /* HEAD is served by GET routes (h2o drops the body) */
    return strcmp(r->method, "GET") == 0 && h2o_memis(method.base, method.len, H2O_STRLIT("HEAD"));
}

/* libh2o 2.2.5 answers a body over its max_request_entity_size itself, before the body is read. It reads bodies
 * up to this cap, so that every body between the configured limit and the cap reaches on_req and gets the
 * message with its size; bodies beyond it (twice the limit, at least limit + 1 MiB) get h2o's own 413, made the
 * same JSON body_too_large by httpd_early.c. */
static size_t body_hard_cap(size_t limit)
{
    size_t extra = limit > 1024 * 1024 ? limit : 1024 * 1024;
    return limit > SIZE_MAX - extra ? SIZE_MAX : limit + extra;
}

static void dispatch(cm_server_t *s, h2o_req_t *req, struct cm_req_track *track);

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    cm_server_t *s = ((struct root_handler *)self)->server;
    struct cm_req_track *track = cm__httpd_track(req, &s->inflight);

    /* Every line logged for this request (also later, from the callbacks of the calls it starts: they keep the id
     * current at their start) carries its id; the client sees it in the response. */
    cm_reqid_t rid, saved;
    h2o_iovec_t in = cm_req_header(req, "x-request-id");
    if (cm_reqid_from_header(in.base, in.len, &rid) == CM_OK) {
        cm_add_header(req, "x-request-id", rid.s);
        cm_reqid_switch(&rid, &saved);
    } else {
        cm_reqid_enter(NULL, &saved);
    }
    /* the path without its query (an OAuth callback's code is in the query): safe to log */
    cm_debug("http", "request method=%.*s path=%.*s", (int)(req->method.len > 16 ? 16 : req->method.len),
             req->method.base, (int)(req->path_normalized.len > 256 ? 256 : req->path_normalized.len),
             req->path_normalized.base);
    dispatch(s, req, track);
    cm_reqid_restore(&saved);
    return 0;
}

/* Routes req to its handler, or answers 404, 405 or 413. */
static void dispatch(cm_server_t *s, h2o_req_t *req, struct cm_req_track *track)
{
    cm_route_match_t m;
    char allow[128] = "";
    size_t allow_len = 0;
    int path_known = 0;

    if (req->entity.base != NULL && req->entity.len > s->max_body) {
        cm_add_header(req, "connection", "close");
        cm_respond_error(req, 413, "body_too_large", NULL,
                         "the request body (%zu bytes) is larger than the limit of %zu bytes", req->entity.len,
                         s->max_body);
        return;
    }
    struct split_req_path path;
    split_req_path(req->path_normalized, &path);
    for (size_t i = 0; i < s->nroutes; i++) {
        struct route *r = &s->routes[i];
        if (!route_match(r, &path, &m))
            continue;
        if (method_matches(r, req->method)) {
            cm__httpd_track_route(track, &r->rm);
            r->fn(r->data, req, &m);
            return;
        }
        path_known = 1;
        if (strstr(allow, r->method) == NULL) {
            int w = snprintf(allow + allow_len, sizeof(allow) - allow_len, "%s%s", allow_len ? ", " : "", r->method);
            if (w > 0 && (size_t)w < sizeof(allow) - allow_len)
                allow_len += (size_t)w;
        }
    }
    if (path_known) {
        cm_add_header(req, "allow", allow);
        cm_respond_error(req, 405, "method_not_allowed", NULL, "method %.*s is not allowed here; allowed: %s",
                         (int)(req->method.len > 16 ? 16 : req->method.len), req->method.base, allow);
        return;
    }
    cm_respond_error(req, 404, "not_found", NULL, "no such endpoint");
}

int cm_server_route(cm_server_t *s, const char *method, const char *pattern, cm_handler_fn fn, void *data)
{
    if (s == NULL || method == NULL || pattern == NULL || pattern[0] != '/' || fn == NULL)
        return CM_EINVAL;
    struct route *grown = realloc(s->routes, (s->nroutes + 1) * sizeof(*grown));
    if (grown == NULL)
        return CM_ENOMEM;
    s->routes = grown;
    struct route *r = &s->routes[s->nroutes];
    memset(r, 0, sizeof(*r));
    h2o_iovec_t segs[MAX_SEGMENTS];
    size_t n = split_path(pattern, strlen(pattern), segs, MAX_SEGMENTS);
    if (n > MAX_SEGMENTS)
        return CM_EINVAL;
    if ((r->method = strdup(method)) == NULL)
        return CM_ENOMEM;
    if ((r->pattern = strdup(pattern)) == NULL) {
        free(r->method);
        return CM_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        if ((r->segs[i] = strndup(segs[i].base, segs[i].len)) == NULL)
            goto out_free_route;
        r->seglens[i] = segs[i].len;
        r->nsegs = i + 1;
        if (strcmp(r->segs[i], "**") == 0) {
            if (i != n - 1)
                goto out_free_route;
            r->rest = 1;
        }
    }
    r->fn = fn;
    r->data = data;
    r->rm.method = r->method;
    r->rm.pattern = r->pattern;
    s->nroutes++;
    return CM_OK;

out_free_route:
    for (size_t i = 0; i < r->nsegs; i++)
        free(r->segs[i]);
    free(r->method);
    free(r->pattern);
    return CM_EINVAL;
}

/* ---------------------------------------------------------------- lifecycle */

static void on_stop_readable(h2o_socket_t *sock, const char *err)
{
    cm_server_t *s = sock->data;
    h2o_buffer_consume(&sock->input, sock->input->size);
    s->stopping = 1;
}

static void on_signal(int signo)
{
    cm_server_t *s = signal_target;
    if (s != NULL)
        cm_server_stop(s);
}

cm_server_t *cm_server_new(const cm_server_options_t *opts)
{
    cm_server_t *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->stop_pipe[0] = s->stop_pipe[1] = -1;
    s->name = strdup(opts && opts->name ? opts->name : "server");
    if (s->name == NULL)
        goto out_free_server;
    clock_gettime(CLOCK_MONOTONIC, &s->started);

    h2o_config_init(&s->config);
    s->max_body = opts && opts->max_request_body ? opts->max_request_body : 64 * 1024;
    s->drain_ms = opts && opts->drain_ms > 0 ? opts->drain_ms : 5000;
    s->reuse_port = opts ? opts->reuse_port : 0;
    s->config.max_request_entity_size = body_hard_cap(s->max_body);
    s->config.http1.upgrade_to_http2 = 0; /* HTTP/1.1 only: 2.2.5's HTTP/2 lacks later DoS fixes */
    s->config.server_name = h2o_iovec_init(s->name, strlen(s->name));
    h2o_hostconf_t *host = h2o_config_register_host(&s->config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    cm__httpd_json_early_errors(host, s->max_body);
    h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
    struct root_handler *h = (void *)h2o_create_handler(path, sizeof(*h));
    h->super.on_req = on_req;
    h->server = s;

    s->loop = h2o_evloop_create();
    h2o_context_init(&s->ctx, s->loop, &s->config);
    s->accept_ctx.ctx = &s->ctx;
    s->accept_ctx.hosts = s->config.hosts;

    if (pipe2(s->stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        goto out_free_name;
    s->stop_sock = h2o_evloop_socket_create(s->loop, s->stop_pipe[0], H2O_SOCKET_FLAG_DONT_READ);
    s->stop_sock->data = s;
    h2o_socket_read_start(s->stop_sock, on_stop_readable);
    return s;

out_free_name:
    free(s->name);
out_free_server:
    free(s);
    return NULL;
}

struct cm_metrics_guard *cm__httpd_metrics_guard(cm_server_t *s)
{
    return &s->metrics_guard;
}

h2o_evloop_t *cm_server_loop(cm_server_t *s)
{
    return s->loop;
}

h2o_context_t *cm_server_context(cm_server_t *s)
{
    return &s->ctx;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    cm_server_t *s = listener->data;
    if (err != NULL)
        return;
    for (int i = 0; i < 16; i++) {
        h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
        if (sock == NULL)
            break;
        h2o_accept(&s->accept_ctx, sock);
    }
}

int cm_server_listen(cm_server_t *s, const char *host, int port, int *bound_port)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    char portstr[16];
    int fd = -1, one = 1;

    if (s->nlisteners == MAX_LISTENERS || port < 0 || port > 65535)
        return CM_EINVAL;
    snprintf(portstr, sizeof(portstr), "%d", port);
    if (getaddrinfo(host ? host : "127.0.0.1", portstr, &hints, &ai) != 0 || ai == NULL) {
        cm_error(s->name, "listen: invalid address %s", host ? host : "(null)");
        return CM_EINVAL;
    }
    if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
        goto out_free_ai;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (s->reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
        cm_error(s->name, "SO_REUSEPORT: %s", strerror(errno));
        goto out_close_fd;
    }
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
        cm_error(s->name, "listen on %s:%d failed: %s", host, port, strerror(errno));
        goto out_close_fd;
    }
    if (bound_port != NULL) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        getsockname(fd, (struct sockaddr *)&ss, &sl);
        *bound_port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                               : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    }
    freeaddrinfo(ai);
    h2o_socket_t *sock = h2o_evloop_socket_create(s->loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    sock->data = s;
    h2o_socket_read_start(sock, on_accept);
    s->listeners[s->nlisteners++] = sock;
    return CM_OK;

out_close_fd:
    close(fd);
out_free_ai:
    freeaddrinfo(ai);
    return CM_EIO;
}

/* 1 while the context still has connections or pending timeouts (h2o_context_dispose asserts on those). */
static int ctx_busy(cm_server_t *s)
{
    h2o_context_t *c = &s->ctx;
    h2o_timeout_t *lists[] = {&c->zero_timeout,      &c->one_sec_timeout,   &c->hundred_ms_timeout,
                              &c->handshake_timeout, &c->http1.req_timeout, &c->http2.idle_timeout};
    if (!h2o_linklist_is_empty(&c->http1._conns) || !h2o_linklist_is_empty(&c->http2._conns))
        return 1;
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
        if (!h2o_linklist_is_empty(&lists[i]->_entries))
            return 1;
    return 0;
}

/* 1 when fd is a connection accepted on one of s's listeners (same local address; not a listening socket). */
static int accepted_here(cm_server_t *s, int fd)
{
    int listening = 0;
    socklen_t optlen = sizeof(listening);
    struct sockaddr_storage a;
    socklen_t alen = sizeof(a);
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &optlen) != 0 || listening ||
        getsockname(fd, (struct sockaddr *)&a, &alen) != 0)
        return 0;
    for (size_t i = 0; i < s->nlisteners; i++) {
        struct sockaddr_storage l;
        socklen_t llen = sizeof(l);
        if (getsockname(h2o_socket_get_fd(s->listeners[i]), (struct sockaddr *)&l, &llen) == 0 && llen == alen &&
            memcmp(&l, &a, alen) == 0)
            return 1;
    }
    return 0;
}

/* libh2o 2.2.5 has no way to close its HTTP/1 connections (h2o_context_request_shutdown only affects requests to
 * come): shut down, at the socket level, every connection accepted on our listeners. h2o then sees the end of the
 * stream and closes and frees them itself. */
static void shutdown_connections(cm_server_t *s)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        char *end = NULL;
        long fd = strtol(e->d_name, &end, 10);
        if (end == e->d_name || *end != '\0' || fd < 0 || fd == dirfd(d))
            continue;
        if (accepted_here(s, (int)fd))
            shutdown((int)fd, SHUT_RDWR);
    }
    closedir(d);
}

/* Graceful stop: no new connections; requests in flight get drain_ms to finish (their asynchronous work keeps
 * running on the loop meanwhile); then every connection left (idle keep-alive ones, or a request that did not finish)
 * is shut down, and the loop runs until h2o has closed them. */
static void drain(cm_server_t *s)
{
    for (size_t i = 0; i < s->nlisteners; i++) {
        h2o_socket_read_stop(s->listeners[i]);
        /* SO_REUSEPORT: leave the port's group now (the socket stays bound, so accepted_here still knows its
         * address) and the kernel sends new connections to the other processes instead of this queue */
        if (s->reuse_port)
            shutdown(h2o_socket_get_fd(s->listeners[i]), SHUT_RD);
    }
    h2o_context_request_shutdown(&s->ctx);
    /* that links HTTP/2's GOAWAY re-sender into one_sec_timeout; we speak HTTP/1.1 only: unlink it again */
    if (h2o_timeout_is_linked(&s->ctx.http2._graceful_shutdown_timeout))
        h2o_timeout_unlink(&s->ctx.http2._graceful_shutdown_timeout);
    int64_t deadline = cm_now_ms() + s->drain_ms;
    while (s->inflight > 0 && cm_now_ms() < deadline)
        h2o_evloop_run(s->loop, 10);
    if (s->inflight > 0)
        cm_warn(s->name, "stopping with %zu request(s) still in flight after %d ms", s->inflight, s->drain_ms);
    shutdown_connections(s);
    deadline = cm_now_ms() + 1000;
    while (ctx_busy(s) && cm_now_ms() < deadline)
        h2o_evloop_run(s->loop, 10);
}

int cm_server_run(cm_server_t *s)
{
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    signal(SIGPIPE, SIG_IGN);
    signal_target = s;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    s->ctx.shutdown_requested = 0; /* a second run (tests) serves keep-alive again */
    for (size_t i = 0; i < s->nlisteners; i++)
        h2o_socket_read_start(s->listeners[i], on_accept);
    while (!s->stopping) {
        if (h2o_evloop_run(s->loop, INT32_MAX) != 0) {
            if (errno == EINTR)
                continue; /* a signal (SIGTERM sets stopping through the pipe) */
            cm_error(s->name, "event loop failed");
            return CM_ERR;
        }
    }
    drain(s);
    s->stopping = 0; /* allow running again (tests) */
    return CM_OK;
}

void cm_server_stop(cm_server_t *s)
{
    int saved = errno;
    if (s->stop_pipe[1] >= 0) {
        ssize_t w = write(s->stop_pipe[1], "x", 1);
        (void)w;
    }
    errno = saved;
}

double cm_server_uptime(const cm_server_t *s)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - s->started.tv_sec) + (double)(now.tv_nsec - s->started.tv_nsec) / 1e9;
}

void cm_server_free(cm_server_t *s)
{
    if (s == NULL)
        return;
    if (signal_target == s)
        signal_target = NULL;
    if (ctx_busy(s)) {
        /* connections outlived the drain (a request that never finished): h2o_context_dispose would abort (libh2o
         * 2.2.5 asserts every timeout list is empty), and running the loop again could call into what the caller
         * has freed already. The process is going away: keep it all reachable, untouched. */
        cm_warn(s->name, "connections still open at shutdown: the event loop is left to the process exit");
        abandoned = s;
        return;
    }
    for (size_t i = 0; i < s->nlisteners; i++)
        h2o_socket_close(s->listeners[i]);
    if (s->stop_sock != NULL)
        h2o_socket_close(s->stop_sock); /* closes stop_pipe[0] */
    if (s->stop_pipe[1] >= 0)
        close(s->stop_pipe[1]);
    /* let the closes complete, then tear down what h2o allows (evloop shutdown is best effort in 2.2.5) */
    h2o_evloop_run(s->loop, 0);
    h2o_context_dispose(&s->ctx); /* 2.2.5 leaks the context's message queue: tests/support/lsan.supp */
    h2o_evloop_destroy(s->loop);
    h2o_config_dispose(&s->config);
    for (size_t i = 0; i < s->nroutes; i++) {
        for (size_t j = 0; j < s->routes[i].nsegs; j++)
            free(s->routes[i].segs[j]);
        free(s->routes[i].method);
        free(s->routes[i].pattern);
    }
    free(s->routes);
    cm__metrics_guard_clear(&s->metrics_guard);
    free(s->name);
    free(s);
}
