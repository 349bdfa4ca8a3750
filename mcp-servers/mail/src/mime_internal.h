/* mime_internal.h - private helpers shared by the mime_*.c and html_text.c files of the mail library. */
#ifndef MCP_MIME_INTERNAL_H
#define MCP_MIME_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid / truncated (len bytes available). */
size_t mcp__utf8_seq(const unsigned char *s, size_t len);
/* 1 when the len bytes at s are valid UTF-8. */
int mcp__utf8_valid(const char *s, size_t len);
/* Appends the UTF-8 encoding of cp (U+FFFD for surrogates / out of range) to out (>= 4 bytes); returns bytes. */
size_t mcp__utf8_put(uint32_t cp, char *out);

#endif
