/*
 * mcp-conformance - fixture service with the tools the official conformance suite
 * (@modelcontextprotocol/conformance) names in its server scenarios, plus an echo tool for interop tests
 * and a fake-upstream tool for the benchmark; the prompts, resources and completions are in features.c. Runs with
 * MCP_AUTH=none unless a broker is configured.
 */
#include "common/status.h"
#include "common/url.h"
#include "mcp/provider_http.h"
#include "mcp/server.h"
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

/* 1x1 red PNG (also used by features.c) */
const char fixture_png_b64[] =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
/* 44-byte WAV header + 2 samples of silence */
static const char wav_b64[] = "UklGRigAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQQAAAAAAAAA";

static json_t *block(const char *type)
{
    return json_pack("{s:s}", "type", type);
}

static void t_simple_text(mcp_call_t *c, json_t *args, void *data)
{
    mcp_call_add_text(c, "This is a simple text response for testing.");
    mcp_call_finish(c);
}

static void t_image(mcp_call_t *c, json_t *args, void *data)
{
    json_t *b = block("image");
    json_object_set_new(b, "data", json_string(fixture_png_b64));
    json_object_set_new(b, "mimeType", json_string("image/png"));
    mcp_call_add_content(c, b);
    mcp_call_finish(c);
}

static void t_audio(mcp_call_t *c, json_t *args, void *data)
{
    json_t *b = block("audio");
    json_object_set_new(b, "data", json_string(wav_b64));
    json_object_set_new(b, "mimeType", json_string("audio/wav"));
    mcp_call_add_content(c, b);
    mcp_call_finish(c);
}

static void t_embedded(mcp_call_t *c, json_t *args, void *data)
{
    mcp_call_add_content(c, json_pack("{s:s, s:{s:s, s:s, s:s}}", "type", "resource", "resource", "uri",
                                      "test://embedded-resource", "mimeType", "text/plain", "text",
                                      "This is an embedded resource content."));
    mcp_call_finish(c);
}

static void t_mixed(mcp_call_t *c, json_t *args, void *data)
{
    mcp_call_add_text(c, "Multiple content types test:");
    json_t *img = block("image");
    json_object_set_new(img, "data", json_string(fixture_png_b64));
    json_object_set_new(img, "mimeType", json_string("image/png"));
    mcp_call_add_content(c, img);
    mcp_call_add_content(c, json_pack("{s:s, s:{s:s, s:s, s:s}}", "type", "resource", "resource", "uri",
                                      "test://mixed-content-resource", "mimeType", "application/json", "text",
                                      "{\"test\":\"data\",\"value\":123}"));
    mcp_call_finish(c);
}

static void t_error(mcp_call_t *c, json_t *args, void *data)
{
    mcp_call_fail(c, "This tool intentionally returns an error for testing");
}

/* ---- tools with delays: a small state machine on the context's 100 ms timeout list ("~50 ms" in the suite) ---- */
struct stepper {
    h2o_timeout_entry_t entry;
    mcp_call_t *call;
    int step, kind; /* 0 = logging, 1 = progress, 2 = sleep */
    int steps;      /* number of 100 ms waits + 1 */
};

static void step(struct stepper *st);

static void on_delay(h2o_timeout_entry_t *e)
{
    step(H2O_STRUCT_FROM_MEMBER(struct stepper, entry, e));
}

static void step(struct stepper *st)
{
    static const char *const logs[] = {"Tool execution started", "Tool processing data", "Tool execution completed"};
    if (mcp_call_abandoned(st->call)) { /* cancelled or timed out: no further step */
        mcp_call_fail(st->call, "cancelled");
        free(st);
        return;
    }
    if (st->kind == 0)
        mcp_call_log(st->call, MCP_LOG_INFO, "conformance", json_string(logs[st->step]));
    else if (st->kind == 1)
        mcp_call_progress(st->call, st->step * 50, 100, NULL);
    if (++st->step < st->steps) {
        h2o_context_t *ctx = mcp_server_context(mcp_call_server(st->call));
        h2o_timeout_link(ctx->loop, &ctx->hundred_ms_timeout, &st->entry);
        return;
    }
    mcp_call_add_text(st->call, st->kind == 0   ? "Tool with logging executed successfully"
                                : st->kind == 1 ? "Tool with progress executed successfully"
                                                : "slept");
    mcp_call_finish(st->call);
    free(st);
}

static void start_stepper(mcp_call_t *c, int kind, int steps)
{
    struct stepper *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    st->call = c;
    st->kind = kind;
    st->steps = steps;
    st->entry.cb = on_delay;
    step(st);
}

static void t_logging(mcp_call_t *c, json_t *args, void *data)
{
    start_stepper(c, 0, 3);
}

static void t_progress(mcp_call_t *c, json_t *args, void *data)
{
    start_stepper(c, 1, 3);
}

static void t_sleep(mcp_call_t *c, json_t *args, void *data)
{
    start_stepper(c, 2, (int)(json_integer_value(json_object_get(args, "ms")) / 100) + 1);
}

static void t_schema_2020_12(mcp_call_t *c, json_t *args, void *data)
{
    mcp_call_add_text(c, "json_schema_2020_12_tool executed");
    mcp_call_finish(c);
}

static void t_missing_capability(mcp_call_t *c, json_t *args, void *data)
{
    json_t *caps = mcp_call_client_capabilities(c);
    if (!json_is_object(json_object_get(caps, "sampling"))) {
        mcp_call_error_data(c, MCP_ERR_MISSING_CLIENT_CAPABILITY, "This tool needs the client's sampling capability",
                            json_pack("{s:{s:{}}}", "requiredCapabilities", "sampling"));
        return;
    }
    mcp_call_add_text(c, "sampling capability present");
    mcp_call_finish(c);
}

static void t_custom_header(mcp_call_t *c, json_t *args, void *data)
{
    mcp_call_add_text(c, json_string_value(json_object_get(args, "region")));
    mcp_call_finish(c);
}

/* upstream_items: the provider-API path (token from the broker, fake upstream from UPSTREAM_URL). */
static void on_items(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    json_t *items = json_object_get(res->json, "items");
    if (!json_is_array(items)) {
        mcp_call_fail(c, "Upstream answered without an items list.");
        return;
    }
    mcp_call_add_text(c, res->body);
    mcp_call_set_structured(c, json_pack("{s:O, s:I}", "items", items, "count", (json_int_t)json_array_size(items)));
    mcp_call_finish(c);
}

static void t_upstream_items(mcp_call_t *c, json_t *args, void *data)
{
    const char *base = getenv("UPSTREAM_URL");
    const char *q = json_string_value(json_object_get(args, "q"));
    char url[1024];
    if (base == NULL) {
        mcp_call_fail(c, "UPSTREAM_URL is not configured on this server.");
        return;
    }
    char *eq = cm_url_escape(q, strlen(q));
    snprintf(url, sizeof(url), "%s/items?q=%s", base, eq ? eq : "");
    free(eq);
    mcp_provider_request_t req = {.provider = "Upstream", .url = url};
    mcp_provider_fetch(c, &req, on_items, NULL);
}

/* upstream_status: GET {UPSTREAM_URL}/status/<code>, to exercise the provider error mapping. */
static void on_status(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    mcp_call_add_text(c, "upstream answered");
    mcp_call_finish(c);
}

static void t_upstream_status(mcp_call_t *c, json_t *args, void *data)
{
    const char *base = getenv("UPSTREAM_URL");
    char url[1024];
    if (base == NULL) {
        mcp_call_fail(c, "UPSTREAM_URL is not configured on this server.");
        return;
    }
    snprintf(url, sizeof(url), "%s/status/%lld", base, (long long)json_integer_value(json_object_get(args, "code")));
    mcp_provider_request_t req = {.provider = "Upstream", .url = url};
    mcp_provider_fetch(c, &req, on_status, NULL);
}

/* upstream_two_steps: GET {UPSTREAM_URL}/slow?ms=<ms>, then GET /items?q=step2 - a multi-step tool whose second
 * step must never start once the call is cancelled during the first. */
static void on_step2(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    mcp_call_add_text(c, "both steps done");
    mcp_call_finish(c);
}

static void on_step1(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    char url[1024];
    snprintf(url, sizeof(url), "%s/items?q=step2", getenv("UPSTREAM_URL"));
    mcp_provider_request_t req = {.provider = "Upstream", .url = url};
    mcp_provider_fetch(c, &req, on_step2, NULL);
}

static void t_upstream_two_steps(mcp_call_t *c, json_t *args, void *data)
{
    const char *base = getenv("UPSTREAM_URL");
    char url[1024];
    if (base == NULL) {
        mcp_call_fail(c, "UPSTREAM_URL is not configured on this server.");
        return;
    }
    snprintf(url, sizeof(url), "%s/slow?ms=%lld", base, (long long)json_integer_value(json_object_get(args, "ms")));
    mcp_provider_request_t req = {.provider = "Upstream", .url = url};
    mcp_provider_fetch(c, &req, on_step1, NULL);
}

static void t_echo(mcp_call_t *c, json_t *args, void *data)
{
    const char *text = json_string_value(json_object_get(args, "text"));
    mcp_call_add_text(c, text);
    mcp_call_set_structured(c, json_pack("{s:s}", "echoed", text));
    mcp_call_finish(c);
}

static const char schema_2020_12[] =
    "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\","
    "\"$defs\":{\"address\":{\"$anchor\":\"addressDef\",\"type\":\"object\",\"properties\":{"
    "\"street\":{\"type\":\"string\"},\"city\":{\"type\":\"string\"}}}},"
    "\"properties\":{\"name\":{\"type\":\"string\"},\"address\":{\"$ref\":\"#/$defs/address\"},"
    "\"contactMethod\":{\"type\":\"string\",\"enum\":[\"phone\",\"email\"]},\"phone\":{\"type\":\"string\"},"
    "\"email\":{\"type\":\"string\"}},"
    "\"allOf\":[{\"anyOf\":[{\"required\":[\"phone\"]},{\"required\":[\"email\"]}]}],"
    "\"if\":{\"properties\":{\"contactMethod\":{\"const\":\"phone\"}},\"required\":[\"contactMethod\"]},"
    "\"then\":{\"required\":[\"phone\"]},\"else\":{\"required\":[\"email\"]},\"additionalProperties\":false}";

static const mcp_tool_annotations_t read_only = {.read_only = MCP_HINT_TRUE,
                                                 .destructive = MCP_HINT_FALSE,
                                                 .idempotent = MCP_HINT_TRUE,
                                                 .open_world = MCP_HINT_FALSE};

static int register_tools(mcp_server_t *s)
{
    static const char no_args[] = "{\"type\":\"object\",\"properties\":{}}";
    const mcp_tool_def_t defs[] = {
        {.name = "test_simple_text",
         .description = "Returns a simple text response",
         .input_schema = no_args,
         .annotations = read_only,
         .fn = t_simple_text},
        {.name = "test_image_content",
         .description = "Returns an image",
         .input_schema = no_args,
         .annotations = read_only,
         .fn = t_image},
        {.name = "test_audio_content",
         .description = "Returns audio",
         .input_schema = no_args,
         .annotations = read_only,
         .fn = t_audio},
        {.name = "test_embedded_resource",
         .description = "Returns an embedded resource",
         .input_schema = no_args,
         .annotations = read_only,
         .fn = t_embedded},
        {.name = "test_multiple_content_types",
         .description = "Returns text, image and resource",
         .input_schema = no_args,
         .annotations = read_only,
         .fn = t_mixed},
        {.name = "test_tool_with_logging",
         .description = "Sends three log notifications while running",
         .input_schema = no_args,
         .annotations = read_only,
         .fn = t_logging},
        {.name = "test_tool_with_progress",
         .description = "Reports progress 0, 50, 100 of 100",
         .input_schema = no_args,
         .annotations = read_only,
         .fn = t_progress},
        {.name = "test_error_handling",
         .description = "Always fails with a tool error",
         .input_schema = no_args,
         .annotations = read_only,
         .fn = t_error},
        {.name = "json_schema_2020_12_tool",
         .description = "Tool with JSON Schema 2020-12 features",
         .input_schema = schema_2020_12,
         .annotations = read_only,
         .fn = t_schema_2020_12},
        {.name = "test_missing_capability",
         .description = "Needs the client's sampling capability",
         .input_schema = no_args,
         .annotations = read_only,
         .fn = t_missing_capability},
        {.name = "test_logging_tool",
         .description = "Logs three messages (only when the request asks for logs)",
         .input_schema = no_args,
         .annotations = read_only,
         .fn = t_logging},
        {.name = "test_custom_header",
         .description = "Takes a region mirrored in the Mcp-Param-Region header",
         .input_schema = "{\"type\":\"object\",\"properties\":{\"region\":{\"type\":\"string\","
                         "\"x-mcp-header\":\"Region\"}},\"required\":[\"region\"]}",
         .annotations = read_only,
         .fn = t_custom_header},
        {.name = "upstream_items",
         .description = "Searches the (fake) provider API for items",
         .input_schema = "{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\",\"maxLength\":200}},"
                         "\"required\":[\"q\"],\"additionalProperties\":false}",
         .output_schema = "{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\"},"
                          "\"count\":{\"type\":\"integer\"}},\"required\":[\"items\",\"count\"]}",
         .annotations = {.read_only = MCP_HINT_TRUE, .open_world = MCP_HINT_TRUE},
         .fn = t_upstream_items},
        {.name = "upstream_status",
         .description = "Calls the (fake) provider API and gets the given HTTP status",
         .input_schema = "{\"type\":\"object\",\"properties\":{\"code\":{\"type\":\"integer\",\"minimum\":100,"
                         "\"maximum\":599}},\"required\":[\"code\"],\"additionalProperties\":false}",
         .annotations = {.read_only = MCP_HINT_TRUE, .open_world = MCP_HINT_TRUE},
         .fn = t_upstream_status},
        {.name = "test_sleep",
         .description = "Waits the given milliseconds (100 ms steps), then answers",
         .input_schema = "{\"type\":\"object\",\"properties\":{\"ms\":{\"type\":\"integer\",\"minimum\":0,"
                         "\"maximum\":10000}},\"required\":[\"ms\"],\"additionalProperties\":false}",
         .annotations = read_only,
         .fn = t_sleep},
        {.name = "echo",
         .title = "Echo",
         .description = "Echoes the text back (text and structured content)",
         .input_schema = "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\",\"minLength\":1,"
                         "\"maxLength\":10000,\"description\":\"What to echo\"}},\"required\":[\"text\"],"
                         "\"additionalProperties\":false}",
         .output_schema =
             "{\"type\":\"object\",\"properties\":{\"echoed\":{\"type\":\"string\"}},\"required\":[\"echoed\"]}",
         .annotations = read_only,
         .fn = t_echo},
        {.name = "upstream_two_steps",
         .description = "Two provider API calls in a row: a slow one, then a second (cancellation tests)",
         .input_schema = "{\"type\":\"object\",\"properties\":{\"ms\":{\"type\":\"integer\",\"minimum\":0,"
                         "\"maximum\":10000}},\"required\":[\"ms\"],\"additionalProperties\":false}",
         .annotations = {.read_only = MCP_HINT_TRUE, .open_world = MCP_HINT_TRUE},
         .fn = t_upstream_two_steps},
        {.name = "test_write_note",
         .description = "Pretends to store a note: not read-only (an access token needs mcp:write to call it)",
         .input_schema = no_args,
         .annotations = {.read_only = MCP_HINT_FALSE, .destructive = MCP_HINT_FALSE, .idempotent = MCP_HINT_FALSE},
         .fn = t_simple_text},
    };
    for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++)
        if (mcp_server_add_tool(s, &defs[i]) != CM_OK)
            return CM_EINVAL;
    if (fixture_register_tasks(s) != CM_OK)
        return CM_EINVAL;
    if (fixture_register_streams(s) != CM_OK)
        return CM_EINVAL;
    if (fixture_register_input(s) != CM_OK)
        return CM_EINVAL;
    return fixture_register_features(s);
}

int fake_upstream_main(void);

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--fake-upstream") == 0)
        return fake_upstream_main();
    if (getenv("MCP_AUTH") == NULL && getenv("BROKER_URL") == NULL)
        setenv("MCP_AUTH", "none", 0); /* a fixture: open unless told otherwise */
    return mcp_server_main("conformance", "1.0.0", register_tools);
}
