/*
 * slack.h - the slack service's own declarations: Web API calls and their error texts (api.c, errors.c), message
 * rendering (render.c), the tool handlers (tools_*.c) and the tool table (tools.c).
 *
 * Every Slack Web API method is POST {base}/<method> (base https://slack.com/api, env SLACK_API_BASE): read methods
 * take form-encoded bodies only, write methods JSON too. Slack answers errors inside HTTP 200 as {"ok": false,
 * "error": "<code>"}: the calls below map those codes to the statuses they stand for (invalid_auth -> 401 with one
 * broker refresh and retry, missing_scope -> 403 with the scope and the re-authorize URL, ratelimited -> 429,
 * channel_not_found -> 404, ...) and to texts that say what to do.
 */
#ifndef SLACK_H
#define SLACK_H

#include "mcp/provider_http.h"
#include "mcp/result.h"
#include "mcp/server.h"

#include <jansson.h>

#define SLACK_PROVIDER "Slack" /* the provider's name in tool errors */

/* upload_file: the largest file it sends (decoded bytes). The input schema repeats it as the maxLength of content
 * (SLACK_MAX_UPLOAD characters) and content_base64 (4/3 of it); main.c sizes the request body limit from it. */
#define SLACK_MAX_UPLOAD (5u * 1024 * 1024)
#define SLACK_MAX_UPLOAD_TEXT "5 MiB"
#define SLACK_MAX_REQUEST_BODY ((size_t)(SLACK_MAX_UPLOAD + 2) / 3 * 4 + 1024 * 1024)
/* A message text a tool sends: Slack truncates beyond 40,000 characters (msg_too_long); schemas repeat it. */
#define SLACK_MAX_TEXT 40000

/* ---- api.c ---- */
/* The API base (env SLACK_API_BASE, default https://slack.com/api). CM_OK, or CM_EINVAL (logged) when the variable is
 * not a usable URL: the service does not start then. */
int slack_api_init(void);
/* The API base URL (static storage). */
const char *slack_api_base(void);

/* A successful answer ({"ok": true, ...}; borrowed for the callback only). The callback must finish the call or
 * start the next request. */
typedef void (*slack_cb)(mcp_call_t *c, json_t *answer, void *arg);

/* Calls Web API method (e.g. "conversations.history") for the call's instance: form is a NULL-terminated name/value
 * list (pairs with a NULL value skipped) sent form-encoded. subject (copied, may be NULL) names what the call is
 * about in an error text ("channel C0123"). On any failure (HTTP or ok:false, mapped as the header says) the call
 * fails with the text and arg_free(arg) runs (when set); otherwise cb runs with the answer. */
void slack_call_form(mcp_call_t *c, const char *method, const char *const *form, const char *subject, slack_cb cb,
                     void *arg, void (*arg_free)(void *));
/* The same with a JSON body (stolen), sent as application/json; charset=utf-8 (for the methods that accept JSON). */
void slack_call_json(mcp_call_t *c, const char *method, json_t *body, const char *subject, slack_cb cb, void *arg,
                     void (*arg_free)(void *));

/* ---- errors.c ---- */
/* The HTTP status an answer stands for: its own when not 2xx or ok:true; for ok:false the status of its error code
 * (401 for a dead token, 403 for scopes and token types, 404 for unknown ids, 429, 503, else 400). */
int slack_answer_status(const mcp_provider_response_t *res);
/* The error hook: the tool error text for a failed answer (HTTP error or mapped ok:false), with Slack's code, what
 * it means and what to do; the needed scope and the re-authorize URL for missing_scope. */
void slack_error_text(const mcp_provider_response_t *res, const char *generic, char *buf, size_t n);

/* ---- render.c ---- */
/* A message of a history, thread or search as structured output {ts, user, text, thread_ts?, reply_count?,
 * reactions?, files?, ...}; text cut to max_chars characters. New reference. */
json_t *slack_message_out(const json_t *m, size_t max_chars);
/* Appends one readable line for such an output object; where (may be NULL) names its channel. */
void slack_message_render(cm_buf_t *b, const json_t *out, const char *where);
/* The string member key of args, or NULL when absent or empty. */
const char *slack_arg(const json_t *args, const char *key);
/* Adds next_cursor to out and a "More: ..." line to b when the answer's response_metadata.next_cursor is not empty. */
void slack_next_cursor(const json_t *answer, cm_buf_t *b, json_t *out);
/* Removes the members of object o whose value is null (optional fields an output schema types as strings); returns
 * o. */
json_t *slack_drop_nulls(json_t *o);
/* Writes an integer argument as a decimal string into buf (size 24). */
const char *slack_num(const json_t *args, const char *key, char buf[24]);

/* ---- tool handlers ---- */
void slack_list_channels(mcp_call_t *c, json_t *args, void *data);
void slack_get_channel_history(mcp_call_t *c, json_t *args, void *data);
void slack_get_thread_replies(mcp_call_t *c, json_t *args, void *data);
void slack_search_messages(mcp_call_t *c, json_t *args, void *data);
void slack_post_message(mcp_call_t *c, json_t *args, void *data);
void slack_reply_in_thread(mcp_call_t *c, json_t *args, void *data);
void slack_update_message(mcp_call_t *c, json_t *args, void *data);
void slack_add_reaction(mcp_call_t *c, json_t *args, void *data);
void slack_list_users(mcp_call_t *c, json_t *args, void *data);
void slack_get_user_info(mcp_call_t *c, json_t *args, void *data);
void slack_upload_file(mcp_call_t *c, json_t *args, void *data);

/* tools.c: checks the configuration and registers the tool table. CM_OK or an error (logged). */
int slack_register_tools(mcp_server_t *s);

#endif
