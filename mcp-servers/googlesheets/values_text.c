/*
 * values_text.c - a ValueRange (values.get, one of values.batchGet's) as readable text and as structuredContent.
 * Google leaves out trailing empty rows and cells, and the whole values member when the range is empty.
 */
#include "common/status.h"
#include "googlesheets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One cell: strings with tabs and line breaks blanked (they would break the table), numbers as JSON writes them. */
static void put_cell(cm_buf_t *b, json_t *v)
{
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v), start = 0;
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)s[i] < 0x20) {
                cm_buf_append(b, s + start, i - start);
                cm_buf_appendz(b, " ");
                start = i + 1;
            }
        cm_buf_append(b, s + start, n - start);
    } else if (json_is_number(v) || json_is_boolean(v)) {
        char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        if (t != NULL)
            cm_buf_appendz(b, t);
        free(t);
    }
}

void gs_values_render(cm_buf_t *b, json_t *vr, size_t max_bytes)
{
    const char *range = json_string_value(json_object_get(vr, "range"));
    const char *major = json_string_value(json_object_get(vr, "majorDimension"));
    int cols = major != NULL && strcmp(major, "COLUMNS") == 0;
    json_t *values = json_object_get(vr, "values"), *line;
    size_t i, total = json_array_size(values);
    gs_a1_t a;
    char err[8];
    long first = 0; /* the sheet row (or column) of the first line, when Google's range says it */
    if (range != NULL && gs_a1_parse(range, &a, err, sizeof(err)) == CM_OK && a.has_cells)
        first = cols ? a.c1 : a.r1;
    cm_buf_printf(b, "%s: ", range ? range : "(range)");
    if (total == 0) {
        cm_buf_appendz(b, "empty.\n");
        return;
    }
    cm_buf_printf(b, "%zu %s, tab-separated%s.\n", total, cols ? "columns" : "rows",
                  first > 0 ? (cols ? ", each line starting with its column" : ", each line starting with its row")
                            : "");
    json_array_foreach(values, i, line)
    {
        if (b->len >= max_bytes) {
            cm_buf_printf(b, "... %zu more %s not shown here (structuredContent has every value).\n", total - i,
                          cols ? "columns" : "rows");
            return;
        }
        if (first > 0) {
            char name[4];
            gs_a1_col_name(first + (long)i, name);
            if (cols)
                cm_buf_printf(b, "%s\t", name);
            else
                cm_buf_printf(b, "%ld\t", first + (long)i);
        }
        size_t j;
        json_t *v;
        json_array_foreach(line, j, v)
        {
            if (j > 0)
                cm_buf_appendz(b, "\t");
            put_cell(b, v);
        }
        cm_buf_appendz(b, "\n");
    }
}

json_t *gs_values_structured(json_t *vr)
{
    json_t *values = json_object_get(vr, "values"), *line;
    size_t i, widest = 0, n = json_array_size(values);
    json_array_foreach(values, i, line) if (json_array_size(line) > widest) widest = json_array_size(line);
    const char *major = json_string_value(json_object_get(vr, "majorDimension"));
    int cols = major != NULL && strcmp(major, "COLUMNS") == 0;
    json_t *arr = json_is_array(values) ? json_incref(values) : json_array();
    /* rows and columns the values span, whichever way they are listed */
    return json_pack("{s:s, s:s, s:o, s:I, s:I}", "range", json_string_value(json_object_get(vr, "range")) ?: "",
                     "major_dimension", cols ? "COLUMNS" : "ROWS", "values", arr, "rows",
                     (json_int_t)(cols ? widest : n), "columns", (json_int_t)(cols ? n : widest));
}
