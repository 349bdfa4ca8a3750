/*
 * tools.c - the onedrive service's tool table: names, descriptions, annotations and handlers (tools_read.c,
 * tools_download.c, tools_upload.c, tools_write.c, tools_copy.c). Schemas are schemas/<tool>.{input,output}.json,
 * checked and embedded at build time (schemas.h).
 */
#include "common/status.h"
#include "onedrive.h"
#include "schemas.h"

#define READ_ONLY                                                                                                      \
    {                                                                                                                  \
        .read_only = MCP_HINT_TRUE, .open_world = MCP_HINT_TRUE                                                        \
    }
#define WRITE(destructive_, idempotent_)                                                                               \
    {                                                                                                                  \
        .read_only = MCP_HINT_FALSE, .destructive = destructive_, .idempotent = idempotent_,                           \
        .open_world = MCP_HINT_TRUE                                                                                    \
    }

static const mcp_tool_def_t tools[] = {
    {.name = "list_children",
     .title = "List a folder",
     .description = "Lists the files and folders in a OneDrive folder (by item_id or by path from the drive root; "
                    "the root when neither): name, size, type, modified date and id, a page at a time (cursor).",
     .input_schema = schema_list_children_input,
     .output_schema = schema_list_children_output,
     .annotations = READ_ONLY,
     .fn = onedrive_list_children},
    {.name = "search",
     .title = "Search files",
     .description = "Searches the user's OneDrive for files and folders whose name or content matches the query.",
     .input_schema = schema_search_input,
     .output_schema = schema_search_output,
     .annotations = READ_ONLY,
     .fn = onedrive_search},
    {.name = "get_item",
     .title = "Get file or folder details",
     .description = "Reads one item's metadata (by item_id or path): size, type, dates, authors, web URL, folder.",
     .input_schema = schema_get_item_input,
     .output_schema = schema_get_item_output,
     .annotations = READ_ONLY,
     .fn = onedrive_get_item},
    {.name = "download",
     .title = "Download a file",
     .description = "Downloads a file's content (by item_id or path), up to max_bytes (default 1 MiB, at most 10 "
                    "MiB; larger files are refused before downloading): UTF-8 text as text, anything else base64.",
     .input_schema = schema_download_input,
     .output_schema = schema_download_output,
     .annotations = READ_ONLY,
     .fn = onedrive_download},
    {.name = "upload",
     .title = "Upload a file",
     .description = "Uploads a file (text, or base64 for binary content; at most 10 MiB) into a folder (parent_id or "
                    "parent_path; the root when neither). An existing name fails unless conflict_behavior is "
                    "replace or rename. Files above 4 MiB go through an upload session.",
     .input_schema = schema_upload_input,
     .output_schema = schema_upload_output,
     .annotations = WRITE(MCP_HINT_TRUE, MCP_HINT_FALSE),
     .fn = onedrive_upload},
    {.name = "create_folder",
     .title = "Create a folder",
     .description = "Creates a folder in a parent folder (parent_id or parent_path; the root when neither). An "
                    "existing name fails unless conflict_behavior is rename or replace.",
     .input_schema = schema_create_folder_input,
     .output_schema = schema_create_folder_output,
     .annotations = WRITE(MCP_HINT_FALSE, MCP_HINT_FALSE),
     .fn = onedrive_create_folder},
    {.name = "move_or_rename",
     .title = "Move or rename an item",
     .description = "Renames an item (new_name), moves it to another folder (new_parent_id), or both.",
     .input_schema = schema_move_or_rename_input,
     .output_schema = schema_move_or_rename_output,
     .annotations = WRITE(MCP_HINT_FALSE, MCP_HINT_TRUE),
     .fn = onedrive_move_or_rename},
    {.name = "copy",
     .title = "Copy an item",
     .description = "Copies a file or folder into another folder and/or under a new name, waits for OneDrive to "
                    "finish (up to about 25 seconds) and returns the new item's id.",
     .input_schema = schema_copy_input,
     .output_schema = schema_copy_output,
     .annotations = WRITE(MCP_HINT_FALSE, MCP_HINT_FALSE),
     .fn = onedrive_copy},
    {.name = "delete",
     .title = "Delete an item",
     .description = "Deletes a file or folder (with its content); it goes to the OneDrive recycle bin.",
     .input_schema = schema_delete_input,
     .output_schema = schema_delete_output,
     .annotations = WRITE(MCP_HINT_TRUE, MCP_HINT_TRUE),
     .fn = onedrive_delete},
    {.name = "create_share_link",
     .title = "Create a sharing link",
     .description = "Creates (or returns the existing) sharing link of an item: type view or edit, scope anonymous "
                    "(anyone with the link) or organization (work accounts only), optional expiration.",
     .input_schema = schema_create_share_link_input,
     .output_schema = schema_create_share_link_output,
     .annotations = WRITE(MCP_HINT_FALSE, MCP_HINT_TRUE),
     .fn = onedrive_create_share_link},
};

int onedrive_register_tools(mcp_server_t *s)
{
    if (msgraph_init("onedrive") != CM_OK)
        return CM_EINVAL;
    return mcp_server_add_tools(s, tools, sizeof(tools) / sizeof(tools[0]));
}
