/*
 * upload.c - upload_file: a new file from text or base64 content. Up to GD_MULTIPART_MAX bytes in one multipart
 * upload (POST /upload/drive/v3/files?uploadType=multipart, multipart/related: the metadata part first, then the
 * media); above, a resumable upload: POST ?uploadType=resumable with the metadata gives a session URI (Location),
 * then PUT chunks of GD_CHUNK bytes with Content-Range; Google answers 308 Resume Incomplete with Range: bytes=0-N
 * (what it kept) until the last chunk, answered 200/201 with the File. The next chunk starts after what Google says
 * it kept, not after what was sent; after a 5xx a status query (an empty PUT whose Content-Range names no bytes, only
 * the total) says where. Each chunk reports progress (bytes kept of the total) when the client asked for it; a
 * cancelled call aborts the chunk in flight and sends no further one (mcp_provider_fetch).
 */
#include "mcp/args.h"
#include "apis/google.h"
#include "common/status.h"
#include "googledrive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const upload_fields = GD_FILE_FIELDS;

typedef struct up {
    unsigned char *data;
    size_t len, offset;
    char *session;  /* the resumable session URI */
    int stalls;     /* 308 answers in a row that kept nothing new */
    int query;      /* the next PUT asks for the status instead of sending bytes */
    int errors_5xx; /* server errors so far: each is followed by a status query, at most UPLOAD_5XX_RETRIES */
} up_t;

/* Google: after a 5xx, ask the session what it kept and resume from there (instead of starting over) */
#define UPLOAD_5XX_RETRIES 2

static void up_free(void *arg)
{
    up_t *u = arg;
    free(u->data);
    free(u->session);
    free(u);
}

static void on_uploaded(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    up_free(arg);
    gd_finish_file(c, res, "Uploaded");
}

static void multipart(mcp_call_t *c, up_t *u, json_t *meta, const char *mime)
{
    static const char *const q[] = {"uploadType", "multipart", "fields", upload_fields, NULL};
    char boundary[80], ctype[128], *body = NULL;
    size_t body_len = 0;
    char *url = gd_upload_url("/files", q);
    if (url == NULL ||
        mcp_google_multipart_body(meta, mime, u->data, u->len, boundary, sizeof(boundary), &body, &body_len) != CM_OK) {
        up_free(u);
        mcp_call_fail(c, "Could not build the Google Drive upload request.");
        goto out_free;
    }
    snprintf(ctype, sizeof(ctype), "multipart/related; boundary=%s", boundary);
    cm_http_header_t h[] = {{"Content-Type", ctype}};
    mcp_provider_request_t req = {.provider = GD_PROVIDER,
                                  .method = "POST",
                                  .url = url,
                                  .headers = h,
                                  .n_headers = 1,
                                  .body = body,
                                  .body_len = body_len,
                                  .timeout_ms = 120000,
                                  .error_text = gd_error_hook(GD_SCOPE_WRITE),
                                  .arg_free = up_free};
    mcp_provider_fetch(c, &req, on_uploaded, u); /* copies the request */
out_free:
    free(body);
    free(url);
}

/* ---- resumable ---- */

static void send_chunk(mcp_call_t *c, up_t *u);

/* The end of what Google kept, from "Range: bytes=0-N" (N + 1), or 0 when absent. -1 when malformed. */
static long long range_end(const mcp_provider_response_t *res)
{
    const char *r = mcp_header_get(res->headers, res->n_headers, "range");
    if (r == NULL)
        return 0;
    if (strncmp(r, "bytes=0-", 8) != 0)
        return -1;
    char *end = NULL;
    long long last = strtoll(r + 8, &end, 10);
    if (end == r + 8 || *end != '\0' || last < 0)
        return -1;
    return last + 1;
}

static void on_chunk(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    up_t *u = arg;
    if (res->status == 200 || res->status == 201) {
        on_uploaded(c, res, u);
        return;
    }
    if (res->status >= 500 && res->status <= 599 && u->errors_5xx < UPLOAD_5XX_RETRIES) {
        u->errors_5xx++;
        u->query = 1;
        send_chunk(c, u);
        return;
    }
    if (res->status != 308) {
        char generic[512], msg[1024] = "";
        mcp_provider_error_text(GD_PROVIDER, res->status, res->retry_after_s, 0, NULL, generic, sizeof(generic));
        gd_error_hook(GD_SCOPE_WRITE)(res, generic, msg, sizeof(msg));
        mcp_call_fail(c, "The resumable upload failed after %zu of %zu bytes: %s", u->offset, u->len,
                      msg[0] ? msg : generic);
        up_free(u);
        return;
    }
    long long kept = range_end(res);
    if (kept < 0 || (size_t)kept > u->len) {
        up_free(u);
        mcp_call_fail(c, "Google Drive answered the upload with a Range it cannot have kept.");
        return;
    }
    u->stalls = (size_t)kept > u->offset ? 0 : u->stalls + 1;
    if (u->stalls >= 3) {
        up_free(u);
        mcp_call_fail(c, "Google Drive kept no more of the upload after 3 tries; try again later.");
        return;
    }
    u->offset = (size_t)kept;
    send_chunk(c, u);
}

static void send_chunk(mcp_call_t *c, up_t *u)
{
    size_t n = u->len - u->offset;
    if (n > GD_CHUNK)
        n = GD_CHUNK;
    char range[96];
    /* a status query: after a server error, or when everything was kept but Google has not finished */
    if (u->query || n == 0) {
        n = 0;
        u->query = 0;
        snprintf(range, sizeof(range), "bytes */%zu", u->len);
    } else {
        snprintf(range, sizeof(range), "bytes %zu-%zu/%zu", u->offset, u->offset + n - 1, u->len);
        mcp_call_progress(c, (double)u->offset, (double)u->len, "uploading"); /* bytes Google kept so far */
    }
    cm_http_header_t h[] = {{"Content-Range", range}, {"Content-Type", "application/octet-stream"}};
    mcp_provider_request_t req = {.provider = GD_PROVIDER,
                                  .method = "PUT",
                                  .url = u->session,
                                  .headers = h,
                                  .n_headers = 2,
                                  .body = (const char *)u->data + u->offset,
                                  .body_len = n,
                                  .timeout_ms = 120000,
                                  .flags = MCP_PROVIDER_ALL_STATUSES,
                                  .error_text = gd_error_hook(GD_SCOPE_WRITE),
                                  .arg_free = up_free};
    mcp_provider_fetch(c, &req, on_chunk, u);
}

static void on_session(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    up_t *u = arg;
    const char *loc = mcp_header_get(res->headers, res->n_headers, "location");
    /* the session URI carries the access token's requests: it must stay on the configured upload base */
    if (loc == NULL || !gd_under_upload_base(loc)) {
        up_free(u);
        mcp_call_fail(c, "Google Drive did not answer the resumable upload with a session URI on its upload base.");
        return;
    }
    u->session = strdup(loc);
    if (u->session == NULL) {
        up_free(u);
        mcp_call_fail(c, "out of memory");
        return;
    }
    send_chunk(c, u);
}

static void resumable(mcp_call_t *c, up_t *u, json_t *meta, const char *mime)
{
    static const char *const q[] = {"uploadType", "resumable", "fields", upload_fields, NULL};
    char length[32];
    snprintf(length, sizeof(length), "%zu", u->len);
    cm_http_header_t h[] = {{"X-Upload-Content-Type", mime}, {"X-Upload-Content-Length", length}};
    mcp_provider_request_t req = {.provider = GD_PROVIDER,
                                  .method = "POST",
                                  .headers = h,
                                  .n_headers = 2,
                                  .timeout_ms = 30000,
                                  .error_text = gd_error_hook(GD_SCOPE_WRITE),
                                  .arg_free = up_free};
    mcp_provider_fetch_json(c, &req, gd_upload_url("/files", q), json_incref(meta), on_session, u);
}

void gd_upload_file(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    if (!gd_names_ok(c, args))
        return;
    const char *text = json_string_value(json_object_get(args, "content_text"));
    const char *b64 = json_string_value(json_object_get(args, "content_base64"));
    const char *folder = gd_str(args, "folder_id"), *mime = gd_str(args, "mime_type");
    const char *desc = gd_str(args, "description");
    if ((text == NULL) == (b64 == NULL)) {
        mcp_call_fail(c, "Invalid arguments: give exactly one of content_text and content_base64.");
        return;
    }
    up_t *u = calloc(1, sizeof(*u));
    if (u == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    char err[256];
    int rc = mcp_arg_bytes(json_object_get(args, text != NULL ? "content_text" : "content_base64"), b64 != NULL,
                           GD_MAX_UPLOAD, text != NULL ? "content_text" : "content_base64", &u->data, &u->len, err,
                           sizeof(err));
    if (rc != CM_OK) {
        up_free(u);
        mcp_call_fail(c, "%s", rc == CM_ENOMEM ? "out of memory" : err);
        return;
    }
    if (mime == NULL)
        mime = text != NULL ? "text/plain; charset=UTF-8" : "application/octet-stream";
    json_t *meta = json_pack("{s:s}", "name", gd_str(args, "name"));
    if (folder != NULL)
        json_object_set_new(meta, "parents", json_pack("[s]", folder));
    if (gd_str(args, "mime_type") != NULL)
        json_object_set_new(meta, "mimeType", json_string(mime));
    if (desc != NULL)
        json_object_set_new(meta, "description", json_string(desc));
    if (u->len <= GD_MULTIPART_MAX)
        multipart(c, u, meta, mime);
    else
        resumable(c, u, meta, mime);
    json_decref(meta);
}
