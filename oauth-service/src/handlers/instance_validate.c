/*
 * instance_validate.c - admin API body validation (see instance_validate.h).
 */
#include "handlers/instance_validate.h"

#include "common/broker_proto.h"
#include "common/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int verr(ob_verr_t *e, int status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int verr(ob_verr_t *e, int status, const char *code, const char *field, const char *fmt, ...)
{
    va_list ap;
    e->status = status;
    e->code = code;
    e->field = field;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
    return CM_EINVAL;
}

int ob_scopes_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    int in_token = 0, tokens = 0;
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ') {
            in_token = 0;
            continue;
        }
        if (c < 0x21 || c == 0x22 || c == 0x5c || c > 0x7e)
            return 0;
        if (!in_token)
            tokens++;
        in_token = 1;
    }
    return tokens > 0;
}

/* A string member: required or optional (null allowed when optional), length 1..max (413 above max). */
static int get_text(const json_t *body, const char *key, int required, size_t max, const char **out, ob_verr_t *e)
{
    json_t *v = json_object_get(body, key);
    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        if (required)
            return verr(e, 400, "missing_field", key, "%s is required", key);
        return CM_OK;
    }
    if (!json_is_string(v))
        return verr(e, 400, "invalid_field", key, "%s must be a string", key);
    if (json_string_length(v) > max)
        return verr(e, 413, "field_too_large", key, "%s is longer than %zu bytes", key, max);
    if (json_string_length(v) == 0 || !ob_text_ok(json_string_value(v), max))
        return verr(e, 400, "invalid_field", key, "%s must be non-empty text without control characters", key);
    *out = json_string_value(v);
    return CM_OK;
}

static int known(const char *key, const char *const *keys)
{
    for (size_t i = 0; keys[i] != NULL; i++) {
        if (strcmp(key, keys[i]) == 0)
            return 1;
    }
    return 0;
}

int ob_validate_keys(const json_t *body, const char *const *keys, ob_verr_t *e)
{
    const char *key;
    json_t *v;
    if (!json_is_object(body))
        return verr(e, 400, "invalid_json", NULL, "the body must be a JSON object");
    json_object_foreach((json_t *)body, key, v)
    {
        if (!known(key, keys))
            return verr(e, 400, "unknown_field", key, "unknown field \"%.64s\"", key);
    }
    return CM_OK;
}

int ob_validate_create(const json_t *body, int public_client, ob_create_req_t *out, ob_verr_t *e)
{
    static const char *const keys[] = {"service",          "user_id",    "client_id",
                                       "client_secret",    "scopes",     "custom_name",
                                       "provider_options", "expires_in", NULL};
    memset(out, 0, sizeof(*out));
    if (ob_validate_keys(body, keys, e) != CM_OK)
        return CM_EINVAL;
    if (get_text(body, "service", 1, 64, &out->service, e) != CM_OK ||
        get_text(body, "user_id", 1, OB_MAX_USER_ID, &out->user_id, e) != CM_OK ||
        get_text(body, "client_id", 1, OB_MAX_CLIENT_ID, &out->client_id, e) != CM_OK ||
        (!public_client && get_text(body, "client_secret", 1, OB_MAX_CLIENT_SECRET, &out->client_secret, e) != CM_OK) ||
        get_text(body, "scopes", 0, OB_MAX_SCOPES, &out->scopes, e) != CM_OK ||
        get_text(body, "custom_name", 0, OB_MAX_CUSTOM_NAME, &out->custom_name, e) != CM_OK)
        return CM_EINVAL;
    /* A public client has no secret (RFC 6749 2.1): one sent anyway would be stored and never used. */
    const json_t *secret = json_object_get(body, "client_secret");
    if (public_client && secret != NULL && !json_is_null(secret))
        return verr(e, 400, "invalid_field", "client_secret",
                    "client_secret must not be sent: the provider of this service uses public clients");
    if (strspn(out->service, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(out->service))
        return verr(e, 400, "invalid_field", "service", "service must match [a-z0-9_-]{1,64}");
    if (out->scopes != NULL && !ob_scopes_ok(out->scopes))
        return verr(e, 400, "invalid_field", "scopes", "scopes must be space-separated OAuth scope tokens");
    json_t *opts = json_object_get(body, "provider_options");
    if (opts != NULL && !json_is_null(opts)) {
        if (!json_is_object(opts))
            return verr(e, 400, "invalid_field", "provider_options", "provider_options must be a JSON object");
        out->provider_options = json_dumps(opts, JSON_COMPACT);
        if (out->provider_options == NULL)
            return verr(e, 400, "invalid_field", "provider_options", "provider_options cannot be encoded");
        if (strlen(out->provider_options) > OB_MAX_PROVIDER_OPTIONS) {
            free(out->provider_options);
            out->provider_options = NULL;
            return verr(e, 413, "field_too_large", "provider_options", "provider_options is larger than %d bytes",
                        OB_MAX_PROVIDER_OPTIONS);
        }
    }
    json_t *exp = json_object_get(body, "expires_in");
    if (exp != NULL && !json_is_null(exp)) {
        if (!json_is_integer(exp) || json_integer_value(exp) < OB_MIN_EXPIRES_IN ||
            json_integer_value(exp) > OB_MAX_EXPIRES_IN) {
            free(out->provider_options);
            out->provider_options = NULL;
            return verr(e, 400, "invalid_field", "expires_in",
                        "expires_in must be an integer number of seconds in %d..%d", OB_MIN_EXPIRES_IN,
                        OB_MAX_EXPIRES_IN);
        }
        out->expires_in = json_integer_value(exp);
    }
    if (out->provider_options == NULL && (out->provider_options = strdup("{}")) == NULL)
        return verr(e, 400, "invalid_json", NULL, "out of memory");
    return CM_OK;
}

int ob_validate_patch(const json_t *body, const char **status, int *set_name, const char **custom_name, ob_verr_t *e)
{
    static const char *const keys[] = {"status", "custom_name", NULL};
    *status = NULL;
    *set_name = 0;
    *custom_name = NULL;
    if (ob_validate_keys(body, keys, e) != CM_OK)
        return CM_EINVAL;
    json_t *st = json_object_get(body, "status");
    if (st != NULL) {
        const char *s = json_string_value(st);
        cm_inst_status_t v;
        if (s == NULL || cm_inst_status_parse(s, &v) != CM_OK || (v != CM_INST_ACTIVE && v != CM_INST_INACTIVE))
            return verr(e, 400, "invalid_field", "status", "status must be \"active\" or \"inactive\"");
        *status = s;
    }
    if (json_object_get(body, "custom_name") != NULL) {
        if (get_text(body, "custom_name", 0, OB_MAX_CUSTOM_NAME, custom_name, e) != CM_OK)
            return CM_EINVAL;
        *set_name = 1;
    }
    if (*status == NULL && !*set_name)
        return verr(e, 400, "missing_field", "status", "nothing to change: give status and/or custom_name");
    return CM_OK;
}

int ob_text_ok(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return 0;
    }
    return 1;
}
