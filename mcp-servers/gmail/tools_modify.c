/*
 * tools_modify.c - the changing tools: delete_message (permanent), move_to_trash, modify_labels, mark_as_read,
 * mark_as_unread, create_label, delete_label.
 */
#include "gmail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *path_of(const char *a, const char *id, const char *b)
{
    cm_buf_t p = {0};
    cm_buf_printf(&p, "%s%s%s", a, id, b ? b : "");
    char *path = cm_buf_take(&p);
    char *url = path ? gm_url(path, NULL) : NULL;
    free(path);
    return url;
}

/* A fixed confirmation text (arg) with the id; structured {ok, id}. */
typedef struct done_msg {
    const char *text; /* printf format with one %s */
    const char *key;  /* structured key of the id */
} done_msg_t;

static void on_done_id(mcp_call_t *c, const mcp_provider_response_t *res, void *arg, const char *id)
{
    const done_msg_t *d = arg;
    (void)res;
    cm_buf_t b = {0};
    cm_buf_printf(&b, d->text, id);
    mcp_tool_finish_buf(c, &b, json_pack("{s:b, s:s}", "ok", 1, d->key, id));
}

/* ---- permanent delete / trash ---- */

static const done_msg_t deleted = {"Message %s was permanently deleted.", "message_id"};
static const done_msg_t trashed = {"Message %s was moved to the trash.", "message_id"};
static const done_msg_t label_deleted = {"Label %s was deleted.", "label_id"};

/* The id is echoed from the URL the call used: keep it in the arg-free-able state. */
typedef struct idop {
    const done_msg_t *msg;
    char id[256];
} idop_t;

static void on_idop(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    idop_t *op = arg;
    on_done_id(c, res, (void *)op->msg, op->id);
    free(op);
}

static void idop(mcp_call_t *c, const char *method, char *url, gm_scope_t scope, const done_msg_t *msg, const char *id)
{
    idop_t *op = calloc(1, sizeof(*op));
    if (op == NULL) {
        free(url);
        mcp_call_fail(c, "out of memory");
        return;
    }
    op->msg = msg;
    snprintf(op->id, sizeof(op->id), "%s", id);
    gm_fetch(c, method, url, NULL, scope, on_idop, op, free);
}

void gm_delete_message(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *id = gm_str(args, "message_id");
    idop(c, "DELETE", path_of("/messages/", id, NULL), GM_SCOPE_FULL, &deleted, id);
}

void gm_move_to_trash(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *id = gm_str(args, "message_id");
    idop(c, "POST", path_of("/messages/", id, "/trash"), GM_SCOPE_MODIFY, &trashed, id);
}

void gm_delete_label(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *id = gm_str(args, "label_id");
    idop(c, "DELETE", path_of("/labels/", id, NULL), GM_SCOPE_LABELS, &label_deleted, id);
}

/* ---- labels on messages ---- */

static void on_modified(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    const char *what = arg;
    json_t *labels = json_object_get(res->json, "labelIds"), *l;
    size_t i;
    cm_buf_t b = {0};
    cm_buf_printf(&b, "%s message %s. Labels now:", what, json_string_value(json_object_get(res->json, "id")) ?: "?");
    json_array_foreach(labels, i, l) cm_buf_printf(&b, "%s %s", i ? "," : "", json_string_value(l) ?: "");
    if (json_array_size(labels) == 0)
        cm_buf_appendz(&b, " (none)");
    mcp_tool_finish_buf(c, &b,
                        json_pack("{s:O, s:O}", "id", json_object_get(res->json, "id") ?: json_null(), "labelIds",
                                  labels ? labels : json_array()));
}

static void modify(mcp_call_t *c, const char *id, json_t *add, json_t *remove, const char *what)
{
    json_t *body = json_object();
    if (json_array_size(add))
        json_object_set(body, "addLabelIds", add);
    if (json_array_size(remove))
        json_object_set(body, "removeLabelIds", remove);
    gm_fetch(c, "POST", path_of("/messages/", id, "/modify"), body, GM_SCOPE_MODIFY, on_modified, (void *)what, NULL);
}

void gm_modify_labels(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    json_t *add = json_object_get(args, "add_label_ids"), *rm = json_object_get(args, "remove_label_ids");
    if (json_array_size(add) + json_array_size(rm) == 0) {
        mcp_call_fail(c, "Invalid arguments: add_label_ids or remove_label_ids must name at least one label");
        return;
    }
    modify(c, gm_str(args, "message_id"), add, rm, "Updated labels of");
}

void gm_mark_as_read(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    json_t *unread = json_pack("[s]", "UNREAD");
    modify(c, gm_str(args, "message_id"), NULL, unread, "Marked as read:");
    json_decref(unread);
}

void gm_mark_as_unread(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    json_t *unread = json_pack("[s]", "UNREAD");
    modify(c, gm_str(args, "message_id"), unread, NULL, "Marked as unread:");
    json_decref(unread);
}

/* ---- labels ---- */

static void on_label(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    json_t *j = res->json;
    cm_buf_t b = {0};
    cm_buf_printf(&b, "Label \"%s\" created with id %s.", json_string_value(json_object_get(j, "name")) ?: "?",
                  json_string_value(json_object_get(j, "id")) ?: "?");
    mcp_tool_finish_buf(c, &b,
                        json_pack("{s:O, s:O}", "id", json_object_get(j, "id") ?: json_null(), "name",
                                  json_object_get(j, "name") ?: json_null()));
}

void gm_create_label(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    json_t *body = json_pack("{s:s, s:O, s:O}", "name", gm_str(args, "name"), "labelListVisibility",
                             json_object_get(args, "label_list_visibility"), "messageListVisibility",
                             json_object_get(args, "message_list_visibility"));
    gm_fetch(c, "POST", gm_url("/labels", NULL), body, GM_SCOPE_LABELS, on_label, NULL, NULL);
}
