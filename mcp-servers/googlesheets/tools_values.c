/*
 * tools_values.c - the value tools: read_range (values.get), batch_read (values.batchGet), write_range
 * (values.update), append_rows (values.append), clear_range (values.clear). Ranges are parsed (a1.c) and sent in
 * their canonical form; nothing is sent when one is not A1 notation.
 */
#include "common/status.h"
#include "googlesheets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading ---- */

static void on_read(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    cm_buf_t b = {0};
    gs_values_render(&b, res->json, GS_MAX_TEXT);
    mcp_tool_finish_buf(c, &b, gs_values_structured(res->json));
}

void gs_read_range(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char range[GS_A1_FORMAT_MAX];
    const char *id = gs_str(args, "spreadsheet_id");
    if (gs_range_arg(c, "range", gs_str(args, "range"), range, NULL) != CM_OK)
        return;
    const char *q[] = {"majorDimension",
                       gs_str(args, "major_dimension"),
                       "valueRenderOption",
                       gs_str(args, "value_render_option"),
                       "dateTimeRenderOption",
                       gs_str(args, "date_time_render_option"),
                       NULL};
    gs_fetch(c, "GET", gs_values_url(id, range, NULL, q), NULL, GS_SCOPE_READ, id, GS_MAX_RESPONSE, on_read, NULL,
             NULL);
}

static void on_batch(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    json_t *vrs = json_object_get(res->json, "valueRanges"), *vr, *out = json_array();
    size_t i, n = json_array_size(vrs);
    cm_buf_t b = {0};
    cm_buf_printf(&b, "%zu range%s of spreadsheet %s:\n", n, n == 1 ? "" : "s",
                  json_string_value(json_object_get(res->json, "spreadsheetId")) ?: "?");
    json_array_foreach(vrs, i, vr)
    {
        /* each range gets an equal share of what is left of the text budget */
        size_t left = b.len < GS_MAX_TEXT ? GS_MAX_TEXT - b.len : 0;
        gs_values_render(&b, vr, b.len + left / (n - i));
        json_array_append_new(out, gs_values_structured(vr));
    }
    mcp_tool_finish_buf(
        c, &b,
        json_pack("{s:O?, s:o}", "spreadsheet_id", json_object_get(res->json, "spreadsheetId"), "value_ranges", out));
}

void gs_batch_read(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *id = gs_str(args, "spreadsheet_id");
    json_t *ranges = json_object_get(args, "ranges"), *r;
    size_t i, n = json_array_size(ranges), k = 0;
    char(*canon)[GS_A1_FORMAT_MAX] = calloc(n ? n : 1, sizeof(*canon));
    const char **q = calloc(2 * n + 7, sizeof(*q));
    if (canon == NULL || q == NULL) {
        mcp_call_fail(c, "out of memory");
        goto out_free;
    }
    json_array_foreach(ranges, i, r)
    {
        char key[32];
        snprintf(key, sizeof(key), "ranges[%zu]", i);
        if (gs_range_arg(c, key, json_string_value(r), canon[i], NULL) != CM_OK)
            goto out_free;
        q[k++] = "ranges";
        q[k++] = canon[i];
    }
    q[k++] = "majorDimension";
    q[k++] = gs_str(args, "major_dimension");
    q[k++] = "valueRenderOption";
    q[k++] = gs_str(args, "value_render_option");
    q[k++] = "dateTimeRenderOption";
    q[k++] = gs_str(args, "date_time_render_option");
    q[k] = NULL;
    gs_fetch(c, "GET", gs_url(id, "/values:batchGet", q), NULL, GS_SCOPE_READ, id, GS_MAX_RESPONSE, on_batch, NULL,
             NULL);
out_free:
    free(q);
    free(canon);
}

/* ---- writing ---- */

/* An UpdateValuesResponse (values.update, or values.append's updates) as text and structuredContent. */
static void finish_update(mcp_call_t *c, json_t *u, const char *verb, json_t *extra)
{
    json_int_t cells = json_integer_value(json_object_get(u, "updatedCells"));
    json_int_t rows = json_integer_value(json_object_get(u, "updatedRows"));
    json_int_t cols = json_integer_value(json_object_get(u, "updatedColumns"));
    const char *where = json_string_value(json_object_get(u, "updatedRange")) ?: "?";
    cm_buf_t b = {0};
    cm_buf_printf(&b, "%s %lld cell%s (%lld row%s x %lld column%s) in %s.", verb, (long long)cells,
                  cells == 1 ? "" : "s", (long long)rows, rows == 1 ? "" : "s", (long long)cols, cols == 1 ? "" : "s",
                  where);
    json_t *out = json_pack("{s:s, s:I, s:I, s:I}", "updated_range", where, "updated_rows", rows, "updated_columns",
                            cols, "updated_cells", cells);
    if (extra != NULL)
        json_object_update(out, extra);
    mcp_tool_finish_buf(c, &b, out);
}

static void on_update(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    finish_update(c, res->json, "Wrote", NULL);
}

static void on_append(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    const char *table = json_string_value(json_object_get(res->json, "tableRange"));
    json_t *extra = json_pack("{s:s?}", "table_range", table);
    finish_update(c, json_object_get(res->json, "updates"), table ? "Appended after the table, wrote" : "Appended",
                  extra);
    json_decref(extra);
}

/* The body of a write, refused when Google would refuse its size. NULL after failing the call. */
static json_t *write_body(mcp_call_t *c, json_t *args, const char *range, const gs_a1_t *a)
{
    json_t *values = json_object_get(args, "values");
    const char *major = gs_str(args, "major_dimension");
    size_t cells;
    if (gs_values_arg(c, values, a, major != NULL && strcmp(major, "COLUMNS") == 0, &cells) != CM_OK)
        return NULL;
    json_t *body =
        json_pack("{s:s?, s:s, s:O}", "range", range, "majorDimension", major ? major : "ROWS", "values", values);
    char *dump = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
    size_t len = dump != NULL ? strlen(dump) : 0;
    free(dump);
    if (dump == NULL) {
        json_decref(body);
        mcp_call_fail(c, "out of memory");
        return NULL;
    }
    if (len > GS_MAX_PAYLOAD) {
        json_decref(body);
        mcp_call_fail(c,
                      "Invalid arguments: 'values' makes a request of %zu bytes; Google accepts at most %u bytes "
                      "(10 MiB) a request: split the write.",
                      len, GS_MAX_PAYLOAD);
        return NULL;
    }
    return body;
}

void gs_write_range(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char range[GS_A1_FORMAT_MAX];
    gs_a1_t a;
    const char *id = gs_str(args, "spreadsheet_id");
    if (gs_range_arg(c, "range", gs_str(args, "range"), range, &a) != CM_OK)
        return;
    json_t *body = write_body(c, args, range, &a);
    if (body == NULL)
        return;
    const char *q[] = {"valueInputOption", gs_str(args, "value_input_option"), NULL};
    gs_fetch(c, "PUT", gs_values_url(id, range, NULL, q), body, GS_SCOPE_WRITE, id, 0, on_update, NULL, NULL);
}

void gs_append_rows(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char range[GS_A1_FORMAT_MAX];
    const char *id = gs_str(args, "spreadsheet_id");
    if (gs_range_arg(c, "range", gs_str(args, "range"), range, NULL) != CM_OK)
        return;
    /* the range only tells Google where to look for the table: the values may be of any size */
    json_t *body = write_body(c, args, range, NULL);
    if (body == NULL)
        return;
    const char *q[] = {"valueInputOption", gs_str(args, "value_input_option"), "insertDataOption",
                       gs_str(args, "insert_data_option"), NULL};
    gs_fetch(c, "POST", gs_values_url(id, range, ":append", q), body, GS_SCOPE_WRITE, id, 0, on_append, NULL, NULL);
}

static void on_clear(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    const char *cleared = json_string_value(json_object_get(res->json, "clearedRange"));
    cm_buf_t b = {0};
    cm_buf_printf(&b, "Cleared the values of %s (formatting kept).", cleared ? cleared : "the range");
    mcp_tool_finish_buf(c, &b, json_pack("{s:s}", "cleared_range", cleared ? cleared : ""));
}

void gs_clear_range(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char range[GS_A1_FORMAT_MAX];
    const char *id = gs_str(args, "spreadsheet_id");
    if (gs_range_arg(c, "range", gs_str(args, "range"), range, NULL) != CM_OK)
        return;
    gs_fetch(c, "POST", gs_values_url(id, range, ":clear", NULL), json_object(), GS_SCOPE_WRITE, id, 0, on_clear, NULL,
             NULL);
}
