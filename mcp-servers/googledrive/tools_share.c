/*
 * tools_share.c - sharing and the account: share_file (permissions.create), list_permissions (permissions.list)
 * and get_storage_quota (about.get with fields=storageQuota,user).
 */
#include "googledrive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PERMISSION_FIELDS "id,type,role,emailAddress,domain,displayName"

static json_t *permission_summary(json_t *p)
{
    static const char *const map[][2] = {{"id", "id"},         {"type", "type"},
                                         {"role", "role"},     {"emailAddress", "email_address"},
                                         {"domain", "domain"}, {"displayName", "display_name"}};
    json_t *out = json_object();
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        json_t *v = json_object_get(p, map[i][0]);
        if (json_is_string(v))
            json_object_set(out, map[i][1], v);
    }
    return out;
}

static void permission_line(cm_buf_t *b, json_t *s)
{
    const char *who = json_string_value(json_object_get(s, "email_address"));
    if (who == NULL)
        who = json_string_value(json_object_get(s, "domain"));
    cm_buf_printf(b, "- %s %s%s%s (permission id %s)\n", json_string_value(json_object_get(s, "role")) ?: "?",
                  json_string_value(json_object_get(s, "type")) ?: "?", who != NULL ? " " : "", who != NULL ? who : "",
                  json_string_value(json_object_get(s, "id")) ?: "?");
}

typedef struct share {
    char id[GD_ID_MAX + 1];
    int notified;
} share_t;

static void on_shared(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    share_t *sh = arg;
    json_t *s = permission_summary(res->json);
    cm_buf_t b = {0};
    cm_buf_printf(&b, "Shared file %s%s:\n", sh->id, sh->notified ? " (notification email sent)" : "");
    permission_line(&b, s);
    json_object_set_new(s, "file_id", json_string(sh->id));
    free(sh);
    mcp_tool_finish_buf(c, &b, s);
}

void gd_share_file(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *type = gd_str(args, "type"), *email = gd_str(args, "email_address"), *domain = gd_str(args, "domain");
    const char *message = gd_str(args, "email_message");
    int person = strcmp(type, "user") == 0 || strcmp(type, "group") == 0;
    if (person && (email == NULL || domain != NULL)) {
        mcp_call_fail(c, "Invalid arguments: type %s needs email_address (and no domain).", type);
        return;
    }
    if (strcmp(type, "domain") == 0 && (domain == NULL || email != NULL)) {
        mcp_call_fail(c, "Invalid arguments: type domain needs domain (and no email_address).");
        return;
    }
    if (strcmp(type, "anyone") == 0 && (domain != NULL || email != NULL)) {
        mcp_call_fail(c, "Invalid arguments: type anyone takes neither email_address nor domain.");
        return;
    }
    int notify = person && json_is_true(json_object_get(args, "send_notification_email"));
    if (message != NULL && !notify) {
        mcp_call_fail(c, "Invalid arguments: email_message needs send_notification_email true and a user or group.");
        return;
    }
    share_t *sh = calloc(1, sizeof(*sh));
    if (sh == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    snprintf(sh->id, sizeof(sh->id), "%s", gd_str(args, "file_id"));
    sh->notified = notify;
    json_t *body = json_pack("{s:s, s:s}", "role", gd_str(args, "role"), "type", type);
    if (email != NULL)
        json_object_set_new(body, "emailAddress", json_string(email));
    if (domain != NULL)
        json_object_set_new(body, "domain", json_string(domain));
    /* sendNotificationEmail decides something for users and groups only: left out for domain and anyone */
    const char *q[] = {"sendNotificationEmail",
                       person ? (notify ? "true" : "false") : NULL,
                       "emailMessage",
                       notify ? message : NULL,
                       "fields",
                       PERMISSION_FIELDS,
                       NULL};
    gd_fetch(c, "POST", gd_file_url(sh->id, "/permissions", q), body, GD_SCOPE_WRITE, on_shared, sh, free);
}

static void on_permissions(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    char *id = arg;
    json_t *perms = json_object_get(res->json, "permissions"), *p;
    json_t *list = json_array();
    size_t i;
    cm_buf_t b = {0};
    cm_buf_printf(&b, "Permissions of %s: %zu.\n", id, json_array_size(perms));
    json_array_foreach(perms, i, p)
    {
        json_t *s = permission_summary(p);
        permission_line(&b, s);
        json_array_append_new(list, s);
    }
    json_t *out =
        json_pack("{s:s, s:o, s:I}", "file_id", id, "permissions", list, "count", (json_int_t)json_array_size(perms));
    const char *next = json_string_value(json_object_get(res->json, "nextPageToken"));
    if (next != NULL && next[0] != '\0') {
        cm_buf_printf(&b, "More: call again with cursor=%s\n", next);
        json_object_set_new(out, "next_cursor", json_string(next));
    }
    free(id);
    mcp_tool_finish_buf(c, &b, out);
}

void gd_list_permissions(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    if (!gd_cursor_ok(c, args))
        return;
    char size[24];
    snprintf(size, sizeof(size), "%lld", (long long)json_integer_value(json_object_get(args, "page_size")));
    char *id = strdup(gd_str(args, "file_id"));
    if (id == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    const char *q[] = {"pageSize",  size,
                       "pageToken", gd_str(args, "cursor"),
                       "fields",    "nextPageToken,permissions(" PERMISSION_FIELDS ")",
                       NULL};
    gd_fetch(c, "GET", gd_file_url(id, "/permissions", q), NULL, GD_SCOPE_METADATA, on_permissions, id, free);
}

/* ---- about.get ---- */

/* A storageQuota field (int64 as a JSON string) into out as an integer; appended to b in readable units. */
static void quota_field(json_t *quota, const char *from, json_t *out, const char *to, cm_buf_t *b, const char *label)
{
    const char *v = json_string_value(json_object_get(quota, from));
    if (v == NULL)
        return;
    long long n = strtoll(v, NULL, 10);
    json_object_set_new(out, to, json_integer(n));
    cm_buf_printf(b, "%s: %lld bytes (%.2f GiB)\n", label, n, (double)n / (1024.0 * 1024 * 1024));
}

static void on_about(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    json_t *quota = json_object_get(res->json, "storageQuota"), *user = json_object_get(res->json, "user");
    json_t *out = json_object();
    cm_buf_t b = {0};
    const char *email = json_string_value(json_object_get(user, "emailAddress"));
    const char *name = json_string_value(json_object_get(user, "displayName"));
    cm_buf_printf(&b, "Google Drive of %s%s%s%s\n", name != NULL ? name : "", name != NULL ? " <" : "",
                  email != NULL ? email : "?", name != NULL ? ">" : "");
    if (email != NULL)
        json_object_set_new(out, "email_address", json_string(email));
    if (name != NULL)
        json_object_set_new(out, "display_name", json_string(name));
    quota_field(quota, "limit", out, "limit", &b, "Limit");
    if (json_object_get(quota, "limit") == NULL)
        cm_buf_appendz(&b, "Limit: none (unlimited storage)\n");
    quota_field(quota, "usage", out, "usage", &b, "Used in total");
    quota_field(quota, "usageInDrive", out, "usage_in_drive", &b, "Used by Drive files");
    quota_field(quota, "usageInDriveTrash", out, "usage_in_drive_trash", &b, "Used by the trash");
    json_object_set_new(out, "unlimited", json_boolean(json_object_get(quota, "limit") == NULL));
    mcp_tool_finish_buf(c, &b, out);
}

void gd_get_storage_quota(mcp_call_t *c, json_t *args, void *data)
{
    (void)args;
    (void)data;
    const char *q[] = {"fields", "storageQuota,user(displayName,emailAddress)", NULL};
    gd_fetch(c, "GET", gd_url("/about", q), NULL, GD_SCOPE_METADATA, on_about, NULL, NULL);
}
