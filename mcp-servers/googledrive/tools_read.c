/*
 * tools_read.c - read_file: the file's metadata first (its type and size decide), then Google Docs, Sheets and Slides
 * through files.export (markdown, CSV or plain text) and every other file through alt=media: as text when it is
 * text, else as base64, up to GD_MAX_READ bytes.
 */
#include "common/crypto.h"
#include "googledrive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rd {
    char id[GD_ID_MAX + 1];
    char *name, *mime;
    const char *format;    /* auto, text, markdown, csv */
    const char *export_as; /* the export MIME type, NULL for a download */
    size_t max_chars;
} rd_t;

static void rd_free(void *arg)
{
    rd_t *r = arg;
    free(r->name);
    free(r->mime);
    free(r);
}

/* The export MIME type for a Google file and the requested format; NULL with *why set when there is none. */
static const char *export_type(const char *mime, const char *format, const char **why)
{
    static const struct {
        const char *mime, *auto_type, *text, *markdown, *csv, *what;
    } t[] = {
        {"application/vnd.google-apps.document", "text/markdown", "text/plain", "text/markdown", NULL,
         "a Google Doc reads as markdown or text"},
        {"application/vnd.google-apps.spreadsheet", "text/csv", NULL, NULL, "text/csv",
         "a Google Sheet reads as csv (its first sheet)"},
        {"application/vnd.google-apps.presentation", "text/plain", "text/plain", NULL, NULL,
         "Google Slides read as text"},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        if (strcmp(mime, t[i].mime) != 0)
            continue;
        const char *r = strcmp(format, "auto") == 0       ? t[i].auto_type
                        : strcmp(format, "text") == 0     ? t[i].text
                        : strcmp(format, "markdown") == 0 ? t[i].markdown
                                                          : t[i].csv;
        *why = t[i].what;
        return r;
    }
    *why = "only Google Docs, Sheets and Slides can be exported as text; forms, drawings, folders and shortcuts "
           "cannot be read";
    return NULL;
}

static int is_text_type(const char *mime)
{
    static const char *const types[] = {"application/json",   "application/xml",  "application/javascript",
                                        "application/x-yaml", "application/yaml", "application/sql",
                                        "application/x-sh",   "image/svg+xml"};
    if (strncmp(mime, "text/", 5) == 0)
        return 1;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(mime, types[i]) == 0)
            return 1;
    return 0;
}

/* 1 when s[0..n) is UTF-8 without NUL or invalid sequences (overlongs and surrogates refused). */
static int utf8_text(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t k;
        unsigned int cp;
        if (c == 0)
            return 0;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xe0) == 0xc0)
            k = 1, cp = c & 0x1f;
        else if ((c & 0xf0) == 0xe0)
            k = 2, cp = c & 0x0f;
        else if ((c & 0xf8) == 0xf0)
            k = 3, cp = c & 0x07;
        else
            return 0;
        if (i + k >= n) /* the sequence runs past the end */
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + j] & 0x3f);
        }
        if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += k + 1;
    }
    return 1;
}

static void on_content(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    rd_t *r = arg;
    const unsigned char *data = (const unsigned char *)(res->body != NULL ? res->body : "");
    size_t n = res->body_len;
    const char *shown = r->export_as != NULL ? r->export_as : r->mime;
    json_t *out = json_pack("{s:s, s:s, s:s, s:I}", "file_id", r->id, "name", r->name, "mime_type", r->mime, "size",
                            (json_int_t)n);
    cm_buf_t b = {0};
    if (r->export_as != NULL)
        json_object_set_new(out, "exported_as", json_string(r->export_as));
    if ((r->export_as != NULL || is_text_type(r->mime) || n == 0) && utf8_text(data, n)) {
        size_t cut = mcp_utf8_prefix_chars((const char *)data, n, r->max_chars);
        json_object_set_new(out, "encoding", json_string("text"));
        json_object_set_new(out, "content", json_stringn((const char *)data, cut));
        json_object_set_new(out, "truncated", json_boolean(cut < n));
        cm_buf_printf(&b, "%s (id %s, %s, %zu bytes%s):\n\n", r->name, r->id, shown, n,
                      cut < n ? "; cut at max_chars" : "");
        cm_buf_append(&b, (const char *)data, cut);
        if (cut < n)
            cm_buf_printf(&b, "\n\n[... truncated at %zu characters]", r->max_chars);
    } else {
        char *b64 = cm_b64_encode(data, n);
        if (b64 == NULL) {
            json_decref(out);
            rd_free(r);
            mcp_call_fail(c, "out of memory");
            return;
        }
        json_object_set_new(out, "encoding", json_string("base64"));
        json_object_set_new(out, "content_base64", json_string(b64));
        json_object_set_new(out, "truncated", json_false());
        cm_buf_printf(&b,
                      "%s (id %s, %s, %zu bytes) is binary: its content is in structuredContent.content_base64 "
                      "(base64, %zu characters).",
                      r->name, r->id, shown, n, strlen(b64));
        free(b64);
    }
    rd_free(r);
    mcp_tool_finish_buf(c, &b, out);
}

static void on_meta(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    rd_t *r = arg;
    const char *name = json_string_value(json_object_get(res->json, "name"));
    const char *mime = json_string_value(json_object_get(res->json, "mimeType"));
    const char *size = json_string_value(json_object_get(res->json, "size"));
    r->name = strdup(name != NULL ? name : r->id);
    r->mime = strdup(mime != NULL ? mime : "application/octet-stream");
    if (r->name == NULL || r->mime == NULL) {
        rd_free(r);
        mcp_call_fail(c, "out of memory");
        return;
    }
    if (strncmp(r->mime, "application/vnd.google-apps.", 28) == 0) {
        const char *why = NULL;
        r->export_as = export_type(r->mime, r->format, &why);
        if (r->export_as == NULL) {
            mcp_call_fail(c, "Cannot read %s (id %s, %s) as format %s: %s.", r->name, r->id, r->mime, r->format, why);
            rd_free(r);
            return;
        }
        const char *q[] = {"mimeType", r->export_as, NULL};
        gd_fetch_media(c, gd_file_url(r->id, "/export", q), GD_MAX_EXPORT,
                       "The exported file is larger than Google's 10 MB export limit.", on_content, r, rd_free);
        return;
    }
    if (strcmp(r->format, "markdown") == 0 || strcmp(r->format, "csv") == 0) {
        mcp_call_fail(c,
                      "Cannot read %s (id %s, %s) as format %s: only Google Docs (markdown) and Sheets (csv) are "
                      "converted; use format auto or text.",
                      r->name, r->id, r->mime, r->format);
        rd_free(r);
        return;
    }
    long long bytes = size != NULL ? strtoll(size, NULL, 10) : 0;
    if (bytes > (long long)GD_MAX_READ) {
        mcp_call_fail(c,
                      "%s (id %s) is %lld bytes: read_file returns files of at most " GD_MAX_READ_TEXT
                      " (%u bytes). Download it from Google Drive instead.",
                      r->name, r->id, bytes, GD_MAX_READ);
        rd_free(r);
        return;
    }
    const char *q[] = {"alt", "media", NULL};
    gd_fetch_media(c, gd_file_url(r->id, NULL, q), GD_MAX_READ,
                   "The file is larger than read_file returns (at most " GD_MAX_READ_TEXT ").", on_content, r, rd_free);
}

void gd_read_file(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    rd_t *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    snprintf(r->id, sizeof(r->id), "%s", gd_str(args, "file_id"));
    const char *format = gd_str(args, "format");
    static const char *const formats[] = {"auto", "text", "markdown", "csv"};
    r->format = formats[0];
    for (size_t i = 0; format != NULL && i < sizeof(formats) / sizeof(formats[0]); i++)
        if (strcmp(format, formats[i]) == 0)
            r->format = formats[i];
    r->max_chars = (size_t)json_integer_value(json_object_get(args, "max_chars"));
    const char *q[] = {"fields", "id,name,mimeType,size", NULL};
    gd_fetch(c, "GET", gd_file_url(r->id, NULL, q), NULL, GD_SCOPE_READ, on_meta, r, rd_free);
}
