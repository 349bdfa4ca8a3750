/*
 * teams.h - the teams service's own declarations: Graph requests with the permission each needs and the id a 404
 * names (api.c), chatMessage / chat summaries for a model (render.c), the HTML a send accepts (html_check.c), the
 * tool handlers (tools_*.c) and the tool table (tools.c). The Graph conventions themselves (base, URLs, cursors,
 * error bodies) are apis/msgraph.h.
 */
#ifndef TEAMS_H
#define TEAMS_H

#include "apis/msgraph.h"
#include "common/url.h"
#include "mcp/provider_http.h"
#include "mcp/result.h"
#include "mcp/server.h"

#include <jansson.h>
#include <stddef.h>

/* Teams refuses a message above about 28 KB; the send tools refuse a body above this many bytes before sending
 * (send_*.input.json's content maxLength is the same number, in characters). */
#define TM_MAX_MESSAGE_BYTES (28u * 1024)
/* A path built from ids (each at most 512 characters in the schemas, escaped at most 3x). */
#define TM_PATH_MAX 8192

/* The delegated permission each group of tools needs (named in 403 errors; config/services.json grants them). */
typedef enum {
    TM_PERM_TEAMS,      /* Team.ReadBasic.All */
    TM_PERM_CHANNELS,   /* Channel.ReadBasic.All */
    TM_PERM_CHMSG_READ, /* ChannelMessage.Read.All */
    TM_PERM_CHMSG_SEND, /* ChannelMessage.Send */
    TM_PERM_CHAT_READ,  /* Chat.Read */
    TM_PERM_CHAT_SEND,  /* ChatMessage.Send */
} tm_perm_t;

/* The callback of tm_graph: only a 2xx answer reaches it; opt is the caller's integer (a limit, a flag). */
typedef void (*tm_cb)(mcp_call_t *c, const mcp_provider_response_t *res, long opt);

/* A string argument, NULL when absent or empty (args validated by the schema). */
const char *tm_arg_str(json_t *args, const char *k);
long long tm_arg_int(json_t *args, const char *k);

/*
 * Starts a Graph request for the call's instance: method (NULL = GET), url (freed here; NULL = could not build it),
 * body (stolen, may be NULL: sent as JSON). A failure finishes the call with a tool error: Graph's code and message
 * appended, the permission perm named on 403 (with the re-authorize URL), Retry-After on 429/503, and on 404 what
 * (e.g. "Channel 'X' of team 'Y'", may be NULL) named as what was not found (the runtime's subject). Otherwise cb runs
 * later with opt.
 */
void tm_graph(mcp_call_t *c, const char *method, char *url, json_t *body, tm_perm_t perm, const char *what, tm_cb cb,
              long opt);

/* With a cursor argument: follows it (an @odata.nextLink of a previous answer, which must lie below the API base, with
 * a path that contains contains (NULL = anything) and ends with suffix or suffix2 (may be NULL)) with tm_graph and
 * returns 1; a cursor that is none fails the call (also 1: the call is taken care of). 0 when there is no cursor. */
int tm_follow_cursor(mcp_call_t *c, json_t *args, const char *contains, const char *suffix, const char *suffix2,
                     tm_perm_t perm, tm_cb cb, long opt);

/* Builds "/a/{id1}/b/{id2}..." from a printf-like list of literal parts and ids: fmt has %s for each id, which is
 * percent-escaped. Writes into out (TM_PATH_MAX). CM_OK, or CM_EINVAL with the call failed. */
int tm_path(mcp_call_t *c, char *out, size_t outsz, const char *fmt, ...);

/* ---- render.c */
/* A chatMessage for a model (new reference): id, from, created, text (the HTML body as plain text, at most
 * max_chars characters), reply counts of $expand=replies (with at most max_replies replies, each rendered the same
 * way), ... */
json_t *tm_message_summary(const json_t *m, size_t max_chars, size_t max_replies);
/* Appends the summary's text block to b: "[time] sender: text" plus reply lines, indented by indent spaces. */
void tm_append_message(cm_buf_t *b, const json_t *summary, int indent);
/* A chat for a model (new reference) and its text block. */
json_t *tm_chat_summary(const json_t *chat);
void tm_append_chat(cm_buf_t *b, const json_t *summary);
/* Finishes a listing: structuredContent {key: list, next_cursor?}; the text says how to get the next page. */
void tm_finish_list(mcp_call_t *c, cm_buf_t *b, const char *key, json_t *list, const json_t *page);

/* ---- html_check.c */
/* Checks an HTML message body before it is sent: only the formatting tags Teams renders, no event-handler
 * attributes, links only http(s)/mailto, no mentions (they need a mentions list), tags closed by '>'. CM_OK, or
 * CM_EINVAL with a one-line reason in why. */
int tm_html_check(const char *html, char *why, size_t whysz);

/* Tool handlers. */
void teams_list_joined_teams(mcp_call_t *c, json_t *args, void *data);
void teams_list_channels(mcp_call_t *c, json_t *args, void *data);
void teams_list_channel_messages(mcp_call_t *c, json_t *args, void *data);
void teams_list_chats(mcp_call_t *c, json_t *args, void *data);
void teams_list_chat_messages(mcp_call_t *c, json_t *args, void *data);
void teams_send_channel_message(mcp_call_t *c, json_t *args, void *data);
void teams_reply_to_message(mcp_call_t *c, json_t *args, void *data);
void teams_send_chat_message(mcp_call_t *c, json_t *args, void *data);

/* tools.c: checks the configuration and registers the tool table. CM_OK or an error (logged). */
int teams_register_tools(mcp_server_t *s);

#endif
