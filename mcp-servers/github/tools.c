/*
 * tools.c - the github service's tool table: names, descriptions, annotations and handlers (tools_repos.c,
 * tools_issues.c). Schemas are schemas/<tool>.{input,output}.json, checked and embedded at build time (schemas.h).
 */
#include "common/status.h"
#include "gh.h"
#include "mcp/server.h"
#include "schemas.h"
#include "tools.h"

#define READ_ONLY                                                                                                      \
    {                                                                                                                  \
        .read_only = MCP_HINT_TRUE, .open_world = MCP_HINT_TRUE                                                        \
    }
#define ADDS                                                                                                           \
    {                                                                                                                  \
        .read_only = MCP_HINT_FALSE, .destructive = MCP_HINT_FALSE, .idempotent = MCP_HINT_FALSE,                      \
        .open_world = MCP_HINT_TRUE                                                                                    \
    }

static const mcp_tool_def_t tools[] = {
    {.name = "get_authenticated_user",
     .title = "Who am I",
     .description = "The GitHub account this instance is authorized as: login, name, profile URL.",
     .output_schema = schema_get_authenticated_user_output,
     .annotations = READ_ONLY,
     .fn = gh_get_authenticated_user},
    {.name = "list_repositories",
     .title = "List repositories",
     .description = "Lists repositories the user can access (owned, collaborator, organization member).",
     .input_schema = schema_list_repositories_input,
     .output_schema = schema_list_repositories_output,
     .annotations = READ_ONLY,
     .fn = gh_list_repositories},
    {.name = "list_issues",
     .title = "List issues",
     .description = "Lists issues of a repository. GitHub counts pull requests as issues: they are left out unless "
                    "include_pull_requests is true (then marked [PR]).",
     .input_schema = schema_list_issues_input,
     .output_schema = schema_list_issues_output,
     .annotations = READ_ONLY,
     .fn = gh_list_issues},
    {.name = "get_issue",
     .title = "Read an issue",
     .description = "Reads one issue (or pull request) with its description, labels and assignees.",
     .input_schema = schema_get_issue_input,
     .output_schema = schema_get_issue_output,
     .annotations = READ_ONLY,
     .fn = gh_get_issue},
    {.name = "create_issue",
     .title = "Create an issue",
     .description = "Opens a new issue. Labels and assignees need push access to the repository.",
     .input_schema = schema_create_issue_input,
     .annotations = ADDS,
     .fn = gh_create_issue},
    {.name = "comment_on_issue",
     .title = "Comment on an issue",
     .description = "Adds a comment to an issue or pull request.",
     .input_schema = schema_comment_on_issue_input,
     .annotations = ADDS,
     .fn = gh_comment_on_issue},
    {.name = "list_pull_requests",
     .title = "List pull requests",
     .description = "Lists pull requests of a repository with their branches.",
     .input_schema = schema_list_pull_requests_input,
     .output_schema = schema_list_pull_requests_output,
     .annotations = READ_ONLY,
     .fn = gh_list_pull_requests},
    {.name = "get_file_contents",
     .title = "Read a file or directory",
     .description = "Reads a file of a repository (text; binary files and files over 1 MB are described, not shown) "
                    "or lists a directory.",
     .input_schema = schema_get_file_contents_input,
     .output_schema = schema_get_file_contents_output,
     .annotations = READ_ONLY,
     .fn = gh_get_file_contents},
    {.name = "search_code",
     .title = "Search code",
     .description = "Searches code with GitHub search syntax, e.g. 'addClass repo:jquery/jquery language:js'.",
     .input_schema = schema_search_code_input,
     .output_schema = schema_search_code_output,
     .annotations = READ_ONLY,
     .fn = gh_search_code},
};

int gh_register_tools(mcp_server_t *s)
{
    if (gh_init() != CM_OK)
        return CM_EINVAL;
    return mcp_server_add_tools(s, tools, sizeof(tools) / sizeof(tools[0]));
}
