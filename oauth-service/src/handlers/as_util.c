/*
 * as_util.c - the AS handlers' shared answers, forms and client authentication (as_util.h).
 */
#include "handlers/as_util.h"

#include "as/clients.h"

#include "common/crypto.h"
#include "common/log.h"
#include "common/status.h"
#include "common/url.h"

#include <h2o/socket.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FORM_MAX_PARAMS 32

void ob_as_respond_no_store(h2o_req_t *req, int status, json_t *body)
{
    cm_add_header(req, "cache-control", "no-store");
    cm_add_header(req, "pragma", "no-cache");
    cm_respond_json(req, status, body);
}

void ob_as_oauth_error(h2o_req_t *req, int status, const char *error, const char *desc)
{
    if (req == NULL)
        return;
    ob_as_respond_no_store(req, status,
                           json_pack("{s:s, s:s}", "error", error, "error_description", desc ? desc : error));
}

int ob_as_enabled(ob_broker_t *b, h2o_req_t *req)
{
    if (b->as != NULL)
        return 1;
    cm_respond_error(req, 404, "not_found", NULL, "the authorization server is disabled on this broker");
    return 0;
}

typedef struct form_state {
    const char *const *names;
    char **values;
    h2o_req_t *req;
    int count;
    int repeated;
} form_state_t;

static int on_pair(void *arg, const char *name, const char *value)
{
    form_state_t *st = arg;
    if (++st->count > FORM_MAX_PARAMS)
        return 1;
    for (size_t i = 0; st->names[i] != NULL; i++) {
        if (strcmp(st->names[i], name) != 0)
            continue;
        if (st->values[i] != NULL) {
            st->repeated = 1;
            return 1;
        }
        size_t n = strlen(value);
        st->values[i] = h2o_mem_alloc_pool(&st->req->pool, n + 1);
        memcpy(st->values[i], value, n + 1);
    }
    return 0;
}

int ob_as_form_read(h2o_req_t *req, const char *const names[], char *values[], const char **why)
{
    for (size_t i = 0; names[i] != NULL; i++)
        values[i] = NULL;
    h2o_iovec_t ct = cm_req_header(req, "content-type");
    static const char form[] = "application/x-www-form-urlencoded";
    if (ct.base == NULL || ct.len < sizeof(form) - 1 || strncasecmp(ct.base, form, sizeof(form) - 1) != 0 ||
        (ct.len > sizeof(form) - 1 && ct.base[sizeof(form) - 1] != ';' && ct.base[sizeof(form) - 1] != ' ')) {
        *why = "the body must be application/x-www-form-urlencoded";
        return CM_EINVAL;
    }
    form_state_t st = {.names = names, .values = values, .req = req};
    int rc = cm_form_parse(req->entity.base ? req->entity.base : "", req->entity.len, on_pair, &st);
    if (rc != CM_OK || st.repeated || st.count > FORM_MAX_PARAMS) {
        *why = st.repeated ? "a parameter is repeated" : "the form is malformed or has too many parameters";
        return CM_EINVAL;
    }
    return CM_OK;
}

const char *ob_as_peer(h2o_req_t *req, char *buf, size_t bufsz)
{
    struct sockaddr_storage ss;
    char host[NI_MAXHOST];
    snprintf(buf, bufsz, "?");
    if (req->conn == NULL || req->conn->callbacks->get_peername == NULL)
        return buf;
    socklen_t len = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss);
    if (len != 0 && h2o_socket_getnumerichost((struct sockaddr *)&ss, len, host) != SIZE_MAX)
        snprintf(buf, bufsz, "%s", host);
    return buf;
}

/* Decodes one part of a Basic credential (RFC 6749 2.3.1: form-urlencoded) into out. */
static int basic_part(const char *s, size_t n, char *out, size_t outsz)
{
    size_t len = 0;
    char *d = cm_url_unescape(s, n, 1, &len);
    int ok = d != NULL && len > 0 && len < outsz && strlen(d) == len;
    if (ok)
        memcpy(out, d, len + 1);
    cm_secure_free(d, 0);
    return ok;
}

int ob_as_authn_parse(h2o_req_t *req, const char *body_client_id, const char *body_secret, ob_as_authn_t *an,
                      const char **why)
{
    memset(an, 0, sizeof(*an));
    h2o_iovec_t auth = cm_req_header(req, "authorization");
    if (auth.base != NULL && auth.len > 6 && strncasecmp(auth.base, "Basic ", 6) == 0) {
        an->basic = 1;
        size_t raw_len = 0;
        uint8_t *raw = cm_b64_decode(auth.base + 6, auth.len - 6, &raw_len);
        const uint8_t *colon = raw ? memchr(raw, ':', raw_len) : NULL;
        int ok =
            colon != NULL &&
            basic_part((const char *)raw, (size_t)(colon - raw), an->client_id, sizeof(an->client_id)) &&
            basic_part((const char *)colon + 1, raw_len - (size_t)(colon + 1 - raw), an->secret, sizeof(an->secret));
        cm_secure_free(raw, raw_len);
        if (!ok) {
            *why = "the Basic credentials are malformed";
            return CM_EINVAL;
        }
        an->has_secret = 1;
        if (body_secret != NULL) {
            *why = "use one client authentication method";
            return CM_EINVAL;
        }
        if (body_client_id != NULL && strcmp(body_client_id, an->client_id) != 0) {
            *why = "client_id differs from the authenticated client";
            return CM_EINVAL;
        }
        return CM_OK;
    }
    if (body_client_id == NULL || body_client_id[0] == '\0' || strlen(body_client_id) >= sizeof(an->client_id)) {
        *why = "client_id is required";
        return CM_EINVAL;
    }
    snprintf(an->client_id, sizeof(an->client_id), "%s", body_client_id);
    if (body_secret != NULL) {
        if (strlen(body_secret) >= sizeof(an->secret)) {
            *why = "client_secret is too long";
            return CM_EINVAL;
        }
        snprintf(an->secret, sizeof(an->secret), "%s", body_secret);
        an->has_secret = 1;
    }
    return CM_OK;
}

void ob_as_invalid_client(h2o_req_t *req, const ob_as_authn_t *an, const char *desc)
{
    if (req == NULL)
        return;
    if (an->basic)
        cm_add_header(req, "www-authenticate", "Basic realm=\"oauth-service\"");
    ob_as_oauth_error(req, 401, "invalid_client", desc);
}

typedef struct check_ctx {
    const ob_as_authn_t *an;
    ob_as_authn_cb cb;
    void *arg;
} check_ctx_t;

static int secret_matches(const ob_as_authn_t *an, const ob_as_client_t *c)
{
    if (c->secret_hash == NULL)
        return !an->has_secret;
    if (!an->has_secret)
        return 0;
    char h[65];
    cm_sha256_hex(an->secret, strlen(an->secret), h, sizeof(h));
    return cm_ct_equal(h, 64, c->secret_hash, strlen(c->secret_hash));
}

static void on_client(void *arg, int status, const ob_as_client_t *c)
{
    check_ctx_t *x = arg;
    if (status == CM_ENOTFOUND)
        x->cb(x->arg, CM_EPERM);
    else if (status != CM_OK)
        x->cb(x->arg, status);
    else
        x->cb(x->arg, secret_matches(x->an, c) ? CM_OK : CM_EPERM);
    free(x);
}

int ob_as_authn_check(ob_broker_t *b, const ob_as_authn_t *an, ob_as_authn_cb cb, void *arg)
{
    if (strncmp(an->client_id, "https://", 8) == 0)
        return an->has_secret ? CM_EPERM : CM_OK;
    check_ctx_t *x = calloc(1, sizeof(*x));
    if (x == NULL)
        return CM_ENOMEM;
    x->an = an;
    x->cb = cb;
    x->arg = arg;
    int rc = ob_as_client_load(b, an->client_id, 1, on_client, x);
    if (rc == CM_EINVAL) {
        free(x);
        return CM_EPERM; /* an id no stored client can have */
    }
    if (rc != CM_AGAIN)
        free(x);
    return rc;
}

char *ob_as_cookie(h2o_req_t *req, const char *name)
{
    size_t nlen = strlen(name);
    for (ssize_t i = -1; (i = h2o_find_header_by_str(&req->headers, H2O_STRLIT("cookie"), i)) != -1;) {
        h2o_iovec_t v = req->headers.entries[i].value;
        for (size_t p = 0; p < v.len;) {
            while (p < v.len && (v.base[p] == ' ' || v.base[p] == ';'))
                p++;
            size_t end = p;
            while (end < v.len && v.base[end] != ';')
                end++;
            if (end - p > nlen && memcmp(v.base + p, name, nlen) == 0 && v.base[p + nlen] == '=')
                return h2o_strdup(&req->pool, v.base + p + nlen + 1, end - p - nlen - 1).base;
            p = end;
        }
    }
    return NULL;
}
