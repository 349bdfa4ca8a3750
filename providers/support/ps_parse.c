/*
 * ps_parse.c - the token-response parser shared by every provider.
 *
 *   size      out->struct_size must leave room for the ABI 1.2 set (else OP_EINVAL); set to what was filled
 *   body      JSON object, else application/x-www-form-urlencoded, whatever the content type says
 *   errors    ps_classify_response (in-band errors with HTTP 200 included)
 *   token     access_token required (visible ASCII only: it ends up in Authorization headers)
 *   expiry    expires_in (number, numeric string or real) > 0 -> now + expires_in; else expires_at
 *             (absolute, seconds or milliseconds); else the provider's default_expires_in; else, when
 *             expires_in was sent but is unusable (0, negative, not a number), PS_UNKNOWN_EXPIRES_IN;
 *             else 0 (no expiry sent: never expires, as GitHub OAuth-app and Slack tokens). refresh_token_expires_in /
 * refresh_expires_in -> refresh_expires_at. type      token_type, "Bearer" when absent ("bearer" is normalised) scope
 * string (provider's separator or spaces) or array -> space separated extras    every other top-level member whose name
 * does not look secret, recursively filtered
 */
#include "provider_support.h"

#include "common/json_util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const standard_keys[] = {
    "access_token",
    "refresh_token",
    "token_type",
    "scope",
    "id_token",
    "expires_in",
    "expires_at",
    "refresh_token_expires_in",
    "refresh_expires_in",
    "error",
    "error_description",
    "error_uri",
    NULL,
};

/* Member names that may hold a credential: never copied into extras. */
static const char *const secret_words[] = {
    "token", "secret", "password", "passwd", "key", "code", "webhook", "credential", "assertion", "signature", NULL,
};

static int is_standard(const char *key)
{
    for (size_t i = 0; standard_keys[i] != NULL; i++)
        if (strcmp(key, standard_keys[i]) == 0)
            return 1;
    return 0;
}

static int looks_secret(const char *key)
{
    for (size_t i = 0; secret_words[i] != NULL; i++)
        if (strcasestr(key, secret_words[i]) != NULL)
            return 1;
    return 0;
}

/* A deep copy of v without members whose names look secret (new reference). */
static json_t *filtered_copy(const json_t *v, int depth)
{
    if (depth > 8)
        return json_null();
    if (json_is_object(v)) {
        json_t *o = json_object();
        const char *key;
        json_t *m;
        json_object_foreach((json_t *)v, key, m)
        {
            if (!looks_secret(key))
                json_object_set_new(o, key, filtered_copy(m, depth + 1));
        }
        return o;
    }
    if (json_is_array(v)) {
        json_t *a = json_array();
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m) json_array_append_new(a, filtered_copy(m, depth + 1));
        return a;
    }
    return json_deep_copy(v);
}

static json_t *extras_of(const json_t *doc)
{
    json_t *extras = json_object();
    const char *key;
    json_t *m;
    json_object_foreach((json_t *)doc, key, m)
    {
        if (!is_standard(key) && !looks_secret(key))
            json_object_set_new(extras, key, filtered_copy(m, 0));
    }
    return extras;
}

/* Integer seconds from a number, a numeric string ("3600", "3599.0") or a finite real; *ok=0 when absent or bad. */
static int64_t num_member(const json_t *obj, const char *key, int *ok)
{
    const json_t *v = json_object_get(obj, key);
    *ok = 0;
    if (json_is_integer(v)) {
        *ok = 1;
        return (int64_t)json_integer_value(v);
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        *ok = isfinite(d) && d >= -9.2e18 && d <= 9.2e18;
        return *ok ? (int64_t)d : 0;
    }
    if (!json_is_string(v))
        return 0;
    const char *s = json_string_value(v), *end = NULL;
    if (!(isdigit((unsigned char)s[0]) || (s[0] == '-' && isdigit((unsigned char)s[1]))))
        return 0;
    errno = 0;
    long long n = strtoll(s, (char **)&end, 10);
    if (errno == ERANGE)
        return 0;
    if (*end == '.')
        end += 1 + strspn(end + 1, "0123456789");
    if (*end != '\0')
        return 0;
    *ok = 1;
    return (int64_t)n;
}

#define MAX_LIFETIME (20LL * 365 * 24 * 3600) /* beyond 20 years a relative lifetime is nonsense */

/* now + the relative lifetime in obj[key], or 0 when absent, non-positive or absurd. */
static int64_t relative_expiry(const json_t *obj, const char *key, int64_t now)
{
    int ok = 0;
    int64_t n = num_member(obj, key, &ok);
    if (!ok || n <= 0 || n > MAX_LIFETIME)
        return 0;
    return now + n;
}

static int64_t absolute_expiry(const json_t *obj, int64_t now)
{
    int ok = 0;
    int64_t t = num_member(obj, "expires_at", &ok);
    if (!ok || t <= 0)
        return 0;
    if (t > 100000000000LL) /* milliseconds since the epoch */
        t /= 1000;
    if (t <= now || t > now + MAX_LIFETIME) /* already past (a fresh token cannot be) or absurd */
        return 0;
    return t;
}

/* A credential fit for an HTTP header: visible ASCII, no blanks. */
static int token_ok(const char *s)
{
    if (s == NULL || *s == '\0')
        return 0;
    for (; *s != '\0'; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
            return 0;
    return 1;
}

int ps_op_parse_token_response(void *data, const op_http_response_t *res, int64_t now, op_token_set_t *out,
                               op_error_t *err)
{
    return ps_parse_token_response(data, res, now, out, err);
}

int ps_parse_token_response(ps_provider_t *p, const op_http_response_t *res, int64_t now, op_token_set_t *out,
                            op_error_t *err)
{
    const op_host_api_t *h = p->host;
    int rc = OP_ERR;
    json_t *extras = NULL;
    char *scope = NULL;
    if (out->struct_size < sizeof(*out)) { /* no room for the members we fill */
        ps_error_set(err, OP_ERRCLASS_REQUEST, "bad_request", 0, "token set of %u bytes is too small",
                     out->struct_size);
        return OP_EINVAL;
    }
    memset(out, 0, sizeof(*out));
    out->struct_size = sizeof(*out);
    if (res == NULL) {
        ps_error_set(err, OP_ERRCLASS_TRANSIENT, "network", 0, "no response");
        return OP_ERR;
    }
    if (res->body_len > PS_MAX_RESPONSE) {
        ps_error_set(err, OP_ERRCLASS_TRANSIENT, "response_too_large", res->status,
                     "token response of %zu bytes exceeds the %u byte limit", res->body_len, PS_MAX_RESPONSE);
        return OP_ERR;
    }
    json_t *doc = res->status != 0 ? ps_decode_body(res->body, res->body_len) : NULL;
    if (ps_classify_response(p->errmap, res, doc, err))
        goto out_free_doc;
    if (doc == NULL) {
        ps_error_set(err, OP_ERRCLASS_TRANSIENT, "bad_response", res->status,
                     "token endpoint answered HTTP %d with an unparseable body (%s, %zu bytes)", res->status,
                     res->content_type != NULL ? res->content_type : "no content type", res->body_len);
        goto out_free_doc;
    }
    const json_t *tok = doc;
    if (p->hooks != NULL && p->hooks->select_token != NULL && (tok = p->hooks->select_token(p, doc, err)) == NULL)
        goto out_free_doc;

    const char *access = cm_json_str(tok, "access_token");
    const char *refresh = cm_json_str(tok, "refresh_token");
    if (!token_ok(access) || (refresh != NULL && refresh[0] != '\0' && !token_ok(refresh))) {
        ps_error_set(err, OP_ERRCLASS_TRANSIENT, "bad_response", res->status,
                     access == NULL ? "token response without access_token" : "token response with a malformed token");
        goto out_free_doc;
    }
    const char *type = cm_json_str(tok, "token_type");
    if (type == NULL || type[0] == '\0' || strcasecmp(type, "bearer") == 0)
        type = "Bearer";
    const json_t *scope_v = json_object_get(tok, "scope");
    if (scope_v != NULL && (scope = ps_scopes_normalize(scope_v, p->response_scope_separator)) == NULL &&
        !json_is_null(scope_v))
        goto out_nomem;

    rc = OP_ENOMEM;
    out->access_token = ps_host_strdup(h, access);
    out->refresh_token = refresh != NULL && refresh[0] != '\0' ? ps_host_strdup(h, refresh) : NULL;
    out->token_type = ps_host_strdup(h, type);
    out->scope = scope != NULL ? ps_host_strdup(h, scope) : NULL;
    const char *id_token = cm_json_str(tok, "id_token");
    out->id_token = id_token != NULL && id_token[0] != '\0' ? ps_host_strdup(h, id_token) : NULL;
    if (out->access_token == NULL || out->token_type == NULL ||
        (refresh != NULL && refresh[0] != '\0' && out->refresh_token == NULL) ||
        (scope != NULL && out->scope == NULL) || (id_token != NULL && id_token[0] != '\0' && out->id_token == NULL))
        goto out_nomem;

    out->expires_at = relative_expiry(tok, "expires_in", now);
    if (out->expires_at == 0)
        out->expires_at = absolute_expiry(tok, now);
    if (out->expires_at == 0 && p->default_expires_in > 0)
        out->expires_at = now + p->default_expires_in;
    json_t *sent_expiry = json_object_get(tok, "expires_in");
    if (sent_expiry == NULL || json_is_null(sent_expiry))
        sent_expiry = json_object_get(tok, "expires_at");
    if (out->expires_at == 0 && sent_expiry != NULL && !json_is_null(sent_expiry))
        /* an expiry was sent but is unusable (0, negative, not a number, absurd): a token of unknown
         * lifetime is treated as short-lived, so that it gets refreshed (or re-checked) rather than kept forever */
        out->expires_at = now + PS_UNKNOWN_EXPIRES_IN;
    out->refresh_expires_at = relative_expiry(tok, "refresh_token_expires_in", now);
    if (out->refresh_expires_at == 0)
        out->refresh_expires_at = relative_expiry(tok, "refresh_expires_in", now);

    if ((extras = extras_of(doc)) == NULL)
        goto out_nomem;
    if (p->hooks != NULL && p->hooks->post_parse != NULL && (rc = p->hooks->post_parse(p, doc, out, extras)) != OP_OK)
        goto out_clear;
    if (json_object_size(extras) > 0) {
        char *text = cm_json_dumps(extras);
        if (text == NULL)
            goto out_nomem;
        if (strlen(text) <= PS_MAX_EXTRAS)
            out->extras_json = ps_host_strdup(h, text);
        else
            ps_log(p, OP_LOG_WARN, "token response extras of %zu bytes dropped", strlen(text));
        int lost = strlen(text) <= PS_MAX_EXTRAS && out->extras_json == NULL;
        free(text);
        if (lost)
            goto out_nomem;
    }
    rc = OP_OK;
    goto out_free_doc;

out_nomem:
    rc = OP_ENOMEM;
    ps_error_set(err, OP_ERRCLASS_TRANSIENT, "no_memory", res->status, "out of memory parsing the token response");
out_clear: /* rc is the failure that led here */
    h->token_set_clear(out);
out_free_doc:
    free(scope);
    json_decref(extras);
    json_decref(doc);
    return rc;
}
