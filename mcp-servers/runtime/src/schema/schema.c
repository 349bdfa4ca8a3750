/*
 * schema.c - JSON Schema compile (check + regex preparation) and validation (see schema/schema.h).
 */
#include "schema/schema.h"
#include "common/status.h"
#include "schema/schema_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ helpers */

size_t mcp_utf8_length(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

const json_t *mcp__schema_resolve_ref(const json_t *root, const char *ref)
{
    if (strcmp(ref, "#") == 0)
        return root;
    const char *name = NULL;
    const json_t *defs = NULL;
    if (strncmp(ref, "#/$defs/", 8) == 0) {
        name = ref + 8;
        defs = json_object_get(root, "$defs");
    } else if (strncmp(ref, "#/definitions/", 14) == 0) {
        name = ref + 14;
        defs = json_object_get(root, "definitions");
    }
    if (name == NULL || !json_is_object(defs) || strchr(name, '/') != NULL || strchr(name, '~') != NULL)
        return NULL;
    const json_t *t = json_object_get(defs, name);
    return (json_is_object(t) || json_is_boolean(t)) ? t : NULL;
}

static int is_type_name(const char *t)
{
    static const char *const names[] = {"null", "boolean", "object", "array", "number", "string", "integer"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(t, names[i]) == 0)
            return 1;
    return 0;
}

static int is_nonneg_int(const json_t *v)
{
    return json_is_integer(v) && json_integer_value(v) >= 0;
}

/* ------------------------------------------------------------------ compile */

struct compile_ctx {
    mcp_schema_t *s;
    char *err;
    size_t errsz;
};

static int fail(struct compile_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct compile_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, c->errsz, fmt, ap);
    va_end(ap);
    return -1;
}

static int add_pattern(struct compile_ctx *c, const json_t *node, const char *text)
{
    struct pattern *grown = realloc(c->s->patterns, (c->s->npatterns + 1) * sizeof(*grown));
    if (grown == NULL)
        return fail(c, "out of memory");
    c->s->patterns = grown;
    struct pattern *p = &grown[c->s->npatterns];
    char why[160];
    if (mcp__regex_compile(text, &p->re, why, sizeof(why)) != 0)
        return fail(c, "%s (\"%.60s\")", why, text);
    p->node = node;
    p->text = text;
    c->s->npatterns++;
    return 0;
}

static int compile_node(struct compile_ctx *c, const json_t *sch, int depth);

static int compile_array_of_schemas(struct compile_ctx *c, const json_t *arr, const char *kw, int depth)
{
    size_t i;
    const json_t *v;
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return fail(c, "\"%s\" must be a non-empty array of schemas", kw);
    json_array_foreach(arr, i, v)
    {
        if (compile_node(c, v, depth + 1) != 0)
            return -1;
    }
    return 0;
}

static int compile_node(struct compile_ctx *c, const json_t *sch, int depth)
{
    const char *k;
    const json_t *v;
    if (depth > MCP_SCHEMA_MAX_DEPTH)
        return fail(c, "schema nested too deeply");
    if (json_is_boolean(sch))
        return 0;
    if (!json_is_object(sch))
        return fail(c, "a schema must be an object or a boolean");
    json_object_foreach((json_t *)sch, k, v)
    {
        if (strcmp(k, "type") == 0) {
            if (json_is_string(v)) {
                if (!is_type_name(json_string_value(v)))
                    return fail(c, "unknown type \"%s\"", json_string_value(v));
            } else if (json_is_array(v) && json_array_size(v) > 0) {
                size_t i;
                const json_t *t;
                json_array_foreach(v, i, t)
                {
                    if (!json_is_string(t) || !is_type_name(json_string_value(t)))
                        return fail(c, "\"type\" lists an unknown type");
                }
            } else {
                return fail(c, "\"type\" must be a type name or a non-empty array of them");
            }
        } else if (strcmp(k, "properties") == 0 || strcmp(k, "$defs") == 0 || strcmp(k, "definitions") == 0 ||
                   strcmp(k, "patternProperties") == 0) {
            const char *pk;
            const json_t *pv;
            if (!json_is_object(v))
                return fail(c, "\"%s\" must be an object", k);
            json_object_foreach((json_t *)v, pk, pv)
            {
                if (k[0] == 'p' && k[1] == 'a' && add_pattern(c, pv, pk) != 0)
                    return -1;
                if (compile_node(c, pv, depth + 1) != 0)
                    return -1;
            }
        } else if (strcmp(k, "additionalProperties") == 0 || strcmp(k, "items") == 0 || strcmp(k, "not") == 0 ||
                   strcmp(k, "propertyNames") == 0 || strcmp(k, "if") == 0 || strcmp(k, "then") == 0 ||
                   strcmp(k, "else") == 0 || strcmp(k, "contains") == 0) {
            if (compile_node(c, v, depth + 1) != 0)
                return -1;
        } else if (strcmp(k, "allOf") == 0 || strcmp(k, "anyOf") == 0 || strcmp(k, "oneOf") == 0 ||
                   strcmp(k, "prefixItems") == 0) {
            if (compile_array_of_schemas(c, v, k, depth) != 0)
                return -1;
        } else if (strcmp(k, "required") == 0) {
            size_t i;
            const json_t *r;
            if (!json_is_array(v))
                return fail(c, "\"required\" must be an array of strings");
            json_array_foreach(v, i, r)
            {
                if (!json_is_string(r))
                    return fail(c, "\"required\" must be an array of strings");
            }
        } else if (strcmp(k, "enum") == 0) {
            if (!json_is_array(v))
                return fail(c, "\"enum\" must be an array");
        } else if (strcmp(k, "minimum") == 0 || strcmp(k, "maximum") == 0 || strcmp(k, "exclusiveMinimum") == 0 ||
                   strcmp(k, "exclusiveMaximum") == 0) {
            if (!json_is_number(v))
                return fail(c, "\"%s\" must be a number", k);
        } else if (strcmp(k, "multipleOf") == 0) {
            if (!json_is_number(v) || json_number_value(v) <= 0)
                return fail(c, "\"multipleOf\" must be a number greater than 0");
        } else if (strcmp(k, "minLength") == 0 || strcmp(k, "maxLength") == 0 || strcmp(k, "minItems") == 0 ||
                   strcmp(k, "maxItems") == 0 || strcmp(k, "minProperties") == 0 || strcmp(k, "maxProperties") == 0) {
            if (!is_nonneg_int(v))
                return fail(c, "\"%s\" must be a non-negative integer", k);
        } else if (strcmp(k, "uniqueItems") == 0) {
            if (!json_is_boolean(v))
                return fail(c, "\"uniqueItems\" must be a boolean");
        } else if (strcmp(k, "pattern") == 0) {
            if (!json_is_string(v))
                return fail(c, "\"pattern\" must be a string");
            if (add_pattern(c, v, json_string_value(v)) != 0)
                return -1;
        } else if (strcmp(k, "$ref") == 0) {
            if (!json_is_string(v) || mcp__schema_resolve_ref(c->s->root, json_string_value(v)) == NULL)
                return fail(c, "unresolvable $ref (only \"#\", \"#/$defs/<name>\" and \"#/definitions/<name>\")");
        } else if (strcmp(k, "default") == 0)
            c->s->has_defaults = 1;
        /* everything else is an annotation (title, description, format, examples, ...) */
    }
    return 0;
}

mcp_schema_t *mcp_schema_compile(json_t *schema, char *err, size_t errsz)
{
    mcp_schema_t *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        snprintf(err, errsz, "out of memory");
        return NULL;
    }
    s->root = json_incref(schema);
    struct compile_ctx c = {s, err, errsz};
    if (schema == NULL || compile_node(&c, schema, 0) != 0) {
        if (schema == NULL)
            snprintf(err, errsz, "schema is missing");
        mcp_schema_free(s);
        return NULL;
    }
    return s;
}

void mcp_schema_free(mcp_schema_t *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->npatterns; i++)
        regfree(&s->patterns[i].re);
    free(s->patterns);
    json_decref(s->root);
    free(s);
}

int mcp_schema_has_defaults(const mcp_schema_t *s)
{
    return s->has_defaults;
}

json_t *mcp_schema_json(const mcp_schema_t *s)
{
    return s->root;
}
