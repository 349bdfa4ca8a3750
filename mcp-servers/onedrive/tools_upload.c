/*
 * tools_upload.c - onedrive's upload tool. Up to 4 MiB: one PUT .../{name}:/content (Graph's simple upload). Above:
 * createUploadSession, then the bytes in fragments of OD_CHUNK_SIZE (a multiple of 320 KiB, as Graph requires of every
 * fragment but the last) PUT to the session's uploadUrl with Content-Range, WITHOUT the access token (the URL is
 * pre-authenticated; Graph documents a 401 for a fragment that carries one). Graph answers 202 with
 * nextExpectedRanges until the last fragment, then 200/201 with the item. A failed session is cancelled (DELETE),
 * and so is the session of a cancelled call (before its next fragment). Each fragment reports progress (bytes of the
 * total) when the client asked for it.
 */
#include "mcp/args.h"
#include "common/status.h"
#include "onedrive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct up {
    unsigned char *bytes;
    size_t len, offset;
    unsigned requests; /* fragments sent: bounded, a server that never advances cannot loop us */
    char *upload_url;
};

static void up_free(void *p)
{
    struct up *u = p;
    if (u == NULL)
        return;
    free(u->bytes);
    free(u->upload_url);
    free(u);
}

static void finish_item(mcp_call_t *c, const json_t *item, int status, const char *how)
{
    json_t *s = od_item_summary(item);
    cm_buf_t b = {0};
    cm_buf_printf(&b, "%s %s (%s).\n", status == 201 ? "Created" : "Replaced",
                  json_string_value(json_object_get(s, "name")) ?: "the file", how);
    od_append_item_line(&b, s);
    json_object_set_new(s, "new_file", json_boolean(status == 201));
    json_object_set_new(s, "upload", json_string(how));
    mcp_tool_finish_buf(c, &b, s);
}

static void on_simple(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    if (!json_is_object(res->json)) {
        mcp_call_fail(c, "Microsoft Graph returned an unexpected answer (no item).");
        return;
    }
    finish_item(c, res->json, res->status, "simple upload");
}

static void ignore(mcp_call_t *c, const cm_http_response_t *res, void *arg)
{
    (void)c;
    (void)res;
    (void)arg;
}

/* Fails the call and cancels the session (best effort: the answer is not waited for). */
static void session_fail(mcp_call_t *c, struct up *u, const char *msg)
{
    if (u->upload_url != NULL)
        od_plain_fetch(c, "DELETE", u->upload_url, NULL, 0, NULL, 0, 0, ignore, NULL);
    mcp_call_fail(c, "%s", msg);
    up_free(u);
}

static void send_fragment(mcp_call_t *c, struct up *u);

static void on_fragment(mcp_call_t *c, const cm_http_response_t *res, void *arg)
{
    struct up *u = arg;
    char msg[1400];
    if (res->status == 200 || res->status == 201) {
        json_t *item = json_loadb(res->body, res->body_len, 0, NULL);
        if (!json_is_object(item)) {
            json_decref(item);
            mcp_call_fail(c, "Microsoft Graph returned an unexpected answer to the last fragment (no item).");
            up_free(u);
            return;
        }
        finish_item(c, item, res->status, "upload session");
        json_decref(item);
        up_free(u);
        return;
    }
    if (res->status != 202) {
        snprintf(msg, sizeof(msg), "Fragment at byte %zu of %zu", u->offset, u->len);
        char text[1200];
        od_plain_error(res, msg, text, sizeof(text));
        session_fail(c, u, text);
        return;
    }
    /* the next range Graph expects ("start-" or "start-end"); the list may be incomplete, the first one counts */
    json_t *j = json_loadb(res->body, res->body_len, 0, NULL);
    const char *r = json_string_value(json_array_get(json_object_get(j, "nextExpectedRanges"), 0));
    char *end = NULL;
    unsigned long long next = r ? strtoull(r, &end, 10) : 0;
    int ok = r != NULL && end != r && (*end == '-' || *end == '\0') && next > 0 && next < u->len;
    json_decref(j);
    if (!ok) {
        session_fail(c, u, "Microsoft Graph answered a fragment without a usable nextExpectedRanges.");
        return;
    }
    u->offset = (size_t)next;
    send_fragment(c, u);
}

static void send_fragment(mcp_call_t *c, struct up *u)
{
    if (mcp_call_abandoned(c)) { /* cancelled between fragments: leave no half-written upload session behind */
        session_fail(c, u, "The upload was cancelled.");
        return;
    }
    mcp_call_progress(c, (double)u->offset, (double)u->len, "uploading");
    if (++u->requests > 2 * (u->len / OD_CHUNK_SIZE + 2)) {
        session_fail(c, u, "The upload session made no progress; it was cancelled.");
        return;
    }
    size_t n = u->len - u->offset < OD_CHUNK_SIZE ? u->len - u->offset : OD_CHUNK_SIZE;
    char range[96];
    snprintf(range, sizeof(range), "bytes %zu-%zu/%zu", u->offset, u->offset + n - 1, u->len);
    const cm_http_header_t h[] = {{"Content-Range", range}, {"Content-Type", "application/octet-stream"}};
    if (od_plain_fetch(c, "PUT", u->upload_url, h, 2, (const char *)u->bytes + u->offset, n, 0, on_fragment, u) !=
        CM_OK)
        session_fail(c, u, "Could not send the upload fragment.");
}

static void on_session(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    struct up *u = arg;
    const char *url = json_string_value(json_object_get(res->json, "uploadUrl"));
    if (url == NULL) {
        mcp_call_fail(c, "Microsoft Graph returned an unexpected answer (no uploadUrl).");
        up_free(u);
        return;
    }
    if ((u->upload_url = strdup(url)) == NULL) {
        mcp_call_fail(c, "out of memory");
        up_free(u);
        return;
    }
    send_fragment(c, u);
}

void onedrive_upload(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *name = od_arg_str(args, "name");
    const char *conflict = od_arg_str(args, "conflict_behavior");
    const json_t *content = json_object_get(args, "content");
    const char *enc = od_arg_str(args, "encoding");
    int b64 = enc != NULL && strcmp(enc, "base64") == 0;
    char path[4096];
    struct up *u = calloc(1, sizeof(*u));
    if (u == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    char err[256];
    int rc = mcp_arg_bytes(content, b64, OD_MAX_UPLOAD, "content", &u->bytes, &u->len, err, sizeof(err));
    if (rc != CM_OK) {
        mcp_call_fail(c, "%s", rc == CM_ENOMEM ? "out of memory" : err);
        up_free(u);
        return;
    }
    int simple = u->len <= OD_SIMPLE_UPLOAD_MAX;
    if (od_child_path(c, args, "parent_id", "parent_path", "name", simple ? "/content" : "/createUploadSession", path,
                      sizeof(path)) != CM_OK) {
        up_free(u);
        return;
    }
    if (simple) {
        const char *q[] = {"@microsoft.graph.conflictBehavior", conflict, NULL};
        char *url = msgraph_url(path, q);
        const cm_http_header_t h[] = {{"Content-Type", b64 ? "application/octet-stream" : "text/plain"}};
        mcp_provider_request_t req = {.provider = MSGRAPH_PROVIDER,
                                      .method = "PUT",
                                      .url = url,
                                      .headers = h,
                                      .n_headers = 1,
                                      .body = (const char *)u->bytes,
                                      .body_len = u->len,
                                      .timeout_ms = 60000,
                                      .error_text = od_error_write};
        if (url == NULL) {
            mcp_call_fail(c, "Could not build the Microsoft Graph request.");
            up_free(u);
            return;
        }
        mcp_provider_fetch(c, &req, on_simple, NULL); /* the body is copied */
        free(url);
        up_free(u);
        return;
    }
    json_t *body = json_pack("{s:{s:s, s:s, s:I}}", "item", "@microsoft.graph.conflictBehavior", conflict, "name", name,
                             "fileSize", (json_int_t)u->len);
    mcp_provider_request_t req = {
        .provider = MSGRAPH_PROVIDER, .method = "POST", .error_text = od_error_write, .arg_free = up_free};
    mcp_provider_fetch_json(c, &req, msgraph_url(path, NULL), body, on_session, u);
}
