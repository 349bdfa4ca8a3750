/*
 * tools_sheets.c - the sheets (tabs) of a spreadsheet, through spreadsheets.batchUpdate: add_sheet (addSheet) and
 * delete_sheet (deleteSheet; by sheet_id, or by title: the id is looked up first with a spreadsheets.get that asks
 * only for the sheets' ids and titles).
 */
#include "common/status.h"
#include "googlesheets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_added(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    json_t *p = json_object_get(json_object_get(json_array_get(json_object_get(res->json, "replies"), 0), "addSheet"),
                                "properties");
    cm_buf_t b = {0};
    cm_buf_appendz(&b, "Added the sheet:\n");
    json_t *view = gs_sheet_view(p, &b);
    mcp_tool_finish_buf(c, &b, view);
}

void gs_add_sheet(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *id = gs_str(args, "spreadsheet_id");
    if (gs_title_arg(c, "title", gs_str(args, "title")) != CM_OK)
        return;
    json_t *rows = json_object_get(args, "row_count"), *cols = json_object_get(args, "column_count");
    long r = rows ? (long)json_integer_value(rows) : 1000, k = cols ? (long)json_integer_value(cols) : 26;
    if ((double)r * (double)k > (double)GS_A1_MAX_ROW) {
        mcp_call_fail(c,
                      "Invalid arguments: row_count x column_count is %ld cells; a spreadsheet holds at most 10 "
                      "million.",
                      r * k);
        return;
    }
    json_t *props = json_pack("{s:s}", "title", gs_str(args, "title"));
    if (json_object_get(args, "index"))
        json_object_set(props, "index", json_object_get(args, "index"));
    if (rows || cols)
        json_object_set_new(props, "gridProperties",
                            json_pack("{s:I, s:I}", "rowCount", (json_int_t)r, "columnCount", (json_int_t)k));
    json_t *body = json_pack("{s:[{s:{s:o}}]}", "requests", "addSheet", "properties", props);
    gs_fetch(c, "POST", gs_url(id, ":batchUpdate", NULL), body, GS_SCOPE_WRITE, id, 0, on_added, NULL, NULL);
}

/* delete_sheet's state across its one or two requests */
typedef struct del {
    long sheet_id;
    char spreadsheet[160];
    char title[GS_SHEET_TITLE_MAX_BYTES + 1]; /* "" when the caller gave the id */
} del_t;

static void on_deleted(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)res;
    del_t *d = arg;
    cm_buf_t b = {0};
    cm_buf_printf(&b, "Deleted the sheet %s%s%swith sheet_id %ld and everything on it.", d->title[0] ? "\"" : "",
                  d->title, d->title[0] ? "\" " : "", d->sheet_id);
    json_t *out = json_pack("{s:b, s:I}", "deleted", 1, "sheet_id", (json_int_t)d->sheet_id);
    if (d->title[0])
        json_object_set_new(out, "title", json_string(d->title));
    free(d);
    mcp_tool_finish_buf(c, &b, out);
}

static void send_delete(mcp_call_t *c, del_t *d)
{
    json_t *body = json_pack("{s:[{s:{s:I}}]}", "requests", "deleteSheet", "sheetId", (json_int_t)d->sheet_id);
    gs_fetch(c, "POST", gs_url(d->spreadsheet, ":batchUpdate", NULL), body, GS_SCOPE_WRITE, d->spreadsheet, 0,
             on_deleted, d, free);
}

/* The sheets' ids and titles: the one whose title is the one asked for (exactly), then the delete. */
static void on_lookup(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    del_t *d = arg;
    json_t *sheets = json_object_get(res->json, "sheets"), *s;
    size_t i;
    json_array_foreach(sheets, i, s)
    {
        json_t *p = json_object_get(s, "properties");
        const char *t = json_string_value(json_object_get(p, "title"));
        if (t != NULL && strcmp(t, d->title) == 0 && json_is_integer(json_object_get(p, "sheetId"))) {
            d->sheet_id = (long)json_integer_value(json_object_get(p, "sheetId"));
            send_delete(c, d);
            return;
        }
    }
    cm_buf_t b = {0};
    cm_buf_printf(&b,
                  "No sheet is titled \"%s\" in spreadsheet %s (titles are compared exactly). Its sheets:", d->title,
                  d->spreadsheet);
    json_array_foreach(sheets, i, s)
        cm_buf_printf(&b, "%s \"%s\"", i ? "," : "",
                      json_string_value(json_object_get(json_object_get(s, "properties"), "title")) ?: "?");
    char *text = cm_buf_take(&b);
    mcp_call_fail(c, "%s", text ? text : "No such sheet.");
    free(text);
    free(d);
}

void gs_delete_sheet(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *id = gs_str(args, "spreadsheet_id"), *title = gs_str(args, "sheet_title");
    json_t *sid = json_object_get(args, "sheet_id");
    if ((sid != NULL) == (title != NULL)) {
        mcp_call_fail(c, "Invalid arguments: give either sheet_id or sheet_title (not both).");
        return;
    }
    if (title != NULL && gs_title_arg(c, "sheet_title", title) != CM_OK)
        return;
    del_t *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    snprintf(d->spreadsheet, sizeof(d->spreadsheet), "%s", id);
    if (title == NULL) {
        d->sheet_id = (long)json_integer_value(sid);
        send_delete(c, d);
        return;
    }
    snprintf(d->title, sizeof(d->title), "%s", title);
    static const char *const q[] = {"fields", "sheets(properties(sheetId,title))", NULL};
    gs_fetch(c, "GET", gs_url(id, NULL, q), NULL, GS_SCOPE_WRITE, id, 0, on_lookup, d, free);
}
