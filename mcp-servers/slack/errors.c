/*
 * errors.c - Slack's error answers as tool errors (see slack.h). Slack reports errors inside HTTP 200 as
 * {"ok": false, "error": "<code>", "needed"?, "provided"?, "response_metadata"?: {"messages": [...]}}; only rate
 * limits come as HTTP 429 with Retry-After. Each known code maps to the HTTP status it stands for (so the runtime's
 * 401 refresh-and-retry and its 403 re-authorize URL apply) and to a sentence saying what it means.
 */
#include "slack.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *code;
    int status;
    const char *meaning; /* NULL: the status alone says it */
} codes[] = {
    {"invalid_auth", 401, NULL},
    {"not_authed", 401, NULL},
    {"token_revoked", 401, NULL},
    {"token_expired", 401, NULL},
    {"account_inactive", 401, NULL},
    {"missing_scope", 403, NULL},
    {"not_allowed_token_type", 403,
     "this method does not accept the instance's token type (search.messages takes only a user token, xoxp-, with "
     "the user scope search:read; a bot token, xoxb-, cannot search)"},
    {"no_permission", 403, "the workspace or channel settings do not allow this action for this account"},
    {"restricted_action", 403, "a workspace preference prevents this account from doing this"},
    {"ekm_access_denied", 403, "the workspace's Enterprise Key Management has revoked access to this content"},
    {"ratelimited", 429, NULL},
    {"channel_not_found", 404,
     "no such channel, or this account cannot see it (private channels and direct messages are visible to members "
     "only; find channel IDs with list_channels)"},
    {"user_not_found", 404, "no such user in this workspace (find user IDs with list_users)"},
    {"users_not_found", 404, "no such user in this workspace (find user IDs with list_users)"},
    {"message_not_found", 404, "no message with that ts in the channel (ts values come from get_channel_history)"},
    {"thread_not_found", 404, "no thread starts at that ts in the channel"},
    {"file_not_found", 404, "the uploaded file is unknown to Slack (the upload URL may have expired)"},
    {"not_in_channel", 400,
     "this account is not a member of the channel: join it in Slack (or invite the app with /invite) first"},
    {"is_archived", 400, "the channel is archived"},
    {"msg_too_long", 400, "the message text is too long (Slack's limit is 40,000 characters)"},
    {"no_text", 400, "the message has no text"},
    {"invalid_cursor", 400, "the cursor is not valid (use next_cursor of the previous answer, unchanged)"},
    {"invalid_ts_latest", 400, "latest is not a valid message timestamp"},
    {"invalid_ts_oldest", 400, "oldest is not a valid message timestamp"},
    {"invalid_limit", 400, "limit is out of range"},
    {"already_reacted", 400, "this account has already added that reaction to the message"},
    {"invalid_name", 400, "no emoji of that name in this workspace (give the name without colons, e.g. thumbsup)"},
    {"too_many_reactions", 400, "the message has the most reactions Slack allows"},
    {"too_many_emoji", 400, "the message has the most distinct emoji Slack allows"},
    {"cant_update_message", 400, "this account may not edit that message (only its own messages can be edited)"},
    {"edit_window_closed", 400, "the workspace's time limit for editing this message has passed"},
    {"cant_reply_to_message", 400, "that message cannot be replied to in a thread"},
    {"invalid_arguments", 400, "the request's arguments were not accepted"},
    {"invalid_arg_name", 400, "an argument name was not accepted"},
    {"invalid_form_data", 400, "the request body was not accepted"},
    {"invalid_json", 400, "the JSON body was not accepted"},
    {"invalid_charset", 400, "the body's character set was not accepted"},
    {"missing_post_type", 400, "the request had no content type"},
    {"not_authorized", 403, "this account is not allowed to do this here"},
    {"internal_error", 503, NULL},
    {"fatal_error", 503, NULL},
    {"service_unavailable", 503, NULL},
    {"request_timeout", 503, NULL},
};

static int find(const char *code)
{
    for (size_t i = 0; code != NULL && i < sizeof(codes) / sizeof(codes[0]); i++)
        if (strcmp(codes[i].code, code) == 0)
            return (int)i;
    return -1;
}

int slack_answer_status(const mcp_provider_response_t *res)
{
    if (!json_is_false(json_object_get(res->json, "ok")))
        return res->status;
    int i = find(json_string_value(json_object_get(res->json, "error")));
    return i >= 0 ? codes[i].status : 400;
}

/* A string from Slack, printable: control characters become spaces and at most max bytes are kept. */
static void clean(char *out, size_t n, const char *s, size_t max)
{
    size_t k = 0;
    for (; s != NULL && s[k] != '\0' && k < max && k + 1 < n; k++)
        out[k] = (unsigned char)s[k] < 0x20 ? ' ' : s[k];
    out[k] = '\0';
}

void slack_error_text(const mcp_provider_response_t *res, const char *generic, char *buf, size_t n)
{
    char code[64], detail[300] = "", needed[200], provided[300];
    clean(code, sizeof(code), json_string_value(json_object_get(res->json, "error")), 60);
    const json_t *msgs = json_object_get(json_object_get(res->json, "response_metadata"), "messages");
    if (json_is_string(json_array_get(msgs, 0))) {
        char m[260];
        clean(m, sizeof(m), json_string_value(json_array_get(msgs, 0)), 250);
        snprintf(detail, sizeof(detail), " Slack adds: %s", m);
    }
    const char *url = res->authorize_url;
    int i = find(code);
    if (strcmp(code, "missing_scope") == 0) {
        clean(needed, sizeof(needed), json_string_value(json_object_get(res->json, "needed")), 190);
        clean(provided, sizeof(provided), json_string_value(json_object_get(res->json, "provided")), 290);
        snprintf(buf, n,
                 "%s denied the request (missing_scope): the authorization lacks the scope %s (granted: %s). "
                 "Re-authorize this instance with that scope%s%s.%s",
                 SLACK_PROVIDER, needed[0] ? needed : "the method needs", provided[0] ? provided : "unknown",
                 url ? " at " : "", url ? url : "", detail);
    } else if (res->status == 401) {
        snprintf(buf, n, "%s rejected the access token even after a refresh (%s). Re-authorize this instance%s%s.%s",
                 SLACK_PROVIDER, code[0] ? code : "HTTP 401", url ? " at " : "", url ? url : "", detail);
    } else if (res->status == 429) {
        if (res->retry_after_s >= 0)
            snprintf(buf, n, "%s rate limit reached for this method (%s); retry after %ld seconds.%s", SLACK_PROVIDER,
                     code[0] ? code : "HTTP 429", res->retry_after_s, detail);
        else
            snprintf(buf, n, "%s rate limit reached for this method (%s); retry later.%s", SLACK_PROVIDER,
                     code[0] ? code : "HTTP 429", detail);
    } else if (i >= 0 && codes[i].meaning != NULL) {
        int reauth = res->status == 403 && url != NULL;
        snprintf(buf, n, "%s answered %s: %s.%s%s%s%s", SLACK_PROVIDER, code, codes[i].meaning,
                 reauth ? " Re-authorize this instance with what it needs at " : "", reauth ? url : "",
                 reauth ? "." : "", detail);
    } else if (code[0] != '\0') {
        snprintf(buf, n, "%s answered %s. %s%s", SLACK_PROVIDER, code, generic, detail);
    } else {
        snprintf(buf, n, "%s%s", generic, detail);
    }
}
