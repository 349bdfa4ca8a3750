/*
 * completion.c - completion/complete over the prompt and resource registries (see features/completion.h).
 */
#include "features/completion.h"
#include "common/status.h"
#include "features/features_internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

int mcp_completions_available(const mcp_prompts_t *prompts, const mcp_resources_t *resources)
{
    return mcp__prompts_have_completers(prompts) || mcp__resources_have_completers(resources);
}

/* Appends the candidates of src that start with value (ASCII case-insensitive, no duplicates) to values. */
static void filter_into(json_t *values, json_t *src, const char *value, size_t *total)
{
    size_t vlen = strlen(value), i;
    json_t *v;
    json_array_foreach(src, i, v)
    {
        const char *s = json_string_value(v);
        if (s == NULL || strncasecmp(s, value, vlen) != 0)
            continue;
        int dup = 0;
        for (size_t k = 0; k < json_array_size(values) && !dup; k++)
            dup = strcmp(json_string_value(json_array_get(values, k)), s) == 0;
        if (dup)
            continue;
        (*total)++;
        if (json_array_size(values) < MCP_COMPLETION_MAX_VALUES)
            json_array_append(values, v);
    }
}

/* Checks params: ref {type, name|uri}, argument {name, value}, context.arguments (optional object). */
static int read_params(json_t *params, const char **type, const char **target, const char **arg, const char **value,
                       json_t **context, char *msg, size_t msgsz)
{
    json_t *ref = json_object_get(params, "ref"), *argument = json_object_get(params, "argument");
    *type = json_string_value(json_object_get(ref, "type"));
    if (!json_is_object(ref) || *type == NULL) {
        snprintf(msg, msgsz, "completion/complete needs params.ref with a type");
        return -1;
    }
    if (strcmp(*type, "ref/prompt") == 0)
        *target = json_string_value(json_object_get(ref, "name"));
    else if (strcmp(*type, "ref/resource") == 0)
        *target = json_string_value(json_object_get(ref, "uri"));
    else {
        snprintf(msg, msgsz, "params.ref.type must be ref/prompt or ref/resource");
        return -1;
    }
    if (*target == NULL) {
        snprintf(msg, msgsz, "params.ref needs %s", strcmp(*type, "ref/prompt") == 0 ? "name" : "uri");
        return -1;
    }
    *arg = json_string_value(json_object_get(argument, "name"));
    *value = json_string_value(json_object_get(argument, "value"));
    if (!json_is_object(argument) || *arg == NULL || *value == NULL) {
        snprintf(msg, msgsz, "completion/complete needs params.argument with string name and value");
        return -1;
    }
    if (strlen(*value) > MCP_COMPLETION_MAX_INPUT) {
        snprintf(msg, msgsz, "params.argument.value is longer than %d bytes", MCP_COMPLETION_MAX_INPUT);
        return -1;
    }
    json_t *ctx = json_object_get(params, "context");
    *context = json_object_get(ctx, "arguments");
    if ((ctx != NULL && !json_is_object(ctx)) || (*context != NULL && !json_is_object(*context))) {
        snprintf(msg, msgsz, "params.context.arguments must be an object");
        return -1;
    }
    return 0;
}

int mcp_completion_complete(mcp_prompts_t *prompts, mcp_resources_t *resources, json_t *params, json_t **result,
                            char *msg, size_t msgsz)
{
    const char *type, *target, *arg, *value;
    json_t *context;
    int found = 0, declared = 0;
    *result = NULL;
    if (!json_is_object(params)) {
        snprintf(msg, msgsz, "completion/complete needs params");
        return -32602;
    }
    if (read_params(params, &type, &target, &arg, &value, &context, msg, msgsz) != 0)
        return -32602;
    int is_prompt = strcmp(type, "ref/prompt") == 0;
    const mcp__completer_t *c = is_prompt ? mcp__prompts_completer(prompts, target, arg, &found, &declared)
                                          : mcp__resources_completer(resources, target, arg, &found, &declared);
    if (!found) {
        snprintf(msg, msgsz, is_prompt ? "Unknown prompt: %.150s" : "Unknown resource template: %.150s", target);
        return -32602;
    }
    if (!declared) {
        snprintf(msg, msgsz, "%s %.100s has no %s %.100s", is_prompt ? "Prompt" : "Resource template", target,
                 is_prompt ? "argument" : "variable", arg);
        return -32602;
    }
    json_t *values = json_array();
    size_t total = 0;
    if (values == NULL)
        goto out_nomem;
    if (c != NULL && c->values != NULL)
        filter_into(values, c->values, value, &total);
    if (c != NULL && c->fn != NULL) {
        json_t *more = json_array();
        if (more == NULL) {
            json_decref(values);
            goto out_nomem;
        }
        int rc = c->fn(arg, value, context, more, c->data);
        if (rc == CM_OK)
            filter_into(values, more, value, &total);
        json_decref(more);
        if (rc != CM_OK) {
            json_decref(values);
            snprintf(msg, msgsz, "Completion failed for %.100s", arg);
            return -32603;
        }
    }
    *result = json_pack("{s:{s:o, s:I, s:b}}", "completion", "values", values, "total", (json_int_t)total, "hasMore",
                        total > json_array_size(values));
    if (*result == NULL)
        goto out_nomem;
    return 0;

out_nomem:
    snprintf(msg, msgsz, "out of memory");
    return -32603;
}
