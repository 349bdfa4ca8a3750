/*
 * call_input.c - a tools/call asking the client for input (mcp/input.h): the handler's questions, the end of a run
 * that lacks answers (input_required in 2026-07-28; server requests on the call's SSE stream in 2025-11-25), the
 * client's responses routed back to the waiting call, re-runs, and the confirmation of destructive tools.
 */
#include "common/status.h"
#include "features/call_internal.h"
#include "protocol/jsonrpc.h"
#include "util/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A legacy call asks at most this many times: a client that keeps answering what does not fit ends it. */
#define MAX_ROUNDS 16
#define CONFIRM_KEY "mcp.confirm"

int mcp_call_client_supports(const mcp_call_t *c, mcp_input_kind_t kind)
{
    return mcp__input_caps_support(c->in.caps, kind);
}

const json_t *mcp_call_input(mcp_call_t *c, const char *key, const char *method, json_t *params)
{
    return mcp__input_ask(&c->in, key, method, params);
}

const json_t *mcp_call_elicit(mcp_call_t *c, const char *key, const char *message, json_t *requested_schema)
{
    /* no "mode": form is the default, and clients of 2025-06-18 know no mode */
    json_t *p = json_pack("{s:s, s:o}", "message", message ? message : "", "requestedSchema",
                          requested_schema ? requested_schema : json_null());
    return mcp__input_ask(&c->in, key, "elicitation/create", p);
}

const json_t *mcp_call_elicit_url(mcp_call_t *c, const char *key, const char *message, const char *url,
                                  const char *elicitation_id)
{
    json_t *p = json_pack("{s:s, s:s, s:s, s:s}", "mode", "url", "message", message ? message : "", "url",
                          url ? url : "", "elicitationId", elicitation_id ? elicitation_id : "");
    return mcp__input_ask(&c->in, key, "elicitation/create", p);
}

const json_t *mcp_call_sample(mcp_call_t *c, const char *key, json_t *params)
{
    return mcp__input_ask(&c->in, key, "sampling/createMessage", params);
}

const json_t *mcp_call_sample_text(mcp_call_t *c, const char *key, const char *prompt, int max_tokens)
{
    json_t *p = json_pack("{s:[{s:s, s:{s:s, s:s}}], s:i}", "messages", "role", "user", "content", "type", "text",
                          "text", prompt ? prompt : "", "maxTokens", max_tokens);
    return mcp__input_ask(&c->in, key, "sampling/createMessage", p);
}

const json_t *mcp_call_list_roots(mcp_call_t *c, const char *key)
{
    return mcp__input_ask(&c->in, key, "roots/list", json_object());
}

/* ------------------------------------------------------------------ ending a run without answers */

static void need_input_modern(mcp_call_t *c)
{
    char target[160], err[200];
    snprintf(target, sizeof(target), "tool:%s", c->tool->name);
    json_t *result = mcp__input_required_result(&c->in, c->cfg->key, target, c->instance, c->raw_args,
                                                c->cfg->timeout_s, c->cfg->max_state, err, sizeof(err));
    if (result == NULL) {
        mcp_call_fail(c, "The tool could not ask for input: %s.", err);
        return;
    }
    json_t *meta = json_object_get(c->result_extra, "_meta");
    if (meta != NULL)
        json_object_set(result, "_meta", meta);
    mcp__call_complete(c, mcp_jsonrpc_result(c->id, result), "input_required");
}

/* 2025-11-25: every question of this run becomes a request on the call's SSE stream, registered for the session. */
static void need_input_legacy(mcp_call_t *c)
{
    const char *key;
    json_t *ask, *requests = json_array();
    if (c->session[0] == '\0' || c->cfg->pending == NULL || requests == NULL) {
        json_decref(requests);
        mcp_call_fail(c, "The tool needs input from the client, which needs an MCP session.");
        return;
    }
    if (++c->rounds > MAX_ROUNDS) {
        json_decref(requests);
        mcp_call_fail(c, "The tool asked for input %d times without getting answers it could use.", MAX_ROUNDS);
        return;
    }
    int64_t deadline = mcp__now_ms() + (int64_t)c->cfg->timeout_s * 1000;
    json_object_foreach(c->in.asked, key, ask)
    {
        json_int_t id = 0;
        int rc = mcp__pending_add(c->cfg->pending, c->session, c, key, deadline, &id);
        if (rc != CM_OK) {
            mcp__pending_drop(c->cfg->pending, c);
            json_decref(requests);
            mcp_call_fail(c, "%s",
                          rc == CM_EUNAVAIL ? "Too many requests to the client are pending for this session."
                                            : "out of memory");
            return;
        }
        json_array_append_new(requests,
                              json_pack("{s:s, s:I, s:O, s:O}", "jsonrpc", "2.0", "id", id, "method",
                                        json_object_get(ask, "method"), "params", json_object_get(ask, "params")));
    }
    c->waiting = 1;
    if (c->sink.waiting != NULL)
        c->sink.waiting(c->sink.ctx, 1);
    size_t i;
    json_t *r;
    json_array_foreach(requests, i, r) if (c->sink.notify != NULL) c->sink.notify(c->sink.ctx, json_incref(r));
    json_decref(requests);
}

void mcp_call_need_input(mcp_call_t *c)
{
    if (c->in.bad[0] != '\0') {
        char m[260];
        snprintf(m, sizeof(m), "tool %s: %s", c->tool->name, c->in.bad);
        mcp_call_error(c, MCP_JSONRPC_INTERNAL_ERROR, m);
    } else if (c->in.missing != NULL) {
        const char *cap = mcp__input_missing_name(&c->in);
        if (c->modern)
            mcp_call_error_data(c, MCP_ERR_MISSING_CLIENT_CAPABILITY, "Missing required client capability",
                                mcp__input_missing_data(&c->in));
        else
            mcp_call_fail(c,
                          "The tool %s needs the client's %s capability, which this client did not declare; nothing "
                          "was done.",
                          c->tool->name, cap);
    } else if (json_object_size(c->in.asked) == 0) {
        mcp_call_error(c, MCP_JSONRPC_INTERNAL_ERROR, "the tool asked for input without an input request");
    } else if (c->abandoned) {
        mcp__call_complete(c, NULL, "input_required");
    } else if (c->cfg == NULL) {
        mcp_call_fail(c, "This server cannot ask the client for input.");
    } else if (c->modern) {
        need_input_modern(c);
    } else {
        need_input_legacy(c);
    }
}

/* ------------------------------------------------------------------ answers (2025-11-25) */

int mcp__call_deliver(mcp__input_cfg_t *cfg, const char *session, json_t *response)
{
    char key[MCP_INPUT_KEY_MAX + 1];
    mcp_call_t *c =
        cfg && cfg->pending ? mcp__pending_take(cfg->pending, session, json_object_get(response, "id"), key) : NULL;
    if (c == NULL)
        return CM_ENOTFOUND;
    json_t *result = json_object_get(response, "result");
    if (!json_is_object(result)) {
        const char *m = json_string_value(json_object_get(json_object_get(response, "error"), "message"));
        mcp_call_fail(c, "The client did not answer the input request '%s' (%.200s); nothing was done.", key,
                      m ? m : "error");
        return CM_OK;
    }
    json_object_set(c->in.responses, key, result);
    if (mcp__pending_count(cfg->pending, c) > 0)
        return CM_OK;
    c->waiting = 0;
    if (c->sink.waiting != NULL)
        c->sink.waiting(c->sink.ctx, 0);
    mcp__call_run_handler(c);
    return CM_OK;
}

void mcp__call_input_expired(mcp__input_cfg_t *cfg, int64_t now_ms)
{
    mcp_call_t *c;
    while (cfg->pending != NULL && (c = mcp__pending_expired(cfg->pending, now_ms)) != NULL) {
        c->waiting = 0;
        mcp_call_fail(c, "The client did not answer the tool's input request within %d seconds; nothing was done.",
                      cfg->timeout_s);
    }
}

/* ------------------------------------------------------------------ runs and confirmation */

/* 1 when the handler may run: confirmation is off for this call, the client cannot be asked, or the user confirmed.
 * 0 when the call was ended or suspended here. */
static int confirmed(mcp_call_t *c)
{
    if (!c->confirm || !mcp__input_caps_support(c->in.caps, MCP_INPUT_ELICIT_FORM))
        return 1;
    json_t *entry = c->tool->json;
    const char *title = json_string_value(json_object_get(entry, "title"));
    const char *desc = json_string_value(json_object_get(entry, "description"));
    char *args = json_dumps(c->args, JSON_COMPACT | JSON_SORT_KEYS);
    char msg[900];
    snprintf(msg, sizeof(msg), "Allow %.128s to run? %.300s%sArguments: %.400s%s", title ? title : c->tool->name,
             desc ? desc : "", desc ? " - " : "", args ? args : "{}", args && strlen(args) > 400 ? "..." : "");
    free(args);
    json_t *schema =
        json_pack("{s:s, s:{s:{s:s, s:s, s:s, s:b}}, s:[s]}", "type", "object", "properties", "confirm", "type",
                  "boolean", "title", "Run it", "description",
                  "Check to let the tool do this; nothing happens otherwise", "default", 0, "required", "confirm");
    const json_t *answer = mcp_call_elicit(c, CONFIRM_KEY, msg, schema);
    if (answer == NULL) {
        mcp_call_need_input(c);
        return 0;
    }
    json_t *content = mcp_elicit_content(answer);
    if (json_is_true(json_object_get(content, "confirm")))
        return 1;
    const char *action = mcp_elicit_action(answer);
    mcp_call_fail(c, "Nothing was done: %s was not confirmed (the user %s), so no request was sent.", c->tool->name,
                  strcmp(action, "accept") == 0    ? "did not check the confirmation"
                  : strcmp(action, "decline") == 0 ? "declined"
                                                   : "cancelled");
    return 0;
}

void mcp__call_run_handler(mcp_call_t *c)
{
    mcp__input_rerun(&c->in);
    json_array_clear(c->content);
    json_decref(c->structured);
    c->structured = NULL;
    if (!confirmed(c))
        return;
    c->tool->fn(c, c->args, c->tool->data);
}
