/*
 * args.c - the arguments a JSON schema cannot check: A1 ranges (a1.c) and the size of a 2-D values array against its
 * range and the service's limits. A refusal finishes the call with a tool error naming the argument, before any
 * request.
 */
#include "common/status.h"
#include "googlesheets.h"

#include <stdio.h>

const char *gs_str(json_t *args, const char *key)
{
    const char *s = json_string_value(json_object_get(args, key));
    return s && s[0] ? s : NULL;
}

int gs_range_arg(mcp_call_t *c, const char *key, const char *value, char *out, gs_a1_t *a)
{
    gs_a1_t tmp;
    char err[200];
    if (a == NULL)
        a = &tmp;
    if (gs_a1_parse(value, a, err, sizeof(err)) != CM_OK || gs_a1_format(a, out, GS_A1_FORMAT_MAX) != CM_OK) {
        mcp_call_fail(c,
                      "Invalid arguments: '%s' is not a range in A1 notation: %s. Examples: Sheet1!A1:B2, "
                      "'My sheet'!A:A, Sheet1!1:2, Sheet1!A5:C, Sheet1 (the whole sheet), A1:B2 (the first sheet).",
                      key, err[0] ? err : "it is too long");
        return CM_EINVAL;
    }
    return CM_OK;
}

int gs_values_arg(mcp_call_t *c, json_t *values, const gs_a1_t *a, int columns_major, size_t *cells)
{
    size_t i, n = 0, widest = 0;
    json_t *row;
    json_array_foreach(values, i, row)
    {
        n += json_array_size(row);
        if (json_array_size(row) > widest)
            widest = json_array_size(row);
    }
    *cells = n;
    if (n > GS_MAX_CELLS) {
        mcp_call_fail(c, "Invalid arguments: 'values' has %zu cells; one call writes at most %d (split it up).", n,
                      GS_MAX_CELLS);
        return CM_EINVAL;
    }
    if (a == NULL || !a->has_cells || (a->c1 == a->c2 && a->r1 == a->r2))
        return CM_OK; /* a single cell (or a whole sheet) is where the values start: Google writes them from there */
    /* outer = rows (ROWS) or columns (COLUMNS); inner = the other axis */
    long outer = columns_major ? gs_a1_cols(a) : gs_a1_rows(a), inner = columns_major ? gs_a1_rows(a) : gs_a1_cols(a);
    if (outer > 0 && json_array_size(values) > (size_t)outer) {
        mcp_call_fail(c,
                      "Invalid arguments: 'values' has %zu %s but 'range' spans %ld; Google writes only inside the "
                      "range (give its first cell alone to write a block of any size).",
                      json_array_size(values), columns_major ? "columns" : "rows", outer);
        return CM_EINVAL;
    }
    if (inner > 0 && widest > (size_t)inner) {
        mcp_call_fail(c, "Invalid arguments: 'values' has %s of %zu cells but 'range' spans %ld %s.",
                      columns_major ? "a column" : "a row", widest, inner, columns_major ? "rows" : "columns");
        return CM_EINVAL;
    }
    return CM_OK;
}

int gs_title_arg(mcp_call_t *c, const char *key, const char *title)
{
    char err[160];
    if (gs_a1_title_ok(title, err, sizeof(err)) == CM_OK)
        return CM_OK;
    mcp_call_fail(c, "Invalid arguments: '%s': %s.", key, err);
    return CM_EINVAL;
}
