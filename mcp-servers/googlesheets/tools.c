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

// clang-format off
enum { RO, CREATE, WRITE_IDEM, APPEND, DESTROY_IDEM };
static const mcp_tool_annotations_t hints[] = {
    [RO] = {.read_only = MCP_HINT_TRUE, .destructive = MCP_HINT_FALSE, .idempotent = MCP_HINT_TRUE,
            .open_world = MCP_HINT_TRUE},
    [CREATE] = {.read_only = MCP_HINT_FALSE, .destructive = MCP_HINT_FALSE, .idempotent = MCP_HINT_FALSE,
                .open_world = MCP_HINT_TRUE},
    /* writing a range overwrites what was there: destructive, but twice is the same as once */
    [WRITE_IDEM] = {.read_only = MCP_HINT_FALSE, .destructive = MCP_HINT_TRUE, .idempotent = MCP_HINT_TRUE,
                    .open_world = MCP_HINT_TRUE},
    /* appending twice adds the rows twice */
    [APPEND] = {.read_only = MCP_HINT_FALSE, .destructive = MCP_HINT_FALSE, .idempotent = MCP_HINT_FALSE,
                .open_world = MCP_HINT_TRUE},
    [DESTROY_IDEM] = {.read_only = MCP_HINT_FALSE, .destructive = MCP_HINT_TRUE, .idempotent = MCP_HINT_TRUE,
                      .open_world = MCP_HINT_TRUE},
};
// clang-format on

#define A1_HELP                                                                                                        \
    " Ranges in A1 notation: Sheet1!A1:B2, 'My sheet'!A:A (quote titles with spaces or symbols, a quote doubled), "    \
    "Sheet1!1:2, Sheet1!A5:C (from row 5 down), Sheet1 (the whole sheet), A1:B2 (the first sheet)."

static const struct {
    const char *name, *title, *description, *input, *output;
    int hint;
    mcp_tool_fn fn;
} tools[] = {
    {"create_spreadsheet", "Create spreadsheet",
     "Creates a spreadsheet with a title and optionally named sheets, locale and time zone; returns its "
     "spreadsheet_id, URL and sheets.",
     schema_create_spreadsheet_input, schema_create_spreadsheet_output, CREATE, gs_create_spreadsheet},
    {"get_spreadsheet", "Get spreadsheet",
     "Gets a spreadsheet's title, locale, time zone, its sheets (sheet_id, title, index, size, hidden) and named "
     "ranges (as A1). No cell values: use read_range for those.",
     schema_get_spreadsheet_input, schema_get_spreadsheet_output, RO, gs_get_spreadsheet},
    {"read_range", "Read range",
     "Reads the values of one range as a table (trailing empty rows and cells are left out). value_render_option: "
     "FORMATTED_VALUE (as shown), UNFORMATTED_VALUE (raw numbers) or FORMULA; major_dimension ROWS or COLUMNS." A1_HELP,
     schema_read_range_input, schema_read_range_output, RO, gs_read_range},
    {"batch_read", "Read several ranges",
     "Reads up to " STR(GS_MAX_RANGES) " ranges of one spreadsheet in one request, with the options of "
                                       "read_range." A1_HELP,
     schema_batch_read_input, schema_batch_read_output, RO, gs_batch_read},
    {"write_range", "Write range",
     "Writes a 2-D array of values (rows of cells: strings, numbers, booleans, null to leave a cell) into a range, "
     "overwriting it. value_input_option RAW (default: stored as given) or USER_ENTERED (parsed as if typed: numbers, "
     "dates, =formulas). A single cell as range is where the block starts; a larger range must hold the values. At "
     "most " STR(GS_MAX_ROWS) " rows, " STR(GS_MAX_COLS) " cells a row, " STR(
         GS_MAX_CELLS) " cells and 10 MiB a call, " STR(GS_MAX_CELL_CHARS) " characters a cell." A1_HELP,
     schema_write_range_input, schema_write_range_output, WRITE_IDEM, gs_write_range},
    {"append_rows", "Append rows",
     "Appends rows after the last row of the table Google finds in range (e.g. Sheet1 or Sheet1!A:D). "
     "insert_data_option INSERT_ROWS (default: new rows are inserted, nothing below is overwritten) or OVERWRITE; "
     "value_input_option and limits as write_range.",
     schema_append_rows_input, schema_append_rows_output, APPEND, gs_append_rows},
    {"clear_range", "Clear range",
     "Clears the values of a range (formatting and validation stay). Cannot be undone from here." A1_HELP,
     schema_clear_range_input, schema_clear_range_output, DESTROY_IDEM, gs_clear_range},
    {"add_sheet", "Add sheet",
     "Adds a sheet (tab) with a title (unique in the spreadsheet), optionally at an index and with a grid size "
     "(default 1000 rows x 26 columns).",
     schema_add_sheet_input, schema_add_sheet_output, CREATE, gs_add_sheet},
    {"delete_sheet", "Delete sheet",
     "Deletes a sheet and everything on it, by sheet_id (from get_spreadsheet). The last sheet of a spreadsheet "
     "cannot be deleted.",
     schema_delete_sheet_input, schema_delete_sheet_output, DESTROY_IDEM, gs_delete_sheet},
};

int gs_register_tools(mcp_server_t *s)
{
    if (gs_api_init() != CM_OK)
        return CM_EINVAL;
    for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
        mcp_tool_def_t d = {.name = tools[i].name,
                            .title = tools[i].title,
                            .description = tools[i].description,
                            .input_schema = tools[i].input,
                            .output_schema = tools[i].output,
                            .annotations = hints[tools[i].hint],
                            .fn = tools[i].fn};
        int rc = mcp_server_add_tool(s, &d);
        if (rc != 0)
            return rc;
    }
    return CM_OK;
}
