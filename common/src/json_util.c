/*
 * json_util.c - guarded JSON loading and typed member access on jansson.
 */
#include "common/json_util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(long long) == sizeof(int64_t), "strtoll must cover int64_t");

static void set_error(json_error_t *err, size_t position, enum json_error_code code, const char *msg)
{
    if (err == NULL)
        return;
    memset(err, 0, sizeof(*err));
    err->line = -1;
    err->column = -1;
    err->position = position > (size_t)INT_MAX ? INT_MAX : (int)position;
    snprintf(err->source, sizeof(err->source), "%s", "<buffer>");
    snprintf(err->text, sizeof(err->text) - 1, "%s", msg);
    err->text[JSON_ERROR_TEXT_LENGTH - 1] = (char)code; /* where json_error_code() reads it */
}

/*
 * Returns the offset of the first bracket that opens level CM_JSON_MAX_DEPTH + 1, or len when the
 * nesting stays within the limit. Brackets inside strings do not count. Syntax is not checked here:
 * jansson does that afterwards; this only keeps it from recursing deeply on hostile input.
 */
static size_t depth_violation(const char *buf, size_t len)
{
    size_t depth = 0;
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (in_string) {
            if (c == '\\')
                i++; /* skip the escaped character ("\"" does not end the string) */
            else if (c == '"')
                in_string = 0;
            continue;
        }
        switch (c) {
        case '"':
            in_string = 1;
            break;
        case '[':
        case '{':
            if (++depth > CM_JSON_MAX_DEPTH)
                return i;
            break;
        case ']':
        case '}':
            if (depth > 0)
                depth--;
            break;
        default:
            break;
        }
    }
    return len;
}

json_t *cm_json_loadb(const char *buf, size_t len, json_error_t *err)
{
    if (buf == NULL) {
        set_error(err, 0, json_error_invalid_argument, "no input");
        return NULL;
    }
    if (len > CM_JSON_MAX_SIZE) {
        set_error(err, 0, json_error_invalid_argument, "JSON document too large");
        return NULL;
    }
    size_t at = depth_violation(buf, len);
    if (at < len) {
        set_error(err, at, json_error_stack_overflow, "JSON nested too deeply");
        return NULL;
    }
    return json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, err);
}

const char *cm_json_str(const json_t *obj, const char *key)
{
    if (obj == NULL || key == NULL || !json_is_object(obj))
        return NULL;
    const json_t *v = json_object_get(obj, key);
    if (v == NULL || !json_is_string(v))
        return NULL;
    const char *s = json_string_value(v);
    /* A string built with json_stringn() can hold NUL; as a C string it would silently truncate. */
    if (s == NULL || strlen(s) != json_string_length(v))
        return NULL;
    return s;
}

/* Strict decimal: optional '-', then digits only; no blanks, '+', or trailing text; in int64 range. */
static int parse_decimal(const char *s, int64_t *out)
{
    const char *p = s;
    if (*p == '-')
        p++;
    if (*p < '0' || *p > '9')
        return 0;
    for (const char *q = p; *q != '\0'; q++)
        if (*q < '0' || *q > '9')
            return 0;
    errno = 0;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (errno == ERANGE || end == NULL || *end != '\0')
        return 0;
    *out = (int64_t)v;
    return 1;
}

int64_t cm_json_int(const json_t *obj, const char *key, int allow_string, int *ok)
{
    int64_t v = 0;
    int good = 0;
    if (obj != NULL && key != NULL && json_is_object(obj)) {
        const json_t *m = json_object_get(obj, key);
        if (json_is_integer(m)) {
            v = (int64_t)json_integer_value(m);
            good = 1;
        } else if (allow_string && json_is_string(m) && strlen(json_string_value(m)) == json_string_length(m)) {
            good = parse_decimal(json_string_value(m), &v);
        }
    }
    if (!good)
        v = 0;
    if (ok != NULL)
        *ok = good;
    return v;
}

char *cm_json_dumps(const json_t *v)
{
    if (v == NULL)
        return NULL;
    const size_t flags = JSON_COMPACT | JSON_ENCODE_ANY;
    /* json_dumps() allocates with jansson's allocator; size first so the result is plain malloc. */
    size_t n = json_dumpb(v, NULL, 0, flags);
    if (n == 0)
        return NULL;
    char *out = malloc(n + 1);
    if (out == NULL)
        return NULL;
    if (json_dumpb(v, out, n, flags) != n) {
        free(out);
        return NULL;
    }
    out[n] = '\0';
    return out;
}

void cm_json_copy_str(json_t *dst, const char *dkey, const json_t *src, const char *skey)
{
    const json_t *v = json_object_get(src, skey);
    if (json_is_string(v))
        json_object_set_new(dst, dkey, json_stringn(json_string_value(v), json_string_length(v)));
}
