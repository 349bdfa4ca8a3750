/*
 * tools_download.c - onedrive's download tool: the item's metadata first (a folder or a file above the cap is refused
 * before any byte is fetched), then GET /content, which Graph answers with 302 and a short-lived pre-authenticated
 * URL, often on another host: that URL is fetched WITHOUT the access token (plain.c). UTF-8 text comes back as text,
 * anything else as base64.
 */
#include "common/crypto.h"
#include "common/status.h"
#include "onedrive.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dl {
    size_t max;
    char *id, *name, *mime;
    long long size;
};

static void dl_free(void *p)
{
    struct dl *d = p;
    if (d == NULL)
        return;
    free(d->id);
    free(d->name);
    free(d->mime);
    free(d);
}

/* 1 when the bytes are UTF-8 text a model can read: valid sequences, no NUL or other control characters but tab,
 * newline, carriage return and form feed. */
static int is_text(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned char ch = s[i];
        if (ch < 0x80) {
            if ((ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r' && ch != '\f') || ch == 0x7f)
                return 0;
            i++;
            continue;
        }
        size_t n = ch >= 0xf0 && ch <= 0xf4 ? 4 : ch >= 0xe0 ? 3 : ch >= 0xc2 && ch < 0xe0 ? 2 : 0;
        if (n == 0 || i + n > len)
            return 0;
        uint32_t cp = ch & (0xff >> (n + 1));
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
            return 0;
        i += n;
    }
    return 1;
}

static void finish_bytes(mcp_call_t *c, struct dl *d, const char *body, size_t len)
{
    if (len > d->max) {
        mcp_call_fail(c, "The file '%s' is larger than the download cap of %zu bytes.", d->name, d->max);
        dl_free(d);
        return;
    }
    int text = is_text((const unsigned char *)body, len);
    char *b64 = text ? NULL : cm_b64_encode(body, len);
    if (!text && b64 == NULL) {
        mcp_call_fail(c, "out of memory");
        dl_free(d);
        return;
    }
    cm_buf_t b = {0};
    cm_buf_printf(&b, "%s (%zu bytes%s%s)%s\n", d->name, len, d->mime ? ", " : "", d->mime ? d->mime : "",
                  text ? ":" : ", base64-encoded:");
    cm_buf_appendz(&b, text ? "" : b64);
    if (text)
        cm_buf_append(&b, body, len);
    json_t *out = json_pack("{s:s, s:s, s:I, s:s, s:s}", "id", d->id, "name", d->name, "size", (json_int_t)len,
                            "encoding", text ? "text" : "base64", "content", "");
    if (out != NULL) {
        json_object_set_new(out, "content", text ? json_stringn(body, len) : json_string(b64));
        if (d->mime != NULL)
            json_object_set_new(out, "mime_type", json_string(d->mime));
    }
    free(b64);
    dl_free(d);
    mcp_tool_finish_buf(c, &b, out);
}

static void on_bytes(mcp_call_t *c, const cm_http_response_t *res, void *arg)
{
    struct dl *d = arg;
    if (res->status == 0 && res->error != NULL && strstr(res->error, "too large") != NULL) {
        mcp_call_fail(c, "The file '%s' is larger than the download cap of %zu bytes.", d->name, d->max);
        dl_free(d);
        return;
    }
    if (res->status != 200) {
        char msg[1200];
        od_plain_error(res, "The download URL Microsoft Graph redirected to failed", msg, sizeof(msg));
        mcp_call_fail(c, "%s", msg);
        dl_free(d);
        return;
    }
    finish_bytes(c, d, res->body, res->body_len);
}

static void on_content(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    struct dl *d = arg;
    if (res->status >= 200 && res->status < 300) { /* served inline: no redirect to follow */
        finish_bytes(c, d, res->body, res->body_len);
        return;
    }
    const char *loc = mcp_header_get(res->headers, res->n_headers, "location");
    if (res->status >= 300 && res->status < 400 && loc != NULL) {
        if (od_plain_fetch(c, "GET", loc, NULL, 0, NULL, 0, d->max + 1, on_bytes, d) != CM_OK) {
            mcp_call_fail(c, "Microsoft Graph redirected the download to an unusable URL.");
            dl_free(d);
        }
        return;
    }
    char generic[512], msg[1200];
    mcp_provider_error_text(MSGRAPH_PROVIDER, res->status, res->retry_after_s, 0, NULL, generic, sizeof(generic));
    od_error_read(res, generic, msg, sizeof(msg));
    mcp_call_fail(c, "%s", msg);
    dl_free(d);
}

static void on_meta(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    struct dl *d = arg;
    const json_t *it = res->json;
    const char *id = json_string_value(json_object_get(it, "id"));
    const char *name = json_string_value(json_object_get(it, "name"));
    if (id == NULL) {
        mcp_call_fail(c, "Microsoft Graph returned an unexpected answer (no item).");
        dl_free(d);
        return;
    }
    if (!json_is_object(json_object_get(it, "file"))) {
        mcp_call_fail(c, "'%s' is %s, not a file: only files can be downloaded.", name ? name : id,
                      json_is_object(json_object_get(it, "folder")) ? "a folder" : "not a file");
        dl_free(d);
        return;
    }
    d->size = (long long)json_integer_value(json_object_get(it, "size"));
    if (d->size > (long long)d->max) {
        mcp_call_fail(c,
                      "The file '%s' is %lld bytes, above the download cap of %zu bytes (max_bytes, at most %u); "
                      "share it with create_share_link instead.",
                      name ? name : id, d->size, d->max, OD_MAX_DOWNLOAD);
        dl_free(d);
        return;
    }
    const char *mime = json_string_value(json_object_get(json_object_get(it, "file"), "mimeType"));
    d->id = strdup(id);
    d->name = strdup(name ? name : id);
    d->mime = mime ? strdup(mime) : NULL;
    char *e = msgraph_escape(id), path[2048];
    if (d->id == NULL || d->name == NULL || (mime && d->mime == NULL) || e == NULL || strlen(e) > 1800) {
        free(e);
        mcp_call_fail(c, "out of memory");
        dl_free(d);
        return;
    }
    snprintf(path, sizeof(path), "/me/drive/items/%s/content", e);
    free(e);
    /* every status reaches on_content (the 302 is the answer wanted); the 401 refresh still happens first */
    mcp_provider_request_t req = {.provider = MSGRAPH_PROVIDER,
                                  .flags = MCP_PROVIDER_ALL_STATUSES,
                                  .max_response = d->max + 1,
                                  .error_text = od_error_read,
                                  .arg_free = dl_free};
    mcp_provider_fetch_json(c, &req, msgraph_url(path, NULL), NULL, on_content, d);
}

void onedrive_download(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char path[4096];
    if (od_item_path(c, args, "item_id", "path", 0, "", path, sizeof(path)) != CM_OK)
        return;
    struct dl *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    d->max = (size_t)json_integer_value(json_object_get(args, "max_bytes"));
    const char *q[] = {"$select", "id,name,size,file,folder", NULL};
    mcp_provider_request_t req = {.provider = MSGRAPH_PROVIDER, .error_text = od_error_read, .arg_free = dl_free};
    mcp_provider_fetch_json(c, &req, msgraph_url(path, q), NULL, on_meta, d);
}
