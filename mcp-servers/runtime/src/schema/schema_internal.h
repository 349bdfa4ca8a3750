/* schema_internal.h - private to schema*.c (regex translation). */
#ifndef MCP_SCHEMA_INTERNAL_H
#define MCP_SCHEMA_INTERNAL_H

#include <jansson.h>
#include <regex.h>
#include <stddef.h>

struct pattern {
    const json_t *node; /* the "pattern" string (or patternProperties key holder + index) */
    const char *text;
    regex_t re;
};

struct mcp_schema {
    json_t *root;
    int has_defaults;
    struct pattern *patterns;
    size_t npatterns;
};

/* The schema a local $ref ("#", "#/$defs/<name>", "#/definitions/<name>") points to, or NULL. Borrowed. */
const json_t *mcp__schema_resolve_ref(const json_t *root, const char *ref);

/* 1 when x matches sch (a node of s) at nesting depth, recording no error. */
int mcp__schema_matches(const struct mcp_schema *s, const json_t *sch, const json_t *x, int depth);
/* The compiled regex of a "pattern" / patternProperties key, or NULL. Borrowed from s. */
const regex_t *mcp__schema_find_pattern(const struct mcp_schema *s, const json_t *node, const char *text);

/* ECMA-262 pattern -> POSIX ERE text in dst. Returns 0, or -1 with a static reason in *why. */
int mcp__regex_translate(const char *ecma, char *dst, size_t dstsz, const char **why);
/* Translates and regcomp's (REG_EXTENDED | REG_NOSUB). Returns 0, or -1 with a message in err. */
int mcp__regex_compile(const char *ecma, regex_t *re, char *err, size_t errsz);

#endif
