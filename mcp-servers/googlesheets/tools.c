/*
 * tools.c - the tool table of the Google Sheets service: names, descriptions, behaviour annotations and handlers.
 * The input and output schemas (limits, enums, additionalProperties false) are schemas/<tool>.{input,output}.json,
 * checked and embedded at build time (schemas.h); their size limits are the GS_* of googlesheets.h and a1.h.
 */
#include "common/status.h"
#include "googlesheets.h"
#include "schemas.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* Behaviour hints: every tool reaches Google (open world). Writing a range overwrites what was there (destructive, but
 * twice is the same as once); appending twice adds the rows twice. */
#define RO MCP_HINTS(1, 0, 1, 1)
#define CREATE MCP_HINTS(0, 0, 0, 1)
#define OVERWRITE MCP_HINTS(0, 1, 1, 1)
#define APPEND MCP_HINTS(0, 0, 0, 1)
/* one tool: its name names the schemas and the handler gs_<name> */
#define TOOL(n, t, d, h)                                                                                               \
    {                                                                                                                  \
        .name = #n, .title = t, .description = d, .input_schema = schema_##n##_input,                                  \
        .output_schema = schema_##n##_output, .annotations = h, .fn = gs_##n                                           \
    }

#define A1_HELP                                                                                                        \
    " Ranges in A1 notation: Sheet1!A1:B2, 'My sheet'!A:A (quote titles with spaces or symbols, a quote doubled), "    \
    "Sheet1!1:2, Sheet1!A5:C (from row 5 down), Sheet1 (the whole sheet), A1:B2 (the first sheet)."

static const mcp_tool_def_t tools[] = {
    TOOL(create_spreadsheet, "Create spreadsheet",
         "Creates a spreadsheet with a title and optionally named sheets, locale and time zone; returns its "
         "spreadsheet_id, URL and sheets.",
         CREATE),
    TOOL(get_spreadsheet, "Get spreadsheet",
         "Gets a spreadsheet's title, locale, time zone, its sheets (sheet_id, title, index, size, hidden) and named "
         "ranges (as A1). No cell values: use read_range for those.",
         RO),
    TOOL(read_range, "Read range",
         "Reads the values of one range as a table (trailing empty rows and cells are left out). value_render_option: "
         "FORMATTED_VALUE (as shown), UNFORMATTED_VALUE (raw numbers) or FORMULA; major_dimension ROWS or "
         "COLUMNS." A1_HELP,
         RO),
    TOOL(batch_read, "Read several ranges",
         "Reads up to " STR(GS_MAX_RANGES) " ranges of one spreadsheet in one request, with the options of "
                                           "read_range." A1_HELP,
         RO),
    TOOL(write_range, "Write range",
         "Writes a 2-D array of values (rows of cells: strings, numbers, booleans, null to leave a cell) into a range, "
         "overwriting it. value_input_option RAW (default: stored as given) or USER_ENTERED (parsed as if typed: "
         "numbers, dates, "
         "=formulas). A single cell as range is where the block starts; a larger range must hold the values. At "
         "most " STR(GS_MAX_ROWS) " rows, " STR(GS_MAX_COLS) " cells a row, " STR(
             GS_MAX_CELLS) " cells and 10 MiB a call, " STR(GS_MAX_CELL_CHARS) " characters a cell." A1_HELP,
         OVERWRITE),
    TOOL(append_rows, "Append rows",
         "Appends rows after the last row of the table Google finds in range (e.g. Sheet1 or Sheet1!A:D). "
         "insert_data_option INSERT_ROWS (default: new rows are inserted, nothing below is overwritten) or OVERWRITE; "
         "value_input_option and limits as write_range.",
         APPEND),
    TOOL(clear_range, "Clear range",
         "Clears the values of a range (formatting and validation stay). Cannot be undone from here." A1_HELP,
         OVERWRITE),
    TOOL(add_sheet, "Add sheet",
         "Adds a sheet (tab) with a title (unique in the spreadsheet), optionally at an index and with a grid size "
         "(default 1000 rows x 26 columns).",
         CREATE),
    TOOL(delete_sheet, "Delete sheet",
         "Deletes a sheet and everything on it, by sheet_id (from get_spreadsheet) or by its exact title. The last "
         "sheet of a spreadsheet cannot be deleted.",
         OVERWRITE),
};

int gs_register_tools(mcp_server_t *s)
{
    if (gs_api_init() != CM_OK)
        return CM_EINVAL;
    return mcp_server_add_tools(s, tools, sizeof(tools) / sizeof(tools[0]));
}
