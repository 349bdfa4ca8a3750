/*
 * jsonrpc.c - JSON-RPC 2.0 parsing and envelopes (see protocol/jsonrpc.h).
 */
#include "protocol/jsonrpc.h"

#include <string.h>

/* Measures nesting depth without recursion on the input text: strings are skipped, brackets counted. */
static int depth_ok(const char *buf, size_t len)
{
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
            continue;
        }
        if (c == '"')
            in_str = 1;
        else if (c == '[' || c == '{') {
            if (++depth > MCP_JSONRPC_MAX_DEPTH)
                return 0;
        } else if (c == ']' || c == '}')
            depth--;
    }
    return 1;
}

json_t *mcp_jsonrpc_parse(const char *buf, size_t len, const char **why)
{
    json_error_t err;
    if (buf == NULL || len == 0) {
        *why = "empty body";
        return NULL;
    }
    if (!depth_ok(buf, len)) {
        *why = "JSON nesting too deep";
        return NULL;
    }
    json_t *v = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);
    if (v == NULL) {
        *why = json_error_code(&err) == json_error_numeric_overflow
                   ? "a number is outside the range this server represents (integers: signed 64-bit)"
                   : "invalid JSON";
        return NULL;
    }
    return v;
}

/* Below 2^53 in magnitude every integer is exactly a double: such an id read as a real is still the client's id. */
#define EXACT_REAL_LIMIT 9007199254740992.0

int mcp_jsonrpc_parse_error(const char *buf, size_t len, json_t **id)
{
    json_error_t err;
    *id = NULL;
    if (buf == NULL || len == 0 || !depth_ok(buf, len))
        return MCP_JSONRPC_PARSE_ERROR;
    json_t *v = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);
    if (v != NULL) {
        json_decref(v);
        return MCP_JSONRPC_INVALID_REQUEST;
    }
    if (json_error_code(&err) != json_error_numeric_overflow)
        return MCP_JSONRPC_PARSE_ERROR;
    /* jansson stops at the first integer it cannot hold: read the text again with integers as reals, which proves
     * the rest of it well-formed and finds the id */
    v = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &err);
    if (v == NULL)
        return MCP_JSONRPC_PARSE_ERROR;
    json_t *raw = json_is_object(v) ? json_object_get(v, "id") : NULL;
    if (json_is_string(raw)) {
        *id = json_incref(raw);
    } else if (json_is_real(raw)) {
        double d = json_real_value(raw);
        if (d > -EXACT_REAL_LIMIT && d < EXACT_REAL_LIMIT && (double)(json_int_t)d == d)
            *id = json_integer((json_int_t)d);
    }
    json_decref(v);
    return MCP_JSONRPC_INVALID_REQUEST;
}

int mcp_jsonrpc_id_valid(const json_t *id)
{
    return id != NULL && (json_is_string(id) || json_is_integer(id));
}

static mcp_msg_kind_t invalid(mcp_jsonrpc_msg_t *out, const char *why)
{
    out->kind = MCP_MSG_INVALID;
    out->error_code = MCP_JSONRPC_INVALID_REQUEST;
    out->error_message = why;
    return out->kind;
}

mcp_msg_kind_t mcp_jsonrpc_classify(json_t *msg, mcp_jsonrpc_msg_t *out)
{
    memset(out, 0, sizeof(*out));
    if (json_is_array(msg))
        return invalid(out, "batch requests are not supported: send one JSON-RPC message per request");
    if (!json_is_object(msg))
        return invalid(out, "a JSON-RPC message must be an object");

    json_t *id = json_object_get(msg, "id");
    if (mcp_jsonrpc_id_valid(id))
        out->id = id; /* echo it in an error even when the rest is invalid */

    json_t *version = json_object_get(msg, "jsonrpc");
    if (!json_is_string(version) || strcmp(json_string_value(version), "2.0") != 0)
        return invalid(out, "\"jsonrpc\" must be \"2.0\"");
    if (id != NULL && !mcp_jsonrpc_id_valid(id))
        return invalid(out, "\"id\" must be a string or an integer");

    json_t *method = json_object_get(msg, "method");
    json_t *result = json_object_get(msg, "result");
    json_t *error = json_object_get(msg, "error");
    if (method == NULL) {
        if (id == NULL || (result == NULL) == (error == NULL))
            return invalid(out, "a message needs \"method\", or \"id\" with exactly one of \"result\"/\"error\"");
        if (error != NULL && (!json_is_object(error) || !json_is_integer(json_object_get(error, "code"))))
            return invalid(out, "\"error\" must be an object with an integer \"code\"");
        out->kind = MCP_MSG_RESPONSE;
        return out->kind;
    }
    if (!json_is_string(method) || json_string_length(method) == 0)
        return invalid(out, "\"method\" must be a non-empty string");
    if (result != NULL || error != NULL)
        return invalid(out, "a request must not carry \"result\" or \"error\"");
    json_t *params = json_object_get(msg, "params");
    if (params != NULL && !json_is_object(params) && !json_is_array(params))
        return invalid(out, "\"params\" must be an object or an array");
    out->method = json_string_value(method);
    out->params = params;
    out->kind = id != NULL ? MCP_MSG_REQUEST : MCP_MSG_NOTIFICATION;
    return out->kind;
}

json_t *mcp_jsonrpc_result(json_t *id, json_t *result)
{
    json_t *r = json_object();
    if (r == NULL) {
        json_decref(result);
        return NULL;
    }
    json_object_set_new(r, "jsonrpc", json_string("2.0"));
    json_object_set(r, "id", id != NULL ? id : json_null());
    json_object_set_new(r, "result", result != NULL ? result : json_object());
    return r;
}

const char *mcp_jsonrpc_code_message(int code)
{
    switch (code) {
    case MCP_JSONRPC_PARSE_ERROR:
        return "Parse error";
    case MCP_JSONRPC_INVALID_REQUEST:
        return "Invalid Request";
    case MCP_JSONRPC_METHOD_NOT_FOUND:
        return "Method not found";
    case MCP_JSONRPC_INVALID_PARAMS:
        return "Invalid params";
    case MCP_JSONRPC_INTERNAL_ERROR:
        return "Internal error";
    case MCP_ERR_HEADER_MISMATCH:
        return "Header mismatch";
    case MCP_ERR_MISSING_CLIENT_CAPABILITY:
        return "Missing required client capability";
    case MCP_ERR_UNSUPPORTED_PROTOCOL_VERSION:
        return "Unsupported protocol version";
    }
    return "Server error";
}

json_t *mcp_jsonrpc_error(json_t *id, int code, const char *message, json_t *data)
{
    json_t *r = json_object();
    json_t *e = json_object();
    if (r == NULL || e == NULL) {
        json_decref(r);
        json_decref(e);
        json_decref(data);
        return NULL;
    }
    json_object_set_new(e, "code", json_integer(code));
    json_object_set_new(e, "message", json_string(message != NULL ? message : mcp_jsonrpc_code_message(code)));
    if (json_object_get(e, "message") == NULL) /* message was not valid UTF-8 */
        json_object_set_new(e, "message", json_string(mcp_jsonrpc_code_message(code)));
    if (data != NULL)
        json_object_set_new(e, "data", data);
    json_object_set_new(r, "jsonrpc", json_string("2.0"));
    json_object_set(r, "id", mcp_jsonrpc_id_valid(id) ? id : json_null());
    json_object_set_new(r, "error", e);
    return r;
}
