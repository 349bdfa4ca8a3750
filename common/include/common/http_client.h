/*
 * http_client.h - asynchronous outbound HTTP on the h2o event loop (libcurl multi-socket).
 *
 * One cm_http_client_t per loop thread; it must only be used from that thread. Sockets and the
 * timer are registered with the h2o evloop, so no request path ever waits on the network.
 * Every request has a timeout (default 10 s) and a response size cap (default 1 MiB); a response
 * above the cap fails with error "response too large" (headers: 64 KiB / 100 lines, "response headers
 * too large"). Only http/https URLs; redirects are never followed (3xx is delivered as is). Nothing is
 * ever retried: POST and PATCH always use a fresh connection (curl would otherwise resend a request
 * by itself when a reused keep-alive connection turns out dead), unless replay_ok is set.
 */
#ifndef COMMON_HTTP_CLIENT_H
#define COMMON_HTTP_CLIENT_H

#ifndef H2O_USE_LIBUV
#define H2O_USE_LIBUV 0
#endif
#include <h2o.h>
#include <stddef.h>

typedef struct cm_http_client cm_http_client_t;
typedef struct cm_http_call cm_http_call_t;

struct sockaddr;

/* An address check (cm_http_request_t.addr_ok): 1 = connect to sa, 0 = refuse. Runs on the loop thread, inside
 * curl, for each address curl is about to connect to (after its own resolution), before the socket exists. */
typedef int (*cm_http_addr_ok_fn)(void *arg, const struct sockaddr *sa, size_t salen);

typedef struct cm_http_header {
    const char *name;
    const char *value;
} cm_http_header_t;

typedef struct cm_http_request {
    const char *method; /* "GET", "POST", "PUT", "PATCH", "DELETE"; NULL = GET (POST when body != NULL) */
    const char *url;
    const cm_http_header_t *headers;
    size_t n_headers;
    const char *body; /* copied by cm_http_start; may be NULL */
    size_t body_len;
    int timeout_ms;      /* 0 = client default */
    size_t max_response; /* 0 = client default */
    int replay_ok;       /* POST/PATCH only: 1 = safe to resend, may reuse a pooled connection */
    const char *ca_file; /* PEM CA bundle trusted for this request (CURLOPT_CAINFO, the system's CA directory stays
                            trusted); NULL = the default bundle */
    /* Connect only to addresses addr_ok accepts (NULL = any): the address checked is the address connected to, so
     * a name that resolves differently later (DNS rebinding) changes nothing. Such a request uses a fresh
     * connection, no proxy, and fails with error "address refused" when no address was accepted. */
    cm_http_addr_ok_fn addr_ok;
    void *addr_arg;
    /* Called with the callback's arg, instead of the callback, when the client is freed with this call unfinished
     * (the callback never runs then): frees what arg owns, touching nothing else. NULL = nothing to free. */
    void (*drop)(void *arg);
} cm_http_request_t;

/* Borrowed by the callback: valid only until it returns. */
typedef struct cm_http_response {
    int status; /* 0 when the transport failed (see error); error != NULL implies status 0 */
    int timed_out;
    const char *error;        /* NULL on success */
    const char *content_type; /* may be NULL */
    const char *body;         /* always NUL-terminated (body_len excludes the NUL) */
    size_t body_len;
    long retry_after_s; /* -1 when absent */
    /* All response headers, lower-cased names, in order. */
    const cm_http_header_t *headers;
    size_t n_headers;
    double total_time_s;
} cm_http_response_t;

typedef void (*cm_http_done_cb)(void *arg, const cm_http_response_t *res);

/* Creates a client bound to loop. Returns NULL on allocation failure. Caller owns it. */
cm_http_client_t *cm_http_client_new(h2o_evloop_t *loop);
/* Cancels every pending call (their callbacks are not called) and frees the client. Safe inside a callback. */
void cm_http_client_free(cm_http_client_t *c);
/* Defaults for later calls; 0 / NULL keeps the current value. user_agent is copied (default "oauth-broker/0.1"). */
void cm_http_client_set_defaults(cm_http_client_t *c, int timeout_ms, size_t max_response, const char *user_agent);

/*
 * Starts a request. Returns CM_AGAIN: done is called exactly once, later, on the loop thread
 * (never from inside this call). On error (CM_EINVAL, CM_ENOMEM) nothing was started. *out_call,
 * when not NULL, receives a handle valid until done runs or cm_http_cancel is called.
 */
int cm_http_start(cm_http_client_t *c, const cm_http_request_t *req, cm_http_done_cb done, void *arg,
                  cm_http_call_t **out_call);
/* Aborts a pending call; its callback is never called. Safe at any time, also from inside another call's
 * callback; a no-op on the call whose callback is running. */
void cm_http_cancel(cm_http_call_t *call);
/* Number of calls in flight (stats). */
size_t cm_http_client_inflight(const cm_http_client_t *c);

#endif
