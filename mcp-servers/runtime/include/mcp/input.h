/*
 * input.h - a tool (or prompt) asking the client for input: elicitation/create (form and URL mode),
 * sampling/createMessage and roots/list, in both protocol eras with one handler code path.
 *
 * Input requests are declarative and handlers are re-run. A handler asks with mcp_call_elicit (or _sample,
 * _list_roots, _input) under a key of its choosing: when the client's answer for that key is known the call returns
 * it, otherwise it records the request and returns NULL. After asking, a handler that lacks an answer ends this run
 * with mcp_call_need_input(c) and touches the call no more. The runtime then obtains the answers and runs the
 * handler again from the start, with the same arguments and every answer given so far:
 *
 *   - 2025-11-25 and older: the requests go to the client as JSON-RPC requests on the call's SSE response stream; the
 *     client POSTs its responses (202), which are routed by id to the waiting call of the same session only.
 *   - 2026-07-28: the call ends with {"resultType":"input_required","inputRequests":{...},"requestState":"..."}; the
 *     client retries the call with inputResponses and the requestState (HMAC-protected with a server key, bound to
 *     the instance, the tool or prompt and its arguments; a tampered, expired or foreign state is -32602).
 *
 * So a handler must ask for the same keys in the same order on every run until it has what it needs, and must not
 * have started side effects before its last question (ask first, then act). Keys are 1..64 visible ASCII characters.
 *
 * Capabilities: only ask for what the client declared (mcp_call_client_supports). Asking anyway ends the call with
 * -32021 (2026-07-28, data.requiredCapabilities) or a tool error naming the capability (2025-11-25).
 *
 * Form elicitation schemas are checked when asked (a violation is a server bug: -32603): a flat object of primitive
 * properties - string (title, description, minLength, maxLength, format email|uri|date|date-time, default), number
 * and integer (minimum, maximum, default), boolean (default), single-select enums (enum [+ enumNames], or oneOf of
 * {const, title}) and multi-select arrays (items {type: string, enum} or {anyOf of {const, title}}, minItems,
 * maxItems, default) - plus "required". Accepted content is validated against that schema: a client answer that
 * does not match it is treated as unanswered and asked again (2026-07-28) or fails the call (2025-11-25).
 *
 * Limits (server options / environment): MCP_INPUT_TIMEOUT_S (300) how long a 2025-11-25 call waits for the
 * client's responses and how long a requestState stays valid; MCP_INPUT_MAX_PENDING (16) server requests awaiting
 * a response per session; MCP_INPUT_MAX_STATE (65536) bytes of a requestState.
 */
#ifndef MCP_INPUT_H
#define MCP_INPUT_H

#include "mcp/tools.h"

#include <jansson.h>

/* What an input request needs the client to have declared. */
typedef enum mcp_input_kind {
    MCP_INPUT_ELICIT_FORM = 0, /* elicitation (an empty object, or with "form") */
    MCP_INPUT_ELICIT_URL,      /* elicitation.url */
    MCP_INPUT_SAMPLING,        /* sampling */
    MCP_INPUT_ROOTS,           /* roots */
} mcp_input_kind_t;

/* 1 when the client of this call declared the capability kind needs. */
int mcp_call_client_supports(const mcp_call_t *c, mcp_input_kind_t kind);

/*
 * Form-mode elicitation/create. requested_schema is stolen (see above for what it may hold). Returns the client's
 * ElicitResult {"action": "accept"|"decline"|"cancel", "content"?: {...}} (borrowed from the call, valid until the
 * handler returns or the call ends), or NULL: asked (end the run with mcp_call_need_input).
 */
const json_t *mcp_call_elicit(mcp_call_t *c, const char *key, const char *message, json_t *requested_schema);
/* URL-mode elicitation/create: the client opens url (https or http) for the user; elicitation_id is copied. */
const json_t *mcp_call_elicit_url(mcp_call_t *c, const char *key, const char *message, const char *url,
                                  const char *elicitation_id);
/* sampling/createMessage with params (stolen; CreateMessageRequest params: messages, maxTokens, ...). Returns the
 * CreateMessageResult ({role, content, model, stopReason?}) or NULL. */
const json_t *mcp_call_sample(mcp_call_t *c, const char *key, json_t *params);
/* The common case of sampling: one user text message; NULL = asked. */
const json_t *mcp_call_sample_text(mcp_call_t *c, const char *key, const char *prompt, int max_tokens);
/* roots/list. Returns the ListRootsResult ({"roots": [{uri, name?}]}) or NULL. */
const json_t *mcp_call_list_roots(mcp_call_t *c, const char *key);
/* Any of the above by method name ("elicitation/create", "sampling/createMessage", "roots/list"); params stolen. */
const json_t *mcp_call_input(mcp_call_t *c, const char *key, const char *method, json_t *params);

/* Ends this run of the handler after it asked for input it has no answer for: the runtime obtains the answers and
 * runs the handler again (see above). The call must not be touched afterwards. */
void mcp_call_need_input(mcp_call_t *c);

/* "accept", "decline" or "cancel" of an ElicitResult (borrowed; "cancel" for anything else). */
const char *mcp_elicit_action(const json_t *answer);
/* The accepted content (borrowed) or NULL unless the action is accept. */
json_t *mcp_elicit_content(const json_t *answer);
/* The text of a CreateMessageResult whose content is a text block (borrowed), else NULL. */
const char *mcp_sample_text(const json_t *answer);

#endif
