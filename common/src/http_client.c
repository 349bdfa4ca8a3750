/*
 * http_client.c - asynchronous outbound HTTP: libcurl's multi-socket API driven by the h2o evloop.
 *
 * Sockets: for every fd curl asks us to watch we wrap a dup() (H2O_SOCKET_FLAG_DONT_READ), so curl
 * closing a socket never pulls an fd from under the loop. The dup lives as long as curl's fd: curl
 * sends CURL_POLL_REMOVE whenever a connection goes idle into its pool, and redoing dup + epoll
 * registration + close for every reused connection was a large part of a provider call's cost, so
 * REMOVE only stops watching; the dup is closed in CURLOPT_CLOSESOCKETFUNCTION, where curl closes its
 * fd (every close of an http/https socket goes through it). by_fd finds the kept dup again when a
 * pooled connection is reused. Writability uses h2o's one-shot notify_write,
 * re-armed after every action while curl still wants POLL_OUT. Time: one cm_timer follows curl's
 * CURLMOPT_TIMERFUNCTION. curl_multi_info_read runs after every action.
 *
 * Callbacks: user callbacks run only from check_done(), called after curl_multi_socket_action
 * returned (never inside a curl callback), from loop events. cm_http_start only adds the handle;
 * curl asks for a 0 ms timeout, so the transfer starts on the next loop iteration. Every entry point
 * holds c->busy; a client freed from inside a callback is destroyed when the outermost one unwinds.
 *
 * The easy handle of one request (its options, the response callbacks): http_client_easy.c.
 *
 * Safety: http/https only, no redirects, CURLOPT_NOSIGNAL, a timeout and a response size cap on
 * every call, response headers capped too. Easy handles are kept for reuse (curl_easy_reset: no
 * option or callback of one request survives into the next; the connection pool is the multi's).
 * curl resends a request by itself when a reused
 * keep-alive connection turns out dead before any response byte; that would replay a token call, so
 * POST/PATCH use a fresh connection unless the caller sets replay_ok.
 */
#include "common/http_client.h"
#include "common/log.h"
#include "common/status.h"
#include "common/request_id.h"
#include "common/timer.h"

#include "http_client_guard.h"
#include "http_client_internal.h"

#include <ctype.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---------------------------------------------------------------- calls */

/* Takes the call out of the client and of curl; afterwards cm_http_cancel on it is a no-op. */
static void call_detach(cm_http_call_t *call)
{
    cm_http_client_t *c = call->c;
    if (call->prev != NULL)
        call->prev->next = call->next;
    else
        c->calls = call->next;
    if (call->next != NULL)
        call->next->prev = call->prev;
    c->inflight--;
    curl_multi_remove_handle(c->multi, call->easy);
    call->detached = 1;
}

/* Frees the call and everything it owns (detaching it first when still attached); its easy handle is reset and
 * kept for the next call while the client lives. */
static void call_free(cm_http_call_t *call)
{
    cm_http_client_t *c = call->c;
    if (!call->detached)
        call_detach(call);
    if (call->easy != NULL && !c->dead && c->n_idle_easy < IDLE_EASY_MAX) {
        curl_easy_reset(call->easy);
        c->idle_easy[c->n_idle_easy++] = call->easy;
    } else {
        curl_easy_cleanup(call->easy);
    }
    curl_slist_free_all(call->req_headers);
    cm__http_clear_headers(call);
    free(call->headers);
    free(call->req_body);
    free(call->buf);
    free(call);
}

/* Delivers a finished transfer (curl is not on the stack) and frees the call. */
static void finish(cm_http_call_t *call, CURLcode code)
{
    cm_http_response_t res = {.retry_after_s = -1, .body = ""};
    long status = 0;

    curl_easy_getinfo(call->easy, CURLINFO_TOTAL_TIME, &res.total_time_s);
    if (code == CURLE_OK) {
        curl_easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &status);
        res.status = (int)status;
        res.body = call->buf ? call->buf : "";
        res.body_len = call->len;
        res.headers = call->headers;
        res.n_headers = call->n_headers;
        res.retry_after_s = call->retry_after;
        for (size_t i = 0; i < call->n_headers; i++)
            if (strcmp(call->headers[i].name, "content-type") == 0)
                res.content_type = call->headers[i].value;
    } else if (call->guard.refused) {
        res.error = "address refused";
    } else if (call->too_big || code == CURLE_FILESIZE_EXCEEDED) {
        res.error = call->too_big == 2 ? "response headers too large" : "response too large";
    } else {
        res.timed_out = code == CURLE_OPERATION_TIMEDOUT;
        res.error = call->errbuf[0] ? call->errbuf : curl_easy_strerror(code);
    }

    call_detach(call); /* first: cancel from inside the callback is a no-op, the client may be freed */
    cm_reqid_t saved;
    cm_reqid_switch(&call->reqid, &saved);
    call->done(call->arg, &res);
    cm_reqid_restore(&saved);
    call_free(call);
}

static void check_done(cm_http_client_t *c)
{
    CURLMsg *msg;
    int left;
    while (!c->dead && (msg = curl_multi_info_read(c->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        cm_http_call_t *call = NULL;
        CURLcode code = msg->data.result;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&call);
        finish(call, code);
    }
}

/* ---------------------------------------------------------------- loop glue */

static void client_destroy(cm_http_client_t *c);

static void enter(cm_http_client_t *c)
{
    c->busy++;
}

static void leave(cm_http_client_t *c)
{
    if (--c->busy == 0 && c->dead)
        client_destroy(c);
}

static void on_readable(h2o_socket_t *sock, const char *err);
static void on_writable(h2o_socket_t *sock, const char *err);

static void csock_detach(cm_http_client_t *c, struct csock *cs)
{
    if ((size_t)cs->fd < c->by_fd_len && c->by_fd[cs->fd] == cs)
        c->by_fd[cs->fd] = NULL;
    if (cs->prev != NULL)
        cs->prev->next = cs->next;
    else
        c->socks = cs->next;
    if (cs->next != NULL)
        cs->next->prev = cs->prev;
    h2o_socket_close(cs->sock); /* closes the dup only */
    cs->sock = NULL;
    cs->detached = 1;
    if (!cs->in_cb)
        free(cs);
}

static void sock_action(struct csock *cs, int ev)
{
    cm_http_client_t *c = cs->c;
    int running;
    enter(c);
    cs->in_cb++;
    curl_multi_socket_action(c->multi, cs->fd, ev, &running); /* may REMOVE this very socket */
    cs->in_cb--;
    if (cs->detached) {
        if (!cs->in_cb)
            free(cs);
    } else if ((cs->what & CURL_POLL_OUT) && !h2o_socket_is_writing(cs->sock)) {
        h2o_socket_notify_write(cs->sock, on_writable); /* one-shot: re-arm while curl wants it */
    }
    check_done(c);
    leave(c);
}

static void on_readable(h2o_socket_t *sock, const char *err)
{
    struct csock *cs = sock->data;
    if (cs->what == 0) { /* an idle pooled connection: closed by the peer, or garbage; not curl's business now */
        h2o_socket_read_stop(sock);
        return;
    }
    sock_action(sock->data, err ? CURL_CSELECT_ERR : CURL_CSELECT_IN);
}

static void on_writable(h2o_socket_t *sock, const char *err)
{
    sock_action(sock->data, err ? CURL_CSELECT_ERR : CURL_CSELECT_OUT);
}

static int grow_by_fd(cm_http_client_t *c, size_t fd)
{
    size_t len = c->by_fd_len ? c->by_fd_len : 64;
    while (len <= fd)
        len *= 2;
    struct csock **grown = realloc(c->by_fd, len * sizeof(*grown));
    if (grown == NULL)
        return CM_ENOMEM;
    memset(grown + c->by_fd_len, 0, (len - c->by_fd_len) * sizeof(*grown));
    c->by_fd = grown;
    c->by_fd_len = len;
    return CM_OK;
}

static int on_curl_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    cm_http_client_t *c = userp;
    struct csock *cs = socketp;
    if (what == CURL_POLL_REMOVE) { /* idle in curl's pool, or about to be closed (cm__http_on_curl_close) */
        if (cs != NULL) {
            curl_multi_assign(c->multi, s, NULL);
            /* idle: still polled for reading, so that taking it up again costs no epoll change; should the peer
               close it meanwhile, on_readable stops polling it (curl finds the connection dead when it looks) */
            cs->what = 0; /* a write notification still armed finds nothing to re-arm */
        }
        return 0;
    }
    if (cs == NULL && s >= 0 && (size_t)s < c->by_fd_len)
        cs = c->by_fd[s]; /* a pooled connection taken up again */
    if (cs == NULL) {
        if (s < 0 || ((size_t)s >= c->by_fd_len && grow_by_fd(c, (size_t)s) != CM_OK)) {
            cm_error("http", "cannot watch a socket");
            return -1;
        }
        int fd = fcntl(s, F_DUPFD_CLOEXEC, 0);
        if (fd < 0 || (cs = calloc(1, sizeof(*cs))) == NULL) {
            if (fd >= 0)
                close(fd);
            cm_error("http", "cannot watch a socket");
            return -1; /* curl fails the transfer */
        }
        cs->c = c;
        cs->fd = s;
        cs->sock = h2o_evloop_socket_create(c->loop, fd, H2O_SOCKET_FLAG_DONT_READ);
        cs->sock->data = cs;
        cs->next = c->socks;
        if (c->socks != NULL)
            c->socks->prev = cs;
        c->socks = cs;
        c->by_fd[s] = cs;
    }
    curl_multi_assign(c->multi, s, cs);
    cs->what = what;
    if (what & CURL_POLL_IN) {
        if (!h2o_socket_is_reading(cs->sock))
            h2o_socket_read_start(cs->sock, on_readable);
    } else if (h2o_socket_is_reading(cs->sock)) {
        h2o_socket_read_stop(cs->sock);
    }
    if ((what & CURL_POLL_OUT) && !h2o_socket_is_writing(cs->sock))
        h2o_socket_notify_write(cs->sock, on_writable);
    return 0;
}

/* CURLOPT_CLOSESOCKETFUNCTION: curl closes fd; its watcher (the dup) goes with it. */
int cm__http_on_curl_close(void *clientp, curl_socket_t fd)
{
    cm_http_client_t *c = clientp;
    if (fd >= 0 && (size_t)fd < c->by_fd_len && c->by_fd[fd] != NULL)
        csock_detach(c, c->by_fd[fd]);
    return close(fd);
}

static int on_curl_timer(CURLM *multi, long ms, void *userp)
{
    cm_http_client_t *c = userp;
    if (ms < 0)
        cm_timer_stop(c->timer);
    else
        cm_timer_start(c->timer, ms);
    return 0;
}

static void on_timer(void *arg)
{
    cm_http_client_t *c = arg;
    int running;
    enter(c);
    curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(c);
    leave(c);
}

/* ---------------------------------------------------------------- client */

static void client_destroy(cm_http_client_t *c)
{
    c->dead = 1; /* call_free keeps no handle from here on */
    while (c->calls != NULL)
        call_free(c->calls);
    while (c->n_idle_easy > 0)
        curl_easy_cleanup(c->idle_easy[--c->n_idle_easy]);
    if (c->multi != NULL)
        curl_multi_cleanup(c->multi); /* closes the pooled connections through cm__http_on_curl_close */
    while (c->socks != NULL)          /* whatever curl did not close */
        csock_detach(c, c->socks);
    free(c->by_fd);
    cm_timer_free(c->timer);
    free(c->user_agent);
    free(c);
}

cm_http_client_t *cm_http_client_new(h2o_evloop_t *loop)
{
    if (loop == NULL)
        return NULL;
    pthread_once(&curl_once, curl_init_once);
    cm_http_client_t *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->loop = loop;
    c->timeout_ms = DEFAULT_TIMEOUT_MS;
    c->max_response = DEFAULT_MAX_RESPONSE;
    if ((c->user_agent = strdup(DEFAULT_USER_AGENT)) == NULL || (c->timer = cm_timer_new(loop, on_timer, c)) == NULL ||
        (c->multi = curl_multi_init()) == NULL)
        goto out_destroy_client;
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
    return c;

out_destroy_client:
    client_destroy(c);
    return NULL;
}

void cm_http_client_free(cm_http_client_t *c)
{
    if (c == NULL || c->dead)
        return;
    c->dead = 1;
    while (c->calls != NULL) { /* their callbacks are never called: only their drop */
        cm_http_call_t *k = c->calls;
        if (k->drop != NULL)
            k->drop(k->arg);
        call_free(k);
    }
    if (c->busy == 0)
        client_destroy(c);
}

void cm_http_client_set_defaults(cm_http_client_t *c, int timeout_ms, size_t max_response, const char *user_agent)
{
    if (timeout_ms > 0)
        c->timeout_ms = timeout_ms;
    if (max_response > 0)
        c->max_response = max_response;
    char *ua = user_agent ? strdup(user_agent) : NULL;
    if (ua != NULL) {
        free(c->user_agent);
        c->user_agent = ua;
    }
}

size_t cm_http_client_inflight(const cm_http_client_t *c)
{
    return c ? c->inflight : 0;
}

int cm_http_start(cm_http_client_t *c, const cm_http_request_t *req, cm_http_done_cb done, void *arg,
                  cm_http_call_t **out_call)
{
    int rc = CM_ENOMEM;
    if (out_call != NULL)
        *out_call = NULL;
    if (c == NULL || c->dead || req == NULL || req->url == NULL || done == NULL ||
        (req->body == NULL && req->body_len) || (req->n_headers > 0 && req->headers == NULL))
        return CM_EINVAL;
    cm_http_call_t *call = calloc(1, sizeof(*call));
    if (call == NULL)
        return CM_ENOMEM;
    call->c = c;
    call->done = done;
    call->arg = arg;
    cm_reqid_capture(&call->reqid);
    call->drop = req->drop;
    call->retry_after = -1;
    call->max = req->max_response > 0 ? req->max_response : c->max_response;
    call->detached = 1; /* not attached yet: call_free must not detach */
    if (req->body != NULL && (call->req_body = malloc(req->body_len + 1)) == NULL)
        goto out_free_call;
    if (req->body != NULL)
        memcpy(call->req_body, req->body, req->body_len);
    call->easy = c->n_idle_easy > 0 ? c->idle_easy[--c->n_idle_easy] : curl_easy_init();
    if (call->easy == NULL)
        goto out_free_call;
    if ((rc = cm__http_setup_easy(c, call, req)) != CM_OK)
        goto out_free_call;
    if (curl_multi_add_handle(c->multi, call->easy) != CURLM_OK) { /* only queues: curl asks for a 0 ms timer */
        rc = CM_ENOMEM;
        goto out_free_call;
    }
    call->detached = 0;
    call->next = c->calls;
    if (c->calls != NULL)
        c->calls->prev = call;
    c->calls = call;
    c->inflight++;
    if (out_call != NULL)
        *out_call = call;
    return CM_AGAIN;

out_free_call:
    call_free(call);
    return rc;
}

void cm_http_cancel(cm_http_call_t *call)
{
    if (call != NULL && !call->detached)
        call_free(call);
}
