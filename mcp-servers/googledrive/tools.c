/*
 * tools.c - the tool table of the Google Drive service: names, descriptions, behaviour annotations and handlers. The
 * input and output schemas (defaults, limits, additionalProperties false) are schemas/<tool>.{input,output}.json,
 * checked and embedded at build time (schemas.h); their size limits are the GD_* of googledrive.h.
 */
#include "common/status.h"
#include "googledrive.h"
#include "schemas.h"

/* behaviour hints: read-only, destructive, idempotent, open world */
#define RO MCP_HINTS(1, 0, 1, 1)
#define CREATE MCP_HINTS(0, 0, 0, 1)
#define WRITE_IDEM MCP_HINTS(0, 0, 1, 1)
#define DESTROY_IDEM MCP_HINTS(0, 1, 1, 1)
/* sharing gives other people access and may email them: not idempotent (a second call may notify again) */
#define SHARE MCP_HINTS(0, 0, 0, 1)

static const mcp_tool_def_t tools[] = {
    {"search_files", "Search files",
     "Searches Drive files with Drive query syntax (q, e.g. \"name contains 'report' and mimeType = "
     "'application/pdf'\") and/or simple helpers (name_contains, mime_type, modified_after, in_folder), combined with "
     "and. Trashed files are left out unless include_trashed. page_size 1..1000; cursor for the next page.",
     schema_search_files_input, schema_search_files_output, RO, gd_search_files},
    {"list_folder", "List folder",
     "Lists the files and folders directly inside a folder (folder_id, default root = My Drive), folders first. "
     "cursor for the next page.",
     schema_list_folder_input, schema_list_folder_output, RO, gd_list_folder},
    {"get_file_metadata", "Get file metadata",
     "Gets one file's metadata: name, type, size, dates, parents, owners, sharing, checksum and link.",
     schema_get_file_metadata_input, schema_get_file_metadata_output, RO, gd_get_file_metadata},
    {"read_file", "Read file",
     "Reads a file's content. Google Docs are exported as markdown (or text), Sheets as CSV (first sheet), Slides as "
     "text (Google's export limit: 10 MB). Other files of at most " GD_MAX_READ_TEXT " are returned as text when "
     "they are text, else as base64 in structuredContent.content_base64; larger files are refused. Text is cut at "
     "max_chars characters.",
     schema_read_file_input, schema_read_file_output, RO, gd_read_file},
    {"upload_file", "Upload file",
     "Creates a file from content_text (UTF-8) or content_base64 (at most " GD_MAX_UPLOAD_TEXT
     " decoded), optionally in a folder. Up to 5 MiB in one request, larger files by Google's resumable upload.",
     schema_upload_file_input, schema_upload_file_output, CREATE, gd_upload_file},
    {"create_folder", "Create folder", "Creates a folder, in My Drive or inside parent_id.", schema_create_folder_input,
     schema_create_folder_output, CREATE, gd_create_folder},
    {"move_file", "Move file",
     "Moves a file or folder into another folder (removed from its current folder, or from from_folder_id).",
     schema_move_file_input, schema_move_file_output, WRITE_IDEM, gd_move_file},
    {"copy_file", "Copy file",
     "Copies a file (not a folder), optionally with a new name and into another folder; returns the copy.",
     schema_copy_file_input, schema_copy_file_output, CREATE, gd_copy_file},
    {"rename_file", "Rename file", "Renames a file or folder.", schema_rename_file_input, schema_rename_file_output,
     WRITE_IDEM, gd_rename_file},
    {"trash_file", "Move to trash",
     "Moves a file or folder to the trash (restorable from Drive's trash for 30 days; a trashed folder takes its "
     "content with it).",
     schema_trash_file_input, schema_trash_file_output, DESTROY_IDEM, gd_trash_file},
    {"share_file", "Share file",
     "Gives a user, group, domain or anyone (with the link) a role on a file: reader, commenter, writer, "
     "fileOrganizer or organizer (the last two on shared drives). Users and groups get a notification email unless "
     "send_notification_email is false. Ownership transfer is not offered.",
     schema_share_file_input, schema_share_file_output, SHARE, gd_share_file},
    {"list_permissions", "List permissions", "Lists who has access to a file and with which role.",
     schema_list_permissions_input, schema_list_permissions_output, RO, gd_list_permissions},
    {"get_storage_quota", "Get storage quota",
     "Shows the account and its storage: limit (none for unlimited), total usage, Drive files and trash.", NULL,
     schema_get_storage_quota_output, RO, gd_get_storage_quota},
};

int gd_register_tools(mcp_server_t *s)
{
    if (gd_api_init() != CM_OK)
        return CM_EINVAL;
    return mcp_server_add_tools(s, tools, sizeof(tools) / sizeof(tools[0]));
}
