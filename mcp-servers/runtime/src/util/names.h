/* names.h (private) - the one check of identifier-like names (instance ids in URLs, tool / prompt / argument
 * names). */
#ifndef MCP_UTIL_NAMES_H
#define MCP_UTIL_NAMES_H

#include <stddef.h>

/* 1 when s (may be NULL) is 1..max_len characters of [A-Za-z0-9] or of the characters in punct, else 0. */
int mcp__name_valid(const char *s, size_t max_len, const char *punct);

#endif
