/*
 * features_server.c - registering prompts, resources and resource templates with a service (mcp/features.h):
 * the registries live in the dispatcher, pages follow the service's page_size.
 */
#include "common/log.h"
#include "common/status.h"
#include "features/features_internal.h"
#include "transport/server_internal.h"

int mcp_server_add_prompt(mcp_server_t *s, const mcp_prompt_def_t *def)
{
    char err[256];
    mcp_prompts_t *r = mcp_protocol_prompts(s->proto);
    mcp__prompts_set_page_size(r, s->opts.page_size);
    int rc = mcp_prompts_add(r, def, err, sizeof(err));
    if (rc != CM_OK)
        cm_error(s->name, "prompt not registered: %s", err);
    return rc;
}

int mcp_server_add_resource(mcp_server_t *s, const mcp_resource_def_t *def)
{
    char err[256];
    mcp_resources_t *r = mcp_protocol_resources(s->proto);
    mcp__resources_set_page_size(r, s->opts.page_size);
    int rc = mcp_resources_add(r, def, err, sizeof(err));
    if (rc != CM_OK)
        cm_error(s->name, "resource not registered: %s", err);
    return rc;
}

int mcp_server_add_resource_template(mcp_server_t *s, const mcp_resource_template_def_t *def)
{
    char err[256];
    mcp_resources_t *r = mcp_protocol_resources(s->proto);
    mcp__resources_set_page_size(r, s->opts.page_size);
    int rc = mcp_resources_add_template(r, def, err, sizeof(err));
    if (rc != CM_OK)
        cm_error(s->name, "resource template not registered: %s", err);
    return rc;
}
