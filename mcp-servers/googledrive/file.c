/*
 * file.c - Drive File resources as the tools show them: a compact summary (structuredContent), one readable line
 * each, the listing and single-file answers, and Drive query string literals.
 */
#include "common/json_util.h"
#include "googledrive.h"

#include <stdlib.h>
#include <string.h>

/* What a Google MIME type is, in words; NULL for ordinary files. */
static const char *kind_of(const char *mime)
{
    static const struct {
        const char *mime, *kind;
    } kinds[] = {
        {GD_FOLDER_MIME, "folder"},
        {"application/vnd.google-apps.document", "Google Doc"},
        {"application/vnd.google-apps.spreadsheet", "Google Sheet"},
        {"application/vnd.google-apps.presentation", "Google Slides"},
        {"application/vnd.google-apps.form", "Google Form"},
        {"application/vnd.google-apps.drawing", "Google Drawing"},
        {"application/vnd.google-apps.shortcut", "shortcut"},
    };
    for (size_t i = 0; mime != NULL && i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(mime, kinds[i].mime) == 0)
            return kinds[i].kind;
    return NULL;
}

json_t *gd_file_summary(json_t *file)
{
    json_t *out = json_object();
    cm_json_copy_str(out, "id", file, "id");
    cm_json_copy_str(out, "name", file, "name");
    cm_json_copy_str(out, "mime_type", file, "mimeType");
    const char *kind = kind_of(json_string_value(json_object_get(file, "mimeType")));
    json_object_set_new(out, "kind", json_string(kind != NULL ? kind : "file"));
    /* Drive sends int64 fields as JSON strings */
    const char *size = json_string_value(json_object_get(file, "size"));
    if (size != NULL)
        json_object_set_new(out, "size", json_integer(strtoll(size, NULL, 10)));
    cm_json_copy_str(out, "created_time", file, "createdTime");
    cm_json_copy_str(out, "modified_time", file, "modifiedTime");
    json_t *parents = json_object_get(file, "parents");
    if (json_is_array(parents))
        json_object_set(out, "parents", parents);
    json_t *trashed = json_object_get(file, "trashed");
    if (json_is_boolean(trashed))
        json_object_set(out, "trashed", trashed);
    cm_json_copy_str(out, "web_view_link", file, "webViewLink");
    cm_json_copy_str(out, "description", file, "description");
    cm_json_copy_str(out, "md5_checksum", file, "md5Checksum");
    json_t *shared = json_object_get(file, "shared");
    if (json_is_boolean(shared))
        json_object_set(out, "shared", shared);
    json_t *owners = json_object_get(file, "owners"), *o;
    size_t i;
    if (json_is_array(owners)) {
        json_t *list = json_array();
        json_array_foreach(owners, i, o)
        {
            const char *email = json_string_value(json_object_get(o, "emailAddress"));
            if (email != NULL)
                json_array_append_new(list, json_string(email));
        }
        json_object_set_new(out, "owners", list);
    }
    return out;
}

void gd_file_line(cm_buf_t *b, json_t *s)
{
    const char *name = json_string_value(json_object_get(s, "name"));
    const char *id = json_string_value(json_object_get(s, "id"));
    const char *kind = json_string_value(json_object_get(s, "kind"));
    const char *mime = json_string_value(json_object_get(s, "mime_type"));
    const char *mod = json_string_value(json_object_get(s, "modified_time"));
    json_t *size = json_object_get(s, "size");
    cm_buf_printf(b, "- %s (id %s) [%s", name != NULL ? name : "(no name)", id != NULL ? id : "?",
                  kind != NULL && strcmp(kind, "file") != 0 ? kind : (mime != NULL ? mime : "file"));
    if (json_is_integer(size))
        cm_buf_printf(b, ", %lld bytes", (long long)json_integer_value(size));
    if (mod != NULL)
        cm_buf_printf(b, ", modified %s", mod);
    if (json_is_true(json_object_get(s, "trashed")))
        cm_buf_appendz(b, ", in trash");
    cm_buf_appendz(b, "]\n");
}

void gd_finish_file_list(mcp_call_t *c, const mcp_provider_response_t *res, const char *heading)
{
    json_t *files = json_object_get(res->json, "files"), *f;
    json_t *list = json_array();
    size_t i;
    cm_buf_t b = {0};
    cm_buf_printf(&b, "%s: %zu file%s.\n", heading, json_array_size(files), json_array_size(files) == 1 ? "" : "s");
    json_array_foreach(files, i, f)
    {
        json_t *s = gd_file_summary(f);
        gd_file_line(&b, s);
        json_array_append_new(list, s);
    }
    json_t *out = json_pack("{s:o, s:I}", "files", list, "count", (json_int_t)json_array_size(files));
    const char *next = json_string_value(json_object_get(res->json, "nextPageToken"));
    if (next != NULL && next[0] != '\0') {
        cm_buf_printf(&b, "More results: call again with cursor=%s\n", next);
        json_object_set_new(out, "next_cursor", json_string(next));
    }
    if (json_is_true(json_object_get(res->json, "incompleteSearch"))) {
        cm_buf_appendz(&b, "Google Drive says the search was incomplete (not every corpus was searched).\n");
        json_object_set_new(out, "incomplete_search", json_true());
    }
    mcp_tool_finish_buf(c, &b, out);
}

void gd_finish_file(mcp_call_t *c, const mcp_provider_response_t *res, const char *verb)
{
    json_t *s = gd_file_summary(res->json);
    cm_buf_t b = {0};
    cm_buf_printf(&b, "%s:\n", verb);
    gd_file_line(&b, s);
    const char *link = json_string_value(json_object_get(s, "web_view_link"));
    if (link != NULL)
        cm_buf_printf(&b, "Link: %s\n", link);
    mcp_tool_finish_buf(c, &b, s);
}

void gd_query_literal(cm_buf_t *b, const char *s)
{
    cm_buf_appendz(b, "'");
    for (const char *p = s; *p; p++) {
        if (*p == '\'' || *p == '\\')
            cm_buf_appendz(b, "\\");
        cm_buf_append(b, p, 1);
    }
    cm_buf_appendz(b, "'");
}
