/*
 * version.c - the protocol revisions of both eras (see protocol/version.h).
 */
#include "protocol/version.h"

#include <string.h>

static const char *const legacy_versions[] = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};
static const char *const modern_versions[] = {MCP_MODERN_VERSION};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int mcp_protocol_legacy_supported(const char *v)
{
    for (size_t i = 0; v != NULL && i < COUNT(legacy_versions); i++)
        if (strcmp(v, legacy_versions[i]) == 0)
            return 1;
    return 0;
}

int mcp_protocol_modern_supported(const char *v)
{
    for (size_t i = 0; v != NULL && i < COUNT(modern_versions); i++)
        if (strcmp(v, modern_versions[i]) == 0)
            return 1;
    return 0;
}

json_t *mcp_protocol_versions(mcp_era_t era)
{
    json_t *a = json_array();
    if (era == MCP_ERA_MODERN)
        for (size_t i = 0; i < COUNT(modern_versions); i++)
            json_array_append_new(a, json_string(modern_versions[i]));
    else
        for (size_t i = 0; i < COUNT(legacy_versions); i++)
            json_array_append_new(a, json_string(legacy_versions[i]));
    return a;
}
