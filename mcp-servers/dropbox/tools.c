/*
 * tools.c - the dropbox service's tool table: names, descriptions, annotations and handlers (tools_read.c,
 * tools_download.c, tools_upload.c, tools_write.c). Schemas are schemas/<tool>.{input,output}.json, checked and
 * embedded at build time (schemas.h).
 */
#include "common/status.h"
#include "dropbox.h"
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
    {.name = "list_folder",
     .title = "List a folder",
     .description = "Lists the files and folders in a Dropbox folder (path like /Documents, \"\" for the root, or "
                    "id:...), optionally recursively: path, size, modified date, id and rev, up to limit entries a "
                    "page (next_cursor as cursor for more; with a cursor the other arguments are ignored).",
     .input_schema = schema_list_folder_input,
     .output_schema = schema_list_folder_output,
     .annotations = READ_ONLY,
     .fn = dropbox_list_folder},
    {.name = "search",
     .title = "Search files",
     .description = "Searches the user's Dropbox for files and folders by name and content (filename_only for names "
                    "only), optionally below a folder, active or deleted files, a page at a time (cursor).",
     .input_schema = schema_search_input,
     .output_schema = schema_search_output,
     .annotations = READ_ONLY,
     .fn = dropbox_search},
    {.name = "get_metadata",
     .title = "Get file or folder details",
     .description = "Reads one file's or folder's metadata by path or id: type, size, dates, id, rev, content hash.",
     .input_schema = schema_get_metadata_input,
     .output_schema = schema_get_metadata_output,
     .annotations = READ_ONLY,
     .fn = dropbox_get_metadata},
    {.name = "download",
     .title = "Download a file",
     .description = "Downloads a file's content (by path, id:... or rev:...), up to max_bytes (default 1 MiB, at "
                    "most 10 MiB; a larger file is refused): UTF-8 text as text, anything else base64.",
     .input_schema = schema_download_input,
     .output_schema = schema_download_output,
     .annotations = READ_ONLY,
     .fn = dropbox_download},
    {.name = "upload",
     .title = "Upload a file",
     .description = "Uploads a file to a full path (text, or base64 for binary content; at most 10 MiB, because the "
                    "file travels inside one MCP request, although Dropbox itself takes up to 150 MiB a request). "
                    "mode add (default: an existing file is a conflict unless autorename), overwrite, or update with "
                    "rev. Files above 4 MiB go through an upload session.",
     .input_schema = schema_upload_input,
     .output_schema = schema_upload_output,
     .annotations = WRITE(MCP_HINT_TRUE, MCP_HINT_FALSE),
     .fn = dropbox_upload},
    {.name = "create_folder",
     .title = "Create a folder",
     .description = "Creates a folder at a full path (its parents are created as needed). An existing folder is a "
                    "conflict unless autorename picks a free name.",
     .input_schema = schema_create_folder_input,
     .output_schema = schema_create_folder_output,
     .annotations = WRITE(MCP_HINT_FALSE, MCP_HINT_FALSE),
     .fn = dropbox_create_folder},
    {.name = "move",
     .title = "Move or rename",
     .description = "Moves or renames a file or folder from from_path to to_path (the full new path). An existing "
                    "item at to_path is a conflict unless autorename.",
     .input_schema = schema_move_input,
     .output_schema = schema_move_output,
     .annotations = WRITE(MCP_HINT_FALSE, MCP_HINT_FALSE),
     .fn = dropbox_move},
    {.name = "copy",
     .title = "Copy",
     .description = "Copies a file or folder from from_path to to_path (the full path of the copy). An existing item "
                    "at to_path is a conflict unless autorename.",
     .input_schema = schema_copy_input,
     .output_schema = schema_copy_output,
     .annotations = WRITE(MCP_HINT_FALSE, MCP_HINT_FALSE),
     .fn = dropbox_copy},
    {.name = "delete",
     .title = "Delete",
     .description = "Deletes a file or folder (with its content). Dropbox keeps deleted files restorable for a while.",
     .input_schema = schema_delete_input,
     .output_schema = schema_delete_output,
     .annotations = WRITE(MCP_HINT_TRUE, MCP_HINT_TRUE),
     .fn = dropbox_delete},
    {.name = "create_shared_link",
     .title = "Create a shared link",
     .description = "Creates a shared link to a file or folder, or returns the link it already has. Optional "
                    "settings: audience (public, team, no_one) and an expiry (paid accounts).",
     .input_schema = schema_create_shared_link_input,
     .output_schema = schema_create_shared_link_output,
     .annotations = WRITE(MCP_HINT_FALSE, MCP_HINT_TRUE),
     .fn = dropbox_create_shared_link},
};

int dropbox_register_tools(mcp_server_t *s)
{
    if (dropbox_api_init() != CM_OK)
        return CM_EINVAL;
    return mcp_server_add_tools(s, tools, sizeof(tools) / sizeof(tools[0]));
}
