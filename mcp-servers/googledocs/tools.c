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

/* behaviour hints: read-only, destructive, idempotent, open world */
#define RO MCP_HINTS(1, 0, 1, 1)
/* a second call makes a second document; adds text, removes none (twice = the text twice) */
#define CREATE MCP_HINTS(0, 0, 0, 1)
#define EDIT CREATE
/* replaces or deletes existing content */
#define DESTROY MCP_HINTS(0, 1, 0, 1)

#define TOOL(name_, title_, description_, hints_, fn_)                                                                 \
    {                                                                                                                  \
        .name = #name_, .title = title_, .description = description_, .input_schema = schema_##name_##_input,          \
        .output_schema = schema_##name_##_output, .annotations = hints_, .fn = fn_                                     \
    }

static const mcp_tool_def_t tools[] = {
    TOOL(create_document, "Create document",
         "Creates a Google Docs document with a title and, optionally, initial text (at most " STR(
             GD_MAX_TEXT_CHARS) " characters). Returns its id and URL.",
         CREATE, gd_create_document),
    TOOL(
        get_document_text, "Get document text",
        "Reads a document as markdown: headings, bulleted and numbered lists (nested), tables, bold, italic and links. "
        "Shows at most max_chars characters (default 50000, at most " STR(
            GD_MAX_MARKDOWN_CHARS) ") and says when it cut. Also gives the revision and the body's end index "
                                   "(for insert_text).",
        RO, gd_get_document_text),
    TOOL(append_text, "Append text",
         "Adds text at the end of a document's body (as a new paragraph unless new_paragraph is false; at most " STR(
             GD_MAX_TEXT_CHARS) " characters). Refused if the document changed between reading its end and writing.",
         EDIT, gd_append_text),
    TOOL(
        insert_text, "Insert text",
        "Inserts text at an index of the body (1 is the start; indexes count UTF-16 code units, as get_document_text's "
        "end index does; the index must lie inside a paragraph; at most " STR(GD_MAX_TEXT_CHARS) " characters).",
        EDIT, gd_insert_text),
    TOOL(replace_all_text, "Replace all text",
         "Replaces every occurrence of a text in the document (case-sensitive unless match_case is false). An empty "
         "replacement deletes the occurrences.",
         DESTROY, gd_replace_all_text),
    TOOL(export_document, "Export document",
         "Exports a document through Google Drive as PDF or DOCX and returns the file as base64 (at "
         "most " GD_MAX_EXPORT_TEXT "; Google itself exports at most 10 MB).",
         RO, gd_export_document),
    TOOL(batch_update, "Batch update",
         "Applies raw Docs batchUpdate requests in order, atomically (all or none): insertText, deleteContentRange, "
         "replaceAllText, updateTextStyle, updateParagraphStyle, createParagraphBullets, insertTable, insertPageBreak "
         "(at most " STR(
             GD_MAX_REQUESTS) "). Indexes are UTF-16 offsets in the body and shift with each request: "
                              "order edits from the end backwards. The whole call is at most 2.1 MB of JSON.",
         DESTROY, gd_batch_update),
};

int gd_register_tools(mcp_server_t *s)
{
    if (gd_api_init() != CM_OK)
        return CM_EINVAL;
    return mcp_server_add_tools(s, tools, sizeof(tools) / sizeof(tools[0]));
}
