/*
 * fuzz_token_response.c - provider token-endpoint and revocation responses (providers/support ps_parse.c,
 * ps_error.c and each plugin's quirks: Slack's authed_user, GitHub's 200 errors, Microsoft, Google, custom).
 *
 * Input: provider selector, status selector, content-type selector, then the response body (any bytes).
 * Every plugin is initialised once with the scripted fake host; a parsed token set is released again,
 * so a leak or a double free in the parser shows up.
 */
#include "fuzz.h"

#include "fake_host.h"
#include "provider_support.h"

extern const op_plugin_t fz_plugin_google, fz_plugin_microsoft, fz_plugin_github, fz_plugin_slack, fz_plugin_custom;

static const char custom_config[] =
    "{\"providers\": ["
    "{\"name\": \"plain\", \"authorization_endpoint\": \"https://as.example/authorize\","
    " \"token_endpoint\": \"https://as.example/token\", \"revocation_endpoint\": \"https://as.example/revoke\"},"
    "{\"name\": \"commas\", \"authorization_endpoint\": \"https://as.example/authorize\","
    " \"token_endpoint\": \"https://as.example/token\", \"scope_separator\": \",\", \"default_expires_in\": 600,"
    " \"client_auth\": \"none\"}]}";

static void *states[5]; /* the plugins' states, kept for the life of the process */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const struct {
        const op_plugin_t *pl;
        const char *config;
    } plugins[] = {{&fz_plugin_google, NULL},
                   {&fz_plugin_microsoft, NULL},
                   {&fz_plugin_github, NULL},
                   {&fz_plugin_slack, NULL},
                   {&fz_plugin_custom, custom_config}};
    fh_reset();
    for (size_t i = 0; i < sizeof(plugins) / sizeof(plugins[0]); i++)
        FZ_CHECK(plugins[i].pl->init(fh_host(), plugins[i].config, &states[i]) == OP_OK);
    FZ_CHECK(fh_provider_count() >= 6);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int statuses[] = {200, 200, 201, 400, 401, 403, 404, 429, 500, 503, 302, 0};
    static const char *const types[] = {"application/json", "application/x-www-form-urlencoded",
                                        "application/json; charset=utf-8", "text/html", NULL};
    fz_in_t in = {data, size};
    const op_provider_t *p = fh_provider_at(fz_byte(&in) % fh_provider_count());
    int status = statuses[fz_byte(&in) % (sizeof(statuses) / sizeof(statuses[0]))];
    const char *type = types[fz_byte(&in) % (sizeof(types) / sizeof(types[0]))];
    char *body = fz_strndup(in.p, in.left);
    op_http_response_t res = {.struct_size = sizeof(res),
                              .status = status,
                              .error = status == 0 ? "connection reset" : NULL,
                              .content_type = type,
                              .body = body,
                              .body_len = in.left,
                              .retry_after_s = status == 429 ? 30 : -1};
    op_token_set_t ts = {.struct_size = sizeof(ts)};
    op_error_t err = {0};
    int rc = p->parse_token_response(p->data, &res, FH_NOW, &ts, &err);
    if (rc == OP_OK) {
        FZ_CHECK(ts.struct_size == sizeof(ts));
        FZ_CHECK(ts.access_token != NULL && ts.access_token[0] != '\0' && ts.token_type != NULL);
        FZ_CHECK(ts.expires_at == 0 || ts.expires_at > FH_NOW);
    } else {
        FZ_CHECK(ts.access_token == NULL && err.code[0] != '\0');
        FZ_CHECK(memchr(err.code, '\0', sizeof(err.code)) != NULL);
    }
    fh_host()->token_set_clear(&ts);

    /* the same bytes as an RFC 7009 revocation answer */
    op_error_t rerr = {0};
    (void)ps_revoke_judge_rfc7009((ps_provider_t *)p->data, &res, &rerr);
    free(body);
    return 0;
}
