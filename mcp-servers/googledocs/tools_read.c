/*
 * tools_read.c - the reading tools: get_document_text (documents.get rendered as markdown by render.c, cut at
 * max_chars) and export_document (Drive files.export to PDF or DOCX, returned as base64 up to GD_MAX_EXPORT).
 */
#include "common/crypto.h"
#include "common/status.h"
#include "googledocs.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- get_document_text ---- */

static void on_document(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    size_t max = (size_t)(uintptr_t)arg;
    json_t *doc = res->json;
    const char *id = json_string_value(json_object_get(doc, "documentId"));
    const char *title = json_string_value(json_object_get(doc, "title"));
    const char *rev = json_string_value(json_object_get(doc, "revisionId"));
    json_t *content = json_object_get(json_object_get(doc, "body"), "content");
    json_int_t end =
        json_integer_value(json_object_get(json_array_get(content, json_array_size(content) - 1), "endIndex"));
    cm_buf_t md = {0}, b = {0};
    if (!json_is_object(doc) || id == NULL) {
        mcp_call_fail(c, "Google Docs answered documents.get without a document.");
        return;
    }
    if (gd_render_markdown(doc, &md) != CM_OK) {
        cm_buf_free(&md);
        mcp_call_fail(c, "Out of memory while rendering the document.");
        return;
    }
    const char *text = md.data ? md.data : "";
    size_t total = gd_utf8_chars(text, md.len);
    size_t keep = mcp_utf8_prefix_chars(text, md.len, max);
    int truncated = keep < md.len;
    cm_buf_printf(&b, "Document \"%s\" (id %s, revision %s, body end index %lld)\n\n", title ? title : "", id,
                  rev ? rev : "?", (long long)end);
    cm_buf_append(&b, text, keep);
    if (total == 0)
        cm_buf_appendz(&b, "(The document is empty.)\n");
    if (truncated)
        cm_buf_printf(&b,
                      "\n\n[Truncated: the first %zu of %zu characters of markdown are shown. Call again with a larger "
                      "max_chars (at most %d), or use export_document for the whole file.]\n",
                      max, total, GD_MAX_MARKDOWN_CHARS);
    json_t *out = json_pack("{s:s, s:s, s:s?, s:I, s:s%, s:b, s:I}", "document_id", id, "title", title ? title : "",
                            "revision_id", rev, "end_index", end, "markdown", text, keep, "truncated", truncated,
                            "total_chars", (json_int_t)total);
    cm_buf_free(&md);
    mcp_tool_finish_buf(c, &b, out);
}

void gd_get_document_text(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    /* whole body and lists (a cell's content nests structural elements, which a field mask cannot narrow), none of
       the styles, headers, footers or inline objects */
    static const char *const q[] = {"fields", "documentId,title,revisionId,body,lists", NULL};
    const char *id = gd_str(args, "document_id");
    size_t max = (size_t)json_integer_value(json_object_get(args, "max_chars"));
    char *path = gd_doc_path(id, NULL);
    gd_fetch_opts_t o = {.doc_id = id,
                         .max_response = GD_MAX_DOC_RESPONSE,
                         .too_large = "The document is too large to read here (its API answer is over 48 MiB); use "
                                      "export_document."};
    gd_fetch(c, "GET", path ? gd_docs_url(path, q) : NULL, NULL, GD_SCOPE_READ, &o, on_document, (void *)(uintptr_t)max,
             NULL);
    free(path);
}

/* ---- export_document ---- */

static const struct {
    const char *format, *mime, *ext;
} formats[] = {
    {"pdf", "application/pdf", "pdf"},
    {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"},
};

typedef struct export_req {
    char *id;
    size_t format;
} export_t;

static void export_free(void *p)
{
    export_t *e = p;
    free(e->id);
    free(e);
}

static void on_export(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    export_t *e = arg;
    char *b64 = cm_b64_encode(res->body ? res->body : "", res->body_len);
    if (b64 == NULL) {
        export_free(e);
        mcp_call_fail(c, "Out of memory while encoding the export.");
        return;
    }
    const char *mime = formats[e->format].mime;
    char text[512], uri[300];
    snprintf(text, sizeof(text),
             "Exported document %s as %s: %zu bytes (%s). The file is the embedded resource and data_base64.", e->id,
             formats[e->format].format, res->body_len, mime);
    snprintf(uri, sizeof(uri), "googledocs://documents/%s/export.%s", e->id, formats[e->format].ext);
    mcp_call_add_text(c, text);
    json_t *block = json_pack("{s:s, s:{s:s, s:s, s:s}}", "type", "resource", "resource", "uri", uri, "mimeType", mime,
                              "blob", b64);
    if (block != NULL)
        mcp_call_add_content(c, block);
    json_t *out = json_pack("{s:s, s:s, s:s, s:I, s:s}", "document_id", e->id, "format", formats[e->format].format,
                            "mime_type", mime, "size", (json_int_t)res->body_len, "data_base64", b64);
    free(b64);
    export_free(e);
    mcp_tool_finish_text(c, NULL, out); /* the text block is already first */
}

void gd_export_document(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *format = gd_str(args, "format");
    export_t *e = calloc(1, sizeof(*e));
    if (e == NULL || (e->id = strdup(gd_str(args, "document_id"))) == NULL) {
        free(e);
        mcp_call_fail(c, "Out of memory.");
        return;
    }
    for (size_t i = 0; format != NULL && i < sizeof(formats) / sizeof(formats[0]); i++)
        if (strcmp(format, formats[i].format) == 0)
            e->format = i;
    const char *q[] = {"mimeType", formats[e->format].mime, NULL};
    char *esc = cm_url_escape(e->id, strlen(e->id)), *fp = NULL;
    cm_buf_t p = {0};
    if (esc != NULL && cm_buf_printf(&p, "/files/%s/export", esc) == CM_OK)
        fp = cm_buf_take(&p);
    cm_buf_free(&p);
    free(esc);
    gd_fetch_opts_t o = {.doc_id = e->id,
                         .raw = 1,
                         .max_response = GD_MAX_EXPORT,
                         .too_large =
                             "The exported file is larger than export_document returns (at most " GD_MAX_EXPORT_TEXT
                             "); open it in Google Docs or download it from Drive instead."};
    gd_fetch(c, "GET", fp ? gd_drive_url(fp, q) : NULL, NULL, GD_SCOPE_EXPORT, &o, on_export, e, export_free);
    free(fp);
}
