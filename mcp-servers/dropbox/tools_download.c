/*
 * tools_download.c - dropbox's download tool: files/download on the content endpoint, the argument in the
 * Dropbox-API-Arg header (ASCII only, dbx_header_json), the file's metadata in the Dropbox-API-Result response header
 * and its bytes in the body. The answer is capped (max_bytes): a larger file fails the call without being read past
 * the cap. UTF-8 text comes back as text, anything else as base64.
 */
#include "common/crypto.h"
#include "common/status.h"
#include "dropbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dl {
    size_t max;
};

/* The body as a JSON string when it is UTF-8 text a model can read (no NUL or control characters but tab, newline,
 * carriage return, form feed), else NULL (jansson refuses invalid UTF-8). */
static json_t *as_text(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r' && ch != '\f') || ch == 0x7f)
            return NULL;
    }
    return json_stringn(s, len);
}

static void on_download(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    struct dl *d = arg;
    const char *hdr = mcp_header_get(res->headers, res->n_headers, "dropbox-api-result");
    json_t *meta = hdr ? json_loads(hdr, 0, NULL) : NULL;
    free(d);
    if (!json_is_object(meta)) {
        json_decref(meta);
        mcp_call_fail(c, "Dropbox returned an unexpected answer (no Dropbox-API-Result metadata).");
        return;
    }
    json_t *text = as_text(res->body, res->body_len);
    char *b64 = text ? NULL : cm_b64_encode(res->body, res->body_len);
    json_t *s = dbx_meta_summary(meta);
    json_decref(meta);
    if ((text == NULL && b64 == NULL) || s == NULL) {
        json_decref(s);
        mcp_call_fail(c, "out of memory");
        return;
    }
    const char *name = json_string_value(json_object_get(s, "path")) ?: json_string_value(json_object_get(s, "name"));
    cm_buf_t b = {0};
    cm_buf_printf(&b, "%s (%zu bytes)%s\n", name ? name : "file", res->body_len, text ? ":" : ", base64-encoded:");
    if (text)
        cm_buf_append(&b, res->body, res->body_len);
    else
        cm_buf_appendz(&b, b64);
    json_object_set_new(s, "encoding", json_string(text ? "text" : "base64"));
    json_object_set_new(s, "content", text ? text : json_string(b64));
    json_object_set_new(s, "bytes", json_integer((json_int_t)res->body_len));
    free(b64);
    mcp_tool_finish_buf(c, &b, s);
}

void dropbox_download(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    if (!dbx_path_arg_ok(c, args, "path"))
        return;
    const char *path = dbx_arg_str(args, "path");
    struct dl *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    d->max = (size_t)json_integer_value(json_object_get(args, "max_bytes"));
    char too_large[512];
    snprintf(too_large, sizeof(too_large),
             "The file at path '%.*s' is larger than the download cap of %zu bytes (max_bytes, at most %u); share it "
             "with create_shared_link instead.",
             (int)mcp_utf8_prefix_chars(path ? path : "", path ? strlen(path) : 0, 100), path ? path : "", d->max,
             DBX_MAX_DOWNLOAD);
    dbx_request_t q = {.route = "files/download",
                       .content = 1,
                       .arg = json_pack("{s:s}", "path", path ? path : ""),
                       .max_response = d->max,
                       .too_large = too_large,
                       .timeout_ms = 60000,
                       .path = path};
    dbx_fetch(c, &q, on_download, d, free);
}
