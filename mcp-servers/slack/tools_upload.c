/*
 * tools_upload.c - upload_file, Slack's current upload flow (files.upload is retired): files.getUploadURLExternal
 * (filename, length) -> {upload_url, file_id}; the bytes POSTed to upload_url WITHOUT the access token (the URL
 * itself authorizes the upload; it must be Slack's upload host or, for tests, the API base's origin); then
 * files.completeUploadExternal {files: [{id, title}], channel_id?, initial_comment?, thread_ts?}, which shares the
 * file in the channel (without a channel the file stays private to the account).
 */
#include "mcp/args.h"
#include "common/crypto.h"
#include "common/status.h"
#include "slack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLACK_UPLOAD_HOST "https://files.slack.com" /* where upload_url points in production */

struct upload {
    mcp_call_t *call;
    json_t *args;
    uint8_t *bytes;
    size_t len;
    char *file_id;
};

static void upload_free(void *arg)
{
    struct upload *u = arg;
    json_decref(u->args);
    if (u->bytes != NULL)
        cm_wipe(u->bytes, u->len);
    free(u->bytes);
    free(u->file_id);
    free(u);
}

/* 1 when upload_url may receive the file: below Slack's upload host, or below the origin (scheme://host:port) of
 * the configured API base, where a test's fake serves it. */
static int upload_url_ok(const char *url)
{
    if (mcp_url_under_base(url, SLACK_UPLOAD_HOST))
        return 1;
    const char *base = slack_api_base(), *host = strstr(base, "://");
    char origin[MCP_API_BASE_MAX];
    size_t n = host ? (size_t)(host + 3 - base) + strcspn(host + 3, "/") : 0;
    if (n == 0 || n >= sizeof(origin))
        return 0;
    memcpy(origin, base, n);
    origin[n] = '\0';
    return mcp_url_under_base(url, origin);
}

static void on_completed(mcp_call_t *c, json_t *answer, void *arg)
{
    struct upload *u = arg;
    const json_t *f = json_array_get(json_object_get(answer, "files"), 0);
    const char *id = json_string_value(json_object_get(f, "id"));
    const char *channel = slack_arg(u->args, "channel");
    if (id == NULL) {
        mcp_call_fail(c, "%s answered files.completeUploadExternal without the file.", SLACK_PROVIDER);
        upload_free(u);
        return;
    }
    const char *name = json_string_value(json_object_get(f, "name"));
    const char *title = json_string_value(json_object_get(f, "title"));
    const char *link = json_string_value(json_object_get(f, "permalink"));
    json_t *out = slack_drop_nulls(json_pack("{s:s, s:s?, s:s?, s:I, s:s?, s:s?}", "file_id", id, "name", name, "title",
                                             title, "size", (json_int_t)u->len, "permalink", link, "channel", channel));
    cm_buf_t b = {0};
    cm_buf_printf(&b, "Uploaded %s (%zu bytes) as file %s%s%s%s.%s%s\n", name ? name : "the file", u->len, id,
                  channel ? ", shared in " : ", not shared (private to this account)", channel ? channel : "",
                  slack_arg(u->args, "thread_ts") ? " (in the thread)" : "", link ? " " : "", link ? link : "");
    upload_free(u);
    mcp_tool_finish_buf(c, &b, out);
}

static void complete(struct upload *u)
{
    json_t *file = json_pack("{s:s}", "id", u->file_id);
    const char *title = slack_arg(u->args, "title");
    if (file != NULL && title != NULL)
        json_object_set_new(file, "title", json_string(title));
    json_t *body = json_pack("{s:[o]}", "files", file);
    if (body != NULL) {
        const char *keys[][2] = {
            {"channel", "channel_id"}, {"initial_comment", "initial_comment"}, {"thread_ts", "thread_ts"}};
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
            if (slack_arg(u->args, keys[i][0]) != NULL)
                json_object_set_new(body, keys[i][1], json_string(slack_arg(u->args, keys[i][0])));
    }
    char subj[64];
    snprintf(subj, sizeof(subj), "channel %s", slack_arg(u->args, "channel") ? slack_arg(u->args, "channel") : "-");
    slack_call_json(u->call, "files.completeUploadExternal", body, slack_arg(u->args, "channel") ? subj : NULL,
                    on_completed, u, upload_free);
}

static void on_uploaded(void *arg, const cm_http_response_t *res)
{
    struct upload *u = arg;
    if (res->status != 200) {
        if (res->status == 0)
            mcp_call_fail(u->call, "The file upload to %s failed: %s; try again.", SLACK_PROVIDER,
                          res->timed_out ? "it timed out" : "the upload host could not be reached");
        else
            mcp_call_fail(u->call,
                          "%s refused the file bytes at the upload URL (HTTP %d); nothing was shared. Try again (the "
                          "upload URL is valid only briefly).",
                          SLACK_PROVIDER, res->status);
        upload_free(u);
        return;
    }
    complete(u);
}

static void on_upload_url(mcp_call_t *c, json_t *answer, void *arg)
{
    struct upload *u = arg;
    const char *url = json_string_value(json_object_get(answer, "upload_url"));
    const char *id = json_string_value(json_object_get(answer, "file_id"));
    if (url == NULL || id == NULL || !upload_url_ok(url) || (u->file_id = strdup(id)) == NULL) {
        mcp_call_fail(c, "%s answered files.getUploadURLExternal without a usable upload URL and file id.",
                      SLACK_PROVIDER);
        upload_free(u);
        return;
    }
    static const cm_http_header_t h[] = {{"Content-Type", "application/octet-stream"}};
    cm_http_request_t req = {.method = "POST",
                             .url = url,
                             .headers = h,
                             .n_headers = 1,
                             .body = (const char *)u->bytes,
                             .body_len = u->len,
                             .timeout_ms = 120000,
                             .max_response = 64 * 1024};
    /* the upload URL authorizes itself: no Authorization header goes there */
    if (cm_http_start(mcp_server_http(mcp_call_server(c)), &req, on_uploaded, u, NULL) != CM_AGAIN) {
        mcp_call_fail(c, "The file upload to %s could not be started.", SLACK_PROVIDER);
        upload_free(u);
    }
}

void slack_upload_file(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *text = json_string_value(json_object_get(args, "content"));
    const char *b64 = json_string_value(json_object_get(args, "content_base64"));
    if ((text == NULL) == (b64 == NULL)) {
        mcp_call_fail(c, "Invalid arguments: give exactly one of 'content' (text) and 'content_base64'.");
        return;
    }
    if (slack_arg(args, "thread_ts") != NULL && slack_arg(args, "channel") == NULL) {
        mcp_call_fail(c, "Invalid arguments: 'thread_ts' needs 'channel' (the channel of the thread).");
        return;
    }
    struct upload *u = calloc(1, sizeof(*u));
    if (u == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    u->call = c;
    u->args = json_incref(args);
    char err[256];
    int rc =
        mcp_arg_bytes(json_object_get(args, text != NULL ? "content" : "content_base64"), b64 != NULL, SLACK_MAX_UPLOAD,
                      text != NULL ? "content" : "content_base64", &u->bytes, &u->len, err, sizeof(err));
    if (rc == CM_OK && u->len == 0) {
        rc = CM_EINVAL;
        snprintf(err, sizeof(err), "Invalid arguments: the file is empty; upload_file sends 1 byte to %s.",
                 SLACK_MAX_UPLOAD_TEXT);
    }
    if (rc != CM_OK) {
        mcp_call_fail(c, "%s", rc == CM_ENOMEM ? "out of memory" : err);
        upload_free(u);
        return;
    }
    char length[24];
    snprintf(length, sizeof(length), "%zu", u->len);
    const char *form[] = {"filename", slack_arg(args, "filename"), "length", length,
                          "alt_txt",  slack_arg(args, "alt_txt"),  NULL};
    slack_call_form(c, "files.getUploadURLExternal", form, NULL, on_upload_url, u, upload_free);
}
