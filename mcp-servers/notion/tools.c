/*
 * tools.c - the notion service's tool table: names, descriptions, behaviour annotations and handlers. The schemas
 * are schemas/<tool>.input.json and schemas/<tool>.output.json, checked and embedded at build time (schemas.h); the
 * limits they repeat are the NT_* of notion.h and notion_md.h.
 */
#include "common/status.h"
#include "notion.h"
#include "schemas.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* annotation sets: reads; creating (each call adds: not idempotent, nothing lost); overwriting property values
 * (the old values are gone, the same call twice changes nothing more); moving to the trash */
#define HINTS(r, d, i)                                                                                                 \
    {                                                                                                                  \
        .read_only = r, .destructive = d, .idempotent = i, .open_world = MCP_HINT_TRUE                                 \
    }
#define RO HINTS(MCP_HINT_TRUE, MCP_HINT_FALSE, MCP_HINT_TRUE)
#define CREATE HINTS(MCP_HINT_FALSE, MCP_HINT_FALSE, MCP_HINT_FALSE)
#define OVERWRITE HINTS(MCP_HINT_FALSE, MCP_HINT_TRUE, MCP_HINT_TRUE)
#define TRASH HINTS(MCP_HINT_FALSE, MCP_HINT_TRUE, MCP_HINT_TRUE)

static const mcp_tool_def_t tools[] = {
    {.name = "search",
     .title = "Search pages and databases",
     .description =
         "Searches the pages and databases shared with the integration by title (filter: page or database; sort by "
         "last edit), page_size 1..100 a page; call again with next_cursor as cursor for more.",
     .input_schema = schema_search_input,
     .output_schema = schema_search_output,
     .annotations = RO,
     .fn = nt_search},
    {.name = "get_page",
     .title = "Get a page",
     .description = "Gets a page's title, parent, URL, times and property values (not its content: see "
                    "get_page_content).",
     .input_schema = schema_get_page_input,
     .output_schema = schema_get_page_output,
     .annotations = RO,
     .fn = nt_get_page},
    {.name = "get_page_content",
     .title = "Get page content",
     .description =
         "Reads a page's (or block's) content as markdown: headings, paragraphs, lists, to-dos, code, quotes, "
         "callouts, "
         "toggles, tables, dividers; child pages and databases as links. Nested blocks are read down to max_depth "
         "(1.." STR(NT_MAX_DEPTH) ") levels, at most max_blocks blocks (1.." STR(NT_MAX_CONTENT_BLOCKS) ") and " STR(
             NT_MAX_CONTENT_REQUESTS) " requests; what is left out is marked.",
     .input_schema = schema_get_page_content_input,
     .output_schema = schema_get_page_content_output,
     .annotations = RO,
     .fn = nt_get_page_content},
    {.name = "create_page",
     .title = "Create a page",
     .description =
         "Creates a page under a page (parent_page_id: only a title) or in a database (database_id: title and "
         "properties, values as Notion shapes; strings allowed for title, rich_text, select, status, date). content is "
         "markdown (headings, lists, to-dos, quotes, code, dividers, **bold**, *italic*, `code`, links), split into "
         "requests of 100 blocks; at most " STR(NT_MAX_BLOCKS) " blocks.",
     .input_schema = schema_create_page_input,
     .output_schema = schema_create_page_output,
     .annotations = CREATE,
     .fn = nt_create_page},
    {.name = "update_page_properties",
     .title = "Update page properties",
     .description =
         "Sets property values of a page (values as Notion shapes; strings allowed for title, rich_text, select, "
         "status, date; null clears where Notion allows); properties not named stay as they are.",
     .input_schema = schema_update_page_properties_input,
     .output_schema = schema_update_page_properties_output,
     .annotations = OVERWRITE,
     .fn = nt_update_page_properties},
    {.name = "append_blocks",
     .title = "Append content",
     .description =
         "Appends markdown content to a page or block, at the end or after a given block, as blocks in order (several "
         "requests of at most 100 blocks when needed; long text split into 2,000-character pieces); at most " STR(
             NT_MAX_BLOCKS) " blocks.",
     .input_schema = schema_append_blocks_input,
     .output_schema = schema_append_blocks_output,
     .annotations = CREATE,
     .fn = nt_append_blocks},
    {.name = "query_database",
     .title = "Query a database",
     .description =
         "Lists the pages of a database matching a filter (property conditions by type, timestamp conditions, and/or "
         "nested two levels deep, as Notion accepts them) in the order of sorts; page_size 1..100, cursor for more. "
         "get_database shows the property names and types.",
     .input_schema = schema_query_database_input,
     .output_schema = schema_query_database_output,
     .annotations = RO,
     .fn = nt_query_database},
    {.name = "get_database",
     .title = "Get a database",
     .description = "Gets a database's title, URL and schema: each property's name and type, and "
                    "the options of select, multi-select and status properties.",
     .input_schema = schema_get_database_input,
     .output_schema = schema_get_database_output,
     .annotations = RO,
     .fn = nt_get_database},
    {.name = "archive_page",
     .title = "Archive a page",
     .description =
         "Archives a page (moves it to Notion's trash, with its content and sub-pages; it can be restored from there).",
     .input_schema = schema_archive_page_input,
     .output_schema = schema_archive_page_output,
     .annotations = TRASH,
     .fn = nt_archive_page},
};

int notion_register_tools(mcp_server_t *s)
{
    if (notion_api_init() != CM_OK)
        return CM_EINVAL;
    return mcp_server_add_tools(s, tools, sizeof(tools) / sizeof(tools[0]));
}
