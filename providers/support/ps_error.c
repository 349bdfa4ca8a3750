/*
 * ps_error.c - decoding provider response bodies and classifying failures (the rules are in
 * provider_support.h; this file is their only implementation).
 */
#include "provider_support.h"

#include "common/json_util.h"
#include "common/url.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Copies text into out keeping printable ASCII only (provider text may carry anything). */
static void copy_printable(char *out, size_t outsz, const char *text, int code_chars)
{
    size_t o = 0;
    for (const char *s = text; s != NULL && *s != '\0' && o + 1 < outsz; s++) {
        unsigned char ch = (unsigned char)*s;
        if (code_chars) {
            if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
                ch == '-' || ch == '.')
                out[o++] = (char)ch;
        } else {
            out[o++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : ' ';
        }
    }
    out[o] = '\0';
}

void ps_error_set(op_error_t *err, int error_class, const char *code, int http_status, const char *fmt, ...)
{
    if (err == NULL)
        return;
    char text[sizeof(err->description)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    err->error_class = error_class;
    copy_printable(err->code, sizeof(err->code), code, 1);
    if (err->code[0] == '\0')
        snprintf(err->code, sizeof(err->code), "error");
    copy_printable(err->description, sizeof(err->description), text, 0);
    err->http_status = http_status;
    err->retry_after_s = -1;
}

static const ps_errmap_t rfc6749[] = {
    {"invalid_grant", OP_ERRCLASS_PERMANENT},
    {"invalid_client", OP_ERRCLASS_PERMANENT},
    {"unauthorized_client", OP_ERRCLASS_PERMANENT},
    {"access_denied", OP_ERRCLASS_PERMANENT},
    {"invalid_request", OP_ERRCLASS_REQUEST},
    {"unsupported_grant_type", OP_ERRCLASS_REQUEST},
    {"unsupported_response_type", OP_ERRCLASS_REQUEST},
    {"unsupported_token_type", OP_ERRCLASS_REQUEST},
    {"invalid_scope", OP_ERRCLASS_REQUEST},
    {"server_error", OP_ERRCLASS_TRANSIENT},
    {"temporarily_unavailable", OP_ERRCLASS_TRANSIENT},
    {"slow_down", OP_ERRCLASS_TRANSIENT},
    {NULL, 0},
};

static int map_lookup(const ps_errmap_t *map, const char *code)
{
    for (size_t i = 0; map != NULL && map[i].code != NULL; i++)
        if (strcmp(map[i].code, code) == 0)
            return map[i].error_class;
    return OP_ERRCLASS_NONE;
}

static int status_class(int http_status)
{
    if (http_status == 0 || http_status == 429 || http_status >= 500)
        return OP_ERRCLASS_TRANSIENT;
    if (http_status == 401 || http_status == 403)
        return OP_ERRCLASS_PERMANENT;
    return OP_ERRCLASS_REQUEST;
}

int ps_classify_code(const ps_errmap_t *map, const char *code, int http_status)
{
    int cls = code != NULL ? map_lookup(map, code) : OP_ERRCLASS_NONE;
    if (cls == OP_ERRCLASS_NONE && code != NULL)
        cls = map_lookup(rfc6749, code);
    if (cls == OP_ERRCLASS_NONE)
        cls = status_class(http_status);
    return cls;
}

/* The error code and description of a body, if it carries one ("error": "x" or {"code": "x", "message": ..}). */
static const char *body_error(const json_t *doc, const char **description)
{
    *description = NULL;
    if (!json_is_object(doc))
        return NULL;
    const json_t *e = json_object_get(doc, "error");
    if (json_is_string(e)) {
        *description = cm_json_str(doc, "error_description");
        const char *code = cm_json_str(doc, "error");
        return code != NULL && code[0] != '\0' ? code : "error";
    }
    if (json_is_object(e)) {
        *description = cm_json_str(e, "message");
        const char *code = cm_json_str(e, "code");
        return code != NULL && code[0] != '\0' ? code : "error";
    }
    return NULL;
}

int ps_classify_response(const ps_errmap_t *map, const op_http_response_t *res, const json_t *doc, op_error_t *err)
{
    int st = res->status;
    if (st == 0) {
        if (res->timed_out)
            ps_error_set(err, OP_ERRCLASS_TRANSIENT, "timeout", 0, "the provider did not answer in time");
        else
            ps_error_set(err, OP_ERRCLASS_TRANSIENT, "network", 0, "request failed: %s",
                         res->error != NULL ? res->error : "transport error");
        return 1;
    }
    const char *desc = NULL;
    const char *code = body_error(doc, &desc);
    int transient = st == 429 || st >= 500;
    if (code != NULL) {
        int cls = transient ? OP_ERRCLASS_TRANSIENT : ps_classify_code(map, code, st);
        ps_error_set(err, cls, code, st, "%s (HTTP %d)", desc != NULL && desc[0] != '\0' ? desc : code, st);
    } else if (st < 200 || st > 299) {
        char code_buf[16];
        snprintf(code_buf, sizeof(code_buf), "http_%d", st);
        ps_error_set(err, status_class(st), code_buf, st, "HTTP %d from the provider (%s, %zu bytes)", st,
                     res->content_type != NULL ? res->content_type : "no content type", res->body_len);
    } else {
        return 0;
    }
    if (err != NULL)
        err->retry_after_s = res->retry_after_s >= 0 ? res->retry_after_s : -1;
    return 1;
}

/* ---- body decoding ---- */

static int form_name_ok(const char *name)
{
    if (*name == '\0')
        return 0;
    for (const char *s = name; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
              ch == '-' || ch == '.' || ch == '[' || ch == ']'))
            return 0;
    }
    return 1;
}

static int form_to_json(void *arg, const char *name, const char *value)
{
    json_t *obj = arg;
    if (!form_name_ok(name))
        return 1; /* not a form: plain text that happens to contain '=' */
    if (json_object_get(obj, name) != NULL)
        return 0; /* repeated field: the first one counts */
    return json_object_set_new(obj, name, json_string(value)) == 0 ? 0 : 1;
}

json_t *ps_decode_body(const char *body, size_t len)
{
    if (body == NULL || len == 0 || len > PS_MAX_RESPONSE)
        return NULL;
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
        i++;
    if (i == len)
        return NULL;
    if (body[i] == '{' || body[i] == '[') {
        json_t *doc = cm_json_loadb(body, len, NULL);
        if (json_is_object(doc))
            return doc;
        json_decref(doc);
        return NULL; /* truncated or non-object JSON is never a form */
    }
    if (body[i] == '<' || memchr(body, '\0', len) != NULL || memchr(body, '=', len) == NULL)
        return NULL;
    /* Trailing line breaks are common after a form body. */
    while (len > 0 && (body[len - 1] == '\n' || body[len - 1] == '\r'))
        len--;
    json_t *obj = json_object();
    if (obj == NULL)
        return NULL;
    if (cm_form_parse(body, len, form_to_json, obj) != 0 || json_object_size(obj) == 0) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}
