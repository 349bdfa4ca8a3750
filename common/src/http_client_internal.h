/*
 * http_client_internal.h - the state shared by http_client.c (the multi handle on the loop, sockets, delivery) and
 * http_client_easy.c (one request's easy handle: its options and the response callbacks). Private to common/src.
 */
#ifndef CM_HTTP_CLIENT_INTERNAL_H
#define CM_HTTP_CLIENT_INTERNAL_H

#include "common/http_client.h"
#include "common/request_id.h"
#include "common/timer.h"

#include "http_client_guard.h"

#include <curl/curl.h>
#include <stddef.h>

#define DEFAULT_TIMEOUT_MS 10000
#define DEFAULT_MAX_RESPONSE (1024 * 1024)
#define DEFAULT_USER_AGENT "oauth-broker/0.1"
#define MAX_HEADER_BYTES (64 * 1024)
#define MAX_HEADERS 100
#define IDLE_EASY_MAX 64

struct csock {
    cm_http_client_t *c;
    h2o_socket_t *sock; /* wraps a dup() of fd; ours to close */
    curl_socket_t fd;   /* curl's */
    int what;
    int in_cb, detached;
    struct csock *prev, *next;
};

struct cm_http_call {
    cm_http_client_t *c;
    CURL *easy;
    struct curl_slist *req_headers;
    char *req_body;
    char *buf; /* response body, NUL-terminated */
    size_t len, cap, max;
    int too_big; /* 1 body, 2 headers */
    size_t header_bytes;
    cm_http_header_t *headers; /* owned strings */
    size_t n_headers;
    long retry_after;
    int detached; /* not in c->calls / the multi handle: not started yet, or being delivered */
    char errbuf[CURL_ERROR_SIZE];
    cm_http_guard_t guard; /* per-request CA file and address check */
    cm_http_done_cb done;
    void *arg;
    void (*drop)(void *arg);
    cm_reqid_t reqid; /* current when the call started: current again in its callback */
    struct cm_http_call *prev, *next;
};

struct cm_http_client {
    h2o_evloop_t *loop;
    CURLM *multi;
    cm_timer_t *timer;
    int timeout_ms;
    size_t max_response;
    char *user_agent;
    size_t inflight;
    struct cm_http_call *calls;
    struct csock *socks;
    struct csock **by_fd; /* curl's fd -> its watcher, kept while the connection idles in curl's pool */
    size_t by_fd_len;
    CURL *idle_easy[IDLE_EASY_MAX]; /* reset handles for the next calls */
    size_t n_idle_easy;
    int busy, dead;
};

/* Builds the easy handle of call from req (http_client_easy.c). Returns CM_OK, CM_EINVAL or CM_ENOMEM. */
int cm__http_setup_easy(cm_http_client_t *c, cm_http_call_t *call, const cm_http_request_t *req);
/* Frees the response headers collected so far and forgets Retry-After (http_client_easy.c). */
void cm__http_clear_headers(cm_http_call_t *call);
/* CURLOPT_CLOSESOCKETFUNCTION (http_client.c): curl closes fd; its watcher (the dup) goes with it. */
int cm__http_on_curl_close(void *clientp, curl_socket_t fd);

#endif
