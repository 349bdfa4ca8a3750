/*
 * http_client_fixture.h - the harness of the cm_http_* tests (test_http_client.c, test_http_client_lifecycle.c): a real
 * HTTP server (common/httpd) on 127.0.0.1, ephemeral port, running in the loop the client runs in, with the routes
 * /echo (method, body and some request headers back as JSON; ?status=, ?ra= Retry-After, ?hdrs=N extra headers),
 * /redirect (302 to /echo), /big (?n= bytes, ?chunked) and /hang (answered at teardown); a callback that records the
 * response and counts callbacks run inside cm_http_start; loop runners bounded in time.
 */
#ifndef TESTS_COMMON_HTTP_CLIENT_FIXTURE_H
#define TESTS_COMMON_HTTP_CLIENT_FIXTURE_H

#include "common/http_client.h"
#include "common/httpd.h"

#include <stddef.h>
#include <stdint.h>

extern h2o_evloop_t *loop; /* the server's loop, the one every client of the tests runs in */
extern char base[64];      /* http://127.0.0.1:<port> */
extern int in_call;        /* set while cm_http_start runs (see start()) */
extern int sync_callbacks; /* callbacks that ran inside cm_http_start: must stay 0 */

/* CUnit suite setup and teardown: the server up, then every hanging request answered and the server freed. */
int setup(void);
int teardown(void);

struct result {
    int done;
    int status, timed_out;
    char error[256];
    char body[4096];
    size_t body_len;
    char content_type[128];
    long retry_after;
    char mixed[64];
    size_t n_headers;
    int64_t at;
};

/* the callback that fills a struct result (arg) */
void on_done(void *arg, const cm_http_response_t *res);
/* cm_http_start with on_done into r, noting a callback that runs inside it */
int start(cm_http_client_t *c, const cm_http_request_t *req, struct result *r, cm_http_call_t **call);
/* runs the loop until *flag reaches target or max_ms passed; whether it got there */
int run_until(const int *flag, int target, int64_t max_ms);
/* runs the loop for ms */
void run_for(int64_t ms);
/* GETs path; returns the response in r after the callback ran. */
void get(cm_http_client_t *c, const char *path, struct result *r);
/* the string field name of the JSON object body into out ("(absent)" when it has none); returns out */
const char *json_field(const char *body, const char *name, char *out, size_t outsz);

#endif
