/*
 * features.c - the conformance fixture's prompts, resources, resource template and completions, named and filled
 * as the suite's scenarios expect (prompts-*, resources-*, completion-complete in
 * @modelcontextprotocol/conformance).
 */
#include "common/crypto.h"
#include "common/status.h"
#include "fixture.h"
#include "mcp/features.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ prompts */

static int p_simple(mcp_prompt_result_t *out, json_t *args, void *data)
{
    return mcp_prompt_add_text(out, "user", "This is a simple prompt for testing.");
}

static int p_with_args(mcp_prompt_result_t *out, json_t *args, void *data)
{
    char text[512];
    snprintf(text, sizeof(text), "Prompt with arguments: arg1='%.200s', arg2='%.200s'",
             json_string_value(json_object_get(args, "arg1")), json_string_value(json_object_get(args, "arg2")));
    return mcp_prompt_add_text(out, "user", text);
}

static int p_embedded(mcp_prompt_result_t *out, json_t *args, void *data)
{
    const char *uri = json_string_value(json_object_get(args, "resourceUri"));
    if (strlen(uri) > MCP_URI_MAX) {
        mcp_prompt_fail(out, "resourceUri is longer than %d bytes", MCP_URI_MAX);
        return CM_EINVAL;
    }
    int rc = mcp_prompt_add_resource_text(out, "user", uri, "text/plain", "Embedded resource content for testing.");
    return rc == CM_OK ? mcp_prompt_add_text(out, "user", "Please process the embedded resource above.") : rc;
}

static int p_image(mcp_prompt_result_t *out, json_t *args, void *data)
{
    int rc = mcp_prompt_add_image(out, "user", "image/png", fixture_png_b64);
    return rc == CM_OK ? mcp_prompt_add_text(out, "user", "Please analyze the image above.") : rc;
}

static const char *const arg1_values[] = {"paris", "park", "party", "testValue1", "test-alpha", NULL};
static const char *const arg2_values[] = {"testValue2", "world", NULL};

static const mcp_prompt_arg_t with_args[] = {
    {.name = "arg1", .description = "First test argument", .required = 1, .complete = {.values = arg1_values}},
    {.name = "arg2", .description = "Second test argument", .required = 1, .complete = {.values = arg2_values}},
};
static const mcp_prompt_arg_t embedded_args[] = {
    {.name = "resourceUri", .description = "URI of the resource to embed", .required = 1},
};

/* ------------------------------------------------------------------ resources */

/* test://template/{id}/data -> {"id":<id>,"templateTest":true,"data":"Data for ID: <id>"} */
static int r_template(mcp_resource_contents_t *out, const char *uri, json_t *vars, void *data)
{
    const char *id = json_string_value(json_object_get(vars, "id"));
    char text[300];
    snprintf(text, sizeof(text), "Data for ID: %.200s", id);
    json_t *doc = json_pack("{s:s, s:b, s:s}", "id", id, "templateTest", 1, "data", text);
    char *s = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (s == NULL) {
        mcp_resource_fail(out, "out of memory");
        return CM_ENOMEM;
    }
    int rc = mcp_resource_add_text(out, NULL, NULL, s);
    free(s);
    return rc;
}

static const char *const id_values[] = {"123", "456", "789", NULL};
static const mcp_resource_var_t template_vars[] = {{.name = "id", .complete = {.values = id_values}}};

int fixture_register_features(mcp_server_t *s)
{
    const mcp_prompt_def_t prompts[] = {
        {.name = "test_simple_prompt", .description = "A simple prompt without arguments", .fn = p_simple},
        {.name = "test_prompt_with_arguments",
         .description = "A prompt with two required arguments",
         .args = with_args,
         .nargs = 2,
         .fn = p_with_args},
        {.name = "test_prompt_with_embedded_resource",
         .description = "A prompt that embeds the resource it is given",
         .args = embedded_args,
         .nargs = 1,
         .fn = p_embedded},
        {.name = "test_prompt_with_image", .description = "A prompt with an image", .fn = p_image},
    };
    for (size_t i = 0; i < sizeof(prompts) / sizeof(prompts[0]); i++)
        if (mcp_server_add_prompt(s, &prompts[i]) != CM_OK)
            return CM_EINVAL;

    size_t png_len = 0;
    uint8_t *png = cm_b64_decode(fixture_png_b64, strlen(fixture_png_b64), &png_len);
    if (png == NULL)
        return CM_ENOMEM;
    const mcp_resource_def_t resources[] = {
        {.uri = "test://static-text",
         .name = "static-text",
         .description = "A static text resource",
         .mime_type = "text/plain",
         .text = "This is the content of the static text resource."},
        {.uri = "test://static-binary",
         .name = "static-binary",
         .description = "A static binary resource (PNG)",
         .mime_type = "image/png",
         .blob = png,
         .blob_len = png_len},
        {.uri = "test://watched-resource",
         .name = "watched-resource",
         .description = "A resource clients may subscribe to",
         .mime_type = "text/plain",
         .text = "Watched resource content."},
    };
    int rc = CM_OK;
    for (size_t i = 0; rc == CM_OK && i < sizeof(resources) / sizeof(resources[0]); i++)
        rc = mcp_server_add_resource(s, &resources[i]);
    free(png);
    if (rc != CM_OK)
        return rc;
    const mcp_resource_template_def_t tmpl = {.uri_template = "test://template/{id}/data",
                                              .name = "template-data",
                                              .description = "Data for an id",
                                              .mime_type = "application/json",
                                              .vars = template_vars,
                                              .nvars = 1,
                                              .fn = r_template};
    return mcp_server_add_resource_template(s, &tmpl);
}
