/*
 * fake_host.c - the scripted host of the provider tests (see fake_host.h).
 */
#include "fake_host.h"

#include "common/url.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_ITEMS 64

typedef struct scripted {
    int status, timed_out;
    char *content_type, *body, *error;
    long retry_after_s;
} scripted_t;

typedef struct pending {
    op_http_done_fn done;
    void *arg;
    scripted_t res;
} pending_t;

static struct {
    int64_t now;
    fh_request_t requests[MAX_ITEMS];
    size_t n_requests;
    scripted_t script[MAX_ITEMS];
    size_t n_script, script_pos;
    pending_t pending[MAX_ITEMS];
    size_t n_pending;
    char *logs[256];
    size_t n_logs;
    const op_provider_t *providers[MAX_ITEMS];
    size_t n_providers;
    char *refuse;
    int send_error;
    long live;
} fh = {.now = FH_NOW};

static char *dup_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

static void scripted_free(scripted_t *s)
{
    free(s->content_type);
    free(s->body);
    free(s->error);
    memset(s, 0, sizeof(*s));
}

static void request_free(fh_request_t *r)
{
    free(r->method);
    free(r->url);
    free(r->body);
    for (size_t i = 0; i < r->n_headers; i++) {
        free(r->header_names[i]);
        free(r->header_values[i]);
    }
    memset(r, 0, sizeof(*r));
}

void fh_reset(void)
{
    for (size_t i = 0; i < fh.n_requests; i++)
        request_free(&fh.requests[i]);
    for (size_t i = 0; i < fh.n_script; i++)
        scripted_free(&fh.script[i]);
    for (size_t i = 0; i < fh.n_pending; i++)
        scripted_free(&fh.pending[i].res);
    for (size_t i = 0; i < fh.n_logs; i++)
        free(fh.logs[i]);
    free(fh.refuse);
    long live = fh.live;
    memset(&fh, 0, sizeof(fh));
    fh.live = live;
    fh.now = FH_NOW;
}

void fh_set_now(int64_t now)
{
    fh.now = now;
}

/* ---- host services ---- */

static void host_log(void *ctx, int level, const char *provider, const char *fmt, ...)
{
    char line[1024];
    int n = snprintf(line, sizeof(line), "[%d] %s: ", level, provider ? provider : "-");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    if (fh.n_logs < sizeof(fh.logs) / sizeof(fh.logs[0]))
        fh.logs[fh.n_logs++] = strdup(line);
    if (getenv("FH_VERBOSE") != NULL)
        fprintf(stderr, "fake-host log %s\n", line);
}

static int host_http_send(void *ctx, const op_http_request_t *req, op_http_done_fn done, void *arg)
{
    if (fh.send_error != 0) {
        int rc = fh.send_error;
        fh.send_error = 0;
        return rc;
    }
    if (fh.n_requests == MAX_ITEMS || fh.n_pending == MAX_ITEMS)
        return OP_ENOMEM;
    fh_request_t *r = &fh.requests[fh.n_requests++];
    r->method = dup_or_null(req->method);
    r->url = dup_or_null(req->url);
    r->body_len = req->body_len;
    if (req->body != NULL) {
        r->body = malloc(req->body_len + 1);
        memcpy(r->body, req->body, req->body_len);
        r->body[req->body_len] = '\0';
    }
    for (size_t i = 0; i < req->n_headers && i < 16; i++) {
        r->header_names[i] = strdup(req->headers[i].name);
        r->header_values[i] = strdup(req->headers[i].value);
        r->n_headers++;
    }
    r->timeout_ms = req->timeout_ms;
    fh.pending[fh.n_pending++] = (pending_t){.done = done, .arg = arg};
    return OP_AGAIN;
}

static int host_register(void *ctx, const op_provider_t *p)
{
    if (p == NULL || p->name == NULL || fh.n_providers == MAX_ITEMS)
        return OP_EINVAL;
    if (fh.refuse != NULL && strcmp(fh.refuse, p->name) == 0)
        return OP_EINVAL;
    for (size_t i = 0; i < fh.n_providers; i++)
        if (strcmp(fh.providers[i]->name, p->name) == 0)
            return OP_EINVAL;
    fh.providers[fh.n_providers++] = p;
    return OP_OK;
}

#define HDR 16

static void *host_alloc(size_t size)
{
    unsigned char *b = calloc(1, HDR + size);
    if (b == NULL)
        return NULL;
    memcpy(b, &size, sizeof(size));
    fh.live++;
    return b + HDR;
}

static char *host_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = host_alloc(len + 1);
    if (d != NULL)
        memcpy(d, s, len);
    return d;
}

static void host_free(void *p)
{
    if (p == NULL)
        return;
    unsigned char *b = (unsigned char *)p - HDR;
    size_t size;
    memcpy(&size, b, sizeof(size));
    memset(b, 0, HDR + size);
    free(b);
    fh.live--;
}

static void host_token_set_clear(op_token_set_t *ts)
{
    uint32_t size = ts->struct_size;
    host_free(ts->access_token);
    host_free(ts->refresh_token);
    host_free(ts->token_type);
    host_free(ts->scope);
    host_free(ts->id_token);
    host_free(ts->extras_json);
    memset(ts, 0, sizeof(*ts));
    ts->struct_size = size;
}

static int64_t host_now(void)
{
    return fh.now;
}

static const op_host_api_t fake_host = {
    .abi_major = OP_ABI_MAJOR,
    .abi_minor = OP_ABI_MINOR,
    .struct_size = sizeof(op_host_api_t),
    .host_ctx = &fh,
    .log = host_log,
    .http_send = host_http_send,
    .register_provider = host_register,
    .mem_alloc = host_alloc,
    .mem_strndup = host_strndup,
    .mem_free = host_free,
    .token_set_clear = host_token_set_clear,
    .now = host_now,
};

const op_host_api_t *fh_host(void)
{
    return &fake_host;
}

/* ---- script ---- */

void fh_script_retry(int status, const char *content_type, const char *body, long retry_after_s)
{
    if (fh.n_script == MAX_ITEMS)
        return;
    fh.script[fh.n_script++] = (scripted_t){.status = status,
                                            .content_type = dup_or_null(content_type),
                                            .body = dup_or_null(body),
                                            .retry_after_s = retry_after_s};
}

void fh_script(int status, const char *content_type, const char *body)
{
    fh_script_retry(status, content_type, body, -1);
}

void fh_script_transport(int timed_out, const char *error)
{
    if (fh.n_script == MAX_ITEMS)
        return;
    fh.script[fh.n_script++] =
        (scripted_t){.timed_out = timed_out, .error = dup_or_null(error ? error : "timeout"), .retry_after_s = -1};
}

void fh_script_send_error(int rc)
{
    fh.send_error = rc;
}

/* The next canned response (taken from the script), or a transport error when the script is empty. */
static scripted_t next_response(void)
{
    scripted_t s = {0};
    if (fh.script_pos < fh.n_script) {
        s = fh.script[fh.script_pos];
        memset(&fh.script[fh.script_pos], 0, sizeof(s));
        fh.script_pos++;
    } else {
        s.error = strdup("no scripted response");
        s.retry_after_s = -1;
    }
    return s;
}

static size_t deliver(int cancel)
{
    size_t delivered = 0;
    while (fh.n_pending > 0) {
        pending_t p = fh.pending[0];
        memmove(&fh.pending[0], &fh.pending[1], (fh.n_pending - 1) * sizeof(p));
        fh.n_pending--;
        op_http_response_t res = {.struct_size = sizeof(res), .retry_after_s = -1, .body = ""};
        if (!cancel)
            p.res = next_response();
        if (cancel) {
            res.error = "cancelled";
        } else {
            res.status = p.res.status;
            res.timed_out = p.res.timed_out;
            res.error = p.res.status == 0 ? p.res.error : NULL;
            res.content_type = p.res.content_type;
            res.body = p.res.body != NULL ? p.res.body : "";
            res.body_len = p.res.body != NULL ? strlen(p.res.body) : 0;
            res.retry_after_s = p.res.retry_after_s;
        }
        p.done(p.arg, &res);
        scripted_free(&p.res);
        delivered++;
    }
    return delivered;
}

size_t fh_flush(void)
{
    return deliver(0);
}

size_t fh_cancel_all(void)
{
    return deliver(1);
}

size_t fh_pending(void)
{
    return fh.n_pending;
}

/* ---- requests ---- */

size_t fh_request_count(void)
{
    return fh.n_requests;
}

const fh_request_t *fh_request(size_t i)
{
    return i < fh.n_requests ? &fh.requests[i] : NULL;
}

const fh_request_t *fh_last_request(void)
{
    return fh.n_requests > 0 ? &fh.requests[fh.n_requests - 1] : NULL;
}

const char *fh_header(const fh_request_t *r, const char *name)
{
    for (size_t i = 0; r != NULL && i < r->n_headers; i++)
        if (strcasecmp(r->header_names[i], name) == 0)
            return r->header_values[i];
    return NULL;
}

char *fh_form(const fh_request_t *r, const char *name)
{
    if (r == NULL || r->body == NULL)
        return NULL;
    return cm_form_get(r->body, r->body_len, name);
}

static int count_cb(void *arg, const char *name, const char *value)
{
    (*(size_t *)arg)++;
    return 0;
}

size_t fh_form_count(const fh_request_t *r)
{
    size_t n = 0;
    if (r != NULL && r->body != NULL)
        cm_form_parse(r->body, r->body_len, count_cb, &n);
    return n;
}

/* ---- logs and registrations ---- */

size_t fh_log_count(void)
{
    return fh.n_logs;
}

const char *fh_log_line(size_t i)
{
    return i < fh.n_logs ? fh.logs[i] : NULL;
}

int fh_logged(const char *needle)
{
    for (size_t i = 0; i < fh.n_logs; i++)
        if (strstr(fh.logs[i], needle) != NULL)
            return 1;
    return 0;
}

size_t fh_provider_count(void)
{
    return fh.n_providers;
}

const op_provider_t *fh_provider_at(size_t i)
{
    return i < fh.n_providers ? fh.providers[i] : NULL;
}

const op_provider_t *fh_provider(const char *name)
{
    for (size_t i = 0; i < fh.n_providers; i++)
        if (strcmp(fh.providers[i]->name, name) == 0)
            return fh.providers[i];
    return NULL;
}

void fh_refuse_provider(const char *name)
{
    free(fh.refuse);
    fh.refuse = dup_or_null(name);
}

long fh_live_allocations(void)
{
    return fh.live;
}

/* ---- plugins ---- */

int fh_load(fh_plugin_t *pl, const char *name, const char *config_json)
{
    char path[1024];
    const char *dir = getenv(strcmp(name, "example") == 0 ? "OB_EXAMPLE_PLUGIN_DIR" : "OB_PLUGIN_DIR");
    memset(pl, 0, sizeof(*pl));
    pl->rc = OP_ERR;
    if (dir == NULL) {
        fprintf(stderr, "fh_load: plugin directory variable not set\n");
        return OP_ERR;
    }
    snprintf(path, sizeof(path), "%s/%s.so", dir, name);
    if ((pl->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
        fprintf(stderr, "fh_load: %s\n", dlerror());
        return OP_ERR;
    }
    pl->plugin = dlsym(pl->dl, OP_ENTRY_SYMBOL);
    if (pl->plugin == NULL) {
        fprintf(stderr, "fh_load: %s has no %s\n", path, OP_ENTRY_SYMBOL);
        return OP_ERR;
    }
    pl->rc = pl->plugin->init(&fake_host, config_json, &pl->state);
    return pl->rc;
}

void fh_unload(fh_plugin_t *pl)
{
    fh_cancel_all();
    if (pl->plugin != NULL && pl->rc == OP_OK && pl->plugin->fini != NULL)
        pl->plugin->fini(pl->state);
    if (pl->dl != NULL)
        dlclose(pl->dl);
    memset(pl, 0, sizeof(*pl));
}

/* ---- callbacks ---- */

void fh_token_cb(void *arg, int status, op_token_set_t *tokens, const op_error_t *err)
{
    fh_token_result_t *r = arg;
    r->called++;
    r->status = status;
    if (tokens != NULL) {
        r->tokens = *tokens; /* the members become ours */
        memset(tokens, 0, sizeof(*tokens));
    }
    r->has_err = err != NULL;
    if (err != NULL)
        r->err = *err;
}

void fh_token_result_clear(fh_token_result_t *r)
{
    host_token_set_clear(&r->tokens);
    memset(r, 0, sizeof(*r));
}

void fh_done_cb(void *arg, int status, const op_error_t *err)
{
    fh_done_result_t *r = arg;
    r->called++;
    r->status = status;
    r->has_err = err != NULL;
    if (err != NULL)
        r->err = *err;
}

/* ---- URLs ---- */

static char *query_of(const char *url)
{
    CURLU *u = curl_url();
    char *q = NULL, *out = NULL;
    if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_QUERY, &q, 0) == CURLUE_OK)
        out = strdup(q);
    curl_free(q);
    curl_url_cleanup(u);
    return out;
}

char *fh_query(const char *url, const char *name)
{
    char *q = query_of(url);
    char *v = q != NULL ? cm_form_get(q, strlen(q), name) : NULL;
    free(q);
    return v;
}

struct qcount {
    const char *name;
    int n, total;
};

static int qcount_cb(void *arg, const char *name, const char *value)
{
    struct qcount *c = arg;
    c->total++;
    if (c->name != NULL && strcmp(name, c->name) == 0)
        c->n++;
    return 0;
}

int fh_query_count(const char *url, const char *name)
{
    struct qcount c = {.name = name};
    char *q = query_of(url);
    if (q != NULL)
        cm_form_parse(q, strlen(q), qcount_cb, &c);
    free(q);
    return c.n;
}

int fh_query_total(const char *url)
{
    struct qcount c = {0};
    char *q = query_of(url);
    if (q != NULL)
        cm_form_parse(q, strlen(q), qcount_cb, &c);
    free(q);
    return c.total;
}

char *fh_url_base(const char *url)
{
    CURLU *u = curl_url();
    char *out = NULL, *full = NULL;
    if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_QUERY, NULL, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_URL, &full, 0) == CURLUE_OK)
        out = strdup(full);
    curl_free(full);
    curl_url_cleanup(u);
    return out;
}

int fh_parse(const op_provider_t *p, int status, const char *content_type, const char *body, op_token_set_t *out,
             op_error_t *err)
{
    op_http_response_t res = {.struct_size = sizeof(res),
                              .status = status,
                              .content_type = content_type,
                              .body = body != NULL ? body : "",
                              .body_len = body != NULL ? strlen(body) : 0,
                              .retry_after_s = -1};
    memset(err, 0, sizeof(*err));
    out->struct_size = sizeof(*out);
    return p->parse_token_response(p->data, &res, FH_NOW, out, err);
}
