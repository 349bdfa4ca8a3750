/*
 * jsonrpc.h - JSON-RPC 2.0, exactly: parsing, classification and the response/error envelopes.
 *
 * Rules implemented (JSON-RPC 2.0 + MCP basic/index):
 *   - a message is an object with "jsonrpc":"2.0";
 *   - request ids are strings or integers (never null, never fractional, never bool) and are echoed
 *     exactly as given;
 *   - a notification has no "id" and is never answered;
 *   - params, when present, is an object or an array (MCP methods then require an object);
 *   - a response has an id and exactly one of result/error;
 *   - batches (JSON arrays) were removed from MCP in 2025-06-18; the current revisions require one
 *     message per POST, so mcp_jsonrpc_classify answers an array with -32600.
 * Parse errors answer with id null (-32700); invalid requests echo the id when it could be read.
 */
#ifndef MCP_JSONRPC_H
#define MCP_JSONRPC_H

#include "mcp/tools.h" /* the error codes (enum mcp_error_code) */

#include <jansson.h>
#include <stddef.h>

typedef enum mcp_msg_kind {
    MCP_MSG_INVALID = 0,
    MCP_MSG_REQUEST,
    MCP_MSG_NOTIFICATION,
    MCP_MSG_RESPONSE, /* a client's answer to a server request (result or error) */
} mcp_msg_kind_t;

/* A classified message. Every pointer is borrowed from the message it was classified from. */
typedef struct mcp_jsonrpc_msg {
    mcp_msg_kind_t kind;
    json_t *id;                /* request/response id (string or integer); NULL for notifications or when unreadable */
    const char *method;        /* requests and notifications */
    json_t *params;            /* object or array; NULL when absent */
    int error_code;            /* for MCP_MSG_INVALID: the JSON-RPC code to answer with */
    const char *error_message; /* static text for MCP_MSG_INVALID */
} mcp_jsonrpc_msg_t;

/* Maximum nesting depth accepted in a message (arrays + objects). */
#define MCP_JSONRPC_MAX_DEPTH 64

/*
 * Parses one JSON text strictly (UTF-8, no duplicate keys, no NUL in strings, nesting at most
 * MCP_JSONRPC_MAX_DEPTH, no trailing data). Returns a new reference the caller json_decref's, or NULL with a
 * static reason in *why (then the answer is -32700).
 */
json_t *mcp_jsonrpc_parse(const char *buf, size_t len, const char **why);

/*
 * The JSON-RPC error for a body mcp_jsonrpc_parse refused. Text that is not JSON: -32700 with id null. Valid JSON
 * that holds an integer outside the signed 64-bit range (JSON numbers are unbounded, request ids here are
 * int64): -32600 Invalid Request, since it is no parse error; *id then receives the request id when it can be
 * carried exactly (a string, or an integer below 2^53 in magnitude), else stays NULL and the answer's id is null
 * (JSON-RPC 2.0 section 5: null when the id cannot be determined; an id of 2^63 or 1e30 cannot be echoed exactly
 * by this server, nor read exactly by JavaScript clients). *id is a new reference (or NULL) the caller decrefs.
 */
int mcp_jsonrpc_parse_error(const char *buf, size_t len, json_t **id);

/* Classifies msg (any JSON value) into out. Returns out->kind. */
mcp_msg_kind_t mcp_jsonrpc_classify(json_t *msg, mcp_jsonrpc_msg_t *out);

/* 1 when id is a valid request id (string or integer). */
int mcp_jsonrpc_id_valid(const json_t *id);

/* {"jsonrpc":"2.0","id":id,"result":result}. Steals result; id is copied by reference (incref). New reference. */
json_t *mcp_jsonrpc_result(json_t *id, json_t *result);
/*
 * {"jsonrpc":"2.0","id":id|null,"error":{"code":code,"message":message[,"data":data]}}.
 * id may be NULL (answers null); data is stolen (may be NULL). New reference.
 */
json_t *mcp_jsonrpc_error(json_t *id, int code, const char *message, json_t *data);
/* Standard message for a JSON-RPC code ("Parse error", "Invalid Request", ...). Static. */
const char *mcp_jsonrpc_code_message(int code);

#endif
