/*
 * mcp-github - the GitHub REST API (provider github): the tool table. Handlers are in tools_repos.c and
 * tools_issues.c, REST helpers and error texts in gh.c. Env GITHUB_API_BASE overrides the API base (tests).
 */
#include "common/status.h"
#include "gh.h"
#include "mcp/server.h"
#include "tools.h"

#define REPO                                                                                                           \
    "\"repo\":{\"type\":\"string\",\"minLength\":3,\"maxLength\":201,\"pattern\":\"^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$\"," \
    "\"description\":\"owner/name, e.g. octocat/Hello-World\"}"
#define NUMBER                                                                                                         \
    "\"number\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":100000000,\"description\":\"issue or PR number\"}"
#define PAGING(max, def)                                                                                               \
    "\"per_page\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":" #max ",\"default\":" #def "},"                     \
    "\"page\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1000,\"default\":1,\"description\":\"next_page of a "    \
    "previous result\"}"
#define DIRECTION "\"direction\":{\"type\":\"string\",\"enum\":[\"asc\",\"desc\"]}"
#define STATE "\"state\":{\"type\":\"string\",\"enum\":[\"open\",\"closed\",\"all\"],\"default\":\"open\"}"
#define NAMES(max)                                                                                                     \
    "{\"type\":\"array\",\"maxItems\":" #max ",\"items\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":100}}"
#define OBJ_OUT(list)                                                                                                  \
    "{\"type\":\"object\",\"properties\":{\"" list "\":{\"type\":\"array\"},\"next_page\":{\"type\":\"integer\"}},"    \
    "\"required\":[\"" list "\"]}"
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
     .output_schema = "{\"type\":\"object\",\"properties\":{\"login\":{\"type\":\"string\"}},\"required\":[\"login\"]}",
     .annotations = READ_ONLY,
     .fn = gh_get_authenticated_user},
    {.name = "list_repositories",
     .title = "List repositories",
     .description = "Lists repositories the user can access (owned, collaborator, organization member).",
     .input_schema = "{\"type\":\"object\",\"properties\":{"
                     "\"type\":{\"type\":\"string\",\"enum\":[\"all\",\"owner\",\"public\",\"private\",\"member\"],"
                     "\"default\":\"all\"},"
                     "\"sort\":{\"type\":\"string\",\"enum\":[\"created\",\"updated\",\"pushed\",\"full_name\"],"
                     "\"default\":\"updated\"}," DIRECTION "," PAGING(100, 30) "},\"additionalProperties\":false}",
     .output_schema = OBJ_OUT("repositories"),
     .annotations = READ_ONLY,
     .fn = gh_list_repositories},
    {.name = "list_issues",
     .title = "List issues",
     .description = "Lists issues of a repository. GitHub counts pull requests as issues: they are left out unless "
                    "include_pull_requests is true (then marked [PR]).",
     .input_schema =
         "{\"type\":\"object\",\"properties\":{" REPO "," STATE ","
         "\"labels\":" NAMES(20) ","
                                 "\"sort\":{\"type\":\"string\",\"enum\":[\"created\",\"updated\",\"comments\"],"
                                 "\"default\":\"created\"}," DIRECTION ","
                                 "\"include_pull_requests\":{\"type\":\"boolean\",\"default\":false}," PAGING(
                                     100, 30) "},\"required\":[\"repo\"],\"additionalProperties\":false}",
     .output_schema = OBJ_OUT("issues"),
     .annotations = READ_ONLY,
     .fn = gh_list_issues},
    {.name = "get_issue",
     .title = "Read an issue",
     .description = "Reads one issue (or pull request) with its description, labels and assignees.",
     .input_schema = "{\"type\":\"object\",\"properties\":{" REPO "," NUMBER "},"
                     "\"required\":[\"repo\",\"number\"],\"additionalProperties\":false}",
     .output_schema = "{\"type\":\"object\",\"properties\":{\"number\":{\"type\":\"integer\"},\"body\":{\"type\":"
                      "\"string\"}},\"required\":[\"number\"]}",
     .annotations = READ_ONLY,
     .fn = gh_get_issue},
    {.name = "create_issue",
     .title = "Create an issue",
     .description = "Opens a new issue. Labels and assignees need push access to the repository.",
     .input_schema = "{\"type\":\"object\",\"properties\":{" REPO ","
                     "\"title\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":256},"
                     "\"body\":{\"type\":\"string\",\"maxLength\":65536},"
                     "\"labels\":" NAMES(20) ",\"assignees\":" NAMES(
                         10) "},"
                             "\"required\":[\"repo\",\"title\"],\"additionalProperties\":false}",
     .annotations = ADDS,
     .fn = gh_create_issue},
    {.name = "comment_on_issue",
     .title = "Comment on an issue",
     .description = "Adds a comment to an issue or pull request.",
     .input_schema = "{\"type\":\"object\",\"properties\":{" REPO "," NUMBER ","
                     "\"body\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":65536}},"
                     "\"required\":[\"repo\",\"number\",\"body\"],\"additionalProperties\":false}",
     .annotations = ADDS,
     .fn = gh_comment_on_issue},
    {.name = "list_pull_requests",
     .title = "List pull requests",
     .description = "Lists pull requests of a repository with their branches.",
     .input_schema = "{\"type\":\"object\",\"properties\":{" REPO "," STATE ","
                     "\"base\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":255,\"description\":\"only PRs "
                     "into this branch\"},"
                     "\"sort\":{\"type\":\"string\",\"enum\":[\"created\",\"updated\",\"popularity\","
                     "\"long-running\"],\"default\":\"created\"}," DIRECTION
                     "," PAGING(100, 30) "},\"required\":[\"repo\"],\"additionalProperties\":false}",
     .output_schema = OBJ_OUT("pull_requests"),
     .annotations = READ_ONLY,
     .fn = gh_list_pull_requests},
    {.name = "get_file_contents",
     .title = "Read a file or directory",
     .description = "Reads a file of a repository (text; binary files and files over 1 MB are described, not shown) "
                    "or lists a directory.",
     .input_schema = "{\"type\":\"object\",\"properties\":{" REPO ","
                     "\"path\":{\"type\":\"string\",\"maxLength\":1024,\"default\":\"\",\"description\":\"file or "
                     "directory path; empty = repository root\"},"
                     "\"ref\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":255,\"description\":\"branch, tag or "
                     "commit; default branch when absent\"},"
                     "\"max_chars\":{\"type\":\"integer\",\"minimum\":100,\"maximum\":500000,\"default\":50000}},"
                     "\"required\":[\"repo\"],\"additionalProperties\":false}",
     .output_schema = "{\"type\":\"object\",\"properties\":{\"type\":{\"type\":\"string\"}},\"required\":[\"type\"]}",
     .annotations = READ_ONLY,
     .fn = gh_get_file_contents},
    {.name = "search_code",
     .title = "Search code",
     .description = "Searches code with GitHub search syntax, e.g. 'addClass repo:jquery/jquery language:js'.",
     .input_schema = "{\"type\":\"object\",\"properties\":{"
                     "\"q\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":256}," PAGING(
                         100, 20) "},\"required\":[\"q\"],\"additionalProperties\":false}",
     .output_schema = OBJ_OUT("items"),
     .annotations = READ_ONLY,
     .fn = gh_search_code},
};

static int register_tools(mcp_server_t *s)
{
    if (gh_init() != CM_OK)
        return CM_EINVAL;
    return mcp_server_add_tools(s, tools, sizeof(tools) / sizeof(tools[0]));
}

int main(void)
{
    return mcp_server_main("github", "1.0.0", register_tools);
}
