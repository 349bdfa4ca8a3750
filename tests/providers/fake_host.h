/*
 * fake_host.h - a scripted op_host_api_t for provider plugin tests.
 *
 * http_send records the request (method, URL, headers, body) and queues it. fh_flush() answers the
 * queued requests in order, each with the next canned response of the script (or a transport
 * error "no scripted response" when the script is exhausted): never from inside http_send, as the
 * ABI demands, and scripts may be written after the request was sent (e.g. discovery in init). Memory handed out by the
 * fake host is counted so tests can assert that every token set was released.
 *
 * Plugins are the real built .so files: fh_load() dlopen()s $OB_PLUGIN_DIR/<name>.so (the example
 * plugin from $OB_EXAMPLE_PLUGIN_DIR) and calls init() with the fake host.
 */
#ifndef TESTS_PROVIDERS_FAKE_HOST_H
#define TESTS_PROVIDERS_FAKE_HOST_H

#include "provider_abi.h"

#include <stddef.h>
#include <stdint.h>

#define FH_NOW 1700000000 /* the fake clock's default time */

typedef struct fh_request {
    char *method, *url, *body;
    size_t body_len;
    size_t n_headers;
    char *header_names[16], *header_values[16];
    int timeout_ms;
} fh_request_t;

/* Forgets everything (requests, script, pending deliveries, logs, providers); the clock returns to FH_NOW. */
void fh_reset(void);
const op_host_api_t *fh_host(void);
void fh_set_now(int64_t now);

/* ---- script ---- */
void fh_script(int status, const char *content_type, const char *body);
/* Like fh_script with a Retry-After value. */
void fh_script_retry(int status, const char *content_type, const char *body, long retry_after_s);
/* A transport failure (status 0): a timeout or an error text. */
void fh_script_transport(int timed_out, const char *error);
/* Makes the next http_send fail synchronously with rc (nothing recorded, nothing delivered). */
void fh_script_send_error(int rc);

/* Delivers every pending response, including those of requests sent meanwhile. Returns how many. */
size_t fh_flush(void);
/* Delivers every pending response as a cancelled transport error (what the broker does before fini). */
size_t fh_cancel_all(void);
size_t fh_pending(void);

/* ---- recorded requests ---- */
size_t fh_request_count(void);
const fh_request_t *fh_request(size_t i);
const fh_request_t *fh_last_request(void);
/* A header value (case-insensitive name), borrowed, or NULL. */
const char *fh_header(const fh_request_t *r, const char *name);
/* A decoded form field of the body (malloc'ed), or NULL when absent. */
char *fh_form(const fh_request_t *r, const char *name);
/* Number of fields in the form body. */
size_t fh_form_count(const fh_request_t *r);

/* ---- logs and registrations ---- */
size_t fh_log_count(void);
const char *fh_log_line(size_t i);
/* 1 when a log line contains needle. */
int fh_logged(const char *needle);
size_t fh_provider_count(void);
const op_provider_t *fh_provider_at(size_t i);
const op_provider_t *fh_provider(const char *name);
/* Makes register_provider refuse names equal to name (NULL: accept all). */
void fh_refuse_provider(const char *name);
/* Allocations made through the fake host and not yet freed. */
long fh_live_allocations(void);

/* ---- plugins ---- */
typedef struct fh_plugin {
    void *dl;
    const op_plugin_t *plugin;
    void *state;
    int rc; /* init's status */
} fh_plugin_t;
/* dlopen()s the plugin and calls init(config_json). Returns init's status (or OP_ERR when loading failed). */
int fh_load(fh_plugin_t *pl, const char *name, const char *config_json);
/* Cancels pending deliveries, calls fini (when init succeeded) and dlclose()s. */
void fh_unload(fh_plugin_t *pl);

/* ---- callbacks ---- */
typedef struct fh_token_result {
    int called;
    int status;
    op_token_set_t tokens; /* taken from the callback; release with fh_token_result_clear */
    op_error_t err;
    int has_err;
} fh_token_result_t;
void fh_token_cb(void *arg, int status, op_token_set_t *tokens, const op_error_t *err);
void fh_token_result_clear(fh_token_result_t *r);

typedef struct fh_done_result {
    int called;
    int status;
    op_error_t err;
    int has_err;
} fh_done_result_t;
void fh_done_cb(void *arg, int status, const op_error_t *err);

/* ---- URLs ---- */
/* The decoded value of query parameter name (malloc'ed), or NULL. */
char *fh_query(const char *url, const char *name);
/* How many times name occurs in the query. */
int fh_query_count(const char *url, const char *name);
/* Number of query parameters. */
int fh_query_total(const char *url);
/* Scheme + host + path of url (malloc'ed), e.g. "https://accounts.google.com/o/oauth2/v2/auth". */
char *fh_url_base(const char *url);

/* Parses a response with p->parse_token_response at FH_NOW. */
int fh_parse(const op_provider_t *p, int status, const char *content_type, const char *body, op_token_set_t *out,
             op_error_t *err);

/* Assertions for test files (they include cu.h first): exactly one parameter with that value. */
#define FH_ASSERT_QUERY(url, name, expected)                                                                           \
    do {                                                                                                               \
        char *v_ = fh_query((url), (name));                                                                            \
        CU_ASSERT_PTR_NOT_NULL(v_);                                                                                    \
        if (v_ != NULL)                                                                                                \
            CU_ASSERT_STRING_EQUAL(v_, (expected));                                                                    \
        CU_ASSERT_EQUAL(fh_query_count((url), (name)), 1);                                                             \
        free(v_);                                                                                                      \
    } while (0)
#define FH_ASSERT_FORM(req, name, expected)                                                                            \
    do {                                                                                                               \
        char *v_ = fh_form((req), (name));                                                                             \
        CU_ASSERT_PTR_NOT_NULL(v_);                                                                                    \
        if (v_ != NULL)                                                                                                \
            CU_ASSERT_STRING_EQUAL(v_, (expected));                                                                    \
        free(v_);                                                                                                      \
    } while (0)
#define FH_ASSERT_NO_FORM(req, name)                                                                                   \
    do {                                                                                                               \
        char *v_ = fh_form((req), (name));                                                                             \
        CU_ASSERT_PTR_NULL(v_);                                                                                        \
        free(v_);                                                                                                      \
    } while (0)

#endif
