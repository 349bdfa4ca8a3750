/*
 * schema_validate.c - JSON Schema validation and default filling (see schema/schema.h); compile side in schema.c.
 */
#include "common/status.h"
#include "schema/schema.h"
#include "schema/schema_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ validate */

struct vctx {
    const mcp_schema_t *s;
    char path[sizeof(((mcp_schema_error_t *)0)->path) - 4]; /* room for "..." */
    size_t plen;
    int path_truncated;
    mcp_schema_error_t *err;
    int quiet; /* inside anyOf/oneOf/not: do not record */
};

static int verr(struct vctx *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int verr(struct vctx *v, const char *fmt, ...)
{
    if (v->quiet || v->err == NULL)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->err->message, sizeof(v->err->message), fmt, ap);
    va_end(ap);
    snprintf(v->err->path, sizeof(v->err->path), "%s%s", v->path, v->path_truncated ? "..." : "");
    return -1;
}

/* Appends sep + seg to the path; returns the length to restore (path_pop). A path that does not fit is cut there and
 * marked truncated. */
static size_t path_push(struct vctx *v, const char *sep, const char *seg)
{
    size_t saved = v->plen;
    int w = snprintf(v->path + v->plen, sizeof(v->path) - v->plen, "%s%s", sep, seg);
    if (w < 0 || (size_t)w >= sizeof(v->path) - v->plen) {
        v->path[saved] = '\0';
        v->path_truncated = 1;
        return saved;
    }
    v->plen += (size_t)w;
    return saved;
}

static size_t path_push_key(struct vctx *v, const char *key)
{
    return path_push(v, v->plen ? "." : "", key);
}

static size_t path_push_index(struct vctx *v, size_t i)
{
    char seg[32];
    snprintf(seg, sizeof(seg), "[%zu]", i);
    return path_push(v, "", seg);
}

static void path_pop(struct vctx *v, size_t saved)
{
    v->plen = saved;
    v->path[saved] = '\0';
}

static const char *type_of(const json_t *x)
{
    switch (json_typeof(x)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
        return "integer";
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    default:
        return "null";
    }
}

static int is_integral(const json_t *x)
{
    if (json_is_integer(x))
        return 1;
    if (!json_is_real(x))
        return 0;
    double d = json_real_value(x);
    /* a whole number a JSON integer can hold (mcp_schema_normalize_integers converts it to one) */
    return isfinite(d) && floor(d) == d && d >= -9223372036854775808.0 && d < 9223372036854775808.0;
}

static int type_matches(const json_t *x, const char *t)
{
    switch (t[0]) {
    case 'n':
        return t[1] == 'u' ? (t[2] == 'l' ? json_is_null(x) : json_is_number(x)) : 0;
    case 'b':
        return json_is_boolean(x);
    case 'o':
        return json_is_object(x);
    case 'a':
        return json_is_array(x);
    case 's':
        return json_is_string(x);
    case 'i':
        return is_integral(x);
    }
    return 0;
}

/* <0, 0, >0 like strcmp; exact for two integers. */
static int num_cmp(const json_t *a, const json_t *b)
{
    if (json_is_integer(a) && json_is_integer(b)) {
        json_int_t x = json_integer_value(a), y = json_integer_value(b);
        return x < y ? -1 : x > y;
    }
    long double x = json_is_integer(a) ? (long double)json_integer_value(a) : (long double)json_real_value(a);
    long double y = json_is_integer(b) ? (long double)json_integer_value(b) : (long double)json_real_value(b);
    return x < y ? -1 : x > y;
}

/* JSON Schema equality: numbers by value (1 == 1.0), objects unordered. */
static int json_eq(const json_t *a, const json_t *b, int depth)
{
    if (depth > MCP_SCHEMA_MAX_DEPTH)
        return 0;
    if (json_is_number(a) && json_is_number(b))
        return num_cmp(a, b) == 0;
    if (json_typeof(a) != json_typeof(b))
        return 0;
    if (json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b))
            return 0;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!json_eq(json_array_get(a, i), json_array_get(b, i), depth + 1))
                return 0;
        return 1;
    }
    if (json_is_object(a)) {
        const char *k;
        json_t *va;
        if (json_object_size(a) != json_object_size(b))
            return 0;
        json_object_foreach((json_t *)a, k, va)
        {
            json_t *vb = json_object_get(b, k);
            if (vb == NULL || !json_eq(va, vb, depth + 1))
                return 0;
        }
        return 1;
    }
    return json_equal(a, b);
}

static const regex_t *find_pattern(const mcp_schema_t *s, const json_t *node, const char *text)
{
    for (size_t i = 0; i < s->npatterns; i++)
        if (s->patterns[i].node == node && s->patterns[i].text == text)
            return &s->patterns[i].re;
    return NULL;
}

static int validate_node(struct vctx *v, const json_t *sch, const json_t *x, int depth);

const regex_t *mcp__schema_find_pattern(const mcp_schema_t *s, const json_t *node, const char *text)
{
    return find_pattern(s, node, text);
}

int mcp__schema_matches(const mcp_schema_t *s, const json_t *sch, const json_t *x, int depth)
{
    struct vctx v = {.s = s, .quiet = 1};
    return validate_node(&v, sch, x, depth) == 0;
}

static int validate_string(struct vctx *v, const json_t *sch, const json_t *x)
{
    const json_t *kw;
    size_t len = 0;
    int have_len = 0;
    if ((kw = json_object_get(sch, "minLength")) != NULL) {
        len = mcp_utf8_length(json_string_value(x), json_string_length(x));
        have_len = 1;
        if ((json_int_t)len < json_integer_value(kw))
            return verr(v, "must be at least %lld characters long", (long long)json_integer_value(kw));
    }
    if ((kw = json_object_get(sch, "maxLength")) != NULL) {
        if (!have_len)
            len = mcp_utf8_length(json_string_value(x), json_string_length(x));
        if ((json_int_t)len > json_integer_value(kw))
            return verr(v, "must be at most %lld characters long", (long long)json_integer_value(kw));
    }
    if ((kw = json_object_get(sch, "pattern")) != NULL) {
        const regex_t *re = find_pattern(v->s, kw, json_string_value(kw));
        /* regexec sees a C string: an embedded NUL would hide the rest of the value from the pattern */
        if (memchr(json_string_value(x), '\0', json_string_length(x)) != NULL)
            return verr(v, "must not contain a NUL character (pattern %.80s)", json_string_value(kw));
        if (re == NULL || regexec(re, json_string_value(x), 0, NULL, 0) != 0)
            return verr(v, "must match the pattern %.80s", json_string_value(kw));
    }
    return 0;
}

static int validate_number(struct vctx *v, const json_t *sch, const json_t *x)
{
    const json_t *kw;
    if (json_is_real(x) && !isfinite(json_real_value(x)))
        return verr(v, "must be a finite number");
    if ((kw = json_object_get(sch, "minimum")) != NULL && num_cmp(x, kw) < 0)
        return verr(v, "must be >= %g", json_number_value(kw));
    if ((kw = json_object_get(sch, "maximum")) != NULL && num_cmp(x, kw) > 0)
        return verr(v, "must be <= %g", json_number_value(kw));
    if ((kw = json_object_get(sch, "exclusiveMinimum")) != NULL && num_cmp(x, kw) <= 0)
        return verr(v, "must be > %g", json_number_value(kw));
    if ((kw = json_object_get(sch, "exclusiveMaximum")) != NULL && num_cmp(x, kw) >= 0)
        return verr(v, "must be < %g", json_number_value(kw));
    if ((kw = json_object_get(sch, "multipleOf")) != NULL) {
        int ok;
        if (json_is_integer(x) && json_is_integer(kw))
            ok = json_integer_value(x) % json_integer_value(kw) == 0;
        else {
            double q = json_number_value(x) / json_number_value(kw);
            ok = isfinite(q) && fabs(q - nearbyint(q)) < 1e-9;
        }
        if (!ok)
            return verr(v, "must be a multiple of %g", json_number_value(kw));
    }
    return 0;
}

static int validate_array(struct vctx *v, const json_t *sch, const json_t *x, int depth)
{
    const json_t *kw;
    size_t n = json_array_size(x), first_items = 0;
    if ((kw = json_object_get(sch, "minItems")) != NULL && (json_int_t)n < json_integer_value(kw))
        return verr(v, "must have at least %lld items", (long long)json_integer_value(kw));
    if ((kw = json_object_get(sch, "maxItems")) != NULL && (json_int_t)n > json_integer_value(kw))
        return verr(v, "must have at most %lld items", (long long)json_integer_value(kw));
    if ((kw = json_object_get(sch, "prefixItems")) != NULL) {
        first_items = json_array_size(kw);
        for (size_t i = 0; i < n && i < first_items; i++) {
            size_t saved = path_push_index(v, i);
            int rc = validate_node(v, json_array_get(kw, i), json_array_get(x, i), depth + 1);
            path_pop(v, saved);
            if (rc != 0)
                return -1;
        }
    }
    if ((kw = json_object_get(sch, "items")) != NULL) {
        for (size_t i = first_items; i < n; i++) {
            size_t saved = path_push_index(v, i);
            int rc = validate_node(v, kw, json_array_get(x, i), depth + 1);
            path_pop(v, saved);
            if (rc != 0)
                return -1;
        }
    }
    if ((kw = json_object_get(sch, "contains")) != NULL) {
        int found = 0, q = v->quiet;
        v->quiet = 1;
        for (size_t i = 0; i < n && !found; i++)
            found = validate_node(v, kw, json_array_get(x, i), depth + 1) == 0;
        v->quiet = q;
        if (!found)
            return verr(v, "must contain a matching item");
    }
    if (json_is_true(json_object_get(sch, "uniqueItems"))) {
        if (n > MCP_SCHEMA_MAX_UNIQUE_ITEMS)
            return verr(v, "has too many items to check uniqueness (max %d)", MCP_SCHEMA_MAX_UNIQUE_ITEMS);
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++)
                if (json_eq(json_array_get(x, i), json_array_get(x, j), depth))
                    return verr(v, "must not contain duplicate items (%zu and %zu are equal)", i, j);
    }
    return 0;
}

static int validate_object(struct vctx *v, const json_t *sch, const json_t *x, int depth)
{
    const json_t *kw, *props = json_object_get(sch, "properties"), *pprops = json_object_get(sch, "patternProperties");
    const json_t *addl = json_object_get(sch, "additionalProperties");
    const char *k;
    json_t *val;
    size_t n = json_object_size(x);
    if ((kw = json_object_get(sch, "minProperties")) != NULL && (json_int_t)n < json_integer_value(kw))
        return verr(v, "must have at least %lld properties", (long long)json_integer_value(kw));
    if ((kw = json_object_get(sch, "maxProperties")) != NULL && (json_int_t)n > json_integer_value(kw))
        return verr(v, "must have at most %lld properties", (long long)json_integer_value(kw));
    if ((kw = json_object_get(sch, "required")) != NULL) {
        size_t i;
        const json_t *r;
        json_array_foreach(kw, i, r)
        {
            if (json_object_get(x, json_string_value(r)) == NULL) {
                size_t saved = path_push_key(v, json_string_value(r));
                verr(v, "is required");
                path_pop(v, saved);
                return -1;
            }
        }
    }
    const json_t *pnames = json_object_get(sch, "propertyNames");
    json_object_foreach((json_t *)x, k, val)
    {
        size_t saved = path_push_key(v, k);
        int matched = 0, rc = 0;
        if (pnames != NULL) {
            json_t *name = json_string(k);
            rc = name ? validate_node(v, pnames, name, depth + 1) : -1;
            json_decref(name);
        }
        const json_t *ps = rc == 0 && json_is_object(props) ? json_object_get(props, k) : NULL;
        if (ps != NULL) {
            matched = 1;
            rc = validate_node(v, ps, val, depth + 1);
        }
        if (rc == 0 && json_is_object(pprops)) {
            const char *pk;
            json_t *pv;
            json_object_foreach((json_t *)pprops, pk, pv)
            {
                const regex_t *re = find_pattern(v->s, pv, pk);
                if (re != NULL && regexec(re, k, 0, NULL, 0) == 0) {
                    matched = 1;
                    if ((rc = validate_node(v, pv, val, depth + 1)) != 0)
                        break;
                }
            }
        }
        if (rc == 0 && !matched && addl != NULL) {
            if (json_is_false(addl))
                rc = verr(v, "is not an allowed property");
            else
                rc = validate_node(v, addl, val, depth + 1);
        }
        path_pop(v, saved);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int validate_combinators(struct vctx *v, const json_t *sch, const json_t *x, int depth)
{
    const json_t *kw;
    size_t i;
    const json_t *sub;
    if ((kw = json_object_get(sch, "allOf")) != NULL) {
        json_array_foreach(kw, i, sub)
        {
            if (validate_node(v, sub, x, depth + 1) != 0)
                return -1;
        }
    }
    int q = v->quiet;
    if ((kw = json_object_get(sch, "anyOf")) != NULL) {
        int ok = 0;
        v->quiet = 1;
        json_array_foreach(kw, i, sub)
        {
            if (validate_node(v, sub, x, depth + 1) == 0) {
                ok = 1;
                break;
            }
        }
        v->quiet = q;
        if (!ok)
            return verr(v, "must match at least one of the allowed schemas (anyOf)");
    }
    if ((kw = json_object_get(sch, "oneOf")) != NULL) {
        int count = 0;
        v->quiet = 1;
        json_array_foreach(kw, i, sub)
        {
            count += validate_node(v, sub, x, depth + 1) == 0;
        }
        v->quiet = q;
        if (count != 1)
            return verr(v, "must match exactly one of the allowed schemas (oneOf; matched %d)", count);
    }
    if ((kw = json_object_get(sch, "not")) != NULL) {
        v->quiet = 1;
        int rc = validate_node(v, kw, x, depth + 1);
        v->quiet = q;
        if (rc == 0)
            return verr(v, "must not match the schema in \"not\"");
    }
    if ((kw = json_object_get(sch, "if")) != NULL) {
        v->quiet = 1;
        int cond = validate_node(v, kw, x, depth + 1) == 0;
        v->quiet = q;
        const json_t *branch = json_object_get(sch, cond ? "then" : "else");
        if (branch != NULL && validate_node(v, branch, x, depth + 1) != 0)
            return -1;
    }
    return 0;
}

static int validate_node(struct vctx *v, const json_t *sch, const json_t *x, int depth)
{
    const json_t *kw;
    if (depth > MCP_SCHEMA_MAX_DEPTH)
        return verr(v, "is nested too deeply");
    if (json_is_true(sch))
        return 0;
    if (json_is_false(sch))
        return verr(v, "is not allowed");

    if ((kw = json_object_get(sch, "$ref")) != NULL) {
        const json_t *target = mcp__schema_resolve_ref(v->s->root, json_string_value(kw));
        if (target == NULL || validate_node(v, target, x, depth + 1) != 0)
            return target == NULL ? verr(v, "schema $ref does not resolve") : -1;
    }
    if ((kw = json_object_get(sch, "type")) != NULL) {
        int ok = 0;
        if (json_is_string(kw))
            ok = type_matches(x, json_string_value(kw));
        else {
            size_t i;
            const json_t *t;
            json_array_foreach(kw, i, t)
            {
                if (type_matches(x, json_string_value(t))) {
                    ok = 1;
                    break;
                }
            }
        }
        if (!ok) {
            if (json_is_string(kw))
                return verr(v, "must be of type %s (got %s)", json_string_value(kw), type_of(x));
            return verr(v, "has the wrong type (got %s)", type_of(x));
        }
    }
    if ((kw = json_object_get(sch, "const")) != NULL && !json_eq(kw, x, 0))
        return verr(v, "must be the constant value given by the schema");
    if ((kw = json_object_get(sch, "enum")) != NULL) {
        size_t i;
        const json_t *e;
        int ok = 0;
        json_array_foreach(kw, i, e)
        {
            if (json_eq(e, x, 0)) {
                ok = 1;
                break;
            }
        }
        if (!ok) {
            char *allowed = json_dumps(kw, JSON_COMPACT | JSON_ENCODE_ANY);
            int rc = verr(v, "must be one of %.180s", allowed ? allowed : "the allowed values");
            free(allowed);
            return rc;
        }
    }
    int rc = 0;
    if (json_is_string(x))
        rc = validate_string(v, sch, x);
    else if (json_is_number(x))
        rc = validate_number(v, sch, x);
    else if (json_is_array(x))
        rc = validate_array(v, sch, x, depth);
    else if (json_is_object(x))
        rc = validate_object(v, sch, x, depth);
    if (rc != 0)
        return -1;
    return validate_combinators(v, sch, x, depth);
}

int mcp_schema_validate(const mcp_schema_t *s, const json_t *instance, mcp_schema_error_t *err)
{
    struct vctx v = {.s = s, .err = err};
    if (err != NULL)
        err->path[0] = err->message[0] = '\0';
    if (instance == NULL)
        return CM_EINVAL;
    return validate_node(&v, s->root, instance, 0) == 0 ? CM_OK : CM_EINVAL;
}

/* ------------------------------------------------------------------ defaults */

static int apply_defaults(const json_t *root, const json_t *sch, json_t *x, int depth)
{
    if (depth > MCP_SCHEMA_MAX_DEPTH || !json_is_object(sch) || !json_is_object(x))
        return CM_OK;
    const json_t *ref = json_object_get(sch, "$ref");
    if (json_is_string(ref)) {
        const json_t *t = mcp__schema_resolve_ref(root, json_string_value(ref));
        if (t != NULL && apply_defaults(root, t, x, depth + 1) != CM_OK)
            return CM_ENOMEM;
    }
    const json_t *props = json_object_get(sch, "properties");
    if (!json_is_object(props))
        return CM_OK;
    const char *k;
    json_t *ps;
    json_object_foreach((json_t *)props, k, ps)
    {
        json_t *cur = json_object_get(x, k);
        const json_t *def = json_is_object(ps) ? json_object_get(ps, "default") : NULL;
        if (cur == NULL && def != NULL) {
            json_t *copy = json_deep_copy(def);
            if (copy == NULL || json_object_set_new(x, k, copy) != 0)
                return CM_ENOMEM;
        } else if (cur != NULL && json_is_object(cur)) {
            if (apply_defaults(root, ps, cur, depth + 1) != CM_OK)
                return CM_ENOMEM;
        }
    }
    return CM_OK;
}

int mcp_schema_apply_defaults(const mcp_schema_t *s, json_t *instance)
{
    return apply_defaults(s->root, s->root, instance, 0);
}
