/*
 * schema.h - a strict JSON Schema (2020-12 subset) validator for tool arguments and results.
 *
 * Keywords: type (name or list), enum, const, properties, required, additionalProperties (bool or
 * schema), patternProperties, propertyNames, minProperties, maxProperties, items (schema), prefixItems,
 * minItems, maxItems, uniqueItems, minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf,
 * minLength, maxLength (counted in Unicode code points), pattern, allOf, anyOf, oneOf, not,
 * if/then/else, $ref to "#" or "#/$defs/<name>" (and "#/definitions/<name>"), default (see
 * mcp_schema_apply_defaults). Annotations (title, description, format, examples, ...) are accepted
 * and ignored. Boolean schemas are supported.
 *
 * Patterns are ECMA-262 syntax translated to POSIX extended regular expressions: \d \D \w \W \s \S,
 * (?:...), lazy quantifiers (matched as greedy: same language), \uXXXX and the usual escapes.
 * Look-around, back-references and \b are rejected when the schema is compiled, so a bad pattern is
 * a registration error, never a run-time surprise. Matching is by bytes (a "." matches one byte).
 *
 * Hostile input: recursion is bounded (MCP_SCHEMA_MAX_DEPTH), uniqueItems is bounded
 * (MCP_SCHEMA_MAX_UNIQUE_ITEMS), numbers compare exactly when both are integers.
 */
#ifndef MCP_SCHEMA_H
#define MCP_SCHEMA_H

#include <jansson.h>
#include <stddef.h>

#define MCP_SCHEMA_MAX_DEPTH 64
#define MCP_SCHEMA_MAX_UNIQUE_ITEMS 1000

typedef struct mcp_schema mcp_schema_t;

/* The first violation found. path is "" for the root, else e.g. "user.emails[2]". */
typedef struct mcp_schema_error {
    char path[256];
    char message[256];
} mcp_schema_error_t;

/*
 * Checks schema (keyword types, resolvable $refs, compilable patterns) and prepares it. schema is
 * borrowed and incref'd (the compiled schema keeps a reference). Returns a schema the caller frees
 * with mcp_schema_free, or NULL with a one-line reason in err.
 */
mcp_schema_t *mcp_schema_compile(json_t *schema, char *err, size_t errsz);
void mcp_schema_free(mcp_schema_t *s);
/* The schema document (borrowed from s). */
json_t *mcp_schema_json(const mcp_schema_t *s);

/* Validates instance. Returns CM_OK, or CM_EINVAL and fills err (when not NULL). */
int mcp_schema_validate(const mcp_schema_t *s, const json_t *instance, mcp_schema_error_t *err);

/*
 * Adds the "default" of every absent property (recursively through present object properties) to
 * instance, which must be a mutable object. Defaults are deep-copied. Returns CM_OK or CM_ENOMEM.
 */
int mcp_schema_apply_defaults(const mcp_schema_t *s, json_t *instance);

/*
 * Whole-number decimals: validation accepts 5.0 where the schema says "integer" (JSON Schema), but
 * json_integer_value() reads a real as 0. After a successful mcp_schema_validate, replaces every
 * whole-number real of instance (a mutable object or array, recursively: properties,
 * patternProperties, additionalProperties, items, prefixItems, $ref, allOf, and the anyOf/oneOf/
 * if-then-else branches it matches) whose schema allows "integer" (type, or an integer const/enum
 * member) by the equal JSON integer. Returns CM_OK or CM_ENOMEM (instance then partly converted).
 */
int mcp_schema_normalize_integers(const mcp_schema_t *s, json_t *instance);

/* 1 when instance holds a whole-number real anywhere (then mcp_schema_normalize_integers may change it). */
int mcp_schema_has_whole_reals(const json_t *instance);

/* 1 when the schema declares any "default" (then mcp_schema_apply_defaults may change instances). */
int mcp_schema_has_defaults(const mcp_schema_t *s);

/* Number of Unicode code points in a UTF-8 string of len bytes. */
size_t mcp_utf8_length(const char *s, size_t len);

#endif
