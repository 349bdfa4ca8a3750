/*
 * tools.h - the github service's tool handlers (tools_repos.c, tools_issues.c); the table is in tools.c.
 */
#ifndef GITHUB_TOOLS_H
#define GITHUB_TOOLS_H

#include "common/url.h"
#include "mcp/server.h"
#include "mcp/tools.h"

void gh_get_authenticated_user(mcp_call_t *c, json_t *args, void *data);
void gh_list_repositories(mcp_call_t *c, json_t *args, void *data);
void gh_get_file_contents(mcp_call_t *c, json_t *args, void *data);
void gh_search_code(mcp_call_t *c, json_t *args, void *data);
void gh_list_issues(mcp_call_t *c, json_t *args, void *data);
void gh_get_issue(mcp_call_t *c, json_t *args, void *data);
void gh_create_issue(mcp_call_t *c, json_t *args, void *data);
void gh_comment_on_issue(mcp_call_t *c, json_t *args, void *data);
void gh_list_pull_requests(mcp_call_t *c, json_t *args, void *data);

/* Checks the configuration (API base) and registers the tool table. CM_OK or an error (logged). */
int gh_register_tools(mcp_server_t *s);

#endif
