/*
 * tools_write.c - the editing tools, all through documents.batchUpdate: create_document (documents.create, then the
 * initial text), append_text (documents.get for the body's end index, then insertText at endIndex - 1 under the
 * revision read), insert_text, replace_all_text and batch_update (raw requests, checked by their schema).
 */
#include "common/status.h"
#include "googledocs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Docs indexes count UTF-16 code units: a character outside the BMP takes two. */
static size_t utf16_len(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80 ? ((*p >= 0xF0) ? 2 : 1) : 0;
    return n;
}

static json_t *insert_request(const char *text, json_int_t index)
{
    return json_pack("{s:{s:s, s:{s:I}}}", "insertText", "text", text, "location", "index", index);
}

/* POST /documents/{id}:batchUpdate {requests (stolen), writeControl.requiredRevisionId when revision}. */
static void batch(mcp_call_t *c, const char *id, json_t *requests, const char *revision, int deliver_errors,
                  mcp_provider_cb cb, void *arg, void (*arg_free)(void *))
{
    json_t *body = json_pack("{s:o}", "requests", requests);
    if (body != NULL && revision != NULL)
        json_object_set_new(body, "writeControl", json_pack("{s:s}", "requiredRevisionId", revision));
    char *path = gd_doc_path(id, ":batchUpdate");
    gd_fetch_opts_t o = {.doc_id = id, .deliver_errors = deliver_errors};
    gd_fetch(c, "POST", path ? gd_docs_url(path, NULL) : NULL, body, GD_SCOPE_WRITE, &o, cb, arg, arg_free);
    free(path);
}

static const char *revision_of(const mcp_provider_response_t *res)
{
    return json_string_value(json_object_get(json_object_get(res->json, "writeControl"), "requiredRevisionId"));
}

/* ---- create_document ---- */

typedef struct created {
    char *id, *title, *revision;
    size_t chars;
} created_t;

static void created_free(void *p)
{
    created_t *d = p;
    free(d->id);
    free(d->title);
    free(d->revision);
    free(d);
}

static void created_finish(mcp_call_t *c, created_t *d)
{
    cm_buf_t b = {0};
    cm_buf_printf(&b, "Created document \"%s\" (id %s): https://docs.google.com/document/d/%s/edit\n", d->title, d->id,
                  d->id);
    if (d->chars > 0)
        cm_buf_printf(&b, "Inserted %zu characters of initial text at index 1.\n", d->chars);
    char url[256];
    snprintf(url, sizeof(url), "https://docs.google.com/document/d/%s/edit", d->id);
    json_t *out = json_pack("{s:s, s:s, s:s?, s:s, s:I}", "document_id", d->id, "title", d->title, "revision_id",
                            d->revision, "url", url, "inserted_chars", (json_int_t)d->chars);
    created_free(d);
    mcp_tool_finish_buf(c, &b, out);
}

static void on_initial_text(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    created_t *d = arg;
    if (res->error != NULL) { /* the document exists: say so, so that it is not created twice */
        mcp_call_fail(c, "Created document \"%s\" (id %s), but inserting its initial text failed: %s", d->title, d->id,
                      res->error);
        created_free(d);
        return;
    }
    const char *rev = revision_of(res);
    if (rev != NULL) {
        free(d->revision);
        d->revision = strdup(rev);
    }
    created_finish(c, d);
}

static void on_created(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    const char *text = arg;
    const char *id = json_string_value(json_object_get(res->json, "documentId"));
    const char *title = json_string_value(json_object_get(res->json, "title"));
    const char *rev = json_string_value(json_object_get(res->json, "revisionId"));
    created_t *d = calloc(1, sizeof(*d));
    if (id == NULL || d == NULL || (d->id = strdup(id)) == NULL || (d->title = strdup(title ? title : "")) == NULL ||
        (rev != NULL && (d->revision = strdup(rev)) == NULL)) {
        if (d != NULL)
            created_free(d);
        free(arg);
        mcp_call_fail(c, "Google Docs answered documents.create without a documentId.");
        return;
    }
    if (text == NULL) {
        created_finish(c, d);
        return;
    }
    d->chars = utf16_len(text);
    json_t *reqs = json_pack("[o]", insert_request(text, 1));
    free(arg);
    batch(c, d->id, reqs, NULL, 1, on_initial_text, d, NULL);
}

void gd_create_document(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *text = gd_str(args, "text");
    char *copy = text ? strdup(text) : NULL;
    if (text != NULL && copy == NULL) {
        mcp_call_fail(c, "Out of memory.");
        return;
    }
    json_t *body = json_pack("{s:s}", "title", gd_str(args, "title") ? gd_str(args, "title") : "Untitled document");
    gd_fetch(c, "POST", gd_docs_url("/documents", NULL), body, GD_SCOPE_WRITE, NULL, on_created, copy, free);
}

/* ---- insert_text, append_text, replace_all_text, batch_update: one batchUpdate each ---- */

typedef struct edit {
    char *id, *text;
    int kind; /* EDIT_* */
    json_int_t index;
    int new_paragraph;
} edit_t;

enum { EDIT_INSERT, EDIT_APPEND, EDIT_REPLACE, EDIT_BATCH };

static void edit_free(void *p)
{
    edit_t *e = p;
    free(e->id);
    free(e->text);
    free(e);
}

static edit_t *edit_new(mcp_call_t *c, json_t *args, int kind, const char *text)
{
    edit_t *e = calloc(1, sizeof(*e));
    if (e == NULL || (e->id = strdup(gd_str(args, "document_id"))) == NULL ||
        (text != NULL && (e->text = strdup(text)) == NULL)) {
        if (e != NULL)
            edit_free(e);
        mcp_call_fail(c, "Out of memory.");
        return NULL;
    }
    e->kind = kind;
    return e;
}

static json_int_t occurrences(json_t *reply)
{
    return json_integer_value(json_object_get(json_object_get(reply, "replaceAllText"), "occurrencesChanged"));
}

static void on_edited(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    edit_t *e = arg;
    cm_buf_t b = {0};
    const char *rev = revision_of(res);
    json_t *replies = json_object_get(res->json, "replies");
    json_t *out = json_pack("{s:s, s:s?}", "document_id", e->id, "revision_id", rev);
    switch (e->kind) {
    case EDIT_INSERT:
    case EDIT_APPEND: {
        size_t n = utf16_len(e->text);
        cm_buf_printf(&b, "%s %zu characters at index %lld of document %s.",
                      e->kind == EDIT_APPEND ? "Appended" : "Inserted", n, (long long)e->index, e->id);
        cm_buf_printf(&b, " The text after it moved by %zu.\n", n);
        json_object_set_new(out, "index", json_integer(e->index));
        json_object_set_new(out, "inserted_chars", json_integer((json_int_t)n));
        break;
    }
    case EDIT_REPLACE: {
        json_int_t n = occurrences(json_array_get(replies, 0));
        cm_buf_printf(&b, "Replaced %lld occurrence%s in document %s.\n", (long long)n, n == 1 ? "" : "s", e->id);
        json_object_set_new(out, "occurrences_changed", json_integer(n));
        break;
    }
    default: {
        size_t i;
        json_t *r;
        cm_buf_printf(&b, "Applied %zu request%s to document %s.\n", json_array_size(replies),
                      json_array_size(replies) == 1 ? "" : "s", e->id);
        json_array_foreach(replies, i, r)
        {
            if (json_object_get(r, "replaceAllText") != NULL)
                cm_buf_printf(&b, "requests[%zu] replaceAllText: %lld occurrences changed\n", i,
                              (long long)occurrences(r));
        }
        json_object_set_new(out, "replies", json_is_array(replies) ? json_incref(replies) : json_array());
        break;
    }
    }
    if (rev != NULL)
        cm_buf_printf(&b, "Revision: %s\n", rev);
    edit_free(e);
    mcp_tool_finish_buf(c, &b, out);
}

void gd_insert_text(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    edit_t *e = edit_new(c, args, EDIT_INSERT, gd_str(args, "text"));
    if (e == NULL)
        return;
    e->index = json_integer_value(json_object_get(args, "index"));
    batch(c, e->id, json_pack("[o]", insert_request(e->text, e->index)), NULL, 0, on_edited, e, edit_free);
}

/* append_text: the end of the body read, the text goes before its final newline (endIndex - 1), under the revision
 * read: a concurrent edit makes Google refuse the write rather than put the text in the wrong place. */
static void on_body_end(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    edit_t *e = arg;
    json_t *content = json_object_get(json_object_get(res->json, "body"), "content");
    json_t *last = json_array_get(content, json_array_size(content) - 1);
    json_int_t end = json_integer_value(json_object_get(last, "endIndex"));
    json_int_t start = json_integer_value(json_object_get(last, "startIndex"));
    if (end < 2) {
        edit_free(e);
        mcp_call_fail(c, "Google Docs answered documents.get without the body's end index.");
        return;
    }
    e->index = end - 1;
    if (e->new_paragraph && end - start > 1 && end > 2) { /* the last paragraph has text: start a new one */
        char *t = malloc(strlen(e->text) + 2);
        if (t == NULL) {
            edit_free(e);
            mcp_call_fail(c, "Out of memory.");
            return;
        }
        t[0] = '\n';
        memcpy(t + 1, e->text, strlen(e->text) + 1);
        free(e->text);
        e->text = t;
    }
    const char *rev = json_string_value(json_object_get(res->json, "revisionId"));
    batch(c, e->id, json_pack("[o]", insert_request(e->text, e->index)), rev, 0, on_edited, e, edit_free);
}

void gd_append_text(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    static const char *const q[] = {"fields", "revisionId,body.content(startIndex,endIndex)", NULL};
    edit_t *e = edit_new(c, args, EDIT_APPEND, gd_str(args, "text"));
    if (e == NULL)
        return;
    e->new_paragraph = json_is_true(json_object_get(args, "new_paragraph"));
    char *path = gd_doc_path(e->id, NULL);
    gd_fetch_opts_t o = {.doc_id = e->id, .max_response = GD_MAX_DOC_RESPONSE};
    gd_fetch(c, "GET", path ? gd_docs_url(path, q) : NULL, NULL, GD_SCOPE_WRITE, &o, on_body_end, e, edit_free);
    free(path);
}

void gd_replace_all_text(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    edit_t *e = edit_new(c, args, EDIT_REPLACE, NULL);
    if (e == NULL)
        return;
    const char *replace = json_string_value(json_object_get(args, "replace"));
    json_t *req = json_pack("[{s:{s:{s:s, s:b}, s:s}}]", "replaceAllText", "containsText", "text",
                            json_string_value(json_object_get(args, "find")), "matchCase",
                            json_is_true(json_object_get(args, "match_case")), "replaceText", replace ? replace : "");
    batch(c, e->id, req, NULL, 0, on_edited, e, edit_free);
}

void gd_batch_update(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char err[300];
    json_t *requests = json_object_get(args, "requests");
    if (gd_check_requests(requests, err, sizeof(err)) != CM_OK) {
        mcp_call_fail(c, "%s", err);
        return;
    }
    edit_t *e = edit_new(c, args, EDIT_BATCH, NULL);
    if (e == NULL)
        return;
    batch(c, e->id, json_incref(requests), gd_str(args, "required_revision_id"), 0, on_edited, e, edit_free);
}
