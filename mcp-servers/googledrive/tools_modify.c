/*
 * tools_modify.c - the tools that change one file's metadata: create_folder, move_file (addParents /
 * removeParents, the current parents looked up when not given), copy_file, rename_file and trash_file. Each answer
 * is the changed File with GD_FILE_FIELDS.
 */
#include "googledrive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const file_fields[] = {"fields", GD_FILE_FIELDS, NULL};

/* arg: the verb of the answer's text (a static string) */
static void on_done(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    gd_finish_file(c, res, arg);
}

static const char created[] = "Created folder", copied[] = "Copied to", renamed[] = "Renamed", moved[] = "Moved",
                  trashed[] = "Moved to the trash (restorable from Drive's trash for 30 days)";

void gd_create_folder(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    if (!gd_names_ok(c, args))
        return;
    const char *parent = gd_str(args, "parent_id");
    json_t *body = json_pack("{s:s, s:s}", "name", gd_str(args, "name"), "mimeType", GD_FOLDER_MIME);
    if (parent != NULL)
        json_object_set_new(body, "parents", json_pack("[s]", parent));
    gd_fetch(c, "POST", gd_url("/files", file_fields), body, GD_SCOPE_WRITE, on_done, (void *)created, NULL);
}

void gd_copy_file(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    if (!gd_names_ok(c, args))
        return;
    const char *name = gd_str(args, "name"), *folder = gd_str(args, "folder_id");
    json_t *body = json_object();
    if (name != NULL)
        json_object_set_new(body, "name", json_string(name));
    if (folder != NULL)
        json_object_set_new(body, "parents", json_pack("[s]", folder));
    gd_fetch(c, "POST", gd_file_url(gd_str(args, "file_id"), "/copy", file_fields), body, GD_SCOPE_WRITE, on_done,
             (void *)copied, NULL);
}

void gd_rename_file(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    if (!gd_names_ok(c, args))
        return;
    gd_fetch(c, "PATCH", gd_file_url(gd_str(args, "file_id"), NULL, file_fields),
             json_pack("{s:s}", "name", gd_str(args, "new_name")), GD_SCOPE_WRITE, on_done, (void *)renamed, NULL);
}

void gd_trash_file(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    gd_fetch(c, "PATCH", gd_file_url(gd_str(args, "file_id"), NULL, file_fields), json_pack("{s:b}", "trashed", 1),
             GD_SCOPE_WRITE, on_done, (void *)trashed, NULL);
}

/* ---- move_file: PATCH ?addParents=<to>&removeParents=<from,...> ---- */

typedef struct mv {
    char id[GD_ID_MAX + 1], to[GD_ID_MAX + 1];
} mv_t;

static void patch_parents(mcp_call_t *c, const char *id, const char *to, const char *from)
{
    const char *q[] = {"addParents", to, "removeParents", from, "fields", GD_FILE_FIELDS, NULL};
    gd_fetch(c, "PATCH", gd_file_url(id, NULL, q), json_object(), GD_SCOPE_WRITE, on_done, (void *)moved, NULL);
}

static void on_parents(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    mv_t *m = arg;
    json_t *parents = json_object_get(res->json, "parents"), *p;
    size_t i;
    cm_buf_t from = {0};
    /* every current parent but the target goes: a file has one parent in Drive v3 */
    json_array_foreach(parents, i, p)
    {
        const char *s = json_string_value(p);
        if (s == NULL || strcmp(s, m->to) == 0)
            continue;
        if (from.len > 0)
            cm_buf_appendz(&from, ",");
        cm_buf_appendz(&from, s);
    }
    char *list = cm_buf_take(&from);
    if (list == NULL) {
        free(m);
        mcp_call_fail(c, "out of memory");
        return;
    }
    patch_parents(c, m->id, m->to, list[0] != '\0' ? list : NULL);
    free(list);
    free(m);
}

void gd_move_file(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *id = gd_str(args, "file_id"), *to = gd_str(args, "to_folder_id"),
               *from = gd_str(args, "from_folder_id");
    if (from != NULL) {
        patch_parents(c, id, to, from);
        return;
    }
    mv_t *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    snprintf(m->id, sizeof(m->id), "%s", id);
    snprintf(m->to, sizeof(m->to), "%s", to);
    const char *q[] = {"fields", "id,parents", NULL};
    gd_fetch(c, "GET", gd_file_url(id, NULL, q), NULL, GD_SCOPE_WRITE, on_parents, m, free);
}
