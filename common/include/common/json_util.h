/*
 * json_util.h - small jansson helpers shared by the broker and the MCP runtime.
 */
#ifndef COMMON_JSON_UTIL_H
#define COMMON_JSON_UTIL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Loads a JSON document from a buffer with a nesting/size guard. NULL and a message in err on failure. */
json_t *cm_json_loadb(const char *buf, size_t len, json_error_t *err);
/* String member or NULL (not a string / absent). Borrowed from obj. */
const char *cm_json_str(const json_t *obj, const char *key);
/* Integer member (also accepts a decimal string when allow_string); returns 0 and sets *ok=0 when absent or bad. */
int64_t cm_json_int(const json_t *obj, const char *key, int allow_string, int *ok);
/* Compact JSON text (sorted keys off, UTF-8 kept). malloc'ed; NULL on failure. */
char *cm_json_dumps(const json_t *v);

#endif
