/*
 * tools_read.c - the reading tools: fetch_emails, search_emails, list_drafts (through listing.c),
 * fetch_message_by_id, get_thread, list_attachments, download_attachment, list_labels.
 */
#include "common/crypto.h"
#include "gmail.h"
#include "mail/mime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *id_path(const char *fmt_prefix, const char *id, const char *suffix)
{
    cm_buf_t b = {0};
    cm_buf_printf(&b, "%s%s%s", fmt_prefix, id, suffix ? suffix : "");
    return cm_buf_take(&b);
}

/* messages.list URL from the common arguments */
static char *messages_list_url(json_t *args, const char *query, int use_labels)
{
    const char *q[64];
    size_t n = 0;
    char max[24];
    snprintf(max, sizeof(max), "%lld", (long long)json_integer_value(json_object_get(args, "max_results")));
    q[n++] = "maxResults", q[n++] = max;
    if (gm_str(args, "page_token"))
        q[n++] = "pageToken", q[n++] = gm_str(args, "page_token");
    if (query)
        q[n++] = "q", q[n++] = query;
    if (json_is_true(json_object_get(args, "include_spam_trash")))
        q[n++] = "includeSpamTrash", q[n++] = "true";
    json_t *l;
    size_t i;
    if (use_labels)
        json_array_foreach(json_object_get(args, "label_ids"), i, l) if (n + 3 < 64 && json_string_value(l))
            q[n++] = "labelIds",
            q[n++] = json_string_value(l);
    q[n] = NULL;
    return gm_url("/messages", q);
}

/* fetch_emails (labels) and search_emails (no labels): the same listing of messages. */
static void list_messages(mcp_call_t *c, json_t *args, int labels)
{
    gm_listing_spec_t spec = {.list_key = "messages",
                              .list_url = messages_list_url(args, gm_str(args, "query"), labels),
                              .what = "messages",
                              .query_text = gm_str(args, "query")};
    gm_listing_start(c, &spec);
}

void gm_fetch_emails(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    list_messages(c, args, 1);
}

void gm_search_emails(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    list_messages(c, args, 0);
}

void gm_list_drafts(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char max[24];
    snprintf(max, sizeof(max), "%lld", (long long)json_integer_value(json_object_get(args, "max_results")));
    const char *q[] = {"maxResults", max, "pageToken", gm_str(args, "page_token"), "q", gm_str(args, "query"), NULL};
    /* NULL values are skipped by cm_url_with_query; keep the pairs aligned */
    gm_listing_spec_t spec = {.list_key = "drafts",
                              .list_url = gm_url("/drafts", q),
                              .drafts = 1,
                              .what = "drafts",
                              .query_text = gm_str(args, "query")};
    gm_listing_start(c, &spec);
}

/* ---- one message ---- */

static void on_message(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    size_t max = (size_t)(uintptr_t)arg;
    json_t *s = gm_message_summary(res->json, 1, max);
    cm_buf_t b = {0};
    gm_message_render(&b, s);
    mcp_tool_finish_buf(c, &b, s);
}

void gm_fetch_message_by_id(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    static const char *const q[] = {"format", "full", NULL};
    char *path = id_path("/messages/", gm_str(args, "message_id"), NULL);
    size_t max = (size_t)json_integer_value(json_object_get(args, "max_body_chars"));
    gm_fetch(c, "GET", path ? gm_url(path, q) : NULL, NULL, GM_SCOPE_READ, on_message, (void *)(uintptr_t)max, NULL);
    free(path);
}

static void on_attachments(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    json_t *s = gm_message_summary(res->json, 1, 0);
    json_t *atts = json_incref(json_object_get(s, "attachments")), *a;
    cm_buf_t b = {0};
    size_t i;
    cm_buf_printf(&b, "Message %s has %zu attachment%s%s\n", json_string_value(json_object_get(s, "id")) ?: "?",
                  json_array_size(atts), json_array_size(atts) == 1 ? "" : "s", json_array_size(atts) ? ":" : ".");
    json_array_foreach(atts, i, a)
    {
        cm_buf_printf(&b, "%zu. %s (%s, %lld bytes)\n   attachment_id: %s\n", i + 1,
                      json_string_value(json_object_get(a, "filename")) ?: "",
                      json_string_value(json_object_get(a, "mime_type")) ?: "",
                      (long long)json_integer_value(json_object_get(a, "size")),
                      json_string_value(json_object_get(a, "attachment_id")) ?: "");
    }
    json_t *out = json_pack("{s:O, s:o}", "message_id", json_object_get(s, "id") ?: json_null(), "attachments", atts);
    json_decref(s);
    mcp_tool_finish_buf(c, &b, out);
}

void gm_list_attachments(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    static const char *const q[] = {"format", "full", NULL};
    char *path = id_path("/messages/", gm_str(args, "message_id"), NULL);
    gm_fetch(c, "GET", path ? gm_url(path, q) : NULL, NULL, GM_SCOPE_READ, on_attachments, NULL, NULL);
    free(path);
}

/* ---- attachments.get ---- */

typedef struct dl {
    char *message_id, *filename, *mime_type;
} dl_t;

static void dl_free(void *arg)
{
    dl_t *d = arg;
    free(d->message_id);
    free(d->filename);
    free(d->mime_type);
    free(d);
}

static int is_texty(const char *mime)
{
    return strncmp(mime, "text/", 5) == 0 || strcmp(mime, "application/json") == 0 ||
           strcmp(mime, "application/xml") == 0;
}

static void on_download(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    dl_t *d = arg;
    const char *data = json_string_value(json_object_get(res->json, "data"));
    size_t n = 0;
    uint8_t *raw = data ? cm_b64url_decode(data, strlen(data), &n) : NULL;
    if (raw == NULL) {
        dl_free(d);
        mcp_call_fail(c, "Gmail returned an attachment without decodable data.");
        return;
    }
    if (n > GM_MAX_DOWNLOAD) { /* the response cap lets a little more through */
        free(raw);
        dl_free(d);
        mcp_call_fail(c, "The attachment is larger than download_attachment returns (at most " GM_MAX_DOWNLOAD_TEXT
                         "); open it in Gmail instead.");
        return;
    }
    const char *mime = d->mime_type ? d->mime_type : mcp_mime_type_for_filename(d->filename);
    const char *name = d->filename ? d->filename : "attachment";
    char *b64 = cm_b64_encode(raw, n);
    char text[1024];
    snprintf(text, sizeof(text), "Attachment \"%s\" of message %s: %zu bytes, %s.", name, d->message_id, n, mime);
    char uri[512];
    snprintf(uri, sizeof(uri), "gmail://messages/%s/attachments/%s", d->message_id, name);
    json_t *block;
    if (is_texty(mime) && memchr(raw, 0, n) == NULL) {
        char *u = mcp_mime_to_utf8((const char *)raw, n, NULL);
        block = json_pack("{s:s, s:{s:s, s:s, s:s}}", "type", "resource", "resource", "uri", uri, "mimeType", mime,
                          "text", u ? u : "");
        free(u);
    } else {
        block = json_pack("{s:s, s:{s:s, s:s, s:s}}", "type", "resource", "resource", "uri", uri, "mimeType", mime,
                          "blob", b64 ? b64 : "");
    }
    json_t *out = json_pack("{s:s, s:s, s:s, s:I, s:s}", "message_id", d->message_id, "filename", name, "mime_type",
                            mime, "size", (json_int_t)n, "data_base64", b64 ? b64 : "");
    free(raw);
    free(b64);
    mcp_call_add_text(c, text);
    if (block)
        mcp_call_add_content(c, block);
    dl_free(d);
    mcp_tool_finish_text(c, NULL, out); /* the text block is already first */
}

void gm_download_attachment(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    dl_t *d = calloc(1, sizeof(*d));
    cm_buf_t p = {0};
    if (d == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    d->message_id = strdup(gm_str(args, "message_id"));
    d->filename = gm_str(args, "filename") ? strdup(gm_str(args, "filename")) : NULL;
    d->mime_type = gm_str(args, "mime_type") ? strdup(gm_str(args, "mime_type")) : NULL;
    cm_buf_printf(&p, "/messages/%s/attachments/%s", gm_str(args, "message_id"), gm_str(args, "attachment_id"));
    char *path = cm_buf_take(&p);
    gm_fetch_large(c, path ? gm_url(path, NULL) : NULL, GM_SCOPE_READ, GM_MAX_DOWNLOAD_RESPONSE,
                   "The attachment is larger than download_attachment returns (at most " GM_MAX_DOWNLOAD_TEXT
                   "); open it in Gmail instead.",
                   on_download, d, dl_free);
    free(path);
}

/* ---- threads.get ---- */

static void on_thread(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    size_t max = (size_t)(uintptr_t)arg, i;
    json_t *msgs = json_object_get(res->json, "messages"), *m, *out = json_array();
    cm_buf_t b = {0};
    cm_buf_printf(&b, "Thread %s: %zu message%s\n", json_string_value(json_object_get(res->json, "id")) ?: "?",
                  json_array_size(msgs), json_array_size(msgs) == 1 ? "" : "s");
    json_array_foreach(msgs, i, m)
    {
        json_t *s = gm_message_summary(m, 1, max);
        cm_buf_printf(&b, "\n--- %zu/%zu ---\n", i + 1, json_array_size(msgs));
        gm_message_render(&b, s);
        json_array_append_new(out, s);
    }
    mcp_tool_finish_buf(
        c, &b, json_pack("{s:O, s:o}", "thread_id", json_object_get(res->json, "id") ?: json_null(), "messages", out));
}

void gm_get_thread(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    static const char *const q[] = {"format", "full", NULL};
    char *path = id_path("/threads/", gm_str(args, "thread_id"), NULL);
    size_t max = (size_t)json_integer_value(json_object_get(args, "max_body_chars"));
    gm_fetch(c, "GET", path ? gm_url(path, q) : NULL, NULL, GM_SCOPE_READ, on_thread, (void *)(uintptr_t)max, NULL);
    free(path);
}

/* ---- labels.list ---- */

static void on_labels(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    json_t *labels = json_object_get(res->json, "labels"), *l, *out = json_array();
    size_t i;
    cm_buf_t b = {0};
    cm_buf_printf(&b, "%zu labels:\n", json_array_size(labels));
    json_array_foreach(labels, i, l)
    {
        const char *id = json_string_value(json_object_get(l, "id")) ?: "";
        const char *name = json_string_value(json_object_get(l, "name")) ?: id;
        const char *type = json_string_value(json_object_get(l, "type")) ?: "user";
        cm_buf_printf(&b, "- %s (%s, id %s)\n", name, strcmp(type, "system") == 0 ? "system" : "user", id);
        json_array_append_new(out, json_pack("{s:s, s:s, s:s}", "id", id, "name", name, "type", type));
    }
    mcp_tool_finish_buf(c, &b, json_pack("{s:o}", "labels", out));
}

void gm_list_labels(mcp_call_t *c, json_t *args, void *data)
{
    (void)args;
    (void)data;
    gm_fetch(c, "GET", gm_url("/labels", NULL), NULL, GM_SCOPE_READ, on_labels, NULL, NULL);
}
