/*
 * meta.c - Dropbox Metadata ({".tag": "file" | "folder" | "deleted", name, id, path_display, ...}) as the concise
 * summaries the tools return, and their text lines.
 */
#include "common/json_util.h"
#include "dropbox.h"

#include <string.h>

json_t *dbx_meta_summary(const json_t *m)
{
    json_t *s = json_object();
    if (s == NULL)
        return NULL;
    cm_json_copy_str(s, "type", m, ".tag");
    cm_json_copy_str(s, "name", m, "name");
    cm_json_copy_str(s, "id", m, "id");
    cm_json_copy_str(s, "path", m, "path_display");
    cm_json_copy_str(s, "path_lower", m, "path_lower");
    if (json_is_integer(json_object_get(m, "size")))
        json_object_set_new(s, "size", json_integer(json_integer_value(json_object_get(m, "size"))));
    cm_json_copy_str(s, "rev", m, "rev");
    cm_json_copy_str(s, "modified", m, "server_modified");
    cm_json_copy_str(s, "client_modified", m, "client_modified");
    cm_json_copy_str(s, "content_hash", m, "content_hash");
    if (json_is_boolean(json_object_get(m, "is_downloadable")))
        json_object_set_new(s, "is_downloadable", json_boolean(json_is_true(json_object_get(m, "is_downloadable"))));
    return s;
}

void dbx_append_meta_line(cm_buf_t *b, const json_t *s)
{
    const char *type = json_string_value(json_object_get(s, "type"));
    const char *path = json_string_value(json_object_get(s, "path"));
    const char *name = json_string_value(json_object_get(s, "name"));
    const char *id = json_string_value(json_object_get(s, "id"));
    const char *modified = json_string_value(json_object_get(s, "modified"));
    const char *rev = json_string_value(json_object_get(s, "rev"));
    int folder = type != NULL && strcmp(type, "folder") == 0;
    cm_buf_printf(b, "- %s%s", path ? path : name ? name : "?", folder ? "/" : "");
    if (type != NULL && strcmp(type, "deleted") == 0)
        cm_buf_appendz(b, " (deleted)");
    else if (json_is_integer(json_object_get(s, "size")))
        cm_buf_printf(b, " (%lld bytes)", (long long)json_integer_value(json_object_get(s, "size")));
    else if (folder)
        cm_buf_appendz(b, " (folder)");
    if (modified != NULL)
        cm_buf_printf(b, " modified %s", modified);
    if (id != NULL || rev != NULL)
        cm_buf_printf(b, "\n  %s%s%s%s", id ? "id: " : "", id ? id : "", rev ? (id ? ", rev: " : "rev: ") : "",
                      rev ? rev : "");
    cm_buf_appendz(b, "\n");
}

void dbx_finish_meta(mcp_call_t *c, const char *heading, const json_t *meta, json_t *extra)
{
    if (!json_is_object(meta)) {
        json_decref(extra);
        mcp_call_fail(c, "Dropbox returned an unexpected answer (no metadata).");
        return;
    }
    json_t *s = dbx_meta_summary(meta);
    cm_buf_t b = {0};
    if (heading != NULL)
        cm_buf_printf(&b, "%s\n", heading);
    dbx_append_meta_line(&b, s);
    if (extra != NULL) {
        json_object_update(s, extra);
        json_decref(extra);
    }
    mcp_tool_finish_buf(c, &b, s);
}
