/*
 * api.c - the onedrive service's Graph helpers (onedrive.h): item addressing by id or path, $select, driveItem
 * summaries, the permissions named in its error texts. The Graph conventions themselves are apis/msgraph.h.
 */
#include "common/json_util.h"
#include "common/status.h"
#include "onedrive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *od_arg_str(json_t *args, const char *k)
{
    const char *s = json_string_value(json_object_get(args, k));
    return s != NULL && *s != '\0' ? s : NULL;
}

void od_error_read(const mcp_provider_response_t *res, const char *generic, char *buf, size_t n)
{
    msgraph_error_text(res, generic, "Files.Read (or Files.ReadWrite)", buf, n);
}

void od_error_write(const mcp_provider_response_t *res, const char *generic, char *buf, size_t n)
{
    msgraph_error_text(res, generic, "Files.ReadWrite", buf, n);
}

void od_graph(mcp_call_t *c, const char *method, char *url, json_t *body, mcp_provider_error_fn err, mcp_provider_cb cb,
              void *arg)
{
    mcp_provider_request_t req = {.provider = MSGRAPH_PROVIDER, .method = method, .error_text = err};
    mcp_provider_fetch_json(c, &req, url, body, cb, arg);
}

/* Appends the escaped segments of a drive path (leading, trailing and repeated '/' dropped) to b; "." and ".."
 * segments and control characters are refused (Graph would resolve them, or refuse the name). CM_OK / CM_EINVAL. */
static int append_path(cm_buf_t *b, const char *path, int *n_segments)
{
    const char *p = path;
    *n_segments = 0;
    while (*p != '\0') {
        while (*p == '/')
            p++;
        size_t len = strcspn(p, "/");
        if (len == 0)
            break;
        if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
            return CM_EINVAL;
        for (size_t i = 0; i < len; i++)
            if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
                return CM_EINVAL;
        char *e = cm_url_escape(p, len);
        if (e == NULL)
            return CM_ENOMEM;
        cm_buf_printf(b, "%s%s", *n_segments ? "/" : "", e);
        free(e);
        (*n_segments)++;
        p += len;
    }
    return CM_OK;
}

/* Writes the item's path (without suffix) into b; the argument name_key (NULL = none) names a child below it. */
static int item_base(mcp_call_t *c, json_t *args, const char *id_key, const char *path_key, int root_ok,
                     const char *name_key, cm_buf_t *b, int *is_path)
{
    const char *name = name_key ? od_arg_str(args, name_key) : NULL;
    const char *id = od_arg_str(args, id_key);
    const char *path = path_key ? od_arg_str(args, path_key) : NULL;
    *is_path = 0;
    if (id != NULL && path != NULL) {
        mcp_call_fail(c, "Invalid arguments: give either '%s' or '%s', not both.", id_key, path_key);
        return CM_EINVAL;
    }
    if (id == NULL && path == NULL && !root_ok) {
        mcp_call_fail(c, "Missing argument: give '%s' or '%s'.", id_key, path_key ? path_key : id_key);
        return CM_EINVAL;
    }
    if (id != NULL) {
        char *e = msgraph_escape(id);
        if (e == NULL) {
            mcp_call_fail(c, "out of memory");
            return CM_ENOMEM;
        }
        cm_buf_printf(b, "/me/drive/items/%s", e);
        free(e);
        if (name != NULL) {
            cm_buf_appendz(b, ":/");
            *is_path = 1;
        }
    } else {
        cm_buf_t rel = {0};
        int n = 0, rc = path ? append_path(&rel, path, &n) : CM_OK;
        if (rc != CM_OK) {
            cm_buf_free(&rel);
            mcp_call_fail(c,
                          "Invalid argument '%s': use a path like /Documents/report.docx (no '.' or '..' "
                          "segments, no control characters).",
                          path_key);
            return rc;
        }
        if (n == 0 && name == NULL) {
            cm_buf_appendz(b, "/me/drive/root");
        } else {
            cm_buf_appendz(b, "/me/drive/root:/");
            if (n > 0)
                cm_buf_append(b, rel.data, rel.len);
            if (n > 0 && name != NULL)
                cm_buf_appendz(b, "/");
            *is_path = 1;
        }
        cm_buf_free(&rel);
    }
    if (name != NULL) {
        int n = 0;
        if (strchr(name, '/') != NULL || append_path(b, name, &n) != CM_OK || n != 1) {
            mcp_call_fail(c, "Invalid argument '%s': a file or folder name, without '/'.", name_key);
            return CM_EINVAL;
        }
    }
    if (*is_path)
        cm_buf_appendz(b, ":");
    return CM_OK;
}

static int finish_path(mcp_call_t *c, cm_buf_t *b, const char *suffix, char *out, size_t outsz)
{
    /* the item itself by path is /root:/a/b (the closing ':' only before a suffix such as :/children) */
    if (*suffix == '\0' && b->len > 0 && b->data[b->len - 1] == ':')
        b->data[--b->len] = '\0';
    cm_buf_appendz(b, suffix);
    if (b->failed || b->data == NULL || b->len >= outsz) {
        cm_buf_free(b);
        mcp_call_fail(c, "Invalid arguments: the item path or id is too long.");
        return CM_EINVAL;
    }
    memcpy(out, b->data, b->len);
    out[b->len] = '\0';
    cm_buf_free(b);
    return CM_OK;
}

int od_item_path(mcp_call_t *c, json_t *args, const char *id_key, const char *path_key, int root_ok, const char *suffix,
                 char *out, size_t outsz)
{
    cm_buf_t b = {0};
    int is_path;
    int rc = item_base(c, args, id_key, path_key, root_ok, NULL, &b, &is_path);
    if (rc != CM_OK) {
        cm_buf_free(&b);
        return rc;
    }
    return finish_path(c, &b, suffix, out, outsz);
}

int od_child_path(mcp_call_t *c, json_t *args, const char *id_key, const char *path_key, const char *name_key,
                  const char *suffix, char *out, size_t outsz)
{
    cm_buf_t b = {0};
    int is_path;
    if (od_arg_str(args, name_key) == NULL) {
        mcp_call_fail(c, "Missing argument '%s'.", name_key);
        return CM_EINVAL;
    }
    int rc = item_base(c, args, id_key, path_key, 1, name_key, &b, &is_path);
    if (rc != CM_OK) {
        cm_buf_free(&b);
        return rc;
    }
    return finish_path(c, &b, suffix, out, outsz);
}

#define OD_DEFAULT_SELECT "id,name,size,lastModifiedDateTime,webUrl,folder,file,parentReference"

void od_select(json_t *fields, char *out, size_t outsz)
{
    if (json_array_size(fields) == 0) {
        snprintf(out, outsz, "%s", OD_DEFAULT_SELECT);
        return;
    }
    size_t len = (size_t)snprintf(out, outsz, "id,name");
    size_t i;
    json_t *f;
    json_array_foreach(fields, i, f)
    {
        const char *s = json_string_value(f);
        if (s == NULL || strcmp(s, "id") == 0 || strcmp(s, "name") == 0 || len >= outsz)
            continue;
        len += (size_t)snprintf(out + len, outsz - len, ",%s", s);
    }
}

json_t *od_item_summary(const json_t *item)
{
    json_t *s = json_object();
    cm_json_copy_str(s, "id", item, "id");
    cm_json_copy_str(s, "name", item, "name");
    const json_t *folder = json_object_get(item, "folder"), *file = json_object_get(item, "file");
    if (json_is_object(folder) || json_is_object(file))
        json_object_set_new(s, "type", json_string(json_is_object(folder) ? "folder" : "file"));
    if (json_is_integer(json_object_get(item, "size")))
        json_object_set_new(s, "size", json_integer(json_integer_value(json_object_get(item, "size"))));
    cm_json_copy_str(s, "mime_type", file, "mimeType");
    if (json_is_integer(json_object_get(folder, "childCount")))
        json_object_set_new(s, "child_count", json_integer(json_integer_value(json_object_get(folder, "childCount"))));
    cm_json_copy_str(s, "created", item, "createdDateTime");
    cm_json_copy_str(s, "modified", item, "lastModifiedDateTime");
    cm_json_copy_str(s, "web_url", item, "webUrl");
    cm_json_copy_str(s, "description", item, "description");
    cm_json_copy_str(s, "etag", item, "eTag");
    cm_json_copy_str(s, "ctag", item, "cTag");
    const json_t *parent = json_object_get(item, "parentReference");
    cm_json_copy_str(s, "parent_id", parent, "id");
    cm_json_copy_str(s, "parent_path", parent, "path");
    cm_json_copy_str(s, "drive_id", parent, "driveId");
    const json_t *cu = json_object_get(json_object_get(item, "createdBy"), "user");
    const json_t *mu = json_object_get(json_object_get(item, "lastModifiedBy"), "user");
    cm_json_copy_str(s, "created_by", cu, "displayName");
    cm_json_copy_str(s, "modified_by", mu, "displayName");
    return s;
}

void od_append_item_line(cm_buf_t *b, const json_t *s)
{
    const char *type = json_string_value(json_object_get(s, "type"));
    const char *name = json_string_value(json_object_get(s, "name"));
    const char *id = json_string_value(json_object_get(s, "id"));
    const char *modified = json_string_value(json_object_get(s, "modified"));
    const char *mime = json_string_value(json_object_get(s, "mime_type"));
    cm_buf_printf(b, "- %s%s", name ? name : "?", type && strcmp(type, "folder") == 0 ? "/" : "");
    if (json_is_integer(json_object_get(s, "child_count")))
        cm_buf_printf(b, " (folder, %lld items)", (long long)json_integer_value(json_object_get(s, "child_count")));
    else if (json_is_integer(json_object_get(s, "size")))
        cm_buf_printf(b, " (%lld bytes%s%s)", (long long)json_integer_value(json_object_get(s, "size")),
                      mime ? ", " : "", mime ? mime : "");
    if (modified != NULL)
        cm_buf_printf(b, " modified %s", modified);
    cm_buf_printf(b, "\n  id: %s\n", id ? id : "?");
}
