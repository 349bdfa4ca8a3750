/*
 * tools.h - tool definitions and the tools/call API that tool handlers use.
 *
 * A service registers its tools once at startup (mcp_server_add_tool, server.h); the registry is immutable while
 * serving. tools/list pages through the tools in registration order (deterministic, as 2026-07-28
 * asks) with opaque cursors; an unknown cursor is -32602.
 *
 * tools/call: the runtime finds the tool (unknown -> -32602), fills defaults into the arguments,
 * validates them against inputSchema (failure -> a tool result with isError:true naming the field, as
 * SEP-1303 prescribes), then calls the handler with an mcp_call_t. The handler answers - at once or
 * later, always on the loop thread - with exactly one of mcp_call_finish / mcp_call_fail /
 * mcp_call_error. Results carry content blocks; a tool with an outputSchema must set
 * structuredContent that matches it (checked: a mismatch becomes -32603, a server bug); when content is
 * empty the serialized structuredContent is added as a text block for older clients.
 *
 * Notifications related to a call (log messages, progress) go out on the call's SSE stream: the
 * transport switches the response to text/event-stream at the first one. They are dropped when the
 * client did not ask for them (no progressToken; log level below the requested threshold).
 */
#ifndef MCP_TOOLS_H
#define MCP_TOOLS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mcp_call mcp_call_t;

/* A tool handler. args is the validated arguments object: borrowed for the handler's duration (incref to keep),
 * read-only (it may be the request's own object). */
typedef void (*mcp_tool_fn)(mcp_call_t *call, json_t *args, void *data);

/* Tri-state behaviour hints (MCP ToolAnnotations); 0 = not stated. */
typedef enum mcp_hint { MCP_HINT_UNSET = 0, MCP_HINT_TRUE = 1, MCP_HINT_FALSE = 2 } mcp_hint_t;

typedef struct mcp_tool_annotations {
    mcp_hint_t read_only;   /* readOnlyHint */
    mcp_hint_t destructive; /* destructiveHint */
    mcp_hint_t idempotent;  /* idempotentHint */
    mcp_hint_t open_world;  /* openWorldHint */
} mcp_tool_annotations_t;

/* The annotations of a tool table entry from four booleans (read-only, destructive, idempotent, open world): a
 * constant expression, so a service's `static const mcp_tool_def_t` table can use it. */
#define MCP_HINT_OF(b) ((b) ? MCP_HINT_TRUE : MCP_HINT_FALSE)
#define MCP_HINTS(r, d, i, o)                                                                                          \
    {                                                                                                                  \
        .read_only = MCP_HINT_OF(r), .destructive = MCP_HINT_OF(d), .idempotent = MCP_HINT_OF(i),                      \
        .open_world = MCP_HINT_OF(o)                                                                                   \
    }

/* Whether a call of the tool may run as a task (the 2026-07-28 tasks extension, io.modelcontextprotocol/tasks). A
 * client that declared the extension gets a task for an optional or required tool (or the result at once when the
 * handler answers before returning); a client that did not gets the result directly for an optional tool and -32021
 * for a required one. Listed as execution.taskSupport. */
typedef enum mcp_task_support {
    MCP_TASK_FORBIDDEN = 0, /* default: always answered directly */
    MCP_TASK_OPTIONAL,
    MCP_TASK_REQUIRED, /* only ever as a task */
} mcp_task_support_t;

typedef struct mcp_tool_def {
    const char *name;          /* required: 1..128 of [A-Za-z0-9_.-], unique */
    const char *title;         /* optional */
    const char *description;   /* optional but recommended */
    const char *input_schema;  /* JSON text; NULL = {"type":"object","additionalProperties":false} */
    const char *output_schema; /* JSON text or NULL */
    mcp_tool_annotations_t annotations;
    mcp_tool_fn fn; /* required */
    void *data;     /* passed to fn */
    int confirm;    /* 1: ask the user to confirm before the handler runs when the service runs with confirmation on
                       (MCP_CONFIRM_DESTRUCTIVE=1) and the client declared form elicitation - for tools that send
                       something (mail, messages); tools with destructiveHint true are confirmed anyway */
    mcp_task_support_t task_support; /* default MCP_TASK_FORBIDDEN (last: service tables initialize by position) */
} mcp_tool_def_t;

/* ------------------------------------------------------------------ calls */

/* Log levels of notifications/message (RFC 5424 order). */
enum mcp_log_level {
    MCP_LOG_DEBUG = 0,
    MCP_LOG_INFO,
    MCP_LOG_NOTICE,
    MCP_LOG_WARNING,
    MCP_LOG_ERROR,
    MCP_LOG_CRITICAL,
    MCP_LOG_ALERT,
    MCP_LOG_EMERGENCY,
};
/* "debug".."emergency" (s borrowed) -> level, -1 when unknown; the name of a level (static storage). */
int mcp_log_level_from_str(const char *s);
const char *mcp_log_level_str(int level);

/* The instance this call runs for (borrowed, NUL-terminated). */
const char *mcp_call_instance(const mcp_call_t *c);
const char *mcp_call_tool(const mcp_call_t *c); /* the tool's name (borrowed from the call) */
/* The negotiated protocol version of the request (borrowed from the call). */
const char *mcp_call_protocol_version(const mcp_call_t *c);
/* Per-call context the service attached (see mcp_server_options_t.call_context) - borrowed. */
void *mcp_call_context(const mcp_call_t *c);
/* The client's declared capabilities for this call (borrowed from the call): in 2026-07-28 those of the request's
 * _meta; in the legacy era the input capabilities (elicitation, sampling, roots) the session's initialize declared. */
json_t *mcp_call_client_capabilities(const mcp_call_t *c);
/* 1 once the call was abandoned (notifications/cancelled, the tool timeout, or a client that cannot resume went
 * away): finish anyway, the result is discarded; start no further step. */
int mcp_call_abandoned(const mcp_call_t *c);
/* Stops the work a call has in flight. Runs once, on the loop thread, when the call is abandoned; it must end the
 * call (mcp_call_fail/finish/error: nothing is sent) unless the work's own completion will. */
typedef void (*mcp_call_abort_fn)(mcp_call_t *c, void *arg);
/* Registers (fn non-NULL) or clears (NULL) the abort hook of c: set it while an upstream request is in flight, clear
 * it when that request completes. arg is borrowed. */
void mcp_call_set_abort(mcp_call_t *c, mcp_call_abort_fn fn, void *arg);
/* The legacy session (Mcp-Session-Id) the call runs in (borrowed from the call); NULL when sessionless. */
const char *mcp_call_session_id(const mcp_call_t *c);
/* Sends msg (stolen: a JSON-RPC notification or request) on the call's response stream, before its result; the
 * response switches to text/event-stream. Dropped once the call is abandoned. See mcp/streams.h. */
void mcp_call_send(mcp_call_t *c, json_t *msg);

/* Adds {"type":"text","text":text} (copied; must be UTF-8). */
void mcp_call_add_text(mcp_call_t *c, const char *text);
/* Adds a content block (image, audio, resource_link, resource, ...). Steals block. */
void mcp_call_add_content(mcp_call_t *c, json_t *block);
/* Sets structuredContent. Steals value. */
void mcp_call_set_structured(mcp_call_t *c, json_t *value);
/* Sends the result built so far (isError false). The call is freed: do not touch it afterwards. */
void mcp_call_finish(mcp_call_t *c);
/* Sends a tool execution error: {"content":[{"type":"text","text":<message>}],"isError":true}. Frees the call. */
void mcp_call_fail(mcp_call_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* JSON-RPC error codes (mcp_call_error, mcp_call_error_data; the runtime answers with them too). */
enum mcp_error_code {
    MCP_JSONRPC_PARSE_ERROR = -32700,
    MCP_JSONRPC_INVALID_REQUEST = -32600,
    MCP_JSONRPC_METHOD_NOT_FOUND = -32601,
    MCP_JSONRPC_INVALID_PARAMS = -32602,
    MCP_JSONRPC_INTERNAL_ERROR = -32603,
    /* 2025-11-25 and earlier: resource not found */
    MCP_ERR_RESOURCE_NOT_FOUND = -32002,
    /* 2026-07-28 (HTTP 400 each) */
    MCP_ERR_HEADER_MISMATCH = -32020,
    MCP_ERR_MISSING_CLIENT_CAPABILITY = -32021,
    MCP_ERR_UNSUPPORTED_PROTOCOL_VERSION = -32022,
};

/* Sends a JSON-RPC error instead of a result (protocol-level failures only). Frees the call; message copied. */
void mcp_call_error(mcp_call_t *c, int code, const char *message);
/* Like mcp_call_error with a data member (stolen). Frees the call. */
void mcp_call_error_data(mcp_call_t *c, int code, const char *message, json_t *data);

/* notifications/message for this call when level >= the client's threshold. data is stolen; logger is copied. */
void mcp_call_log(mcp_call_t *c, int level, const char *logger, json_t *data);
/* notifications/progress when the request carried a progressToken. total < 0 = unknown; message may be NULL
 * (copied). */
void mcp_call_progress(mcp_call_t *c, double progress, double total, const char *message);

#endif
