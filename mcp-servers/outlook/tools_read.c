/*
 * tools_read.c - outlook's read tools: list_messages, search_messages, get_message, list_folders.
 * Paging: Graph's @odata.nextLink is handed to the model as page_token and accepted back only when it lies below
 * the configured API base (the access token never goes anywhere else).
 */
#include "graph.h"
#include "mail/html_text.h"
#include "tools.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *arg_str(json_t *args, const char *k)
{
    return json_string_value(json_object_get(args, k));
}

static long long arg_int(json_t *args, const char *k)
{
    return (long long)json_integer_value(json_object_get(args, k));
}

/* Starts a GET with the given error hook; extra headers optional. Frees url. */
static void get(mcp_call_t *c, char *url, const cm_http_header_t *h, size_t nh, mcp_provider_cb cb, void *arg)
{
    mcp_provider_request_t req = {
        .provider = MSGRAPH_PROVIDER, .headers = h, .n_headers = nh, .error_text = graph_error_read};
    mcp_provider_fetch_json(c, &req, url, NULL, cb, arg);
}

/* With a page_token argument: follows it (a nextLink of a previous answer) with cb, or fails the call when it is not
 * one, and returns 1 (the call is taken care of). 0 when there is none. */
static int follow_page_token(mcp_call_t *c, json_t *args, const cm_http_header_t *h, size_t nh, mcp_provider_cb cb,
                             void *arg)
{
    const char *t = arg_str(args, "page_token");
    if (t == NULL || *t == '\0')
        return 0;
    if (msgraph_page_token_ok(t))
        get(c, strdup(t), h, nh, cb, arg);
    else
        mcp_call_fail(c, "Invalid argument 'page_token': use the next_page_token value of a previous result.");
    return 1;
}

/* Finishes a listing: structuredContent {key: list, next_page_token?}; the text says how to get the next page. */
static void finish_list(mcp_call_t *c, cm_buf_t *b, const char *key, json_t *list, const char *next)
{
    if (next != NULL)
        cm_buf_printf(b, "More %s: pass next_page_token as page_token.\n", key);
    json_t *out = json_pack("{s:o}", key, list);
    if (next != NULL)
        json_object_set_new(out, "next_page_token", json_string(next));
    mcp_tool_finish_buf(c, b, out);
}

/* ---- list_messages / search_messages ---- */

static void on_messages(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    const json_t *value = json_object_get(res->json, "value");
    if (!json_is_array(value)) {
        mcp_call_fail(c, "Microsoft Graph returned an unexpected answer (no message list).");
        return;
    }
    const char *next = json_string_value(json_object_get(res->json, "@odata.nextLink"));
    json_t *msgs = json_array();
    cm_buf_t b = {0};
    size_t i;
    const json_t *m;
    cm_buf_printf(&b, "%zu message%s%s\n", json_array_size(value), json_array_size(value) == 1 ? "" : "s",
                  arg ? " found" : "");
    json_array_foreach(value, i, m)
    {
        json_t *s = graph_message_summary(m);
        graph_append_message_line(&b, i + 1, s);
        json_array_append_new(msgs, s);
    }
    finish_list(c, &b, "messages", msgs, next);
}

void outlook_list_messages(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    if (follow_page_token(c, args, NULL, 0, on_messages, NULL))
        return;
    char top[24], skip[24], path[1100];
    snprintf(top, sizeof(top), "%lld", arg_int(args, "top"));
    snprintf(skip, sizeof(skip), "%lld", arg_int(args, "skip"));
    char *folder = msgraph_escape(graph_folder_name(arg_str(args, "folder")));
    if (folder == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    snprintf(path, sizeof(path), "/me/mailFolders/%s/messages", folder);
    free(folder);
    /* Graph rejects $filter with $orderby (400 InefficientFilter) unless every $orderby property also appears in
     * $filter, in the same order, before any other property: hence the always-true receivedDateTime clause first. */
    int unread = json_is_true(json_object_get(args, "unread_only"));
    const char *q[] = {"$top",     top,
                       "$skip",    arg_int(args, "skip") > 0 ? skip : NULL,
                       "$select",  GRAPH_MSG_SELECT,
                       "$orderby", "receivedDateTime desc",
                       "$filter",  unread ? GRAPH_UNREAD_FILTER : NULL,
                       NULL};
    get(c, msgraph_url(path, q), NULL, 0, on_messages, NULL);
}

void outlook_search_messages(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    /* $search on messages: the KQL query in double quotes (inner quotes escaped), no $orderby/$skip (Graph rejects
     * them with $search; results come by relevance, paging by $skiptoken in the nextLink). ConsistencyLevel:
     * eventual is what Graph requires for advanced queries ($search/$count); mail accepts it as well. */
    static const cm_http_header_t h[] = {{"ConsistencyLevel", "eventual"}};
    if (follow_page_token(c, args, h, 1, on_messages, (void *)1))
        return;
    const char *query = arg_str(args, "query");
    cm_buf_t qb = {0};
    cm_buf_appendz(&qb, "\"");
    for (const char *p = query; *p; p++)
        cm_buf_appendz(&qb, *p == '"' ? "\\\"" : *p == '\\' ? "\\\\" : (char[]){*p, 0});
    cm_buf_appendz(&qb, "\"");
    char *search = cm_buf_take(&qb);
    char top[24], path[1100] = "/me/messages";
    snprintf(top, sizeof(top), "%lld", arg_int(args, "top"));
    const char *folder = arg_str(args, "folder");
    if (folder != NULL && *folder != '\0') {
        char *f = msgraph_escape(graph_folder_name(folder));
        if (f != NULL)
            snprintf(path, sizeof(path), "/me/mailFolders/%s/messages", f);
        free(f);
    }
    const char *q[] = {"$search", search, "$top", top, "$select", GRAPH_MSG_SELECT, NULL};
    get(c, search ? msgraph_url(path, q) : NULL, h, 1, on_messages, (void *)1);
    free(search);
}

/* ---- get_message ---- */

static void on_message(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    size_t max_chars = (size_t)(uintptr_t)arg;
    const json_t *m = res->json;
    if (!json_is_object(m)) {
        mcp_call_fail(c, "Microsoft Graph returned an unexpected answer (no message).");
        return;
    }
    json_t *out = graph_message_summary(m);
    json_object_del(out, "preview");
    json_object_set_new(out, "cc", graph_recipients(json_object_get(m, "ccRecipients")));
    if (json_array_size(json_object_get(m, "bccRecipients")))
        json_object_set_new(out, "bcc", graph_recipients(json_object_get(m, "bccRecipients")));
    const char *sent = json_string_value(json_object_get(m, "sentDateTime"));
    if (sent)
        json_object_set_new(out, "sent", json_string(sent));
    const char *link = json_string_value(json_object_get(m, "webLink"));
    if (link)
        json_object_set_new(out, "web_link", json_string(link));
    const json_t *body = json_object_get(m, "body");
    const char *ctype = json_string_value(json_object_get(body, "contentType"));
    const char *content = json_string_value(json_object_get(body, "content"));
    char *text = NULL;
    if (content != NULL && ctype != NULL && strcasecmp(ctype, "html") == 0)
        text = mcp_html_to_text(content, strlen(content)); /* Prefer ignored: convert */
    else
        text = strdup(content ? content : "");
    if (text == NULL) {
        json_decref(out);
        mcp_call_fail(c, "out of memory");
        return;
    }
    size_t len = strlen(text), cut = mcp_utf8_prefix_chars(text, len, max_chars);
    text[cut] = '\0';
    json_object_set_new(out, "body", json_string(text));
    json_object_set_new(out, "body_truncated", json_boolean(cut < len));

    cm_buf_t b = {0};
    cm_buf_printf(&b, "Subject: %s\nFrom: ", json_string_value(json_object_get(m, "subject")) ?: "(no subject)");
    graph_append_recipient(&b, json_object_get(m, "from"));
    const char *lists[][2] = {{"To", "toRecipients"}, {"Cc", "ccRecipients"}, {"Bcc", "bccRecipients"}};
    for (size_t l = 0; l < 3; l++) {
        const json_t *arr = json_object_get(m, lists[l][1]);
        if (json_array_size(arr) == 0)
            continue;
        cm_buf_printf(&b, "\n%s: ", lists[l][0]);
        size_t i;
        const json_t *r;
        json_array_foreach(arr, i, r)
        {
            if (i)
                cm_buf_appendz(&b, ", ");
            graph_append_recipient(&b, r);
        }
    }
    cm_buf_printf(&b, "\nDate: %s\nId: %s%s\n\n%s%s\n",
                  json_string_value(json_object_get(m, "receivedDateTime")) ?: "?",
                  json_string_value(json_object_get(m, "id")) ?: "?",
                  json_is_true(json_object_get(m, "hasAttachments")) ? "\nHas attachments" : "", text,
                  cut < len ? "\n[body truncated; raise max_chars to read more]" : "");
    free(text);
    mcp_tool_finish_buf(c, &b, out);
}

void outlook_get_message(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    static const cm_http_header_t h[] = {{"Prefer", "outlook.body-content-type=\"text\""}};
    char *id = msgraph_escape(arg_str(args, "message_id"));
    char path[2048];
    if (id == NULL || strlen(id) > 1800) {
        free(id);
        mcp_call_fail(c, "Invalid argument 'message_id': too long.");
        return;
    }
    snprintf(path, sizeof(path), "/me/messages/%s", id);
    free(id);
    const char *q[] = {"$select",
                       "id,subject,from,toRecipients,ccRecipients,bccRecipients,receivedDateTime,sentDateTime,body,"
                       "hasAttachments,conversationId,isRead,importance,webLink",
                       NULL};
    get(c, msgraph_url(path, q), h, 1, on_message, (void *)(uintptr_t)arg_int(args, "max_chars"));
}

/* ---- list_folders ---- */

static void on_folders(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    const json_t *value = json_object_get(res->json, "value");
    if (!json_is_array(value)) {
        mcp_call_fail(c, "Microsoft Graph returned an unexpected answer (no folder list).");
        return;
    }
    const char *next = json_string_value(json_object_get(res->json, "@odata.nextLink"));
    json_t *folders = json_array();
    cm_buf_t b = {0};
    size_t i;
    const json_t *f;
    cm_buf_printf(&b, "%zu folder%s\n", json_array_size(value), json_array_size(value) == 1 ? "" : "s");
    json_array_foreach(value, i, f)
    {
        const char *name = json_string_value(json_object_get(f, "displayName"));
        const char *id = json_string_value(json_object_get(f, "id"));
        json_int_t unread = json_integer_value(json_object_get(f, "unreadItemCount"));
        json_int_t total = json_integer_value(json_object_get(f, "totalItemCount"));
        json_int_t children = json_integer_value(json_object_get(f, "childFolderCount"));
        cm_buf_printf(&b, "- %s (%lld unread / %lld total%s) id: %s\n", name ? name : "?", (long long)unread,
                      (long long)total, children > 0 ? ", has subfolders" : "", id ? id : "?");
        json_array_append_new(folders, json_pack("{s:s?, s:s?, s:s?, s:I, s:I, s:I}", "id", id, "name", name,
                                                 "parent_id", json_string_value(json_object_get(f, "parentFolderId")),
                                                 "unread", unread, "total", total, "child_folders", children));
    }
    finish_list(c, &b, "folders", folders, next);
}

void outlook_list_folders(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    if (follow_page_token(c, args, NULL, 0, on_folders, NULL))
        return;
    char top[24], path[1100] = "/me/mailFolders";
    snprintf(top, sizeof(top), "%lld", arg_int(args, "top"));
    const char *parent = arg_str(args, "parent_folder_id");
    if (parent != NULL && *parent != '\0') {
        char *p = msgraph_escape(graph_folder_name(parent));
        if (p == NULL || strlen(p) > 1000) {
            free(p);
            mcp_call_fail(c, "Invalid argument 'parent_folder_id': too long.");
            return;
        }
        snprintf(path, sizeof(path), "/me/mailFolders/%s/childFolders", p);
        free(p);
    }
    const char *q[] = {"$top", top, "$select",
                       "id,displayName,parentFolderId,childFolderCount,unreadItemCount,totalItemCount", NULL};
    get(c, msgraph_url(path, q), NULL, 0, on_folders, NULL);
}
