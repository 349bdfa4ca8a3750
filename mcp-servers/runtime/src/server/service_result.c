/*
 * service_result.c - finishing a tool with text + structuredContent, registering a tool table, and UTF-8-safe
 * truncation by characters
 * (see mcp/result.h, mcp/server.h).
 */
#include "mcp/result.h"
#include "mcp/server.h"
#include "common/status.h"

#include <stdlib.h>

void mcp_tool_finish_text(mcp_call_t *c, const char *text, json_t *structured)
{
    if (text != NULL)
        mcp_call_add_text(c, text);
    if (structured != NULL)
        mcp_call_set_structured(c, structured);
    mcp_call_finish(c);
}

void mcp_tool_finish_buf(mcp_call_t *c, cm_buf_t *b, json_t *structured)
{
    char *t = cm_buf_take(b);
    if (t == NULL) {
        json_decref(structured);
        mcp_call_fail(c, "out of memory");
        return;
    }
    mcp_tool_finish_text(c, t, structured);
    free(t);
}

int mcp_server_add_tools(mcp_server_t *s, const mcp_tool_def_t *defs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int rc = mcp_server_add_tool(s, &defs[i]);
        if (rc != CM_OK)
            return rc;
    }
    return CM_OK;
}

size_t mcp_utf8_prefix_chars(const char *s, size_t len, size_t max_chars)
{
    size_t chars = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80 && chars++ == max_chars)
            return i;
    return len;
}
