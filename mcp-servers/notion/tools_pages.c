/*
 * tools_pages.c - get_page (GET /v1/pages/{id}), update_page_properties and archive_page (PATCH /v1/pages/{id} with
 * properties, or archived: true: Notion's trash, restorable there for 30 days).
 */
#include "notion.h"

#include <stdio.h>
#include <string.h>

/* A page object as text (title, ids, times, properties) plus its summary; arg: a line to open the text with. */
static void on_page(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    const char *k;
    cm_buf_t b = {0};
    if (!json_is_string(json_object_get(res->json, "id"))) {
        mcp_call_fail(c, "Notion answered without a page.");
        return;
    }
    json_t *s = nt_page_summary(res->json), *v;
    json_t *parent = json_object_get(s, "parent");
    if (s == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    if (arg != NULL)
        cm_buf_printf(&b, "%s\n", (const char *)arg);
    cm_buf_printf(
        &b, "%s\nid: %s\nurl: %s\nparent: %s%s%s\nlast edited: %s%s\nProperties:\n",
        json_string_value(json_object_get(s, "title"))[0] ? json_string_value(json_object_get(s, "title")) : "Untitled",
        json_string_value(json_object_get(s, "id")) ?: "?", json_string_value(json_object_get(s, "url")) ?: "",
        json_string_value(json_object_get(parent, "type")) ?: "?", json_object_get(parent, "id") ? " " : "",
        json_string_value(json_object_get(parent, "id")) ?: "",
        json_string_value(json_object_get(s, "last_edited_time")) ?: "?",
        json_is_true(json_object_get(s, "archived")) ? "\narchived: yes (in the trash)" : "");
    json_object_foreach(json_object_get(s, "properties"), k, v)
        cm_buf_printf(&b, "- %s: %s\n", k, json_string_value(v));
    mcp_tool_finish_buf(c, &b, s);
}

static void page_request(mcp_call_t *c, json_t *args, const char *method, json_t *body, const char *opening)
{
    char id[NT_ID_LEN + 1], path[64], subject[64];
    if (nt_id_arg(c, args, "page_id", id) != 0) {
        json_decref(body);
        return;
    }
    snprintf(path, sizeof(path), "/pages/%s", id);
    snprintf(subject, sizeof(subject), "page %s", id);
    char *url = NULL;
    if (nt_url_props(c, path, args, &url) != 0) { /* only get_page has filter_properties */
        json_decref(body);
        return;
    }
    notion_fetch(c, method, url, body, subject, on_page, (void *)opening, NULL);
}

void nt_get_page(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    page_request(c, args, "GET", NULL, NULL);
}

void nt_update_page_properties(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    json_t *props = nt_props_from_args(json_object_get(args, "properties"));
    if (props == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    json_t *body = json_pack("{s:o}", "properties", props);
    const char *emoji = nt_str(args, "icon_emoji");
    if (body != NULL && emoji != NULL)
        json_object_set_new(body, "icon", json_pack("{s:s, s:s}", "type", "emoji", "emoji", emoji));
    page_request(c, args, "PATCH", body, "Properties updated.");
}

void nt_archive_page(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    page_request(c, args, "PATCH", json_pack("{s:b}", "archived", 1),
                 "Page archived (moved to Notion's trash; it can be restored from there).");
}
