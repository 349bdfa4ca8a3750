/*
 * result.h - finishing a tool call with readable text plus structuredContent, and cutting UTF-8 text by characters
 * for result texts (the result builders themselves, mcp_call_add_text / mcp_call_finish / mcp_call_fail, are in
 * tools.h).
 *
 * All functions run on the loop thread of the call they take (like the rest of tools.h).
 */
#ifndef MCP_RESULT_H
#define MCP_RESULT_H

#include "common/url.h"
#include "mcp/tools.h"

#include <jansson.h>
#include <stddef.h>

/* Finishes the call with one text block (copied; UTF-8; NULL adds none, for a tool that added its blocks itself)
 * and structuredContent (stolen; may be NULL). The call is freed: touch it no more. */
void mcp_tool_finish_text(mcp_call_t *c, const char *text, json_t *structured);
/* The same with the text taken from b (b is emptied; the caller still owns b itself). When b failed (out of memory)
 * the call fails instead and structured is released. The call is freed. */
void mcp_tool_finish_buf(mcp_call_t *c, cm_buf_t *b, json_t *structured);

/* The byte length of the first max_chars characters (code points) of s (len bytes of UTF-8, borrowed), or len when
 * s is shorter: a cut there never splits a multi-byte sequence. (mcp_utf8_truncate in mail/mime.h cuts by bytes.) */
size_t mcp_utf8_prefix_chars(const char *s, size_t len, size_t max_chars);

#endif
