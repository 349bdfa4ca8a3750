/*
 * httpd_early.c - JSON bodies for the errors libh2o 2.2.5 answers itself (see httpd_internal.h).
 *
 * libh2o refuses a request whose declared Content-Length exceeds max_request_entity_size, or whose chunked body
 * grows past it, before any handler sees it, with h2o_send_error_generic's text/plain body; a broken
 * Content-Length or an unknown Transfer-Encoding likewise gets a plain-text 400, an Expect other than
 * 100-continue a 417, a path outside every registered one (not starting with "/") a 404. Such a request is bound to the
 * host's fallback path (it never reached routing), so a filter registered there sees these responses and nothing
 * else: it swaps the body for the server's JSON error and fixes the headers before they are written.
 */
#include "httpd_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct early_filter {
    h2o_filter_t super;
    size_t max_body;
};

struct json_body_ostream {
    h2o_ostream_t super;
    h2o_iovec_t body;
};

static void send_json_body(h2o_ostream_t *self, h2o_req_t *req, h2o_iovec_t *bufs, size_t bufcnt,
                           h2o_send_state_t state)
{
    struct json_body_ostream *o = (void *)self;
    /* libh2o sends its error text in one buffer, final; none for HEAD */
    if (bufcnt != 0) {
        bufs = &o->body;
        bufcnt = 1;
    }
    h2o_ostream_send_next(&o->super, req, bufs, bufcnt, state);
}

/* What libh2o refuses by itself, as the server's error codes. */
static const char *early_code(int status, size_t max_body, char *msg, size_t msgsz)
{
    switch (status) {
    case 400:
        snprintf(msg, msgsz, "the request's Content-Length or Transfer-Encoding is invalid");
        return "invalid_request";
    case 404:
        snprintf(msg, msgsz, "no such endpoint");
        return "not_found";
    case 413:
        snprintf(msg, msgsz, "the request body is larger than the limit of %zu bytes", max_body);
        return "body_too_large";
    case 417:
        snprintf(msg, msgsz, "the only expectation understood is 100-continue");
        return "expectation_failed";
    }
    return NULL;
}

static void on_setup_ostream(h2o_filter_t *self, h2o_req_t *req, h2o_ostream_t **slot)
{
    struct early_filter *f = (void *)self;
    char msg[128];
    const char *code = early_code(req->res.status, f->max_body, msg, sizeof(msg));
    char *text = code != NULL ? cm__error_text(code, NULL, msg) : NULL;
    if (text != NULL) {
        struct json_body_ostream *o = (void *)h2o_add_ostream(req, sizeof(*o), slot);
        o->body = h2o_strdup(&req->pool, text, strlen(text));
        o->super.do_send = send_json_body;
        slot = &o->super.next;
        free(text);
        req->res.content_length = o->body.len;
        h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, H2O_STRLIT("application/json"), 1);
        h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, H2O_STRLIT("no-store"), 1);
        h2o_set_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-content-type-options"), 0,
                              H2O_STRLIT("nosniff"), 1);
    }
    h2o_setup_next_ostream(req, slot);
}

void cm__httpd_json_early_errors(h2o_hostconf_t *host, size_t max_body)
{
    struct early_filter *f = (void *)h2o_create_filter(&host->fallback_path, sizeof(*f));
    f->super.on_setup_ostream = on_setup_ostream;
    f->max_body = max_body;
}
