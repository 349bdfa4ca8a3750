/*
 * json_util.h - small jansson helpers shared by the broker and the MCP runtime.
 */
#ifndef COMMON_JSON_UTIL_H
#define COMMON_JSON_UTIL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define CM_JSON_MAX_DEPTH 64                 /* arrays/objects nested deeper than this are rejected */
#define CM_JSON_MAX_SIZE (16u * 1024 * 1024) /* bytes */

/*
 * Loads a JSON document from a buffer with a nesting/size guard (CM_JSON_MAX_DEPTH, CM_JSON_MAX_SIZE).
 * Duplicate object keys are rejected; any top-level value is accepted. Returns a new reference the
 * caller json_decref()s, or NULL and a message in err (err may be NULL) on failure.
 */
json_t *cm_json_loadb(const char *buf, size_t len, json_error_t *err);
/* String member or NULL (not a string / absent / contains NUL). Borrowed from obj. */
const char *cm_json_str(const json_t *obj, const char *key);
/*
 * Integer member (also accepts a decimal string "-?[0-9]+" within int64 range when allow_string); returns
 * 0 and sets *ok=0 when absent or bad (reals, booleans, overflow). *ok=1 on success; ok may be NULL.
 */
int64_t cm_json_int(const json_t *obj, const char *key, int allow_string, int *ok);
/* Copies src's string member skey to dst as dkey when it is a string (anything else: dst unchanged). For summaries
 * built from a provider's objects. */
void cm_json_copy_str(json_t *dst, const char *dkey, const json_t *src, const char *skey);
/* Compact JSON text of any value (sorted keys off, UTF-8 kept). malloc'ed (free()); NULL on failure. */
char *cm_json_dumps(const json_t *v);

#endif
