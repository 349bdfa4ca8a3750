/*
 * input_tools.c - the conformance fixture's tools and prompt that ask the client for input (mcp/input.h): the
 * elicitation and sampling scenarios of 2025-11-25 (tools-call-*, SEP-1034 defaults, SEP-1330 enums) and the
 * input-required-result-* scenarios of 2026-07-28, named and shaped as the suite expects. One handler serves both
 * eras: the runtime sends the questions as server requests (2025-11-25) or answers input_required (2026-07-28).
 */
#include "common/status.h"
#include "fixture.h"
#include "mcp/features.h"
#include "mcp/input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "action=<a>, content=<json>" of an elicitation answer into buf. */
static void describe(const json_t *answer, char *buf, size_t n)
{
    json_t *content = json_object_get(answer, "content");
    char *text = content ? json_dumps(content, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    snprintf(buf, n, "action=%s, content=%.400s", mcp_elicit_action(answer), text ? text : "{}");
    free(text);
}

static json_t *schema(const char *text)
{
    return json_loads(text, 0, NULL);
}

static const char name_schema[] =
    "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},\"required\":[\"name\"]}";

static void t_sampling(mcp_call_t *c, json_t *args, void *data)
{
    const char *prompt = json_string_value(json_object_get(args, "prompt"));
    const json_t *a = mcp_call_sample_text(c, "llm", prompt ? prompt : "Hello", 100);
    if (a == NULL) {
        mcp_call_need_input(c);
        return;
    }
    char text[600];
    snprintf(text, sizeof(text), "LLM response: %.500s", mcp_sample_text(a) ? mcp_sample_text(a) : "(no text)");
    mcp_call_add_text(c, text);
    mcp_call_finish(c);
}

/* Asks key with schema_text and finishes with "<prefix>: action=..., content=...". */
static void elicit_and_report(mcp_call_t *c, const char *key, const char *message, const char *schema_text,
                              const char *prefix)
{
    const json_t *a = mcp_call_elicit(c, key, message, schema(schema_text));
    if (a == NULL) {
        mcp_call_need_input(c);
        return;
    }
    char buf[512], text[600];
    describe(a, buf, sizeof(buf));
    snprintf(text, sizeof(text), "%s: %s", prefix, buf);
    mcp_call_add_text(c, text);
    mcp_call_finish(c);
}

static void t_elicitation(mcp_call_t *c, json_t *args, void *data)
{
    const char *message = json_string_value(json_object_get(args, "message"));
    elicit_and_report(c, "user_info", message ? message : "Please provide your information",
                      "{\"type\":\"object\",\"properties\":{\"username\":{\"type\":\"string\",\"description\":"
                      "\"User's response\"},\"email\":{\"type\":\"string\",\"description\":\"User's email "
                      "address\"}},\"required\":[\"username\",\"email\"]}",
                      "User response");
}

static void t_sep1034(mcp_call_t *c, json_t *args, void *data)
{
    elicit_and_report(c, "defaults", "Please review your profile",
                      "{\"type\":\"object\",\"properties\":{"
                      "\"name\":{\"type\":\"string\",\"default\":\"John Doe\"},"
                      "\"age\":{\"type\":\"integer\",\"default\":30},"
                      "\"score\":{\"type\":\"number\",\"default\":95.5},"
                      "\"status\":{\"type\":\"string\",\"enum\":[\"active\",\"inactive\",\"pending\"],"
                      "\"default\":\"active\"},"
                      "\"verified\":{\"type\":\"boolean\",\"default\":true}}}",
                      "Elicitation completed");
}

static void t_sep1330(mcp_call_t *c, json_t *args, void *data)
{
    elicit_and_report(
        c, "enums", "Please choose",
        "{\"type\":\"object\",\"properties\":{"
        "\"untitledSingle\":{\"type\":\"string\",\"enum\":[\"option1\",\"option2\",\"option3\"]},"
        "\"titledSingle\":{\"type\":\"string\",\"oneOf\":[{\"const\":\"value1\",\"title\":\"First Option\"},"
        "{\"const\":\"value2\",\"title\":\"Second Option\"},{\"const\":\"value3\",\"title\":\"Third Option\"}]},"
        "\"legacyEnum\":{\"type\":\"string\",\"enum\":[\"opt1\",\"opt2\",\"opt3\"],"
        "\"enumNames\":[\"Option One\",\"Option Two\",\"Option Three\"]},"
        "\"untitledMulti\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"enum\":[\"option1\",\"option2\","
        "\"option3\"]}},"
        "\"titledMulti\":{\"type\":\"array\",\"items\":{\"anyOf\":[{\"const\":\"value1\",\"title\":\"First Choice\"},"
        "{\"const\":\"value2\",\"title\":\"Second Choice\"},{\"const\":\"value3\",\"title\":\"Third Choice\"}]}}}}",
        "Elicitation completed");
}

/* test_input_required_result_elicitation (and test_streaming_elicitation): "Hello, <name>!" */
static void t_ir_elicitation(mcp_call_t *c, json_t *args, void *data)
{
    const json_t *a = mcp_call_elicit(c, "user_name", "What is your name?", schema(name_schema));
    if (a == NULL) {
        mcp_call_need_input(c);
        return;
    }
    const char *name = json_string_value(json_object_get(mcp_elicit_content(a), "name"));
    char text[300];
    snprintf(text, sizeof(text), name ? "Hello, %.200s!" : "No name was given (%s).",
             name ? name : mcp_elicit_action(a));
    mcp_call_add_text(c, text);
    mcp_call_finish(c);
}

static void t_ir_sampling(mcp_call_t *c, json_t *args, void *data)
{
    const json_t *a = mcp_call_sample_text(c, "capital_question", "What is the capital of France?", 100);
    if (a == NULL) {
        mcp_call_need_input(c);
        return;
    }
    mcp_call_add_text(c, mcp_sample_text(a) ? mcp_sample_text(a) : "(no text)");
    mcp_call_finish(c);
}

static void add_roots_text(mcp_call_t *c, const json_t *roots)
{
    char text[600] = "Roots:";
    size_t i, n = strlen(text);
    json_t *r;
    json_array_foreach(json_object_get(roots, "roots"), i, r)
    {
        int w = snprintf(text + n, sizeof(text) - n, " %s", json_string_value(json_object_get(r, "uri")));
        if (w < 0 || (size_t)w >= sizeof(text) - n)
            break;
        n += (size_t)w;
    }
    mcp_call_add_text(c, text);
}

static void t_ir_roots(mcp_call_t *c, json_t *args, void *data)
{
    const json_t *a = mcp_call_list_roots(c, "client_roots");
    if (a == NULL) {
        mcp_call_need_input(c);
        return;
    }
    add_roots_text(c, a);
    mcp_call_finish(c);
}

static const char ok_schema[] =
    "{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\"}},\"required\":[\"ok\"]}";

/* test_input_required_result_request_state and _tampered_state: the runtime verified the state when one came back */
static void t_ir_confirm(mcp_call_t *c, json_t *args, void *data)
{
    const json_t *a = mcp_call_elicit(c, "confirm", "Please confirm", schema(ok_schema));
    if (a == NULL) {
        mcp_call_need_input(c);
        return;
    }
    char text[100];
    snprintf(text, sizeof(text), "state-ok: confirmed=%s",
             json_is_true(json_object_get(mcp_elicit_content(a), "ok")) ? "true" : "false");
    mcp_call_add_text(c, text);
    mcp_call_finish(c);
}

static void t_ir_multiple(mcp_call_t *c, json_t *args, void *data)
{
    /* all three asked in one round: none depends on another */
    const json_t *name = mcp_call_elicit(c, "user_name", "What is your name?", schema(name_schema));
    const json_t *greeting = mcp_call_sample_text(c, "greeting", "Generate a greeting", 50);
    const json_t *roots = mcp_call_list_roots(c, "client_roots");
    if (name == NULL || greeting == NULL || roots == NULL) {
        mcp_call_need_input(c);
        return;
    }
    char text[400];
    snprintf(text, sizeof(text), "%.150s, %.150s!", mcp_sample_text(greeting) ? mcp_sample_text(greeting) : "Hello",
             json_string_value(json_object_get(mcp_elicit_content(name), "name")));
    mcp_call_add_text(c, text);
    add_roots_text(c, roots);
    mcp_call_finish(c);
}

static void t_ir_multi_round(mcp_call_t *c, json_t *args, void *data)
{
    const json_t *step1 = mcp_call_elicit(c, "step1", "Step 1: What is your name?", schema(name_schema));
    if (step1 == NULL) {
        mcp_call_need_input(c);
        return;
    }
    const json_t *step2 = mcp_call_elicit(
        c, "step2", "Step 2: What is your favorite color?",
        schema("{\"type\":\"object\",\"properties\":{\"color\":{\"type\":\"string\"}},\"required\":[\"color\"]}"));
    if (step2 == NULL) {
        mcp_call_need_input(c);
        return;
    }
    char text[300];
    snprintf(text, sizeof(text), "%.100s likes %.100s.",
             json_string_value(json_object_get(mcp_elicit_content(step1), "name")),
             json_string_value(json_object_get(mcp_elicit_content(step2), "color")));
    mcp_call_add_text(c, text);
    mcp_call_finish(c);
}

/* Asks only what the client declared: sampling and/or elicitation. */
static void t_ir_capabilities(mcp_call_t *c, json_t *args, void *data)
{
    const json_t *s = NULL, *e = NULL;
    int want_s = mcp_call_client_supports(c, MCP_INPUT_SAMPLING);
    int want_e = mcp_call_client_supports(c, MCP_INPUT_ELICIT_FORM);
    if (want_s)
        s = mcp_call_sample_text(c, "summary", "Summarize the capabilities test", 50);
    if (want_e)
        e = mcp_call_elicit(c, "user_name", "What is your name?", schema(name_schema));
    if ((want_s && s == NULL) || (want_e && e == NULL)) {
        mcp_call_need_input(c);
        return;
    }
    mcp_call_add_text(c, want_s || want_e ? "Inputs received for the declared capabilities."
                                          : "The client declared neither sampling nor elicitation.");
    mcp_call_finish(c);
}

static int p_input(mcp_prompt_result_t *out, json_t *args, void *data)
{
    const json_t *a =
        mcp_prompt_input(out, "user_context", "elicitation/create",
                         json_pack("{s:s, s:s, s:o}", "mode", "form", "message", "What context should the prompt use?",
                                   "requestedSchema",
                                   schema("{\"type\":\"object\",\"properties\":{\"context\":{\"type\":\"string\"}},"
                                          "\"required\":[\"context\"]}")));
    if (a == NULL)
        return MCP_PROMPT_NEEDS_INPUT;
    char text[400];
    snprintf(text, sizeof(text), "Use this context: %.300s",
             json_string_value(json_object_get(mcp_elicit_content(a), "context")));
    return mcp_prompt_add_text(out, "user", text);
}

int fixture_register_input(mcp_server_t *s)
{
    static const char no_args[] = "{\"type\":\"object\",\"properties\":{}}";
    static const mcp_tool_annotations_t ro = {.read_only = MCP_HINT_TRUE, .open_world = MCP_HINT_FALSE};
    const mcp_tool_def_t defs[] = {
        {.name = "test_elicitation",
         .description = "Asks the user for a username and email (elicitation/create)",
         .input_schema = "{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\"}},"
                         "\"required\":[\"message\"]}",
         .annotations = ro,
         .fn = t_elicitation},
        {.name = "test_sampling",
         .description = "Asks the client's LLM (sampling/createMessage)",
         .input_schema = "{\"type\":\"object\",\"properties\":{\"prompt\":{\"type\":\"string\"}},"
                         "\"required\":[\"prompt\"]}",
         .annotations = ro,
         .fn = t_sampling},
        {.name = "test_elicitation_sep1034_defaults",
         .description = "Elicitation with defaults",
         .input_schema = no_args,
         .annotations = ro,
         .fn = t_sep1034},
        {.name = "test_elicitation_sep1330_enums",
         .description = "Elicitation with enums",
         .input_schema = no_args,
         .annotations = ro,
         .fn = t_sep1330},
        {.name = "test_input_required_result_elicitation",
         .description = "Asks the user's name",
         .input_schema = no_args,
         .annotations = ro,
         .fn = t_ir_elicitation},
        {.name = "test_streaming_elicitation",
         .description = "Asks the user's name",
         .input_schema = no_args,
         .annotations = ro,
         .fn = t_ir_elicitation},
        {.name = "test_input_required_result_sampling",
         .description = "Asks the client's LLM",
         .input_schema = no_args,
         .annotations = ro,
         .fn = t_ir_sampling},
        {.name = "test_input_required_result_list_roots",
         .description = "Asks the client's roots",
         .input_schema = no_args,
         .annotations = ro,
         .fn = t_ir_roots},
        {.name = "test_input_required_result_request_state",
         .description = "Asks for a confirmation (requestState round trip)",
         .input_schema = no_args,
         .annotations = ro,
         .fn = t_ir_confirm},
        {.name = "test_input_required_result_tampered_state",
         .description = "Asks for a confirmation (a tampered requestState is refused)",
         .input_schema = no_args,
         .annotations = ro,
         .fn = t_ir_confirm},
        {.name = "test_input_required_result_multiple_inputs",
         .description = "Asks for a name, a greeting and the roots at once",
         .input_schema = no_args,
         .annotations = ro,
         .fn = t_ir_multiple},
        {.name = "test_input_required_result_multi_round",
         .description = "Asks in two rounds",
         .input_schema = no_args,
         .annotations = ro,
         .fn = t_ir_multi_round},
        {.name = "test_input_required_result_capabilities",
         .description = "Asks only for what the client declared",
         .input_schema = no_args,
         .annotations = ro,
         .fn = t_ir_capabilities},
    };
    for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++)
        if (mcp_server_add_tool(s, &defs[i]) != CM_OK)
            return CM_EINVAL;
    const mcp_prompt_def_t prompt = {.name = "test_input_required_result_prompt",
                                     .description = "A prompt that asks the user for context",
                                     .fn = p_input};
    return mcp_server_add_prompt(s, &prompt);
}
