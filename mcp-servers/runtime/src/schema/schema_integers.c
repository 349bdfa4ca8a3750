/*
 * schema_integers.c - whole-number decimals to JSON integers after validation (see schema/schema.h,
 * mcp_schema_normalize_integers): a handler reading {"maxResults": 5.0} with json_integer_value() must
 * see 5, not 0.
 */
#include "common/status.h"
#include "schema/schema.h"
#include "schema/schema_internal.h"

#include <math.h>
#include <string.h>

static int whole_real(const json_t *x)
{
    if (!json_is_real(x))
        return 0;
    double d = json_real_value(x);
    return isfinite(d) && floor(d) == d && d >= -9223372036854775808.0 && d < 9223372036854775808.0;
}

/* 1 when sch's own keywords let x be an integer: "type" names integer, or const / an enum member is an equal integer.
 */
static int allows_integer(const json_t *sch, const json_t *x)
{
    const json_t *kw = json_object_get(sch, "type"), *e;
    size_t i;
    if (json_is_string(kw) && strcmp(json_string_value(kw), "integer") == 0)
        return 1;
    if (json_is_array(kw))
        json_array_foreach(kw, i, e)
        {
            if (json_is_string(e) && strcmp(json_string_value(e), "integer") == 0)
                return 1;
        }
    double d = json_real_value(x);
    kw = json_object_get(sch, "const");
    if (json_is_integer(kw) && (double)json_integer_value(kw) == d)
        return 1;
    json_array_foreach(json_object_get(sch, "enum"), i, e)
    {
        if (json_is_integer(e) && (double)json_integer_value(e) == d)
            return 1;
    }
    return 0;
}

/*
 * Walks x under sch. *slot is x; when x itself must become an integer, *slot receives a new reference
 * (the caller stores it in the parent). Containers are converted in place.
 */
static int fix(const mcp_schema_t *s, const json_t *sch, json_t *x, json_t **slot, int depth);

static int fix_child_obj(const mcp_schema_t *s, const json_t *sch, json_t *obj, const char *k, json_t *val, int depth)
{
    json_t *repl = NULL;
    if (fix(s, sch, val, &repl, depth + 1) != CM_OK)
        return CM_ENOMEM;
    if (repl != NULL && json_object_set_new(obj, k, repl) != 0)
        return CM_ENOMEM;
    return CM_OK;
}

static int fix_object(const mcp_schema_t *s, const json_t *sch, json_t *x, int depth)
{
    const json_t *props = json_object_get(sch, "properties"), *pprops = json_object_get(sch, "patternProperties");
    const json_t *addl = json_object_get(sch, "additionalProperties");
    const char *k;
    json_t *val;
    void *tmp;
    json_object_foreach_safe(x, tmp, k, val)
    {
        int matched = 0;
        const json_t *ps = json_is_object(props) ? json_object_get(props, k) : NULL;
        if (ps != NULL) {
            matched = 1;
            if (fix_child_obj(s, ps, x, k, val, depth) != CM_OK)
                return CM_ENOMEM;
        }
        if (json_is_object(pprops)) {
            const char *pk;
            json_t *pv;
            json_object_foreach((json_t *)pprops, pk, pv)
            {
                const regex_t *re = mcp__schema_find_pattern(s, pv, pk);
                if (re != NULL && regexec(re, k, 0, NULL, 0) == 0) {
                    matched = 1;
                    if (fix_child_obj(s, pv, x, k, json_object_get(x, k), depth) != CM_OK)
                        return CM_ENOMEM;
                }
            }
        }
        if (!matched && json_is_object(addl) && fix_child_obj(s, addl, x, k, val, depth) != CM_OK)
            return CM_ENOMEM;
    }
    return CM_OK;
}

static int fix_array(const mcp_schema_t *s, const json_t *sch, json_t *x, int depth)
{
    const json_t *prefix = json_object_get(sch, "prefixItems"), *items = json_object_get(sch, "items");
    size_t nprefix = json_is_array(prefix) ? json_array_size(prefix) : 0;
    for (size_t i = 0; i < json_array_size(x); i++) {
        const json_t *is = i < nprefix ? json_array_get(prefix, i) : items;
        json_t *repl = NULL;
        if (is == NULL)
            continue;
        if (fix(s, is, json_array_get(x, i), &repl, depth + 1) != CM_OK)
            return CM_ENOMEM;
        if (repl != NULL && json_array_set_new(x, i, repl) != 0)
            return CM_ENOMEM;
    }
    return CM_OK;
}

/* Applies every subschema of a combinator array that x (still) matches; stops when x was replaced. */
static int fix_branches(const mcp_schema_t *s, const json_t *arr, json_t *x, json_t **slot, int depth, int all)
{
    size_t i;
    const json_t *sub;
    json_array_foreach(arr, i, sub)
    {
        if (*slot != NULL)
            break;
        if ((all || mcp__schema_matches(s, sub, x, depth + 1)) && fix(s, sub, x, slot, depth + 1) != CM_OK)
            return CM_ENOMEM;
    }
    return CM_OK;
}

static int fix(const mcp_schema_t *s, const json_t *sch, json_t *x, json_t **slot, int depth)
{
    if (depth > MCP_SCHEMA_MAX_DEPTH || !json_is_object(sch))
        return CM_OK;
    if (whole_real(x) && allows_integer(sch, x)) {
        *slot = json_integer((json_int_t)json_real_value(x));
        return *slot != NULL ? CM_OK : CM_ENOMEM;
    }
    const json_t *kw = json_object_get(sch, "$ref");
    if (json_is_string(kw)) {
        const json_t *t = mcp__schema_resolve_ref(s->root, json_string_value(kw));
        if (t != NULL && fix(s, t, x, slot, depth + 1) != CM_OK)
            return CM_ENOMEM;
    }
    if (*slot == NULL && fix_branches(s, json_object_get(sch, "allOf"), x, slot, depth, 1) != CM_OK)
        return CM_ENOMEM;
    if (*slot == NULL && fix_branches(s, json_object_get(sch, "anyOf"), x, slot, depth, 0) != CM_OK)
        return CM_ENOMEM;
    if (*slot == NULL && fix_branches(s, json_object_get(sch, "oneOf"), x, slot, depth, 0) != CM_OK)
        return CM_ENOMEM;
    if (*slot == NULL && (kw = json_object_get(sch, "if")) != NULL) {
        const json_t *branch = json_object_get(sch, mcp__schema_matches(s, kw, x, depth + 1) ? "then" : "else");
        if (branch != NULL && fix(s, branch, x, slot, depth + 1) != CM_OK)
            return CM_ENOMEM;
    }
    if (*slot != NULL)
        return CM_OK;
    if (json_is_object(x))
        return fix_object(s, sch, x, depth);
    if (json_is_array(x))
        return fix_array(s, sch, x, depth);
    return CM_OK;
}

int mcp_schema_normalize_integers(const mcp_schema_t *s, json_t *instance)
{
    json_t *repl = NULL;
    if (instance == NULL || !(json_is_object(instance) || json_is_array(instance)))
        return CM_OK; /* a scalar root cannot be replaced in place */
    return fix(s, s->root, instance, &repl, 0);
}

static int has_whole_reals(const json_t *x, int depth)
{
    const char *k;
    json_t *v;
    size_t i;
    if (depth > MCP_SCHEMA_MAX_DEPTH)
        return 0;
    if (json_is_object(x))
        json_object_foreach((json_t *)x, k, v)
        {
            if (has_whole_reals(v, depth + 1))
                return 1;
        }
    else if (json_is_array(x))
        json_array_foreach(x, i, v)
        {
            if (has_whole_reals(v, depth + 1))
                return 1;
        }
    return whole_real(x);
}

int mcp_schema_has_whole_reals(const json_t *instance)
{
    return instance != NULL && has_whole_reals(instance, 0);
}
