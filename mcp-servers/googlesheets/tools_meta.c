/*
 * tools_meta.c - spreadsheets: create_spreadsheet (spreadsheets.create) and get_spreadsheet (spreadsheets.get with
 * fields: properties, sheets and named ranges, never grid data).
 */
#include "common/status.h"
#include "googlesheets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What get_spreadsheet and create_spreadsheet ask for: the sheet list without cells (partial response). */
#define SHEET_PROPS                                                                                                    \
    "sheetId,title,index,sheetType,hidden,gridProperties(rowCount,columnCount,frozenRowCount,frozenColumnCount)"
#define CREATE_FIELDS                                                                                                  \
    "spreadsheetId,spreadsheetUrl,properties(title,locale,timeZone),sheets(properties(" SHEET_PROPS "))"
#define GET_FIELDS CREATE_FIELDS ",namedRanges(namedRangeId,name,range)"

static long jint(json_t *o, const char *k, long dflt)
{
    json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? (long)json_integer_value(v) : dflt;
}

json_t *gs_sheet_view(json_t *p, cm_buf_t *b)
{
    json_t *g = json_object_get(p, "gridProperties");
    const char *title = json_string_value(json_object_get(p, "title")) ?: "";
    const char *type = json_string_value(json_object_get(p, "sheetType")) ?: "GRID";
    int hidden = json_is_true(json_object_get(p, "hidden"));
    long rows = jint(g, "rowCount", 0), cols = jint(g, "columnCount", 0);
    cm_buf_printf(b, "- \"%s\" (sheet_id %ld, index %ld%s%s): %ld rows x %ld columns", title, jint(p, "sheetId", 0),
                  jint(p, "index", 0), strcmp(type, "GRID") ? ", " : "", strcmp(type, "GRID") ? type : "", rows, cols);
    if (jint(g, "frozenRowCount", 0) > 0 || jint(g, "frozenColumnCount", 0) > 0)
        cm_buf_printf(b, ", frozen %ld rows / %ld columns", jint(g, "frozenRowCount", 0),
                      jint(g, "frozenColumnCount", 0));
    cm_buf_printf(b, "%s\n", hidden ? ", hidden" : "");
    return json_pack("{s:I, s:s, s:I, s:s, s:b, s:I, s:I}", "sheet_id", (json_int_t)jint(p, "sheetId", 0), "title",
                     title, "index", (json_int_t)jint(p, "index", 0), "type", type, "hidden", hidden, "row_count",
                     (json_int_t)rows, "column_count", (json_int_t)cols);
}

/* A named range's GridRange as A1 on its sheet (sheets: the views made above). */
static void named_range_a1(json_t *grid, json_t *sheets, char *out)
{
    json_t *s, *found = NULL;
    size_t i;
    long sid = jint(grid, "sheetId", 0);
    json_array_foreach(sheets, i, s) if (jint(s, "sheet_id", -1) == sid) found = s;
    gs_a1_t a;
    gs_a1_from_grid(json_string_value(json_object_get(found, "title")) ?: "", jint(grid, "startRowIndex", -1),
                    jint(grid, "endRowIndex", -1), jint(grid, "startColumnIndex", -1), jint(grid, "endColumnIndex", -1),
                    jint(found, "row_count", 0), jint(found, "column_count", 0), &a);
    if (gs_a1_format(&a, out, GS_A1_FORMAT_MAX) != CM_OK)
        out[0] = '\0';
}

/* A Spreadsheet (fields as asked) as text and structuredContent. */
static void finish_spreadsheet(mcp_call_t *c, json_t *j, const char *lead)
{
    json_t *props = json_object_get(j, "properties"), *sheets = json_array(), *named = json_array(), *s;
    size_t i;
    cm_buf_t b = {0};
    const char *id = json_string_value(json_object_get(j, "spreadsheetId")) ?: "";
    const char *title = json_string_value(json_object_get(props, "title")) ?: "";
    const char *url = json_string_value(json_object_get(j, "spreadsheetUrl")) ?: "";
    cm_buf_printf(&b, "%s\"%s\" (spreadsheet_id %s)\n%s%s", lead, title, id, url, url[0] ? "\n" : "");
    if (json_string_value(json_object_get(props, "locale")) || json_string_value(json_object_get(props, "timeZone")))
        cm_buf_printf(&b, "Locale %s, time zone %s\n", json_string_value(json_object_get(props, "locale")) ?: "?",
                      json_string_value(json_object_get(props, "timeZone")) ?: "?");
    json_t *list = json_object_get(j, "sheets");
    cm_buf_printf(&b, "%zu sheet%s:\n", json_array_size(list), json_array_size(list) == 1 ? "" : "s");
    json_array_foreach(list, i, s) json_array_append_new(sheets, gs_sheet_view(json_object_get(s, "properties"), &b));
    json_t *nrs = json_object_get(j, "namedRanges");
    if (json_array_size(nrs) > 0)
        cm_buf_printf(&b, "%zu named range%s:\n", json_array_size(nrs), json_array_size(nrs) == 1 ? "" : "s");
    json_array_foreach(nrs, i, s)
    {
        char a1[GS_A1_FORMAT_MAX];
        named_range_a1(json_object_get(s, "range"), sheets, a1);
        const char *name = json_string_value(json_object_get(s, "name")) ?: "";
        cm_buf_printf(&b, "- %s = %s\n", name, a1);
        json_array_append_new(named, json_pack("{s:s, s:s, s:s}", "named_range_id",
                                               json_string_value(json_object_get(s, "namedRangeId")) ?: "", "name",
                                               name, "range", a1));
    }
    json_t *out = json_pack("{s:s, s:s, s:s, s:o, s:o}", "spreadsheet_id", id, "title", title, "url", url, "sheets",
                            sheets, "named_ranges", named);
    if (json_string_value(json_object_get(props, "locale")))
        json_object_set(out, "locale", json_object_get(props, "locale"));
    if (json_string_value(json_object_get(props, "timeZone")))
        json_object_set(out, "time_zone", json_object_get(props, "timeZone"));
    mcp_tool_finish_buf(c, &b, out);
}

static void on_get(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    finish_spreadsheet(c, res->json, "");
}

void gs_get_spreadsheet(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *id = gs_str(args, "spreadsheet_id");
    static const char *const q[] = {"includeGridData", "false", "fields", GET_FIELDS, NULL};
    gs_fetch(c, "GET", gs_url(id, NULL, q), NULL, GS_SCOPE_READ, id, 0, on_get, NULL, NULL);
}

static void on_created(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    finish_spreadsheet(c, res->json, "Created ");
}

void gs_create_spreadsheet(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    json_t *titles = json_object_get(args, "sheet_titles"), *t, *sheets = json_array();
    size_t i;
    json_array_foreach(titles, i, t)
    {
        char key[40];
        snprintf(key, sizeof(key), "sheet_titles[%zu]", i);
        if (gs_title_arg(c, key, json_string_value(t)) != CM_OK) {
            json_decref(sheets);
            return;
        }
        json_array_append_new(sheets, json_pack("{s:{s:O}}", "properties", "title", t));
    }
    json_t *props = json_pack("{s:s}", "title", gs_str(args, "title"));
    if (gs_str(args, "locale"))
        json_object_set(props, "locale", json_object_get(args, "locale"));
    if (gs_str(args, "time_zone"))
        json_object_set(props, "timeZone", json_object_get(args, "time_zone"));
    json_t *body = json_pack("{s:o}", "properties", props);
    if (json_array_size(sheets) > 0)
        json_object_set(body, "sheets", sheets);
    json_decref(sheets);
    static const char *const q[] = {"fields", CREATE_FIELDS, NULL};
    gs_fetch(c, "POST", gs_url(NULL, NULL, q), body, GS_SCOPE_WRITE, NULL, 0, on_created, NULL, NULL);
}
