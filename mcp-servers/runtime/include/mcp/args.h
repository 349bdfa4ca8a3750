/*
 * args.h - tool argument helpers several services share. Arguments arrive validated against the tool's input schema;
 * these do what a schema cannot (decoding, limits on the decoded size).
 */
#ifndef MCP_ARGS_H
#define MCP_ARGS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The bytes of a file carried in a tool argument: value is its JSON string, text as is (UTF-8), or standard base64
 * with padding when base64 is 1. arg names the argument in error texts. Returns CM_OK with *out (malloc'ed,
 * NUL-terminated, caller frees) and *len (at most max bytes); CM_EINVAL with the tool error text in err (not a
 * string, not base64, above max); CM_ENOMEM. *out is NULL on failure.
 */
int mcp_arg_bytes(const json_t *value, int base64, size_t max, const char *arg, uint8_t **out, size_t *len, char *err,
                  size_t errsz);

#endif
