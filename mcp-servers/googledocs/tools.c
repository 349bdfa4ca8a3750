/*
 * tools.c - the tool table of the Google Docs service: names, descriptions, behaviour annotations and handlers. The
 * input and output schemas (defaults, limits, additionalProperties false) are schemas/<tool>.{input,output}.json,
 * checked and embedded at build time (schemas.h); their size limits are the GD_MAX_* of googledocs.h.
 */
#include "common/status.h"
#include "googledocs.h"
#include "schemas.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* two lines a hint set: clang-format would spread each over four */
// clang-format off
enum { RO, CREATE, EDIT, DESTROY };
static const mcp_tool_annotations_t hints[] = {
    [RO] = {.read_only = MCP_HINT_TRUE, .destructive = MCP_HINT_FALSE, .idempotent = MCP_HINT_TRUE,
            .open_world = MCP_HINT_TRUE},
    /* a second call makes a second document */
    [CREATE] = {.read_only = MCP_HINT_FALSE, .destructive = MCP_HINT_FALSE, .idempotent = MCP_HINT_FALSE,
                .open_world = MCP_HINT_TRUE},
    /* adds text, removes none; twice = the text twice */
    [EDIT] = {.read_only = MCP_HINT_FALSE, .destructive = MCP_HINT_FALSE, .idempotent = MCP_HINT_FALSE,
              .open_world = MCP_HINT_TRUE},
    /* replaces or deletes existing content */
    [DESTROY] = {.read_only = MCP_HINT_FALSE, .destructive = MCP_HINT_TRUE, .idempotent = MCP_HINT_FALSE,
                 .open_world = MCP_HINT_TRUE},
};
// clang-format on

static const struct {
    const char *name, *title, *description, *input, *output;
    int hint;
    mcp_tool_fn fn;
} tools[] = {
    {"create_document", "Create document",
     "Creates a Google Docs document with a title and, optionally, initial text (at most " STR(
         GD_MAX_TEXT_CHARS) " characters). Returns its id and URL.",
     schema_create_document_input, schema_create_document_output, CREATE, gd_create_document},
    {"get_document_text", "Get document text",
     "Reads a document as markdown: headings, bulleted and numbered lists (nested), tables, bold, italic and links. "
     "Shows at most max_chars characters (default 50000, at most " STR(
         GD_MAX_MARKDOWN_CHARS) ") and says when it cut. Also gives the revision and the body's end index "
                                "(for insert_text).",
     schema_get_document_text_input, schema_get_document_text_output, RO, gd_get_document_text},
    {"append_text", "Append text",
     "Adds text at the end of a document's body (as a new paragraph unless new_paragraph is false; at most " STR(
         GD_MAX_TEXT_CHARS) " characters). Refused if the document changed between reading its end and writing.",
     schema_append_text_input, schema_append_text_output, EDIT, gd_append_text},
    {"insert_text", "Insert text",
     "Inserts text at an index of the body (1 is the start; indexes count UTF-16 code units, as get_document_text's "
     "end index does; the index must lie inside a paragraph; at most " STR(GD_MAX_TEXT_CHARS) " characters).",
     schema_insert_text_input, schema_insert_text_output, EDIT, gd_insert_text},
    {"replace_all_text", "Replace all text",
     "Replaces every occurrence of a text in the document (case-sensitive unless match_case is false). An empty "
     "replacement deletes the occurrences.",
     schema_replace_all_text_input, schema_replace_all_text_output, DESTROY, gd_replace_all_text},
    {"export_document", "Export document",
     "Exports a document through Google Drive as PDF or DOCX and returns the file as base64 (at "
     "most " GD_MAX_EXPORT_TEXT "; Google itself exports at most 10 MB).",
     schema_export_document_input, schema_export_document_output, RO, gd_export_document},
    {"batch_update", "Batch update",
     "Applies raw Docs batchUpdate requests in order, atomically (all or none): insertText, deleteContentRange, "
     "replaceAllText, updateTextStyle, updateParagraphStyle, createParagraphBullets, insertTable, insertPageBreak (at "
     "most " STR(GD_MAX_REQUESTS) "). Indexes are UTF-16 offsets in the body and shift with each request: "
                                  "order edits from the end backwards.",
     schema_batch_update_input, schema_batch_update_output, DESTROY, gd_batch_update},
};

int gd_register_tools(mcp_server_t *s)
{
    if (gd_api_init() != CM_OK)
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
