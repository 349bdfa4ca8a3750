/*
 * ps_params.c - parameter lists, form bodies, client authentication, scope lists and outbound
 * request descriptions.
 */
#include "provider_support.h"

#include "common/crypto.h"
#include "common/url.h"

#include <stdlib.h>
#include <string.h>

/* ---- parameter lists ---- */

static int params_reserve(ps_params_t *p, size_t more)
{
    if (p->failed)
        return OP_ENOMEM;
    if (p->n + more + 1 <= p->cap)
        return OP_OK;
    size_t cap = p->cap ? p->cap * 2 : 16;
    while (cap < p->n + more + 1)
        cap *= 2;
    char **v = realloc(p->v, cap * sizeof(*v));
    if (v == NULL) {
        p->failed = 1;
        return OP_ENOMEM;
    }
    p->v = v;
    p->cap = cap;
    return OP_OK;
}

int ps_params_add(ps_params_t *p, const char *name, const char *value)
{
    if (p == NULL || name == NULL)
        return OP_EINVAL;
    if (value == NULL)
        return p->failed ? OP_ENOMEM : OP_OK;
    if (params_reserve(p, 2) != OP_OK)
        return OP_ENOMEM;
    char *n = strdup(name), *v = strdup(value);
    if (n == NULL || v == NULL) {
        free(n);
        free(v);
        p->failed = 1;
        return OP_ENOMEM;
    }
    p->v[p->n++] = n;
    p->v[p->n++] = v;
    p->v[p->n] = NULL;
    return OP_OK;
}

int ps_params_set(ps_params_t *p, const char *name, const char *value)
{
    if (p == NULL || name == NULL)
        return OP_EINVAL;
    for (size_t i = 0; i < p->n; i += 2) {
        if (strcmp(p->v[i], name) != 0)
            continue;
        if (value == NULL) {
            free(p->v[i]);
            cm_secure_free(p->v[i + 1], 0);
            memmove(&p->v[i], &p->v[i + 2], (p->n - i - 2 + 1) * sizeof(*p->v));
            p->n -= 2;
            return OP_OK;
        }
        char *v = strdup(value);
        if (v == NULL) {
            p->failed = 1;
            return OP_ENOMEM;
        }
        cm_secure_free(p->v[i + 1], 0);
        p->v[i + 1] = v;
        return OP_OK;
    }
    return ps_params_add(p, name, value);
}

const char *ps_params_get(const ps_params_t *p, const char *name)
{
    for (size_t i = 0; p != NULL && name != NULL && i < p->n; i += 2)
        if (strcmp(p->v[i], name) == 0)
            return p->v[i + 1];
    return NULL;
}

int ps_params_from_json(ps_params_t *p, const json_t *obj)
{
    const char *key;
    json_t *v;
    if (obj == NULL)
        return OP_OK;
    if (!json_is_object(obj))
        return OP_EINVAL;
    json_object_foreach((json_t *)obj, key, v)
    {
        if (!json_is_string(v))
            return OP_EINVAL;
        if (ps_params_add(p, key, json_string_value(v)) != OP_OK)
            return OP_ENOMEM;
    }
    return OP_OK;
}

char *ps_params_form(const ps_params_t *p, size_t *len)
{
    cm_buf_t b = {0};
    if (p->failed)
        return NULL;
    for (size_t i = 0; i < p->n; i += 2)
        cm_form_add(&b, p->v[i], p->v[i + 1]);
    size_t n = b.len;
    char *s = cm_buf_take(&b);
    if (s != NULL && len != NULL)
        *len = n;
    return s;
}

void ps_params_free(ps_params_t *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->n; i += 2) {
        free(p->v[i]);
        cm_secure_free(p->v[i + 1], 0);
    }
    free(p->v);
    memset(p, 0, sizeof(*p));
}

/* ---- client authentication ---- */

char *ps_basic_auth(const char *id, const char *secret, int form_encode)
{
    if (id == NULL || secret == NULL)
        return NULL;
    char *result = NULL, *eid = NULL, *esecret = NULL, *b64 = NULL;
    if (form_encode) {
        eid = cm_url_escape(id, strlen(id));
        esecret = cm_url_escape(secret, strlen(secret));
        if (eid == NULL || esecret == NULL)
            goto out_free;
    }
    cm_buf_t b = {0};
    cm_buf_appendz(&b, form_encode ? eid : id);
    cm_buf_append(&b, ":", 1);
    cm_buf_appendz(&b, form_encode ? esecret : secret);
    size_t plen = b.len;
    char *plain = cm_buf_take(&b);
    if (plain == NULL)
        goto out_free;
    b64 = cm_b64_encode(plain, plen);
    cm_secure_free(plain, plen);
    if (b64 == NULL)
        goto out_free;
    cm_buf_appendz(&b, "Basic ");
    cm_buf_appendz(&b, b64);
    result = cm_buf_take(&b);
out_free:
    free(eid);
    cm_secure_free(esecret, 0);
    cm_secure_free(b64, 0);
    return result;
}

/* ---- scopes ---- */

static int is_scope_space(char ch, char sep)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == sep;
}

/* Copies the tokens of s (split on blanks and on split_on) joined by sep into b. */
static void scopes_append(cm_buf_t *b, const char *s, char split_on, char sep, int *first)
{
    while (s != NULL && *s != '\0') {
        while (*s != '\0' && is_scope_space(*s, split_on))
            s++;
        const char *start = s;
        while (*s != '\0' && !is_scope_space(*s, split_on))
            s++;
        if (s == start)
            continue;
        if (!*first)
            cm_buf_append(b, &sep, 1);
        *first = 0;
        cm_buf_append(b, start, (size_t)(s - start));
    }
}

char *ps_scopes_join(const char *scopes, char sep)
{
    cm_buf_t b = {0};
    int first = 1;
    scopes_append(&b, scopes, ' ', sep, &first);
    return cm_buf_take(&b);
}

char *ps_scopes_normalize(const json_t *v, char sep)
{
    cm_buf_t b = {0};
    int first = 1;
    if (json_is_string(v)) {
        scopes_append(&b, json_string_value(v), sep, ' ', &first);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            if (json_is_string(item))
                scopes_append(&b, json_string_value(item), sep, ' ', &first);
        }
    } else {
        return NULL;
    }
    return cm_buf_take(&b);
}

int ps_scopes_has(const char *scopes, const char *scope)
{
    size_t n = strlen(scope);
    const char *s = scopes;
    while (s != NULL && *s != '\0') {
        while (*s == ' ')
            s++;
        const char *start = s;
        while (*s != '\0' && *s != ' ')
            s++;
        if ((size_t)(s - start) == n && n > 0 && memcmp(start, scope, n) == 0)
            return 1;
    }
    return 0;
}

/* ---- requests ---- */

int ps_request_init(ps_request_t *r, const char *method, const char *url)
{
    memset(r, 0, sizeof(*r));
    r->method = method;
    r->url = url != NULL ? strdup(url) : NULL;
    return r->url != NULL ? OP_OK : OP_ENOMEM;
}

int ps_request_header(ps_request_t *r, const char *name, const char *value)
{
    if (r->n_headers == PS_MAX_HEADERS || value == NULL)
        return OP_EINVAL;
    char *v = strdup(value);
    if (v == NULL)
        return OP_ENOMEM;
    r->owned[r->n_headers] = v;
    r->headers[r->n_headers].name = name;
    r->headers[r->n_headers].value = v;
    r->n_headers++;
    return OP_OK;
}

int ps_request_client_auth(ps_request_t *r, int mode, const op_client_t *c)
{
    int has_secret = c->client_secret != NULL && c->client_secret[0] != '\0';
    if (mode == PS_AUTH_OMIT)
        return OP_OK;
    if (mode == PS_AUTH_BASIC && has_secret) {
        char *auth = ps_basic_auth(c->client_id, c->client_secret, 1);
        if (auth == NULL)
            return OP_ENOMEM;
        int rc = ps_request_header(r, "Authorization", auth);
        cm_secure_free(auth, 0);
        return rc;
    }
    int rc = ps_params_add(&r->form, "client_id", c->client_id);
    if (rc == OP_OK && mode == PS_AUTH_POST && has_secret)
        rc = ps_params_add(&r->form, "client_secret", c->client_secret);
    return rc;
}

void ps_request_free(ps_request_t *r)
{
    if (r == NULL)
        return;
    free(r->url);
    ps_params_free(&r->form);
    cm_secure_free(r->body, r->body_len);
    for (size_t i = 0; i < r->n_headers; i++)
        cm_secure_free(r->owned[i], 0);
    memset(r, 0, sizeof(*r));
}
