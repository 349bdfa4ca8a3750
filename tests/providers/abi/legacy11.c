/*
 * legacy11.c - a plugin built against the frozen ABI 1.1 header (abi_1_1/provider_abi.h): its
 * op_token_set_t has no struct_size. Its operations write recognisable token sets:
 *   parse_token_response  access_token = the response body; body "clear" fills a set, releases it with
 *                         host->token_set_clear and fails with code "cleared" when that emptied it
 *   exchange_code         access_token = the code; delivered before returning OP_AGAIN (a real plugin
 *                         answers later; the conversion under test does not care when)
 *   refresh               refresh token "fail": an error without tokens
 */
#include "provider_abi.h"

#include <stdio.h>
#include <string.h>

static const op_host_api_t *host;

static char *dup_str(const char *s)
{
    return host->mem_strndup(s, strlen(s));
}

static void fill(op_token_set_t *ts, const char *access, int64_t now)
{
    memset(ts, 0, sizeof(*ts));
    ts->access_token = dup_str(access);
    ts->refresh_token = dup_str("rt-legacy");
    ts->token_type = dup_str("Bearer");
    ts->scope = dup_str("a b");
    ts->id_token = dup_str("h.p.s");
    ts->expires_at = now + 3600;
    ts->refresh_expires_at = now + 7200;
    ts->extras_json = dup_str("{\"legacy\":true}");
}

static void set_error(op_error_t *err, const char *code)
{
    memset(err, 0, sizeof(*err));
    err->error_class = OP_ERRCLASS_REQUEST;
    snprintf(err->code, sizeof(err->code), "%s", code);
    err->retry_after_s = -1;
}

static int legacy_parse(void *data, const op_http_response_t *res, int64_t now, op_token_set_t *out, op_error_t *err)
{
    fill(out, res->body, now);
    if (strcmp(res->body, "clear") != 0)
        return OP_OK;
    host->token_set_clear(out);
    int empty = out->access_token == NULL && out->refresh_token == NULL && out->extras_json == NULL &&
                out->expires_at == 0 && out->refresh_expires_at == 0;
    set_error(err, empty ? "cleared" : "not_cleared");
    return OP_ERR;
}

static int legacy_exchange(void *data, const op_client_t *c, const char *code, const char *verifier,
                           op_token_done_fn done, void *arg)
{
    op_token_set_t ts;
    fill(&ts, code, host->now());
    done(arg, OP_OK, &ts, NULL); /* the receiver takes the members */
    return OP_AGAIN;
}

static int legacy_refresh(void *data, const op_client_t *c, const char *rt, const char *scopes, op_token_done_fn done,
                          void *arg)
{
    op_error_t err;
    op_token_set_t ts;
    if (strcmp(rt, "fail") == 0) {
        set_error(&err, "invalid_grant");
        err.error_class = OP_ERRCLASS_PERMANENT;
        done(arg, OP_ERR, NULL, &err);
    } else {
        fill(&ts, rt, host->now());
        done(arg, OP_OK, &ts, NULL);
    }
    return OP_AGAIN;
}

static int legacy_authorize(void *data, const op_client_t *c, const op_authorize_params_t *p, char **out, op_error_t *e)
{
    *out = dup_str("https://legacy.test/authorize?state=s");
    return OP_OK;
}

static op_provider_t provider = {
    .struct_size = sizeof(op_provider_t),
    .name = "tlegacy",
    .display_name = "Legacy 1.1",
    .default_scopes = "a",
    .capabilities = OP_CAP_REFRESH,
    .authorization_endpoint = "https://legacy.test/authorize",
    .token_endpoint = "https://legacy.test/token",
    .build_authorize_url = legacy_authorize,
    .exchange_code = legacy_exchange,
    .refresh = legacy_refresh,
    .parse_token_response = legacy_parse,
    .issuer = "https://legacy.test",
    .authorization_response_iss = 1,
};

static int legacy_init(const op_host_api_t *h, const char *config_json, void **state)
{
    host = h;
    return h->register_provider(h->host_ctx, &provider);
}

__attribute__((visibility("default"))) const op_plugin_t oauth_provider_plugin = {
    OP_PLUGIN_HEADER("tlegacy", "1.1.0"),
    .init = legacy_init,
};
