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

// clang-format off
enum { RO, CREATE, OVERWRITE, TRASH };
static const mcp_tool_annotations_t hints[] = {
    [RO] = {.read_only = MCP_HINT_TRUE, .destructive = MCP_HINT_FALSE, .idempotent = MCP_HINT_TRUE,
            .open_world = MCP_HINT_TRUE},
    /* each call adds a page or blocks: not idempotent, nothing lost */
    [CREATE] = {.read_only = MCP_HINT_FALSE, .destructive = MCP_HINT_FALSE, .idempotent = MCP_HINT_FALSE,
                .open_world = MCP_HINT_TRUE},
    /* property values are replaced: the old ones are gone, the same call twice changes nothing more */
    [OVERWRITE] = {.read_only = MCP_HINT_FALSE, .destructive = MCP_HINT_TRUE, .idempotent = MCP_HINT_TRUE,
                   .open_world = MCP_HINT_TRUE},
    [TRASH] = {.read_only = MCP_HINT_FALSE, .destructive = MCP_HINT_TRUE, .idempotent = MCP_HINT_TRUE,
               .open_world = MCP_HINT_TRUE},
};
// clang-format on

static const struct {
    const char *name, *title, *description, *input, *output;
    int hint;
    mcp_tool_fn fn;
} tools[] =
    {
        {"search", "Search pages and databases",
         "Searches the pages and databases shared with the integration by title (filter: page or database; sort by "
         "last edit), page_size 1..100 a page; call again with next_cursor as cursor for more.",
         schema_search_input, schema_search_output, RO, nt_search},
        {"get_page", "Get a page",
         "Gets a page's title, parent, URL, times and property values (not its content: see "
         "get_page_content).",
         schema_get_page_input, schema_get_page_output, RO, nt_get_page},
        {"get_page_content", "Get page content",
         "Reads a page's (or block's) content as markdown: headings, paragraphs, lists, to-dos, code, quotes, "
         "callouts, "
         "toggles, tables, dividers; child pages and databases as links. Nested blocks are read down to max_depth "
         "(1.." STR(NT_MAX_DEPTH) ") levels, at most max_blocks blocks (1.." STR(NT_MAX_CONTENT_BLOCKS) ") and " STR(
             NT_MAX_CONTENT_REQUESTS) " requests; what is left out is marked.",
         schema_get_page_content_input, schema_get_page_content_output, RO, nt_get_page_content},
        {"create_page", "Create a page",
         "Creates a page under a page (parent_page_id: only a title) or in a database (database_id: title and "
         "properties, values as Notion shapes; strings allowed for title, rich_text, select, status, date). content is "
         "markdown (headings, lists, to-dos, quotes, code, dividers, **bold**, *italic*, `code`, links), split into "
         "requests of 100 blocks; at most " STR(NT_MAX_BLOCKS) " blocks.",
         schema_create_page_input, schema_create_page_output, CREATE, nt_create_page},
        {"update_page_properties", "Update page properties",
         "Sets property values of a page (values as Notion shapes; strings allowed for title, rich_text, select, "
         "status, date; null clears where Notion allows); properties not named stay as they are.",
         schema_update_page_properties_input, schema_update_page_properties_output, OVERWRITE,
         nt_update_page_properties},
        {"append_blocks", "Append content",
         "Appends markdown content to a page or block, at the end or after a given block, as blocks in order (several "
         "requests of at most 100 blocks when needed; long text split into 2,000-character pieces); at most " STR(
             NT_MAX_BLOCKS) " blocks.",
         schema_append_blocks_input, schema_append_blocks_output, CREATE, nt_append_blocks},
        {"query_database", "Query a database",
         "Lists the pages of a database matching a filter (property conditions by type, timestamp conditions, and/or "
         "nested two levels deep, as Notion accepts them) in the order of sorts; page_size 1..100, cursor for more. "
         "get_database shows the property names and types.",
         schema_query_database_input, schema_query_database_output, RO, nt_query_database},
        {"get_database", "Get a database",
         "Gets a database's title, URL and schema: each property's name and type, and "
         "the options of select, multi-select and status properties.",
         schema_get_database_input, schema_get_database_output, RO, nt_get_database},
        {"archive_page", "Archive a page",
         "Archives a page (moves it to Notion's trash, with its content and sub-pages; it can be restored from there).",
         schema_archive_page_input, schema_archive_page_output, TRASH, nt_archive_page},
};

int notion_register_tools(mcp_server_t *s)
{
    if (notion_api_init() != CM_OK)
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
